import multipart from '@fastify/multipart';
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../composition.js';
import {
  findApplication,
  findAudit,
  findDocument,
  isUuid,
} from '../../db/repositories/labelling.repository.js';
import { can, type Principal, type Target } from '../../domain/accounts/index.js';
import { WEEKDAYS } from '../../domain/directory/opening-hours.js';
import { PARTNERS } from '../../domain/directory/structure.js';
import { ACTIONS, type TransitionAction } from '../../domain/labelling/index.js';
import { DomainError } from '../../domain/shared/errors.js';
import { localDate, timeZoneOf } from '../../domain/shared/time-zone.js';
import { LabellingService } from '../../services/labelling/labelling.service.js';
import { auditReportPdf, certificatePdf } from '../../services/labelling/pdf.js';
import { html, type SafeHtml } from '../../web/html.js';
import { alert, BASE } from '../../web/views/labelling/common.js';
import { conflictNotice, gridPage } from '../../web/views/labelling/grid.js';
import {
  applicationFormPage,
  followUpPage,
  homePage,
  monitoringPage,
  pipelinePage,
  referentielPage,
} from '../../web/views/labelling/pages.js';
import { messagePage } from '../../web/views/layout.js';
import {
  actorOf,
  csrfField,
  csrfToken,
  multipartCsrfValid,
  requirePolicy,
  requireUser,
} from '../plugins/session.js';

const Id = Type.Object({ id: Type.String({ maxLength: 64 }) });
const FormBody = Type.Record(Type.String({ maxLength: 80 }), Type.Unknown());
type Form = Record<string, unknown>;

const htmlReply = (reply: FastifyReply, status: number, body: string) =>
  reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

const STATUS: Record<string, number> = {
  invalid: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported: 415,
};

/** A refused form post: a French page (or JSON for the grid island), with a way back. Nothing was saved. */
function refused(request: FastifyRequest, reply: FastifyReply, e: unknown, back: string) {
  if (!(e instanceof DomainError)) throw e;
  const status = STATUS[e.code] ?? 400;
  if ((request.headers.accept ?? '').includes('application/json')) {
    return reply.code(status).send({ error: e.code, field: e.field ?? null, message: e.message });
  }
  return htmlReply(
    reply,
    status,
    messagePage(
      'Demande refusée',
      `${e.message} Rien n’a été enregistré.`,
      html`<p><a class="fr-btn" href="${back}">Revenir</a></p>`,
    ),
  );
}

const str = (v: unknown, max = 2000): string => {
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s.slice(0, max) : '';
};

/** The application form's flat fields, to the nested content the domain parses. */
function contentFromForm(b: Form): Record<string, unknown> {
  const hours: Record<string, string> = {};
  for (const d of WEEKDAYS) hours[d] = str(b[`hours_${d}`], 200);
  const agents = [];
  for (let i = 0; i < 20; i++) {
    if (!(`agent_name_${i}` in b)) continue;
    agents.push({ name: str(b[`agent_name_${i}`], 200), trainedOn: str(b[`agent_trained_${i}`], 20) });
  }
  const referents: Record<string, string> = {};
  for (const p of PARTNERS) referents[p] = str(b[`referent_${p}`], 200);
  const stops = str(b.mobile_stops, 10);
  const dates = str(b.mobile_dates, 10);
  const published = str(b.mobile_published, 5) === '1';
  return {
    porteurKind: str(b.porteurKind, 40) || null,
    porteurName: str(b.porteurName, 400),
    structureName: str(b.structureName, 400),
    format: str(b.format, 40) || 'fixe',
    idFs: str(b.idFs, 60),
    address: str(b.address, 400),
    codeInsee: str(b.codeInsee, 10),
    postalCode: str(b.postalCode, 10),
    communeName: str(b.communeName, 200),
    lat: str(b.lat, 30),
    lon: str(b.lon, 30),
    email: str(b.email, 300),
    telephone: str(b.telephone, 30),
    hours,
    agents,
    partners: PARTNERS.filter((p) => str(b[`partner_${p}`], 5) === '1'),
    referents,
    mobile:
      stops || dates || published ? { stops, calendarDates: dates, calendarPublished: published } : null,
  };
}

