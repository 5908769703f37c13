import { type Selectable, sql } from 'kysely';
import type { Action } from '../../domain/accounts/policy.js';
import type { Principal } from '../../domain/accounts/roles.js';
import type { WeeklyHours } from '../../domain/directory/opening-hours.js';
import type {
  ExceptionalClosure,
  OperatingStatus,
  Partner,
  StatusCounts,
  Structure,
} from '../../domain/directory/structure.js';
import type { StructureInput } from '../../domain/directory/transfer/official-csv.js';
import type { Db } from '../database.js';
import type { StructuresTable } from '../schema/directory.js';
import { structureScope } from './structure-scope.repository.js';

/**
 * The structures repository: the ONE module that names the `structures` table in a query, and the only
 * one that writes it (docs/adr/0004-layering.md, enforced by src/architecture.test.ts). It also owns the
 * structures' own `status_history`. Other capabilities read structures through the functions below; a
 * scope or filter they need in SQL is an expression the queries here apply (`structureScope`,
 * `structuresAuditedBy`), never a join written elsewhere.
 */
type Row = Selectable<StructuresTable>;
type Executor = Db;

export function rowToStructure(r: Row): Structure {
  return {
    id: r.id,
    idFs: r.id_fs,
    name: r.name,
    type: r.type,
    format: r.format,
    group: r.group_name,
    address: r.address,
    addressComplement: r.address_complement,
    codeInsee: r.code_insee,
    postalCode: r.postal_code,
    communeName: r.commune_name,
    departement: r.departement,
    lat: r.lat,
    lon: r.lon,
    emails: r.emails ?? [],
    telephones: r.telephones ?? [],
    hours: { days: r.hours as WeeklyHours['days'] },
    closures: r.closures as ExceptionalClosure[],
    appointment: r.appointment,
    comment: r.comment,
    description: r.description,
    partners: r.partners as Partner[],
    labelledOn: r.labelled_on,
    status: r.status,
    statusUntil: r.status_until,
    source: r.source,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The columns an official-file import owns. Back-office fields (status, closures, description) are left alone. */
function inputToColumns(s: StructureInput) {
  return {
    id_fs: s.idFs,
    name: s.name,
    type: s.type,
    format: s.format,
    group_name: s.group,
    address: s.address,
    address_complement: s.addressComplement,
    code_insee: s.codeInsee,
    postal_code: s.postalCode,
    commune_name: s.communeName,
    departement: s.departement,
    lat: s.lat,
    lon: s.lon,
    emails: [...s.emails],
    telephones: [...s.telephones],
    hours: JSON.stringify(s.hours.days),
    appointment: s.appointment,
    comment: s.comment,
    partners: [...s.partners],
    labelled_on: s.labelledOn,
    source: s.source,
  };
}

export async function findStructureById(db: Executor, id: string): Promise<Structure | null> {
  // Both our uuid and the official id_fs are accepted in URLs; a non-uuid text never reaches the uuid column.
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
  const row = await db
    .selectFrom('structures')
    .selectAll()
    .where((eb) => (isUuid ? eb('id', '=', id) : eb('id_fs', '=', id)))
    .executeTakeFirst();
  return row ? rowToStructure(row) : null;
}

/** Every structure's ids, department and commune: what an accompaniment import checks rows against. */
export function structureKeys(
  db: Executor,
): Promise<Array<{ id: string; id_fs: string; departement: string; code_insee: string }>> {
  return db.selectFrom('structures').select(['id', 'id_fs', 'departement', 'code_insee']).execute();
}

export async function findStructuresByIdFs(
  db: Executor,
  idFs: readonly string[],
): Promise<Map<string, Structure>> {
  const found = new Map<string, Structure>();
  for (let i = 0; i < idFs.length; i += 1000) {
    const chunk = idFs.slice(i, i + 1000);
    if (chunk.length === 0) continue;
    const rows = await db.selectFrom('structures').selectAll().where('id_fs', 'in', chunk).execute();
    for (const r of rows) found.set(r.id_fs, rowToStructure(r));
  }
  return found;
}

export interface StructurePage {
  readonly items: Structure[];
  readonly total: number;
}

export interface ListFilter {
  readonly departement?: string;
  readonly codeInsee?: string;
  readonly limit: number;
  readonly offset: number;
}

export async function listStructures(db: Executor, filter: ListFilter): Promise<StructurePage> {
  let query = db.selectFrom('structures');
  if (filter.departement) query = query.where('departement', '=', filter.departement);
  if (filter.codeInsee) query = query.where('code_insee', '=', filter.codeInsee);
  const [rows, count] = await Promise.all([
    query
      .selectAll()
      .orderBy('commune_name')
      .orderBy('name')
      .orderBy('id_fs')
      .limit(filter.limit)
      .offset(filter.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(rowToStructure), total: Number(count.n) };
}

export async function listAllStructures(db: Executor): Promise<Structure[]> {
  const rows = await db.selectFrom('structures').selectAll().orderBy('id_fs').execute();
  return rows.map(rowToStructure);
}

export async function countStructuresByDepartement(db: Executor): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('structures')
    .select(['departement', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('departement')
    .execute();
  return new Map(rows.map((r) => [r.departement, Number(r.n)]));
}

/** A cheap fingerprint of the table, so that every app instance can tell when its in-memory index is stale. */
export async function directoryFingerprint(db: Executor): Promise<string> {
  const row = await db
    .selectFrom('structures')
    .select([(eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.max('updated_at').as('last')])
    .executeTakeFirstOrThrow();
  return `${row.n}:${row.last ? new Date(row.last as Date).getTime() : 0}`;
}

export async function insertStructures(db: Executor, inputs: readonly StructureInput[]): Promise<void> {
  for (let i = 0; i < inputs.length; i += 250) {
    const chunk = inputs.slice(i, i + 250);
    if (chunk.length) await db.insertInto('structures').values(chunk.map(inputToColumns)).execute();
  }
}

/** Updates what the official file owns, bumps the version (so a concurrent back-office edit sees the change). */
export async function updateStructuresFromFile(
  db: Executor,
  inputs: readonly StructureInput[],
): Promise<void> {
  for (const s of inputs) {
    await db
      .updateTable('structures')
      .set({ ...inputToColumns(s), version: sql`version + 1`, updated_at: sql`now()` })
      .where('id_fs', '=', s.idFs)
      .execute();
  }
}

export interface NearestRow {
  readonly id: string;
  readonly distanceKm: number;
}

/**
 * Nearest structures in SQL: earth_box() narrows with the GiST index, earth_distance() sorts.
 * The box grows until enough rows are found (a sparse area, overseas).
 */
export async function nearestStructuresSql(
  db: Executor,
  lat: number,
  lon: number,
  limit: number,
  maxKm = 20_000,
): Promise<NearestRow[]> {
  for (let radiusKm = 25; ; radiusKm *= 4) {
    const r = Math.min(radiusKm, maxKm) * 1000;
    const { rows } = await sql<{ id: string; m: number }>`
      select id, earth_distance(ll_to_earth(lat, lon), ll_to_earth(${lat}, ${lon})) as m
      from structures
      where lat is not null
        and earth_box(ll_to_earth(${lat}, ${lon}), ${r}) @> ll_to_earth(lat, lon)
        and earth_distance(ll_to_earth(lat, lon), ll_to_earth(${lat}, ${lon})) <= ${r}
      order by m
      limit ${limit}`.execute(db);
    if (rows.length >= limit || radiusKm >= maxKm)
      return rows.map((x) => ({ id: x.id, distanceKm: x.m / 1000 }));
  }
}

export async function recordImportRun(
  db: Executor,
  run: {
    kind: string;
    source: string;
    sha256: string;
    created: number;
    updated: number;
    unchanged: number;
    rejected: number;
  },
): Promise<void> {
  await db.insertInto('import_runs').values(run).execute();
}

export async function lastImportRun(db: Executor) {
  return db.selectFrom('import_runs').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst();
}

/** True on a brand-new directory: no structure and no import ever run (a deliberate emptying stays empty). */
export async function isDirectoryPristine(db: Executor): Promise<boolean> {
  const [structure, run] = await Promise.all([
    hasStructures(db),
    db.selectFrom('import_runs').select('id').limit(1).executeTakeFirst(),
  ]);
  return !structure && !run;
}

// ----- labellisation writes the directory (moved from labelling.repository.ts: one owner for `structures`) -----

export interface LabelledStructureColumns {
  readonly id_fs: string;
  readonly name: string;
  readonly format: 'fixe' | 'multisites' | 'fixe_antennes' | 'bus' | 'itinerante';
  readonly address: string;
  readonly code_insee: string;
  readonly postal_code: string;
  readonly commune_name: string;
  readonly departement: string;
  readonly lat: number | null;
  readonly lon: number | null;
  readonly emails: string[];
  readonly telephones: string[];
  readonly hours: string;
  readonly partners: string[];
  readonly labelled_on: string;
}

/**
 * Creates the structure of a newly labelled application; returns its id. Always a new row: an application never
 * selects an existing structure by an identifier it carries (security review, finding 2). Renewals go through
 * `renewLabelledStructure`, on the structure the application was explicitly filed for.
 */
export async function insertLabelledStructure(
  db: Db,
  s: LabelledStructureColumns,
  at: Date,
): Promise<string> {
  const row = await db
    .insertInto('structures')
    .values({
      ...s,
      type: 'principal',
      group_name: null,
      address_complement: null,
      comment: null,
      description: null,
      source: 'labellisation',
      created_at: at,
      updated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Renews the label of an existing structure with what its application says. Its identity stays: `id_fs` and
 * department are not touched (the application was filed in that department, for that structure). Returns the
 * columns before the change, or null when the structure no longer exists in that department.
 */
export async function renewLabelledStructure(
  db: Db,
  id: string,
  departement: string,
  s: Omit<LabelledStructureColumns, 'id_fs' | 'departement'>,
  at: Date,
): Promise<{ name: string; address: string; labelled_on: string | null } | null> {
  const before = await db
    .selectFrom('structures')
    .select(['name', 'address', 'labelled_on'])
    .where('id', '=', id)
    .where('departement', '=', departement)
    .forUpdate()
    .executeTakeFirst();
  if (!before) return null;
  await db
    .updateTable('structures')
    .set({ ...s, status: 'ouverte', source: 'labellisation', version: sql`version + 1`, updated_at: at })
    .where('id', '=', id)
    .execute();
  return before;
}

/** A structure someone may file a labelling application for (a new structure in its department, or its renewal). */
export interface FilingStructure {
  readonly id: string;
  readonly idFs: string;
  readonly name: string;
  readonly communeName: string;
  readonly departement: string;
}

/**
 * The open structures on which `user` holds `application.file`, filtered in SQL by the policy's scope
 * (`structureScope`), optionally one structure or one department; at most `limit` rows.
 */
export async function structuresForFiling(
  db: Executor,
  user: Principal,
  f: { id?: string; departement?: string },
  limit = 200,
): Promise<FilingStructure[]> {
  let q = db
    .selectFrom('structures')
    .select(['id', 'id_fs', 'name', 'commune_name', 'departement'])
    .where(structureScope(user, 'application.file'))
    .where('status', '!=', 'fermee_definitivement');
  if (f.id !== undefined) q = q.where('id', '=', f.id);
  if (f.departement !== undefined) q = q.where('departement', '=', f.departement);
  const rows = await q.orderBy('departement').orderBy('name').limit(limit).execute();
  return rows.map((r) => ({
    id: r.id,
    idFs: r.id_fs,
    name: r.name,
    communeName: r.commune_name,
    departement: r.departement,
  }));
}

export async function withdrawStructureLabel(db: Db, structureId: string, at: Date): Promise<void> {
  await db
    .updateTable('structures')
    .set({ status: 'fermee_definitivement', version: sql`version + 1`, updated_at: at })
    .where('id', '=', structureId)
    .execute();
}

/** Labelled structures still open, for the periodic-audit schedule, optionally in one department. */
export async function labelledOpenStructures(db: Executor, departement: string | null) {
  let q = db
    .selectFrom('structures')
    .select(['id', 'id_fs', 'name', 'departement', 'labelled_on'])
    .where('labelled_on', 'is not', null);
  q = q.where('status', '!=', 'fermee_definitivement');
  if (departement) q = q.where('departement', '=', departement);
  return q.orderBy('id_fs').execute();
}

/** True when the directory holds at least one structure. */
export async function hasStructures(db: Executor): Promise<boolean> {
  return (await db.selectFrom('structures').select('id').limit(1).executeTakeFirst()) !== undefined;
}

/** How many structures the directory holds (the restore check of `maillage restore`). */
export async function countStructures(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('structures')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Id and department of one structure by its uuid (who may invite to it), or undefined. */
export function structureDepartement(db: Executor, id: string) {
  return db.selectFrom('structures').select(['id', 'departement']).where('id', '=', id).executeTakeFirst();
}

/** The names of some structures by uuid (e.g. the invitations of an account). */
export async function structureNamesById(db: Executor, ids: readonly string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    if (chunk.length === 0) continue;
    const rows = await db.selectFrom('structures').select(['id', 'name']).where('id', 'in', chunk).execute();
    for (const r of rows) names.set(r.id, r.name);
  }
  return names;
}

/** The structures still open, as the territory capability needs them (coverage, planning). */
export function openStructuresForCoverage(db: Executor) {
  return db
    .selectFrom('structures')
    .select(['id', 'id_fs', 'name', 'type', 'format', 'code_insee', 'lat', 'lon', 'labelled_on', 'status'])
    .where('status', '!=', 'fermee_definitivement')
    .orderBy('id_fs')
    .execute();
}

/**
 * The structures still open with what the labelling pre-checks need, in a department when given, or one
 * structure by id_fs or uuid (moved from labelling.repository.ts: the application side is read there).
 */
export function openStructuresForPrecheck(
  db: Executor,
  f: { departement?: string | null; idFs?: string | null },
) {
  let q = db
    .selectFrom('structures as s')
    .select([
      's.id',
      's.id_fs',
      's.name',
      's.format',
      's.departement',
      's.hours',
      's.partners',
      's.labelled_on',
    ])
    .where('s.status', '!=', 'fermee_definitivement');
  if (f.departement) q = q.where('s.departement', '=', f.departement);
  if (f.idFs)
    q = q.where((eb) =>
      eb.or([eb('s.id_fs', '=', f.idFs as string), eb(sql`s.id::text`, '=', f.idFs as string)]),
    );
  return q.orderBy('s.id_fs').execute();
}

// ----- back-office edits and status (moved from structure-edits.repository.ts) ----------------------------

/**
 * Back-office writes to structures, guarded by the optimistic `version`: an update only lands
 * when the row still has the version the editor loaded. Zero rows updated means a conflict.
 */
export interface EditColumns {
  emails: string[];
  telephones: string[];
  hours: string; // JSON
  closures: string; // JSON
  partners: string[];
  appointment: boolean;
  comment: string | null;
  description: string | null;
}

export async function updateStructureIfVersion(
  db: Executor,
  id: string,
  version: number,
  set: Partial<EditColumns> & { status?: OperatingStatus; status_until?: string | null },
  at: Date,
): Promise<Row | undefined> {
  return db
    .updateTable('structures')
    .set({
      ...set,
      source: 'back-office',
      version: sql`version + 1`,
      // Strictly after every other write, so the locator's fingerprint (count, max(updated_at)) always moves.
      updated_at: sql<Date>`greatest(${at}::timestamptz, (select max(s2.updated_at) + interval '1 millisecond' from structures s2))`,
    })
    .where('id', '=', id)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirst();
}

export async function recordStatusChange(
  db: Executor,
  h: { structureId: string; at: Date; from: string; to: string; until: string | null },
): Promise<void> {
  await db
    .insertInto('status_history')
    .values({ structure_id: h.structureId, at: h.at, from_status: h.from, to_status: h.to, until: h.until })
    .execute();
}

/** One structure, only if the user may see it for this action (scope in SQL). */
export function findScopedStructure(db: Executor, user: Principal, action: Action, id: string) {
  return db
    .selectFrom('structures')
    .selectAll()
    .where('id', '=', id)
    .where(structureScope(user, action))
    .executeTakeFirst();
}

/** The structures a user works on (home page of the back office), scoped in SQL. */
export function listScopedStructures(db: Executor, user: Principal, action: Action, limit = 500) {
  return db
    .selectFrom('structures')
    .select(['id', 'id_fs', 'name', 'commune_name', 'departement', 'status', 'updated_at'])
    .where(structureScope(user, action))
    .orderBy('departement')
    .orderBy('name')
    .limit(limit)
    .execute();
}

/**
 * Every structure of a department, with who last changed it in the back office and when its data
 * was last reviewed (last back-office change, else the last write by import). The two sub-selects
 * read the structure's own entries of the shared, append-only audit log.
 */
export function departmentOverview(db: Executor, user: Principal, departement: string) {
  return db
    .selectFrom('structures')
    .select((eb) => [
      'structures.id',
      'structures.id_fs',
      'structures.name',
      'structures.commune_name',
      'structures.status',
      'structures.status_until',
      'structures.updated_at',
      eb
        .selectFrom('audit_log as a')
        .select('a.actor_label')
        .whereRef('a.entity_id', '=', sql<string>`structures.id::text`)
        .where('a.entity', '=', 'structure')
        .orderBy('a.at', 'desc')
        .orderBy('a.id', 'desc')
        .limit(1)
        .as('last_actor'),
      eb
        .selectFrom('audit_log as a')
        .select('a.at')
        .whereRef('a.entity_id', '=', sql<string>`structures.id::text`)
        .where('a.entity', '=', 'structure')
        .orderBy('a.at', 'desc')
        .orderBy('a.id', 'desc')
        .limit(1)
        .as('last_reviewed_at'),
    ])
    .where('structures.departement', '=', departement)
    .where(structureScope(user, 'department.dashboard'))
    .orderBy('structures.name')
    .execute();
}

/**
 * Counts by operating status as they stood at an instant: the last change at or before it, else
 * the status the first later change started from, else today's status. Structures created after
 * the instant are not counted. With `departements`, only theirs (the pilotage dashboards of a territory).
 */
export async function statusCountsAt(
  db: Executor,
  at: Date,
  departements?: readonly string[],
): Promise<StatusCounts> {
  const rows = await sql<{ status: OperatingStatus; n: number; with_contact: number }>`
    with at_date as (
      select s.id,
        coalesce(
          (select h.to_status from status_history h where h.structure_id = s.id and h.at <= ${at}
            order by h.at desc, h.id desc limit 1),
          (select h.from_status from status_history h where h.structure_id = s.id and h.at > ${at}
            order by h.at asc, h.id asc limit 1),
          s.status) as status,
        (cardinality(s.emails) > 0 or cardinality(s.telephones) > 0) as has_contact
      from structures s
      where s.created_at <= ${at}
        ${departements ? sql`and s.departement in (${sql.join(departements)})` : sql``}
    )
    select status, count(*)::int as n, count(*) filter (where has_contact)::int as with_contact
    from at_date group by status`.execute(db);
  const byStatus: Record<OperatingStatus, number> = {
    ouverte: 0,
    accueil_a_distance: 0,
    fermee_temporairement: 0,
    fermee_definitivement: 0,
  };
  let total = 0;
  let remoteWithContact = 0;
  for (const r of rows.rows) {
    byStatus[r.status] = Number(r.n);
    total += Number(r.n);
    if (r.status === 'accueil_a_distance') remoteWithContact = Number(r.with_contact);
  }
  return { total, byStatus, remoteWithContact };
}

/**
 * The structures of a territory with their creation, current status and status history, for the
 * crisis indicators of issue 14 (which status each had at the end of each week is computed by the
 * pilotage domain, with the same reading as `statusCountsAt`). Scoped to departments or one structure.
 */
export async function structureStatusHistories(
  db: Executor,
  scope: { readonly departements?: readonly string[]; readonly structureId?: string },
): Promise<
  Array<{
    id: string;
    createdAt: Date;
    status: OperatingStatus;
    changes: Array<{ at: Date; from: OperatingStatus; to: OperatingStatus }>;
  }>
> {
  const r = await sql<{
    id: string;
    created_at: Date;
    status: OperatingStatus;
    changes: Array<{ at: string; from: OperatingStatus; to: OperatingStatus }> | null;
  }>`
    select s.id, s.created_at, s.status,
      (select json_agg(json_build_object('at', h.at, 'from', h.from_status, 'to', h.to_status) order by h.at, h.id)
         from status_history h where h.structure_id = s.id) as changes
    from structures s
    where true
      ${scope.structureId ? sql`and s.id = ${scope.structureId}` : sql``}
      ${scope.departements ? sql`and s.departement in (${sql.join(scope.departements)})` : sql``}`.execute(
    db,
  );
  return r.rows.map((x) => ({
    id: x.id,
    createdAt: new Date(x.created_at),
    status: x.status,
    changes: (x.changes ?? []).map((c) => ({ at: new Date(c.at), from: c.from, to: c.to })),
  }));
}

/**
 * What a booking calendar needs of some structures (the rendez-vous locator filter): place, hours,
 * closures and status, without the rest of the row. Read in chunks of 1,000 ids.
 */
export async function structureCalendars(db: Executor, ids: readonly string[]) {
  const rows: Array<{
    id: string;
    name: string;
    codeInsee: string;
    departement: string;
    hours: WeeklyHours;
    closures: ExceptionalClosure[];
    status: Structure['status'];
    statusUntil: string | null;
  }> = [];
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    const found = await db
      .selectFrom('structures')
      .select(['id', 'name', 'code_insee', 'departement', 'hours', 'closures', 'status', 'status_until'])
      .where('id', 'in', chunk)
      .execute();
    for (const r of found) {
      rows.push({
        id: r.id,
        name: r.name,
        codeInsee: r.code_insee,
        departement: r.departement,
        hours: { days: r.hours as WeeklyHours['days'] },
        closures: r.closures as ExceptionalClosure[],
        status: r.status,
        statusUntil: r.status_until,
      });
    }
  }
  return rows;
}

/** The ids of a department's structures (a scope filter for capabilities that keep only structure ids). */
/** Ids of the structures of some departments (a territory's dashboard sections). */
export async function structureIdsInDepartements(
  db: Executor,
  departements: readonly string[],
): Promise<string[]> {
  if (departements.length === 0) return [];
  const rows = await db
    .selectFrom('structures')
    .select('id')
    .where('departement', 'in', [...departements])
    .execute();
  return rows.map((r) => r.id);
}

export async function structureIdsInDepartement(db: Executor, departement: string): Promise<string[]> {
  const rows = await db
    .selectFrom('structures')
    .select('id')
    .where('departement', '=', departement)
    .execute();
  return rows.map((r) => r.id);
}
