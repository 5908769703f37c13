import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOpenData } from '../../../src/cli/commands/pilotage.js';
import type { AppContext } from '../../../src/composition.js';
import { insertStructure } from '../../support/accounts.js';
import { buildTestApp, type TestApp } from '../../support/app.js';

/** `activity opendata` (issue 14, step 5): the JSON shape, secrecy, bad input. */
let ctx: AppContext;
let t: TestApp;

const write = async (
  idFs: string,
  partenaire: string,
  count: number,
  canal = 'guichet',
  demarche?: string,
) => {
  const items = Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    id_fs: idFs,
    debut: `2026-03-${String(2 + (i % 20)).padStart(2, '0')}T10:00:00Z`,
    duree_min: 15,
    canal,
    partenaire,
    demarche,
    resultat: 'resolu',
  }));
  const r = await ctx.accompagnement.writeBatch({ kind: 'operator' }, items, { mode: 'api', source: 'test' });
  expect(r.created).toBe(count);
};

beforeAll(async () => {
  t = await buildTestApp({ now: '2026-04-24T09:30:00Z' });
  ctx = t.ctx;
  const s02 = await insertStructure(ctx, { departement: '02' });
  const s75 = await insertStructure(ctx, { departement: '75' });
  const s80 = await insertStructure(ctx, { departement: '80' });
  await write(s02.idFs, 'caf', 12);
  await write(s02.idFs, 'msa', 3);
  await write(s75.idFs, 'caf', 15);
  await write(s75.idFs, 'ants', 20, 'telephone');
  await write(s80.idFs, 'caf', 30);
  await write(s80.idFs, 'msa', 11);
  await write(s80.idFs, 'ants', 2, 'visio', 'ants.passeport');
});
afterAll(async () => t.close());

describe('activity opendata', () => {
  it('prints exactly the issue’s shape, hiding 1..10 and what would reveal them', async () => {
    const r = await runOpenData(ctx, { period: '2026-03', by: 'partenaire' });
    const t = JSON.parse(r.output);
    expect(Object.keys(t)).toEqual(['period', 'threshold', 'columns', 'rows', 'totals']);
    expect(t.period).toBe('2026-03');
    expect(t.threshold).toBe(11);
    expect(t.columns).toContain('caf');
    expect(t.rows.map((x: { departement: string }) => x.departement)).toEqual(['02', '75', '80']);
    for (const row of t.rows) expect(Object.keys(row)).toEqual(['departement', 'cells', 'total']);
    const cell = (dep: string, col: string) =>
      t.rows.find((x: { departement: string }) => x.departement === dep).cells[col];
    expect(cell('02', 'msa')).toBeNull();
    expect(cell('80', 'ants')).toBeNull();
    expect(cell('75', 'ants')).toBe(20);
    expect(cell('02', 'dgfip')).toBe(0); // a true zero is published
    expect(t.totals.all).toBe(93);
    // No row nor column (totals included) with exactly one hidden value.
    for (const row of t.rows) {
      const values = [...Object.values(row.cells), row.total];
      expect(values.filter((v) => v === null).length).not.toBe(1);
    }
    for (const col of t.columns) {
      const values = [
        ...t.rows.map((x: { cells: Record<string, number | null> }) => x.cells[col]),
        t.totals[col],
      ];
      expect(values.filter((v) => v === null).length).not.toBe(1);
    }
    expect(r.report).toMatch(/2 case\(s\) masquée\(s\) \(moins de 11\)/);
    expect(r.report).toMatch(/secret secondaire : /);
  });

  it('by channel, in CSV, with another threshold', async () => {
    const r = await runOpenData(ctx, { period: '2026-03', by: 'canal', threshold: '3', format: 'csv' });
    const lines = r.output.trim().split('\n');
    expect(lines[0]).toBe('periode,departement,guichet,bus,telephone,courriel,visio,total');
    expect(lines).toContain('2026-03,75,15,0,20,0,0,35');
    expect(lines.at(-1)).toMatch(/^2026-03,total,/);
    // 2 visio in 80 < 3: hidden, and its row pairs it with another cell.
    expect(lines.find((l) => l.startsWith('2026-03,80,'))).toMatch(/,,|,$/);
  });

  it('a month without records has no rows and a zero total', async () => {
    const t = JSON.parse((await runOpenData(ctx, { period: '2026-04', by: 'canal' })).output);
    expect(t).toMatchObject({ rows: [], totals: { all: 0, guichet: 0 } });
  });

  it('refuses bad input with the field at fault', async () => {
    const bad: Array<[Record<string, string>, string]> = [
      [{ period: '2026-13', by: 'canal' }, 'period'],
      [{ period: '2026-05', by: 'canal' }, 'period'],
      [{ period: '<script>', by: 'canal' }, 'period'],
      [{ period: '2026-03', by: 'age' }, 'by'],
      [{ period: '2026-03', by: 'canal', threshold: 'Infinity' }, 'threshold'],
      [{ period: '2026-03', by: 'canal', threshold: '1' }, 'threshold'],
      [{ period: '2026-03', by: 'canal', threshold: '99999999' }, 'threshold'],
    ];
    for (const [args, field] of bad) await expect(runOpenData(ctx, args)).rejects.toMatchObject({ field });
    await expect(runOpenData(ctx, { period: '2026-03', by: 'canal', format: 'xml' })).rejects.toThrow(
      /json ou csv/,
    );
  });

  it('national counts by démarche hide small ones and pair a lone hidden one', async () => {
    const r = await ctx.pilotage.openDataDemarches({ period: '2026-03' });
    expect(r.table.total).toBe(93);
    // 2 passports are hidden; alone they would be 93 − 91: the other row is hidden too.
    expect(r.table.rows).toEqual([
      { demarche: '', libelle: 'Démarche non renseignée', n: null },
      { demarche: 'ants.passeport', libelle: expect.stringMatching(/passeport/i), n: null },
    ]);
    expect(r.secondary).toEqual(['']);
  });
});

