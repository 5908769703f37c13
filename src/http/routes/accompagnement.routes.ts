import { randomUUID } from 'node:crypto';
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../composition.js';
import { mayEver } from '../../domain/accounts/policy.js';
import { DomainError } from '../../domain/shared/errors.js';
import type { CounterForm } from '../../services/accompagnement/accompagnement.service.js';
import {
  cataloguePage,
  correctionPage,
  counterPage,
  structureRecordsPage,
  tokensPage,
} from '../../web/views/accompagnement/counter.views.js';
import { CounterBody } from '../forms/accompagnement.forms.js';
import { optionalText } from '../forms/fields.js';
import { csrfField, requireUser, userOf } from '../plugins/session.js';
import { htmlReply } from '../reply.js';

const StructureQuery = Type.Object({
  structure: Type.Optional(Type.String({ maxLength: 64 })),
  message: Type.Optional(Type.String({ maxLength: 20 })),
  avant: Type.Optional(Type.String({ maxLength: 80 })),
  // Pre-filled from an attended appointment (issue 15): /espace/accompagnements?partenaire=…&canal=…
  partenaire: optionalText(40),
  canal: optionalText(40),
  demarche: optionalText(64),
  duree_min: optionalText(12),
  heure: optionalText(8),
});
const IdParam = Type.Object({ id: Type.String({ maxLength: 64 }) });

const NOTICES: Record<string, string> = {
  enregistre: 'Accompagnement enregistré.',
  corrige: 'Correction enregistrée.',
  ajoutee: 'Démarche ajoutée au catalogue.',
  retiree: 'Démarche retirée : elle n’est plus proposée ; les accompagnements enregistrés la gardent.',
};
const DemarcheBody = Type.Object({
  _csrf: optionalText(200),
  code: optionalText(200),
  partenaire: optionalText(200),
  label: optionalText(1000),
  fiche: optionalText(200),
});

const fieldError = (e: unknown) => {
  if (e instanceof DomainError && e.code !== 'not_found')
    return {
      field: (e.field ?? '').replace(/^items\.\d+\./, ''),
      message: e.message.replace(/^Élément \d+ : /, ''),
    };
  throw e;
};

/** The counter form's values from the query of a link (an attended appointment), or none. */
const prefilled = (q: {
  partenaire?: string;
  canal?: string;
  demarche?: string;
  duree_min?: string;
  heure?: string;
}): CounterForm | undefined =>
  q.partenaire || q.canal || q.demarche
    ? {
        partenaire: q.partenaire,
        canal: q.canal,
        demarche: q.demarche,
        duree_min: q.duree_min,
        heure: q.heure,
      }
    : undefined;

