import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../composition.js';
import { demarcheCsv, openDataCsv } from '../../domain/pilotage/index.js';
import { DomainError, notFound } from '../../domain/shared/errors.js';
import {
  OPENDATA_FILES,
  type OpenDataFileId,
  statistiquesPage,
} from '../../web/views/pilotage/statistiques.view.js';
import { surveyFormPage, surveyMessagePage } from '../../web/views/pilotage/survey.view.js';
import { invalidForm, statusOf } from '../plugins/errors.js';
import { RATE_BUDGETS } from '../plugins/rate-limit.js';
import { csrfField } from '../plugins/session.js';
import { htmlReply } from '../reply.js';

const FILE =
  /^(\d{4}-(?:0[1-9]|1[0-2]))-(departement-partenaire|departement-canal|national-demarche)\.(csv|json)$/;

/** The last twelve complete months (the current one is still being recorded). */
function publishedMonths(current: string): string[] {
  const [y, m] = current.split('-').map(Number) as [number, number];
  return Array.from({ length: 12 }, (_, i) =>
    new Date(Date.UTC(y, m - 2 - i, 1)).toISOString().slice(0, 7),
  ).filter((x) => x >= '2019-01');
}

/** /statistiques: open data under statistical secrecy (issue 14), public, rate-limited. */
export const pilotagePublicRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const service = ctx.pilotage;

    // The anonymous satisfaction survey (one answer per link, 14 days).
    const TokenParam = Type.Object({ jeton: Type.String({ maxLength: 80 }) });
    const AnswerBody = Type.Object({
      _csrf: Type.Optional(Type.String({ maxLength: 200 })),
      demarche: Type.Optional(Type.String({ maxLength: 20 })),
      accueil: Type.Optional(Type.String({ maxLength: 20 })),
      recommande: Type.Optional(Type.String({ maxLength: 20 })),
    });
    const SURVEY_BUDGET = { max: 30, timeWindow: 60_000 };
    const closedPage = (state: 'expired' | 'answered') =>
      state === 'expired'
        ? surveyMessagePage(
            'Lien expiré',
            'Ce lien d’enquête était valable 14 jours : il a expiré. Merci tout de même !',
          )
        : surveyMessagePage(
            'Déjà répondu',
            'Une réponse a déjà été donnée avec ce lien. Merci pour votre avis !',
          );

    app.get(
      '/avis/:jeton',
      { config: { rateLimit: SURVEY_BUDGET }, schema: { hide: true, params: TokenParam } },
      async (request, reply) => {
        const link = await service.survey.open(request.params.jeton);
        if (link.state !== 'open')
          return htmlReply(reply, link.state === 'expired' ? 410 : 409, closedPage(link.state));
        return htmlReply(
          reply,
          200,
          surveyFormPage({
            csrf: csrfField(ctx, request, reply),
            token: request.params.jeton,
            structureName: link.structureName,
            error: null,
            values: {},
          }),
        );
      },
    );

    app.post(
      '/avis/:jeton',
      {
        config: { rateLimit: SURVEY_BUDGET },
        schema: { hide: true, params: TokenParam, body: AnswerBody },
        attachValidation: true,
      },
      async (request, reply) => {
        const link = await service.survey.open(request.params.jeton);
        if (link.state !== 'open')
          return htmlReply(reply, link.state === 'expired' ? 410 : 409, closedPage(link.state));
        const body = (request.validationError ? {} : request.body) as Record<string, string | undefined>;
        try {
          if (request.validationError) throw invalidForm(request.validationError);
          await service.survey.answer(request.params.jeton, body);
          return htmlReply(
            reply,
            200,
            surveyMessagePage('Merci !', 'Vos réponses sont enregistrées, anonymement.'),
          );
        } catch (e) {
          if (!(e instanceof DomainError)) throw e;
          if (e.code === 'conflict') return htmlReply(reply, 409, closedPage('answered'));
          return htmlReply(
            reply,
            statusOf(e.code),
            surveyFormPage({
              csrf: csrfField(ctx, request, reply),
              token: request.params.jeton,
              structureName: link.structureName,
              error: { field: e.field ?? null, message: e.message },
              values: { demarche: body.demarche, accueil: body.accueil, recommande: body.recommande },
            }),
          );
        }
      },
    );

    app.get('/statistiques', { schema: { hide: true } }, async (_request, reply) =>
      htmlReply(
        reply,
        200,
        statistiquesPage({
          months: publishedMonths(service.currentMonth()),
          threshold: service.secretThreshold,
        }),
      ),
    );

    app.get(
      '/statistiques/:fichier',
      {
        config: { rateLimit: RATE_BUDGETS.export },
        schema: { hide: true, params: Type.Object({ fichier: Type.String({ maxLength: 60 }) }) },
      },
      async (request, reply) => {
        const m = FILE.exec(request.params.fichier);
        if (!m) throw notFound('Fichier inconnu : voir la liste sur /statistiques.');
        const [, period, kind, ext] = m as unknown as [string, string, OpenDataFileId, 'csv' | 'json'];
        if (!OPENDATA_FILES.some((f) => f.id === kind)) throw notFound();
        let body: string;
        if (kind === 'national-demarche') {
          const { table } = await service.openDataDemarches({ period });
          body = ext === 'json' ? JSON.stringify(table) : demarcheCsv(table);
        } else {
          const { table } = await service.openData({
            period,
            by: kind === 'departement-canal' ? 'canal' : 'partenaire',
          });
          body = ext === 'json' ? JSON.stringify(table) : openDataCsv(table);
        }
        return reply
          .type(ext === 'json' ? 'application/json; charset=utf-8' : 'text/csv; charset=utf-8')
          .header('cache-control', 'public, max-age=3600')
          .header(
            'content-disposition',
            `${ext === 'csv' ? 'attachment' : 'inline'}; filename="france-services-${period}-${kind}.${ext}"`,
          )
          .send(body);
      },
    );
  };
