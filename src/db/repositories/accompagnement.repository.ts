import { type Selectable, sql } from 'kysely';
import type { Db } from '../database.js';
import type { AccompagnementDemarchesTable, AccompagnementsTable } from '../schema/accompagnement.js';

/**
 * The one owner of the accompaniment tables: records (partitioned by month), the id registry, the
 * démarche catalogue and the per-structure API tokens. Queries only: the service validates.
 */
export type RecordRow = Selectable<AccompagnementsTable>;
export type RecordInsert = Omit<RecordRow, 'created_at' | 'updated_at'>;
export type DemarcheRow = Selectable<AccompagnementDemarchesTable>;

// ---------------------------------------------------------------------------------------------
// Partitions
// ---------------------------------------------------------------------------------------------

const partitionName = (month: string) => `accompagnements_m${month.replace('-', '')}`;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** Months (`YYYY-MM`, UTC bounds) that already have their own partition. */
export async function existingPartitions(db: Db): Promise<Set<string>> {
  const rows = await sql<{ name: string }>`
    select c.relname as name from pg_inherits i
    join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent
    where p.relname = 'accompagnements'`.execute(db);
  const months = new Set<string>();
  for (const r of rows.rows) {
    const m = /^accompagnements_m(\d{4})(\d{2})$/.exec(r.name);
    if (m) months.add(`${m[1]}-${m[2]}`);
  }
  return months;
}

/**
 * Creates the partition of a month. Rows the default partition already holds for that month are
 * moved into it in the same transaction (attaching would fail otherwise). Serialised by an advisory
 * lock, so two processes creating the same month do not collide.
 */
