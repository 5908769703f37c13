import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runActivityImport } from '../../../src/cli/commands/activity.js';
import { runRollupCheck, runRollupRebuild } from '../../../src/cli/commands/pilotage.js';
import { type AppContext, closeContext } from '../../../src/composition.js';
import * as structureMonthMigration from '../../../src/db/migrations/202612040301_pilotage_structure_month.js';
import { EXCHANGE_HEADER } from '../../../src/domain/accompagnement/index.js';
import { createUser, insertStructure } from '../../support/accounts.js';
import { buildTestContext } from '../../support/app.js';
import { exchangeLine } from '../../support/exchange-csv.js';

/** Rollups kept exact in the write transaction (issue 14, step 1), on PGlite and PostgreSQL. */
let ctx: AppContext;
let dir: string;
let fsA: { id: string; idFs: string };
let fsB: { id: string; idFs: string };
let fsR: { id: string; idFs: string };

const line = (o: Partial<Record<string, string>>) =>
  exchangeLine({ ...o, id: o.id ?? randomUUID(), id_fs: o.id_fs ?? fsA.idFs });
let n = 0;
const importLines = async (...lines: string[]) => {
  const path = join(dir, `f${++n}.csv`);
  await writeFile(path, [EXCHANGE_HEADER, ...lines].join('\n'));
  return runActivityImport(ctx, { file: path });
};
const depJour = async (dimension: string) =>
  (
    await sql<{ departement: string; jour: string; valeur: string; n: number; minutes: number }>`
      select departement, to_char(jour, 'YYYY-MM-DD') as jour, valeur, n, minutes::int as minutes
      from pilotage_dep_jour where dimension = ${dimension} order by 1, 2, 3`.execute(ctx.db)
  ).rows;

beforeAll(async () => {
  ctx = await buildTestContext({ now: '2026-11-24T09:30:00Z' });
  dir = await mkdtemp(join(tmpdir(), 'rollups-'));
  fsA = await insertStructure(ctx, { departement: '02' });
  fsB = await insertStructure(ctx, { departement: '75' });
  fsR = await insertStructure(ctx, { departement: '974' });
  await sql`update structures set code_insee = '97411', postal_code = '97400' where id = ${fsR.id}`.execute(
    ctx.db,
  );
});
afterAll(async () => {
  await closeContext(ctx);
  await rm(dir, { recursive: true, force: true });
});

