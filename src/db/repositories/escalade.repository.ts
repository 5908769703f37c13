import { type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import type { FigureCounts } from '../../domain/escalade/figures.js';
import type { DossierAttachmentsTable, DossierEventsTable, DossiersTable, Side } from '../schema/escalade.js';
import type { DB } from '../schema/index.js';

/**
 * The one owner of the escalade tables (issue 13): dossiers, their messages, notes, attachments, events,
 * reminders and digests. Every list is scoped in SQL by what the caller may see; every list is bounded.
 */
type Executor = Kysely<DB>;
export type DossierRow = Selectable<DossiersTable>;
export type AttachmentRow = Selectable<DossierAttachmentsTable>;

/** Who is asking, as a SQL scope: a structure's side, or a partner's référent. */
export type DossierScope =
  | { readonly kind: 'structures'; readonly structureIds: readonly string[] }
  | {
      readonly kind: 'partner';
      readonly partenaire: string;
      readonly departements: readonly string[] | null;
    };

export async function insertDossier(
  db: Executor,
  row: Insertable<DossiersTable>,
): Promise<{ id: string; numero: number }> {
  return db.insertInto('dossiers').values(row).returning(['id', 'numero']).executeTakeFirstOrThrow();
}

export const findDossier = (db: Executor, id: string) =>
  db.selectFrom('dossiers').selectAll().where('id', '=', id).executeTakeFirst();

/** What a case belongs to, for the policy: its structure, department and partner. */
export const dossierTarget = (db: Executor, id: string) =>
  db
    .selectFrom('dossiers')
    .select(['id', 'structure_id', 'departement', 'partenaire'])
    .where('id', '=', id)
    .executeTakeFirst();

const LIST_COLUMNS = [
  'id',
  'numero',
  'structure_id',
  'commune',
  'departement',
  'partenaire',
  'statut',
  'version',
  'filed_at',
  'first_answer_due',
  'resolution_due',
  'first_answer_at',
  'closed_at',
  'nom',
  'prenom',
  'objet',
  'updated_at',
] as const;
export type DossierListRow = Pick<DossierRow, (typeof LIST_COLUMNS)[number]>;

/**
 * The cases a scope sees: open ones (bounded), then the most recently closed. A reassigned case leaves a
 * référent's list at once, since the scope is the case's current partner and department.
 */
export async function listDossiers(
  db: Executor,
  scope: DossierScope,
  o: { openLimit: number; closedLimit: number },
): Promise<DossierListRow[]> {
  const base = () => {
    let q = db.selectFrom('dossiers').select(LIST_COLUMNS);
    if (scope.kind === 'structures') {
      if (scope.structureIds.length === 0) return null;
      q = q.where('structure_id', 'in', [...scope.structureIds]);
    } else {
      q = q.where('partenaire', '=', scope.partenaire);
      if (scope.departements !== null) {
        if (scope.departements.length === 0) return null;
        q = q.where('departement', 'in', [...scope.departements]);
      }
    }
    return q;
  };
  const open = base();
  const closed = base();
  if (!open || !closed) return [];
  const [a, b] = await Promise.all([
    open.where('statut', '!=', 'clos').orderBy('first_answer_due').limit(o.openLimit).execute(),
    closed.where('statut', '=', 'clos').orderBy('closed_at', 'desc').limit(o.closedLimit).execute(),
  ]);
  return [...a, ...b];
}

/**
 * Applies a change only if the case is still at `version` (concurrent edits): returns the new row, or
 * undefined when someone else changed it first.
 */
export async function updateDossierAt(
  db: Executor,
  id: string,
  version: number,
  set: Partial<Omit<Insertable<DossiersTable>, 'id' | 'numero' | 'version'>>,
): Promise<DossierRow | undefined> {
  return db
    .updateTable('dossiers')
    .set({ ...set, version: sql`version + 1` })
    .where('id', '=', id)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirst();
}

/** Records the first answer once (the conditional update is the check). */
export async function markAnswered(
  db: Executor,
  id: string,
  at: Date,
  businessHours: number,
): Promise<boolean> {
  const r = await db
    .updateTable('dossiers')
    .set({ first_answer_at: at, first_answer_bh: businessHours, updated_at: at, version: sql`version + 1` })
    .where('id', '=', id)
    .where('first_answer_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export const touchDossier = (db: Executor, id: string, at: Date) =>
  db.updateTable('dossiers').set({ updated_at: at }).where('id', '=', id).execute();

// --- thread, notes, attachments, events ----------------------------------------------------------

export async function insertText(
  db: Executor,
  table: 'dossier_messages' | 'dossier_notes',
  row: {
    dossier_id: string;
    side: Side;
    author_id: string | null;
    author_label: string;
    body: string;
    at: Date;
  },
): Promise<void> {
  await db.insertInto(table).values(row).execute();
}

export const messagesOf = (db: Executor, dossierId: string, limit = 500) =>
  db
    .selectFrom('dossier_messages')
    .selectAll()
    .where('dossier_id', '=', dossierId)
    .orderBy('at')
    .orderBy('id')
    .limit(limit)
    .execute();

export const notesOf = (db: Executor, dossierId: string, side: Side, limit = 200) =>
  db
    .selectFrom('dossier_notes')
    .selectAll()
    .where('dossier_id', '=', dossierId)
    .where('side', '=', side)
    .orderBy('at')
    .orderBy('id')
    .limit(limit)
    .execute();

export async function countAttachments(db: Executor, dossierId: string): Promise<number> {
  const r = await db
    .selectFrom('dossier_attachments')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('dossier_id', '=', dossierId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function insertAttachment(
  db: Executor,
  row: Insertable<DossierAttachmentsTable>,
): Promise<void> {
  await db.insertInto('dossier_attachments').values(row).execute();
}

export const attachmentsOf = (db: Executor, dossierId: string) =>
  db
    .selectFrom('dossier_attachments')
    .selectAll()
    .where('dossier_id', '=', dossierId)
    .orderBy('at')
    .limit(100)
    .execute();

export const findAttachment = (db: Executor, dossierId: string, id: string) =>
  db
    .selectFrom('dossier_attachments')
    .selectAll()
    .where('dossier_id', '=', dossierId)
    .where('id', '=', id)
    .executeTakeFirst();

export async function insertEvent(db: Executor, row: Insertable<DossierEventsTable>): Promise<void> {
  await db.insertInto('dossier_events').values(row).execute();
}

export const eventsOf = (db: Executor, dossierId: string) =>
  db
    .selectFrom('dossier_events')
    .selectAll()
    .where('dossier_id', '=', dossierId)
    .orderBy('at')
    .orderBy('id')
    .limit(200)
    .execute();

// --- counts and figures (codes, instants and durations only) --------------------------------------

export interface CountRow {
  departement: string;
  partenaire: string;
  open: number;
  late: number;
  closed: number;
}

/** Counts per department and partner, no contents: the animateur's department, or the whole country. */
export async function countDossiers(
  db: Executor,
  departement: string | null,
  now: Date,
): Promise<CountRow[]> {
  const r = await sql<CountRow>`
    select departement, partenaire,
      count(*) filter (where statut <> 'clos')::int as open,
      count(*) filter (where statut <> 'clos' and ((first_answer_at is null and first_answer_due < ${now})
        or resolution_due < ${now}))::int as late,
      count(*) filter (where statut = 'clos')::int as closed
    from dossiers
    ${departement ? sql`where departement = ${departement}` : sql``}
    group by departement, partenaire
    order by departement, partenaire
    limit 5000`.execute(db);
  return r.rows;
}

/**
 * The figures' counts and medians over the cases filed in [from, to), aggregated here so that the work
 * and the answer stay bounded whatever the number of cases (definition: domain/escalade/figures.ts). Of one
 * partner (or all), of some departments or of one structure (a dashboard's territory). `perDepartement`:
 * one group per partner × department; otherwise one per partner, then the whole territory (partenaire '').
 * At most 10 partners × 101 departments + 1 groups.
 */
export async function figureCounts(
  db: Executor,
  o: {
    from: Date;
    to: Date;
    now: Date;
    firstAnswerHours: number;
    perDepartement: boolean;
    partenaire?: string | null;
    departements?: readonly string[];
    structureId?: string | null;
  },
): Promise<FigureCounts[]> {
  if (o.departements && o.departements.length === 0 && !o.structureId) return [];
  const filters = [sql`filed_at >= ${o.from}`, sql`filed_at < ${o.to}`];
  if (o.partenaire) filters.push(sql`partenaire = ${o.partenaire}`);
  if (o.structureId) filters.push(sql`structure_id = ${o.structureId}`);
  else if (o.departements)
    filters.push(sql`departement in (${sql.join(o.departements.map((d) => sql`${d}`))})`);
  const groups = o.perDepartement ? sql`partenaire, departement` : sql`grouping sets ((partenaire), ())`;
  const r = await sql<FigureCounts>`
    select
      ${o.perDepartement ? sql`partenaire` : sql`case when grouping(partenaire) = 1 then '' else partenaire end`}
        as "partenaire",
      ${o.perDepartement ? sql`departement` : sql`''`} as "departement",
      count(*)::int as "cases",
      count(*) filter (where first_answer_bh is not null or first_answer_due < ${o.now})::int as "settled",
      count(*) filter (where first_answer_bh <= ${o.firstAnswerHours})::int as "answeredWithin72",
      percentile_cont(0.5) within group (order by first_answer_bh) as "medianFirstAnswerBh",
      percentile_cont(0.5) within group (order by close_bh) as "medianCloseBh"
    from dossiers
    where ${sql.join(filters, sql` and `)}
    group by ${groups}
    limit 2000`.execute(db);
  return r.rows;
}

// --- reminders ------------------------------------------------------------------------------------

const REMINDER_COLUMNS = ['id', 'numero', 'partenaire', 'departement', 'first_answer_due'] as const;

/** Unanswered open cases past their 48-hour reminder, not yet reminded (oldest first, bounded). */
export const casesToRemind = (db: Executor, now: Date, limit: number) =>
  db
    .selectFrom('dossiers as d')
    .select(REMINDER_COLUMNS.map((c) => `d.${c}` as const))
    .where('d.statut', '!=', 'clos')
    .where('d.first_answer_at', 'is', null)
    .where('d.reminder_due', '<=', now)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('dossier_reminders as r')
            .select('r.dossier_id')
            .whereRef('r.dossier_id', '=', 'd.id')
            .where('r.kind', '=', 'rappel_48h'),
        ),
      ),
    )
    .orderBy('d.reminder_due')
    .limit(limit)
    .execute();

/** Unanswered open cases past their 72 hours, whose coordinator has not been told yet. */
export const lateCasesToReport = (db: Executor, now: Date, limit: number) =>
  db
    .selectFrom('dossiers as d')
    .select(REMINDER_COLUMNS.map((c) => `d.${c}` as const))
    .where('d.statut', '!=', 'clos')
    .where('d.first_answer_at', 'is', null)
    .where('d.first_answer_due', '<', now)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('dossier_reminders as r')
            .select('r.dossier_id')
            .whereRef('r.dossier_id', '=', 'd.id')
            .where('r.kind', '=', 'retard'),
        ),
      ),
    )
    .orderBy('d.first_answer_due')
    .limit(limit)
    .execute();

