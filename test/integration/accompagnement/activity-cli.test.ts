import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  runActivityGenerate,
  runActivityImport,
  runActivityStats,
} from '../../../src/cli/commands/activity.js';
import { runRollupCheck, runRollupRebuild } from '../../../src/cli/commands/pilotage.js';
import type { AppContext } from '../../../src/composition.js';
import { closeContext } from '../../../src/composition.js';
import { EXCHANGE_HEADER } from '../../../src/domain/accompagnement/index.js';
import { insertStructure } from '../../support/accounts.js';
import { buildTestContext } from '../../support/app.js';
import { exchangeLine } from '../../support/exchange-csv.js';

let ctx: AppContext;
let dir: string;
let fsA: { id: string; idFs: string };
let fsB: { id: string; idFs: string };

const line = (o: Partial<Record<string, string>>) =>
  exchangeLine({ ...o, id: o.id ?? randomUUID(), id_fs: o.id_fs ?? fsA.idFs });
const file = async (name: string, body: string) => {
  const path = join(dir, name);
  await writeFile(path, body);
  return path;
};
const count = async () =>
  Number(
    (await sql<{ n: number }>`select count(*)::int as n from accompagnements`.execute(ctx.db)).rows[0]?.n,
  );

beforeAll(async () => {
  ctx = await buildTestContext({ now: '2026-11-24T09:30:00Z' });
  dir = await mkdtemp(join(tmpdir(), 'activity-'));
  fsA = await insertStructure(ctx, { departement: '02' });
  fsB = await insertStructure(ctx, { departement: '75' });
});
afterAll(async () => {
  await closeContext(ctx);
  await rm(dir, { recursive: true, force: true });
});

describe('activity import', () => {
  const ids = [randomUUID(), randomUUID(), randomUUID()];

  it('creates valid rows, rejects bad ones with their line and field, and writes each month to its partition', async () => {
    const body = [
      EXCHANGE_HEADER,
      line({ id: ids[0] }),
      line({ id: ids[1], debut: '2026-04-30T22:30:00Z', partenaire: 'ants', demarche: 'ants.passeport' }),
      line({ duree_min: '0' }),
      line({ canal: '<script>alert(1)</script>' }),
      line({ id_fs: 'inconnue' }),
      line({ debut: '2027-01-01T10:00:00+01:00' }),
      line({ debut: '2018-06-01T10:00:00+02:00' }),
      line({ debut: 'hier' }),
      line({ duree_min: 'Infinity' }),
      line({ id: ids[2], id_fs: fsB.idFs, canal: 'telephone', demarche: '', commune_usager: '' }),
      '"mal,fermé,',
    ].join('\n');
    const report = await runActivityImport(ctx, { file: await file('a.csv', body) });
    expect(report.created).toBe(3);
    expect(report.rejected.map((r) => [r.line, r.field])).toEqual([
      [4, 'duree_min'],
      [5, 'canal'],
      [6, 'id_fs'],
      [7, 'debut'],
      [8, 'debut'],
      [9, 'debut'],
      [10, 'duree_min'],
      [12, 'ligne'],
    ]);
    expect(await count()).toBe(3);
    const partitions = await sql<{ name: string }>`
      select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
      join pg_class p on p.oid = i.inhparent where p.relname = 'accompagnements' order by 1`.execute(ctx.db);
    expect(partitions.rows.map((r) => r.name)).toEqual([
      'accompagnements_default',
      'accompagnements_m202604',
      'accompagnements_m202605',
    ]);
  });

  it('is an upsert by id: the same file again changes nothing, a changed row is updated', async () => {
    const again = await runActivityImport(ctx, {
      file: await file('b.csv', [EXCHANGE_HEADER, line({ id: ids[0] }), line({ id: ids[0] })].join('\n')),
    });
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 2, rejected: [] });
    const moved = await runActivityImport(ctx, {
      file: await file(
        'c.csv',
        [EXCHANGE_HEADER, line({ id: ids[0], debut: '2026-06-02T10:00:00+02:00', duree_min: '45' })].join(
          '\n',
        ),
      ),
    });
    expect(moved).toMatchObject({ created: 0, updated: 1, unchanged: 0 });
    const row = await ctx.db
      .selectFrom('accompagnements')
      .selectAll()
      .where('id', '=', ids[0] as string)
      .execute();
    expect(row).toHaveLength(1);
    expect(row[0]?.duree_min).toBe(45);
    expect(await count()).toBe(3);
  });

  it('a file of another format writes nothing', async () => {
    const before = await count();
    const other = await file('structures.csv', 'ID_FS,Nom,Adresse\n1,France services,rue\n');
    await expect(runActivityImport(ctx, { file: other })).rejects.toThrow(/n’est pas au format d’échange/);
    const binary = await file('x.bin', Buffer.from([0, 159, 146, 150, 0, 1, 2]).toString('latin1'));
    await expect(runActivityImport(ctx, { file: binary })).rejects.toThrow();
    await expect(runActivityImport(ctx, { file: await file('empty.csv', '') })).rejects.toThrow(/vide/);
    await expect(runActivityImport(ctx, { file: join(dir, 'absent.csv') })).rejects.toThrow(/introuvable/);
    expect(await count()).toBe(before);
  });

  it('a row the default partition caught moves to its month when that partition is created', async () => {
    const id = randomUUID();
    await sql`insert into accompagnement_ids (id, debut) values (${id}, '2025-03-10T10:00:00Z')`.execute(
      ctx.db,
    );
    await sql`insert into accompagnements (id, debut, jour_local, structure_id, departement, duree_min, canal, partenaire, resultat, source)
      values (${id}, '2025-03-10T10:00:00Z', '2025-03-10', ${fsA.id}, '02', 10, 'guichet', 'caf', 'resolu', 'test')`.execute(
      ctx.db,
    );
    // Written behind the service's back: the operator rebuilds the pilotage rollups (issue 14).
    await runRollupRebuild(ctx);
    const report = await runActivityImport(ctx, {
      file: await file('d.csv', [EXCHANGE_HEADER, line({ debut: '2025-03-11T10:00:00+01:00' })].join('\n')),
    });
    expect(report.created).toBe(1);
    const where = await sql<{
      t: string;
    }>`select tableoid::regclass::text as t from accompagnements where id = ${id}`.execute(ctx.db);
    expect(where.rows[0]?.t).toBe('accompagnements_m202503');
  });
});

