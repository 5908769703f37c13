import { type RawBuilder, sql } from 'kysely';
import type {
  DimensionRow,
  RollupDeltas,
  RollupDimension,
  StructureMonthRow,
  WeekRow,
} from '../../domain/pilotage/rollup.js';
import type { Db } from '../database.js';

/**
 * The one owner of the pilotage tables (issue 14): the rollups `pilotage_dep_jour`,
 * `pilotage_dep_mois`, `pilotage_structure_mois`, `pilotage_structure_semaine`. Queries only. The raw records are read through
 * the accompaniment repository, never here.
 */

/** Writers hold it shared, a rebuild exclusive: a rebuild never misses a concurrent write. */
const ROLLUP_LOCK = sql`4214, 1`;
export const lockRollupsShared = (trx: Db) =>
  sql`select pg_advisory_xact_lock_shared(${ROLLUP_LOCK})`.execute(trx);
export const lockRollupsExclusive = (trx: Db) =>
  sql`select pg_advisory_xact_lock(${ROLLUP_LOCK})`.execute(trx);

/** One lock per local month (key yyyymm): writers hold theirs shared, a month's rebuild exclusive. */
const MONTH_LOCK = 4215;
const monthKey = (firstDay: string) => Number(firstDay.slice(0, 4)) * 100 + Number(firstDay.slice(5, 7));

/** Shared locks on the months a write touches, taken in month order (no two writers wait on each other). */
export async function lockMonthsShared(trx: Db, firstDays: readonly string[]): Promise<void> {
  const keys = [...new Set(firstDays.map(monthKey))].sort((a, b) => a - b);
  if (keys.length === 0) return;
  await sql`select pg_advisory_xact_lock_shared(${MONTH_LOCK}, k)
    from (select k from unnest(${keys}::int[]) k order by k) ordered`.execute(trx);
}

export const lockMonthExclusive = (trx: Db, firstDay: string) =>
  sql`select pg_advisory_xact_lock(${MONTH_LOCK}, ${monthKey(firstDay)}::int)`.execute(trx);

/** Marks months (their first days) for a set-based rebuild, in the writer's transaction. */
export async function markMonthsStale(trx: Db, firstDays: readonly string[]): Promise<void> {
  if (firstDays.length === 0) return;
  await sql`insert into pilotage_mois_a_recalculer (mois)
    select distinct m from unnest(${[...firstDays]}::date[]) m order by m
    on conflict (mois) do nothing`.execute(trx);
}

/** Months waiting for their rebuild, oldest mark first, with the time they were marked. */
export async function staleMonths(db: Db): Promise<Array<{ mois: string; depuis: Date }>> {
  const r = await sql<{ mois: string; depuis: Date }>`
    select to_char(mois, 'YYYY-MM-DD') as mois, depuis from pilotage_mois_a_recalculer order by depuis, mois`.execute(
    db,
  );
  return r.rows;
}

/** Stale months among those of [fromDay, toDay] (a dashboard says its figures are being rebuilt). */
export async function staleMonthsBetween(db: Db, fromDay: string, toDay: string): Promise<string[]> {
  const r = await sql<{ mois: string }>`
    select to_char(mois, 'YYYY-MM-DD') as mois from pilotage_mois_a_recalculer
    where mois between date_trunc('month', ${fromDay}::date)::date and ${toDay}::date order by mois`.execute(
    db,
  );
  return r.rows.map((x) => x.mois);
}

/**
 * Rebuilds one local month from the raw counts (inside the caller's transaction, under the month's
 * exclusive lock): its day and month rows, and every structure week overlapping it, recomputed whole
 * from the records of those weeks (a week may straddle two months). Removes the month's mark; false
 * when there was none (another process rebuilt it first).
 */
export async function rebuildMonthFrom(
  trx: Db,
  month: { readonly first: string; readonly last: string; readonly firstMonday: string },
  countsOfMonth: RawBuilder<unknown>,
  structureDayOfWeeks: RawBuilder<unknown>,
): Promise<boolean> {
  const taken =
    await sql`delete from pilotage_mois_a_recalculer where mois = ${month.first}::date returning mois`.execute(
      trx,
    );
  if (taken.rows.length === 0) return false;
  await sql`delete from pilotage_dep_jour where jour between ${month.first}::date and ${month.last}::date`.execute(
    trx,
  );
  await sql`delete from pilotage_dep_mois where mois = ${month.first}::date`.execute(trx);
  await sql`delete from pilotage_structure_mois where mois = ${month.first}::date`.execute(trx);
  // The weeks overlapping the month are recomputed whole: none of them is left to add to.
  await sql`delete from pilotage_structure_semaine
    where semaine between ${month.firstMonday}::date and ${month.last}::date`.execute(trx);
  await insertRebuiltFrom(trx, month, countsOfMonth, structureDayOfWeeks);
  return true;
}