/** Claims a reminder (kind, case) once: false if already claimed, by this run or a concurrent one. */
export async function claimReminder(
  db: Executor,
  kind: 'rappel_48h' | 'retard',
  dossierId: string,
  at: Date,
  recipients: number,
): Promise<boolean> {
  const r = await db
    .insertInto('dossier_reminders')
    .values({ kind, dossier_id: dossierId, sent_at: at, recipients })
    .onConflict((oc) => oc.doNothing())
    .returning('dossier_id')
    .executeTakeFirst();
  return r !== undefined;
}

/** Claims a référent's digest of a local day once. */
export async function claimDigest(db: Executor, userId: string, day: string, at: Date): Promise<boolean> {
  const r = await db
    .insertInto('dossier_digests')
    .values({ user_id: userId, day, sent_at: at })
    .onConflict((oc) => oc.doNothing())
    .returning('user_id')
    .executeTakeFirst();
  return r !== undefined;
}

/** Open cases of a référent's scope needing attention: unanswered, and among them those late. */
export async function attentionCounts(
  db: Executor,
  scope: { partenaire: string; departements: readonly string[] | null },
  now: Date,
): Promise<{ unanswered: number; late: number }> {
  if (scope.departements !== null && scope.departements.length === 0) return { unanswered: 0, late: 0 };
  let q = db
    .selectFrom('dossiers')
    .select([
      sql<number>`count(*)::int`.as('unanswered'),
      sql<number>`count(*) filter (where first_answer_due < ${now})::int`.as('late'),
    ])
    .where('partenaire', '=', scope.partenaire)
    .where('statut', '!=', 'clos')
    .where('first_answer_at', 'is', null);
  if (scope.departements !== null) q = q.where('departement', 'in', [...scope.departements]);
  const r = await q.executeTakeFirstOrThrow();
  return { unanswered: Number(r.unanswered), late: Number(r.late) };
}

