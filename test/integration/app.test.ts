import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assetHref, DSFR_PREFIX } from '../../src/web/asset-bundle.js';
import { buildTestApp, type TestApp } from '../support/app.js';

describe('HTTP shell', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({
      // A route that fails the way a bug would: the answer must not leak it.
      beforeReady: (app) =>
        app.get('/api/v1/__boom', async () => {
          throw new Error('secret internals: password=hunter2');
        }),
    });
  });
  afterAll(async () => t?.close());

  it('answers /health when the database answers', async () => {
    const res = await t.app.inject('/health');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', database: expect.stringMatching(/pglite|postgres/) });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('turns an unexpected error into a generic French 500 without internals', async () => {
    const res = await t.app.inject('/api/v1/__boom');
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({
      error: 'internal',
      field: null,
      message: expect.stringContaining('erreur interne'),
    });
    expect(res.body).not.toContain('hunter2');
  });

  it('answers unknown API paths with a JSON 404 and unknown pages with a French HTML page', async () => {
    const api = await t.app.inject('/api/v1/nothing-here');
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ error: 'not_found', field: null });
    const page = await t.app.inject('/pas-de-page-ici');
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<html lang="fr"');
    expect(page.body).toContain('Page introuvable');
  });

  it('sends security headers with a CSP that forbids inline script', async () => {
    const res = await t.app.inject('/health');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves the design system from the installed package', async () => {
    const res = await t.app.inject('/assets/dsfr/dsfr.min.css');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/css');
    // The versioned path the bundles point to (fonts, icons) is cached as immutable.
    const font = await t.app.inject(`${DSFR_PREFIX}fonts/Marianne-Regular.woff2`);
    expect(font.statusCode).toBe(200);
    expect(font.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('compresses pages and JSON with brotli or gzip, as the browser accepts, and keeps pages briefly', async () => {
    const br = await t.app.inject({ url: '/', headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['cache-control']).toBe('no-cache');
    expect(brotliDecompressSync(br.rawPayload).toString()).toContain('<html lang="fr"');
    const gzip = await t.app.inject({ url: '/api/docs/json', headers: { 'accept-encoding': 'gzip' } });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(gzip.rawPayload).toString()).paths).toHaveProperty('/health');
    const plain = await t.app.inject('/');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toContain('<html lang="fr"');
    // An unknown or hostile encoding is answered uncompressed, never with an error.
    const odd = await t.app.inject({ url: '/', headers: { 'accept-encoding': 'x-<script>, *;q=0' } });
    expect(odd.statusCode).toBeLessThan(500);
  });

  it('serves the fingerprinted bundles precompressed and immutable, and nothing outside them', async () => {
    const css = assetHref('site.css');
    expect(css).toMatch(/^\/assets\/v\/site\.[0-9a-f]{12}\.css$/);
    const br = await t.app.inject({ url: css, headers: { 'accept-encoding': 'br' } });
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const text = brotliDecompressSync(br.rawPayload).toString();
    expect(text).toContain('.fr-header__navbar');
    // Only the icons the views use, not the 300 KB icon sheet.
    expect(text).toContain('.fr-icon-search-line');
    expect(text).not.toContain('.fr-icon-zoom-in-line');
    // Fonts and icons are linked under the package's version.
    expect(text).toContain(`url(${DSFR_PREFIX}fonts/Marianne-Regular.woff2)`);
    for (const url of ['/assets/v/../../package.json', '/assets/v/.writable', '/assets/v/site.css']) {
      expect((await t.app.inject(url)).statusCode).toBe(404);
    }
  });

  it('publishes the OpenAPI document', async () => {
    const res = await t.app.inject('/api/docs/json');
    expect(res.statusCode).toBe(200);
    expect(res.json().paths).toHaveProperty('/health');
  });

  it('compiles every route schema (Fastify did so before listening; now on first use or after listening)', async () => {
    const { compiled, failures } = await t.app.warmUpSchemas();
    expect(failures).toEqual([]);
    expect(compiled).toBeGreaterThan(100);
    // Validation is the compiled one: a bad query is refused with the usual French 400.
    const res = await t.app.inject('/api/v1/structures/nearest?lat=abc&lon=2.35');
    expect(res.statusCode).toBe(400);
    expect(await t.app.warmUpSchemas()).toEqual({ compiled: 0, failures: [] });
  });
});
