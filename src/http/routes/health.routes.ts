import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../composition.js';
import { ping } from '../../db/database.js';

/**
 * `/health`: liveness (the process answers and so does its database). `/ready`: readiness for a load
 * balancer or an orchestrator: the database answers and the directory is loaded into the locator's
 * index, so the first visitor does not pay for it. Both are cheap: the index is rebuilt only when the
 * directory changed (a fingerprint, checked at most every 2 s).
 */
export const healthRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/health',
      {
        schema: {
          tags: ['exploitation'],
          summary: 'État du service',
          response: { 200: Type.Object({ status: Type.Literal('ok'), database: Type.String() }) },
        },
      },
      async (_request, reply) => {
        await ping(ctx.db);
        reply.header('cache-control', 'no-store');
        return { status: 'ok' as const, database: ctx.database.kind };
      },
    );

    const Ready = Type.Object({
      status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
      database: Type.String(),
      /** Structures in the locator's index; 0 on an empty directory (still ready: nothing to wait for). */
      structures: Type.Integer(),
      /** Commune centroids loaded (search by commune name works); false without MAILLAGE_REF_DIR. */
      communeCentroids: Type.Boolean(),
      message: Type.Optional(Type.String()),
    });
    app.get(
      '/ready',
      {
        schema: {
          tags: ['exploitation'],
          summary: 'Prêt à servir (base joignable, annuaire chargé)',
          response: { 200: Ready, 503: Ready },
        },
      },
      async (_request, reply) => {
        reply.header('cache-control', 'no-store');
        const communeCentroids = ctx.geography.centroidsProblem === null;
        try {
          await ping(ctx.db);
          const snapshot = await ctx.locator.snapshot();
          return {
            status: 'ready' as const,
            database: ctx.database.kind,
            structures: snapshot.byId.size,
            communeCentroids,
          };
        } catch (error) {
          ctx.logger.warn({ err: error }, 'pas prêt : base de données injoignable');
          return reply.code(503).send({
            status: 'not_ready' as const,
            database: ctx.database.kind,
            structures: 0,
            communeCentroids,
            message: 'La base de données ne répond pas.',
          });
        }
      },
    );
  };
