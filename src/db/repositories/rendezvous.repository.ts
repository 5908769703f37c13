import { type Selectable, sql } from 'kysely';
import type { Db } from '../database.js';
import type { RendezvousMotifsTable, RendezvousPlagesTable, RendezvousTable } from '../schema/rendezvous.js';

/**
 * The one owner of the rendez-vous tables (issue 15): motifs, plages, absences, bookings, their
 * occupancy units (the no-double-booking constraint), reminders sent and agents' feed tokens.
 * Queries only: the service validates and authorises.
 */
export type MotifRow = Selectable<RendezvousMotifsTable>;
export type PlageRow = Selectable<RendezvousPlagesTable>;
export type BookingRow = Selectable<RendezvousTable>;

const UNIQUE_VIOLATION = '23505';
export const isUniqueViolation = (e: unknown): boolean =>
  (e as { code?: string } | null)?.code === UNIQUE_VIOLATION;

// ---------------------------------------------------------------------------------------------
// Motifs
// ---------------------------------------------------------------------------------------------

export interface MotifColumns {
  libelle: string;
  duree_min: number;
  canal: string;
  partenaire: string | null;
  demarche: string | null;
  delai_min_minutes: number;
  delai_max_jours: number;
  reservable_en_ligne: boolean;
}

export function listMotifs(
  db: Db,
  structureId: string,
  options: { onlineOnly?: boolean; activeOnly?: boolean } = {},
) {
  let q = db.selectFrom('rendezvous_motifs').selectAll().where('structure_id', '=', structureId);
  if (options.activeOnly || options.onlineOnly) q = q.where('actif', '=', true);
  if (options.onlineOnly) q = q.where('reservable_en_ligne', '=', true);
  return q.orderBy('libelle').orderBy('id').limit(200).execute();
}

export const findMotif = (db: Db, id: string) =>
  db.selectFrom('rendezvous_motifs').selectAll().where('id', '=', id).executeTakeFirst();

