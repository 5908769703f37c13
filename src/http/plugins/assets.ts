import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

/** The design system, Leaflet and our own islands, served from the installed packages (no CDN). */
export const assetsPlugin = fp(
  async (app: FastifyInstance) => {
    const cache = { maxAge: '1d', immutable: false };
    await app.register(fastifyStatic, {
      root: join(packageDir('@gouvfr/dsfr'), 'dist'),
      prefix: '/assets/dsfr/',
      decorateReply: false,
      ...cache,
    });
    await app.register(fastifyStatic, {
      root: join(packageDir('leaflet'), 'dist'),
      prefix: '/assets/leaflet/',
      decorateReply: false,
      ...cache,
    });
    await app.register(fastifyStatic, {
      root: join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'assets'),
      prefix: '/assets/app/',
      decorateReply: false,
      maxAge: '5m',
    });
  },
  { name: 'assets' },
);
