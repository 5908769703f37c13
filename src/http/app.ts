import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { AppContext } from '../composition.js';
import { assetsPlugin } from './plugins/assets.js';
import { errorsPlugin } from './plugins/errors.js';
import { securityPlugin } from './plugins/security.js';
import { sessionPlugin } from './plugins/session.js';
import { accompagnementRoutes } from './routes/accompagnement.routes.js';
import { accompagnementApiRoutes } from './routes/accompagnement-api.routes.js';
import { accountsRoutes } from './routes/accounts.routes.js';
import { backofficeRoutes } from './routes/backoffice.routes.js';
import { healthRoutes } from './routes/health.routes.js';
import { labellingRoutes } from './routes/labelling.routes.js';
import { mobileRoutes } from './routes/mobile.routes.js';
import { mobileBackofficeRoutes } from './routes/mobile-backoffice.routes.js';
import { publicPagesRoutes } from './routes/public-pages.routes.js';
import { structuresRoutes } from './routes/structures.routes.js';
import { territoryRoutes } from './routes/territory.routes.js';

export type App = FastifyInstance;

/**
 * The HTTP shell around a context: external plugins first, then ours, then routes.
 * No `listen` here: tests call `app.inject()`, the server calls `listen`.
 */
export async function buildApp(ctx: AppContext): Promise<App> {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    bodyLimit: 1_048_576,
    trustProxy: true,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: true, allErrors: false } },
    routerOptions: { maxParamLength: 200, ignoreTrailingSlash: true },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // External
  await app.register(securityPlugin, { config: ctx.config });
  await app.register(formbody, { bodyLimit: 262_144 });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'API Maillage — France Services',
        description: 'Annuaire et localisateur des France Services. Données sous Licence Ouverte.',
        version: '1',
      },
      servers: [{ url: ctx.config.publicUrl }],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: 'MAILLAGE_ADMIN_TOKEN (endpoints réservés)',
          },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  // Ours
  await app.register(errorsPlugin);
  await app.register(assetsPlugin);
  await app.register(sessionPlugin(ctx));

  // Routes, one plugin per capability.
  await app.register(healthRoutes(ctx));
  await app.register(accountsRoutes(ctx));
  await app.register(backofficeRoutes(ctx));
  await app.register(labellingRoutes(ctx));
  await app.register(structuresRoutes(ctx));
  await app.register(territoryRoutes(ctx));
  await app.register(publicPagesRoutes(ctx));
  await app.register(mobileRoutes(ctx));
  await app.register(mobileBackofficeRoutes(ctx));
  await app.register(accompagnementApiRoutes(ctx));
  await app.register(accompagnementRoutes(ctx));

  return app;
}
