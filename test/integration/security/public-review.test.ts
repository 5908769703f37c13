import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertStructure } from '../../support/accounts.js';
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

  it('finding 10: a formula in a structure comment comes out neutralised in the public CSV export', async () => {
    const formula = '=HYPERLINK("http://127.0.0.1:9/x","Cliquez ici")';
    const s = await insertStructure(t.ctx, { name: 'France Services de Guise' });
    await t.ctx.db.updateTable('structures').set({ comment: formula }).where('id', '=', s.id).execute();
    const r = await t.app.inject({ method: 'GET', url: '/api/v1/structures/export?format=csv' });
    expect(r.statusCode).toBe(200);
    const rows = parse(r.body, { columns: true }) as Record<string, string>[];
    const row = rows.find((x) => x.id_fs === s.idFs);
    expect(row?.commentaire).toBe(`'${formula}`);
    expect(row?.lib_fs).toBe('France Services de Guise');
    expect(r.body).not.toMatch(/(^|,)"?=HYPERLINK/m);
  });
});
