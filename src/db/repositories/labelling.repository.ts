import { type Expression, type ExpressionBuilder, type Selectable, type SqlBool, sql } from 'kysely';
import type {
  ApplicationState,
  Campaign,
  Criterion,
  GridEntry,
  Referentiel,
  TransitionRecord,
} from '../../domain/labelling/index.js';
import type { Db } from '../database.js';
import type { DB } from '../schema/index.js';
import type {
  LabellingApplicationsTable,
  LabellingAuditsTable,
  LabellingCorrectiveActionsTable,
  LabellingDocumentsTable,
} from '../schema/labelling.js';

/** Kysely queries of the labellisation capability. No validation here: the domain and services do it. */

// ----- référentiels -----------------------------------------------------------------------------

export async function listReferentiels(db: Db): Promise<Referentiel[]> {
  const rows = await db.selectFrom('referentiels').selectAll().orderBy('version', 'desc').execute();
  return rows.map((r) => ({
    version: r.version,
    title: r.title,
    source: r.source,
    criteria: r.criteria as Criterion[],
    publishedAt: new Date(r.published_at).toISOString(),
  }));
}

export async function insertReferentiel(db: Db, ref: Referentiel, by: string | null): Promise<void> {
  await db
    .insertInto('referentiels')
    .values({
      version: ref.version,
      title: ref.title,
      source: ref.source,
      criteria: JSON.stringify(ref.criteria),
      published_at: ref.publishedAt,
      published_by: by,
    })
    .onConflict((oc) => oc.column('version').doNothing())
    .execute();
}

// ----- campaigns --------------------------------------------------------------------------------

export interface CampaignRow extends Campaign {
  readonly id: string;
  readonly createdAt: Date;
}

const campaignOf = (r: {
  id: string;
  name: string;
  opens_on: string;
  closes_on: string;
  departements: string[];
  referentiel_version: string;
  status: 'ouverte' | 'cloturee';
  created_at: Date;
}): CampaignRow => ({
  id: r.id,
  name: r.name,
  opensOn: r.opens_on,
  closesOn: r.closes_on,
  departements: r.departements,
  referentielVersion: r.referentiel_version,
  status: r.status,
  createdAt: r.created_at,
});

