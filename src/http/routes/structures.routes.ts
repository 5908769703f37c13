import { createHash } from 'node:crypto';
import {
  type FastifyPluginAsyncTypebox,
  type Static,
  type TSchema,
  Type,
} from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../composition.js';
import { describeStopOpening, type PublicOpening, publicOpening } from '../../domain/directory/locator.js';
import { describeOpeningState, formatDayHours, WEEKDAYS } from '../../domain/directory/opening-hours.js';
import { PARTNERS, type Structure } from '../../domain/directory/structure.js';
import { notFound } from '../../domain/shared/errors.js';
import { METROPOLITAN_ZONE, timeZoneOf, toLocalIso } from '../../domain/shared/time-zone.js';
import { EXPORT_FORMATS, exportStructuresCached } from '../../services/directory/export.service.js';
import type { StopHit } from '../../services/directory/locator.service.js';
import { RATE_BUDGETS } from '../plugins/rate-limit.js';

const ErrorBody = Type.Object(
  { error: Type.String(), field: Nullable(Type.String()), message: Type.String() },
  { description: 'Erreur : code, champ en cause, message en français.' },
);

/**
 * `T | null` as `type: [T, 'null']` rather than `anyOf`: the response serializer handles a type list directly,
 * while `anyOf` makes it validate each branch for every field of every item (measured: the larger part of a
 * nearest-10 response's cost).
 */
function Nullable<T extends TSchema>(schema: T) {
  return Type.Unsafe<Static<T> | null>({
    ...schema,
    type: [(schema as unknown as { type: string }).type, 'null'],
  });
}

const NotModified = Type.Null({ description: 'Non modifié (ETag)' });

const Opening = Type.Object({
  open: Type.Boolean(),
  label: Type.String({ description: 'Ex. « Ouvert maintenant · ferme à 17:00 »' }),
  closesAt: Nullable(Type.String()),
  opensAt: Nullable(Type.String()),
  remoteOnly: Type.Boolean({ description: 'Accueil à distance uniquement : téléphone et courriel' }),
  timeZone: Type.String({
    description: 'Fuseau horaire du lieu (IANA, ex. Indian/Reunion) : les heures sont en heure locale',
  }),
});

const StructureSummary = Type.Object({
  id: Type.String(),
  idFs: Type.String(),
  name: Type.String(),
  type: Type.String(),
  format: Type.String(),
  mobile: Type.Boolean(),
  address: Type.String(),
  addressComplement: Nullable(Type.String()),
  postalCode: Type.String(),
  commune: Type.String(),
  codeInsee: Type.String(),
  departement: Type.String(),
  lat: Nullable(Type.Number()),
  lon: Nullable(Type.Number()),
  emails: Type.Array(Type.String(), { description: 'Every published address, in order (often one)' }),
  telephones: Type.Array(Type.String(), { description: 'Every published number, in order (often one)' }),
  appointment: Type.Boolean({
    description:
      'Prise de rendez-vous déclarée dans la liste officielle (colonne prise_rdv), quel qu’en soit le moyen (téléphone, lien externe…)',
  }),
  partners: Type.Array(Type.String()),
  status: Type.String(),
  opening: Opening,
});

const StructureDetail = Type.Object({
  ...StructureSummary.properties,
  ...{
    group: Nullable(Type.String()),
    comment: Nullable(Type.String()),
    description: Nullable(Type.String()),
    hours: Type.Record(Type.String(), Type.String(), { description: 'Horaires par jour, format officiel' }),
    closures: Type.Array(Type.Object({ from: Type.String(), to: Type.String(), message: Type.String() })),
    labelledOn: Nullable(Type.String()),
    statusUntil: Nullable(Type.String()),
    updatedAt: Type.String(),
  },
});

const NearestQuery = Type.Object(
  {
    lat: Type.Number({ minimum: -90, maximum: 90, description: 'Latitude (WGS84)' }),
    lon: Type.Number({ minimum: -180, maximum: 180, description: 'Longitude (WGS84)' }),
    limit: Type.Integer({ minimum: 1, maximum: 50, default: 10 }),
    radiusKm: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000 })),
    openNow: Type.Optional(Type.Boolean()),
    partner: Type.Optional(Type.Union(PARTNERS.map((p) => Type.Literal(p)))),
    format: Type.Optional(Type.Union([Type.Literal('fixe'), Type.Literal('mobile')])),
    appointment: Type.Optional(
      Type.Boolean({
        description:
          'true : seulement les France Services où un créneau est libre à la réservation en ligne dans les 14 prochains jours (disponibilités réelles) ; false : les autres',
      }),
    ),
  },
  { additionalProperties: false },
);