/**
 * Adds changes to the rollups (inside the caller's transaction): one upsert per table, its rows sent as
 * ONE JSON parameter (bound parameters cost more than the upsert at batch sizes); rows whose count
 * falls to zero are deleted in one statement. The deltas come sorted by key (rollupDeltas), so
 * concurrent writers take their row locks in the same order.
 */
export async function applyRollupDeltas(trx: Db, d: RollupDeltas): Promise<void> {
  await addCounts(trx, DEP_JOUR, dimensionRows('jour', d.depJour));
  await addCounts(trx, DEP_MOIS, dimensionRows('mois', d.depMois));
  await addCounts(
    trx,
    STRUCTURE_MOIS,
    d.structureMois.map((r) => ({
      mois: r.periode,
      structure_id: r.structureId,
      dimension: r.dimension,
      valeur: r.valeur,
      n: r.n,
      minutes: r.minutes,
    })),
  );
  await addWeeks(trx, d.semaines, true);
}

/** A rollup table of counts per key: its key columns with their SQL types, then `n` and `minutes`. */
type CountTable = {
  readonly name: 'pilotage_dep_jour' | 'pilotage_dep_mois' | 'pilotage_structure_mois';
  readonly keys: ReadonlyArray<readonly [column: string, type: 'text' | 'date' | 'uuid']>;
};
const DEP_JOUR: CountTable = {
  name: 'pilotage_dep_jour',
  keys: [
    ['dimension', 'text'],
    ['departement', 'text'],
    ['jour', 'date'],
    ['valeur', 'text'],
  ],
};
const DEP_MOIS: CountTable = {
  name: 'pilotage_dep_mois',
  keys: [
    ['dimension', 'text'],
    ['departement', 'text'],
    ['mois', 'date'],
    ['valeur', 'text'],
  ],
};
const STRUCTURE_MOIS: CountTable = {
  name: 'pilotage_structure_mois',
  keys: [
    ['mois', 'date'],
    ['structure_id', 'uuid'],
    ['dimension', 'text'],
    ['valeur', 'text'],
  ],
};

/**
 * Adds each row's count and minutes to its key's (negative for a corrected or removed record), in one
 * statement; a key brought back to zero is deleted. The table and column names are the constants above.
 */
async function addCounts(
  trx: Db,
  table: CountTable,
  rows: ReadonlyArray<Readonly<Record<string, unknown>> & { n: number; minutes: number }>,
): Promise<void> {
  if (rows.length === 0) return;
  const json = JSON.stringify(rows);
  const t = sql.table(table.name);
  const keys = sql.join(table.keys.map(([c]) => sql.ref(c)));
  const keyTypes = sql.raw(table.keys.map(([c, type]) => `${c} ${type}`).join(', '));
  await sql`
    insert into ${t} (${keys}, n, minutes)
    select ${keys}, n, minutes
    from json_to_recordset(${json}::json) as x(${keyTypes}, n integer, minutes bigint)
    on conflict (${keys})
    do update set n = ${t}.n + excluded.n, minutes = ${t}.minutes + excluded.minutes`.execute(trx);
  if (rows.some((r) => r.n < 0))
    await sql`
      delete from ${t} where n = 0 and (${keys}) in (
        select ${keys} from json_to_recordset(${json}::json) as x(${keyTypes}))`.execute(trx);
}

const dimensionRows = (period: 'jour' | 'mois', rows: readonly DimensionRow[]) =>
  rows.map((r) => ({
    dimension: r.dimension,
    departement: r.departement,
    [period]: r.periode,
    valeur: r.valeur,
    n: r.n,
    minutes: r.minutes,
  }));

