import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import {
  BUILT_PREFIX,
  type BuiltAsset,
  builtAssets,
  DSFR_DIST,
  DSFR_PREFIX,
  LEAFLET_DIST,
  LEAFLET_PREFIX,
  OWN_ASSETS,
} from '../../web/asset-bundle.js';

const YEAR = { maxAge: '365d', immutable: true } as const;

/** Where the built assets and their compressed twins go: node_modules/.cache, or the temp folder if read-only. */
function cacheFolder(): string {
  const candidates = [
    join(DSFR_DIST, '..', '..', '..', '.cache', 'maillage-assets'),
    join(tmpdir(), 'maillage-assets'),
  ];
  for (const dir of candidates) {
    try {
      mkdirSync(dir, { recursive: true });
      const probe = join(dir, `.probe-${process.pid}`);
      writeFileSync(probe, '');
      renameSync(probe, join(dir, '.writable'));
      return dir;
    } catch {
      // try the next one
    }
  }
  throw new Error(
    'Aucun dossier inscriptible pour les fichiers statiques (node_modules/.cache ou dossier temporaire).',
  );
}

/** Writes a file unless an identical one (same hashed name and size) is there; rename keeps readers from half files. */
function writeOnce(path: string, body: Buffer): void {
  if (existsSync(path) && statSync(path).size === body.length) return;
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, body);
  renameSync(temp, path);
}

/** The hashed file and its .br and .gz twins; compressed once, reused by every later start. */
function writeBuilt(dir: string, asset: BuiltAsset): void {
  const path = join(dir, asset.file);
  if (!existsSync(`${path}.br`)) {
    writeOnce(
      `${path}.br`,
      brotliCompressSync(asset.body, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
          [constants.BROTLI_PARAM_SIZE_HINT]: asset.body.length,
        },
      }),
    );
  }
  if (!existsSync(`${path}.gz`)) writeOnce(`${path}.gz`, gzipSync(asset.body, { level: 9 }));
  writeOnce(path, asset.body);
}

/**
 * Static files, from the installed packages (no CDN):
 * - /assets/v/: the built, fingerprinted bundles (src/web/asset-bundle.ts), precompressed, cached for a year;
 * - /assets/dsfr/<version>/, /assets/leaflet/<version>/: package files the bundles point to (fonts, icons,
 *   images), immutable for a given version;
 * - /assets/dsfr/, /assets/leaflet/, /assets/app/: the unversioned paths, kept for older links, cached briefly.
 */
export const assetsPlugin = fp(
  async (app: FastifyInstance) => {
    const dir = cacheFolder();
    for (const asset of builtAssets().values()) writeBuilt(dir, asset);
    await app.register(fastifyStatic, {
      root: dir,
      prefix: BUILT_PREFIX,
      decorateReply: false,
      preCompressed: true,
      allowedPath: (path) => !path.includes('/.'),
      ...YEAR,
    });
    await app.register(fastifyStatic, {
      root: DSFR_DIST,
      prefix: DSFR_PREFIX,
      decorateReply: false,
      ...YEAR,
    });
    await app.register(fastifyStatic, {
      root: LEAFLET_DIST,
      prefix: LEAFLET_PREFIX,
      decorateReply: false,
      ...YEAR,
    });
    const brief = { maxAge: '1d', immutable: false };
    await app.register(fastifyStatic, {
      root: DSFR_DIST,
      prefix: '/assets/dsfr/',
      decorateReply: false,
      ...brief,
    });
    await app.register(fastifyStatic, {
      root: LEAFLET_DIST,
      prefix: '/assets/leaflet/',
      decorateReply: false,
      ...brief,
    });
    await app.register(fastifyStatic, {
      root: OWN_ASSETS,
      prefix: '/assets/app/',
      decorateReply: false,
      maxAge: '5m',
    });
    // Pages change with the data: never kept long. Routes that chose their own policy keep it.
    app.addHook('onSend', async (_request, reply, payload) => {
      const type = String(reply.getHeader('content-type') ?? '');
      if (type.startsWith('text/html') && !reply.hasHeader('cache-control'))
        reply.header('cache-control', 'no-cache');
      return payload;
    });
  },
  { name: 'assets' },
);
