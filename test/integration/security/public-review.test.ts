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

  it('finding 8: costly anonymous endpoints have a budget; past it, a French 429 (page or API error)', async () => {
    const ask = (url: string, ip: string) => t.app.inject({ method: 'GET', url, remoteAddress: ip });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push((await ask('/api/v1/structures/export?format=geojson', '192.0.2.80')).statusCode);
    expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
    const over = await ask('/api/v1/structures/export?format=geojson', '192.0.2.80');
    expect(over.statusCode).toBe(429);
    expect(over.headers['retry-after']).toBeDefined();
    const body = over.json() as { error: string; field: null; message: string };
    expect(body.error).toBe('rate_limited');
    expect(body.field).toBeNull();
    expect(body.message).toContain('Trop de requêtes');
    // Another client is not affected, nor are cheap endpoints for the same client.
    expect((await ask('/api/v1/structures/export?format=csv', '192.0.2.81')).statusCode).toBe(200);
    expect((await ask('/health', '192.0.2.80')).statusCode).toBe(200);
    // A page answers the French page.
    let page = await ask('/territoires/export.csv?territoire=dep:02&table=communes', '192.0.2.82');
    for (let i = 0; i < 25 && page.statusCode !== 429; i++)
      page = await ask('/communes/02691/affiche.pdf', '192.0.2.82');
    expect(page.statusCode).toBe(429);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('Trop de requêtes');
    // X-Forwarded-For from a client does not buy a fresh budget (no trusted proxy configured).
    const spoofed = await t.app.inject({
      method: 'GET',
      url: '/api/v1/structures/export?format=geojson',
      remoteAddress: '192.0.2.80',
      headers: { 'x-forwarded-for': '10.1.2.3' },
    });
    expect(spoofed.statusCode).toBe(429);
  });

  it('finding 8: the export body is built once per version of the directory, and rebuilt after an edit', async () => {
    const first = await t.app.inject({
      method: 'GET',
      url: '/api/v1/structures/export?format=csv',
      remoteAddress: '192.0.2.90',
    });
    const s = await insertStructure(t.ctx, { name: 'France Services de Bohain' });
    const second = await t.app.inject({
      method: 'GET',
      url: '/api/v1/structures/export?format=csv',
      remoteAddress: '192.0.2.90',
    });
    expect(first.body).not.toContain('Bohain');
    expect(second.body).toContain('Bohain');
    await t.ctx.db
      .updateTable('structures')
      .set({
        name: 'France Services de Bohain-en-Vermandois',
        version: 2,
        updated_at: new Date('2026-11-30T10:00:00Z'),
      })
      .where('id', '=', s.id)
      .execute();
    const third = await t.app.inject({
      method: 'GET',
      url: '/api/v1/structures/export?format=csv',
      remoteAddress: '192.0.2.90',
    });
    expect(third.body).toContain('Bohain-en-Vermandois');
    const again = await t.app.inject({
      method: 'GET',
      url: '/api/v1/structures/export?format=csv',
      remoteAddress: '192.0.2.90',
    });
    expect(again.body).toBe(third.body);
  });
});
