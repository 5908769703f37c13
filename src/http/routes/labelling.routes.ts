import multipart from '@fastify/multipart';
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../composition.js';
import { can, type Principal, type Target } from '../../domain/accounts/index.js';
import { ACTIONS, type TransitionAction } from '../../domain/labelling/index.js';
import { DomainError } from '../../domain/shared/errors.js';
import { localDate, timeZoneOf } from '../../domain/shared/time-zone.js';
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
  ApplicationForm,
  type ApplicationFormBody,
  CampaignForm,
  contentFromForm,
  departementsOf,
  EmptyForm,
  GridForm,
  type GridFormBody,
  gridChanges,
  NewApplicationForm,
  PeriodicAuditForm,
  ReferentielForm,
  safeTyped,
  TransitionForm,
  versionOf,
} from '../forms/labelling.forms.js';
import { invalidForm, statusOf } from '../plugins/errors.js';
import {
  actorOf,
  csrfField,
  csrfToken,
  multipartCsrfValid,
  requirePolicy,
  requireUser,
} from '../plugins/session.js';
import { htmlReply } from '../reply.js';

const Id = Type.Object({ id: Type.String({ maxLength: 64 }) });
/** Forms answer with their own French page (or JSON for the grid island), so validation is attached, not thrown. */
const FORM = { attachValidation: true } as const;

/** A form that failed its schema: the same French message as any refusal, nothing saved. */
function assertValidForm(request: FastifyRequest): void {
  if (request.validationError) throw invalidForm(request.validationError);
}

