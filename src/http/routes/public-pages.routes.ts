import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import type { AppContext } from '../../composition.js';
import { publicOpening } from '../../domain/directory/locator.js';
import type { GeocodeResult } from '../../domain/geocoding/geocoder.js';
import { normalizePlaceName } from '../../domain/geography/index.js';
import { notFound } from '../../domain/shared/errors.js';
import {
  loadOutlines,
  type OutlineSet,
  outlinesBody,
  parseDepartementList,
} from '../../services/directory/department-outlines.js';
import { rappelBlock } from '../../web/views/accompagnement/rappel.views.js';
import type { MapData } from '../../web/views/directory/components.js';
import { departementPage, departementsPage } from '../../web/views/directory/departements.view.js';
import { accessibilityPage, dataPage } from '../../web/views/directory/info.view.js';
import {
  isPartner,
  type SearchErrors,
  type SearchForm,
  type SearchOutcome,
  searchPage,
} from '../../web/views/directory/search.view.js';
import { structurePage } from '../../web/views/directory/structure.view.js';
import { RATE_BUDGETS } from '../plugins/rate-limit.js';
import { csrfField } from '../plugins/session.js';

/** Only the shape here (strings, bounded); the meaning is checked below, so errors show in the form. */
const SearchQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 2000 })),
  lat: Type.Optional(Type.String({ maxLength: 40 })),
  lon: Type.Optional(Type.String({ maxLength: 40 })),
  partenaire: Type.Optional(Type.String({ maxLength: 60 })),
  ouvert: Type.Optional(Type.String({ maxLength: 10 })),
  format: Type.Optional(Type.String({ maxLength: 20 })),
  rdv: Type.Optional(Type.String({ maxLength: 10 })),
});
type RawSearch = Partial<Record<keyof SearchForm, string>>;

const MAX_QUERY = 200;
const RESULTS = 10;
const DEPARTEMENT = /^(0[1-9]|[1-8][0-9]|9[0-5]|2[AB]|97[1-8]|98[4-9])$/;

const flag = (v: string | undefined) =>
  v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';

function parseCoordinate(text: string, limit: number): number | null {
  const t = text.trim().replace(',', '.');
  if (!/^-?\d{1,3}(\.\d{1,12})?$/.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) && Math.abs(n) <= limit ? n : null;
}

/** The search as typed, its errors in French, and the parsed values. */
export function parseSearch(raw: RawSearch) {
  const form: SearchForm = {
    q: (raw.q ?? '').replace(/\s+/g, ' ').trim(),
    lat: (raw.lat ?? '').trim(),
    lon: (raw.lon ?? '').trim(),
    partenaire: (raw.partenaire ?? '').trim(),
    ouvert: flag(raw.ouvert),
    format: (raw.format ?? '').trim(),
    rdv: flag(raw.rdv),
  };
  const errors: SearchErrors = {};
  if (form.q.length > MAX_QUERY) {
    errors.q = `Votre recherche est trop longue : ${MAX_QUERY} caractères au plus.`;
  }
  let position: { lat: number; lon: number } | null = null;
  if (form.lat !== '' || form.lon !== '') {
    const lat = parseCoordinate(form.lat, 90);
    const lon = parseCoordinate(form.lon, 180);
    if (lat === null || lon === null) {
      errors.position =
        'La position transmise est invalide : une latitude (entre -90 et 90) et une longitude (entre -180 et 180) en degrés sont attendues.';
    } else position = { lat, lon };
  }
  if (form.partenaire !== '' && !isPartner(form.partenaire)) {
    errors.partenaire = 'Partenaire inconnu : choisissez-en un dans la liste.';
  }
  if (form.format !== '' && form.format !== 'fixe' && form.format !== 'mobile') {
    errors.format = 'Type d’accueil inconnu : « fixe » ou « mobile » sont attendus.';
  }
  const filters = {
    partner: isPartner(form.partenaire) ? form.partenaire : undefined,
    format: form.format === 'fixe' || form.format === 'mobile' ? form.format : undefined,
    openNow: form.ouvert || undefined,
    appointment: form.rdv ? true : undefined,
  } as const;
  return { form, errors, position, filters };
}