async function addWeeks(trx: Db, rows: readonly WeekRow[], dropZero: boolean): Promise<void> {
  if (rows.length === 0) return;
  const json = JSON.stringify(
    rows.map((r) => ({
      semaine: r.semaine,
      structure_id: r.structureId,
      departement: r.departement,
      n: r.n,
      n_distance: r.nDistance,
      minutes: r.minutes,
    })),
  );
  await sql`
    insert into pilotage_structure_semaine (semaine, structure_id, departement, n, n_distance, minutes)
    select semaine, structure_id, departement, n, n_distance, minutes
    from json_to_recordset(${json}::json)
      as x(semaine date, structure_id uuid, departement text, n integer, n_distance integer, minutes bigint)
    on conflict (semaine, structure_id) do update set
      n = pilotage_structure_semaine.n + excluded.n,
      n_distance = pilotage_structure_semaine.n_distance + excluded.n_distance,
      minutes = pilotage_structure_semaine.minutes + excluded.minutes,
      departement = excluded.departement`.execute(trx);
  if (dropZero && rows.some((r) => r.n < 0))
    await sql`
      delete from pilotage_structure_semaine where n = 0 and (semaine, structure_id) in (
        select semaine, structure_id from json_to_recordset(${json}::json) as x(semaine date, structure_id uuid))`.execute(
      trx,
    );
}

/** Empties the rollups (a rebuild, under the exclusive lock). */
export async function clearRollups(trx: Db): Promise<void> {
  await trx.deleteFrom('pilotage_mois_a_recalculer').execute();
  await trx.deleteFrom('pilotage_dep_jour').execute();
  await trx.deleteFrom('pilotage_dep_mois').execute();
  await trx.deleteFrom('pilotage_structure_mois').execute();
  await trx.deleteFrom('pilotage_structure_semaine').execute();
}

/**
 * Rebuilds the rollups of one month set-based, inside the database, from the raw counts queries the
 * accompaniment repository defines (`countsPerDimensionQuery` over the month, `countsPerStructureDayQuery`).
 * Weeks are added (a week spans two months).
 */
export async function insertRebuiltFrom(
  trx: Db,
  month: { readonly first: string },
  countsOfMonth: RawBuilder<unknown>,
  structureDay: RawBuilder<unknown>,
): Promise<void> {
  // The month's grouping fits in memory instead of sorting on disk (PostgreSQL's default is 4 MB).
  await sql`set local work_mem = '32MB'`.execute(trx);
  // One scan of the month's records feeds the department days, the department month (the sum of its days,
  // without reading the day rows back) and the structures' month, written in their index's order.
  await sql`
    with counts as materialized (${countsOfMonth}),
    department_days as (
      insert into pilotage_dep_jour (dimension, departement, jour, valeur, n, minutes)
      select dimension, departement, jour::date, valeur, n, minutes from counts where jour is not null),
    department_month as (
      insert into pilotage_dep_mois (dimension, departement, mois, valeur, n, minutes)
      select dimension, departement, ${month.first}::date, valeur, sum(n)::int, sum(minutes)
      from counts where jour is not null group by dimension, departement, valeur)
    insert into pilotage_structure_mois (structure_id, dimension, mois, valeur, n, minutes)
    select "structureId"::uuid, dimension, ${month.first}::date, valeur, n, minutes
    from counts where "structureId" is not null order by 1, 2, 4`.execute(trx);
  await sql`insert into pilotage_structure_semaine (semaine, structure_id, departement, n, n_distance, minutes)
    select jour::date - (extract(isodow from jour::date)::int - 1), "structureId"::uuid, min(departement), sum(n)::int, sum("nDistance")::int, sum(minutes)
    from (${structureDay}) q group by 1, 2
    on conflict (semaine, structure_id) do update set
      n = pilotage_structure_semaine.n + excluded.n,
      n_distance = pilotage_structure_semaine.n_distance + excluded.n_distance,
      minutes = pilotage_structure_semaine.minutes + excluded.minutes`.execute(trx);
}

/**
 * Refreshes the planner's statistics of the records and rollups after a bulk change. PGlite runs no
 * autovacuum: without this, a freshly imported table is planned as if it held a handful of rows.
 */
export async function analyseAfterBulk(db: Db): Promise<void> {
  await sql`analyze accompagnements, accompagnement_ids, pilotage_dep_jour, pilotage_dep_mois, pilotage_structure_mois, pilotage_structure_semaine`.execute(
    db,
  );
}

