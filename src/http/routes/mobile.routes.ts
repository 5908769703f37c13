import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../composition.js';
import {
  DEFAULT_OCCURRENCE_PAGE,
  expandOccurrences,
  MAX_OCCURRENCE_PAGE,
  MAX_OCCURRENCE_RANGE_DAYS,
  type MobileData,
  type OccurrenceFilter,
  publishedOccurrence,
  toICalendar,
} from '../../domain/mobile/index.js';
import { invalid, notFound } from '../../domain/shared/errors.js';
import { localDate, timeZoneOf } from '../../domain/shared/time-zone.js';
import { posterPdf } from '../../services/mobile/poster.js';
import { communeExtra, communeSentence, passagesPage } from '../../web/views/mobile/mobile.view.js';
import { requireAdminToken } from '../plugins/admin-token.js';
import { RATE_BUDGETS } from '../plugins/rate-limit.js';

const ID = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
const ID_RE = new RegExp(ID);
const COMMUNE_RE = /^(\d{2}|2[AB])\d{3}$/;
const IdText = Type.String({ minLength: 1, maxLength: 70 });
const UnitParam = Type.Object({ unit: IdText });
const StopParam = Type.Object({ stop: IdText });
const CodeParam = Type.Object({ code: Type.String({ minLength: 1, maxLength: 10 }) });
const EntryParam = Type.Object({ entry: IdText });
const HhMm = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' });
const IsoDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });

