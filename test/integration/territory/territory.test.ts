import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCoverage, runPlan, runRefLoad, runWhatIf } from '../../../src/cli/commands/territory.js';
import { insertStructures } from '../../../src/db/repositories/directory.repository.js';
import { DomainError } from '../../../src/domain/shared/errors.js';
import { haversineKm, instanceFromSets } from '../../../src/domain/territory/index.js';
import { ExactSolver } from '../../../src/services/territory/exact-solver.js';
import { buildTestApp, TEST_ADMIN_TOKEN, type TestApp } from '../../support/app.js';
import { aStructure } from '../../support/structures.js';
import { territoryFixtureDir } from '../../support/territory-fixtures.js';

const REF = territoryFixtureDir();
const kmB = haversineKm(3.1, 49, 3.0, 49);
const kmC = haversineKm(3.5, 49, 3.0, 49);

let t: TestApp;
let tmp: string;

beforeAll(async () => {
  t = await buildTestApp();
  tmp = await mkdtemp(join(tmpdir(), 'maillage-ref-'));
  await insertStructures(t.ctx.db, [
    aStructure({
      idFs: 'FS1',
      codeInsee: '02001',
      departement: '02',
      lat: 49.0,
      lon: 3.0,
      labelledOn: '2020-01-15',
    }),
    aStructure({
      idFs: 'FS2',
      codeInsee: '02004',
      departement: '02',
      lat: 49.5,
      lon: 3.0,
      type: 'antenne',
      labelledOn: '2021-03-01',
    }),
    aStructure({
      idFs: 'FS3',
      codeInsee: '03001',
      departement: '03',
      lat: 46.5,
      lon: 3.0,
      format: 'bus',
      labelledOn: '2021-03-20',
    }),
  ]);
});

