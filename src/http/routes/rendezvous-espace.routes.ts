import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../composition.js';
import { can } from '../../domain/accounts/policy.js';
import { addDays, mondayOfDate, NAME_MAX } from '../../domain/rendezvous/index.js';
import { DomainError } from '../../domain/shared/errors.js';
import { localDate, zonedInstant } from '../../domain/shared/time-zone.js';
import {
  agendaPage,
  configurationPage,
  counterBookingPage,
  motifEditPage,
  motifFormValues,
  statisticsPage,
} from '../../web/views/rendezvous/espace.views.js';
import { optionalText } from '../forms/fields.js';
import { invalidForm, statusOf } from '../plugins/errors.js';
import { csrfField, requireUser, userOf } from '../plugins/session.js';
import { htmlReply } from '../reply.js';

const StructureQuery = Type.Object({ structure: optionalText(64), message: optionalText(20) });
const AgendaQuery = Type.Object({
  structure: optionalText(64),
  agent: optionalText(64),
  vue: optionalText(10),
  jour: optionalText(10),
  message: optionalText(20),
});
const NewQuery = Type.Object({
  structure: optionalText(64),
  motif: optionalText(64),
  semaine: optionalText(10),
});
const Id = Type.Object({ id: Type.String({ maxLength: 64 }) });
const VersionBody = Type.Object({
  _csrf: optionalText(200),
  version: optionalText(12),
  statut: optionalText(20),
  actif: optionalText(5),
});
const BookBody = Type.Object({
  _csrf: optionalText(200),
  debut: optionalText(40),
  name: optionalText(NAME_MAX * 4),
  email: optionalText(320),
  phone: optionalText(40),
});
const MotifBody = Type.Object({
  _csrf: optionalText(200),
  version: optionalText(12),
  label: optionalText(500),
  durationMin: optionalText(12),
  channel: optionalText(20),
  partner: optionalText(40),
  demarche: optionalText(100),
  minNoticeMin: optionalText(12),
  maxNoticeDays: optionalText(12),
  bookableOnline: optionalText(5),
});
const PlageBody = Type.Object({
  _csrf: optionalText(200),
  agent: optionalText(64),
  weekday: optionalText(20),
  start: optionalText(8),
  end: optionalText(8),
  validFrom: optionalText(10),
  validUntil: optionalText(10),
  from: optionalText(20),
  to: optionalText(20),
  label: optionalText(200),
});

const NOTICES: Record<string, string> = {
  reserve: 'Rendez-vous réservé.',
  presence: 'Présence enregistrée.',
  annule: 'Rendez-vous annulé ; la personne en est informée si elle a donné une adresse.',
  motif: 'Motif enregistré.',
  motif_modifie: 'Motif modifié ; les rendez-vous déjà pris gardent leur horaire et leur durée.',
  plage: 'Plage enregistrée.',
  plage_supprimee: 'Plage supprimée.',
  absence: 'Absence enregistrée.',
  flux_revoque: 'Lien d’abonnement révoqué : il ne fonctionne plus.',
};
const version = (v: string | undefined) => (v && /^\d{1,9}$/.test(v) ? Number(v) : -1);
const formError = (e: unknown) => {
  if (e instanceof DomainError && e.code !== 'not_found')
    return { field: e.field ?? null, message: e.message, status: statusOf(e.code) };
  throw e;
};

