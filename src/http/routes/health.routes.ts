import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../composition.js';
import { ping } from '../../db/database.js';

/** Liveness and readiness in one: answers 200 only when the database answers. */
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
  };
