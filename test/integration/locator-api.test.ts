import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertStructures } from '../../src/db/repositories/directory.repository.js';
import { weeklyHoursFromText } from '../../src/domain/directory/opening-hours.js';
import { exportStructures } from '../../src/services/directory/export.service.js';
import { importStructures } from '../../src/services/directory/import.service.js';
import { loadGeography } from '../../src/services/geography/load-geography.js';
import { buildTestApp, REAL_DATA, readRealText, type TestApp } from '../support/app.js';
import { aStructure } from '../support/structures.js';

// Tuesday 24 November 2026, 10:30 in Paris.
const NOW = '2026-11-24T09:30:00Z';

describe('locator API on hand-written structures', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ now: NOW });
    await insertStructures(t.ctx.db, [
      aStructure({ idFs: 'GUISE', name: 'France services de Guise', lat: 49.9, lon: 3.627 }),
      aStructure({
        idFs: 'HIRSON',
        name: 'France services d’Hirson',
        lat: 49.921,
        lon: 4.083,
        appointment: true,
        partners: ['caf', 'msa'],
        hours: weeklyHoursFromText({ mercredi: '09:00 - 12:00' }).hours,
      }),
      aStructure({ idFs: 'BUS', name: 'Bus France services Thiérache', format: 'bus', lat: 49.8, lon: 3.9 }),
      aStructure({ idFs: 'NOCOORD', name: 'Sans coordonnées', lat: null, lon: null }),
      aStructure({
        idFs: 'LILLE',
        name: 'France services de Lille',
        codeInsee: '59350',
        departement: '59',
        lat: 50.63,
        lon: 3.06,
      }),
    ]);
  });
  afterAll(async () => t?.close());

  const nearest = (qs: string) => t.app.inject(`/api/v1/structures/nearest?${qs}`);

  it('sorts by great-circle distance and estimates the travel time', async () => {
    const res = await nearest('lat=49.9&lon=3.63&limit=3');
    expect(res.statusCode).toBe(200);
    const items = res.json().items;
    expect(items.map((i: { idFs: string }) => i.idFs)).toEqual(['GUISE', 'BUS', 'HIRSON']);
    expect(items[0].distanceKm).toBeLessThan(1);
    expect(items[2].distanceKm).toBeGreaterThan(30);
    expect(items[2].travelMinutes).toBeGreaterThan(items[0].travelMinutes);
    expect(items[0].opening).toMatchObject({ open: true, label: 'Ouvert maintenant · ferme à 12:00' });
  });

  it('filters by open now, partner, format, appointment and radius', async () => {
    const ids = async (qs: string) => (await nearest(qs)).json().items.map((i: { idFs: string }) => i.idFs);
    expect(await ids('lat=49.9&lon=3.63&openNow=true')).not.toContain('HIRSON'); // open on Wednesdays only
    expect(await ids('lat=49.9&lon=3.63&partner=msa&format=fixe')).toEqual(['GUISE', 'HIRSON', 'LILLE']);
    expect(await ids('lat=49.9&lon=3.63&format=mobile')).toEqual(['BUS']);
    // The appointment filter means "bookable online within 14 days" (issue 15): no structure here has
    // motifs and plages, so none matches; Hirson still says it takes appointments (official list).
    expect(await ids('lat=49.9&lon=3.63&appointment=true')).toEqual([]);
    const all = (await nearest('lat=49.9&lon=3.63&appointment=false&limit=5')).json().items;
    expect(all.find((i: { idFs: string }) => i.idFs === 'HIRSON')).toMatchObject({
      appointment: true,
      onlineBooking: false,
    });
    expect(await ids('lat=49.9&lon=3.63&radiusKm=25')).toEqual(['GUISE', 'BUS']);
  });

  it('answers the same nearest list from SQL (earthdistance) as from the kd-tree', async () => {
    for (const q of [
      { lat: 49.9, lon: 3.63, limit: 4 },
      { lat: 50.6, lon: 3.0, limit: 2 },
      { lat: 49.9, lon: 3.63, limit: 5, partner: 'msa' as const },
    ]) {
      const a = await t.ctx.locator.nearest(q);
      const b = await t.ctx.locator.nearestSql(q);
      expect(b.map((i) => i.structure.idFs)).toEqual(a.map((i) => i.structure.idFs));
    }
  });

  it('refuses bad parameters with 400 {error, field, message} in French', async () => {
    const cases: Array<[string, string]> = [
      ['lon=3', 'lat'],
      ['lat=abc&lon=3', 'lat'],
      ['lat=91&lon=3', 'lat'],
      ['lat=49&lon=3&limit=0', 'limit'],
      ['lat=49&lon=3&limit=100000000000000000000', 'limit'],
      ['lat=49&lon=3&partner=<script>', 'partner'],
      ['lat=49&lon=3&radiusKm=-1', 'radiusKm'],
      ['lat=49&lon=3&openNow=maybe', 'openNow'],
    ];
    for (const [qs, field] of cases) {
      const res = await nearest(qs);
      expect(res.statusCode, qs).toBe(400);
      expect(res.json(), qs).toEqual({ error: 'invalid', field, message: expect.any(String) });
      expect(res.body).not.toContain('<script>');
    }
  });

  it('revalidates a nearest answer with its ETag, and changes it when the minute turns', async () => {
    const first = await nearest('lat=49.9&lon=3.63&limit=2');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^W\//);
    const again = await t.app.inject({
      url: '/api/v1/structures/nearest?lat=49.9&lon=3.63&limit=2',
      headers: { 'if-none-match': etag },
    });
    expect(again.statusCode).toBe(304);
    const other = await nearest('lat=49.9&lon=3.63&limit=3');
    expect(other.headers.etag).not.toBe(etag);
  });

  it('ignores unknown parameters (removed by the schema, as documented in the OpenAPI)', async () => {
    expect((await nearest('lat=49.9&lon=3.63&limit=1&evil=<script>')).statusCode).toBe(200);
  });

  it('pages the department list and serves one structure by id or id_fs, with ETag revalidation', async () => {
    const list = await t.app.inject('/api/v1/structures?department=02&perPage=2&page=2');
    expect(list.statusCode).toBe(200);
    expect(list.json()).toMatchObject({ total: 4, page: 2, perPage: 2 });
    expect(list.json().items).toHaveLength(2);
    expect((await t.app.inject('/api/v1/structures?department=1000')).statusCode).toBe(400);

    const one = await t.app.inject('/api/v1/structures/GUISE');
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({
      idFs: 'GUISE',
      hours: { lundi: '09:00 - 12:00 / 13:30 - 17:00', samedi: '' },
    });
    const byUuid = await t.app.inject(`/api/v1/structures/${one.json().id}`);
    expect(byUuid.json().idFs).toBe('GUISE');
    const again = await t.app.inject({
      url: '/api/v1/structures/GUISE',
      headers: { 'if-none-match': one.headers.etag as string },
    });
    expect(again.statusCode).toBe(304);
    const missing = await t.app.inject('/api/v1/structures/00000000-0000-0000-0000-000000000000');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: 'not_found' });
  });

  it('exports the directory as official CSV, GeoJSON and the national LMN schema', async () => {
    const csv = await t.app.inject('/api/v1/structures/export?format=csv');
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\n')[0]).toContain('"id_fs"');
    expect(csv.body).toContain('France services de Guise');
    const geo = await t.app.inject('/api/v1/structures/export?format=geojson');
    expect(geo.json()).toMatchObject({ type: 'FeatureCollection' });
    expect(geo.json().features).toHaveLength(4); // the one without coordinates is left out
    const lmn = await t.app.inject('/api/v1/structures/export?format=lmn');
    expect(JSON.stringify(lmn.json())).toContain('France Services');
    expect((await t.app.inject('/api/v1/structures/export?format=xls')).statusCode).toBe(400);
  });
});