export async function insertCampaign(db: Db, c: Omit<Campaign, 'status'>, by: string): Promise<CampaignRow> {
  const row = await db
    .insertInto('labelling_campaigns')
    .values({
      name: c.name,
      opens_on: c.opensOn,
      closes_on: c.closesOn,
      departements: [...c.departements],
      referentiel_version: c.referentielVersion,
      created_by: by,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return campaignOf(row);
}

export async function listCampaigns(db: Db): Promise<CampaignRow[]> {
  const rows = await db
    .selectFrom('labelling_campaigns')
    .selectAll()
    .orderBy('opens_on', 'desc')
    .orderBy('name')
    .execute();
  return rows.map(campaignOf);
}

export async function findCampaign(db: Db, id: string): Promise<CampaignRow | null> {
  if (!isUuid(id)) return null;
  const row = await db.selectFrom('labelling_campaigns').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? campaignOf(row) : null;
}

export async function closeCampaignRow(db: Db, id: string): Promise<void> {
  await db.updateTable('labelling_campaigns').set({ status: 'cloturee' }).where('id', '=', id).execute();
}

// ----- applications -----------------------------------------------------------------------------

export type ApplicationRow = Selectable<LabellingApplicationsTable> & { state: ApplicationState };

export const isUuid = (id: string) =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

export async function insertApplication(
  db: Db,
  a: {
    campaignId: string;
    porteurUserId: string;
    departement: string;
    content: unknown;
    at: Date;
    renewsStructureId?: string | null;
  },
): Promise<ApplicationRow> {
  return (await db
    .insertInto('labelling_applications')
    .values({
      campaign_id: a.campaignId,
      porteur_user_id: a.porteurUserId,
      departement: a.departement,
      content: JSON.stringify(a.content),
      renews_structure_id: a.renewsStructureId ?? null,
      created_at: a.at,
      updated_at: a.at,
    })
    .returningAll()
    .executeTakeFirstOrThrow()) as ApplicationRow;
}

export async function findApplication(db: Db, id: string): Promise<ApplicationRow | null> {
  if (!isUuid(id)) return null;
  const row = await db
    .selectFrom('labelling_applications')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return (row as ApplicationRow | undefined) ?? null;
}

/** Optimistic update: changes the row only if it is still at `version`; returns whether it did. */
export async function updateApplication(
  db: Db,
  id: string,
  version: number,
  set: Partial<{
    state: string;
    content: string;
    auditor_user_id: string | null;
    structure_id: string | null;
    labelled_on: string | null;
  }>,
  at: Date,
): Promise<boolean> {
  const r = await db
    .updateTable('labelling_applications')
    .set({ ...set, version: sql`version + 1`, updated_at: at })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export interface ApplicationFilter {
  readonly campaignId?: string;
  readonly departement?: string | null;
  readonly state?: string;
  readonly porteurUserId?: string;
  readonly auditorUserId?: string;
}

/** Scope is applied in SQL by the caller's filter (department, porteur, auditor). */
export async function listApplications(db: Db, f: ApplicationFilter): Promise<ApplicationRow[]> {
  let q = db.selectFrom('labelling_applications').selectAll();
  if (f.campaignId) q = q.where('campaign_id', '=', f.campaignId);
  if (f.departement) q = q.where('departement', '=', f.departement);
  if (f.state) q = q.where('state', '=', f.state);
  if (f.porteurUserId) q = q.where('porteur_user_id', '=', f.porteurUserId);
  if (f.auditorUserId) q = q.where('auditor_user_id', '=', f.auditorUserId);
  return (await q.orderBy('departement').orderBy('created_at').execute()) as ApplicationRow[];
}

export async function countByDepartementAndState(db: Db, campaignId: string, departement: string | null) {
  let q = db
    .selectFrom('labelling_applications')
    .select(['departement', 'state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('campaign_id', '=', campaignId);
  if (departement) q = q.where('departement', '=', departement);
  const rows = await q.groupBy(['departement', 'state']).orderBy('departement').execute();
  return rows.map((r) => ({
    departement: r.departement,
    state: r.state as ApplicationState,
    n: Number(r.n),
  }));
}

export async function countOpenApplications(
  db: Db,
  campaignId: string,
  finalStates: readonly string[],
): Promise<number> {
  const r = await db
    .selectFrom('labelling_applications')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('campaign_id', '=', campaignId)
    .where('state', 'not in', [...finalStates])
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function insertTransition(db: Db, applicationId: string, t: TransitionRecord): Promise<void> {
  await db
    .insertInto('labelling_transitions')
    .values({
      application_id: applicationId,
      action: t.action,
      from_state: t.from,
      to_state: t.to,
      by_user_id: t.by,
      by_role: t.role,
      at: t.at,
      reason: t.reason,
    })
    .execute();
}

export async function listTransitions(db: Db, applicationId: string) {
  return db
    .selectFrom('labelling_transitions')
    .selectAll()
    .where('application_id', '=', applicationId)
    .orderBy('at')
    .orderBy('id')
    .execute();
}

// ----- audits -----------------------------------------------------------------------------------

export type AuditRow = Omit<Selectable<LabellingAuditsTable>, 'grid'> & { grid: GridEntry[] };

export async function insertAudit(
  db: Db,
  a: {
    applicationId: string | null;
    structureId: string | null;
    kind: AuditRow['kind'];
    auditorUserId: string;
    plannedOn: string;
    referentielVersion: string;
    grid: readonly GridEntry[];
  },
): Promise<AuditRow> {
  return (await db
    .insertInto('labelling_audits')
    .values({
      application_id: a.applicationId,
      structure_id: a.structureId,
      kind: a.kind,
      auditor_user_id: a.auditorUserId,
      planned_on: a.plannedOn,
      referentiel_version: a.referentielVersion,
      grid: JSON.stringify(a.grid),
    })
    .returningAll()
    .executeTakeFirstOrThrow()) as AuditRow;
}

export async function findAudit(db: Db, id: string): Promise<AuditRow | null> {
  if (!isUuid(id)) return null;
  const row = await db.selectFrom('labelling_audits').selectAll().where('id', '=', id).executeTakeFirst();
  return (row as AuditRow | undefined) ?? null;
}

/** The latest audit of an application, of any kind (the one being filled or just completed). */
export async function latestAudit(db: Db, applicationId: string): Promise<AuditRow | null> {
  const row = await db
    .selectFrom('labelling_audits')
    .selectAll()
    .where('application_id', '=', applicationId)
    .orderBy('created_at', 'desc')
    .orderBy('planned_on', 'desc')
    .executeTakeFirst();
  return (row as AuditRow | undefined) ?? null;
}

export async function listAudits(
  db: Db,
  f: { auditorUserId?: string; applicationId?: string; structureId?: string },
) {
  let q = db.selectFrom('labelling_audits').selectAll();
  if (f.auditorUserId) q = q.where('auditor_user_id', '=', f.auditorUserId);
  if (f.applicationId) q = q.where('application_id', '=', f.applicationId);
  if (f.structureId) q = q.where('structure_id', '=', f.structureId);
  return (await q.orderBy('planned_on', 'desc').execute()) as AuditRow[];
}

/** Saves the grid only if nobody saved since `version` was read. */
export async function updateAuditGrid(
  db: Db,
  id: string,
  version: number,
  grid: readonly GridEntry[],
): Promise<boolean> {
  const r = await db
    .updateTable('labelling_audits')
    .set({ grid: JSON.stringify(grid), version: sql`version + 1` })
    .where('id', '=', id)
    .where('version', '=', version)
    .where('completed_on', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function completeAudit(
  db: Db,
  id: string,
  on: string,
  outcome: 'conforme' | 'non_conforme',
): Promise<void> {
  await db.updateTable('labelling_audits').set({ completed_on: on, outcome }).where('id', '=', id).execute();
}

/** Per structure, the last completed audit date (initial, contre-visite or periodic). */
export async function lastAuditDates(
  db: Db,
): Promise<Map<string, { on: string; outcome: string | null; kind: string }>> {
  const rows = await db
    .selectFrom('labelling_audits as a')
    .leftJoin('labelling_applications as p', 'p.id', 'a.application_id')
    .select([
      sql<string>`coalesce(a.structure_id, p.structure_id)`.as('structure_id'),
      'a.completed_on',
      'a.outcome',
      'a.kind',
    ])
    .where('a.completed_on', 'is not', null)
    .orderBy('a.completed_on')
    .execute();
  const out = new Map<string, { on: string; outcome: string | null; kind: string }>();
  for (const r of rows)
    if (r.structure_id && r.completed_on)
      out.set(r.structure_id, { on: r.completed_on, outcome: r.outcome, kind: r.kind });
  return out;
}

// ----- corrective actions -----------------------------------------------------------------------

export type CorrectiveActionRow = Selectable<LabellingCorrectiveActionsTable>;

export async function insertCorrectiveActions(
  db: Db,
  auditId: string,
  applicationId: string | null,
  actions: readonly { code: string; description: string; dueOn: string }[],
): Promise<void> {
  if (actions.length === 0) return;
  await db
    .insertInto('labelling_corrective_actions')
    .values(
      actions.map((a) => ({
        audit_id: auditId,
        application_id: applicationId,
        code: a.code,
        description: a.description,
        due_on: a.dueOn,
      })),
    )
    .execute();
}

export async function listCorrectiveActions(db: Db, applicationId: string): Promise<CorrectiveActionRow[]> {
  return db
    .selectFrom('labelling_corrective_actions')
    .selectAll()
    .where('application_id', '=', applicationId)
    .orderBy('id')
    .execute();
}

/** Open corrective actions past their due day, with their application, scoped to a department in SQL. */
export async function overdueCorrectiveActions(db: Db, today: string, departement: string | null) {
  let q = db
    .selectFrom('labelling_corrective_actions as c')
    .innerJoin('labelling_applications as a', 'a.id', 'c.application_id')
    .select(['c.code', 'c.description', 'c.due_on', 'a.id as application_id', 'a.departement', 'a.content'])
    .where('c.closed_on', 'is', null)
    .where('c.due_on', '<', today);
  if (departement) q = q.where('a.departement', '=', departement);
  return q.orderBy('c.due_on').execute();
}

export async function closeCorrectiveAction(
  db: Db,
  id: number,
  on: string,
  byAuditId: string,
): Promise<void> {
  await db
    .updateTable('labelling_corrective_actions')
    .set({ closed_on: on, closed_by_audit_id: byAuditId })
    .where('id', '=', id)
    .execute();
}

// ----- documents --------------------------------------------------------------------------------

export type DocumentRow = Selectable<LabellingDocumentsTable>;

/** `id` is chosen by the caller: the stored file is named after it. */
export async function insertDocument(db: Db, d: DocumentRow): Promise<DocumentRow> {
  return db.insertInto('labelling_documents').values(d).returningAll().executeTakeFirstOrThrow();
}

export async function listDocuments(db: Db, applicationId: string): Promise<DocumentRow[]> {
  return db
    .selectFrom('labelling_documents')
    .selectAll()
    .where('application_id', '=', applicationId)
    .orderBy('uploaded_at')
    .execute();
}

export async function findDocument(db: Db, id: string): Promise<DocumentRow | null> {
  if (!isUuid(id)) return null;
  return (
    (await db.selectFrom('labelling_documents').selectAll().where('id', '=', id).executeTakeFirst()) ?? null
  );
}

// ----- the directory side -----------------------------------------------------------------------

/**
 * The content of the latest application of each of these structures, for the pre-checks; the structures
 * themselves come from their owner (`openStructuresForPrecheck` in directory.repository.ts).
 */
export async function latestApplicationContents(
  db: Db,
  structureIds: readonly string[],
): Promise<Map<string, unknown>> {
  const latest = new Map<string, unknown>();
  for (let i = 0; i < structureIds.length; i += 1000) {
    const chunk = structureIds.slice(i, i + 1000);
    if (chunk.length === 0) continue;
    const rows = await db
      .selectFrom('labelling_applications')
      .select(['structure_id', 'content'])
      .distinctOn('structure_id')
      .where('structure_id', 'in', chunk)
      .orderBy('structure_id')
      .orderBy('updated_at', 'desc')
      .execute();
    for (const r of rows) if (r.structure_id) latest.set(r.structure_id, r.content);
  }
  return latest;
}

/**
 * For the accounts `assigned` scope (`structureScope(user, action, { assigned: structuresAuditedBy })`):
 * the structures under an audit assigned to the user — a periodic audit, or the audit of an application
 * whose structure exists in the directory.
 */
export const structuresAuditedBy = (
  eb: ExpressionBuilder<DB, 'structures'>,
  userId: string,
): Expression<SqlBool> =>
  eb.or([
    eb(
      'structures.id',
      'in',
      eb
        .selectFrom('labelling_audits')
        .select('labelling_audits.structure_id')
        .where('labelling_audits.auditor_user_id', '=', userId)
        .where('labelling_audits.structure_id', 'is not', null)
        .$narrowType<{ structure_id: string }>(),
    ),
    eb(
      'structures.id',
      'in',
      eb
        .selectFrom('labelling_audits')
        .innerJoin('labelling_applications', 'labelling_applications.id', 'labelling_audits.application_id')
        .select('labelling_applications.structure_id')
        .where('labelling_audits.auditor_user_id', '=', userId)
        .where('labelling_applications.structure_id', 'is not', null)
        .$narrowType<{ structure_id: string }>(),
    ),
  ]);
