import { timingSafeEqual } from 'node:crypto';
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../composition.js';
import { can } from '../../domain/accounts/policy.js';
import { DomainError } from '../../domain/shared/errors.js';
import type { PlanRequest } from '../../domain/territory/index.js';
import { dashboardPage } from '../../web/views/territory/dashboard.view.js';
import { methodPage } from '../../web/views/territory/method.view.js';
import { DEFAULT_FORM, type PlanningForm, planningPage } from '../../web/views/territory/planning.view.js';
import { reportTables, tableCsv } from '../../web/views/territory/tables.js';
import { requireAdminToken } from '../plugins/admin-token.js';
import { statusOf } from '../plugins/errors.js';
import { RATE_BUDGETS } from '../plugins/rate-limit.js';
import { csrfField } from '../plugins/session.js';
import { htmlReply } from '../reply.js';

const ErrorBody = Type.Object(
  { error: Type.String(), field: Type.Union([Type.String(), Type.Null()]), message: Type.String() },
  { description: 'Erreur : code, champ en cause, message en français.' },
);

const TerritoryCode = Type.String({
  maxLength: 40,
  description: 'FR (métropole + DROM), reg:84, dep:02, canton:0201 ou epci:<SIREN>',
  examples: ['FR', 'dep:02'],
});

const Coverage = Type.Object({
  territory: Type.String(),
  structures: Type.Object({
    total: Type.Integer(),
    fixed: Type.Integer(),
    antennes: Type.Integer(),
    mobile: Type.Integer(),
  }),
  cantons: Type.Object({ total: Type.Integer(), covered: Type.Integer() }),
  share: Type.Object({ rural: Type.Number(), zrr: Type.Number() }),
  qpv: Type.Object({ total: Type.Integer(), covered: Type.Integer() }),
  population: Type.Object({
    total: Type.Number(),
    within10: Type.Number(),
    within20: Type.Number(),
    within30: Type.Number(),
  }),
  distanceKm: Type.Object({ mean: Type.Number(), p95: Type.Number() }),
});

const Plan = Type.Object({
  sites: Type.Array(
    Type.Object({ code: Type.String(), name: Type.String(), addedPopulation: Type.Integer() }),
  ),
  addedPopulation: Type.Integer(),
  exactOptimum: Type.Optional(Type.Integer()),
  gap: Type.Optional(Type.Number()),
  ms: Type.Integer(),
});

const PlanQuery = Type.Object({
  territory: TerritoryCode,
  k: Type.Integer({ minimum: 1, maximum: 1000, description: 'nombre de sites à proposer' }),
  minutes: Type.Optional(
    Type.Number({ minimum: 1, maximum: 120, description: 'seuil de temps estimé (20 par défaut)' }),
  ),
  radiusKm: Type.Optional(
    Type.Number({
      exclusiveMinimum: 0,
      maximum: 200,
      description: 'seuil à vol d’oiseau, à la place du temps',
    }),
  ),
  minPopulation: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 10_000_000,
      description: 'population minimale des candidates (1 000)',
    }),
  ),
  exact: Type.Optional(
    Type.Boolean({ description: 'vérifier avec l’optimum exact (HiGHS), département ou région' }),
  ),
  candidates: Type.Optional(
    Type.String({
      maxLength: 6000,
      pattern: '^(bureaux|[0-9AB]{5}(,[0-9AB]{5})*)$',
      description:
        '« bureaux » (bureaux centralisateurs des cantons) ou codes INSEE séparés par des virgules',
    }),
  ),
});

const secureEqual = (a: string, b: string | null) =>
  !!b && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** Territorial dashboard, method, planning (issue 4). */
