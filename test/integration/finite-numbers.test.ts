import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertStructures } from '../../src/db/repositories/directory.repository.js';
import { FINITE_KEYWORD } from '../../src/http/plugins/finite-numbers.js';
import { buildTestApp, TEST_ADMIN_TOKEN, type TestApp } from '../support/app.js';
import { aStructure } from '../support/structures.js';

/**
 * Finding 7 of issue 9: `Infinity` passed the numeric limits (AJV coerces the text to Infinity, then skips
 * minimum/maximum). `nearest?limit=Infinity` returned every structure; lat, lon, page or perPage set to
 * Infinity, -Infinity or 1e309 answered 500.
 */
const HOSTILE_NUMBERS = [
  'Infinity',
  '-Infinity',
  '%2BInfinity',
  '1e309',
  '-1e309',
  '1E400',
  'NaN',
  '-NaN',
  '99999999999999999999999',
  '9'.repeat(400),
  '0x7fffffffffffffff',
  '1e308',
];

/** [route with valid values for the other parameters, the numeric parameter under attack]. */
const NUMERIC_INPUTS: Array<[string, string]> = [
  ['/api/v1/structures/nearest?lon=3.63', 'lat'],
  ['/api/v1/structures/nearest?lat=49.9', 'lon'],
  ['/api/v1/structures/nearest?lat=49.9&lon=3.63', 'limit'],
  ['/api/v1/structures/nearest?lat=49.9&lon=3.63', 'radiusKm'],
  ['/api/v1/structures?department=02', 'page'],
  ['/api/v1/structures?department=02', 'perPage'],
  ['/api/v1/plan?territory=dep:02', 'k'],
  ['/api/v1/plan?territory=dep:02&k=2', 'minutes'],
  ['/api/v1/plan?territory=dep:02&k=2', 'radiusKm'],
  ['/api/v1/plan?territory=dep:02&k=2', 'minPopulation'],
  ['/api/v1/plan/one-per-canton?territory=dep:02', 'minutes'],
  ['/api/v1/plan/one-per-canton?territory=dep:02', 'radiusKm'],
  ['/api/v1/plan/one-per-canton?territory=dep:02', 'minPopulation'],
  ['/api/v1/accompagnements?cursor=x', 'limit'],
  // The path keeps its OpenAPI placeholder: any unit id answers the same 400 on a hostile number.
  ['/api/v1/mobile/units/{unit}/occurrences?from=2026-01-01&to=2026-01-31', 'limit'],
];

describe('finding 7 (issue 9): Infinity, NaN and huge numbers are refused with a 400 in French', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
    // More structures than the cap of 50, so an unbounded answer would show.
    await insertStructures(
      t.ctx.db,
      Array.from({ length: 60 }, (_, i) => aStructure({ lat: 49.9 + i / 1000, lon: 3.63 })),
    );
  });
  afterAll(async () => t?.close());

  const get = (url: string) =>
    t.app.inject({ url, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });

  it('finding 7: nearest?limit=Infinity no longer returns every structure', async () => {
    const res = await get('/api/v1/structures/nearest?lat=49.9&lon=3.63&limit=Infinity');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'invalid',
      field: 'limit',
      message: 'Un nombre fini est attendu (Infinity, NaN ou un nombre trop grand ne sont pas acceptés).',
    });
    // The cap still holds for an ordinary number.
    expect((await get('/api/v1/structures/nearest?lat=49.9&lon=3.63&limit=50')).json().items).toHaveLength(
      50,
    );
    expect((await get('/api/v1/structures/nearest?lat=49.9&lon=3.63&limit=51')).statusCode).toBe(400);
  });

  it('finding 7: every numeric query parameter answers 400 {error, field, message} for every hostile number', async () => {
    for (const [route, field] of NUMERIC_INPUTS) {
      for (const value of HOSTILE_NUMBERS) {
        const url = `${route}&${field}=${value}`;
        const res = await get(url);
        expect(res.statusCode, url).toBe(400);
        expect(res.json(), url).toEqual({ error: 'invalid', field, message: expect.any(String) });
        expect(res.json().message, url).toMatch(/nombre|valeur/i);
      }
    }
  });

  it('finding 7: ordinary numbers still pass, including negative coordinates and decimals', async () => {
    expect((await get('/api/v1/structures/nearest?lat=-21.1&lon=55.5&limit=1')).statusCode).toBe(200);
    expect((await get('/api/v1/structures/nearest?lat=49.9&lon=3.63&radiusKm=0.5')).statusCode).toBe(200);
    const page = await get('/api/v1/structures?department=02&page=2&perPage=25');
    expect(page.statusCode).toBe(200);
    expect(page.json()).toMatchObject({ total: 60, page: 2, perPage: 25 });
  });

  it('finding 7: the public pages answer the French page, never a 500, for hostile coordinates', async () => {
    for (const value of HOSTILE_NUMBERS) {
      for (const path of ['/', '/embed']) {
        const res = await get(`${path}?lat=${value}&lon=${value}`);
        expect(res.statusCode, `${path} ${value}`).toBeLessThan(500);
        expect(res.headers['content-type']).toContain('text/html');
        expect(res.body).toContain('lang="fr"');
      }
    }
  });

  it('finding 7: every numeric input in the OpenAPI document is declared finite', async () => {
    const doc = t.app.swagger() as {
      paths: Record<
        string,
        Record<string, { parameters?: Array<{ name: string; schema: Record<string, unknown> }> }>
      >;
    };
    const numeric = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.values(ops).flatMap((op) =>
        (op.parameters ?? [])
          .filter((p) => p.schema.type === 'number' || p.schema.type === 'integer')
          .map((p) => ({ where: `${path} ${p.name}`, finite: p.schema[FINITE_KEYWORD] })),
      ),
    );
    expect(numeric.length).toBeGreaterThanOrEqual(NUMERIC_INPUTS.length);
    for (const n of numeric) expect(n.finite, n.where).toBe(true);
    // And each of them is in the table above, so a new numeric parameter gets its hostile cases.
    const tested = new Set(NUMERIC_INPUTS.map(([route, field]) => `${route.split('?')[0]} ${field}`));
    for (const n of numeric) expect(tested.has(n.where), n.where).toBe(true);
  });
});