describe('activity stats', () => {
  it('counts inclusive local days; a record at 00:30 on 1 May in Paris belongs to May', async () => {
    const may = await runActivityStats(ctx, {
      territory: 'FR',
      from: '2026-05-01',
      to: '2026-05-31',
      by: 'mois',
    });
    // ids[1] (00:30 on 1 May, Paris) and the Paris structure's record of 4 May.
    expect(may.groups).toEqual([{ key: '2026-05', count: 2, share: 1 }]);
    const april = await runActivityStats(ctx, {
      territory: 'FR',
      from: '2026-04-01',
      to: '2026-04-30',
      by: 'mois',
    });
    expect(april.total).toBe(0);
  });

  it('groups by partner over a territory, with minutes', async () => {
    const fr = await runActivityStats(ctx, {
      territory: 'FR',
      from: '2025-01-01',
      to: '2026-11-24',
      by: 'partenaire',
    });
    expect(fr.total).toBe(5);
    expect(fr.groups).toEqual([
      { key: 'caf', count: 4, share: 0.8 },
      { key: 'ants', count: 1, share: 0.2 },
    ]);
    const paris = await runActivityStats(ctx, {
      territory: 'dep:75',
      from: '2025-01-01',
      to: '2026-11-24',
      by: 'canal',
    });
    expect(paris).toMatchObject({
      territory: 'dep:75',
      total: 1,
      groups: [{ key: 'telephone', count: 1, share: 1 }],
    });
    const reg = await runActivityStats(ctx, {
      territory: 'reg:32',
      from: '2025-01-01',
      to: '2026-11-24',
      by: 'resultat',
    });
    expect(reg.total).toBe(4);
    const one = await runActivityStats(ctx, {
      territory: `structure:${fsB.idFs}`,
      from: '2025-01-01',
      to: '2026-11-24',
      by: 'demarche',
    });
    expect(one.groups).toEqual([{ key: 'non_renseigne', count: 1, share: 1 }]);
    expect(one.minutes).toEqual({ total: 20, mean: 20 });
  });

  it('refuses bad queries with the field at fault', async () => {
    await expect(
      runActivityStats(ctx, { territory: 'dep:99', from: '2026-01-01', to: '2026-01-02', by: 'canal' }),
    ).rejects.toMatchObject({ field: 'territory' });
    await expect(
      runActivityStats(ctx, { territory: 'FR', from: '2026-13-01', to: '2026-01-02', by: 'canal' }),
    ).rejects.toMatchObject({ field: 'from' });
    await expect(
      runActivityStats(ctx, { territory: 'FR', from: '2026-01-01', to: '2026-01-02', by: 'note' }),
    ).rejects.toMatchObject({ field: 'by' });
  });
});

