import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import type { AppContext } from '../../composition.js';
import type { Action } from '../../domain/accounts/policy.js';
import { WEEKDAYS, type Weekday } from '../../domain/directory/opening-hours.js';
import { DomainError } from '../../domain/shared/errors.js';
import { isCodeDepartement } from '../../domain/shared/insee.js';
import { inZone, localDate, METROPOLITAN_ZONE, timeZoneOf } from '../../domain/shared/time-zone.js';
import {
  answerStructureInvitation,
  inviteUser,
  pendingStructureInvitations,
  removeFromStructure,
  setUserActive,
} from '../../services/accounts/users.service.js';
import {
  changeStatus,
  departmentStructures,
  editStructure,
  loadScopedStructure,
  outboxMails,
  type StructureRow,
  scopedStructures,
  statusCounts,
  structureHistory,
  structureMembers,
  VersionConflict,
} from '../../services/backoffice/structure-admin.service.js';
import { html } from '../../web/html.js';
import type { FormError } from '../../web/views/accounts/forms.js';
import {
  agentsPage,
  departmentPage,
  homePage,
  invitePage,
  nationalPage,
  outboxPage,
  structureInvitationsPage,
} from '../../web/views/backoffice/dashboards.views.js';
import {
  type EditDraft,
  historyPage,
  structureEditPage,
} from '../../web/views/backoffice/structure.views.js';
import { messagePage } from '../../web/views/layout.js';
import { optionalText } from '../forms/fields.js';
import { statusOf } from '../plugins/errors.js';
import {
  actorOf,
  csrfField,
  requirePolicy,
  requireUser,
  structureTarget,
  userOf,
} from '../plugins/session.js';
import { badForm, htmlReply } from '../reply.js';

const Id = Type.Object({ id: Type.String({ maxLength: 100 }) });
const list = (max: number) => Type.Optional(Type.Array(Type.String({ maxLength: max }), { maxItems: 40 }));

const EditBody = Type.Object({
  version: optionalText(20),
  email: optionalText(300),
  telephone: optionalText(60),
  ...Object.fromEntries(WEEKDAYS.map((w) => [`hours_${w}`, optionalText(200)])),
  closure_from: list(20),
  closure_to: list(20),
  closure_message: list(600),
  partners: list(40),
  appointment: optionalText(10),
  comment: optionalText(1100),
  description: optionalText(2100),
});
type EditBodyT = Record<string, string | string[] | undefined>;

const MESSAGES: Record<string, string> = {
  bienvenue: 'Votre compte est prêt. Bienvenue dans l’espace France Services.',
  'mot-de-passe': 'Votre nouveau mot de passe est enregistré.',
};

function draftOf(b: EditBodyT): EditDraft {
  const arr = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const from = arr(b.closure_from);
  const to = arr(b.closure_to);
  const message = arr(b.closure_message);
  return {
    email: one(b.email) ?? '',
    telephone: one(b.telephone) ?? '',
    hours: Object.fromEntries(WEEKDAYS.map((w) => [w, one(b[`hours_${w}`]) ?? ''])) as Record<
      Weekday,
      string
    >,
    closures: from.map((f, i) => ({ from: f, to: to[i] ?? '', message: message[i] ?? '' })),
    partners: arr(b.partners),
    appointment: one(b.appointment) === 'oui',
    comment: one(b.comment) ?? '',
    description: one(b.description) ?? '',
  };
}

const formError = (e: unknown): FormError => {
  if (e instanceof DomainError && e.code !== 'not_found')
    return { field: e.field ?? null, message: e.message };
  throw e;
};

const INVITATION_SENT =
  'Invitation envoyée. Si cette adresse a déjà un compte, la personne doit accepter l’invitation avant d’être rattachée.';