const principal = (request: FastifyRequest): Principal => {
  if (!request.user) throw new DomainError('unauthenticated', 'Connectez-vous.');
  return request.user.principal;
};

/**
 * Labellisation pages (issue 6), under /espace/labellisation. Each route declares one policy
 * (`requirePolicy`, docs/adr/0002-accounts.md) on the target it reads; the service checks again the
 * policy of the precise action (a transition's own policy) and scopes its queries.
 */
export const labellingRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const service = new LabellingService(ctx);
    await app.register(multipart, {
      limits: { fileSize: ctx.config.uploadMaxBytes, files: 1, fields: 10, fieldSize: 1000, parts: 12 },
    });

    const appTarget = async (request: FastifyRequest): Promise<Target | null> => {
      const a = await findApplication(ctx.db, (request.params as { id: string }).id);
      return a
        ? {
            departement: a.departement,
            ownerId: a.porteur_user_id,
            assignedTo: a.auditor_user_id ? [a.auditor_user_id] : [],
          }
        : null;
    };
    const auditTarget = async (request: FastifyRequest): Promise<Target | null> => {
      const audit = await findAudit(ctx.db, (request.params as { id: string }).id);
      if (!audit) return null;
      if (audit.application_id) {
        const a = await findApplication(ctx.db, audit.application_id);
        return {
          departement: a?.departement ?? null,
          ownerId: a?.porteur_user_id ?? null,
          assignedTo: [audit.auditor_user_id],
        };
      }
      const s = audit.structure_id
        ? await ctx.db
            .selectFrom('structures')
            .select('departement')
            .where('id', '=', audit.structure_id)
            .executeTakeFirst()
        : undefined;
      return { departement: s?.departement ?? null, assignedTo: [audit.auditor_user_id] };
    };
    const documentTarget = async (request: FastifyRequest): Promise<Target | null> => {
      const d = await findDocument(ctx.db, (request.params as { id: string }).id);
      if (!d) return null;
      const a = await findApplication(ctx.db, d.application_id);
      return a
        ? {
            departement: a.departement,
            ownerId: a.porteur_user_id,
            assignedTo: a.auditor_user_id ? [a.auditor_user_id] : [],
          }
        : null;
    };
    /** Department views: an animateur's own department; national anywhere. */
    const departementTarget = async (request: FastifyRequest): Promise<Target | null> => {
      const u = request.user?.principal;
      const q = (request.query as { departement?: string }).departement;
      return { departement: u?.role === 'animateur_departemental' ? u.departement : (q ?? null) };
    };
    const self = async (request: FastifyRequest): Promise<Target | null> => ({
      ownerId: request.user?.principal.id ?? null,
    });
    /** Today on the clock of a department (the user's or the application's; metropolitan otherwise). */
    const today = (departement?: string | null) => localDate(ctx.clock.now(), timeZoneOf(departement));

    // ----- home, référentiels ---------------------------------------------------------------

    app.get(BASE, { preHandler: requireUser, schema: { hide: true } }, async (request, reply) => {
      const user = principal(request);
      const [campaigns, applications, audits, referentiels] = await Promise.all([
        service.campaigns(),
        service.myApplications(user),
        service.auditsOf(user),
        service.referentiels(),
      ]);
      return htmlReply(
        reply,
        200,
        homePage({
          user,
          csrf: csrfField(ctx, request, reply),
          campaigns,
          applications,
          audits,
          referentiels,
          today: today(user.departement),
          can: {
            manage: can(user, 'campaign.manage'),
            file: can(user, 'application.file', { ownerId: user.id }),
            review: can(user, 'application.review', { departement: user.departement }),
            dashboard: can(user, 'department.dashboard', { departement: user.departement }),
          },
        }),
      );
    });

    app.get(
      `${BASE}/referentiels/:version`,
      {
        preHandler: requireUser,
        schema: { params: Type.Object({ version: Type.String({ maxLength: 40 }) }), hide: true },
      },
      async (request, reply) => {
        const user = principal(request);
        const publish = can(user, 'referentiel.publish') ? { csrf: csrfField(ctx, request, reply) } : null;
        return htmlReply(
          reply,
          200,
          referentielPage(await service.referentiel(request.params.version), publish),
        );
      },
    );

    app.post(
      `${BASE}/referentiels`,
      { preHandler: requirePolicy(ctx, 'referentiel.publish'), schema: { body: FormBody, hide: true } },
      async (request, reply) => {
        const b = request.body;
        const user = principal(request);
        try {
          let criteria: unknown;
          try {
            criteria = JSON.parse(str(b.criteria, 200_000));
          } catch {
            throw new DomainError('invalid', 'La liste des critères n’est pas un JSON valide.', 'criteria');
          }
          const ref = await service.publishReferentiel(user, {
            version: str(b.version, 20).trim(),
            title: str(b.title, 300),
            source: str(b.source, 1000),
            criteria: criteria as never,
          });
          return reply.redirect(`${BASE}/referentiels/${ref.version}`, 303);
        } catch (e) {
          if (!(e instanceof DomainError) || e.code !== 'invalid') return refused(request, reply, e, BASE);
          const latest = (await service.referentiels())[0];
          if (!latest) throw e;
          const message = `${e.field ? `${e.field} : ` : ''}${e.message}`;
          return htmlReply(
            reply,
            400,
            referentielPage(latest, { csrf: csrfField(ctx, request, reply) }, message),
          );
        }
      },
    );

    // ----- campaigns ------------------------------------------------------------------------

    app.post(
      `${BASE}/campagnes`,
      { preHandler: requirePolicy(ctx, 'campaign.manage'), schema: { body: FormBody, hide: true } },
      async (request, reply) => {
        const b = request.body;
        try {
          const c = await service.openCampaign(principal(request), {
            name: str(b.name, 300),
            opensOn: str(b.opensOn, 10),
            closesOn: str(b.closesOn, 10),
            departements: str(b.departements, 2000)
              .split(/[\s,;]+/)
              .filter(Boolean),
            referentielVersion: str(b.referentielVersion, 40),
          });
          return reply.redirect(`${BASE}/campagnes/${c.id}`, 303);
        } catch (e) {
          return refused(request, reply, e, BASE);
        }
      },
    );

    const pipelineQuery = Type.Object({
      departement: Type.Optional(Type.String({ maxLength: 3 })),
      etat: Type.Optional(Type.String({ maxLength: 40 })),
    });

    app.get(
      `${BASE}/campagnes/:id`,
      {
        preHandler: requirePolicy(ctx, 'application.review', departementTarget),
        schema: { params: Id, querystring: pipelineQuery, hide: true },
      },
      async (request, reply) => {
        const user = principal(request);
        const p = await service.pipeline(user, request.params.id, {
          departement: request.query.departement,
          state: request.query.etat,
        });
        const closed = (request.query as { cloturee?: string }).cloturee;
        return htmlReply(
          reply,
          200,
          pipelinePage({
            campaign: p.campaign,
            counts: p.counts,
            rows: p.rows,
            filter: { departement: p.departement, state: request.query.etat ?? null },
            lockedDepartement: user.role === 'animateur_departemental',
            canManage: can(user, 'campaign.manage'),
            csrf: csrfField(ctx, request, reply),
            message: closed ? alert('success', 'Campagne clôturée') : null,
          }),
        );
      },
    );

    app.get(
      `${BASE}/campagnes/:id/export.csv`,
      {
        preHandler: requirePolicy(ctx, 'application.review', departementTarget),
        schema: { params: Id, querystring: pipelineQuery, hide: true },
      },
      async (request, reply) => {
        const csv = await service.pipelineCsv(principal(request), request.params.id, {
          departement: request.query.departement,
          state: request.query.etat,
        });
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="candidatures.csv"')
          .header('cache-control', 'no-store')
          .send(csv);
      },
    );

    app.post(
      `${BASE}/campagnes/:id/cloture`,
      {
        preHandler: requirePolicy(ctx, 'campaign.manage'),
        schema: { params: Id, body: FormBody, hide: true },
      },
      async (request, reply) => {
        try {
          await service.closeCampaign(principal(request), request.params.id);
          return reply.redirect(`${BASE}/campagnes/${request.params.id}?cloturee=1`, 303);
        } catch (e) {
          return refused(request, reply, e, `${BASE}/campagnes/${request.params.id}`);
        }
      },
    );

    // ----- applications ---------------------------------------------------------------------

    app.post(
      `${BASE}/campagnes/:id/candidatures`,
      {
        preHandler: requirePolicy(ctx, 'application.file', self),
        schema: { params: Id, body: FormBody, hide: true },
      },
      async (request, reply) => {
        try {
          const a = await service.createApplication(
            principal(request),
            request.params.id,
            str(request.body.departement, 5),
          );
          return reply.redirect(`${BASE}/candidatures/${a.id}/formulaire`, 303);
        } catch (e) {
          return refused(request, reply, e, BASE);
        }
      },
    );

    app.get(
      `${BASE}/candidatures/:id`,
      { preHandler: requirePolicy(ctx, 'audit.read', appTarget), schema: { params: Id, hide: true } },
      async (request, reply) => {
        const user = principal(request);
        const data = await service.followUp(user, request.params.id);
        const q = request.query as { ok?: string };
        const message: SafeHtml | null =
          q.ok === 'depot'
            ? alert('success', 'Pièce ajoutée')
            : q.ok
              ? alert('success', 'Étape enregistrée')
              : null;
        return htmlReply(
          reply,
          200,
          followUpPage({
            data,
            user,
            csrf: csrfField(ctx, request, reply),
            csrfToken: csrfToken(ctx, request, reply),
            auditors: data.available.some((a) => a.startsWith('planifier')) ? await service.auditors() : [],
            message,
            today: today(data.application.departement),
          }),
        );
      },
    );

    app.get(
      `${BASE}/candidatures/:id/formulaire`,
      { preHandler: requirePolicy(ctx, 'application.file', appTarget), schema: { params: Id, hide: true } },
      async (request, reply) => {
        const a = await service.application(principal(request), request.params.id);
        return htmlReply(reply, 200, applicationFormPage({ app: a, csrf: csrfField(ctx, request, reply) }));
      },
    );

    app.post(
      `${BASE}/candidatures/:id/formulaire`,
      {
        preHandler: requirePolicy(ctx, 'application.file', appTarget),
        schema: { params: Id, body: FormBody, hide: true },
      },
      async (request, reply) => {
        const user = principal(request);
        const version = Number(str(request.body.version, 12));
        try {
          await service.saveContent(user, request.params.id, contentFromForm(request.body), version);
          return reply.redirect(`${BASE}/candidatures/${request.params.id}`, 303);
        } catch (e) {
          if (!(e instanceof DomainError) || e.code !== 'invalid')
            return refused(request, reply, e, `${BASE}/candidatures/${request.params.id}/formulaire`);
          // Show the form again with what was typed and the French message: nothing is lost, nothing saved.
          const a = await service.application(user, request.params.id);
          const typed = { ...a, content: { ...a.content, ...(safeTyped(request.body) as object) } };
          return htmlReply(
            reply,
            400,
            applicationFormPage({
              app: typed as typeof a,
              csrf: csrfField(ctx, request, reply),
              error: e.message,
              field: e.field ?? null,
            }),
          );
        }
      },
    );

    const upload = async (
      request: FastifyRequest,
      reply: FastifyReply,
      applicationId: string,
      auditId: string | null,
      back: string,
    ) => {
      try {
        const file = await request.file().catch(() => undefined);
        // The token is the form's first field (never in the URL): checked before reading the file.
        if (!multipartCsrfValid(request, reply, file?.fields as Record<string, unknown> | undefined)) return;
        if (!file) throw new DomainError('invalid', 'Choisissez un fichier à envoyer.', 'file');
        let bytes: Buffer;
        try {
          bytes = await file.toBuffer();
        } catch {
          const mo = Math.round((ctx.config.uploadMaxBytes / 1048576) * 10) / 10;
          throw new DomainError('too_large', `Fichier trop volumineux : ${mo} Mo au plus.`, 'file');
        }
        const criterion = str((file.fields.criterion as { value?: unknown } | undefined)?.value, 10) || null;
        await service.uploadDocument(
          principal(request),
          applicationId,
          criterion,
          bytes,
          file.filename,
          auditId,
        );
        return reply.redirect(`${back}?ok=depot`, 303);
      } catch (e) {
        return refused(request, reply, e, back);
      }
    };

    app.post(
      `${BASE}/candidatures/:id/documents`,
      {
        preHandler: requirePolicy(ctx, 'application.file', appTarget),
        schema: { params: Id, hide: true },
        config: { csrf: 'multipart' },
      },
      async (request, reply) =>
        upload(request, reply, request.params.id, null, `${BASE}/candidatures/${request.params.id}`),
    );

    app.get(
      `${BASE}/documents/:id`,
      { preHandler: requirePolicy(ctx, 'audit.read', documentTarget), schema: { params: Id, hide: true } },
      async (request, reply) => {
        const { row, bytes } = await service.document(principal(request), request.params.id);
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
      },
    );

    app.post(
      `${BASE}/candidatures/:id/transition`,
      {
        preHandler: requirePolicy(ctx, 'audit.read', appTarget),
        schema: { params: Id, body: FormBody, hide: true },
      },
      async (request, reply) => {
        const b = request.body;
        const action = str(b.action, 40);
        const back = `${BASE}/candidatures/${request.params.id}`;
        try {
          if (!(ACTIONS as readonly string[]).includes(action))
            throw new DomainError('invalid', `Action « ${action} » inconnue.`, 'action');
          const version = str(b.version, 12);
          await service.transition(principal(request), request.params.id, action as TransitionAction, {
            reason: str(b.reason, 2000) || null,
            auditorUserId: str(b.auditorUserId, 64) || null,
            auditDate: str(b.auditDate, 10) || null,
            version: version ? Number(version) : undefined,
            actorLabel: actorOf(request).label,
            ip: request.ip,
          });
          return reply.redirect(`${back}?ok=${action}`, 303);
        } catch (e) {
          return refused(request, reply, e, back);
        }
      },
    );

    app.get(
      `${BASE}/candidatures/:id/certificat.pdf`,
      { preHandler: requirePolicy(ctx, 'audit.read', appTarget), schema: { params: Id, hide: true } },
      async (request, reply) => {
        const f = await service.followUp(principal(request), request.params.id);
        const a = f.application;
        if (a.state !== 'labellisee' || !a.labelledOn)
          throw new DomainError('not_found', 'Aucun certificat : la candidature n’est pas labellisée.');
        const s = await ctx.db
          .selectFrom('structures')
          .select(['id_fs'])
          .where('id', '=', a.structureId as string)
          .executeTakeFirst();
        const pdf = await certificatePdf({
          structureName: a.content.structureName,
          idFs: s?.id_fs ?? '',
          commune: a.content.communeName,
          departement: a.departement,
          labelledOn: a.labelledOn,
          campaign: f.campaign.name,
          referentiel: f.referentiel.version,
        });
        return reply
          .type('application/pdf')
          .header('content-disposition', 'inline; filename="certificat-france-services.pdf"')
          .send(pdf);
      },
    );

    // ----- audits ---------------------------------------------------------------------------

    const gridView = async (
      request: FastifyRequest,
      reply: FastifyReply,
      id: string,
      status = 200,
      message: SafeHtml | null = null,
    ) => {
      const user = principal(request);
      const audit = await service.audit(user, id);
      const criteria = await service.auditCriteria(audit);
      let structureName = '';
      if (audit.application_id)
        structureName = (await service.application(user, audit.application_id)).content.structureName;
      else if (audit.structure_id) {
        structureName =
          (
            await ctx.db
              .selectFrom('structures')
              .select('name')
              .where('id', '=', audit.structure_id)
              .executeTakeFirst()
          )?.name ?? '';
      }
      return htmlReply(
        reply,
        status,
        gridPage({
          audit,
          entries: audit.grid,
          criteria,
          csrf: csrfField(ctx, request, reply),
          csrfToken: csrfToken(ctx, request, reply),
          canFill: can(user, 'audit.fill', { assignedTo: [audit.auditor_user_id] }),
          structureName,
          message,
        }),
      );
    };

    app.get(
      `${BASE}/audits/:id`,
      { preHandler: requirePolicy(ctx, 'audit.read', auditTarget), schema: { params: Id, hide: true } },
      async (request, reply) => {
        const ok = (request.query as { ok?: string }).ok;
        return gridView(
          request,
          reply,
          request.params.id,
          200,
          ok ? alert('success', ok === 'depot' ? 'Pièce ajoutée' : 'Grille enregistrée') : null,
        );
      },
    );

    app.post(
      `${BASE}/audits/:id`,
      {
        preHandler: requirePolicy(ctx, 'audit.fill', auditTarget),
        schema: { params: Id, body: FormBody, hide: true },
      },
      async (request, reply) => {
        const b = request.body;
        const json = (request.headers.accept ?? '').includes('application/json');
        const user = principal(request);
        try {
          const audit = await service.audit(user, request.params.id);
          const changes = audit.grid
            .filter((e) => `verdict_${e.code}` in b || `comment_${e.code}` in b)
            // A field left out keeps its saved value (a radio cannot be unchecked; the island may send a part).
            .map((e) => ({
              code: e.code,
              verdict: `verdict_${e.code}` in b ? str(b[`verdict_${e.code}`], 40) || null : e.verdict,
              comment: `comment_${e.code}` in b ? str(b[`comment_${e.code}`], 5000) : e.comment,
            }));
          const saved = await service.saveGrid(user, audit.id, changes, Number(str(b.version, 12)));
          if (json) return reply.send({ version: saved.version });
          return reply.redirect(`${BASE}/audits/${audit.id}?ok=1`, 303);
        } catch (e) {
          if (!json && e instanceof DomainError && e.code === 'conflict')
            return gridView(request, reply, request.params.id, 409, conflictNotice());
          return refused(request, reply, e, `${BASE}/audits/${request.params.id}`);
        }
      },
    );

    app.post(
      `${BASE}/audits/:id/documents`,
      {
        preHandler: requirePolicy(ctx, 'audit.fill', auditTarget),
        schema: { params: Id, hide: true },
        config: { csrf: 'multipart' },
      },
      async (request, reply) => {
        const audit = await service.audit(principal(request), request.params.id);
        if (!audit.application_id) throw new DomainError('invalid', 'Cet audit n’accepte pas de pièces.');
        return upload(request, reply, audit.application_id, audit.id, `${BASE}/audits/${audit.id}`);
      },
    );

    app.post(
      `${BASE}/audits/:id/terminer`,
      {
        preHandler: requirePolicy(ctx, 'audit.fill', auditTarget),
        schema: { params: Id, body: FormBody, hide: true },
      },
      async (request, reply) => {
        try {
          const outcome = await service.completePeriodicAudit(principal(request), request.params.id);
          return reply.redirect(`${BASE}/audits/${request.params.id}?ok=${outcome}`, 303);
        } catch (e) {
          return refused(request, reply, e, `${BASE}/audits/${request.params.id}`);
        }
      },
    );

    app.get(
      `${BASE}/audits/:id/rapport.pdf`,
      { preHandler: requirePolicy(ctx, 'audit.read', auditTarget), schema: { params: Id, hide: true } },
      async (request, reply) => {
        const user = principal(request);
        const audit = await service.audit(user, request.params.id);
        const criteria = await service.auditCriteria(audit);
        const app = audit.application_id ? await service.followUp(user, audit.application_id) : null;
        const pdf = await auditReportPdf({
          structureName: app?.application.content.structureName ?? '',
          kind:
            audit.kind === 'contre_visite'
              ? 'Contre-visite'
              : audit.kind === 'periodique'
                ? 'Audit périodique'
                : 'Audit initial',
          plannedOn: audit.planned_on,
          completedOn: audit.completed_on,
          outcome: audit.outcome,
          referentiel: audit.referentiel_version,
          criteria,
          entries: audit.grid,
          actions: app?.actions ?? [],
        });
        return reply
          .type('application/pdf')
          .header('content-disposition', 'inline; filename="rapport-audit.pdf"')
          .send(pdf);
      },
    );

    // ----- department and nation views -------------------------------------------------------

    app.get(
      `${BASE}/suivi`,
      {
        preHandler: requirePolicy(ctx, 'department.dashboard', departementTarget),
        schema: {
          querystring: Type.Object({
            departement: Type.Optional(Type.String({ maxLength: 3 })),
            ok: Type.Optional(Type.String({ maxLength: 10 })),
          }),
          hide: true,
        },
      },
      async (request, reply) => {
        const user = principal(request);
        const dep = request.query.departement || null;
        const [failing, overdue, due] = await Promise.all([
          service.failingPrechecks(user, dep),
          service.overdueActions(user, dep),
          service.dueAudits(user, dep),
        ]);
        const canAssign = can(user, 'audit.assign');
        return htmlReply(
          reply,
          200,
          monitoringPage({
            departement: user.role === 'animateur_departemental' ? user.departement : dep,
            locked: user.role === 'animateur_departemental',
            failing,
            due,
            cycleMonths: ctx.config.auditCycleMonths,
            overdue,
            canAssign,
            auditors: canAssign ? await service.auditors() : [],
            csrf: csrfField(ctx, request, reply),
            message: request.query.ok ? alert('success', 'Audit périodique planifié') : null,
          }),
        );
      },
    );

    app.post(
      `${BASE}/structures/:id/audit-periodique`,
      { preHandler: requirePolicy(ctx, 'audit.assign'), schema: { params: Id, body: FormBody, hide: true } },
      async (request, reply) => {
        try {
          if (!isUuid(request.params.id)) throw new DomainError('not_found', 'Structure introuvable.');
          await service.schedulePeriodicAudit(
            principal(request),
            request.params.id,
            str(request.body.auditorUserId, 64),
            str(request.body.plannedOn, 10),
          );
          return reply.redirect(`${BASE}/suivi?ok=1`, 303);
        } catch (e) {
          return refused(request, reply, e, `${BASE}/suivi`);
        }
      },
    );
  };

/** What the porteur typed, for re-display after a refusal (strings only, as typed). */
function safeTyped(b: Form): Record<string, unknown> {
  const c = contentFromForm(b);
  return {
    ...c,
    idFs: c.idFs || null,
    lat: null,
    lon: null,
    agents: (c.agents as { name: string; trainedOn: string }[]).map((a) => ({
      name: a.name,
      trainedOn: a.trainedOn || null,
    })),
    mobile: null,
  };
}