export async function createMonthPartition(db: Db, month: string): Promise<void> {
  if (!MONTH.test(month)) throw new Error(`mois invalide : ${month}`);
  const [y, m] = month.split('-').map(Number) as [number, number];
  const from = `${month}-01 00:00:00+00`;
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  const to = `${next}-01 00:00:00+00`;
  const name = sql.raw(partitionName(month));
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(4212, ${y * 100 + m})`.execute(trx);
    const exists = await sql<{
      n: number;
    }>`select count(*)::int as n from pg_class where relname = ${partitionName(month)}`.execute(trx);
    if ((exists.rows[0]?.n ?? 0) > 0) return;
    await sql`create table ${name} (like accompagnements including defaults including constraints)`.execute(
      trx,
    );
    await sql`with moved as (
        delete from accompagnements_default where debut >= ${from}::timestamptz and debut < ${to}::timestamptz returning *
      ) insert into ${name} select * from moved`.execute(trx);
    await sql`alter table accompagnements attach partition ${name}
      for values from (${sql.lit(from)}) to (${sql.lit(to)})`.execute(trx);
  });
}

// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------

/**
 * Called inside the write transaction with what changed, so the pilotage rollups stay exact
 * (docs/adr/0014-pilotage.md): the records added and the stored versions they replaced; or, for an import
 * (`bulk`), only the local months (first days) those records fall in, for a set-based pass over them.
 */
export type WriteListener = (
  trx: Db,
  change:
    | {
        readonly bulk: false;
        readonly added: readonly RecordInsert[];
        readonly removed: readonly RecordRow[];
      }
    | { readonly bulk: true; readonly months: readonly string[] },
) => Promise<void>;

/** What the caller decided about records whose id was already stored. */
export type BatchDecision =
  | { readonly abort: true }
  | { readonly abort: false; readonly replace: ReadonlyArray<RecordInsert> };

/**
 * A batch of rows to write, already serialised: its values travel as ONE JSON parameter expanded by
 * `json_to_recordset` (thousands of bound parameters cost more to encode and plan than the insert
 * itself). An import's reading thread builds the text; `rows()` parses it back only when an id was
 * already stored (the rare case of a re-import).
 */
export interface RecordBatch {
  readonly json: string;
  readonly size: number;
  /** The months (`YYYY-MM`, UTC, of `debut`) the rows fall in: the partitions they need. */
  readonly partitionMonths: readonly string[];
  rows(): readonly RecordInsert[];
}

export function recordBatch(rows: readonly RecordInsert[]): RecordBatch {
  return {
    json: JSON.stringify(rows),
    size: rows.length,
    partitionMonths: [...new Set(rows.map((r) => new Date(r.debut).toISOString().slice(0, 7)))],
    rows: () => rows,
  };
}

const RECORD_COLUMNS =
  sql.raw(`id uuid, debut timestamptz, jour_local date, structure_id uuid, departement text,
  agent_id uuid, duree_min smallint, canal text, arret_bus text, partenaire text, demarche text, resultat text,
  tranche_age text, commune_usager text, premiere_visite boolean, autonomie text, note text, source text`);
const RECORD_NAMES = sql.raw(`id, debut, jour_local, structure_id, departement, agent_id, duree_min, canal,
  arret_bus, partenaire, demarche, resultat, tranche_age, commune_usager, premiere_visite, autonomie, note, source`);

/**
 * Registers the ids and inserts the records whose id was new, in ONE statement reading the batch once.
 * Returns what is small in the common case: the ids that were already registered (any month), left
 * for the caller to decide, and the local months (first days) of the records inserted.
 */
async function insertNewRecords(
  trx: Db,
  json: string,
  now: Date,
): Promise<{ known: string[]; months: string[] }> {
  const r = await sql<{ kind: 'k' | 'm'; value: string }>`
    with batch as (select * from json_to_recordset(${json}::json) as x(${RECORD_COLUMNS})),
    fresh as (
      insert into accompagnement_ids (id, debut) select id, debut from batch
      on conflict (id) do nothing returning id),
    inserted as (
      insert into accompagnements (${RECORD_NAMES}, created_at, updated_at)
      select batch.*, ${now}::timestamptz, ${now}::timestamptz from batch join fresh using (id)
      returning jour_local)
    select 'm' as kind, to_char(date_trunc('month', jour_local), 'YYYY-MM-DD') as value from inserted group by 2
    union all
    select 'k', id::text from batch where id not in (select id from fresh)`.execute(trx);
  const known: string[] = [];
  const months: string[] = [];
  for (const x of r.rows) (x.kind === 'k' ? known : months).push(x.value);
  return { known, months };
}

const monthOfDay = (day: string) => `${day.slice(0, 7)}-01`;

/**
 * Writes a batch in ONE transaction: records with a new id are inserted; for ids already stored (in
 * any month), `decide` sees the stored rows (locked) and says which to replace, or to abort — then
 * nothing of the batch is written. Returns how many were new, or null when aborted.
 */
export async function writeBatch(
  db: Db,
  batch: RecordBatch,
  now: Date,
  decide: (existing: ReadonlyMap<string, RecordRow>, rows: readonly RecordInsert[]) => BatchDecision,
  afterWrite?: WriteListener,
  bulk = false,
): Promise<{ created: number } | null> {
  if (batch.size === 0) return { created: 0 };
  const aborted = Symbol('aborted');
  try {
    return await db.transaction().execute(async (trx) => {
      const { known, months } = await insertNewRecords(trx, batch.json, now);
      const existing = new Map<string, RecordRow>();
      if (known.length > 0) {
        const stored = await trx
          .selectFrom('accompagnements as a')
          .innerJoin('accompagnement_ids as r', (j) =>
            j.onRef('r.id', '=', 'a.id').onRef('r.debut', '=', 'a.debut'),
          )
          .selectAll('a')
          .where('r.id', 'in', known)
          .forUpdate('r')
          .execute();
        for (const r of stored) existing.set(r.id, r);
      }
      // The rows are only needed (parsed back, for an import) when some id was already stored, or for a
      // listener that adds each record to the rollups.
      const rows = known.length > 0 || (afterWrite && !bulk) ? batch.rows() : [];
      const decision = decide(existing, rows);
      if (decision.abort) throw aborted;
      const knownIds = new Set(known);
      const added: RecordInsert[] = afterWrite && !bulk ? rows.filter((r) => !knownIds.has(r.id)) : [];
      const removed: RecordRow[] = [];
      const touched = new Set(months);
      for (const row of decision.replace) {
        const previous = existing.get(row.id);
        if (!previous) continue;
        added.push(row);
        removed.push(previous);
        touched.add(monthOfDay(row.jour_local));
        touched.add(monthOfDay(previous.jour_local));
        await trx
          .deleteFrom('accompagnements')
          .where('id', '=', row.id)
          .where('debut', '=', previous.debut)
          .execute();
        await trx
          .insertInto('accompagnements')
          .values({ ...row, created_at: previous.created_at, updated_at: now })
          .execute();
        await trx
          .updateTable('accompagnement_ids')
          .set({ debut: row.debut })
          .where('id', '=', row.id)
          .execute();
      }
      if (afterWrite && touched.size > 0)
        await afterWrite(
          trx,
          bulk ? { bulk: true, months: [...touched].sort() } : { bulk: false, added, removed },
        );
      return { created: batch.size - known.length };
    });
  } catch (e) {
    if (e === aborted) return null;
    throw e;
  }
}

/** The stored records for ids (any month), through the registry's start times. */
export async function findRecords(db: Db, ids: readonly string[]): Promise<Map<string, RecordRow>> {
  const found = new Map<string, RecordRow>();
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    if (chunk.length === 0) continue;
    const rows = await db
      .selectFrom('accompagnements as a')
      .innerJoin('accompagnement_ids as r', (j) =>
        j.onRef('r.id', '=', 'a.id').onRef('r.debut', '=', 'a.debut'),
      )
      .selectAll('a')
      .where('r.id', 'in', chunk)
      .execute();
    for (const r of rows) found.set(r.id, r);
  }
  return found;
}

export interface RecordListFilter {
  readonly structureId: string;
  /** Only this agent's records (an agent sees their own). */
  readonly agentId?: string;
  readonly from?: Date;
  readonly to?: Date;
  /** Keyset pagination: records strictly before this (debut, id). */
  readonly before?: { readonly debut: Date; readonly id: string };
  readonly limit: number;
}

/** A structure's records, newest first, scoped in SQL to that structure (and agent). */
export async function listRecords(db: Db, f: RecordListFilter): Promise<RecordRow[]> {
  let q = db.selectFrom('accompagnements').selectAll().where('structure_id', '=', f.structureId);
  if (f.agentId) q = q.where('agent_id', '=', f.agentId);
  if (f.from) q = q.where('debut', '>=', f.from);
  if (f.to) q = q.where('debut', '<', f.to);
  if (f.before) {
    const b = f.before;
    q = q.where((eb) =>
      eb.or([eb('debut', '<', b.debut), eb.and([eb('debut', '=', b.debut), eb('id', '<', b.id)])]),
    );
  }
  return q.orderBy('debut', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
}

export interface StatsFilter {
  readonly fromDay: string;
  readonly toDay: string;
  /** Instants that surely contain the local days (partition pruning); the day test is exact. */
  readonly fromInstant: Date;
  readonly toInstant: Date;
  readonly departements?: readonly string[];
  readonly structureId?: string;
}

const GROUP_EXPRESSIONS = {
  partenaire: sql<string>`partenaire`,
  canal: sql<string>`canal`,
  resultat: sql<string>`resultat`,
  demarche: sql<string>`demarche`,
  mois: sql<string>`to_char(jour_local, 'YYYY-MM')`,
} as const;

/** One aggregate query: count and minutes per group. Never a record, never a note. */
export async function aggregateRecords(
  db: Db,
  f: StatsFilter,
  by: keyof typeof GROUP_EXPRESSIONS,
): Promise<Array<{ key: string | null; count: number; minutes: number }>> {
  const key = GROUP_EXPRESSIONS[by];
  const rows = await sql<{ key: string | null; count: number; minutes: number }>`
    select ${key} as key, count(*)::int as count, coalesce(sum(duree_min), 0)::int as minutes
    from accompagnements
    where debut >= ${f.fromInstant} and debut < ${f.toInstant}
      and jour_local between ${f.fromDay}::date and ${f.toDay}::date
      ${f.departements ? sql`and departement in (${sql.join(f.departements)})` : sql``}
      ${f.structureId ? sql`and structure_id = ${f.structureId}` : sql``}
    group by 1`.execute(db);
  return rows.rows;
}

/** A window of local days and the instants that surely contain them (partition pruning). */
export interface DayWindow {
  readonly fromDay: string;
  readonly toDay: string;
  readonly fromInstant: Date;
  readonly toInstant: Date;
}

/**
 * Raw counts per dimension value (one scan, grouping sets): per department × local day, and per
 * structure over the whole window (a month, when rebuilding or checking the structure × month rows).
 * What the pilotage rollups must equal. The query is defined here, by the owner of the records; the
 * pilotage repository runs it (to check) or inserts its result set-based (to rebuild), never re-writing
 * it. Columns: dimension, departement and jour ('YYYY-MM-DD') for a department's day (else null),
 * "structureId" for a structure's window (else null), valeur, n, minutes.
 */
export const countsPerDimensionQuery = (w: DayWindow) => sql<{
  dimension: string;
  departement: string | null;
  jour: string | null;
  structureId: string | null;
  valeur: string;
  n: number;
  minutes: number;
}>`
    select case when grouping(partenaire) = 0 then 'partenaire' when grouping(canal) = 0 then 'canal'
                when grouping(resultat) = 0 then 'resultat' else 'demarche' end as dimension,
           departement, to_char(jour_local, 'YYYY-MM-DD') as jour, structure_id::text as "structureId",
           case when grouping(partenaire) = 0 then partenaire when grouping(canal) = 0 then canal
                when grouping(resultat) = 0 then resultat else coalesce(demarche, '') end as valeur,
           count(*)::int as n, coalesce(sum(duree_min), 0)::bigint as minutes
    from accompagnements
    where debut >= ${w.fromInstant} and debut < ${w.toInstant}
      and jour_local between ${w.fromDay}::date and ${w.toDay}::date
    group by grouping sets ((departement, jour_local, partenaire), (departement, jour_local, canal),
                            (departement, jour_local, resultat), (departement, jour_local, demarche),
                            (structure_id, partenaire), (structure_id, canal),
                            (structure_id, resultat), (structure_id, demarche))`;

export async function countsPerDimension(db: Db, w: DayWindow) {
  const r = await countsPerDimensionQuery(w).execute(db);
  return r.rows.map((x) => ({ ...x, minutes: Number(x.minutes) }));
}

/**
 * Raw counts per structure × local day: total, remote channels, minutes.
 * Columns: jour, "structureId", departement, n, "nDistance", minutes.
 */
export const countsPerStructureDayQuery = (w: DayWindow, remoteChannels: readonly string[]) => sql<{
  jour: string;
  structureId: string;
  departement: string;
  n: number;
  nDistance: number;
  minutes: number;
}>`
    select to_char(jour_local, 'YYYY-MM-DD') as jour, structure_id as "structureId", departement,
           count(*)::int as n,
           (count(*) filter (where canal in (${sql.join(remoteChannels)})))::int as "nDistance",
           coalesce(sum(duree_min), 0)::bigint as minutes
    from accompagnements
    where debut >= ${w.fromInstant} and debut < ${w.toInstant}
      and jour_local between ${w.fromDay}::date and ${w.toDay}::date
    group by 1, 2, 3`;

export async function countsPerStructureDay(db: Db, w: DayWindow, remoteChannels: readonly string[]) {
  const r = await countsPerStructureDayQuery(w, remoteChannels).execute(db);
  return r.rows.map((x) => ({ ...x, minutes: Number(x.minutes) }));
}

/** The first and last local days holding a record (null when there is none). */
export async function recordDayBounds(db: Db): Promise<{ first: string; last: string } | null> {
  const r = await sql<{ first: string | null; last: string | null }>`
    select to_char(min(jour_local), 'YYYY-MM-DD') as first, to_char(max(jour_local), 'YYYY-MM-DD') as last
    from accompagnements`.execute(db);
  const row = r.rows[0];
  return row?.first && row.last ? { first: row.first, last: row.last } : null;
}

/** Private notes older than the cutoff are erased (the record itself stays, anonymous). */
export async function eraseNotesBefore(db: Db, cutoff: Date): Promise<number> {
  const r = await db
    .updateTable('accompagnements')
    .set({ note: null })
    .where('debut', '<', cutoff)
    .where('note', 'is not', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

// ---------------------------------------------------------------------------------------------
// Démarche catalogue
// ---------------------------------------------------------------------------------------------

export async function seedDemarches(
  db: Db,
  demarches: ReadonlyArray<{ code: string; partenaire: string; label: string; ficheId: string | null }>,
  origine: string,
): Promise<void> {
  if (demarches.length === 0) return;
  await db
    .insertInto('accompagnement_demarches')
    .values(
      demarches.map((d) => ({
        code: d.code,
        partenaire: d.partenaire,
        label: d.label,
        fiche_id: d.ficheId,
        origine,
      })),
    )
    .onConflict((oc) => oc.column('code').doNothing())
    .execute();
}

export const listDemarches = (db: Db): Promise<DemarcheRow[]> =>
  db.selectFrom('accompagnement_demarches').selectAll().orderBy('partenaire').orderBy('label').execute();

export async function insertDemarche(
  db: Db,
  d: { code: string; partenaire: string; label: string; ficheId: string | null },
): Promise<boolean> {
  const r = await db
    .insertInto('accompagnement_demarches')
    .values({ code: d.code, partenaire: d.partenaire, label: d.label, fiche_id: d.ficheId, origine: 'ajout' })
    .onConflict((oc) => oc.column('code').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function retireDemarche(db: Db, code: string, at: Date): Promise<boolean> {
  const r = await db
    .updateTable('accompagnement_demarches')
    .set({ retired_at: at })
    .where('code', '=', code)
    .where('retired_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

// ---------------------------------------------------------------------------------------------
// API tokens
// ---------------------------------------------------------------------------------------------

export async function insertApiToken(
  db: Db,
  t: { structureId: string; label: string; tokenHash: string; createdBy: string; at: Date },
): Promise<string> {
  const row = await db
    .insertInto('accompagnement_api_tokens')
    .values({
      structure_id: t.structureId,
      label: t.label,
      token_hash: t.tokenHash,
      created_by: t.createdBy,
      created_at: t.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export const listApiTokens = (db: Db, structureId: string) =>
  db
    .selectFrom('accompagnement_api_tokens')
    .select(['id', 'label', 'created_at', 'revoked_at', 'last_used_at'])
    .where('structure_id', '=', structureId)
    .orderBy('created_at', 'desc')
    .limit(100)
    .execute();

export async function revokeApiToken(db: Db, structureId: string, id: string, at: Date): Promise<boolean> {
  const r = await db
    .updateTable('accompagnement_api_tokens')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('structure_id', '=', structureId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** The structure of a live token (not revoked), marking its use. */
export async function useApiToken(db: Db, tokenHash: string, at: Date): Promise<string | null> {
  const row = await db
    .updateTable('accompagnement_api_tokens')
    .set({ last_used_at: at })
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .returning('structure_id')
    .executeTakeFirst();
  return row?.structure_id ?? null;
}