/** Row counts of the rollups. */
export async function rollupRowCount(db: Db): Promise<number> {
  const r = await sql<{
    n: number;
  }>`select ((select count(*) from pilotage_dep_jour) + (select count(*) from pilotage_dep_mois)
    + (select count(*) from pilotage_structure_mois)
    + (select count(*) from pilotage_structure_semaine))::int as n`.execute(db);
  return r.rows[0]?.n ?? 0;
}

/** Records the rollups count (the week rows hold each record once). */
export async function rollupRecordCount(db: Db): Promise<number> {
  const r = await sql<{
    n: number;
  }>`select coalesce(sum(n), 0)::int as n from pilotage_structure_semaine`.execute(db);
  return r.rows[0]?.n ?? 0;
}

/** The rollup rows of a range of days (day table) and of the months starting in it (month tables). */
export async function rollupRowsBetween(
  db: Db,
  fromDay: string,
  toDay: string,
): Promise<{ depJour: DimensionRow[]; depMois: DimensionRow[]; structureMois: StructureMonthRow[] }> {
  const jour = await sql<{
    dimension: RollupDimension;
    departement: string;
    periode: string;
    valeur: string;
    n: number;
    minutes: number;
  }>`
    select dimension, departement, to_char(jour, 'YYYY-MM-DD') as periode, valeur, n, minutes::bigint as minutes
    from pilotage_dep_jour where jour between ${fromDay}::date and ${toDay}::date`.execute(db);
  const mois = await sql<{
    dimension: RollupDimension;
    departement: string;
    periode: string;
    valeur: string;
    n: number;
    minutes: number;
  }>`
    select dimension, departement, to_char(mois, 'YYYY-MM-DD') as periode, valeur, n, minutes::bigint as minutes
    from pilotage_dep_mois where mois between ${fromDay}::date and ${toDay}::date`.execute(db);
  const structureMois = await sql<StructureMonthRow>`
    select dimension, structure_id::text as "structureId", to_char(mois, 'YYYY-MM-DD') as periode, valeur, n,
           minutes::bigint as minutes
    from pilotage_structure_mois where mois between ${fromDay}::date and ${toDay}::date`.execute(db);
  const num = <R extends { minutes: number }>(r: R) => ({ ...r, minutes: Number(r.minutes) });
  return {
    depJour: jour.rows.map(num),
    depMois: mois.rows.map(num),
    structureMois: structureMois.rows.map(num),
  };
}

export async function allWeekRows(db: Db): Promise<WeekRow[]> {
  const r = await sql<WeekRow>`
    select to_char(semaine, 'YYYY-MM-DD') as semaine, structure_id as "structureId", departement, n,
           n_distance as "nDistance", minutes::bigint as minutes
    from pilotage_structure_semaine`.execute(db);
  return r.rows.map((x) => ({ ...x, minutes: Number(x.minutes) }));
}

/** The first and last days the rollups cover (null when empty). */
export async function rollupDayBounds(db: Db): Promise<{ first: string; last: string } | null> {
  const r = await sql<{ first: string | null; last: string | null }>`
    select to_char(least(min(j.d), min(m.d)), 'YYYY-MM-DD') as first, to_char(greatest(max(j.d), max(m.d)), 'YYYY-MM-DD') as last
    from (select min(jour) as d from pilotage_dep_jour union all select max(jour) from pilotage_dep_jour) j,
         (select min(mois) as d from pilotage_dep_mois union all select max(mois) from pilotage_dep_mois) m`.execute(
    db,
  );
  const row = r.rows[0];
  return row?.first && row.last ? { first: row.first, last: row.last } : null;
}

// ---------------------------------------------------------------------------------------------
// Indicator reads (scoped to departments in SQL)
// ---------------------------------------------------------------------------------------------

export interface RollupRead {
  readonly dimension: RollupDimension;
  /** The departments of the territory (always given: FR is its list of departments). */
  readonly departements: readonly string[];
  /** Whole months (first days, inclusive), read from the month rows. */
  readonly months: { readonly from: string; readonly to: string } | null;
  /** Edge days, read from the day rows. */
  readonly days: ReadonlyArray<{ readonly from: string; readonly to: string }>;
  /** Group by month (`YYYY-MM`) instead of by value; by department too when asked. */
  readonly byMonth?: boolean;
  readonly byDepartement?: boolean;
}