/** /espace/accompagnements: the counter form, today's own records with correction, the manager's list, API tokens. */
export const accompagnementRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const service = ctx.accompagnement;

    async function renderCounter(
      request: FastifyRequest,
      reply: FastifyReply,
      structureId: string | undefined,
      status: number,
      extra: {
        error?: { field: string; message: string } | null;
        values?: CounterForm;
        notice?: string | null;
      } = {},
    ) {
      const user = userOf(request);
      const structure = await service.structureFor(user.principal, 'accompagnement.record', structureId);
      const [recent, demarches, today] = await Promise.all([
        service.recentChoices(user.principal, structure.id),
        service.activeDemarches(),
        service.todayOf(user.principal, structure.id),
      ]);
      return htmlReply(
        reply,
        status,
        counterPage({
          user,
          csrf: csrfField(ctx, request, reply),
          structure,
          // A fresh id per displayed form: a double submit of the same form records once.
          formId: extra.values?.id ?? randomUUID(),
          recent,
          demarches,
          today,
          canSeeAll: mayEver(user.principal, 'accompagnement.read'),
          ...extra,
        }),
      );
    }

    app.get(
      '/espace/accompagnements',
      { schema: { hide: true, querystring: StructureQuery }, preHandler: requireUser },
      async (request, reply) =>
        renderCounter(request, reply, request.query.structure, 200, {
          notice: NOTICES[request.query.message ?? ''] ?? null,
          values: prefilled(request.query),
        }),
    );

    app.post(
      '/espace/accompagnements',
      { schema: { hide: true, querystring: StructureQuery, body: CounterBody }, preHandler: requireUser },
      async (request, reply) => {
        const user = userOf(request);
        const structure = await service.structureFor(
          user.principal,
          'accompagnement.record',
          request.query.structure,
        );
        try {
          await service.recordFromForm(user.principal, structure.id, request.body);
        } catch (e) {
          return renderCounter(request, reply, structure.id, 400, {
            error: fieldError(e),
            values: request.body,
          });
        }
        return reply.redirect(`/espace/accompagnements?structure=${structure.id}&message=enregistre`, 303);
      },
    );

    async function renderCorrection(
      request: FastifyRequest,
      reply: FastifyReply,
      id: string,
      status: number,
      extra: { values?: CounterForm; error?: { field: string; message: string } | null } = {},
    ) {
      const user = userOf(request);
      const form = await service.correctionForm(user.principal, id);
      const row = form.row;
      const values: CounterForm = extra.values ?? form.values;
      return htmlReply(
        reply,
        status,
        correctionPage({
          user,
          csrf: csrfField(ctx, request, reply),
          row,
          demarches: await service.activeDemarches(),
          values,
          error: extra.error,
        }),
      );
    }

    app.get(
      '/espace/accompagnements/:id/corriger',
      { schema: { hide: true, params: IdParam }, preHandler: requireUser },
      async (request, reply) => renderCorrection(request, reply, request.params.id, 200),
    );

    app.post(
      '/espace/accompagnements/:id/corriger',
      { schema: { hide: true, params: IdParam, body: CounterBody }, preHandler: requireUser },
      async (request, reply) => {
        const user = userOf(request);
        try {
          await service.correctFromForm(user.principal, request.params.id, request.body);
        } catch (e) {
          return renderCorrection(request, reply, request.params.id, 400, {
            values: request.body,
            error: fieldError(e),
          });
        }
        return reply.redirect('/espace/accompagnements?message=corrige', 303);
      },
    );

    app.get(
      '/espace/accompagnements/structure',
      { schema: { hide: true, querystring: StructureQuery }, preHandler: requireUser },
      async (request, reply) => {
        const user = userOf(request);
        const structure = await service.structureFor(
          user.principal,
          'accompagnement.read',
          request.query.structure,
        );
        const page = await service.page(
          { kind: 'user', principal: user.principal },
          { limit: 100, cursor: request.query.avant, structureId: structure.id },
        );
        return htmlReply(
          reply,
          200,
          structureRecordsPage({
            user,
            csrf: csrfField(ctx, request, reply),
            structure,
            rows: page.rows,
            demarches: await service.activeDemarches(),
            next: page.next
              ? `/espace/accompagnements/structure?structure=${structure.id}&avant=${encodeURIComponent(page.next)}`
              : null,
          }),
        );
      },
    );

    async function renderTokens(
      request: FastifyRequest,
      reply: FastifyReply,
      structureId: string | undefined,
      status: number,
      extra: { created?: string | null; error?: string | null } = {},
    ) {
      const user = userOf(request);
      const structure = await service.structureFor(user.principal, 'accompagnement.tokens', structureId);
      const tokens = await service.tokens(user.principal, structure.id);
      return htmlReply(
        reply,
        status,
        tokensPage({ user, csrf: csrfField(ctx, request, reply), structure, tokens, ...extra }),
      );
    }

    app.get(
      '/espace/accompagnements/jetons',
      { schema: { hide: true, querystring: StructureQuery }, preHandler: requireUser },
      async (request, reply) => renderTokens(request, reply, request.query.structure, 200),
    );

    app.post(
      '/espace/accompagnements/jetons',
      {
        schema: {
          hide: true,
          querystring: StructureQuery,
          body: Type.Object({ _csrf: optionalText(200), label: Type.String({ maxLength: 200 }) }),
        },
        preHandler: requireUser,
      },
      async (request, reply) => {
        const user = userOf(request);
        const structure = await service.structureFor(
          user.principal,
          'accompagnement.tokens',
          request.query.structure,
        );
        try {
          const created = await service.createToken(user.principal, structure.id, request.body.label);
          return renderTokens(request, reply, structure.id, 201, { created });
        } catch (e) {
          return renderTokens(request, reply, structure.id, 400, { error: fieldError(e).message });
        }
      },
    );

    app.post(
      '/espace/accompagnements/jetons/:id/revoquer',
      { schema: { hide: true, params: IdParam, querystring: StructureQuery }, preHandler: requireUser },
      async (request, reply) => {
        const user = userOf(request);
        const structure = await service.structureFor(
          user.principal,
          'accompagnement.tokens',
          request.query.structure,
        );
        await service.revokeToken(user.principal, structure.id, request.params.id);
        return reply.redirect(`/espace/accompagnements/jetons?structure=${structure.id}`, 303);
      },
    );

    async function renderCatalogue(
      request: FastifyRequest,
      reply: FastifyReply,
      status: number,
      extra: Pick<Parameters<typeof cataloguePage>[0], 'values' | 'error' | 'notice'> = {},
    ) {
      const user = userOf(request);
      const rows = await service.catalogueFor(user.principal);
      return htmlReply(
        reply,
        status,
        cataloguePage({ user, csrf: csrfField(ctx, request, reply), rows, ...extra }),
      );
    }

    app.get(
      '/espace/accompagnements/demarches',
      { schema: { hide: true, querystring: StructureQuery }, preHandler: requireUser },
      async (request, reply) =>
        renderCatalogue(request, reply, 200, { notice: NOTICES[request.query.message ?? ''] ?? null }),
    );

    app.post(
      '/espace/accompagnements/demarches',
      { schema: { hide: true, body: DemarcheBody }, preHandler: requireUser },
      async (request, reply) => {
        const user = userOf(request);
        const { _csrf, fiche, ...rest } = request.body;
        try {
          await service.addDemarcheAs(user.principal, { ...rest, ficheId: fiche });
        } catch (e) {
          const error = fieldError(e);
          return renderCatalogue(
            request,
            reply,
            e instanceof DomainError && e.code === 'conflict' ? 409 : 400,
            {
              values: { ...rest, fiche },
              error,
            },
          );
        }
        return reply.redirect('/espace/accompagnements/demarches?message=ajoutee', 303);
      },
    );

    app.post(
      '/espace/accompagnements/demarches/retirer',
      {
        schema: {
          hide: true,
          body: Type.Object({ _csrf: optionalText(200), code: Type.String({ maxLength: 64 }) }),
        },
        preHandler: requireUser,
      },
      async (request, reply) => {
        const user = userOf(request);
        await service.retireDemarcheAs(user.principal, request.body.code);
        return reply.redirect('/espace/accompagnements/demarches?message=retiree', 303);
      },
    );
  };