describe('the real 2024 list, imported then queried', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ now: NOW, geography: loadGeography(REAL_DATA) });
  });
  afterAll(async () => t?.close());

  it('imports every row, then is idempotent', async () => {
    const bytes = Buffer.from(readRealText('france-services-2024-08.csv'), 'utf8');
    const deps = { db: t.ctx.db, communes: t.ctx.geography.communes };
    const first = await importStructures(deps, bytes, { source: 'france-services-2024-08.csv' });
    expect(first.created + new Set(first.rejected.map((r) => r.line)).size).toBe(2845);
    expect(first.created).toBeGreaterThanOrEqual(2840);
    const second = await importStructures(deps, bytes, { source: 'france-services-2024-08.csv' });
    expect(second).toMatchObject({ created: 0, updated: 0, unchanged: first.created });
  });

  it('exports every mail and telephone cell exactly as the official file has it (several addresses kept)', async () => {
    const text = readRealText('france-services-2024-08.csv');
    const source = parse(text, { columns: true, bom: true }) as Array<Record<string, string>>;
    const exported = await exportStructures({ db: t.ctx.db, clock: t.ctx.clock }, 'csv');
    const rows = parse(String(exported.body), { columns: true }) as Array<Record<string, string>>;
    const byId = new Map(rows.map((r) => [r.id_fs, r]));
    let compared = 0;
    for (const row of source) {
      const out = byId.get(row.id_fs as string);
      if (!out) continue; // a rejected row (counted by the import test)
      expect([row.id_fs, out.mail, out.telephone]).toEqual([row.id_fs, row.mail, row.telephone]);
      compared++;
    }
    expect(compared).toBe(rows.length);
    expect(compared).toBeGreaterThanOrEqual(2840);
    // The two rows with several addresses, through the API and the public page.
    const several = source.filter((r) => (r.mail ?? '').includes(' - '));
    expect(several.length).toBe(2);
    for (const row of several) {
      const api = (await t.app.inject(`/api/v1/structures/${row.id_fs}`)).json();
      expect(api.emails).toEqual((row.mail as string).split(' - '));
      const page = await t.app.inject(`/structures/${api.id}`);
      for (const address of api.emails) expect(page.body).toContain(`href="mailto:${address}"`);
    }
  });

  it('finds the nearest counters around Guise (Aisne), each within reach', async () => {
    const res = await t.app.inject('/api/v1/structures/nearest?lat=49.9&lon=3.63&limit=10');
    const items = res.json().items as Array<{ departement: string; distanceKm: number }>;
    expect(items).toHaveLength(10);
    expect(items[0]?.departement).toBe('02');
    expect(items[0]?.distanceKm).toBeLessThan(10);
    expect(items.map((i) => i.distanceKm)).toEqual([...items.map((i) => i.distanceKm)].sort((a, b) => a - b));
  });

  it('lists the department of the Aisne completely through paging', async () => {
    const first = (await t.app.inject('/api/v1/structures?department=02&perPage=200')).json();
    expect(first.total).toBeGreaterThan(20);
    expect(first.items).toHaveLength(first.total);
  });
});