const ListQuery = Type.Object(
  {
    department: Type.Optional(
      Type.String({ pattern: '^(0[1-9]|[1-8][0-9]|9[0-5]|2[ABab]|97[1-8]|98[4-9])$' }),
    ),
    commune: Type.Optional(Type.String({ pattern: '^([0-9]{2}|2[ABab])[0-9]{3}$' })),
    page: Type.Integer({ minimum: 1, maximum: 10_000, default: 1 }),
    perPage: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
);

const StopJson = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.String({ description: 'mairie, marché, place, centre commercial, autre' }),
  unit: Type.String({ description: 'Nom du bus' }),
  nextPassage: Nullable(Type.Object({ start: Type.String(), end: Type.String() })),
  url: Type.String(),
});

/** A stop answers like a structure (at the stop's place), with its bus's next passage. */
function stopFields(stop: StopHit, opening: PublicOpening, at: Date) {
  const zone = timeZoneOf(stop.codeInsee);
  return {
    kind: 'stop' as const,
    id: stop.id,
    name: `${stop.unitName} — ${stop.name}`,
    address: stop.address,
    addressComplement: null,
    codeInsee: stop.codeInsee,
    lat: stop.lat,
    lon: stop.lon,
    opening: { ...openingJson(opening, at), label: describeStopOpening(opening, at) },
    stop: {
      id: stop.id,
      name: stop.name,
      kind: stop.kind,
      unit: stop.unitName,
      nextPassage: stop.next
        ? { start: toLocalIso(stop.next.start, zone), end: toLocalIso(stop.next.end, zone) }
        : null,
      url: `/mobile/stops/${encodeURIComponent(stop.id)}`,
    },
  };
}

export function openingJson(opening: PublicOpening, at: Date): Static<typeof Opening> {
  const label = opening.closedByStatus
    ? 'Fermé'
    : opening.remoteOnly
      ? 'Accueil à distance uniquement (téléphone, courriel)'
      : describeOpeningState(opening, at);
  const zone = opening.zone ?? METROPOLITAN_ZONE;
  return {
    open: opening.open,
    label,
    closesAt: opening.closesAt ? toLocalIso(opening.closesAt, zone) : null,
    opensAt: opening.opensAt ? toLocalIso(opening.opensAt, zone) : null,
    remoteOnly: opening.remoteOnly,
    timeZone: zone,
  };
}

export function summaryJson(s: Structure, opening: PublicOpening, at: Date): Static<typeof StructureSummary> {
  return {
    id: s.id,
    idFs: s.idFs,
    name: s.name,
    type: s.type,
    format: s.format,
    mobile: s.format === 'bus' || s.format === 'itinerante',
    address: s.address,
    addressComplement: s.addressComplement,
    postalCode: s.postalCode,
    commune: s.communeName,
    codeInsee: s.codeInsee,
    departement: s.departement,
    lat: s.lat,
    lon: s.lon,
    emails: [...s.emails],
    telephones: [...s.telephones],
    appointment: s.appointment,
    partners: [...s.partners],
    status: s.status,
    opening: openingJson(opening, at),
  };
}

/**
 * ETag from the body: a client or a cache revalidates cheaply. Public data, so shared caches may keep it briefly.
 */
function notModified(request: FastifyRequest, reply: FastifyReply, body: unknown, maxAge: number): boolean {
  const etag = `"${createHash('sha1').update(JSON.stringify(body)).digest('base64url')}"`;
  reply.header('etag', etag).header('cache-control', `public, max-age=${maxAge}`);
  return request.headers['if-none-match'] === etag;
}