const ExceptionBody = Type.Object(
  {
    date: IsoDate,
    action: Type.Union([Type.Literal('cancel'), Type.Literal('move'), Type.Literal('add')]),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
    to: Type.Optional(
      Type.Object({ date: IsoDate, start: HhMm, end: HhMm }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);

const OccurrenceJson = Type.Object({
  entry: Type.String(),
  stop: Type.String(),
  commune: Type.String(),
  start: Type.String(),
  end: Type.String(),
  status: Type.String(),
});

/**
 * France Services mobiles: public pages ("Prochains passages" per bus, stop and commune),
 * iCalendar feeds, the commune poster (PDF) and widget (iframe), and the staff JSON API
 * (for scripts, with the admin token; agents use the back office) to cancel, move or add a passage.
 */
export const mobileRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const service = ctx.mobile;
    const communeName = (code: string) => ctx.geography.communes.resolve(code)?.name ?? code;
    const htmlType = (reply: FastifyReply) =>
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache');
    const actor = (request: FastifyRequest) => ({ label: 'jeton d’administration (API)', ip: request.ip });

    const checkId = (value: string, what: string) => {
      if (!ID_RE.test(value)) throw notFound(`${what} introuvable.`);
    };
    const checkCommune = (code: string) => {
      const c = code.toUpperCase();
      if (!COMMUNE_RE.test(c))
        throw notFound('Commune introuvable : le code INSEE a cinq caractères (ex. 02361).');
      return c;
    };

    function feed(
      reply: FastifyReply,
      data: MobileData,
      filter: OccurrenceFilter,
      name: string,
      file: string,
    ) {
      const body = toICalendar(data, filter, {
        name,
        now: ctx.clock.now(),
        units: data.units,
        communeName,
        url: (e) => `${ctx.config.publicUrl}/mobile/stops/${encodeURIComponent(e.stop)}`,
      });
      return reply
        .type('text/calendar; charset=utf-8')
        .header('content-disposition', `inline; filename="${file}.ics"`)
        .header('cache-control', 'no-cache')
        .send(body);
    }

    // ---- Per bus: /mobile/<unit> and /mobile/<unit>.ics ----
    app.get('/mobile/:unit', { schema: { hide: true, params: UnitParam } }, async (request, reply) => {
      const raw = request.params.unit;
      const isFeed = raw.endsWith('.ics');
      const id = isFeed ? raw.slice(0, -4) : raw;
      checkId(id, 'Bus');
      const unit = await service.unit(id);
      if (!unit) throw notFound('Ce bus France Services est introuvable.');
      if (isFeed) return feed(reply, await service.schedule({ unit: id }), { unit: id }, unit.name, id);
      const { data, next, current } = await service.next({ unit: id }, 15);
      return htmlType(reply).send(
        passagesPage({
          title: `Prochains passages — ${unit.name}`,
          heading: `Prochains passages — ${unit.name}`,
          lead: `Arrêts : ${data.stops.map((s) => `${s.name} (${communeName(s.commune)})`).join(', ')}.`,
          data,
          next,
          ...(current ? { current } : {}),
          feedUrl: `/mobile/${encodeURIComponent(id)}.ics`,
          feedAddress: `${ctx.config.publicUrl}/mobile/${encodeURIComponent(id)}.ics`,
          communeName,
          breadcrumb: [{ label: 'Accueil', href: '/' }, { label: unit.name }],
        }),
      );
    });

    // ---- Per stop ----
    app.get('/mobile/stops/:stop', { schema: { hide: true, params: StopParam } }, async (request, reply) => {
      const raw = request.params.stop;
      const isFeed = raw.endsWith('.ics');
      const id = isFeed ? raw.slice(0, -4) : raw;
      checkId(id, 'Arrêt');
      const stop = await service.stop(id);
      if (!stop) throw notFound('Cet arrêt du bus France Services est introuvable.');
      const name = `${stop.name} (${communeName(stop.commune)})`;
      if (isFeed)
        return feed(
          reply,
          await service.schedule({ stop: id }),
          { stop: id },
          `Bus France Services — ${name}`,
          id,
        );
      const { data, next, current } = await service.next({ stop: id }, 12);
      const unit = data.units.find((u) => u.id === stop.unit);
      return htmlType(reply).send(
        passagesPage({
          title: `Prochains passages — ${name}`,
          heading: `Prochains passages à ${name}`,
          lead: `${stop.address}, ${communeName(stop.commune)}.${stop.accessNotes ? ` Accès : ${stop.accessNotes}` : ''}`,
          data,
          next,
          ...(current ? { current } : {}),
          feedUrl: `/mobile/stops/${encodeURIComponent(id)}.ics`,
          feedAddress: `${ctx.config.publicUrl}/mobile/stops/${encodeURIComponent(id)}.ics`,
          communeName,
          breadcrumb: [
            { label: 'Accueil', href: '/' },
            ...(unit ? [{ label: unit.name, href: `/mobile/${unit.id}` }] : []),
            { label: stop.name },
          ],
        }),
      );
    });

    // ---- Per commune ----
    const communeData = async (code: string) => {
      const c = checkCommune(code);
      const data = await service.schedule({ commune: c });
      if (data.stops.length === 0) {
        const known = ctx.geography.communes.resolve(c);
        throw notFound(
          known
            ? `Aucun bus France Services ne s’arrête à ${known.name} pour le moment.`
            : 'Commune introuvable : vérifiez le code INSEE.',
        );
      }
      return { code: c, name: communeName(c), data };
    };

    app.get(
      '/communes/:code/mobile',
      { schema: { hide: true, params: CodeParam } },
      async (request, reply) => {
        const raw = request.params.code;
        const { code, name } = await communeData(raw);
        const { data, next, current } = await service.next({ commune: code }, 15);
        return htmlType(reply).send(
          passagesPage({
            title: `Le bus France Services à ${name}`,
            heading: `Le bus France Services à ${name}`,
            lead: communeSentence(name, next, new Map(data.stops.map((s) => [s.id, s]))),
            data,
            next,
            ...(current ? { current } : {}),
            feedUrl: `/communes/${code}/mobile.ics`,
            feedAddress: `${ctx.config.publicUrl}/communes/${code}/mobile.ics`,
            communeName,
            extra: communeExtra(code, ctx.config.publicUrl),
            breadcrumb: [{ label: 'Accueil', href: '/' }, { label: name }],
          }),
        );
      },
    );

    app.get(
      '/communes/:code/mobile.ics',
      { schema: { hide: true, params: CodeParam }, config: { rateLimit: RATE_BUDGETS.calendar } },
      async (request, reply) => {
        const { code, name, data } = await communeData(request.params.code);
        return feed(
          reply,
          data,
          { commune: code },
          `Bus France Services à ${name}`,
          `bus-france-services-${code}`,
        );
      },
    );

    app.get(
      '/communes/:code/mobile/widget',
      { schema: { hide: true, params: CodeParam } },
      async (request, reply) => {
        const { code, name } = await communeData(request.params.code);
        const { data, next, current } = await service.next({ commune: code }, 6);
        // This route only may be framed, by any site.
        const csp = String(reply.getHeader('content-security-policy') ?? '');
        reply.header('content-security-policy', csp.replace(/frame-ancestors [^;]*/, 'frame-ancestors *'));
        reply.removeHeader('x-frame-options');
        return htmlType(reply).send(
          passagesPage({
            title: `Le bus France Services à ${name}`,
            heading: `Le bus France Services à ${name}`,
            lead: communeSentence(name, next, new Map(data.stops.map((s) => [s.id, s]))),
            data,
            next,
            ...(current ? { current } : {}),
            feedUrl: `/communes/${code}/mobile.ics`,
            feedAddress: `${ctx.config.publicUrl}/communes/${code}/mobile.ics`,
            communeName,
            embed: true,
            pageUrl: `${ctx.config.publicUrl}/communes/${code}/mobile`,
          }),
        );
      },
    );

    app.get(
      '/communes/:code/affiche.pdf',
      { schema: { hide: true, params: CodeParam }, config: { rateLimit: RATE_BUDGETS.pdf } },
      async (request, reply) => {
        const { code, name, data } = await communeData(request.params.code);
        const now = ctx.clock.now();
        const until = new Date(now.getTime() + 92 * 86_400_000);
        const zone = timeZoneOf(code);
        const passages = expandOccurrences(data, localDate(now, zone), localDate(until, zone), {
          commune: code,
        }).filter((o) => o.end.getTime() > now.getTime());
        const pdf = await posterPdf({
          communeName: name,
          communeCode: code,
          pageUrl: `${ctx.config.publicUrl}/communes/${code}/mobile`,
          passages,
          stops: new Map(data.stops.map((s) => [s.id, s])),
          generatedOn: now,
          unitNames: data.units.map((u) => u.name),
        });
        return reply
          .type('application/pdf')
          .header('content-disposition', `inline; filename="affiche-bus-france-services-${code}.pdf"`)
          .header('cache-control', 'no-cache')
          .send(pdf);
      },
    );

    // ---- JSON API ----
    app.get(
      '/api/v1/mobile/units/:unit/occurrences',
      {
        config: { rateLimit: RATE_BUDGETS.calendar },
        schema: {
          tags: ['mobiles'],
          summary:
            'Passages d’un bus entre deux dates (dates et heures locales de chaque arrêt, avec leur décalage UTC), paginés',
          description: `Période de ${MAX_OCCURRENCE_RANGE_DAYS} jours au plus (sinon 400, champ « to »). Au plus « limit » passages par page (${DEFAULT_OCCURRENCE_PAGE} par défaut, ${MAX_OCCURRENCE_PAGE} au plus), triés par début ; « next » est le curseur de la page suivante (null sur la dernière), aussi donné en lien dans l’en-tête Link (rel="next").`,
          params: UnitParam,
          querystring: Type.Object({
            from: IsoDate,
            to: IsoDate,
            limit: Type.Optional(
              Type.Integer({ minimum: 1, maximum: MAX_OCCURRENCE_PAGE, default: DEFAULT_OCCURRENCE_PAGE }),
            ),
            cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
          }),
          response: {
            200: Type.Object({
              items: Type.Array(OccurrenceJson),
              next: Type.Union([Type.String(), Type.Null()]),
            }),
          },
        },
      },
      async (request, reply) => {
        checkId(request.params.unit, 'Bus');
        const { from, to, limit, cursor } = request.query;
        const page = await service.occurrencesPage(request.params.unit, from, to, {
          ...(limit !== undefined ? { limit } : {}),
          ...(cursor !== undefined ? { cursor } : {}),
        });
        reply.header('cache-control', 'no-cache');
        if (page.next !== null) {
          const q = new URLSearchParams({ from, to, limit: String(limit ?? DEFAULT_OCCURRENCE_PAGE) });
          q.set('cursor', page.next);
          const unit = encodeURIComponent(request.params.unit);
          reply.header(
            'link',
            `<${ctx.config.publicUrl}/api/v1/mobile/units/${unit}/occurrences?${q}>; rel="next"`,
          );
        }
        return {
          items: page.items.map(publishedOccurrence),
          next: page.next,
        };
      },
    );

    app.post(
      '/api/v1/mobile/entries/:entry/exceptions',
      {
        preHandler: requireAdminToken(ctx.config),
        schema: {
          tags: ['mobiles'],
          summary: 'Annuler, déplacer ou ajouter un passage (jeton d’administration)',
          params: EntryParam,
          body: ExceptionBody,
        },
      },
      async (request, reply) => {
        checkId(request.params.entry, 'Entrée de tournée');
        const b = request.body;
        if (b.action === 'move' && !b.to)
          throw invalid('to', 'Un déplacement demande « to » : {date, start, end}.');
        const added = await service.addException(
          {
            entry: request.params.entry,
            date: b.date,
            action: b.action,
            ...(b.reason ? { reason: b.reason } : {}),
            ...(b.to ? { to: b.to } : {}),
          },
          actor(request),
        );
        ctx.locator.invalidate(); // the locator shows the change at once on this instance
        return reply.code(201).send({ exception: added });
      },
    );

    app.delete(
      '/api/v1/mobile/entries/:entry/exceptions/:date',
      {
        preHandler: requireAdminToken(ctx.config),
        schema: {
          tags: ['mobiles'],
          summary: 'Supprimer une exception (jeton d’administration)',
          params: Type.Object({ entry: Type.String({ minLength: 1, maxLength: 70 }), date: IsoDate }),
        },
      },
      async (request, reply) => {
        checkId(request.params.entry, 'Entrée de tournée');
        await service.removeException(request.params.entry, request.params.date, actor(request));
        ctx.locator.invalidate();
        return reply.code(204).send();
      },
    );

    app.post(
      '/api/v1/mobile/load',
      {
        preHandler: requireAdminToken(ctx.config),
        schema: {
          tags: ['mobiles'],
          summary:
            'Charger ou remplacer des tournées (document de docs/mobile-schema.md ; jeton d’administration)',
          querystring: Type.Object({ confirm: Type.Optional(Type.Boolean()) }),
        },
      },
      async (request) => {
        const report = await service.load(request.body, {
          confirm: request.query.confirm ?? false,
          actor: actor(request),
        });
        ctx.locator.invalidate();
        return report;
      },
    );
  };