describe('activity generate', () => {
  it('writes a marked synthetic file that imports without rejection', async () => {
    const out = join(dir, 'synthetic.csv');
    const r = await runActivityGenerate(ctx, { records: 500, year: 2026, seed: 3, out });
    expect(r.written).toBe(500);
    const text = await readFile(out, 'utf8');
    expect(text.split('\n')[0]).toMatch(/DONNÉES SYNTHÉTIQUES/);
    const report = await runActivityImport(ctx, { file: out });
    expect(report).toMatchObject({ created: 500, rejected: [] });
    expect(report.warnings[0]?.message).toMatch(/synthétiques/);
  });
});

describe('private notes', () => {
  it('are erased after six months by the purge, the record stays', async () => {
    const old = randomUUID();
    const recent = randomUUID();
    for (const [id, debut] of [
      [old, '2026-05-01T08:00:00Z'],
      [recent, '2026-11-20T08:00:00Z'],
    ] as const) {
      const outcome = await ctx.accompagnement.writeBatch(
        { kind: 'operator' },
        [
          {
            id,
            id_fs: fsA.idFs,
            debut,
            duree_min: 5,
            canal: 'guichet',
            partenaire: 'caf',
            resultat: 'resolu',
            note: 'rappeler mardi',
          },
        ],
        { mode: 'api', source: 'test' },
      );
      expect(outcome.created).toBe(1);
    }
    expect(await ctx.accompagnement.purgeNotes()).toBe(1);
    const rows = await ctx.db
      .selectFrom('accompagnements')
      .select(['id', 'note'])
      .where('id', 'in', [old, recent])
      .execute();
    expect(Object.fromEntries(rows.map((r) => [r.id, r.note]))).toEqual({
      [old]: null,
      [recent]: 'rappeler mardi',
    });
  });
});

// Last: it adds a record the counts above do not expect.
describe('activity import and the dashboards', () => {
  it('a small file adds its records to the dashboards in each batch: no month marked for a rebuild', async () => {
    const rollups = ctx.pilotage.rollups;
    const original = rollups.refreshStale.bind(rollups);
    let catchUps = 0;
    rollups.refreshStale = async () => {
      catchUps++;
      return { months: 0 };
    };
    try {
      const report = await runActivityImport(ctx, {
        file: await file(
          'small.csv',
          [
            EXCHANGE_HEADER,
            line({ debut: '2026-03-10T10:00:00+01:00' }),
            line({ debut: '2026-04-14T10:00:00+02:00', partenaire: 'msa', demarche: '' }),
          ].join('\n'),
        ),
      });
      expect(report.created).toBe(2);
      expect(await rollups.staleMonthsBetween('2026-03-01', '2026-04-30')).toEqual([]);
      // Exact without any catch-up: the check's own call to it is the stub's second.
      expect(await runRollupCheck(ctx)).toMatchObject({ ok: true, differenceCount: 0 });
      expect(catchUps).toBe(2);
    } finally {
      rollups.refreshStale = original;
    }
  });

  it('a failed dashboard catch-up loses nothing: records written, months still marked, a warning', async () => {
    const rollups = ctx.pilotage.rollups;
    const original = rollups.refreshStale.bind(rollups);
    rollups.refreshStale = async () => {
      throw new Error('panne simulée');
    };
    try {
      const report = await runActivityImport(ctx, {
        file: await file(
          'catch-up.csv',
          [EXCHANGE_HEADER, line({ debut: '2026-02-10T10:00:00+01:00' })].join('\n'),
        ),
        // A large file's path: its months are marked, then rebuilt whole.
        rollups: 'rebuild_after',
      });
      expect(report.created).toBe(1);
      expect(report.warnings.map((w) => w.field)).toContain('pilotage');
    } finally {
      rollups.refreshStale = original;
    }
    expect(await ctx.pilotage.rollups.staleMonthsBetween('2026-02-01', '2026-02-28')).toEqual(['2026-02-01']);
    expect(await ctx.pilotage.rollups.refreshStale()).toEqual({ months: 1 });
  });
});