/** Counts and minutes per value (or month) of a dimension over departments and a range of days. */
/**
 * A dashboard's rollup read, without parallel workers: it reads tens of thousands of index rows at most,
 * and starting workers cost more than they saved (PostgreSQL at 36 M records on 2 cores: a national year by
 * partner took about 180 ms with two workers, 85 ms without). `work_mem` fits the largest grouping (a
 * national year of active weeks spilled to disk in 9 batches at the default 4 MB). PGlite has no workers;
 * the settings are harmless there.
 */
async function rollupRead<T>(db: Db, read: (trx: Db) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`set local max_parallel_workers_per_gather = 0`.execute(trx);
    await sql`set local work_mem = '16MB'`.execute(trx);
    return read(trx);
  });
}

export async function sumDimension(
  db: Db,
  q: RollupRead,
): Promise<Array<{ key: string; departement: string | null; count: number; minutes: number }>> {
  if (q.departements.length === 0 || (q.months === null && q.days.length === 0)) return [];
  const deps = sql.join(q.departements);
  const parts: RawBuilder<unknown>[] = [];
  if (q.months)
    parts.push(sql`select departement, valeur, mois as periode, n, minutes from pilotage_dep_mois
      where dimension = ${q.dimension} and departement in (${deps})
        and mois between ${q.months.from}::date and ${q.months.to}::date`);
  if (q.days.length > 0)
    parts.push(sql`select departement, valeur, jour as periode, n, minutes from pilotage_dep_jour
      where dimension = ${q.dimension} and departement in (${deps})
        and (${sql.join(
          q.days.map((d) => sql`jour between ${d.from}::date and ${d.to}::date`),
          sql` or `,
        )})`);
  const key = q.byMonth ? sql`to_char(periode, 'YYYY-MM')` : sql`valeur`;
  const dep = q.byDepartement ? sql`departement` : sql`null::text`;
  const r = await rollupRead(db, (trx) =>
    sql<{ key: string; departement: string | null; count: number; minutes: number }>`
      select ${key} as key, ${dep} as departement, sum(n)::int as count, sum(minutes)::bigint as minutes
      from (${sql.join(parts, sql` union all `)}) x group by 1, 2`.execute(trx),
  );
  return r.rows.map((x) => ({ ...x, minutes: Number(x.minutes) }));
}

/**
 * Counts and minutes per value (or month) of a dimension for one structure: its whole months from the
 * structure × month rows. The partial months at the edges of a range are read from the records by the
 * caller (there is no structure × day rollup: it would hold a row per structure, day and value).
 */
export async function sumStructureMonths(
  db: Db,
  q: {
    readonly structureId: string;
    readonly dimension: RollupDimension;
    /** First days of the first and last whole months. */
    readonly months: { readonly from: string; readonly to: string };
    readonly byMonth: boolean;
  },
): Promise<Array<{ key: string; count: number; minutes: number }>> {
  const key = q.byMonth ? sql`to_char(mois, 'YYYY-MM')` : sql`valeur`;
  const r = await rollupRead(db, (trx) =>
    sql<{ key: string; count: number; minutes: number }>`
      select ${key} as key, sum(n)::int as count, sum(minutes)::bigint as minutes
      from pilotage_structure_mois
      where mois = any(array(select generate_series(${q.months.from}::date, ${q.months.to}::date, interval '1 month')::date))
        and structure_id = ${q.structureId} and dimension = ${q.dimension}
      group by 1`.execute(trx),
  );
  return r.rows.map((x) => ({ ...x, minutes: Number(x.minutes) }));
}

/**
 * Per week: accompaniments, remote ones, and the structures with at least one (crisis indicators). The
 * totals come one row per week; the active structures one row per structure, with the numbers of its
 * active weeks (0 = the first Monday): about 3,000 short rows for a national year instead of 150,000
 * structure-week rows (the transfer was most of the national series' time).
 */
