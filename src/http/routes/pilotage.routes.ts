import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../composition.js';
import { can } from '../../domain/accounts/policy.js';
import type { Principal } from '../../domain/accounts/roles.js';
import { INDICATOR_DIMENSIONS, type IndicatorDimension } from '../../domain/pilotage/index.js';
import { writeCsv } from '../../domain/shared/csv.js';
import { DomainError } from '../../domain/shared/errors.js';
import { latestLocalDate } from '../../domain/shared/time-zone.js';
import { DIMENSION_LABELS } from '../../services/pilotage/pilotage.service.js';
import { type DashboardForm, dashboardPage } from '../../web/views/pilotage/dashboard.view.js';
import { escaladeRows, rendezvousRows } from '../../web/views/pilotage/partners.view.js';
import { surveyLinkPage } from '../../web/views/pilotage/survey.view.js';
import { invalidForm, statusOf } from '../plugins/errors.js';
import { RATE_BUDGETS } from '../plugins/rate-limit.js';
import { csrfField, requireUser, userOf } from '../plugins/session.js';
import { htmlReply } from '../reply.js';

const Text = Type.Optional(Type.String({ maxLength: 80 }));
const DashboardQuery = Type.Object({ territoire: Text, du: Text, au: Text });
const ExportQuery = Type.Object({
  territoire: Type.String({ maxLength: 80 }),
  du: Type.String({ maxLength: 20 }),
  au: Type.String({ maxLength: 20 }),
  tableau: Type.Union([
    ...INDICATOR_DIMENSIONS.map((d) => Type.Literal(d)),
    Type.Literal('crise'),
    Type.Literal('escalade'),
    Type.Literal('rendez_vous'),
  ]),
});
const ApiQuery = Type.Object({
  territory: Type.String({ maxLength: 80, description: 'FR, reg:32, dep:02 ou structure:<id_fs>' }),
  from: Type.String({ maxLength: 20, description: 'premier jour local, AAAA-MM-JJ (inclus)' }),
  to: Type.String({ maxLength: 20, description: 'dernier jour local, AAAA-MM-JJ (inclus) ; 5 ans au plus' }),
  by: Type.String({ maxLength: 20, description: INDICATOR_DIMENSIONS.join(', ') }),
});
const ErrorBody = Type.Object({
  error: Type.String(),
  field: Type.Union([Type.String(), Type.Null()]),
  message: Type.String(),
});
const Report = Type.Object({
  territory: Type.String(),
  from: Type.String(),
  to: Type.String(),
  total: Type.Integer(),
  minutes: Type.Object({ total: Type.Integer(), mean: Type.Number() }),
  groups: Type.Array(Type.Object({ key: Type.String(), count: Type.Integer(), share: Type.Number() })),
});

/** The territory a role lands on: its structure, its department, or France. */
function defaultTerritory(p: Principal): string {
  if (p.role === 'animateur_departemental' && p.departement) return `dep:${p.departement}`;
  if (p.role === 'national') return 'FR';
  const s = p.structureIds[0];
  return s ? `structure:${s}` : 'FR';
}

/** Twelve months to today (metropolitan day): the default range. */
function defaultRange(now: Date): { du: string; au: string } {
  const au = latestLocalDate(now);
  const y = Number(au.slice(0, 4));
  const m = Number(au.slice(5, 7));
  const start = new Date(Date.UTC(y, m - 12, 1)).toISOString().slice(0, 10);
  return { du: start, au };
}

const asError = (e: unknown) => {
  if (e instanceof DomainError)
    return { field: e.field ?? null, message: e.message, status: statusOf(e.code) };
  throw e;
};

