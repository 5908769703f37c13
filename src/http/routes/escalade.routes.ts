import multipart from '@fastify/multipart';
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../composition.js';
import { can, mayEver } from '../../domain/accounts/policy.js';
import { DomainError } from '../../domain/shared/errors.js';
import { isCodeDepartement } from '../../domain/shared/insee.js';
import { localDate, METROPOLITAN_ZONE } from '../../domain/shared/time-zone.js';
import {
  digestOf,
  inviteReferent,
  mayInviteReferents,
  missingReferents,
  referentsOfDepartment,
  setPartnerDigest,
} from '../../services/accounts/referents.service.js';
import { sideOf } from '../../services/escalade/escalade.service.js';
import {
  dossierPage,
  dossiersPage,
  type NewDossierValues,
  newDossierPage,
  noticeOf,
} from '../../web/views/escalade/dossiers.views.js';
import { countsPage, figuresPage, referentsPage } from '../../web/views/escalade/pilotage.views.js';
import { messagePage } from '../../web/views/layout.js';
import { optionalText } from '../forms/fields.js';
import { statusOf } from '../plugins/errors.js';
import { actorOf, csrfField, multipartCsrfValid, requireUser, userOf } from '../plugins/session.js';
import { htmlReply } from '../reply.js';

const IdParam = Type.Object({ id: Type.String({ maxLength: 64 }) });
const PieceParam = Type.Object({ id: Type.String({ maxLength: 64 }), piece: Type.String({ maxLength: 64 }) });
const Notice = Type.Object({ message: optionalText(20) });
const NewForm = Type.Object({
  _csrf: optionalText(200),
  structure: optionalText(64),
  accompagnement: optionalText(64),
  partenaire: optionalText(40),
  nom: optionalText(200),
  prenom: optionalText(200),
  date_naissance: optionalText(20),
  numero_partenaire: optionalText(80),
  objet: optionalText(400),
  message: optionalText(10_000),
  consentement: optionalText(5),
  consent_version: optionalText(40),
});
const MessageForm = Type.Object({ _csrf: optionalText(200), message: optionalText(10_000) });
const NoteForm = Type.Object({ _csrf: optionalText(200), note: optionalText(10_000) });
const StatusForm = Type.Object({
  _csrf: optionalText(200),
  statut: optionalText(20),
  version: optionalText(12),
});
const ReassignForm = Type.Object({
  _csrf: optionalText(200),
  partenaire: optionalText(40),
  departement: optionalText(10),
  version: optionalText(12),
});
const ReferentForm = Type.Object({
  _csrf: optionalText(200),
  email: optionalText(400),
  partenaire: optionalText(40),
  departements: optionalText(200),
  coordinateur: optionalText(5),
});
const FiguresQuery = Type.Object({
  du: optionalText(20),
  au: optionalText(20),
  partenaire: optionalText(40),
});

const FORM = { attachValidation: true } as const;
type FormName = 'message' | 'note' | 'piece' | 'statut' | 'reassigner';

/**
 * /espace/escalade (issue 13): cases handed to partner référents. Thin: TypeBox on every input, one
 * service call, a page. Out-of-scope cases, messages and attachments answer 404 (the service checks the
 * policy on what the case belongs to).
 */