// --- retention ------------------------------------------------------------------------------------

/** Closed cases whose personal data is due for erasure (closed before the cutoff, not yet erased). */
export const casesToErase = (db: Executor, cutoff: Date, limit: number) =>
  db
    .selectFrom('dossiers')
    .select(['id', 'numero'])
    .where('statut', '=', 'clos')
    .where('closed_at', '<', cutoff)
    .where('erased_at', 'is', null)
    .orderBy('closed_at')
    .limit(limit)
    .execute();

/**
 * Erases a case's identity, messages, notes and attachment rows (returns the attachment ids, whose files
 * the caller removes). Codes, instants and business-hour durations stay for the figures.
 */
export async function eraseDossier(db: Executor, id: string, at: Date): Promise<string[]> {
  const files = await db
    .deleteFrom('dossier_attachments')
    .where('dossier_id', '=', id)
    .returning('id')
    .execute();
  await db.deleteFrom('dossier_messages').where('dossier_id', '=', id).execute();
  await db.deleteFrom('dossier_notes').where('dossier_id', '=', id).execute();
  await db
    .updateTable('dossiers')
    .set({
      nom: null,
      prenom: null,
      date_naissance: null,
      numero_partenaire: null,
      objet: null,
      accompagnement_id: null,
      erased_at: at,
    })
    .where('id', '=', id)
    .execute();
  return files.map((f) => f.id);
}