export const territoryRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const service = ctx.territory;
    app.addHook('onReady', async () => {
      // The app reads the loaded reference tables, else MAILLAGE_REF_DIR, at start, in the
      // background (tests without a reference folder skip it).
      if (ctx.config.refDir || ctx.config.nodeEnv !== 'test') service.warmUp();
    });

    app.get(
      '/api/v1/coverage',
      {
        schema: {
          tags: ['couverture'],
          summary: 'Indicateurs de couverture d’un territoire',
          querystring: Type.Object({
            territory: TerritoryCode,
            travel: Type.Optional(
              Type.Union([Type.Literal('estimate'), Type.Literal('osrm')], {
                description: 'population à 10/20/30 min : estimation (défaut) ou temps routiers OSRM',
              }),
            ),
          }),
          response: { 200: Coverage, 400: ErrorBody, 413: ErrorBody, 503: ErrorBody },
        },
      },
      async (request, reply) => {
        const c = await service.coverage(request.query.territory, { travel: request.query.travel });
        reply.header('cache-control', 'public, max-age=300');
        return c;
      },
    );

    app.get(
      '/api/v1/coverage/uncovered-cantons',
      {
        schema: {
          tags: ['couverture'],
          summary: 'Cantons (au sens strict) sans France Services',
          querystring: Type.Object({ territory: TerritoryCode }),
          response: {
            200: Type.Object({
              territory: Type.String(),
              items: Type.Array(
                Type.Object({
                  code: Type.String(),
                  nom: Type.String(),
                  departement: Type.String(),
                  population: Type.Union([Type.Number(), Type.Null()]),
                  distanceKm: Type.Union([Type.Number(), Type.Null()]),
                }),
              ),
            }),
            400: ErrorBody,
            503: ErrorBody,
          },
        },
      },
      async (request) => {
        const r = await service.report(request.query.territory);
        return { territory: r.territory.code, items: r.uncovered };
      },
    );

    app.get(
      '/api/v1/coverage/timeline',
      {
        schema: {
          tags: ['couverture'],
          summary: 'Labellisations par mois, en cumul, et objectifs',
          querystring: Type.Object({ territory: TerritoryCode }),
          response: {
            200: Type.Object({
              territory: Type.String(),
              months: Type.Array(
                Type.Object({ month: Type.String(), added: Type.Integer(), cumulative: Type.Integer() }),
              ),
              undated: Type.Integer(),
              goals: Type.Object({
                national: Type.Union([
                  Type.Object({
                    count: Type.Integer(),
                    by: Type.String(),
                    reachedIn: Type.Union([Type.String(), Type.Null()]),
                  }),
                  Type.Null(),
                ]),
                onePerCanton: Type.Object({
                  count: Type.Integer(),
                  reachedIn: Type.Union([Type.String(), Type.Null()]),
                }),
              }),
            }),
            400: ErrorBody,
            503: ErrorBody,
          },
        },
      },
      async (request) => {
        const r = await service.report(request.query.territory);
        return { territory: r.territory.code, ...r.timeline };
      },
    );

    app.get(
      '/api/v1/plan/one-per-canton',
      {
        preHandler: requireAdminToken(ctx.config),
        schema: {
          tags: ['couverture'],
          summary: 'Un par canton : la meilleure commune de chaque canton non couvert — réservé aux équipes',
          security: [{ bearerAuth: [] }],
          querystring: Type.Omit(PlanQuery, ['k', 'exact', 'candidates']),
          response: {
            200: Type.Object({
              sites: Type.Array(
                Type.Object({
                  canton: Type.String(),
                  cantonName: Type.String(),
                  code: Type.String(),
                  name: Type.String(),
                  addedPopulation: Type.Integer(),
                }),
              ),
              addedPopulation: Type.Integer(),
              ms: Type.Integer(),
            }),
            400: ErrorBody,
            401: ErrorBody,
            503: ErrorBody,
          },
        },
      },
      async (request) => {
        const q = request.query;
        return service.onePerCanton(q.territory, {
          minutes: q.minutes,
          radiusKm: q.radiusKm,
          minPopulation: q.minPopulation,
        });
      },
    );

    app.get(
      '/api/v1/plan',
      {
        preHandler: requireAdminToken(ctx.config),
        schema: {
          tags: ['couverture'],
          summary: 'Où ouvrir les prochaines France Services (couverture maximale) — réservé aux équipes',
          security: [{ bearerAuth: [] }],
          querystring: PlanQuery,
          response: {
            200: Plan,
            400: ErrorBody,
            401: ErrorBody,
            413: ErrorBody,
            429: ErrorBody,
            503: ErrorBody,
          },
        },
      },
      async (request, reply) => {
        const q = request.query;
        reply.header('cache-control', 'no-store');
        return service.plan(q.territory, {
          k: q.k,
          minutes: q.minutes,
          radiusKm: q.radiusKm,
          minPopulation: q.minPopulation,
          exact: q.exact,
          candidateSet: q.candidates === 'bureaux' ? 'bureaux' : undefined,
          candidates: q.candidates && q.candidates !== 'bureaux' ? q.candidates.split(',') : undefined,
        });
      },
    );

    app.post(
      '/api/v1/what-if',
      {
        preHandler: requireAdminToken(ctx.config),
        schema: {
          tags: ['couverture'],
          summary: 'Et si on ajoutait, déplaçait ou fermait une structure ? — réservé aux équipes',
          security: [{ bearerAuth: [] }],
          body: Type.Object({
            territory: TerritoryCode,
            action: Type.Union([Type.Literal('add'), Type.Literal('remove'), Type.Literal('move')]),
            code: Type.Optional(Type.String({ maxLength: 5, description: 'commune (add, move)' })),
            id: Type.Optional(
              Type.String({ maxLength: 40, description: 'id_fs de la structure (remove, move)' }),
            ),
          }),
          response: {
            200: Type.Object({
              before: Coverage,
              after: Coverage,
              delta: Type.Record(Type.String(), Type.Unknown()),
            }),
            400: ErrorBody,
            401: ErrorBody,
            404: ErrorBody,
          },
        },
      },
      async (request) => {
        const b = request.body;
        if (b.action !== 'remove' && !b.code)
          throw new DomainError('invalid', 'Indiquez la commune (code INSEE).', 'code');
        if (b.action !== 'add' && !b.id)
          throw new DomainError('invalid', 'Indiquez la structure (id_fs).', 'id');
        const change =
          b.action === 'add'
            ? { action: 'add' as const, code: b.code as string }
            : b.action === 'remove'
              ? { action: 'remove' as const, id: b.id as string }
              : { action: 'move' as const, id: b.id as string, code: b.code as string };
        return service.whatIf(b.territory, change);
      },
    );

    // ---- pages ----
    const dashboard = async (code: string, sort: unknown) => {
      const report = await service.report(code);
      const map = await service.mapFor(report.territory);
      const { source } = await service.reference();
      return dashboardPage({ report, map, sort, source });
    };
    const pageSchema = {
      hide: true,
      querystring: Type.Object({ tri: Type.Optional(Type.String({ maxLength: 80 })) }),
    };

    app.get('/territoires', { schema: pageSchema }, async (request, reply) =>
      reply.type('text/html; charset=utf-8').send(await dashboard('FR', request.query.tri)),
    );
    app.get(
      '/territoires/:kind/:code',
      {
        schema: {
          ...pageSchema,
          params: Type.Object({
            kind: Type.Union([
              Type.Literal('reg'),
              Type.Literal('dep'),
              Type.Literal('canton'),
              Type.Literal('epci'),
            ]),
            code: Type.String({ maxLength: 12 }),
          }),
        },
      },
      async (request, reply) =>
        reply
          .type('text/html; charset=utf-8')
          .send(await dashboard(`${request.params.kind}:${request.params.code}`, request.query.tri)),
    );
    app.get(
      '/territoires/aller',
      { schema: { hide: true, querystring: Type.Object({ territoire: Type.String({ maxLength: 40 }) }) } },
      async (request, reply) => {
        const t = await service.territory(request.query.territoire);
        return reply.redirect(
          t.kind === 'FR' ? '/territoires' : `/territoires/${t.kind}/${encodeURIComponent(t.value)}`,
        );
      },
    );
    app.get(
      '/territoires/export.csv',
      {
        config: { rateLimit: RATE_BUDGETS.tableExport },
        schema: {
          hide: true,
          querystring: Type.Object({
            territoire: TerritoryCode,
            table: Type.Union([
              Type.Literal('territoires'),
              Type.Literal('cantons-non-couverts'),
              Type.Literal('chronologie'),
            ]),
          }),
        },
      },
      async (request, reply) => {
        const report = await service.report(request.query.territoire);
        const table = reportTables(report).find((t) => t.id === request.query.table);
        if (!table)
          throw new DomainError('not_found', 'Ce tableau n’existe pas pour ce territoire.', 'table');
        const name = `${report.territory.code.replace(':', '-')}-${table.id}.csv`;
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}"`)
          .send(tableCsv(table));
      },
    );
    app.get('/territoires/methode', { schema: { hide: true } }, async (_request, reply) => {
      const files = await service.reference().then(
        (s) => s.files,
        () => [],
      );
      return reply.type('text/html; charset=utf-8').send(methodPage(service.model, files));
    });

    // Staff only: a signed-in national user, or the admin token typed in the form (until every
    // role has its territorial scope here).
    const staff = (request: { user: { principal: Parameters<typeof can>[0] } | null }) =>
      !!request.user && can(request.user.principal, 'national.dashboard');
    app.get('/territoires/planification', { schema: { hide: true } }, async (request, reply) =>
      reply.type('text/html; charset=utf-8').send(
        planningPage({
          form: DEFAULT_FORM,
          csrf: csrfField(ctx, request, reply),
          signedIn: staff(request),
        }),
      ),
    );
    app.post(
      '/territoires/planification',
      {
        schema: {
          hide: true,
          body: Type.Object({
            jeton: Type.Optional(Type.String({ maxLength: 200 })),
            _csrf: Type.Optional(Type.String({ maxLength: 200 })),
            territoire: Type.String({ maxLength: 40 }),
            k: Type.Optional(Type.String({ maxLength: 10 })),
            seuil: Type.Optional(Type.Union([Type.Literal('minutes'), Type.Literal('km')])),
            valeur: Type.Optional(Type.String({ maxLength: 10 })),
            population: Type.Optional(Type.String({ maxLength: 10 })),
            exact: Type.Optional(Type.String({ maxLength: 3 })),
            mode: Type.Optional(Type.Union([Type.Literal('plan'), Type.Literal('canton')])),
          }),
        },
      },
      async (request, reply) => {
        const b = request.body;
        const form: PlanningForm = {
          territoire: b.territoire,
          k: b.k ?? '5',
          seuil: b.seuil ?? 'minutes',
          valeur: b.valeur ?? '20',
          population: b.population ?? '1000',
          exact: b.exact === '1',
          mode: b.mode ?? 'plan',
        };
        const csrf = csrfField(ctx, request, reply);
        const signedIn = staff(request);
        const view = (o: Omit<Parameters<typeof planningPage>[0], 'csrf' | 'signedIn'>) =>
          planningPage({ ...o, csrf, signedIn });
        const send = (status: number, body: string) => htmlReply(reply, status, body);
        if (!signedIn && !secureEqual(b.jeton ?? '', ctx.config.adminToken)) {
          return send(
            401,
            view({ form, error: { field: 'jeton', message: 'Jeton d’administration absent ou invalide.' } }),
          );
        }
        const num = (v: string, field: string) => {
          const n = Number(v.replace(',', '.'));
          if (v.trim() === '' || !Number.isFinite(n))
            throw new DomainError('invalid', 'Un nombre est attendu.', field);
          return n;
        };
        const fieldOf: Record<string, string> = {
          k: 'k',
          minutes: 'valeur',
          radiusKm: 'valeur',
          minPopulation: 'population',
          territory: 'territoire',
        };
        try {
          const value = num(form.valeur, 'valeur');
          const request: PlanRequest = {
            k: form.mode === 'canton' ? 1 : num(form.k, 'k'),
            minutes: form.seuil === 'minutes' ? value : undefined,
            radiusKm: form.seuil === 'km' ? value : undefined,
            minPopulation: num(form.population, 'population'),
            exact: form.exact,
          };
          const territory = await service.territory(form.territoire);
          const map = await service.mapFor(territory);
          if (form.mode === 'canton') {
            const canton = await service.onePerCanton(form.territoire, request);
            return send(200, view({ form, result: { canton, map: await withProposed(map, canton.sites) } }));
          }
          const plan = await service.plan(form.territoire, request);
          return send(200, view({ form, result: { plan, map: await withProposed(map, plan.sites) } }));
        } catch (e) {
          if (!(e instanceof DomainError) || (e.code === 'unavailable' && e.field === 'reference')) throw e;
          const field = e.field ? (fieldOf[e.field] ?? e.field) : null;
          return send(statusOf(e.code), view({ form, error: { field, message: e.message } }));
        }
      },
    );

    /** Puts the proposed communes on the map (structures stay; commune points are dropped for clarity). */
    async function withProposed(
      map: Awaited<ReturnType<typeof service.mapFor>>,
      sites: ReadonlyArray<{ code: string; name: string; addedPopulation: number }>,
    ) {
      const network = await service.currentNetwork();
      const points = map.points.filter((p) => p.kind === 'structure');
      for (const s of sites) {
        const c = network.ref.city(s.code);
        if (c)
          points.push({
            lon: c.lon,
            lat: c.lat,
            label: `${s.name} : +${s.addedPopulation.toLocaleString('fr-FR')} hab.`,
            kind: 'proposed',
          });
      }
      return { ...map, points };
    }
  };
