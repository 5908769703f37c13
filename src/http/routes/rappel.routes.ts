import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../composition.js';

import { rappelDueAt } from '../../domain/accompagnement/index.js';
import { DomainError, notFound } from '../../domain/shared/errors.js';
import type { CounterForm } from '../../services/accompagnement/accompagnement.service.js';
import type { InboxTab } from '../../services/accompagnement/rappel.service.js';
import {
  handlePage,
  inboxPage,
  type RappelValues,
  rappelConfirmationPage,
  rappelPage,
} from '../../web/views/accompagnement/rappel.views.js';
import { COUNTER_FIELDS } from '../forms/accompagnement.forms.js';
import { optionalText } from '../forms/fields.js';
import { RATE_BUDGETS } from '../plugins/rate-limit.js';
import { csrfField, requireUser, userOf } from '../plugins/session.js';
import { htmlReply } from '../reply.js';

/**
 * The public form. Bounds are generous on purpose (a 10 kB name reaches the domain and gets a French
 * message on its field, not a generic refusal); the body limit still caps the work.
 */
const RappelBody = Type.Object({
  _csrf: optionalText(200),
  nom: optionalText(20_000),
  telephone: optionalText(20_000),
  email: optionalText(20_000),
  partenaire: optionalText(200),
  description: optionalText(20_000),
  creneau: optionalText(200),
  site_web: optionalText(20_000),
});
const PublicParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const IdParam = Type.Object({ id: Type.String({ maxLength: 64 }) });
const InboxQuery = Type.Object({
  structure: Type.Optional(Type.String({ maxLength: 64 })),
  onglet: Type.Optional(
    Type.Union([
      Type.Literal('a_prendre'),
      Type.Literal('mes_demandes'),
      Type.Literal('en_cours'),
      Type.Literal('traitees'),
    ]),
  ),
  message: Type.Optional(Type.String({ maxLength: 20 })),
});
const VersionBody = Type.Object({ _csrf: optionalText(200), version: optionalText(12) });
/** Handling a request: the accompaniment form, and the request's version seen by the agent. */
const HandleBody = Type.Object({ ...COUNTER_FIELDS, version: optionalText(12) });

const NOTICES: Record<string, string> = {
  prise: 'La demande est à vous : elle est dans « Mes demandes ».',
  liberee: 'La demande est de retour dans « À prendre ».',
  traitee: 'Accompagnement enregistré, demande close.',
  sans_suite: 'Demande close sans suite.',
  delai: 'Délai de rappel enregistré.',
};

/** A domain refusal, as a page can show it; anything else is not ours to soften. */
const refusal = (e: unknown) => {
  if (e instanceof DomainError && (e.code === 'invalid' || e.code === 'conflict'))
    return { status: e.code === 'conflict' ? 409 : 400, field: e.field ?? null, message: e.message };
  throw e;
};

/**
 * Remote reception (issue 12, §3): "Être rappelé(e)" on the public structure pages, and the
 * structure's inbox in /espace/rappels.
 */
