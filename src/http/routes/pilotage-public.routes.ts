import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../composition.js';
import { demarcheCsv, openDataCsv } from '../../domain/pilotage/index.js';
import { notFound } from '../../domain/shared/errors.js';
import {
  OPENDATA_FILES,
  type OpenDataFileId,
  statistiquesPage,
} from '../../web/views/pilotage/statistiques.view.js';
import { RATE_BUDGETS } from '../plugins/rate-limit.js';
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