/** /espace/rendez-vous: agenda, booking for someone, attendance, motifs and plages, private feed. */
export const rendezvousEspaceRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const service = ctx.rendezvous;

    async function renderAgenda(
      request: FastifyRequest,
      reply: FastifyReply,
      q: { structure?: string; agent?: string; vue?: string; jour?: string },
      status: number,
      extra: { notice?: string | null; error?: string | null; feedUrl?: string | null } = {},
    ) {
      const user = userOf(request);
      const s = await service.structureFor(user.principal, 'rendezvous.agenda', q.structure);
      const zone = service.zoneOf(s);
      const now = ctx.clock.now();
      const view = q.vue === 'semaine' ? 'semaine' : 'jour';
      const asked = q.jour && mondayOfDate(q.jour) ? q.jour : localDate(now, zone);
      const first = view === 'semaine' ? (mondayOfDate(asked) as string) : asked;
      const span = view === 'semaine' ? 7 : 1;
      const agents = await service.agents(s.id);
      const agentId = q.agent && agents.some((a) => a.id === q.agent) ? q.agent : null;
      const { rows } = await service.agenda(user.principal, s.id, {
        agentId: agentId ?? undefined,
        from: zonedInstant(first, '00:00', zone),
        to: zonedInstant(addDays(first, span), '00:00', zone),
      });
      const stats = can(user.principal, 'rendezvous.stats', { structureId: s.id, departement: s.departement })
        ? await service.attendanceStats(user.principal, s.id)
        : null;
      return htmlReply(
        reply,
        status,
        agendaPage({
          user,
          csrf: csrfField(ctx, request, reply),
          structure: s,
          zone,
          agents,
          agentId,
          view,
          day: first,
          previous: addDays(first, -span),
          next: addDays(first, span),
          rows: rows.map((r) => ({ ...r, debut: new Date(r.debut), fin: new Date(r.fin) })),
          now,
          notice: extra.notice,
          error: extra.error,
          stats: stats ? { ...stats, perMotif: stats.perMotif } : null,
          canConfigure: can(user.principal, 'rendezvous.configure', { structureId: s.id }),
          feed: { active: await service.hasFeed(user.principal), url: extra.feedUrl ?? null },
        }),
      );
    }

    app.get(
      '/espace/rendez-vous',
      { schema: { hide: true, querystring: AgendaQuery }, preHandler: requireUser },
      async (request, reply) =>
        renderAgenda(request, reply, request.query, 200, {
          notice: NOTICES[request.query.message ?? ''] ?? null,
        }),
    );

    app.post(
      '/espace/rendez-vous/:id/presence',
      { schema: { hide: true, params: Id, body: VersionBody }, preHandler: requireUser },
      async (request, reply) => {
        const user = userOf(request);
        try {
          const b = await service.setAttendance(
            user.principal,
            request.params.id,
            version(request.body.version),
            request.body.statut ?? '',
          );
          const zone = service.zoneOf(await service.structure(b.structure_id));
          return reply.redirect(
            `/espace/rendez-vous?structure=${b.structure_id}&jour=${localDate(new Date(b.debut), zone)}&message=presence`,
            303,
          );
        } catch (e) {
          const err = formError(e);
          return renderAgenda(request, reply, {}, err.status, { error: err.message });
        }
      },
    );

    app.post(
      '/espace/rendez-vous/:id/annuler',
      { schema: { hide: true, params: Id, body: VersionBody }, preHandler: requireUser },
      async (request, reply) => {
        const user = userOf(request);
        try {
          await service.cancelByAgent(user.principal, request.params.id, version(request.body.version));
        } catch (e) {
          const err = formError(e);
          return renderAgenda(request, reply, {}, err.status, { error: err.message });
        }
        return reply.redirect('/espace/rendez-vous?message=annule', 303);
      },
    );

    async function renderNew(
      request: FastifyRequest,
      reply: FastifyReply,
      q: { structure?: string; motif?: string; semaine?: string },
      status: number,
      extra: {
        values?: Record<string, string | undefined>;
        error?: { field: string | null; message: string } | null;
      } = {},
    ) {
      const user = userOf(request);
      const s = await service.structureFor(user.principal, 'rendezvous.agenda', q.structure);
      const motifs = await service.motifs(s.id, { activeOnly: true });
      const motif = motifs.find((m) => m.id === q.motif) ?? null;
      const zone = service.zoneOf(s);
      const semaine = q.semaine ?? (extra.values?.debut ? extra.values.debut.slice(0, 10) : undefined);
      const w = motif ? await service.week(s, motif, semaine, { ignoreNotice: true }) : null;
      return htmlReply(
        reply,
        status,
        counterBookingPage({
          user,
          csrf: csrfField(ctx, request, reply),
          structure: s,
          zone,
          motifs,
          motif,
          slots: w?.slots ?? [],
          week: w?.week ?? null,
          values: extra.values,
          error: extra.error,
        }),
      );
    }

    app.get(
      '/espace/rendez-vous/nouveau',
      { schema: { hide: true, querystring: NewQuery }, preHandler: requireUser },
      async (request, reply) => renderNew(request, reply, request.query, 200),
    );

    app.post(
      '/espace/rendez-vous/nouveau',
      {
        schema: { hide: true, querystring: NewQuery, body: BookBody },
        preHandler: requireUser,
        attachValidation: true,
      },
      async (request, reply) => {
        const user = userOf(request);
        const body = request.body ?? {};
        const values = { debut: body.debut, name: body.name, email: body.email, phone: body.phone };
        if (request.validationError) {
          const e = invalidForm(request.validationError);
          return renderNew(request, reply, request.query, 400, {
            values,
            error: { field: e.field ?? null, message: e.message },
          });
        }
        try {
          const s = await service.structureFor(user.principal, 'rendezvous.agenda', request.query.structure);
          if (!body.debut) throw new DomainError('invalid', 'Choisissez un créneau.', 'start');
          const booked = await service.book(
            {
              structureId: s.id,
              motifId: request.query.motif ?? '',
              start: body.debut,
              name: body.name,
              email: body.email,
              phone: body.phone,
            },
            { principal: user.principal },
          );
          return reply.redirect(
            `/espace/rendez-vous?structure=${s.id}&jour=${localDate(new Date(booked.booking.debut), booked.zone)}&message=reserve`,
            303,
          );
        } catch (e) {
          const err = formError(e);
          return renderNew(request, reply, request.query, err.status, {
            values,
            error: { field: err.field, message: err.message },
          });
        }
      },
    );

    async function renderConfiguration(
      request: FastifyRequest,
      reply: FastifyReply,
      structureId: string | undefined,
      status: number,
      extra: {
        notice?: string | null;
        error?: { field: string | null; message: string } | null;
        form?: 'motif' | 'plage' | 'absence' | null;
        values?: Record<string, string | undefined>;
      } = {},
    ) {
      const user = userOf(request);
      const s = await service.structureFor(user.principal, 'rendezvous.own_plages', structureId);
      const [motifs, plages, agents] = await Promise.all([
        service.motifs(s.id),
        service.plages(s.id),
        service.agents(s.id),
      ]);
      return htmlReply(
        reply,
        status,
        configurationPage({
          user,
          csrf: csrfField(ctx, request, reply),
          structure: s,
          canConfigure: can(user.principal, 'rendezvous.configure', { structureId: s.id }),
          motifs,
          plages,
          agents,
          ...extra,
          form: extra.form ?? null,
        }),
      );
    }

    app.get(
      '/espace/rendez-vous/configuration',
      { schema: { hide: true, querystring: StructureQuery }, preHandler: requireUser },
      async (request, reply) =>
        renderConfiguration(request, reply, request.query.structure, 200, {
          notice: NOTICES[request.query.message ?? ''] ?? null,
        }),
    );

    const configured = (reply: FastifyReply, structureId: string | undefined, message: string) =>
      reply.redirect(
        `/espace/rendez-vous/configuration?structure=${structureId ?? ''}&message=${message}`,
        303,
      );

    app.post(
      '/espace/rendez-vous/motifs',
      { schema: { hide: true, querystring: StructureQuery, body: MotifBody }, preHandler: requireUser },
      async (request, reply) => {
        const user = userOf(request);
        try {
          await service.createMotif(user.principal, request.query.structure ?? '', { ...request.body });
        } catch (e) {
          const err = formError(e);
          return renderConfiguration(request, reply, request.query.structure, err.status, {
            error: err,
            form: 'motif',
            values: request.body,
          });
        }
        return configured(reply, request.query.structure, 'motif');
      },
    );

    app.post(
      '/espace/rendez-vous/motifs/:id/etat',
      {
        schema: { hide: true, params: Id, querystring: StructureQuery, body: VersionBody },
        preHandler: requireUser,
      },
      async (request, reply) => {
        const user = userOf(request);
        try {
          const s = await service.structureFor(
            user.principal,
            'rendezvous.configure',
            request.query.structure,
          );
          const m = (await service.motifs(s.id)).find((x) => x.id === request.params.id);
          if (!m) throw new DomainError('not_found', 'Motif introuvable.');
          await service.updateMotif(
            user.principal,
            s.id,
            m.id,
            version(request.body.version),
            { ...m },
            request.body.actif === 'oui',
          );
        } catch (e) {
          const err = formError(e);
          return renderConfiguration(request, reply, request.query.structure, err.status, { error: err });
        }
        return configured(reply, request.query.structure, 'motif');
      },
    );

    app.get(
      '/espace/rendez-vous/statistiques',
      { schema: { hide: true, querystring: StructureQuery }, preHandler: requireUser },
      async (request, reply) => {
        const user = userOf(request);
        const overview = await service.attendanceByStructure(user.principal);
        const detail = request.query.structure
          ? await service.attendanceStats(user.principal, request.query.structure)
          : null;
        return htmlReply(
          reply,
          200,
          statisticsPage({
            user,
            csrf: csrfField(ctx, request, reply),
            days: overview.days,
            structures: overview.structures,
            detail: detail ? { structure: detail.structure, zone: detail.zone, stats: detail } : null,
          }),
        );
      },
    );

    app.get(
      '/espace/rendez-vous/motifs/:id/modifier',
      { schema: { hide: true, params: Id, querystring: StructureQuery }, preHandler: requireUser },
      async (request, reply) => {
        const user = userOf(request);
        const { structure, motif } = await service.motifToEdit(
          user.principal,
          request.query.structure,
          request.params.id,
        );
        return htmlReply(
          reply,
          200,
          motifEditPage({
            user,
            csrf: csrfField(ctx, request, reply),
            structure,
            motif,
            values: motifFormValues(motif),
          }),
        );
      },
    );

    app.post(
      '/espace/rendez-vous/motifs/:id/modifier',
      {
        schema: { hide: true, params: Id, querystring: StructureQuery, body: MotifBody },
        preHandler: requireUser,
        attachValidation: true,
      },
      async (request, reply) => {
        const user = userOf(request);
        const { structure, motif } = await service.motifToEdit(
          user.principal,
          request.query.structure,
          request.params.id,
        );
        const body = (request.body ?? {}) as Record<string, string | undefined>;
        // Shown back in the form, clipped (a 10 kB label is refused, not echoed whole). An unchecked box
        // sends nothing: the form then says "non" rather than falling back to "oui".
        const values: Record<string, string | undefined> = Object.fromEntries(
          Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v.slice(0, 200) : undefined]),
        );
        values.bookableOnline = body.bookableOnline === 'oui' ? 'oui' : 'non';
        const again = (
          status: number,
          error: { field: string | null; message: string },
          stored?: typeof motif,
        ) =>
          htmlReply(
            reply,
            status,
            motifEditPage({
              user,
              csrf: csrfField(ctx, request, reply),
              structure,
              motif,
              values,
              error,
              stored: stored ?? null,
            }),
          );
        if (request.validationError) {
          const e = invalidForm(request.validationError);
          return again(400, { field: e.field ?? null, message: e.message });
        }
        try {
          await service.updateMotif(
            user.principal,
            structure.id,
            motif.id,
            version(body.version),
            { ...body, bookableOnline: values.bookableOnline },
            motif.active,
          );
        } catch (e) {
          const err = formError(e);
          return again(err.status, err, err.status === 409 ? motif : undefined);
        }
        return configured(reply, structure.id, 'motif_modifie');
      },
    );

    app.post(
      '/espace/rendez-vous/plages',
      { schema: { hide: true, querystring: StructureQuery, body: PlageBody }, preHandler: requireUser },
      async (request, reply) => {
        const user = userOf(request);
        const b = request.body;
        try {
          await service.addPlage(user.principal, request.query.structure ?? '', b.agent ?? '', { ...b });
        } catch (e) {
          const err = formError(e);
          return renderConfiguration(request, reply, request.query.structure, err.status, {
            error: err,
            form: 'plage',
            values: b,
          });
        }
        return configured(reply, request.query.structure, 'plage');
      },
    );

    app.post(
      '/espace/rendez-vous/plages/:id/supprimer',
      {
        schema: { hide: true, params: Id, querystring: StructureQuery, body: VersionBody },
        preHandler: requireUser,
      },
      async (request, reply) => {
        await service.removePlage(
          userOf(request).principal,
          request.query.structure ?? '',
          request.params.id,
        );
        return configured(reply, request.query.structure, 'plage_supprimee');
      },
    );

    app.post(
      '/espace/rendez-vous/absences',
      { schema: { hide: true, querystring: StructureQuery, body: PlageBody }, preHandler: requireUser },
      async (request, reply) => {
        const user = userOf(request);
        const b = request.body;
        try {
          await service.addAbsence(user.principal, request.query.structure ?? '', b.agent ?? '', {
            from: b.from ?? '',
            to: b.to ?? '',
            label: b.label,
          });
        } catch (e) {
          const err = formError(e);
          return renderConfiguration(request, reply, request.query.structure, err.status, {
            error: err,
            form: 'absence',
            values: b,
          });
        }
        return configured(reply, request.query.structure, 'absence');
      },
    );

    app.post(
      '/espace/rendez-vous/flux',
      { schema: { hide: true, querystring: StructureQuery, body: VersionBody }, preHandler: requireUser },
      async (request, reply) => {
        const url = await service.createFeed(userOf(request).principal);
        return renderAgenda(request, reply, { structure: request.query.structure }, 200, {
          notice: 'Nouveau lien d’abonnement créé ; l’ancien, s’il existait, ne fonctionne plus.',
          feedUrl: url,
        });
      },
    );

    app.post(
      '/espace/rendez-vous/flux/revoquer',
      { schema: { hide: true, querystring: StructureQuery, body: VersionBody }, preHandler: requireUser },
      async (request, reply) => {
        await service.revokeFeed(userOf(request).principal);
        return reply.redirect(
          `/espace/rendez-vous?structure=${request.query.structure ?? ''}&message=flux_revoque`,
          303,
        );
      },
    );

    app.get(
      '/rendez-vous/agenda/:token',
      { schema: { hide: true, params: Type.Object({ token: Type.String({ maxLength: 120 }) }) } },
      async (request, reply) => {
        const token = request.params.token.replace(/\.ics$/, '');
        const body = await service.feed(token);
        return reply
          .type('text/calendar; charset=utf-8')
          .header('cache-control', 'private, no-store')
          .header('x-robots-tag', 'noindex')
          .send(body);
      },
    );
  };
