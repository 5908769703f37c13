import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../support/app.js';

/** Public-side findings of the security review (issue 9, docs/adr/0004-security-review.md). */
describe('security review: public endpoints', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t?.close());

  it('path traversal under /assets/dsfr answers the French 404 page, never JSON', async () => {
    // (A literal `/../` is resolved by the client before sending: only encoded forms reach us.)
    for (const url of [
      '/assets/dsfr/..%2F..%2Fpackage.json',
      '/assets/dsfr/..%2f..%2f..%2fetc%2fpasswd',
      '/assets/leaflet/..%2F..%2Fpackage.json',
    ]) {
      const r = await t.app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(404);
      expect(r.headers['content-type'], url).toContain('text/html');
      expect(r.body, url).toContain('Page introuvable');
      expect(r.body, url).not.toContain('"name"');
    }
    // A real asset is still served.
    expect((await t.app.inject({ method: 'GET', url: '/assets/app/app.css' })).statusCode).toBe(200);
  });
});
