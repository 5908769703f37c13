import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runActivityGenerate, runActivityImport } from '../../../src/cli/commands/activity.js';
import { type AppContext, closeContext } from '../../../src/composition.js';
import { STATS_DIMENSIONS } from '../../../src/domain/accompagnement/index.js';
import { seededRandom } from '../../../src/domain/shared/seeded-random.js';
import { insertStructure } from '../../support/accounts.js';
import { buildTestContext } from '../../support/app.js';

/** Indicators read from the rollups equal the raw GROUP BY, for any territory, range and dimension. */
let ctx: AppContext;
let dir: string;
let fs02: { id: string; idFs: string };

beforeAll(async () => {
  ctx = await buildTestContext({ now: '2026-11-24T09:30:00Z' });
  dir = await mkdtemp(join(tmpdir(), 'indicators-'));
  fs02 = await insertStructure(ctx, { departement: '02' });
  await insertStructure(ctx, { departement: '75' });
  await insertStructure(ctx, { departement: '80' });
  const out = join(dir, 'g.csv');
  await runActivityGenerate(ctx, { records: 600, year: 2026, seed: 7, out });
  expect((await runActivityImport(ctx, { file: out })).created).toBe(600);
});
afterAll(async () => {
  await closeContext(ctx);
  await rm(dir, { recursive: true, force: true });
});

describe('indicators from the rollups', () => {
  it('equal the raw counts for random ranges, every territory and dimension', async () => {
    const rnd = seededRandom(14);
    const day = () => {
      const d = new Date(Date.UTC(2026, 0, 1) + Math.floor(rnd() * 330) * 86_400_000);
      return d.toISOString().slice(0, 10);
    };
    const territories = ['FR', 'reg:32', 'dep:02', 'dep:75', 'reg:11', `structure:${fs02.idFs}`];
    for (let i = 0; i < 6; i++) {
      const [from, to] = [day(), day()].sort() as [string, string];
      for (const territory of territories)
        for (const by of STATS_DIMENSIONS) {
          const raw = await ctx.accompagnement.stats({ territory, from, to, by }, 'operator');
          const fromRollups = await ctx.pilotage.activityStats({ territory, from, to, by });
          expect(fromRollups, `${territory} ${from}..${to} ${by}`).toEqual(raw);
        }
    }
    const whole = await ctx.pilotage.activityStats({
      territory: 'FR',
      from: '2026-01-01',
      to: '2026-12-31',
      by: 'canal',
    });
    expect(whole.total).toBe(600);
  });

  it('the crisis series equals the raw weekly counts (structures with a record, remote share)', async () => {
    for (const territory of ['FR', 'dep:02', `structure:${fs02.idFs}`]) {
      const { weeks } = await ctx.pilotage.crisis(
        { territory, from: '2026-03-02', to: '2026-06-28' },
        'operator',
      );
      expect(weeks).toHaveLength(17);
      const scope =
        territory === 'FR'
          ? sql``
          : territory === 'dep:02'
            ? sql`and departement = '02'`
            : sql`and structure_id = ${fs02.id}`;
      const raw = await sql<{ semaine: string; structures: number; n: number; remote: number }>`
        select to_char(jour_local - (extract(isodow from jour_local)::int - 1), 'YYYY-MM-DD') as semaine,
               count(distinct structure_id)::int as structures, count(*)::int as n,
               (count(*) filter (where canal in ('telephone', 'courriel', 'visio')))::int as remote
        from accompagnements where jour_local between '2026-03-02' and '2026-06-28' ${scope}
        group by 1`.execute(ctx.db);
      const bySemaine = new Map(raw.rows.map((r) => [r.semaine, r]));
      for (const w of weeks) {
        const r = bySemaine.get(w.semaine);
        expect(
          {
            structures: w.structuresActives + w.activesHorsOuvertes,
            n: w.accompagnements,
            remote: w.aDistance,
          },
          `${territory} ${w.semaine}`,
        ).toEqual({ structures: r?.structures ?? 0, n: r?.n ?? 0, remote: r?.remote ?? 0 });
      }
      expect(weeks.reduce((s, w) => s + w.accompagnements, 0)).toBeGreaterThan(0);
    }
  });

  it('the dashboard adds labels, minutes and the remote share', async () => {
    const d = await ctx.pilotage.dashboard(
      { territory: 'FR', from: '2026-01-01', to: '2026-12-31' },
      'operator',
    );
    expect(d.total).toBe(600);
    const remote = d.tables.canal.filter((g) => ['telephone', 'courriel', 'visio'].includes(g.key));
    expect(d.remote.count).toBe(remote.reduce((s, g) => s + g.count, 0));
    expect(d.tables.mois.reduce((s, g) => s + g.count, 0)).toBe(600);
    expect(d.tables.partenaire.reduce((s, g) => s + g.minutes, 0)).toBe(d.minutes.total);
    expect(d.tables.canal.find((g) => g.key === 'guichet')?.label).toBe('Au guichet');
  });

  it('refuses bad input before any query, with the field at fault', async () => {
    const bad = [
      [{ territory: 'FR', from: '2026-02-01', to: '2026-01-01' }, 'to'],
      [{ territory: 'FR', from: '2019-01-01', to: '2026-01-01' }, 'to'],
      [{ territory: 'dep:00', from: '2026-01-01', to: '2026-01-31' }, 'territory'],
      [{ territory: 'reg:99', from: '2026-01-01', to: '2026-01-31' }, 'territory'],
      [{ territory: 'structure:nope', from: '2026-01-01', to: '2026-01-31' }, 'territory'],
      [{ territory: '<script>', from: '2026-01-01', to: '2026-01-31' }, 'territory'],
      [{ territory: 'FR', from: 1e308, to: '2026-01-31' }, 'from'],
    ] as const;
    for (const [q, field] of bad)
      await expect(ctx.pilotage.dashboard(q, 'operator')).rejects.toMatchObject({ code: 'invalid', field });
    await expect(
      ctx.pilotage.indicator(
        { territory: 'FR', from: '2026-01-01', to: '2026-01-31', by: 'age' },
        'operator',
      ),
    ).rejects.toMatchObject({ code: 'invalid', field: 'by' });
  });

  it('each role sees its scope; out of scope is a 404', async () => {
    const q = { territory: 'dep:02', from: '2026-01-01', to: '2026-12-31' };
    const anim = { id: 'a', role: 'animateur_departemental', structureIds: [], departement: '02' } as const;
    await expect(ctx.pilotage.dashboard(q, anim)).resolves.toMatchObject({ territory: { code: 'dep:02' } });
    await expect(ctx.pilotage.dashboard({ ...q, territory: 'dep:75' }, anim)).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(ctx.pilotage.dashboard({ ...q, territory: 'reg:32' }, anim)).rejects.toMatchObject({
      code: 'not_found',
    });
    const agent = { id: 'g', role: 'agent', structureIds: [fs02.id], departement: null } as const;
    await expect(
      ctx.pilotage.dashboard({ ...q, territory: `structure:${fs02.idFs}` }, agent),
    ).resolves.toBeTruthy();
    await expect(ctx.pilotage.dashboard(q, agent)).rejects.toMatchObject({ code: 'not_found' });
    const auditor = { id: 'x', role: 'auditeur', structureIds: [], departement: null } as const;
    await expect(
      ctx.pilotage.dashboard({ ...q, territory: `structure:${fs02.idFs}` }, auditor),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