export async function insertMotif(db: Db, structureId: string, values: MotifColumns): Promise<MotifRow> {
  return db
    .insertInto('rendezvous_motifs')
    .values({ structure_id: structureId, ...values })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Optimistic concurrency: false when the motif changed since `version` was read. */
export async function updateMotif(
  db: Db,
  id: string,
  version: number,
  values: MotifColumns & { actif: boolean },
  at: Date,
): Promise<boolean> {
  const r = await db
    .updateTable('rendezvous_motifs')
    .set({ ...values, version: sql`version + 1`, updated_at: at })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function countMotifs(db: Db, structureId: string): Promise<number> {
  const r = await db
    .selectFrom('rendezvous_motifs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('structure_id', '=', structureId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

// ---------------------------------------------------------------------------------------------
// Plages and absences
// ---------------------------------------------------------------------------------------------

export const listPlages = (db: Db, structureId: string) =>
  db
    .selectFrom('rendezvous_plages')
    .selectAll()
    .where('structure_id', '=', structureId)
    .orderBy('agent_id')
    .orderBy('jour')
    .orderBy('debut_min')
    .limit(1000)
    .execute();

export async function insertPlage(
  db: Db,
  row: Omit<PlageRow, 'id' | 'created_at' | 'motif_ids'> & { motif_ids: string[] | null },
): Promise<void> {
  await db
    .insertInto('rendezvous_plages')
    .values({ ...row, motif_ids: row.motif_ids ? JSON.stringify(row.motif_ids) : null })
    .execute();
}

export async function deletePlage(
  db: Db,
  id: string,
  structureId: string,
  agentId: string | null,
): Promise<boolean> {
  let q = db.deleteFrom('rendezvous_plages').where('id', '=', id).where('structure_id', '=', structureId);
  if (agentId) q = q.where('agent_id', '=', agentId);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

export async function countPlages(db: Db, structureId: string): Promise<number> {
  const r = await db
    .selectFrom('rendezvous_plages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('structure_id', '=', structureId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export const listAbsences = (db: Db, structureId: string, from: Date, to: Date) =>
  db
    .selectFrom('rendezvous_absences')
    .selectAll()
    .where('structure_id', '=', structureId)
    .where('debut', '<', to)
    .where('fin', '>', from)
    .orderBy('debut')
    .limit(1000)
    .execute();

export async function insertAbsence(
  db: Db,
  row: { structure_id: string; agent_id: string; debut: Date; fin: Date; libelle: string | null },
): Promise<void> {
  await db.insertInto('rendezvous_absences').values(row).execute();
}

export async function deleteAbsence(
  db: Db,
  id: string,
  structureId: string,
  agentId: string | null,
): Promise<boolean> {
  let q = db.deleteFrom('rendezvous_absences').where('id', '=', id).where('structure_id', '=', structureId);
  if (agentId) q = q.where('agent_id', '=', agentId);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

// ---------------------------------------------------------------------------------------------
// Bookings and their occupancy units
// ---------------------------------------------------------------------------------------------

export type BookingInsert = Omit<
  BookingRow,
  'id' | 'statut' | 'version' | 'updated_at' | 'contact_efface_at'
>;

/**
 * Inserts a booking and its occupancy units in one transaction. Returns null when a unit is already
 * held (unique violation on (agent_id, unit_start)): nothing is written.
 */
export async function insertBooking(
  db: Db,
  row: BookingInsert,
  units: readonly Date[],
): Promise<BookingRow | null> {
  try {
    return await db.transaction().execute(async (trx) => {
      const booking = await trx
        .insertInto('rendezvous')
        .values({ ...row, updated_at: row.created_at })
        .returningAll()
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('rendezvous_occupations')
        .values(units.map((u) => ({ agent_id: row.agent_id, unit_start: u, rendezvous_id: booking.id })))
        .execute();
      return booking;
    });
  } catch (e) {
    if (isUniqueViolation(e)) return null;
    throw e;
  }
}

export const findBooking = (db: Db, id: string) =>
  db.selectFrom('rendezvous').selectAll().where('id', '=', id).executeTakeFirst();

export const findBookingByToken = (db: Db, tokenHash: string) =>
  db.selectFrom('rendezvous').selectAll().where('jeton_hash', '=', tokenHash).executeTakeFirst();

/** Cancels a confirmed booking at `version` and frees its units; false if it changed meanwhile. */
export async function cancelBooking(db: Db, id: string, version: number, at: Date): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const r = await trx
      .updateTable('rendezvous')
      .set({ statut: 'annule', version: sql`version + 1`, updated_at: at })
      .where('id', '=', id)
      .where('version', '=', version)
      .where('statut', '=', 'confirme')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return false;
    await trx.deleteFrom('rendezvous_occupations').where('rendezvous_id', '=', id).execute();
    return true;
  });
}

/**
 * Moves a confirmed booking to a new time (and agent), with a new token hash: the old units are freed
 * and the new ones taken in one transaction. 'taken' when a new unit is held; 'stale' when the booking
 * changed since `version`.
 */
export async function moveBooking(
  db: Db,
  id: string,
  version: number,
  next: { agentId: string; start: Date; end: Date; tokenHash: string | null },
  units: readonly Date[],
  at: Date,
): Promise<'moved' | 'taken' | 'stale'> {
  class Stale extends Error {}
  try {
    await db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('rendezvous')
        .set({
          agent_id: next.agentId,
          debut: next.start,
          fin: next.end,
          jeton_hash: next.tokenHash,
          version: sql`version + 1`,
          updated_at: at,
        })
        .where('id', '=', id)
        .where('version', '=', version)
        .where('statut', '=', 'confirme')
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) throw new Stale();
      await trx.deleteFrom('rendezvous_occupations').where('rendezvous_id', '=', id).execute();
      await trx
        .insertInto('rendezvous_occupations')
        .values(units.map((u) => ({ agent_id: next.agentId, unit_start: u, rendezvous_id: id })))
        .execute();
      // A reminder already sent was for the old time.
      await trx.deleteFrom('rendezvous_rappels').where('rendezvous_id', '=', id).execute();
    });
    return 'moved';
  } catch (e) {
    if (e instanceof Stale) return 'stale';
    if (isUniqueViolation(e)) return 'taken';
    throw e;
  }
}

/** Records attendance (honoré, excusé, absent) at `version`; false if it changed meanwhile. */
export async function setAttendance(
  db: Db,
  id: string,
  version: number,
  statut: string,
  at: Date,
): Promise<boolean> {
  const r = await db
    .updateTable('rendezvous')
    .set({ statut, version: sql`version + 1`, updated_at: at })
    .where('id', '=', id)
    .where('version', '=', version)
    .where('statut', '<>', 'annule')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** A structure's (or one agent's) appointments overlapping [from, to), with the motif's label. */
export function agenda(db: Db, filter: { structureId?: string; agentId?: string; from: Date; to: Date }) {
  let q = db
    .selectFrom('rendezvous as r')
    .innerJoin('rendezvous_motifs as m', 'm.id', 'r.motif_id')
    .selectAll('r')
    .select([
      'm.libelle as motif_libelle',
      'm.canal as motif_canal',
      'm.partenaire as motif_partenaire',
      'm.demarche as motif_demarche',
    ])
    .where('r.debut', '<', filter.to)
    .where('r.fin', '>', filter.from);
  if (filter.structureId) q = q.where('r.structure_id', '=', filter.structureId);
  if (filter.agentId) q = q.where('r.agent_id', '=', filter.agentId);
  return q.orderBy('r.debut').orderBy('r.id').limit(2000).execute();
}

/** Erases the contact details of appointments that ended before `cutoff`; returns how many. */
export async function eraseContacts(db: Db, cutoff: Date, at: Date): Promise<number> {
  const r = await db
    .updateTable('rendezvous')
    .set({ nom: null, courriel: null, telephone: null, jeton_hash: null, contact_efface_at: at })
    .where('fin', '<', cutoff)
    .where('contact_efface_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/**
 * Counts per motif of a structure's appointments that started in [from, to), by status: honoré, excusé,
 * absent, and confirmé (attendance not recorded). Cancelled ones are not counted.
 */
export function attendanceCounts(db: Db, structureId: string, from: Date, to: Date) {
  return db
    .selectFrom('rendezvous as r')
    .innerJoin('rendezvous_motifs as m', 'm.id', 'r.motif_id')
    .select(['m.id as motif_id', 'm.libelle', 'r.statut'])
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('r.structure_id', '=', structureId)
    .where('r.debut', '>=', from)
    .where('r.debut', '<', to)
    .where('r.statut', 'in', ['honore', 'excuse', 'absent', 'confirme'])
    .groupBy(['m.id', 'm.libelle', 'r.statut'])
    .execute();
}

/**
 * The same counts per structure, for the structures `ids` (null: every structure), over appointments that
 * started in [from, to).
 */
export async function attendanceByStructure(db: Db, ids: readonly string[] | null, from: Date, to: Date) {
  if (ids !== null && ids.length === 0) return [];
  let q = db
    .selectFrom('rendezvous')
    .select(['structure_id', 'statut'])
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('debut', '>=', from)
    .where('debut', '<', to)
    .where('statut', 'in', ['honore', 'excuse', 'absent', 'confirme']);
  if (ids !== null) q = q.where('structure_id', 'in', ids);
  return q.groupBy(['structure_id', 'statut']).execute();
}

// ---------------------------------------------------------------------------------------------
// Reminders
// ---------------------------------------------------------------------------------------------

/** Confirmed appointments starting in [from, to) whose contact is still known. */
export const remindable = (db: Db, from: Date, to: Date) =>
  db
    .selectFrom('rendezvous')
    .selectAll()
    .where('statut', '=', 'confirme')
    .where('debut', '>=', from)
    .where('debut', '<', to)
    .where('contact_efface_at', 'is', null)
    .orderBy('debut')
    .limit(5000)
    .execute();

/** Claims the sending of one reminder: true for the one caller that inserted the row. */
export async function claimReminder(
  db: Db,
  id: string,
  canal: 'courriel' | 'sms',
  at: Date,
): Promise<boolean> {
  const r = await db
    .insertInto('rendezvous_rappels')
    .values({ rendezvous_id: id, canal, envoye_at: at, resultat: 'en_cours' })
    .onConflict((oc) => oc.doNothing())
    .returning('rendezvous_id')
    .executeTakeFirst();
  return r !== undefined;
}

export async function reminderResult(db: Db, id: string, canal: string, resultat: string): Promise<void> {
  await db
    .updateTable('rendezvous_rappels')
    .set({ resultat })
    .where('rendezvous_id', '=', id)
    .where('canal', '=', canal)
    .execute();
}

export const remindersOf = (db: Db, id: string) =>
  db.selectFrom('rendezvous_rappels').selectAll().where('rendezvous_id', '=', id).execute();

// ---------------------------------------------------------------------------------------------
// Agents' private feeds
// ---------------------------------------------------------------------------------------------

/** A new feed token for an agent; every earlier one is revoked. */
export async function replaceFeed(db: Db, agentId: string, tokenHash: string, at: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('rendezvous_flux')
      .set({ revoked_at: at })
      .where('agent_id', '=', agentId)
      .where('revoked_at', 'is', null)
      .execute();
    await trx.insertInto('rendezvous_flux').values({ agent_id: agentId, jeton_hash: tokenHash }).execute();
  });
}

export async function revokeFeeds(db: Db, agentId: string, at: Date): Promise<number> {
  const r = await db
    .updateTable('rendezvous_flux')
    .set({ revoked_at: at })
    .where('agent_id', '=', agentId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function feedAgent(db: Db, tokenHash: string): Promise<string | null> {
  const r = await db
    .selectFrom('rendezvous_flux')
    .select('agent_id')
    .where('jeton_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return r?.agent_id ?? null;
}

export async function hasFeed(db: Db, agentId: string): Promise<boolean> {
  const r = await db
    .selectFrom('rendezvous_flux')
    .select('id')
    .where('agent_id', '=', agentId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return r !== undefined;
}

// ---------------------------------------------------------------------------------------------
// The locator's filter: every structure at once (one query per table)
// ---------------------------------------------------------------------------------------------

/**
 * What the "bookable online within N days" computation reads, for every structure at once: the active
 * motifs bookable online (of structures with at least one plage valid in the window), those structures'
 * plages valid in the window, their absences and their agents' live appointments overlapping
 * [from, to). One query per table, only the columns the slot computation uses.
 */
export async function onlineBookingRows(
  db: Db,
  window: { from: Date; to: Date; firstDay: string; lastDay: string },
) {
  const motifs = await db
    .selectFrom('rendezvous_motifs as m')
    .select(['m.id', 'm.structure_id', 'm.duree_min', 'm.canal', 'm.delai_min_minutes', 'm.delai_max_jours'])
    .where('m.actif', '=', true)
    .where('m.reservable_en_ligne', '=', true)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('rendezvous_plages as p')
          .select('p.id')
          .whereRef('p.structure_id', '=', 'm.structure_id')
          .where((w) => w.or([w('p.valide_au', 'is', null), w('p.valide_au', '>=', window.firstDay)]))
          .where((w) => w.or([w('p.valide_du', 'is', null), w('p.valide_du', '<=', window.lastDay)])),
      ),
    )
    .execute();
  const ids = [...new Set(motifs.map((m) => m.structure_id))];
  const plagesOf = (chunk: string[]) =>
    db
      .selectFrom('rendezvous_plages')
      .select([
        'id',
        'structure_id',
        'agent_id',
        'jour',
        'debut_min',
        'fin_min',
        'valide_du',
        'valide_au',
        'motif_ids',
      ])
      .where('structure_id', 'in', chunk)
      .where((w) => w.or([w('valide_au', 'is', null), w('valide_au', '>=', window.firstDay)]))
      .where((w) => w.or([w('valide_du', 'is', null), w('valide_du', '<=', window.lastDay)]))
      .execute();
  const absencesOf = (chunk: string[]) =>
    db
      .selectFrom('rendezvous_absences')
      .select(['structure_id', 'agent_id', 'debut', 'fin'])
      .where('structure_id', 'in', chunk)
      .where('debut', '<', window.to)
      .where('fin', '>', window.from)
      .execute();
  const busyOf = (agents: string[]) =>
    db
      .selectFrom('rendezvous')
      .select(['agent_id', 'debut', 'fin'])
      .where('agent_id', 'in', agents)
      .where('statut', '<>', 'annule')
      .where('debut', '<', window.to)
      .where('fin', '>', window.from)
      .execute();
  const plages: Awaited<ReturnType<typeof plagesOf>> = [];
  const absences: Awaited<ReturnType<typeof absencesOf>> = [];
  const busy: Awaited<ReturnType<typeof busyOf>> = [];
  // Ids in chunks of 1,000: one query per table unless more than 1,000 structures take appointments.
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    plages.push(...(await plagesOf(chunk)));
    absences.push(...(await absencesOf(chunk)));
  }
  const agents = [...new Set(plages.map((p) => p.agent_id))];
  for (let i = 0; i < agents.length; i += 1000) busy.push(...(await busyOf(agents.slice(i, i + 1000))));
  return { motifs, plages, absences, busy };
}

// ---------------------------------------------------------------------------------------------
// Free slots of one structure: everything in one round trip
// ---------------------------------------------------------------------------------------------

/** One motif as `slotInputs` reads it: [id, libelle, duree_min, canal, partenaire, demarche, delai_min_minutes, delai_max_jours, version]. */
export type MotifTuple = [
  string,
  string,
  number,
  string,
  string | null,
  string | null,
  number,
  number,
  number,
];
/** One plage: [id, agent_id, jour, debut_min, fin_min, valide_du, valide_au, motif_ids]. */
export type PlageTuple = [
  string,
  string,
  string,
  number,
  number,
  string | null,
  string | null,
  string[] | null,
];
/** Time taken (an absence or an appointment): [agent_id, start ms, end ms]. */
export type SpanTuple = [string, number, number];

/**
 * What the free slots of one structure over [from, to) are computed from, in one query: its plages, its
 * agents' absences and live appointments overlapping the range (only the columns used, instants as epoch
 * milliseconds, no row-by-row parsing) and, on demand, its active motifs bookable online. The free slots
 * API used to make five queries and parse every timestamp; see docs/BENCHMARKS.md (rendez-vous).
 */
export async function slotInputs(
  db: Db,
  structureId: string,
  from: Date,
  to: Date,
  o: { withBusy: boolean; onlineMotifs: boolean },
): Promise<{ motifs: MotifTuple[]; plages: PlageTuple[]; absences: SpanTuple[]; busy: SpanTuple[] }> {
  const ms = (column: string) => sql.raw(`(extract(epoch from ${column}) * 1000)::bigint`);
  const motifs = o.onlineMotifs
    ? sql`(select coalesce(json_agg(json_build_array(id, libelle, duree_min, canal, partenaire, demarche,
          delai_min_minutes, delai_max_jours, version) order by libelle, id), '[]'::json)
        from rendezvous_motifs where structure_id = ${structureId} and actif and reservable_en_ligne)`
    : sql`'[]'::json`;
  // The agents' ids computed once (`= any(array(…))`: an `in (select …)` here was re-run for every
  // appointment row), and `debut` bounded on both sides so that the (agent_id, debut) index reads the
  // range only, not the agents' whole history: an appointment lasts at most 240 minutes (the motifs'
  // check constraint), so one overlapping [from, to) starts after from − 240 minutes.
  const busy = o.withBusy
    ? sql`(select coalesce(json_agg(json_build_array(r.agent_id, ${ms('r.debut')}, ${ms('r.fin')})), '[]'::json)
        from rendezvous r
        where r.agent_id = any(array(select distinct agent_id from rendezvous_plages where structure_id = ${structureId}))
          and r.statut <> 'annule' and r.debut < ${to} and r.fin > ${from}
          and r.debut > ${new Date(from.getTime() - 240 * 60_000)})`
    : sql`'[]'::json`;
  const result = await sql<{
    motifs: MotifTuple[];
    plages: PlageTuple[];
    absences: SpanTuple[];
    busy: SpanTuple[];
  }>`select
      ${motifs} as motifs,
      (select coalesce(json_agg(json_build_array(id, agent_id, jour, debut_min, fin_min, valide_du, valide_au,
          motif_ids) order by agent_id, jour, debut_min), '[]'::json)
        from rendezvous_plages where structure_id = ${structureId}) as plages,
      (select coalesce(json_agg(json_build_array(agent_id, ${ms('debut')}, ${ms('fin')})), '[]'::json)
        from rendezvous_absences where structure_id = ${structureId} and debut < ${to} and fin > ${from}) as absences,
      ${busy} as busy`.execute(db);
  const row = result.rows[0];
  const parse = <T>(v: T | string | undefined): T =>
    typeof v === 'string' ? (JSON.parse(v) as T) : (v as T);
  return {
    motifs: parse(row?.motifs) ?? [],
    plages: parse(row?.plages) ?? [],
    absences: parse(row?.absences) ?? [],
    busy: parse(row?.busy) ?? [],
  };
}
