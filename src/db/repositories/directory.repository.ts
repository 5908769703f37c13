import { type Selectable, sql } from 'kysely';
import type { WeeklyHours } from '../../domain/directory/opening-hours.js';
import type { ExceptionalClosure, Partner, Structure } from '../../domain/directory/structure.js';
import type { StructureInput } from '../../domain/directory/transfer/official-csv.js';
import type { Db } from '../database.js';
import type { StructuresTable } from '../schema/directory.js';

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
    db.selectFrom('structures').select('id').limit(1).executeTakeFirst(),
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

/** Creates the structure, or updates the one with this id_fs; returns its id. */
export async function upsertLabelledStructure(
  db: Db,
  s: LabelledStructureColumns,
  at: Date,
): Promise<string> {
  const existing = await db
    .selectFrom('structures')
    .select('id')
    .where('id_fs', '=', s.id_fs)
    .executeTakeFirst();
  if (existing) {
    await db
      .updateTable('structures')
      .set({ ...s, status: 'ouverte', source: 'labellisation', version: sql`version + 1`, updated_at: at })
      .where('id', '=', existing.id)
      .execute();
    return existing.id;
  }
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
export async function structureIdsInDepartement(db: Executor, departement: string): Promise<string[]> {
  const rows = await db
    .selectFrom('structures')
    .select('id')
    .where('departement', '=', departement)
    .execute();
  return rows.map((r) => r.id);
}