export const escaladeRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const service = ctx.escalade;
    await app.register(multipart, {
      limits: { fileSize: ctx.config.uploadMaxBytes, files: 1, fields: 2, fieldSize: 1000, parts: 3 },
    });

    const refused = (_request: FastifyRequest, reply: FastifyReply, e: unknown) => {
      if (!(e instanceof DomainError)) throw e;
      return htmlReply(
        reply,
        statusOf(e.code),
        messagePage(e.code === 'not_found' ? 'Page introuvable' : 'Demande incorrecte', e.message),
      );
    };
    const invalidForm = (request: FastifyRequest) =>
      request.validationError
        ? new DomainError(
            'invalid',
            'Un champ du formulaire est trop long ou mal formé : rien n’a été enregistré.',
          )
        : null;

    // --------------------------------------------------------------- lists and pilotage

    app.get(
      '/espace/escalade',
      { schema: { hide: true, querystring: Notice }, preHandler: requireUser, ...FORM },
      async (request, reply) => {
        const user = userOf(request);
        const p = user.principal;
        const side = sideOf(p);
        if (!side) {
          if (mayEver(p, 'dossier.counts'))
            return reply.redirect(
              p.role === 'animateur_departemental' && p.departement
                ? `/espace/escalade/suivi?departement=${p.departement}`
                : '/espace/escalade/suivi',
              303,
            );
          return refused(
            request,
            reply,
            new DomainError('not_found', 'Cette page ne fait pas partie de votre périmètre.'),
          );
        }
        const digest = side === 'referent' ? ((await digestOf(ctx, p.id)) ?? null) : null;
        return htmlReply(
          reply,
          200,
          dossiersPage({
            user,
            csrf: csrfField(ctx, request, reply),
            rows: await service.list(p),
            side,
            notice:
              request.query?.message === 'preferences'
                ? 'Votre choix de rappels est enregistré.'
                : noticeOf(request.query?.message),
            digest,
          }),
        );
      },
    );

    app.post(
      '/espace/escalade/preferences',
      {
        schema: { hide: true, body: Type.Object({ _csrf: optionalText(200), digest: optionalText(5) }) },
        preHandler: requireUser,
        ...FORM,
      },
      async (request, reply) => {
        const p = userOf(request).principal;
        if (p.role !== 'referent_partenaire' || request.validationError)
          return refused(
            request,
            reply,
            new DomainError('not_found', 'Cette page ne fait pas partie de votre périmètre.'),
          );
        await setPartnerDigest(ctx, p, request.body.digest === 'oui');
        return reply.redirect('/espace/escalade?message=preferences', 303);
      },
    );

    app.get(
      '/espace/escalade/suivi',
      {
        schema: { hide: true, querystring: Type.Object({ departement: optionalText(10) }) },
        preHandler: requireUser,
        ...FORM,
      },
      async (request, reply) => {
        const p = userOf(request).principal;
        const raw = request.validationError ? '?' : (request.query.departement ?? '').trim().toUpperCase();
        const departement = raw === '' ? null : raw;
        try {
          if (departement !== null && !isCodeDepartement(departement))
            throw new DomainError(
              'not_found',
              'Cette page n’existe pas, ou ne fait pas partie de votre périmètre.',
            );
          const [counts, missing] = await Promise.all([
            service.counts(p, departement),
            missingReferents(ctx, p, departement),
          ]);
          return htmlReply(
            reply,
            200,
            countsPage({
              user: userOf(request),
              csrf: csrfField(ctx, request, reply),
              departement,
              counts,
              missing,
              mayFigures: mayEver(p, 'dossier.figures'),
            }),
          );
        } catch (e) {
          return refused(request, reply, e);
        }
      },
    );

    app.get(
      '/espace/escalade/chiffres',
      { schema: { hide: true, querystring: FiguresQuery }, preHandler: requireUser, ...FORM },
      async (request, reply) => {
        const p = userOf(request).principal;
        const today = localDate(ctx.clock.now(), METROPOLITAN_ZONE);
        const yearAgo = localDate(new Date(ctx.clock.now().getTime() - 365 * 86_400_000), METROPOLITAN_ZONE);
        const q = request.validationError ? {} : request.query;
        const day = (v: string | undefined, fallback: string) =>
          v && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) ? v : fallback;
        const from = day(q.du, yearAgo);
        const to = day(q.au, today);
        const bad =
          !!request.validationError ||
          (q.du !== undefined && q.du !== '' && from !== q.du) ||
          (q.au !== undefined && q.au !== '' && to !== q.au);
        const partenaire = q.partenaire ? q.partenaire : null;
        try {
          const figures = await service.figures(p, {
            from: new Date(`${from}T00:00:00Z`),
            to: new Date(new Date(`${to}T00:00:00Z`).getTime() + 86_400_000),
            partenaire,
          });
          return htmlReply(
            reply,
            bad ? 400 : 200,
            figuresPage({
              user: userOf(request),
              csrf: csrfField(ctx, request, reply),
              from,
              to,
              partenaire: p.role === 'referent_partenaire' ? (p.partner?.partenaire ?? null) : partenaire,
              partnerFixed: p.role === 'referent_partenaire',
              figures,
              error: bad
                ? 'Date invalide (format attendu AAAA-MM-JJ) : la période par défaut est affichée.'
                : null,
            }),
          );
        } catch (e) {
          return refused(request, reply, e);
        }
      },
    );

    // --------------------------------------------------------------- référents

    const referentsDepartement = async (request: FastifyRequest, asked: string | undefined) => {
      const p = userOf(request).principal;
      const code = (asked ?? '').trim().toUpperCase();
      if (code && isCodeDepartement(code)) return code;
      if (p.departement) return p.departement;
      for (const s of await service.structuresFor(p)) return s.departement;
      return p.partner?.departements[0] ?? '75';
    };

    async function renderReferents(
      request: FastifyRequest,
      reply: FastifyReply,
      departement: string,
      status: number,
      extra: {
        notice?: string | null;
        error?: { field: string | null; message: string } | null;
        values?: Record<string, string | undefined>;
      } = {},
    ) {
      const p = userOf(request).principal;
      // An agent reads their own structure's department; the policy target is that structure.
      const structure = (await service.structuresFor(p)).find((s) => s.departement === departement);
      const partners = await referentsOfDepartment(ctx, p, {
        departement,
        structureId: structure?.id ?? null,
      });
      return htmlReply(
        reply,
        status,
        referentsPage({
          user: userOf(request),
          csrf: csrfField(ctx, request, reply),
          departement,
          partners,
          mayInvite: mayInviteReferents(p) && can(p, 'users.invite', { departement }),
          mayNameCoordinator: can(p, 'users.invite', {}) && mayInviteReferents(p),
          ...extra,
        }),
      );
    }

    app.get(
      '/espace/escalade/referents',
      {
        schema: {
          hide: true,
          querystring: Type.Object({ departement: optionalText(10), message: optionalText(20) }),
        },
        preHandler: requireUser,
        ...FORM,
      },
      async (request, reply) => {
        try {
          const q = request.validationError ? {} : request.query;
          return await renderReferents(
            request,
            reply,
            await referentsDepartement(request, q.departement),
            200,
            {
              notice:
                q.message === 'invite'
                  ? 'Invitation envoyée, si cette adresse n’avait pas déjà un compte.'
                  : null,
            },
          );
        } catch (e) {
          return refused(request, reply, e);
        }
      },
    );

    app.post(
      '/espace/escalade/referents',
      { schema: { hide: true, body: ReferentForm }, preHandler: requireUser, ...FORM },
      async (request, reply) => {
        const body = request.validationError ? {} : request.body;
        const departement = await referentsDepartement(request, body.departements?.split(/[\s,;]+/)[0]);
        try {
          const bad = invalidForm(request);
          if (bad) throw bad;
          await inviteReferent(ctx, actorOf(request), {
            email: body.email,
            partenaire: body.partenaire,
            departements: body.departements,
            coordinateur: body.coordinateur,
          });
          return reply.redirect(`/espace/escalade/referents?departement=${departement}&message=invite`, 303);
        } catch (e) {
          if (!(e instanceof DomainError) || e.code === 'not_found') return refused(request, reply, e);
          try {
            return await renderReferents(request, reply, departement, statusOf(e.code), {
              error: { field: e.field ?? null, message: e.message },
              values: { email: body.email, partenaire: body.partenaire, departements: body.departements },
            });
          } catch (inner) {
            return refused(request, reply, inner);
          }
        }
      },
    );

    // --------------------------------------------------------------- creation

    const renderNew = async (
      request: FastifyRequest,
      reply: FastifyReply,
      status: number,
      values: NewDossierValues,
      errors: { field: string | null; message: string }[] = [],
    ) => {
      const p = userOf(request).principal;
      const structures = await service.structuresFor(p);
      if (structures.length === 0)
        return refused(
          request,
          reply,
          new DomainError(
            'not_found',
            'Seuls les agents d’une France Services transmettent un dossier à un partenaire.',
          ),
        );
      return htmlReply(
        reply,
        status,
        newDossierPage({
          user: userOf(request),
          csrf: csrfField(ctx, request, reply),
          structures,
          values: { structure: structures[0]?.id, ...values },
          errors: errors.map((e) => ({ field: e.field ?? 'contenu', message: e.message })),
        }),
      );
    };

    app.get(
      '/espace/escalade/nouveau',
      {
        schema: {
          hide: true,
          querystring: Type.Object({ accompagnement: optionalText(64), structure: optionalText(64) }),
        },
        preHandler: requireUser,
        ...FORM,
      },
      async (request, reply) => {
        const q = request.validationError ? {} : request.query;
        const source = q.accompagnement
          ? await ctx.accompagnement.escaladeSource(userOf(request).principal, q.accompagnement)
          : null;
        return renderNew(request, reply, 200, {
          structure: source?.structureId ?? q.structure,
          accompagnement: source?.id,
          partenaire: source?.partenaire,
        });
      },
    );

    app.post(
      '/espace/escalade/nouveau',
      { schema: { hide: true, body: NewForm }, preHandler: requireUser, ...FORM },
      async (request, reply) => {
        if (request.validationError)
          return renderNew(request, reply, 400, {}, [
            {
              field: null,
              message: 'Un champ du formulaire est trop long ou mal formé : rien n’a été transmis.',
            },
          ]);
        const b = request.body;
        const actor = actorOf(request);
        try {
          const source = b.accompagnement
            ? await ctx.accompagnement.escaladeSource(actor.principal, b.accompagnement)
            : null;
          const created = await service.create(actor, {
            structureId: b.structure,
            accompagnementId: source?.id ?? null,
            partenaire: b.partenaire,
            nom: b.nom,
            prenom: b.prenom,
            dateNaissance: b.date_naissance,
            numeroPartenaire: b.numero_partenaire,
            objet: b.objet,
            message: b.message,
            consentement: b.consentement,
            consentVersion: b.consent_version,
          });
          return reply.redirect(`/espace/escalade/${created.id}?message=cree`, 303);
        } catch (e) {
          if (!(e instanceof DomainError)) throw e;
          const issues = (e as DomainError & { issues?: { field: string; message: string }[] }).issues ?? [
            { field: e.field ?? null, message: e.message },
          ];
          const { _csrf, ...values } = b;
          return renderNew(
            request,
            reply,
            statusOf(e.code),
            values,
            issues as { field: string | null; message: string }[],
          );
        }
      },
    );

    // --------------------------------------------------------------- one case

    const renderCase = async (
      request: FastifyRequest,
      reply: FastifyReply,
      id: string,
      status: number,
      extra: {
        notice?: string | null;
        error?: { form: FormName; field: string | null; message: string } | null;
        values?: { message?: string; note?: string };
      } = {},
    ) => {
      try {
        const view = await service.view(userOf(request).principal, id);
        return htmlReply(
          reply,
          status,
          dossierPage({ user: userOf(request), csrf: csrfField(ctx, request, reply), view, ...extra }),
        );
      } catch (e) {
        return refused(request, reply, e);
      }
    };

    app.get(
      '/espace/escalade/:id',
      { schema: { hide: true, params: IdParam, querystring: Notice }, preHandler: requireUser, ...FORM },
      async (request, reply) =>
        renderCase(request, reply, request.params.id, 200, {
          notice: request.validationError ? null : noticeOf(request.query?.message),
        }),
    );

    /** A write on a case: done, then back to the page; a refusal re-renders it with the error at its form. */
    const caseWrite = async (
      request: FastifyRequest,
      reply: FastifyReply,
      id: string,
      form: FormName,
      work: () => Promise<void>,
      values?: { message?: string; note?: string },
    ) => {
      try {
        const bad = invalidForm(request);
        if (bad) throw bad;
        await work();
        return reply.redirect(
          `/espace/escalade/${id}?message=${form === 'reassigner' ? 'reassigne' : form}#contenu`,
          303,
        );
      } catch (e) {
        if (!(e instanceof DomainError) || e.code === 'not_found') return refused(request, reply, e);
        if (form === 'reassigner' && e.code !== 'conflict' && e.code !== 'invalid')
          return refused(request, reply, e);
        return renderCase(request, reply, id, statusOf(e.code), {
          error: { form, field: e.field ?? null, message: e.message },
          values,
        });
      }
    };

    app.post(
      '/espace/escalade/:id/messages',
      { schema: { hide: true, params: IdParam, body: MessageForm }, preHandler: requireUser, ...FORM },
      async (request, reply) =>
        caseWrite(
          request,
          reply,
          request.params.id,
          'message',
          () => service.addMessage(actorOf(request), request.params.id, request.body?.message),
          { message: request.body?.message },
        ),
    );

    app.post(
      '/espace/escalade/:id/notes',
      { schema: { hide: true, params: IdParam, body: NoteForm }, preHandler: requireUser, ...FORM },
      async (request, reply) =>
        caseWrite(
          request,
          reply,
          request.params.id,
          'note',
          () => service.addNote(actorOf(request), request.params.id, request.body?.note),
          { note: request.body?.note },
        ),
    );

    app.post(
      '/espace/escalade/:id/statut',
      { schema: { hide: true, params: IdParam, body: StatusForm }, preHandler: requireUser, ...FORM },
      async (request, reply) =>
        caseWrite(request, reply, request.params.id, 'statut', () =>
          service.changeStatus(
            actorOf(request),
            request.params.id,
            request.body?.statut,
            request.body?.version,
          ),
        ),
    );

    app.post(
      '/espace/escalade/:id/reassigner',
      { schema: { hide: true, params: IdParam, body: ReassignForm }, preHandler: requireUser, ...FORM },
      async (request, reply) => {
        try {
          const bad = invalidForm(request);
          if (bad) throw bad;
          await service.reassign(actorOf(request), request.params.id, {
            partenaire: request.body.partenaire,
            departement: request.body.departement,
            version: request.body.version,
          });
          // The case has left the référent's scope: back to their list.
          return reply.redirect('/espace/escalade?message=reassigne', 303);
        } catch (e) {
          if (!(e instanceof DomainError) || e.code === 'not_found') return refused(request, reply, e);
          return renderCase(request, reply, request.params.id, statusOf(e.code), {
            error: { form: 'reassigner', field: e.field ?? null, message: e.message },
          });
        }
      },
    );

    app.post(
      '/espace/escalade/:id/pieces',
      { schema: { hide: true, params: IdParam }, preHandler: requireUser, config: { csrf: 'multipart' } },
      async (request, reply) => {
        const id = request.params.id;
        let file: Awaited<ReturnType<typeof request.file>> | undefined;
        try {
          file = await request.file();
        } catch {
          file = undefined;
        }
        // The token is the form's first field (never in the URL): checked before reading the file.
        if (!multipartCsrfValid(request, reply, file?.fields as Record<string, unknown> | undefined)) return;
        return caseWrite(request, reply, id, 'piece', async () => {
          if (!file) throw new DomainError('invalid', 'Choisissez un fichier à joindre.', 'file');
          let bytes: Buffer;
          try {
            bytes = await file.toBuffer();
          } catch {
            const mo = Math.round((ctx.config.uploadMaxBytes / 1048576) * 10) / 10;
            throw new DomainError('too_large', `Fichier trop volumineux : ${mo} Mo au plus.`, 'file');
          }
          await service.upload(actorOf(request), id, bytes, file.filename);
        });
      },
    );

    app.get(
      '/espace/escalade/:id/pieces/:piece',
      { schema: { hide: true, params: PieceParam }, preHandler: requireUser },
      async (request, reply) => {
        try {
          const { row, bytes } = await service.attachment(
            userOf(request).principal,
            request.params.id,
            request.params.piece,
          );
          return reply
            .type(row.mime)
            .header(
              'content-disposition',
              `attachment; filename="${encodeURIComponent(row.name)}"; filename*=UTF-8''${encodeURIComponent(row.name)}`,
            )
            .header('x-content-type-options', 'nosniff')
            .header('cache-control', 'private, no-store')
            .header('content-security-policy', "default-src 'none'; sandbox")
            .send(bytes);
        } catch (e) {
          return refused(request, reply, e);
        }
      },
    );
  };