const placeName = (label: string) => normalizePlaceName(label.replace(/\s*\([^)]*\)\s*$/, ''));

/**
 * One place when the answer is clear (a postal code, a single match, one exact name, a clear best score);
 * otherwise the person chooses (homonyms far apart).
 */
export function pickPlace(
  query: string,
  results: readonly GeocodeResult[],
): { place: GeocodeResult; alternatives: GeocodeResult[] } | { choices: GeocodeResult[] } | null {
  if (results.length === 0) return null;
  // A postal code: its communes are neighbours; take the most populated, offer the others.
  if (/^\d{5}$/.test(query.trim())) {
    const postal = results.filter((r) => r.kind === 'code_postal');
    if (postal.length > 0) return { place: postal[0] as GeocodeResult, alternatives: postal.slice(1) };
  }
  const [first, second] = results as [GeocodeResult, GeocodeResult | undefined];
  if (!second) return { place: first, alternatives: [] };
  const wanted = normalizePlaceName(query.replace(/\b\d{5}\b/, ''));
  const exact = results.filter((r) => placeName(r.label) === wanted);
  if (exact.length === 1) {
    const place = exact[0] as GeocodeResult;
    return { place, alternatives: results.filter((r) => r !== place) };
  }
  if (exact.length === 0 && first.score - second.score >= 0.1) {
    return { place: first, alternatives: results.slice(1) };
  }
  return { choices: [...results] };
}