describe('/statistiques', () => {
  it('lists the last complete months with CSV and JSON files and their columns', async () => {
    const r = await t.app.inject({ url: '/statistiques' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('href="/statistiques/2026-03-departement-partenaire.csv"');
    expect(r.body).toContain('href="/statistiques/2026-03-national-demarche.json"');
    expect(r.body).not.toContain('2026-04-departement');
    expect(r.body).toContain('Description des colonnes');
    expect(r.body).toMatch(/de 1 à 10 accompagnements/);
  });

  it('serves the same tables as the command, under secrecy', async () => {
    const json = await t.app.inject({ url: '/statistiques/2026-03-departement-partenaire.json' });
    expect(json.statusCode).toBe(200);
    expect(JSON.parse(json.body)).toEqual(
      JSON.parse((await runOpenData(ctx, { period: '2026-03', by: 'partenaire' })).output),
    );
    const csv = await t.app.inject({ url: '/statistiques/2026-03-departement-canal.csv' });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body.split('\n')[0]).toBe('periode,departement,guichet,bus,telephone,courriel,visio,total');
    const dem = await t.app.inject({ url: '/statistiques/2026-03-national-demarche.json' });
    expect(JSON.parse(dem.body).rows.every((x: { n: number | null }) => x.n === null)).toBe(true);
  });

  it('unknown or hostile file names are a 404, a future month a 400', async () => {
    for (const name of [
      '2026-13-departement-canal.csv',
      'x.json',
      '2026-03-departement-age.csv',
      '%3Cscript%3E',
      '..%2F..%2Fetc%2Fpasswd',
    ])
      expect((await t.app.inject({ url: `/statistiques/${name}` })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/statistiques/${'9'.repeat(100)}` })).statusCode).toBe(400);
    expect((await t.app.inject({ url: '/statistiques/2030-01-departement-canal.json' })).statusCode).toBe(
      400,
    );
  });
});