/** The structure back office under /espace: edit, status, history, agents, department and national views, outbox. */
export const backofficeRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const guard = (action: Action) => requirePolicy(ctx, action, structureTarget(ctx));

    type Shown = Omit<Parameters<typeof structureEditPage>[0], 'user' | 'csrf' | 'structure'>;

    /** The structure's edit page, as loaded, saved or refused (the one render of the edit and status forms). */
    const editPage = (
      request: FastifyRequest,
      reply: FastifyReply,
      status: number,
      structure: StructureRow,
      shown: Shown = {},
    ) =>
      htmlReply(
        reply,
        status,
        structureEditPage({
          user: userOf(request),
          csrf: csrfField(ctx, request, reply),
          structure,
          ...shown,
        }),
      );

    /**
     * A refused edit or status change, one answer for both forms: after a version conflict, the current
     * version (409) with the conflict message; otherwise the form again with its error, at the status the
     * errors plugin gives the code (a lost race or an out-of-scope structure still answers 404).
     */
    async function refused(
      request: FastifyRequest,
      reply: FastifyReply,
      id: string,
      e: unknown,
      action: 'structure.edit' | 'structure.set_status',
      form: (error: FormError) => Shown,
    ) {
      if (e instanceof VersionConflict)
        return editPage(request, reply, 409, e.current, { error: formError(e), conflict: true });
      const error = formError(e);
      const structure = await loadScopedStructure(ctx, actorOf(request), action, id);
      return editPage(request, reply, statusOf((e as DomainError).code), structure, form(error));
    }

    app.get(
      '/espace',
      {
        schema: { hide: true, querystring: Type.Object({ message: optionalText(40) }) },
        preHandler: requireUser,
        attachValidation: true,
      },
      async (request, reply) => {
        const user = userOf(request);
        const structures =
          user.principal.role === 'agent' ||
          user.principal.role === 'responsable' ||
          user.principal.role === 'auditeur'
            ? await scopedStructures(ctx, user.principal, 'structure.read_private', 200)
            : [];
        return htmlReply(
          reply,
          200,
          homePage({
            user,
            csrf: csrfField(ctx, request, reply),
            structures,
            message: MESSAGES[request.query?.message ?? ''] ?? null,
          }),
        );
      },
    );

    app.get(
      '/espace/structures/:id',
      { schema: { hide: true, params: Id }, preHandler: guard('structure.read_private') },
      async (request, reply) => {
        const structure = await loadScopedStructure(
          ctx,
          actorOf(request),
          'structure.read_private',
          request.params.id,
        );
        return editPage(request, reply, 200, structure);
      },
    );

    app.post(
      '/espace/structures/:id',
      {
        schema: { hide: true, params: Id, body: EditBody },
        preHandler: guard('structure.edit'),
        attachValidation: true,
      },
      async (request, reply) => {
        if (badForm(request, reply)) return;
        const b = request.body as EditBodyT;
        const draft = draftOf(b);
        try {
          const { structure, notices } = await editStructure(
            ctx,
            actorOf(request),
            request.params.id,
            b.version,
            {
              email: draft.email,
              telephone: draft.telephone,
              hours: draft.hours,
              closures: draft.closures,
              partners: draft.partners,
              appointment: draft.appointment,
              comment: draft.comment,
              description: draft.description,
            },
          );
          return editPage(request, reply, 200, structure, {
            notice: 'Les informations sont enregistrées et publiées.',
            notices,
          });
        } catch (e) {
          return refused(request, reply, request.params.id, e, 'structure.edit', (error) => ({
            draft,
            error,
          }));
        }
      },
    );

    app.post(
      '/espace/structures/:id/statut',
      {
        schema: {
          hide: true,
          params: Id,
          body: Type.Object({ version: optionalText(20), status: optionalText(40), until: optionalText(20) }),
        },
        preHandler: guard('structure.set_status'),
        attachValidation: true,
      },
      async (request, reply) => {
        if (badForm(request, reply)) return;
        try {
          const structure = await changeStatus(
            ctx,
            actorOf(request),
            request.params.id,
            request.body.version,
            {
              status: request.body.status,
              until: request.body.until,
            },
          );
          return editPage(request, reply, 200, structure, {
            notice: 'Le nouveau statut est enregistré et affiché au public.',
          });
        } catch (e) {
          return refused(request, reply, request.params.id, e, 'structure.set_status', (statusError) => ({
            statusError,
          }));
        }
      },
    );

    app.get(
      '/espace/structures/:id/historique',
      { schema: { hide: true, params: Id }, preHandler: guard('structure.history') },
      async (request, reply) => {
        const { structure, entries } = await structureHistory(ctx, actorOf(request), request.params.id);
        return htmlReply(
          reply,
          200,
          historyPage({ user: userOf(request), csrf: csrfField(ctx, request, reply), structure, entries }),
        );
      },
    );

    const agents = async (
      request: FastifyRequest,
      reply: FastifyReply,
      status: number,
      extra: { error?: FormError; message?: string; email?: string } = {},
    ) => {
      const id = (request.params as { id: string }).id;
      const structure = await loadScopedStructure(ctx, actorOf(request), 'agents.manage', id);
      const members = await structureMembers(ctx, structure.id);
      return htmlReply(
        reply,
        status,
        agentsPage({
          user: userOf(request),
          csrf: csrfField(ctx, request, reply),
          structure,
          members,
          ...extra,
        }),
      );
    };

    app.get(
      '/espace/structures/:id/agents',
      { schema: { hide: true, params: Id }, preHandler: guard('agents.manage') },
      async (request, reply) => agents(request, reply, 200),
    );

    app.post(
      '/espace/structures/:id/agents',
      {
        schema: {
          hide: true,
          params: Id,
          body: Type.Object({ email: optionalText(400), role: optionalText(40) }),
        },
        preHandler: guard('agents.manage'),
        attachValidation: true,
      },
      async (request, reply) => {
        if (badForm(request, reply)) return;
        const structure = await loadScopedStructure(
          ctx,
          actorOf(request),
          'agents.manage',
          request.params.id,
        );
        try {
          await inviteUser(ctx, actorOf(request), {
            email: request.body.email,
            role: request.body.role,
            structureId: structure.id,
          });
          // The same words whether or not the address has an account (finding 9).
          return agents(request, reply, 200, { message: INVITATION_SENT });
        } catch (e) {
          return agents(request, reply, 400, { error: formError(e), email: request.body.email });
        }
      },
    );

    // `retirer` takes someone off this structure; `desactiver` / `reactiver` act on the whole
    // account and are for the national roles only (finding 1), checked again by the service.
    app.post(
      '/espace/structures/:id/agents/:userId/:op',
      {
        schema: {
          hide: true,
          params: Type.Object({
            id: Type.String({ maxLength: 100 }),
            userId: Type.String({ format: 'uuid' }),
            op: Type.Union([Type.Literal('retirer'), Type.Literal('desactiver'), Type.Literal('reactiver')]),
          }),
        },
        preHandler: guard('agents.manage'),
      },
      async (request, reply) => {
        const structure = await loadScopedStructure(
          ctx,
          actorOf(request),
          'agents.manage',
          request.params.id,
        );
        const members = await structureMembers(ctx, structure.id);
        if (!members.some((m) => m.id === request.params.userId))
          throw new DomainError('not_found', 'Personne introuvable dans cette structure.');
        const op = request.params.op;
        try {
          if (op === 'retirer')
            await removeFromStructure(
              ctx,
              actorOf(request),
              { structureId: structure.id, departement: structure.departement },
              request.params.userId,
            );
          else await setUserActive(ctx, actorOf(request), request.params.userId, op === 'reactiver');
        } catch (e) {
          return agents(request, reply, e instanceof DomainError && e.code === 'forbidden' ? 403 : 400, {
            error: formError(e),
          });
        }
        return agents(request, reply, 200, {
          message:
            op === 'retirer'
              ? 'La personne ne fait plus partie de la structure. Son compte reste actif.'
              : op === 'reactiver'
                ? 'Compte réactivé.'
                : 'Compte désactivé : ses sessions sont fermées.',
        });
      },
    );

    // An existing account invited to a structure accepts or declines it here, signed in as itself.
    app.get(
      '/espace/rattachements',
      { schema: { hide: true }, preHandler: requireUser },
      async (request, reply) =>
        htmlReply(
          reply,
          200,
          structureInvitationsPage({
            user: userOf(request),
            csrf: csrfField(ctx, request, reply),
            invitations: await pendingStructureInvitations(ctx, userOf(request).principal.id),
          }),
        ),
    );

    app.post(
      '/espace/rattachements/:invitation/:answer',
      {
        schema: {
          hide: true,
          params: Type.Object({
            invitation: Type.String({ format: 'uuid' }),
            answer: Type.Union([Type.Literal('accepter'), Type.Literal('refuser')]),
          }),
        },
        preHandler: requireUser,
      },
      async (request, reply) => {
        const accept = request.params.answer === 'accepter';
        let message: string | null = null;
        let error: FormError | null = null;
        try {
          await answerStructureInvitation(ctx, actorOf(request), request.params.invitation, accept);
          message = accept ? 'Vous faites maintenant partie de la structure.' : 'Invitation refusée.';
        } catch (e) {
          error = formError(e);
        }
        return htmlReply(
          reply,
          error ? 404 : 200,
          structureInvitationsPage({
            user: userOf(request),
            csrf: csrfField(ctx, request, reply),
            invitations: await pendingStructureInvitations(ctx, userOf(request).principal.id),
            message,
            error,
          }),
        );
      },
    );

    app.get(
      '/espace/departements',
      {
        schema: { hide: true, querystring: Type.Object({ code: optionalText(10) }) },
        preHandler: requireUser,
        attachValidation: true,
      },
      async (request, reply) => {
        const code = request.validationError ? '' : (request.query.code ?? '').trim().toUpperCase();
        // An empty or unknown code used to redirect to `/espace/departements/`, which is this very route
        // again (trailing slashes are ignored): a redirect loop.
        if (!isCodeDepartement(code))
          return htmlReply(
            reply,
            400,
            messagePage(
              'Code de département inconnu',
              'Indiquez le code d’un département, par exemple 02, 2A ou 971.',
              html`<p><a class="fr-link" href="/espace">Retour à mon espace</a></p>`,
            ),
          );
        return reply.redirect(`/espace/departements/${encodeURIComponent(code)}`, 303);
      },
    );

    app.get(
      '/espace/departements/:code',
      {
        schema: { hide: true, params: Type.Object({ code: Type.String({ maxLength: 10 }) }) },
        preHandler: requirePolicy(ctx, 'department.dashboard', async (request) => {
          const code = (request.params as { code: string }).code.toUpperCase();
          return isCodeDepartement(code) ? { departement: code } : null;
        }),
      },
      async (request, reply) => {
        const code = request.params.code.toUpperCase();
        const now = ctx.clock.now();
        const zone = timeZoneOf(code);
        const staleBefore = inZone(now, zone).minus({ months: 6 }).toJSDate();
        const rows = (await departmentStructures(ctx, userOf(request).principal, code)).map((r) => {
          const reviewed = r.last_reviewed_at ? new Date(r.last_reviewed_at) : new Date(r.updated_at);
          return {
            ...r,
            last_reviewed_at: r.last_reviewed_at ? new Date(r.last_reviewed_at) : null,
            stale: reviewed < staleBefore,
          };
        });
        return htmlReply(
          reply,
          200,
          departmentPage({
            user: userOf(request),
            csrf: csrfField(ctx, request, reply),
            departement: code,
            rows,
            staleSince: localDate(staleBefore, zone),
          }),
        );
      },
    );

    app.get(
      '/espace/national',
      {
        schema: { hide: true, querystring: Type.Object({ date: optionalText(20) }) },
        preHandler: requirePolicy(ctx, 'national.dashboard'),
        attachValidation: true,
      },
      async (request, reply) => {
        // National figures: the day is the metropolitan one (docs/adr/0001-architecture.md, "Time").
        const today = localDate(ctx.clock.now(), METROPOLITAN_ZONE);
        const raw = request.validationError ? 'x' : (request.query.date ?? today);
        const day = DateTime.fromISO(raw, { zone: METROPOLITAN_ZONE });
        const valid = /^\d{4}-\d{2}-\d{2}$/.test(raw) && day.isValid && raw <= today && raw >= '2000-01-01';
        const date = valid ? raw : today;
        const endOfDay = valid && raw < today ? day.endOf('day').toJSDate() : ctx.clock.now();
        const counts = await statusCounts(ctx, endOfDay);
        return htmlReply(
          reply,
          valid ? 200 : 400,
          nationalPage({
            user: userOf(request),
            csrf: csrfField(ctx, request, reply),
            date,
            counts,
            error: valid
              ? null
              : 'Date invalide ou dans le futur : voici les chiffres d’aujourd’hui (format attendu AAAA-MM-JJ).',
          }),
        );
      },
    );

    app.get(
      '/espace/inviter',
      {
        schema: { hide: true },
        preHandler: requirePolicy(ctx, 'users.invite', async (r) => ({
          departement: r.user?.principal.departement ?? null,
        })),
      },
      async (request, reply) =>
        htmlReply(reply, 200, invitePage({ user: userOf(request), csrf: csrfField(ctx, request, reply) })),
    );

    app.post(
      '/espace/inviter',
      {
        schema: {
          hide: true,
          body: Type.Object({
            email: optionalText(400),
            role: optionalText(40),
            departement: optionalText(10),
          }),
        },
        preHandler: requirePolicy(ctx, 'users.invite', async (r) => ({
          departement: r.user?.principal.departement ?? null,
        })),
        attachValidation: true,
      },
      async (request, reply) => {
        if (badForm(request, reply)) return;
        try {
          await inviteUser(ctx, actorOf(request), {
            ...request.body,
            email: request.body.email,
            role: request.body.role,
          });
          return htmlReply(
            reply,
            200,
            invitePage({
              user: userOf(request),
              csrf: csrfField(ctx, request, reply),
              message: INVITATION_SENT,
            }),
          );
        } catch (e) {
          return htmlReply(
            reply,
            400,
            invitePage({ user: userOf(request), csrf: csrfField(ctx, request, reply), error: formError(e) }),
          );
        }
      },
    );

    app.get(
      '/espace/courriels',
      { schema: { hide: true }, preHandler: requirePolicy(ctx, 'outbox.read') },
      async (request, reply) =>
        htmlReply(
          reply,
          200,
          outboxPage({
            user: userOf(request),
            csrf: csrfField(ctx, request, reply),
            smtp: ctx.config.smtpUrl !== null,
            mails: await outboxMails(ctx),
          }),
        ),
    );
  };
