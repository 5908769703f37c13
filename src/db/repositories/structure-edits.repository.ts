import { type Kysely, type Selectable, sql } from 'kysely';
import type { Action } from '../../domain/accounts/policy.js';
import type { Principal } from '../../domain/accounts/roles.js';
import type { OperatingStatus } from '../../domain/directory/structure.js';
import type { StructuresTable } from '../schema/directory.js';
import type { DB } from '../schema/index.js';
import { structureScope } from './structure-scope.repository.js';

/**
 * Back-office writes to structures, guarded by the optimistic `version`: an update only lands
 * when the row still has the version the editor loaded. Zero rows updated means a conflict.
 */
type Executor = Kysely<DB>;
type Row = Selectable<StructuresTable>;

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
 * was last reviewed (last back-office change, else the last write by import).
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

export interface StatusCounts {
  readonly total: number;
  readonly byStatus: Record<OperatingStatus, number>;
  /** In « accueil à distance » with a phone or an e-mail the public can use. */
  readonly remoteWithContact: number;
}

/**
 * Counts by operating status as they stood at an instant: the last change at or before it, else
 * the status the first later change started from, else today's status. Structures created after
 * the instant are not counted.
 */
export async function statusCountsAt(db: Executor, at: Date): Promise<StatusCounts> {
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

/** `statusCountsAt` for some departments only (the pilotage dashboards of a territory). */
export async function statusCountsAtIn(
  db: Executor,
  at: Date,
  departements: readonly string[],
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
      where s.created_at <= ${at} and s.departement in (${sql.join(departements)})
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