/** A refused form post: a French page (or JSON for the grid island), with a way back. Nothing was saved. */
function refused(request: FastifyRequest, reply: FastifyReply, e: unknown, back: string) {
  if (!(e instanceof DomainError)) throw e;
  const status = statusOf(e.code);
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
    const service = ctx.labelling;
    await app.register(multipart, {
      limits: { fileSize: ctx.config.uploadMaxBytes, files: 1, fields: 10, fieldSize: 1000, parts: 12 },
    });

    const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;
    const appTarget = (request: FastifyRequest) => service.targets.application(idOf(request));
    const auditTarget = (request: FastifyRequest) => service.targets.audit(idOf(request));
    const documentTarget = (request: FastifyRequest) => service.targets.document(idOf(request));
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
      const [campaigns, applications, audits, referentiels, filing] = await Promise.all([
        service.campaigns.campaigns(),
        service.applications.myApplications(user),
        service.audits.auditsOf(user),
        service.referentiels.referentiels(),
        service.applications.filingChoices(user),
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
          filing,
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
          referentielPage(await service.referentiels.referentiel(request.params.version), publish),
        );
      },
    );

    app.post(
      `${BASE}/referentiels`,
      {
        preHandler: requirePolicy(ctx, 'referentiel.publish'),
        schema: { body: ReferentielForm, hide: true },
        ...FORM,
      },
      async (request, reply) => {
        const b = request.body;
        const user = principal(request);
        try {
          assertValidForm(request);
          let criteria: unknown;
          try {
            criteria = JSON.parse(b.criteria ?? '');
          } catch {
            throw new DomainError('invalid', 'La liste des critères n’est pas un JSON valide.', 'criteria');
          }
          const ref = await service.referentiels.publishReferentiel(user, {
            version: (b.version ?? '').trim(),
            title: b.title ?? '',
            source: b.source ?? '',
            criteria: criteria as never,
          });
          return reply.redirect(`${BASE}/referentiels/${ref.version}`, 303);
        } catch (e) {
          if (!(e instanceof DomainError) || e.code !== 'invalid') return refused(request, reply, e, BASE);
          const latest = (await service.referentiels.referentiels())[0];
          if (!latest) return refused(request, reply, e, BASE);
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
      {
        preHandler: requirePolicy(ctx, 'campaign.manage'),
        schema: { body: CampaignForm, hide: true },
        ...FORM,
      },
      async (request, reply) => {
        const b = request.body;
        try {
          assertValidForm(request);
          const c = await service.campaigns.openCampaign(principal(request), {
            name: b.name ?? '',
            opensOn: b.opensOn ?? '',
            closesOn: b.closesOn ?? '',
            departements: departementsOf(b.departements),
            referentielVersion: b.referentielVersion ?? '',
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
        const p = await service.monitoring.pipeline(user, request.params.id, {
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
        const csv = await service.monitoring.pipelineCsv(principal(request), request.params.id, {
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
        schema: { params: Id, body: EmptyForm, hide: true },
      },
      async (request, reply) => {
        try {
          await service.campaigns.closeCampaign(principal(request), request.params.id);
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
        schema: { params: Id, body: NewApplicationForm, hide: true },
        ...FORM,
      },
      async (request, reply) => {
        try {
          assertValidForm(request);
          const a = await service.applications.createApplication(principal(request), request.params.id, {
            departement: request.body.departement ?? '',
            renewsStructureId: request.body.renouvellement || null,
          });
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
        const data = await service.applications.followUp(user, request.params.id);
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
            auditors: data.available.some((a) => a.startsWith('planifier'))
              ? await service.audits.auditors()
              : [],
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
        const a = await service.applications.application(principal(request), request.params.id);
        const renews = await service.applications.renewedStructure(a);
        return htmlReply(
          reply,
          200,
          applicationFormPage({ app: a, renews, csrf: csrfField(ctx, request, reply) }),
        );
      },
    );

    app.post(
      `${BASE}/candidatures/:id/formulaire`,
      {
        preHandler: requirePolicy(ctx, 'application.file', appTarget),
        schema: { params: Id, body: ApplicationForm, hide: true },
        ...FORM,
      },
      async (request, reply) => {
        const user = principal(request);
        const body = request.body as ApplicationFormBody;
        const version = Number(body.version ?? '');
        try {
          assertValidForm(request);
          await service.applications.saveContent(user, request.params.id, contentFromForm(body), version);
          return reply.redirect(`${BASE}/candidatures/${request.params.id}`, 303);
        } catch (e) {
          const badParams = request.validationError?.validationContext === 'params';
          if (!(e instanceof DomainError) || e.code !== 'invalid' || badParams)
            return refused(request, reply, e, `${BASE}/candidatures/${request.params.id}/formulaire`);
          // Show the form again with what was typed and the French message: nothing is lost, nothing saved.
          const a = await service.applications.application(user, request.params.id);
          const typed = { ...a, content: { ...a.content, ...(safeTyped(body) as object) } };
          return htmlReply(
            reply,
            400,
            applicationFormPage({
              app: typed as typeof a,
              renews: await service.applications.renewedStructure(a),
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
        const typed = (file.fields.criterion as { value?: unknown } | undefined)?.value;
        if (typed !== undefined && (typeof typed !== 'string' || typed.length > 10))
          throw new DomainError('invalid', 'Critère inconnu.', 'critere');
        const criterion = typed || null;
        await service.applications.uploadDocument(
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
        const { row, bytes } = await service.applications.document(principal(request), request.params.id);
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
        schema: { params: Id, body: TransitionForm, hide: true },
        ...FORM,
      },
      async (request, reply) => {
        const b = request.body;
        const action = b.action ?? '';
        const back = `${BASE}/candidatures/${request.params.id}`;
        try {
          assertValidForm(request);
          if (!(ACTIONS as readonly string[]).includes(action))
            throw new DomainError('invalid', `Action « ${action} » inconnue.`, 'action');
          await service.transitions.transition(
            principal(request),
            request.params.id,
            action as TransitionAction,
            {
              reason: b.reason || null,
              auditorUserId: b.auditorUserId || null,
              auditDate: b.auditDate || null,
              version: versionOf(b.version),
              actorLabel: actorOf(request).label,
              ip: request.ip,
            },
          );
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
        const pdf = await certificatePdf(
          await service.applications.certificate(principal(request), request.params.id),
        );
        return reply
          .type('application/pdf')
          .header('content-disposition', 'inline; filename="certificat-france-services.pdf"')
          .send(pdf);
      },
    );

    // ----- audits ---------------------------------------------------------------------------

    /** The audited application's structure, saying whether it is new or the renewal of which one (finding 2). */
    const applicationTitle = async (user: Principal, id: string) => {
      const a = await service.applications.application(user, id);
      const renews = await service.applications.renewedStructure(a);
      const nature = a.renewsStructureId
        ? `renouvellement de la structure n° ${renews?.idFs ?? '?'}`
        : 'nouvelle structure';
      return `${a.content.structureName} (${nature})`;
    };

    const gridView = async (
      request: FastifyRequest,
      reply: FastifyReply,
      id: string,
      status = 200,
      message: SafeHtml | null = null,
    ) => {
      const user = principal(request);
      const audit = await service.audits.audit(user, id);
      const criteria = await service.audits.auditCriteria(audit);
      const structureName = audit.application_id
        ? await applicationTitle(user, audit.application_id)
        : await service.audits.auditedStructureName(audit);
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
        schema: { params: Id, body: GridForm, hide: true },
        ...FORM,
      },
      async (request, reply) => {
        const b = request.body as GridFormBody;
        const json = (request.headers.accept ?? '').includes('application/json');
        const user = principal(request);
        try {
          assertValidForm(request);
          const audit = await service.audits.audit(user, request.params.id);
          const changes = gridChanges(audit.grid, b);
          const saved = await service.audits.saveGrid(user, audit.id, changes, Number(b.version ?? ''));
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
        const audit = await service.audits.audit(principal(request), request.params.id);
        if (!audit.application_id) throw new DomainError('invalid', 'Cet audit n’accepte pas de pièces.');
        return upload(request, reply, audit.application_id, audit.id, `${BASE}/audits/${audit.id}`);
      },
    );

    app.post(
      `${BASE}/audits/:id/terminer`,
      {
        preHandler: requirePolicy(ctx, 'audit.fill', auditTarget),
        schema: { params: Id, body: EmptyForm, hide: true },
      },
      async (request, reply) => {
        try {
          const outcome = await service.audits.completePeriodicAudit(principal(request), request.params.id);
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
        const audit = await service.audits.audit(user, request.params.id);
        const criteria = await service.audits.auditCriteria(audit);
        const app = audit.application_id
          ? await service.applications.followUp(user, audit.application_id)
          : null;
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
          service.monitoring.failingPrechecks(user, dep),
          service.monitoring.overdueActions(user, dep),
          service.monitoring.dueAudits(user, dep),
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
            auditors: canAssign ? await service.audits.auditors() : [],
            csrf: csrfField(ctx, request, reply),
            message: request.query.ok ? alert('success', 'Audit périodique planifié') : null,
          }),
        );
      },
    );

    app.post(
      `${BASE}/structures/:id/audit-periodique`,
      {
        preHandler: requirePolicy(ctx, 'audit.assign'),
        schema: { params: Id, body: PeriodicAuditForm, hide: true },
        ...FORM,
      },
      async (request, reply) => {
        try {
          assertValidForm(request);
          await service.audits.schedulePeriodicAudit(
            principal(request),
            request.params.id,
            request.body.auditorUserId ?? '',
            request.body.plannedOn ?? '',
          );
          return reply.redirect(`${BASE}/suivi?ok=1`, 303);
        } catch (e) {
          return refused(request, reply, e, `${BASE}/suivi`);
        }
      },
    );
  };