afterAll(async () => {
  await t?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function badFolder(name: string, edits: Record<string, (text: string) => string>): Promise<string> {
  const dir = join(tmp, name);
  await cp(REF, dir, { recursive: true });
  for (const [file, edit] of Object.entries(edits)) {
    await writeFile(join(dir, file), edit(await readFile(join(dir, file), 'utf8')));
  }
  return dir;
}

const tableCounts = async () => {
  const db = t.ctx.db;
  const count = async (table: 'ref_communes' | 'ref_cantons' | 'ref_zrr' | 'ref_files') =>
    Number((await db.selectFrom(table).select(db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return {
    communes: await count('ref_communes'),
    cantons: await count('ref_cantons'),
    zrr: await count('ref_zrr'),
    files: await count('ref_files'),
  };
};

describe('maillage ref load', () => {
  it('loads every file of the folder with its vintage, and can be rerun', async () => {
    const first = await runRefLoad(t.ctx, REF);
    expect(first.loaded).toBe(true);
    expect(first.issues).toEqual([]);
    expect(first.files.find((f) => f.file === 'communes-centroids.csv')).toMatchObject({ rows: 6 });
    expect(first.files.find((f) => f.file === 'cantons.csv')?.vintage).toMatch(
      /COG 2025 · fichier du \d{4}-\d{2}-\d{2}/,
    );
    const again = await runRefLoad(t.ctx, REF);
    expect(again.loaded).toBe(true);
    expect(await tableCounts()).toEqual({ communes: 6, cantons: 4, zrr: 5, files: 8 });
  });

  it('reports bad rows with file, line and column, and writes nothing', async () => {
    const dir = await badFolder('bad-rows', {
      'zrr.csv': (s) => s.replace('02003,Cville,02,1,classée', '02003,Cville,02,7,classée'),
      'communes-centroids.csv': (s) => `${s}02005,Nulle,02,32,491.0,3.0,10,02000,02000,metro,fixture,\n`,
    });
    const report = await runRefLoad(t.ctx, dir);
    expect(report.loaded).toBe(false);
    expect(report.issues).toEqual([
      {
        file: 'communes-centroids.csv',
        line: 8,
        field: 'latitude',
        message: expect.stringContaining('491.0'),
      },
      { file: 'zrr.csv', line: 4, field: 'zrr', message: expect.stringContaining('« 7 »') },
    ]);
    expect(await tableCounts()).toEqual({ communes: 6, cantons: 4, zrr: 5, files: 8 });
  });

  it('refuses a file with a wrong header, or a missing file, as a whole', async () => {
    const dir = await badFolder('bad-header', { 'cantons.csv': (s) => s.replace('canton_code,', 'code,') });
    await expect(runRefLoad(t.ctx, dir)).rejects.toThrow(/cantons.csv : en-tête inattendu/);
    await rm(join(dir, 'qpv.csv'));
    await expect(runRefLoad(t.ctx, dir)).rejects.toThrow(/introuvable : qpv.csv|en-tête/);
    expect(await tableCounts()).toEqual({ communes: 6, cantons: 4, zrr: 5, files: 8 });
  });
});

describe('maillage coverage / plan / what-if (CLI functions)', () => {
  it('prints exactly the issue’s keys and values', async () => {
    const c = await runCoverage(t.ctx, { territory: 'dep:02' });
    expect(c).toEqual({
      territory: 'dep:02',
      structures: { total: 2, fixed: 1, antennes: 1, mobile: 0 },
      cantons: { total: 3, covered: 2 },
      share: { rural: 0.5, zrr: 0 },
      qpv: { total: 2, covered: 1 },
      population: { total: 7500, within10: 7000, within20: 7000, within30: 7000 },
      distanceKm: {
        mean: Math.round(((2000 * kmB + 500 * kmC) / 7500) * 100) / 100,
        p95: Math.round(kmC * 100) / 100,
      },
    });
    const fr = await runCoverage(t.ctx, { territory: 'FR' });
    expect(fr.structures).toEqual({ total: 3, fixed: 1, antennes: 1, mobile: 1 });
    expect(fr.population.total).toBe(7800);
  });

  it('plans, with the exact optimum computed off-thread', async () => {
    const p = await runPlan(t.ctx, {
      territory: 'dep:02',
      k: '2',
      minutes: '20',
      minPopulation: '0',
      exact: true,
    });
    expect(Object.keys(p).sort()).toEqual(['addedPopulation', 'exactOptimum', 'gap', 'ms', 'sites']);
    expect(p.sites).toEqual([{ code: '02003', name: 'Cville', addedPopulation: 500 }]);
    expect(p).toMatchObject({ addedPopulation: 500, exactOptimum: 500, gap: 0 });
    const r = await runPlan(t.ctx, { territory: 'dep:02', k: '1', radiusKm: '30' });
    expect(r.sites).toEqual([{ code: '02002', name: 'Bville', addedPopulation: 500 }]);
    expect(r.exactOptimum).toBeUndefined();
  });

  it('names the argument at fault', async () => {
    const cases: Array<[Parameters<typeof runPlan>[1], string]> = [
      [{ territory: 'dep:99', k: '5' }, '--territory'],
      [{ territory: 'nimporte', k: '5' }, '--territory'],
      [{ territory: 'dep:02', k: '0' }, '--k'],
      [{ territory: 'dep:02', k: 'cinq' }, '--k'],
      [{ territory: 'dep:02', k: '2', minutes: '0' }, '--minutes'],
      [{ territory: 'dep:02', k: '2', minutes: '121' }, '--minutes'],
      [{ territory: 'dep:02', k: '2', radiusKm: '-3' }, '--radius-km'],
    ];
    for (const [args, field] of cases) {
      const e = await runPlan(t.ctx, args).catch((x: unknown) => x);
      expect(e, JSON.stringify(args)).toBeInstanceOf(DomainError);
      expect((e as DomainError).field).toBe(field);
    }
    const e = await runCoverage(t.ctx, { territory: 'canton:9999' }).catch((x: unknown) => x);
    expect((e as DomainError).field).toBe('--territory');
  });

  it('takes travel-model overrides', async () => {
    // Bville is 7.3 km from Aville: 8.8 min at 62 km/h (bourg rural), 18.3 min at 30 km/h.
    const slow = await runCoverage(t.ctx, { territory: 'dep:02', travel: '5:1.25:30' });
    expect(slow.population).toEqual({ total: 7500, within10: 5000, within20: 7000, within30: 7000 });
    const e = await runCoverage(t.ctx, { territory: 'dep:02', travel: '5:0.5:30' }).catch((x: unknown) => x);
    expect((e as DomainError).field).toBe('travel.5.detour');
    const e2 = await runPlan(t.ctx, { territory: 'dep:02', k: '1', travel: 'vite' }).catch((x: unknown) => x);
    expect((e2 as DomainError).field).toBe('--travel');
  });

  it('what-if: closing the antenne of Dville', async () => {
    const r = await runWhatIf(t.ctx, { territory: 'dep:02', remove: 'FS2' });
    expect(r.delta.structures).toEqual({ total: -1, fixed: 0, antennes: -1, mobile: 0 });
    expect(r.after.cantons.covered).toBe(1);
  });
});

describe('HTTP', () => {
  it('GET /api/v1/coverage answers the same JSON, and 400 with the field on bad input', async () => {
    const ok = await t.app.inject({ url: '/api/v1/coverage?territory=dep:02' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual(await runCoverage(t.ctx, { territory: 'dep:02' }));
    for (const q of [
      'territory=dep:99',
      '',
      'territory=%3Cscript%3Ealert(1)%3C/script%3E',
      `territory=${'x'.repeat(100)}`,
    ]) {
      const bad = await t.app.inject({ url: `/api/v1/coverage?${q}` });
      expect(bad.statusCode, q).toBe(400);
      expect(bad.json()).toMatchObject({ error: 'invalid', field: 'territory' });
    }
  });

  it('lists uncovered cantons, the timeline, and un par canton over HTTP', async () => {
    const u = await t.app.inject({ url: '/api/v1/coverage/uncovered-cantons?territory=dep:02' });
    expect(u.json()).toEqual({
      territory: 'dep:02',
      items: [
        {
          code: '0202',
          nom: 'Deux',
          departement: '02',
          population: 500,
          distanceKm: Math.round(kmC * 10) / 10,
        },
      ],
    });
    const tl = await t.app.inject({ url: '/api/v1/coverage/timeline?territory=FR' });
    expect(tl.json()).toMatchObject({
      territory: 'FR',
      months: [
        { month: '2020-01', added: 1, cumulative: 1 },
        { month: '2021-03', added: 2, cumulative: 3 },
      ],
    });
    const url = '/api/v1/plan/one-per-canton?territory=dep:02&minutes=20';
    expect((await t.app.inject({ url })).statusCode).toBe(401);
    const one = await t.app.inject({ url, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    expect(one.json()).toMatchObject({
      sites: [{ canton: '0202', code: '02003', addedPopulation: 500 }],
      addedPopulation: 500,
    });
  });

  it('documents its routes in the OpenAPI description', async () => {
    const doc = await t.app.inject({ url: '/api/docs/json' });
    expect(doc.statusCode).toBe(200);
    expect(Object.keys(doc.json().paths)).toEqual(
      expect.arrayContaining(['/api/v1/coverage', '/api/v1/plan', '/api/v1/what-if']),
    );
  });

  it('GET /api/v1/plan is behind the admin token and validates k and T', async () => {
    const url = '/api/v1/plan?territory=dep:02&k=2&minutes=20&minPopulation=0';
    expect((await t.app.inject({ url })).statusCode).toBe(401);
    const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
    const ok = await t.app.inject({ url, headers: auth });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      sites: [{ code: '02003', name: 'Cville', addedPopulation: 500 }],
      addedPopulation: 500,
    });
    // Only the listed communes are candidates: Dville is too far from Cville, Bville is not.
    const far = await t.app.inject({
      url: '/api/v1/plan?territory=dep:02&k=1&radiusKm=30&candidates=02004',
      headers: auth,
    });
    expect(far.json().sites).toEqual([]);
    const listed = await t.app.inject({
      url: '/api/v1/plan?territory=dep:02&k=1&radiusKm=30&candidates=02004,02002',
      headers: auth,
    });
    expect(listed.json().sites).toEqual([{ code: '02002', name: 'Bville', addedPopulation: 500 }]);
    const bureaux = await t.app.inject({
      url: '/api/v1/plan?territory=dep:02&k=3&minutes=20&candidates=bureaux',
      headers: auth,
    });
    expect(bureaux.json().sites).toEqual([{ code: '02003', name: 'Cville', addedPopulation: 500 }]);
    for (const [q, field] of [
      ['territory=dep:02&k=2&candidates=99999', 'candidates[0]'],
      ['territory=dep:02&k=2&candidates=%3Cscript%3E', 'candidates'],
      ['territory=dep:02&k=0', 'k'],
      ['territory=dep:02&k=2&minutes=121', 'minutes'],
      ['territory=dep:02&k=2&minutes=0', 'minutes'],
      ['territory=dep:99&k=2', 'territory'],
      ['territory=dep:02&k=2&minutes=20&radiusKm=5', 'minutes'],
    ] as const) {
      const bad = await t.app.inject({ url: `/api/v1/plan?${q}`, headers: auth });
      expect(bad.statusCode, q).toBe(400);
      expect(bad.json()).toMatchObject({ error: 'invalid', field });
    }
  });

  it('serves the dashboard, sortable tables, CSV exports and the method page without JavaScript', async () => {
    const fr = await t.app.inject({ url: '/territoires' });
    expect(fr.statusCode).toBe(200);
    expect(fr.body).toContain('Couverture territoriale du réseau France Services');
    expect(fr.body).toContain('<svg class="maillage-choropleth"');
    const dep = await t.app.inject({ url: '/territoires/dep/02?tri=territoires:population:desc' });
    expect(dep.statusCode).toBe(200);
    expect(dep.body).toContain('aria-sort="descending"');
    expect(dep.body.indexOf('Canton de Trois (0203)')).toBeGreaterThan(0);
    expect(dep.body.indexOf('Canton de Trois (0203)')).toBeLessThan(dep.body.indexOf('Canton de Un (0201)'));
    expect(dep.body).toContain(
      'href="/territoires/export.csv?territoire=dep%3A02&amp;table=cantons-non-couverts"',
    );
    const csv = await t.app.inject({
      url: '/territoires/export.csv?territoire=dep:02&table=cantons-non-couverts',
    });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body.split('\n')[1]).toMatch(/^0202,Deux,02,500,/);
    const timeline = await t.app.inject({ url: '/territoires/export.csv?territoire=FR&table=chronologie' });
    expect(timeline.body).toBe('Mois,Labellisées,Cumul\n2020-01,1,1\n2021-03,2,3\n');
    const method = await t.app.inject({ url: '/territoires/methode' });
    expect(method.body).toContain('Rural à habitat très dispersé');
    const hostile = await t.app.inject({ url: '/territoires/dep/%3Cscript%3E' });
    expect(hostile.statusCode).toBe(400);
    expect(hostile.body).not.toContain('<script>');
  });

  it('planning page: refuses without the token, proposes with it', async () => {
    const page = await t.app.inject({ url: '/territoires/planification' });
    expect(page.statusCode).toBe(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] as string;
    const cookie = String(page.headers['set-cookie'] ?? '').split(';')[0] as string;
    const form = (fields: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: '/territoires/planification',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        payload: new URLSearchParams({
          _csrf: csrf,
          territoire: 'dep:02',
          k: '2',
          seuil: 'minutes',
          valeur: '20',
          population: '0',
          mode: 'plan',
          ...fields,
        }).toString(),
      });
    expect((await form({ jeton: 'faux' })).statusCode).toBe(401);
    const ok = await form({ jeton: TEST_ADMIN_TOKEN });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('Cville');
    const bad = await form({ jeton: TEST_ADMIN_TOKEN, valeur: '500' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('entre 1 et 120 minutes');
    const canton = await form({ jeton: TEST_ADMIN_TOKEN, mode: 'canton' });
    expect(canton.body).toContain('Deux (0202)');
  });
});

describe('exact solver worker', () => {
  it('never hangs: a worker past its time limit is terminated with a clear 503', async () => {
    const solver = new ExactSolver({ maxCandidates: 10, maxPairs: 10, timeLimitSeconds: 0.001 }, 1);
    const inst = instanceFromSets(
      [1, 1, 1],
      [
        [0, 1],
        [1, 2],
      ],
    );
    const e = await solver.solve(inst, 1).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe('unavailable');
    await solver.close();
  });

  it('refuses an instance above the limits before leaving the thread', async () => {
    const solver = new ExactSolver({ maxCandidates: 1, maxPairs: 10, timeLimitSeconds: 5 });
    const e = await solver
      .solve(
        instanceFromSets(
          [1, 1, 1],
          [
            [0, 1],
            [1, 2],
          ],
        ),
        1,
      )
      .catch((x: unknown) => x);
    expect((e as DomainError).code).toBe('too_large');
    expect((e as DomainError).message).toMatch(/heuristique/);
    await solver.close();
  });
});
