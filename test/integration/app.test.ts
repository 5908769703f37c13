import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  });

  it('publishes the OpenAPI document', async () => {
    const res = await t.app.inject('/api/docs/json');
    expect(res.statusCode).toBe(200);
    expect(res.json().paths).toHaveProperty('/health');
  });
});