export const structuresRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { locator } = ctx;

    app.get(
      '/api/v1/structures/nearest',
      {
        config: { rateLimit: RATE_BUDGETS.nearest },
        schema: {
          tags: ['localisateur'],
          summary: 'Les France Services les plus proches d’un point',
          description:
            'Triées par distance à vol d’oiseau, avec une estimation du temps de trajet. « Ouvert maintenant » tient compte des horaires, des fermetures exceptionnelles et du statut.',
          querystring: NearestQuery,
          response: {
            200: Type.Object({
              items: Type.Array(
                Type.Object({
                  ...StructureSummary.properties,
                  kind: Type.Union([Type.Literal('structure'), Type.Literal('stop')], {
                    description: 'Une structure à son adresse, ou un arrêt d’un bus France Services',
                  }),
                  stop: Nullable(StopJson),
                  distanceKm: Type.Number(),
                  travelMinutes: Type.Integer(),
                  onlineBooking: Type.Boolean({
                    description:
                      'Un créneau est libre à la réservation en ligne dans les 14 prochains jours (GET /api/v1/structures/{id}/creneaux)',
                  }),
                }),
              ),
            }),
            304: NotModified,
            400: ErrorBody,
          },
        },
      },
      async (request, reply) => {
        const at = ctx.clock.now();
        const items = await locator.nearest(request.query);
        const body = {
          items: items.map((i) => ({
            ...summaryJson(i.structure, i.opening, at),
            ...(i.stop ? stopFields(i.stop, i.opening, at) : { kind: 'structure' as const, stop: null }),
            distanceKm: Math.round(i.distanceKm * 100) / 100,
            travelMinutes: i.travelMinutes,
            onlineBooking: i.onlineBooking,
          })),
        };
        // The answer depends on the query, the data versions and the minute ("open now"): a weak ETag from
        // those is exact and spares hashing the body on this hot path. Short cache only.
        const etag = `W/"${createHash('sha1')
          .update(`${request.url}|${locator.version()}|${Math.floor(at.getTime() / 60_000)}`)
          .digest('base64url')}"`;
        reply.header('etag', etag).header('cache-control', 'public, max-age=60');
        if (request.headers['if-none-match'] === etag) return reply.code(304).send(null);
        return body;
      },
    );

    app.get(
      '/api/v1/structures',
      {
        schema: {
          tags: ['annuaire'],
          summary: 'Liste des France Services, par département ou commune, paginée',
          querystring: ListQuery,
          response: {
            200: Type.Object({
              items: Type.Array(StructureSummary),
              total: Type.Integer(),
              page: Type.Integer(),
              perPage: Type.Integer(),
            }),
            304: NotModified,
            400: ErrorBody,
          },
        },
      },
      async (request, reply) => {
        const { department, commune, page, perPage } = request.query;
        const at = ctx.clock.now();
        const result = await ctx.directory.list({
          departement: department?.toUpperCase(),
          codeInsee: commune?.toUpperCase(),
          limit: perPage,
          offset: (page - 1) * perPage,
        });
        const items = result.items.map((s) => summaryJson(s, publicOpening(s, at), at));
        if (notModified(request, reply, { items, total: result.total, page, perPage }, 300))
          return reply.code(304).send(null);
        return { items, total: result.total, page, perPage };
      },
    );

    app.get(
      '/api/v1/structures/:id',
      {
        schema: {
          tags: ['annuaire'],
          summary: 'Une France Services (identifiant Maillage ou id_fs officiel)',
          params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
          response: { 200: StructureDetail, 304: NotModified, 404: ErrorBody },
        },
      },
      async (request, reply) => {
        const s = await ctx.directory.structure(request.params.id);
        if (!s) throw notFound('Aucune France Services ne porte cet identifiant.');
        const at = ctx.clock.now();
        const body = {
          ...summaryJson(s, publicOpening(s, at), at),
          group: s.group,
          comment: s.comment,
          description: s.description,
          hours: Object.fromEntries(WEEKDAYS.map((d) => [d, formatDayHours(s.hours.days[d])])),
          closures: s.closures.map((c) => ({ ...c })),
          labelledOn: s.labelledOn,
          statusUntil: s.statusUntil,
          updatedAt: s.updatedAt.toISOString(),
        };
        if (notModified(request, reply, body, 60)) return reply.code(304).send(null);
        return body;
      },
    );

    app.get(
      '/api/v1/structures/export',
      {
        config: { rateLimit: RATE_BUDGETS.export },
        schema: {
          tags: ['données ouvertes'],
          summary: 'Export de l’annuaire : CSV officiel, GeoJSON ou schéma des lieux de médiation numérique',
          querystring: Type.Object(
            {
              format: Type.Union(
                EXPORT_FORMATS.map((f) => Type.Literal(f)),
                { default: 'csv' },
              ),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (request, reply) => {
        const result = await exportStructuresCached(ctx, request.query.format);
        reply
          .header('content-type', result.contentType)
          .header('content-disposition', `attachment; filename="${result.filename}"`)
          .header('cache-control', 'public, max-age=300');
        return result.body;
      },
    );
  };
