import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../composition.js';
import { NAME_MAX } from '../../domain/rendezvous/index.js';
import { DomainError } from '../../domain/shared/errors.js';
import { parseInstant } from '../../services/rendezvous/rendezvous.service.js';
import { messagePage } from '../../web/views/layout.js';
import {
  type ContactValues,
  contactPage,
  managePage,
  motifsPage,
  movePage,
  slotsPage,
} from '../../web/views/rendezvous/public.views.js';
import { optionalText } from '../forms/fields.js';
import { invalidForm, statusOf } from '../plugins/errors.js';
import { RATE_BUDGETS } from '../plugins/rate-limit.js';
import { csrfField } from '../plugins/session.js';
import { htmlReply } from '../reply.js';

const Ids = Type.Object({ id: Type.String({ maxLength: 64 }), motif: Type.String({ maxLength: 64 }) });
const Week = Type.Object({ semaine: optionalText(10) });
const TokenQuery = Type.Object({
  jeton: optionalText(200),
  semaine: optionalText(10),
  message: optionalText(20),
});
const ContactBody = Type.Object({
  _csrf: optionalText(200),
  debut: optionalText(40),
  // Bounded well above the domain's 100 characters, so that the domain gives the precise message.
  name: optionalText(NAME_MAX * 4),
  email: optionalText(320),
  phone: optionalText(40),
});
const TokenBody = Type.Object({
  _csrf: optionalText(200),
  jeton: optionalText(200),
  version: optionalText(12),
  debut: optionalText(40),
});

const NOTICES: Record<string, string> = {
  confirme:
    'Votre rendez-vous est confirmé. Un courriel de confirmation vous a été envoyé si vous avez donné une adresse.',
  deplace: 'Votre rendez-vous est déplacé. Un nouveau lien vous a été envoyé : l’ancien ne fonctionne plus.',
  annule: 'Votre rendez-vous est annulé.',
};

const asFormError = (e: unknown) => {
  if (e instanceof DomainError && e.code !== 'not_found' && e.code !== 'rate_limited') {
    return { field: e.field ?? null, message: e.message, status: statusOf(e.code) };
  }
  throw e;
};
const version = (v: string | undefined) => (v && /^\d{1,9}$/.test(v) ? Number(v) : undefined);