export const publicPagesRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const mapConfig: Omit<MapData, 'points' | 'center'> = {
      tileUrl: ctx.config.tileUrl,
      attribution: ctx.config.tileAttribution,
      outlinesUrl: '/geo/departements.geojson',
    };
    const geocodingProblem = ctx.config.geocoder === 'local' ? ctx.geography.centroidsProblem : null;
    const html = (reply: FastifyReply) => reply.type('text/html; charset=utf-8');

    async function search(raw: RawSearch, embed: boolean, reply: FastifyReply) {
      const { form, errors, position, filters } = parseSearch(raw);
      const at = ctx.clock.now();
      const directoryEmpty = (await ctx.locator.snapshot()).byId.size === 0;
      let outcome: SearchOutcome = { kind: 'none' };
      if (Object.keys(errors).length > 0) {
        outcome = { kind: 'invalid', errors };
        reply.code(400);
      } else if (position) {
        const items = await ctx.locator.nearest({ ...position, ...filters, limit: RESULTS });
        outcome = {
          kind: 'results',
          place: { label: form.q || 'votre position', ...position },
          items,
          alternatives: [],
        };
      } else if (form.q) {
        let found: GeocodeResult[] = [];
        try {
          found = await ctx.geocoder.geocode(form.q, 6);
        } catch (err) {
          reply.log.warn({ err }, 'géocodage impossible');
        }
        const picked = pickPlace(form.q, found);
        if (!picked) outcome = { kind: 'not_found', query: form.q };
        else if ('choices' in picked) outcome = { kind: 'choose', choices: picked.choices };
        else {
          const { place, alternatives } = picked;
          const items = await ctx.locator.nearest({
            lat: place.lat,
            lon: place.lon,
            ...filters,
            limit: RESULTS,
          });
          outcome = { kind: 'results', place, items, alternatives };
        }
      }
      return html(reply).send(
        searchPage({ form, outcome, at, embed, geocodingProblem, directoryEmpty, map: mapConfig }),
      );
    }

    app.get('/', { schema: { hide: true, querystring: SearchQuery } }, async (request, reply) =>
      search(request.query, false, reply),
    );

    app.get('/embed', { schema: { hide: true, querystring: SearchQuery } }, async (request, reply) => {
      // This page only may be framed, by any site: relax frame-ancestors on this route.
      const csp = String(reply.getHeader('content-security-policy') ?? '');
      reply.header('content-security-policy', csp.replace(/frame-ancestors [^;]*/, 'frame-ancestors *'));
      reply.removeHeader('x-frame-options');
      return search(request.query, true, reply);
    });

    app.get(
      '/structures/:id',
      { schema: { hide: true, params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }) } },
      async (request, reply) => {
        const s = await ctx.directory.structure(request.params.id);
        if (!s)
          throw notFound(
            'Aucune France Services ne porte cet identifiant. Elle a peut-être été retirée de la liste.',
          );
        const at = ctx.clock.now();
        const callback = await ctx.rappels.publicStructure(s.id);
        return html(reply).send(
          structurePage({
            structure: s,
            opening: publicOpening(s, at),
            at,
            departementName: ctx.geography.departements.get(s.departement)?.name ?? null,
            map: mapConfig,
            rappel: callback
              ? rappelBlock({
                  structure: callback,
                  csrf: csrfField(ctx, request, reply),
                  delaiJours: await ctx.rappels.delaiOf(callback.id),
                })
              : null,
            onlineBooking: (await ctx.rendezvous.motifs(s.id, { onlineOnly: true })).length > 0,
          }),
        );
      },
    );

    app.get('/departements', { schema: { hide: true } }, async (_request, reply) => {
      const counts = await ctx.directory.countByDepartement();
      const codes = new Set([...ctx.geography.departements.keys(), ...counts.keys()]);
      const rows = [...codes]
        .sort((a, b) => a.localeCompare(b))
        .map((code) => {
          const d = ctx.geography.departements.get(code);
          return {
            code,
            name: d?.name ?? `Département ${code}`,
            region: d ? (ctx.geography.regions.get(d.region)?.name ?? null) : null,
            count: counts.get(code) ?? 0,
          };
        });
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      return html(reply).send(departementsPage(rows, total));
    });

    app.get(
      '/departements/:code',
      { schema: { hide: true, params: Type.Object({ code: Type.String({ minLength: 1, maxLength: 3 }) }) } },
      async (request, reply) => {
        const code = request.params.code.toUpperCase();
        const d = DEPARTEMENT.test(code) ? ctx.geography.departements.get(code) : undefined;
        if (!d)
          throw notFound('Ce département n’existe pas. Choisissez-en un dans la liste des départements.');
        const { items } = await ctx.directory.list({ departement: code, limit: 1000, offset: 0 });
        const at = ctx.clock.now();
        return html(reply).send(
          departementPage({
            code,
            name: d.name,
            region: ctx.geography.regions.get(d.region)?.name ?? null,
            items: items.map((s) => ({ structure: s, opening: publicOpening(s, at) })),
            at,
            map: mapConfig,
          }),
        );
      },
    );

    app.get('/donnees', { schema: { hide: true } }, async (_request, reply) => {
      const [snapshot, run] = await Promise.all([ctx.locator.snapshot(), ctx.directory.lastImport()]);
      return html(reply).send(
        dataPage({
          total: snapshot.byId.size,
          lastImport: run
            ? { source: run.source, at: new Date(run.ran_at as unknown as string | Date) }
            : null,
          publicUrl: ctx.config.publicUrl,
        }),
      );
    });

    app.get('/accessibilite', { schema: { hide: true } }, async (_request, reply) =>
      html(reply).send(accessibilityPage()),
    );

    // Department outlines for the map without tiles: read once, simplified, then served from memory.
    // A map asks only for the departments it shows (`?dep=02,80`); without `dep`, all of them.
    let outlines: Promise<OutlineSet | null> | null = null;
    app.get(
      '/geo/departements.geojson',
      {
        schema: {
          hide: true,
          querystring: Type.Object({ dep: Type.Optional(Type.String({ maxLength: 1000 })) }),
        },
        config: { rateLimit: RATE_BUDGETS.geojson },
      },
      async (request, reply) => {
        const wanted = parseDepartementList(request.query.dep);
        if ('message' in wanted) {
          return reply.code(400).send({ error: 'invalid', field: 'dep', message: wanted.message });
        }
        outlines ??= loadOutlines(ctx.config.refDir);
        const set = await outlines;
        if (!set) {
          return reply.code(404).send({
            error: 'not_found',
            field: null,
            message: 'Les contours des départements ne sont pas disponibles (MAILLAGE_REF_DIR).',
          });
        }
        const o = outlinesBody(set, wanted.codes);
        reply
          .header('etag', o.etag)
          .header('cache-control', 'public, max-age=86400')
          .type('application/geo+json; charset=utf-8');
        if (request.headers['if-none-match'] === o.etag) return reply.code(304).send();
        return reply.send(o.body);
      },
    );
  };