describe('rollups kept in the write transaction', () => {
  const moving = randomUUID();

  it('an import adds each record to the department-day, month and structure-week rows', async () => {
    const r = await importLines(
      line({ id: moving, duree_min: '30' }),
      line({ canal: 'telephone', partenaire: 'ants', demarche: 'ants.passeport', duree_min: '10' }),
      line({ id_fs: fsB.idFs, demarche: '', canal: 'visio' }),
      // 22:00 UTC on 31 January is 1 February at La Réunion: the structure's local day counts.
      line({ id_fs: fsR.idFs, debut: '2026-01-31T22:00:00Z', commune_usager: '97411' }),
    );
    expect(r).toMatchObject({ created: 4, rejected: [] });
    expect(await depJour('partenaire')).toEqual([
      { departement: '02', jour: '2026-05-04', valeur: 'ants', n: 1, minutes: 10 },
      { departement: '02', jour: '2026-05-04', valeur: 'caf', n: 1, minutes: 30 },
      { departement: '75', jour: '2026-05-04', valeur: 'caf', n: 1, minutes: 20 },
      { departement: '974', jour: '2026-02-01', valeur: 'caf', n: 1, minutes: 20 },
    ]);
    expect((await depJour('demarche')).find((x) => x.departement === '75')?.valeur).toBe('');
    const weeks = await sql<{ semaine: string; n: number; n_distance: number }>`
      select to_char(semaine, 'YYYY-MM-DD') as semaine, n, n_distance from pilotage_structure_semaine
      where structure_id = ${fsA.id}`.execute(ctx.db);
    expect(weeks.rows).toEqual([{ semaine: '2026-05-04', n: 2, n_distance: 1 }]);
    // The structure's month is its local month too.
    const reunion = await sql<{ mois: string; valeur: string; n: number }>`
      select to_char(mois, 'YYYY-MM-DD') as mois, valeur, n from pilotage_structure_mois
      where structure_id = ${fsR.id} and dimension = 'partenaire'`.execute(ctx.db);
    expect(reunion.rows).toEqual([{ mois: '2026-02-01', valeur: 'caf', n: 1 }]);
    expect(await runRollupCheck(ctx)).toMatchObject({ ok: true, records: 4, differenceCount: 0 });
  });

  it('an import update that changes partner and day moves the counts (old keys emptied)', async () => {
    const r = await importLines(
      line({
        id: moving,
        debut: '2026-06-10T11:00:00+02:00',
        partenaire: 'msa',
        demarche: '',
        duree_min: '45',
      }),
    );
    expect(r).toMatchObject({ updated: 1 });
    const rows = await depJour('partenaire');
    expect(rows.filter((x) => x.departement === '02')).toEqual([
      { departement: '02', jour: '2026-05-04', valeur: 'ants', n: 1, minutes: 10 },
      { departement: '02', jour: '2026-06-10', valeur: 'msa', n: 1, minutes: 45 },
    ]);
    const months = await sql<{ mois: string; n: number }>`
      select to_char(mois, 'YYYY-MM') as mois, sum(n)::int as n from pilotage_dep_mois
      where dimension = 'canal' and departement = '02' group by 1 order by 1`.execute(ctx.db);
    expect(months.rows).toEqual([
      { mois: '2026-05', n: 1 },
      { mois: '2026-06', n: 1 },
    ]);
    expect(await runRollupCheck(ctx)).toMatchObject({ ok: true, differenceCount: 0 });
  });

  it('the same file again changes nothing; a rejected batch writes no rollup', async () => {
    const before = await depJour('canal');
    await importLines(
      line({
        id: moving,
        debut: '2026-06-10T11:00:00+02:00',
        partenaire: 'msa',
        demarche: '',
        duree_min: '45',
      }),
    );
    const id = randomUUID();
    await expect(
      ctx.accompagnement.writeBatch(
        { kind: 'operator' },
        [
          {
            id,
            id_fs: fsA.idFs,
            debut: '2026-05-05T08:00:00Z',
            duree_min: 5,
            canal: 'guichet',
            partenaire: 'caf',
            resultat: 'resolu',
          },
          {
            id: moving,
            id_fs: fsA.idFs,
            debut: '2026-05-05T08:00:00Z',
            duree_min: 5,
            canal: 'guichet',
            partenaire: 'caf',
            resultat: 'resolu',
          },
        ],
        { mode: 'api', source: 'test' },
      ),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect(await depJour('canal')).toEqual(before);
    expect((await runRollupCheck(ctx)).ok).toBe(true);
  });

  it('the purge of private notes leaves the rollups exact', async () => {
    await ctx.accompagnement.writeBatch(
      { kind: 'operator' },
      [
        {
          id: randomUUID(),
          id_fs: fsB.idFs,
          debut: '2026-03-02T08:00:00Z',
          duree_min: 5,
          canal: 'courriel',
          partenaire: 'assurance_retraite',
          resultat: 'oriente',
          note: 'x',
        },
      ],
      { mode: 'api', source: 'test' },
    );
    expect(await ctx.accompagnement.purgeNotes()).toBe(1);
    expect(await runRollupCheck(ctx)).toMatchObject({ ok: true, records: 5 });
  });

  it('rollup-check names the differing keys; rollup-rebuild makes them exact again', async () => {
    await sql`update pilotage_dep_jour set n = n + 2 where dimension = 'partenaire' and departement = '75'`.execute(
      ctx.db,
    );
    await sql`delete from pilotage_structure_semaine where structure_id = ${fsR.id}`.execute(ctx.db);
    // A record written behind the service's back (as a restore would): the rollups miss it.
    const ghost = randomUUID();
    await sql`insert into accompagnement_ids (id, debut) values (${ghost}, '2026-07-01T08:00:00Z')`.execute(
      ctx.db,
    );
    await sql`insert into accompagnements (id, debut, jour_local, structure_id, departement, duree_min, canal, partenaire, resultat, source)
      values (${ghost}, '2026-07-01T08:00:00Z', '2026-07-01', ${fsA.id}, '02', 15, 'guichet', 'caf', 'resolu', 'test')`.execute(
      ctx.db,
    );
    const bad = await runRollupCheck(ctx);
    expect(bad.ok).toBe(false);
    const keys = bad.differences.map((d) => `${d.table} ${d.key}`);
    expect(keys).toContain('pilotage_dep_jour partenaire|75|2026-05-04|caf');
    expect(keys).toContain('pilotage_dep_jour partenaire|75|2026-03-02|assurance_retraite');
    expect(keys).toContain('pilotage_dep_mois canal|02|2026-07-01|guichet');
    expect(keys).toContain(`pilotage_structure_semaine 2026-01-26|${fsR.id}`);
    expect(keys).toContain(`pilotage_structure_mois partenaire|${fsA.id}|2026-07-01|caf`);
    expect(bad.differences.find((d) => d.key === 'partenaire|02|2026-07-01|caf')).toMatchObject({
      attendu: { n: 1, minutes: 15 },
      trouve: null,
    });
    const rebuilt = await runRollupRebuild(ctx);
    expect(rebuilt.records).toBe(6);
    expect(await runRollupCheck(ctx)).toMatchObject({ ok: true, records: 6, differenceCount: 0 });
  });
});

describe('an import marks its months; they are rebuilt set-based, exactly', () => {
  const item = (o: { id?: string; id_fs?: string; debut: string; partenaire?: string; canal?: string }) => ({
    id: o.id ?? randomUUID(),
    id_fs: o.id_fs ?? fsA.idFs,
    debut: o.debut,
    duree_min: 12,
    canal: o.canal ?? 'guichet',
    partenaire: o.partenaire ?? 'caf',
    resultat: 'resolu',
  });
  const stale = async () =>
    (
      await sql<{
        mois: string;
      }>`select to_char(mois, 'YYYY-MM-DD') as mois from pilotage_mois_a_recalculer order by 1`.execute(
        ctx.db,
      )
    ).rows.map((r) => r.mois);

  it('an import stopped before its catch-up leaves its months marked, shown on the dashboard, then rebuilt by the job', async () => {
    await runRollupRebuild(ctx);
    const moved = randomUUID();
    // What `activity import` writes batch by batch, without the catch-up it runs at its end (a stopped import).
    // Monday 31 August 2026 starts a week that ends in September: that week is rebuilt whole.
    await ctx.accompagnement.writeBatch(
      { kind: 'operator' },
      [
        item({ debut: '2026-08-31T08:00:00Z' }),
        item({ id: moved, debut: '2026-09-02T08:00:00Z', canal: 'telephone' }),
        item({ id_fs: fsB.idFs, debut: '2026-09-30T22:30:00Z', partenaire: 'ants' }), // 00:30 on 1 October in Paris
      ],
      { mode: 'import', source: 'import' },
    );
    expect(await stale()).toEqual(['2026-08-01', '2026-09-01', '2026-10-01']);
    // The rollups do not hold them yet…
    expect((await depJour('partenaire')).filter((x) => x.jour >= '2026-08-01')).toEqual([]);
    // …a form write in a marked month adds its change as usual…
    await ctx.accompagnement.writeBatch({ kind: 'operator' }, [item({ debut: '2026-09-03T08:00:00Z' })], {
      mode: 'api',
      source: 'test',
    });
    // …and an import update moves a record from a marked month to August 2026 and back out.
    await ctx.accompagnement.writeBatch(
      { kind: 'operator' },
      [item({ id: moved, debut: '2026-07-15T08:00:00Z', canal: 'telephone' })],
      { mode: 'import', source: 'import' },
    );
    expect(await stale()).toEqual(['2026-07-01', '2026-08-01', '2026-09-01', '2026-10-01']);
    const dashboard = await ctx.pilotage.dashboard(
      { territory: 'FR', from: '2026-06-01', to: '2026-09-30' },
      'operator',
    );
    expect(dashboard.recalculating).toEqual(['2026-07-01', '2026-08-01', '2026-09-01']);
    // A structure's dashboard reads its month rows: it says so too.
    const structureOnly = await ctx.pilotage.dashboard(
      { territory: `structure:${fsA.idFs}`, from: '2026-06-01', to: '2026-09-30' },
      'operator',
    );
    expect(structureOnly.recalculating).toEqual(['2026-07-01', '2026-08-01', '2026-09-01']);

    // The server's job (every 30 s) rebuilds each month once and removes its mark.
    expect(await ctx.pilotage.rollups.refreshStale()).toEqual({ months: 4 });
    expect(await stale()).toEqual([]);
    expect(await ctx.pilotage.rollups.refreshStale()).toEqual({ months: 0 });
    expect(await runRollupCheck(ctx)).toMatchObject({ ok: true, differenceCount: 0 });
    const weeks = await sql<{ semaine: string; n: number; n_distance: number }>`
      select to_char(semaine, 'YYYY-MM-DD') as semaine, n, n_distance from pilotage_structure_semaine
      where structure_id = ${fsA.id} and semaine >= '2026-07-01' order by 1`.execute(ctx.db);
    expect(weeks.rows).toEqual([
      { semaine: '2026-07-13', n: 1, n_distance: 1 },
      { semaine: '2026-08-31', n: 2, n_distance: 0 },
    ]);
    expect(
      (await ctx.pilotage.dashboard({ territory: 'FR', from: '2026-06-01', to: '2026-09-30' }, 'operator'))
        .recalculating,
    ).toEqual([]);
  });

  it("an agent's correction moves the counts and deletes the keys it empties", async () => {
    const u = await createUser(ctx, { role: 'agent', structureIds: [fsB.id], password: null });
    const principal = { id: u.id, role: 'agent', structureIds: [fsB.id], departement: null } as const;
    const id = randomUUID();
    // Today (24 November 2026, Paris), the only record of its department this month.
    const today = { id, id_fs: fsB.idFs, debut: '2026-11-24T08:00:00Z', duree_min: 12, canal: 'guichet' };
    await ctx.accompagnement.writeBatch(
      { kind: 'user', principal },
      [{ ...today, partenaire: 'dgfip', resultat: 'resolu' }],
      { mode: 'api', source: 'test', agentId: u.id },
    );
    const keysOf = async (valeur: string) =>
      (
        await sql<{ t: string; n: number }>`
          select 'dep_jour' as t, n from pilotage_dep_jour
            where valeur = ${valeur} and departement = '75' and jour = '2026-11-24'
          union all
          select 'dep_mois', n from pilotage_dep_mois
            where valeur = ${valeur} and departement = '75' and mois = '2026-11-01'
          union all
          select 'structure_mois', n from pilotage_structure_mois
            where valeur = ${valeur} and structure_id = ${fsB.id} and mois = '2026-11-01'`.execute(ctx.db)
      ).rows;
    expect(await keysOf('dgfip')).toEqual([
      { t: 'dep_jour', n: 1 },
      { t: 'dep_mois', n: 1 },
      { t: 'structure_mois', n: 1 },
    ]);
    await ctx.accompagnement.correct(principal, id, {
      ...today,
      partenaire: 'la_poste',
      resultat: 'oriente',
    });
    // The emptied keys are gone, not left at zero.
    expect(await keysOf('dgfip')).toEqual([]);
    expect(await keysOf('resolu')).toEqual([]);
    expect((await keysOf('la_poste')).map((r) => r.n)).toEqual([1, 1, 1]);
    expect(await runRollupCheck(ctx)).toMatchObject({ ok: true, differenceCount: 0 });
  });

  it('stays exact when form writes and the catch-up of the same month run at once', async () => {
    const importItems = Array.from({ length: 40 }, (_, i) =>
      item({
        debut: `2026-10-${String(1 + (i % 28)).padStart(2, '0')}T08:00:00Z`,
        partenaire: i % 2 ? 'caf' : 'msa',
      }),
    );
    await ctx.accompagnement.writeBatch({ kind: 'operator' }, importItems, {
      mode: 'import',
      source: 'import',
    });
    expect(await stale()).toEqual(['2026-10-01']);
    const writes = Array.from({ length: 8 }, (_, i) =>
      ctx.accompagnement.writeBatch(
        { kind: 'operator' },
        [
          item({
            id_fs: i % 2 ? fsA.idFs : fsB.idFs,
            debut: `2026-10-${String(2 + i).padStart(2, '0')}T09:00:00Z`,
          }),
        ],
        { mode: 'api', source: 'test' },
      ),
    );
    // Writes in the weeks that straddle October's edges (28 September–4 October, 26 October–1 November),
    // which the catch-up of October rewrites whole.
    const edges = ['2026-09-29T09:00:00Z', '2026-11-01T10:00:00Z', '2026-09-28T09:00:00Z'].map((debut) =>
      ctx.accompagnement.writeBatch({ kind: 'operator' }, [item({ debut })], { mode: 'api', source: 'test' }),
    );
    const [catchUp] = await Promise.all([ctx.pilotage.rollups.refreshStale(), ...writes, ...edges]);
    expect(catchUp).toEqual({ months: 1 });
    expect(await runRollupCheck(ctx)).toMatchObject({ ok: true, differenceCount: 0 });
  });
});

describe('upgrading a database that already holds records', () => {
  it('the structure × month migration marks every month with records; the catch-up fills it exactly', async () => {
    await runRollupRebuild(ctx);
    const before = await ctx.pilotage.activityStats({
      territory: `structure:${fsA.idFs}`,
      from: '2026-01-01',
      to: '2026-12-31',
      by: 'partenaire',
    });
    expect(before.total).toBeGreaterThan(0);
    // The database as it was before the migration, with its records and department rollups.
    await structureMonthMigration.down(ctx.db);
    await structureMonthMigration.up(ctx.db);
    const months = (
      await sql<{ mois: string }>`
        select distinct to_char(date_trunc('month', jour_local), 'YYYY-MM-DD') as mois from accompagnements order by 1`.execute(
        ctx.db,
      )
    ).rows.map((r) => r.mois);
    expect(
      (
        await sql<{ mois: string }>`
          select to_char(mois, 'YYYY-MM-DD') as mois from pilotage_mois_a_recalculer order by 1`.execute(
          ctx.db,
        )
      ).rows.map((r) => r.mois),
    ).toEqual(months);
    expect(
      (
        await ctx.pilotage.dashboard(
          { territory: `structure:${fsA.idFs}`, from: '2026-01-01', to: '2026-12-31' },
          'operator',
        )
      ).recalculating,
    ).toEqual(months);
    expect(await ctx.pilotage.rollups.refreshStale()).toEqual({ months: months.length });
    expect(await runRollupCheck(ctx)).toMatchObject({ ok: true, differenceCount: 0 });
    expect(
      await ctx.pilotage.activityStats({
        territory: `structure:${fsA.idFs}`,
        from: '2026-01-01',
        to: '2026-12-31',
        by: 'partenaire',
      }),
    ).toEqual(before);
  });
});