/** The public booking pages (issue 15): no account, no JavaScript. */
export const rendezvousRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const service = ctx.rendezvous;

    app.get(
      '/structures/:id/rendez-vous',
      { schema: { hide: true, params: Type.Object({ id: Type.String({ maxLength: 64 }) }) } },
      async (request, reply) => {
        const s = await service.structure(request.params.id);
        return htmlReply(reply, 200, motifsPage(s, await service.motifs(s.id, { onlineOnly: true })));
      },
    );

    app.get(
      '/structures/:id/rendez-vous/:motif',
      {
        schema: { hide: true, params: Ids, querystring: Week },
        config: { rateLimit: RATE_BUDGETS.calendar },
      },
      async (request, reply) => {
        const s = await service.structure(request.params.id);
        const motif = await service.motif(s.id, request.params.motif, { online: true });
        const { slots, week } = await service.week(s, motif, request.query.semaine);
        return htmlReply(
          reply,
          200,
          slotsPage({ structure: s, motif, zone: service.zoneOf(s), slots, week }),
        );
      },
    );

    async function contactForm(
      request: FastifyRequest,
      reply: FastifyReply,
      ids: { id: string; motif: string },
      debut: string | undefined,
      status: number,
      extra: { values?: ContactValues; error?: { field: string | null; message: string } | null } = {},
    ) {
      const s = await service.structure(ids.id);
      const motif = await service.motif(s.id, ids.motif, { online: true });
      let start: Date;
      try {
        start = parseInstant(debut ?? '', 'debut');
      } catch {
        return reply.redirect(`/structures/${s.id}/rendez-vous/${motif.id}`, 303);
      }
      return htmlReply(
        reply,
        status,
        contactPage({
          structure: s,
          motif,
          zone: service.zoneOf(s),
          start,
          csrf: csrfField(ctx, request, reply),
          ...extra,
        }),
      );
    }

    app.get(
      '/structures/:id/rendez-vous/:motif/reserver',
      { schema: { hide: true, params: Ids, querystring: Type.Object({ debut: optionalText(40) }) } },
      async (request, reply) => contactForm(request, reply, request.params, request.query.debut, 200),
    );

    app.post(
      '/structures/:id/rendez-vous/:motif/reserver',
      {
        schema: { hide: true, params: Ids, body: ContactBody },
        attachValidation: true,
        config: { rateLimit: RATE_BUDGETS.booking },
      },
      async (request, reply) => {
        const body = request.body ?? {};
        const values = { name: body.name, email: body.email, phone: body.phone };
        if (request.validationError) {
          const e = invalidForm(request.validationError);
          return contactForm(request, reply, request.params, body.debut, 400, {
            values,
            error: { field: e.field ?? null, message: e.message },
          });
        }
        try {
          const booked = await service.book({
            structureId: request.params.id,
            motifId: request.params.motif,
            start: body.debut ?? '',
            name: body.name,
            email: body.email,
            phone: body.phone,
          });
          return reply.redirect(
            `/rendez-vous/gerer?jeton=${encodeURIComponent(booked.token)}&message=confirme`,
            303,
          );
        } catch (e) {
          const error = asFormError(e);
          return contactForm(request, reply, request.params, body.debut, error.status, {
            values,
            error: { field: error.field === 'debut' ? 'start' : error.field, message: error.message },
          });
        }
      },
    );

    async function manage(
      request: FastifyRequest,
      reply: FastifyReply,
      token: string,
      status: number,
      extra: { notice?: string | null; error?: string | null } = {},
    ) {
      const m = await service.byToken(token);
      const start = new Date(m.booking.debut);
      return htmlReply(
        reply,
        status,
        managePage({
          structure: m.structure,
          motif: m.motif,
          zone: m.zone,
          status: m.booking.statut as never,
          start,
          version: m.booking.version,
          token,
          csrf: csrfField(ctx, request, reply),
          editable: m.booking.statut === 'confirme' && start.getTime() > ctx.clock.now().getTime(),
          ...extra,
        }),
      );
    }

    const linkRefused = (reply: FastifyReply, e: unknown) => {
      if (e instanceof DomainError && e.field === 'jeton') {
        return htmlReply(reply, statusOf(e.code), messagePage('Lien de rendez-vous', e.message));
      }
      throw e;
    };

    app.get(
      '/rendez-vous/gerer',
      { schema: { hide: true, querystring: TokenQuery }, config: { rateLimit: RATE_BUDGETS.calendar } },
      async (request, reply) => {
        try {
          return await manage(request, reply, request.query.jeton ?? '', 200, {
            notice: NOTICES[request.query.message ?? ''] ?? null,
          });
        } catch (e) {
          return linkRefused(reply, e);
        }
      },
    );

    app.post(
      '/rendez-vous/annuler',
      { schema: { hide: true, body: TokenBody }, config: { rateLimit: RATE_BUDGETS.calendar } },
      async (request, reply) => {
        const token = request.body.jeton ?? '';
        try {
          await service.cancelByToken(token, version(request.body.version));
        } catch (e) {
          if (e instanceof DomainError && e.code === 'conflict' && e.field !== 'jeton') {
            return manage(request, reply, token, 409, { error: e.message });
          }
          return linkRefused(reply, e);
        }
        return reply.redirect(`/rendez-vous/gerer?jeton=${encodeURIComponent(token)}&message=annule`, 303);
      },
    );

    async function move(
      request: FastifyRequest,
      reply: FastifyReply,
      token: string,
      semaine: string | undefined,
      status: number,
      error: string | null = null,
    ) {
      const m = await service.byToken(token);
      const editable = m.booking.statut === 'confirme' && new Date(m.booking.debut) > ctx.clock.now();
      if (!editable)
        return manage(request, reply, token, 409, { error: 'Ce rendez-vous ne peut plus être déplacé.' });
      const { slots, week } = await service.week(m.structure, m.motif, semaine);
      return htmlReply(
        reply,
        status,
        movePage({
          structure: m.structure,
          motif: m.motif,
          zone: m.zone,
          start: new Date(m.booking.debut),
          token,
          version: m.booking.version,
          slots,
          week,
          csrf: csrfField(ctx, request, reply),
          error,
        }),
      );
    }

    app.get(
      '/rendez-vous/deplacer',
      { schema: { hide: true, querystring: TokenQuery }, config: { rateLimit: RATE_BUDGETS.calendar } },
      async (request, reply) => {
        try {
          return await move(request, reply, request.query.jeton ?? '', request.query.semaine, 200);
        } catch (e) {
          return linkRefused(reply, e);
        }
      },
    );

    app.post(
      '/rendez-vous/deplacer',
      { schema: { hide: true, body: TokenBody }, config: { rateLimit: RATE_BUDGETS.booking } },
      async (request, reply) => {
        const token = request.body.jeton ?? '';
        try {
          const moved = await service.moveByToken(
            token,
            request.body.debut ?? '',
            version(request.body.version),
          );
          return reply.redirect(
            `/rendez-vous/gerer?jeton=${encodeURIComponent(moved.token)}&message=deplace`,
            303,
          );
        } catch (e) {
          if (
            e instanceof DomainError &&
            e.field !== 'jeton' &&
            (e.code === 'conflict' || e.code === 'invalid')
          ) {
            return move(request, reply, token, undefined, statusOf(e.code), e.message);
          }
          return linkRefused(reply, e);
        }
      },
    );
  };
