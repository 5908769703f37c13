import compress from '@fastify/compress';
import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { AppContext } from '../composition.js';
import { assetsPlugin } from './plugins/assets.js';
import { errorsPlugin, frenchFrameworkError } from './plugins/errors.js';
import { finiteNumbersAjvPlugin, finiteRouteInputs } from './plugins/finite-numbers.js';
import { requestSerializer } from './plugins/log-redaction.js';
import { rateLimitPlugin } from './plugins/rate-limit.js';
import { lazySchemaCompilers, type SchemaWarmUp } from './plugins/schema-compilers.js';
import { securityHeadersBeforeRouting, securityPlugin } from './plugins/security.js';
import { sessionPlugin } from './plugins/session.js';
import { accompagnementRoutes } from './routes/accompagnement.routes.js';
import { accompagnementApiRoutes } from './routes/accompagnement-api.routes.js';
import { accountsRoutes } from './routes/accounts.routes.js';
import { backofficeRoutes } from './routes/backoffice.routes.js';
import { directoryImportRoutes } from './routes/directory-import.routes.js';
import { escaladeRoutes } from './routes/escalade.routes.js';
import { healthRoutes } from './routes/health.routes.js';
import { labellingRoutes } from './routes/labelling.routes.js';
import { mobileRoutes } from './routes/mobile.routes.js';
import { mobileBackofficeRoutes } from './routes/mobile-backoffice.routes.js';
import { pilotageRoutes } from './routes/pilotage.routes.js';
import { pilotagePublicRoutes } from './routes/pilotage-public.routes.js';
import { publicPagesRoutes } from './routes/public-pages.routes.js';
import { rappelRoutes } from './routes/rappel.routes.js';
import { rendezvousRoutes } from './routes/rendezvous.routes.js';
import { rendezvousApiRoutes } from './routes/rendezvous-api.routes.js';
import { rendezvousEspaceRoutes } from './routes/rendezvous-espace.routes.js';
import { structuresRoutes } from './routes/structures.routes.js';
import { territoryRoutes } from './routes/territory.routes.js';

export type App = FastifyInstance;

declare module 'fastify' {
  interface FastifyInstance {
    /** Compiles the route schemas not compiled yet (plugins/schema-compilers.ts); also run after `listen`. */
    warmUpSchemas(): Promise<SchemaWarmUp>;
  }
}

/**
 * The HTTP shell around a context: external plugins first, then ours, then routes.
 * No `listen` here: tests call `app.inject()`, the server calls `listen`.
 */
export async function buildApp(ctx: AppContext): Promise<App> {
  const securityHeaders = securityHeadersBeforeRouting(ctx.config);
  // Route schemas are compiled on first use or just after `listen`, not before it (issue 16, item 3).
  const schemas = lazySchemaCompilers();
  const app = Fastify({
    // Tokens in URLs never reach the access log (finding 11).
    loggerInstance: ctx.logger.child({}, { serializers: { req: requestSerializer } }) as FastifyBaseLogger,
    bodyLimit: 1_048_576,
    // X-Forwarded-For only from the configured proxies (finding 6b): otherwise the TCP peer.
    trustProxy: ctx.config.trustProxy.length > 0 ? [...ctx.config.trustProxy] : false,
    ajv: {
      customOptions: { coerceTypes: 'array', removeAdditional: true, allErrors: false },
      plugins: [finiteNumbersAjvPlugin],
    },
    schemaController: { compilersFactory: schemas.compilersFactory },
    routerOptions: { maxParamLength: 200, ignoreTrailingSlash: true },
    frameworkErrors: (error, request, reply) => {
      securityHeaders(request.raw, reply.raw);
      return frenchFrameworkError(error, request, reply);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.decorate('warmUpSchemas', () => schemas.warmUp());
  app.addHook('onListen', (done) => {
    const started = performance.now();
    void schemas.warmUp().then(({ compiled, failures }) => {
      const ms = Math.round(performance.now() - started);
      app.log.info({ compiled, ms }, 'schémas des routes compilés');
      for (const { route, error } of failures)
        app.log.error({ err: error, route }, 'schéma de route invalide');
    });
    done();
  });
  // Before any route: numbers in every route's input must be finite (finding 7, issue 9).
  app.addHook('onRoute', finiteRouteInputs);

  // External
  await app.register(securityPlugin, { config: ctx.config });
  // Brotli or gzip for pages and JSON; the static bundles come precompressed (plugins/assets.ts).
  await app.register(compress, { encodings: ['br', 'gzip'], threshold: 1024 });
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
  await app.register(rateLimitPlugin);

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
  await app.register(directoryImportRoutes(ctx));
  await app.register(accompagnementApiRoutes(ctx));
  await app.register(accompagnementRoutes(ctx));
  await app.register(rappelRoutes(ctx));
  await app.register(escaladeRoutes(ctx));
  await app.register(pilotageRoutes(ctx));
  await app.register(pilotagePublicRoutes(ctx));
  await app.register(rendezvousApiRoutes(ctx));
  await app.register(rendezvousRoutes(ctx));
  await app.register(rendezvousEspaceRoutes(ctx));

  return app;
}