/** /espace/pilotage (dashboards), its CSV exports, and GET /api/v1/pilotage/indicateurs. */
export const pilotageRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const service = ctx.pilotage;

    /** Links one level down: regions of France, departments of a region. */
    function linksFor(code: string): { links: Array<{ code: string; label: string }>; title: string } {
      if (code === 'FR')
        return {
          title: 'Régions',
          links: [...ctx.geography.regions.values()]
            .filter((r) => [...ctx.geography.departements.values()].some((d) => d.region === r.code))
            .map((r) => ({ code: `reg:${r.code}`, label: r.name }))
            .sort((a, b) => a.label.localeCompare(b.label, 'fr')),
        };
      if (code.startsWith('reg:'))
        return {
          title: 'Départements de la région',
          links: [...ctx.geography.departements.values()]
            .filter((d) => d.region === code.slice(4))
            .map((d) => ({ code: `dep:${d.code}`, label: `${d.name} (${d.code})` })),
        };
      return { links: [], title: '' };
    }

    async function render(
      request: FastifyRequest,
      reply: FastifyReply,
      values: DashboardForm,
      preError?: DomainError,
    ) {
      const user = userOf(request);
      try {
        if (preError) throw preError;
        const query = { territory: values.territoire, from: values.du, to: values.au };
        const dashboard = await service.dashboard(query, user.principal);
        const crisis = await service.crisisOf(dashboard.territory, dashboard.from, dashboard.to);
        const satisfaction = await service.survey.results(dashboard.territory, dashboard.from, dashboard.to);
        const { start, end } = service.rangeInstants(dashboard.territory, dashboard.from, dashboard.to);
        const escalades = await ctx.escalade.figuresForTerritory(dashboard.territory, start, end);
        const rendezvous = await ctx.rendezvous.attendanceForTerritory(dashboard.territory, start, end);
        const surveyLink =
          dashboard.territory.structure && can(user.principal, 'pilotage.survey', dashboard.territory.target)
            ? `/espace/pilotage/enquete?structure=${dashboard.territory.structure.id}`
            : null;
        const { links, title } = linksFor(dashboard.territory.code);
        return htmlReply(
          reply,
          200,
          dashboardPage({
            user,
            csrf: csrfField(ctx, request, reply),
            values,
            dashboard,
            crisis,
            satisfaction,
            escalades,
            rendezvous,
            surveyLink,
            error: null,
            links,
            linksTitle: title,
          }),
        );
      } catch (e) {
        const err = asError(e);
        return htmlReply(
          reply,
          err.status,
          dashboardPage({
            user,
            csrf: csrfField(ctx, request, reply),
            values,
            dashboard: null,
            crisis: null,
            satisfaction: null,
            escalades: null,
            rendezvous: null,
            surveyLink: null,
            error: err,
            links: [],
            linksTitle: '',
          }),
        );
      }
    }

    app.get(
      '/espace/pilotage',
      {
        schema: { hide: true, querystring: DashboardQuery },
        preHandler: requireUser,
        attachValidation: true,
      },
      async (request, reply) => {
        const p = userOf(request).principal;
        const range = defaultRange(ctx.clock.now());
        const q = request.validationError ? {} : request.query;
        const values = {
          territoire: q.territoire?.trim() || defaultTerritory(p),
          du: q.du?.trim() || range.du,
          au: q.au?.trim() || range.au,
        };
        return render(
          request,
          reply,
          values,
          request.validationError ? invalidForm(request.validationError) : undefined,
        );
      },
    );

    // The agent hands a satisfaction survey link (QR code) after an accompaniment.
    const SurveyQuery = Type.Object({ structure: Type.Optional(Type.String({ maxLength: 64 })) });
    const surveyStructure = async (principal: Principal, structureId: string | undefined) => {
      const id = structureId ?? principal.structureIds[0];
      if (!id) throw new DomainError('not_found', 'Vous n’êtes rattaché(e) à aucune structure.');
      const t = await service
        .resolve({ kind: 'structure', code: `structure:${id}`, value: id })
        .catch(() => null);
      if (!t?.structure || !can(principal, 'pilotage.survey', t.target))
        throw new DomainError('not_found', 'Cette structure ne fait pas partie de votre périmètre.');
      return t.structure;
    };
    app.get(
      '/espace/pilotage/enquete',
      { schema: { hide: true, querystring: SurveyQuery }, preHandler: requireUser },
      async (request, reply) => {
        const user = userOf(request);
        const structure = await surveyStructure(user.principal, request.query.structure);
        return htmlReply(
          reply,
          200,
          surveyLinkPage({ user, csrf: csrfField(ctx, request, reply), structure, link: null }),
        );
      },
    );
    app.post(
      '/espace/pilotage/enquete',
      {
        schema: {
          hide: true,
          querystring: SurveyQuery,
          body: Type.Object({ _csrf: Type.Optional(Type.String({ maxLength: 200 })) }),
        },
        preHandler: requireUser,
      },
      async (request, reply) => {
        const user = userOf(request);
        const structure = await surveyStructure(user.principal, request.query.structure);
        const link = await service.survey.createLink(user.principal, structure.id);
        return htmlReply(
          reply,
          201,
          surveyLinkPage({ user, csrf: csrfField(ctx, request, reply), structure, link }),
        );
      },
    );

    app.get(
      '/espace/pilotage/export.csv',
      {
        config: { rateLimit: RATE_BUDGETS.tableExport },
        schema: { hide: true, querystring: ExportQuery },
        preHandler: requireUser,
      },
      async (request, reply) => {
        const p = userOf(request).principal;
        const q = { territory: request.query.territoire, from: request.query.du, to: request.query.au };
        let rows: Array<Array<string | number | null>>;
        let code: string;
        if (request.query.tableau === 'crise') {
          const { territory, weeks } = await service.crisis(q, p);
          code = territory.code;
          rows = [
            [
              'semaine',
              'structures_recevant_public',
              'structures_actives',
              'part_actives',
              'accompagnements',
              'a_distance',
              'part_a_distance',
            ],
            ...weeks.map((w) => [
              w.semaine,
              w.structuresOuvertes,
              w.structuresActives,
              w.partActives,
              w.accompagnements,
              w.aDistance,
              w.partDistance,
            ]),
          ];
        } else if (request.query.tableau === 'escalade' || request.query.tableau === 'rendez_vous') {
          const d = await service.scope(q, p);
          code = d.territory.code;
          const { start, end } = service.rangeInstants(d.territory, d.from, d.to);
          rows =
            request.query.tableau === 'escalade'
              ? [
                  [
                    'partenaire',
                    'libelle',
                    'dossiers',
                    'delai_echu_ou_repondu',
                    'repondus_72h_ouvrees',
                    'part_72h',
                    'mediane_premiere_reponse_h',
                    'mediane_cloture_h',
                  ],
                  ...escaladeRows(await ctx.escalade.figuresForTerritory(d.territory, start, end)).map(
                    (r) => [
                      r.partenaire,
                      r.label,
                      r.dossiers,
                      r.echus,
                      r.repondus72h,
                      r.part72h,
                      r.medianePremiereReponseH,
                      r.medianeClotureH,
                    ],
                  ),
                ]
              : [
                  ['presence', 'libelle', 'rendez_vous'],
                  ...rendezvousRows(await ctx.rendezvous.attendanceForTerritory(d.territory, start, end)).map(
                    (r) => [r.presence, r.label, r.n],
                  ),
                ];
        } else {
          const by = request.query.tableau as IndicatorDimension;
          const d = await service.dashboard(q, p);
          code = d.territory.code;
          rows = [
            [by, 'libelle', 'accompagnements', 'part', 'minutes'],
            ...d.tables[by].map((g) => [g.key, g.label, g.count, g.share, g.minutes]),
          ];
        }
        const name = `pilotage-${code.replace(/[^A-Za-z0-9]+/g, '-')}-${request.query.du}-${request.query.au}-${request.query.tableau}.csv`;
        return reply
          .type('text/csv; charset=utf-8')
          .header('cache-control', 'no-store')
          .header('content-disposition', `attachment; filename="${name}"`)
          .send(writeCsv(rows, { bom: true }));
      },
    );

    app.get(
      '/api/v1/pilotage/indicateurs',
      {
        schema: {
          tags: ['pilotage'],
          summary: 'Un indicateur d’activité (agrégats seulement) sur un territoire et une période',
          description: `Session de l’espace requise. Dimensions : ${INDICATOR_DIMENSIONS.map((d) => `${d} (${DIMENSION_LABELS[d]})`).join(', ')}. Hors périmètre : 404.`,
          querystring: ApiQuery,
          response: { 200: Report, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        if (!request.user)
          throw new DomainError('unauthenticated', 'Connectez-vous à l’espace France Services.');
        const r = await service.indicator(request.query, request.user.principal);
        return { ...r, groups: [...r.groups] };
      },
    );
  };