export const rappelRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const service = ctx.rappels;

    // ----------------------------------------------------------------- public

    app.get(
      '/structures/:id/rappel',
      { schema: { hide: true, params: PublicParams } },
      async (request, reply) => {
        const structure = await service.publicStructure(request.params.id);
        if (!structure)
          throw notFound('Cette France Services ne prend pas de demande de rappel en ce moment.');
        return htmlReply(
          reply,
          200,
          rappelPage({
            structure,
            csrf: csrfField(ctx, request, reply),
            delaiJours: await service.delaiOf(structure.id),
          }),
        );
      },
    );

    app.post(
      '/structures/:id/rappel',
      {
        schema: { hide: true, params: PublicParams, body: RappelBody },
        config: { rateLimit: RATE_BUDGETS.callback },
      },
      async (request, reply) => {
        const structure = await service.publicStructure(request.params.id);
        if (!structure)
          throw notFound('Cette France Services ne prend pas de demande de rappel en ce moment.');
        const delaiJours = await service.delaiOf(structure.id);
        const body = request.body;
        // A filled honeypot is a robot: it is told what a person would be told, and nothing is kept.
        if (body.site_web) {
          request.log.info({ structure: structure.idFs }, 'demande de rappel ignorée (champ piège rempli)');
          const dueAt = rappelDueAt(ctx.clock.now(), delaiJours, structure.commune);
          return htmlReply(reply, 200, rappelConfirmationPage({ structure, dueAt, by: 'telephone' }));
        }
        try {
          const done = await service.submit(structure.id, body);
          return reply.redirect(`/structures/${structure.id}/rappel/envoyee?demande=${done.id}`, 303);
        } catch (e) {
          const r = refusal(e);
          const values: RappelValues = {
            nom: body.nom?.slice(0, 200),
            telephone: body.telephone?.slice(0, 60),
            email: body.email?.slice(0, 300),
            partenaire: body.partenaire,
            description: body.description?.slice(0, 1000),
            creneau: body.creneau,
          };
          return htmlReply(
            reply,
            r.status,
            rappelPage({ structure, csrf: csrfField(ctx, request, reply), delaiJours, values, error: r }),
          );
        }
      },
    );

    app.get(
      '/structures/:id/rappel/envoyee',
      {
        schema: {
          hide: true,
          params: PublicParams,
          querystring: Type.Object({ demande: Type.String({ maxLength: 64 }) }),
        },
      },
      async (request, reply) => {
        const c = await service.confirmation(request.params.id, request.query.demande);
        if (!c) throw notFound('Demande introuvable ou trop ancienne.');
        return htmlReply(reply, 200, rappelConfirmationPage(c));
      },
    );

    // ----------------------------------------------------------------- the inbox

    async function renderInbox(
      request: FastifyRequest,
      reply: FastifyReply,
      structureId: string | undefined,
      tab: InboxTab,
      status: number,
      extra: { notice?: string | null; error?: string | null } = {},
    ) {
      const user = userOf(request);
      const inbox = await service.inbox(user.principal, structureId, tab);
      return htmlReply(
        reply,
        status,
        inboxPage({ user, csrf: csrfField(ctx, request, reply), inbox, ...extra }),
      );
    }

    app.get(
      '/espace/rappels',
      { schema: { hide: true, querystring: InboxQuery }, preHandler: requireUser },
      async (request, reply) =>
        renderInbox(request, reply, request.query.structure, request.query.onglet ?? 'a_prendre', 200, {
          notice: NOTICES[request.query.message ?? ''] ?? null,
        }),
    );

    const OPS = {
      prendre: { run: service.take.bind(service), notice: 'prise', tab: 'mes_demandes' },
      liberer: { run: service.release.bind(service), notice: 'liberee', tab: 'a_prendre' },
      'sans-suite': {
        run: service.closeWithoutFollowUp.bind(service),
        notice: 'sans_suite',
        tab: 'traitees',
      },
    } as const;

    app.post(
      '/espace/rappels/:id/:op',
      {
        schema: {
          hide: true,
          params: Type.Object({
            id: Type.String({ maxLength: 64 }),
            op: Type.Union([Type.Literal('prendre'), Type.Literal('liberer'), Type.Literal('sans-suite')]),
          }),
          body: VersionBody,
        },
        preHandler: requireUser,
      },
      async (request, reply) => {
        const user = userOf(request);
        const op = OPS[request.params.op];
        const { row } = await service.demande(user.principal, request.params.id);
        try {
          await op.run(user.principal, row.id, request.body.version);
        } catch (e) {
          const r = refusal(e);
          return renderInbox(request, reply, row.structure_id, 'a_prendre', r.status, { error: r.message });
        }
        return reply.redirect(
          `/espace/rappels?structure=${row.structure_id}&onglet=${op.tab}&message=${op.notice}`,
          303,
        );
      },
    );

    async function renderHandle(
      request: FastifyRequest,
      reply: FastifyReply,
      id: string,
      status: number,
      extra: { values?: CounterForm; error?: { field: string | null; message: string } | null } = {},
    ) {
      const user = userOf(request);
      const { row, structure } = await service.demande(user.principal, id);
      const values: CounterForm = extra.values ?? {
        partenaire: row.partenaire,
        canal: row.telephone ? 'telephone' : 'courriel',
        duree_min: '15',
        resultat: 'resolu',
      };
      return htmlReply(
        reply,
        status,
        handlePage({
          user,
          csrf: csrfField(ctx, request, reply),
          row,
          structure,
          demarches: await ctx.accompagnement.activeDemarches(),
          values,
          now: ctx.clock.now(),
          error: extra.error,
        }),
      );
    }

    app.get(
      '/espace/rappels/:id',
      { schema: { hide: true, params: IdParam }, preHandler: requireUser },
      async (request, reply) => renderHandle(request, reply, request.params.id, 200),
    );

    app.post(
      '/espace/rappels/:id/traiter',
      { schema: { hide: true, params: IdParam, body: HandleBody }, preHandler: requireUser },
      async (request, reply) => {
        const user = userOf(request);
        const { version, _csrf, ...form } = request.body;
        let row: Awaited<ReturnType<typeof service.handle>>;
        try {
          row = await service.handle(user.principal, request.params.id, version, form);
        } catch (e) {
          const r = refusal(e);
          return renderHandle(request, reply, request.params.id, r.status, { values: form, error: r });
        }
        return reply.redirect(
          `/espace/rappels?structure=${row.structure_id}&onglet=traitees&message=traitee`,
          303,
        );
      },
    );

    app.post(
      '/espace/rappels/delai',
      {
        schema: {
          hide: true,
          querystring: InboxQuery,
          body: Type.Object({ _csrf: optionalText(200), delai_jours: optionalText(40) }),
        },
        preHandler: requireUser,
      },
      async (request, reply) => {
        const user = userOf(request);
        try {
          await service.setDelai(user.principal, request.query.structure, request.body.delai_jours);
        } catch (e) {
          const r = refusal(e);
          return renderInbox(request, reply, request.query.structure, 'a_prendre', r.status, {
            error: r.message,
          });
        }
        const structureId = request.query.structure ?? user.principal.structureIds[0] ?? '';
        return reply.redirect(`/espace/rappels?structure=${structureId}&message=delai`, 303);
      },
    );
  };