export async function weeklyActivity(
  db: Db,
  q: {
    readonly fromMonday: string;
    readonly toMonday: string;
    readonly departements?: readonly string[];
    readonly structureId?: string;
  },
): Promise<Array<{ semaine: string; activeIds: string[]; n: number; nDistance: number }>> {
  const scope = sql`semaine between ${q.fromMonday}::date and ${q.toMonday}::date
      ${q.structureId ? sql`and structure_id = ${q.structureId}` : sql``}
      ${q.departements ? sql`and departement in (${sql.join(q.departements)})` : sql``}`;
  // The two reads are independent: on a PostgreSQL server they run at once, on two connections.
  const [totals, active] = await Promise.all([
    rollupRead(db, (trx) =>
      sql<{ semaine: string; n: number; nDistance: number }>`
        select to_char(semaine, 'YYYY-MM-DD') as semaine, sum(n)::int as n, sum(n_distance)::int as "nDistance"
        from pilotage_structure_semaine where ${scope} group by semaine`.execute(trx),
    ),
    rollupRead(db, (trx) =>
      sql<{ id: string; weeks: number[] }>`
        select structure_id::text as id, array_agg(((semaine - ${q.fromMonday}::date) / 7)::int) as weeks
        from pilotage_structure_semaine where ${scope} and n > 0 group by structure_id`.execute(trx),
    ),
  ]);
  const mondays = new Map<number, string>();
  const start = Date.parse(`${q.fromMonday}T00:00:00Z`);
  const ids = new Map<string, string[]>();
  for (const row of active.rows)
    for (const w of row.weeks) {
      let monday = mondays.get(w);
      if (monday === undefined) {
        monday = new Date(start + w * 7 * 86_400_000).toISOString().slice(0, 10);
        mondays.set(w, monday);
      }
      const list = ids.get(monday);
      if (list) list.push(row.id);
      else ids.set(monday, [row.id]);
    }
  return totals.rows.map((t) => ({ ...t, activeIds: ids.get(t.semaine) ?? [] }));
}

// ---------------------------------------------------------------------------------------------
// Satisfaction survey
// ---------------------------------------------------------------------------------------------

export async function insertSurveyLink(
  db: Db,
  l: { hash: string; structureId: string; departement: string; createdAt: Date; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('pilotage_enquetes')
    .values({
      jeton_hash: l.hash,
      structure_id: l.structureId,
      departement: l.departement,
      cree_le: l.createdAt,
      expire_le: l.expiresAt,
    })
    .execute();
}

export async function findSurveyLink(
  db: Db,
  hash: string,
): Promise<{
  id: string;
  structureId: string;
  departement: string;
  expiresAt: Date;
  answered: boolean;
} | null> {
  const row = await db
    .selectFrom('pilotage_enquetes as e')
    .leftJoin('pilotage_reponses as r', 'r.enquete_id', 'e.id')
    .select(['e.id', 'e.structure_id', 'e.departement', 'e.expire_le', 'r.enquete_id as answered'])
    .where('e.jeton_hash', '=', hash)
    .executeTakeFirst();
  return row
    ? {
        id: row.id,
        structureId: row.structure_id,
        departement: row.departement,
        expiresAt: new Date(row.expire_le),
        answered: row.answered !== null,
      }
    : null;
}

/** One answer per link, by the primary key: false when the link was already answered. */
export async function insertSurveyAnswer(
  db: Db,
  a: {
    enqueteId: string;
    structureId: string;
    departement: string;
    at: Date;
    demarche: string;
    accueil: number;
    recommande: string;
  },
): Promise<boolean> {
  const r = await db
    .insertInto('pilotage_reponses')
    .values({
      enquete_id: a.enqueteId,
      structure_id: a.structureId,
      departement: a.departement,
      repondu_le: a.at,
      demarche: a.demarche,
      accueil: a.accueil,
      recommande: a.recommande,
    })
    .onConflict((oc) => oc.column('enquete_id').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Answer counts per structure over a territory and a window of instants (aggregates only). */
export async function surveyTotals(
  db: Db,
  q: { departements?: readonly string[]; structureId?: string; from: Date; to: Date },
): Promise<
  Array<{ structureId: string; count: number; satisfied: number; advanced: number; recommend: number }>
> {
  const r = await sql<{
    structureId: string;
    count: number;
    satisfied: number;
    advanced: number;
    recommend: number;
  }>`
    select structure_id as "structureId", count(*)::int as count,
           (count(*) filter (where accueil >= 4))::int as satisfied,
           (count(*) filter (where demarche in ('oui', 'en_partie')))::int as advanced,
           (count(*) filter (where recommande = 'oui'))::int as recommend
    from pilotage_reponses
    where repondu_le >= ${q.from} and repondu_le < ${q.to}
      ${q.structureId ? sql`and structure_id = ${q.structureId}` : sql``}
      ${q.departements ? sql`and departement in (${sql.join(q.departements)})` : sql``}
    group by 1`.execute(db);
  return r.rows;
}
