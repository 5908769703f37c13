import { type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import type { PartnerScope, Principal } from '../../domain/accounts/roles.js';
import type { TokenPurpose, UsersTable } from '../schema/accounts.js';
import type { DB } from '../schema/index.js';

/** Kysely queries for accounts: users, memberships, sessions, login attempts, one-time tokens, outbox. */
type Executor = Kysely<DB>;
export type UserRow = Selectable<UsersTable>;

// --- users ---------------------------------------------------------------------------------------

export const findUserByEmail = (db: Executor, email: string) =>
  db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();

export const findUserById = (db: Executor, id: string) =>
  db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();

export const findUserByProconnectSub = (db: Executor, sub: string) =>
  db.selectFrom('users').selectAll().where('proconnect_sub', '=', sub).executeTakeFirst();

export async function insertUser(db: Executor, user: Insertable<UsersTable>): Promise<UserRow> {
  return db.insertInto('users').values(user).returningAll().executeTakeFirstOrThrow();
}

export async function updateUser(
  db: Executor,
  id: string,
  set: Partial<
    Pick<
      UserRow,
      'password_hash' | 'display_name' | 'proconnect_sub' | 'active' | 'deactivated_at' | 'last_login_at'
    >
  >,
): Promise<void> {
  await db.updateTable('users').set(set).where('id', '=', id).execute();
}

export async function countActiveAdmins(db: Executor): Promise<number> {
  const r = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role', 'in', ['national', 'admin_technique'])
    .where('active', '=', true)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function structureIdsOf(db: Executor, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('user_structures')
    .select('structure_id')
    .where('user_id', '=', userId)
    .execute();
  return rows.map((r) => r.structure_id);
}

export async function principalOf(db: Executor, user: UserRow): Promise<Principal> {
  const principal: Principal = {
    id: user.id,
    role: user.role,
    departement: user.departement,
    structureIds:
      user.role === 'agent' || user.role === 'responsable' ? await structureIdsOf(db, user.id) : [],
  };
  if (user.role !== 'referent_partenaire') return principal;
  return { ...principal, partner: (await partnerScopeOf(db, user.id)) ?? null };
}

export async function addMembership(db: Executor, userId: string, structureId: string): Promise<void> {
  await db
    .insertInto('user_structures')
    .values({ user_id: userId, structure_id: structureId })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** People attached to a structure, active first. */
export function membersOf(db: Executor, structureId: string) {
  return db
    .selectFrom('user_structures as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.email', 'u.display_name', 'u.role', 'u.active', 'u.last_login_at'])
    .where('m.structure_id', '=', structureId)
    .orderBy('u.active', 'desc')
    .orderBy('u.email')
    .execute();
}

export async function listUsers(db: Executor, limit = 500) {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'display_name', 'role', 'departement', 'active', 'last_login_at'])
    .orderBy('email')
    .limit(limit)
    .execute();
}

/** Deactivated accounts older than the cutoff: removed with their sessions, memberships and tokens. */
export async function purgeDeactivatedUsers(db: Executor, cutoff: Date): Promise<string[]> {
  const rows = await db
    .deleteFrom('users')
    .where('active', '=', false)
    .where('deactivated_at', '<', cutoff)
    .returning('email')
    .execute();
  return rows.map((r) => r.email);
}

/** Traces that hold IP addresses or dead credentials: login attempts, expired sessions, spent tokens. */
export async function purgeTraces(db: Executor, now: Date, attemptsBefore: Date): Promise<number> {
  const a = await db.deleteFrom('login_attempts').where('at', '<', attemptsBefore).executeTakeFirst();
  const s = await db.deleteFrom('sessions').where('expires_at', '<', now).executeTakeFirst();
  const t = await db
    .deleteFrom('one_time_tokens')
    .where((eb) => eb.or([eb('expires_at', '<', now), eb('used_at', 'is not', null)]))
    .executeTakeFirst();
  return Number(a.numDeletedRows) + Number(s.numDeletedRows) + Number(t.numDeletedRows);
}

// --- sessions ------------------------------------------------------------------------------------

export async function insertSession(
  db: Executor,
  s: { idHash: string; userId: string; csrfSecret: string; expiresAt: Date; now: Date; ip: string | null },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id_hash: s.idHash,
      user_id: s.userId,
      csrf_secret: s.csrfSecret,
      expires_at: s.expiresAt,
      created_at: s.now,
      last_seen_at: s.now,
      ip: s.ip,
    })
    .execute();
}

export function findLiveSession(db: Executor, idHash: string, now: Date) {
  return db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .selectAll('u')
    .select(['s.csrf_secret', 's.id_hash'])
    .where('s.id_hash', '=', idHash)
    .where('s.expires_at', '>', now)
    .where('u.active', '=', true)
    .executeTakeFirst();
}

export async function deleteSession(db: Executor, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

export async function deleteSessionsOf(db: Executor, userId: string): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}

// --- login attempts ------------------------------------------------------------------------------

/** History of sign-in attempts (kept 30 days); the lockout itself counts in throttle_counters. */
export async function recordLoginAttempt(
  db: Executor,
  a: { email: string; ip: string; success: boolean; at: Date },
): Promise<void> {
  await db.insertInto('login_attempts').values(a).execute();
}

// --- one-time tokens -----------------------------------------------------------------------------

export async function insertToken(
  db: Executor,
  t: {
    hash: string;
    purpose: TokenPurpose;
    userId: string | null;
    payload: object;
    expiresAt: Date;
    now: Date;
  },
): Promise<void> {
  await db
    .insertInto('one_time_tokens')
    .values({
      token_hash: t.hash,
      purpose: t.purpose,
      user_id: t.userId,
      payload: JSON.stringify(t.payload),
      expires_at: t.expiresAt,
      created_at: t.now,
    })
    .execute();
}

export const findToken = (db: Executor, hash: string, purpose: TokenPurpose) =>
  db
    .selectFrom('one_time_tokens')
    .selectAll()
    .where('token_hash', '=', hash)
    .where('purpose', '=', purpose)
    .executeTakeFirst();

/** Marks a token used, only if still unused: two concurrent uses cannot both win. */
export async function consumeToken(db: Executor, id: string, now: Date): Promise<boolean> {
  const r = await db
    .updateTable('one_time_tokens')
    .set({ used_at: now })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Earlier unused tokens of the same purpose for a user are voided when a new one is issued. */
export async function voidTokens(
  db: Executor,
  userId: string,
  purpose: TokenPurpose,
  now: Date,
): Promise<void> {
  await db
    .updateTable('one_time_tokens')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .execute();
}

export async function unusedSetupTokenExists(db: Executor, now: Date): Promise<boolean> {
  const r = await db
    .selectFrom('one_time_tokens')
    .select('id')
    .where('purpose', '=', 'setup')
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return r !== undefined;
}

// --- outbox --------------------------------------------------------------------------------------

export async function insertOutbox(
  db: Executor,
  m: { recipient: string; subject: string; body: string; at: Date; error: string | null },
): Promise<void> {
  await db
    .insertInto('outbox')
    .values({ recipient: m.recipient, subject: m.subject, body: m.body, created_at: m.at, error: m.error })
    .execute();
}

export const listOutbox = (db: Executor, limit = 100) =>
  db.selectFrom('outbox').selectAll().orderBy('id', 'desc').limit(limit).execute();

// --- membership invitations (an existing account joins a structure only once it accepts) ----------

export async function insertMembershipInvitation(
  db: Executor,
  m: {
    userId: string;
    structureId: string;
    invitedBy: string;
    invitedByLabel: string;
    now: Date;
    expiresAt: Date;
  },
): Promise<void> {
  await db
    .insertInto('membership_invitations')
    .values({
      user_id: m.userId,
      structure_id: m.structureId,
      invited_by: m.invitedBy,
      invited_by_label: m.invitedByLabel,
      created_at: m.now,
      expires_at: m.expiresAt,
    })
    .execute();
}

/** Pending invitations of a user (unanswered, unexpired); the structures' names come from their owner. */
export const pendingMembershipInvitations = (db: Executor, userId: string, now: Date) =>
  db
    .selectFrom('membership_invitations as i')
    .select(['i.id', 'i.structure_id', 'i.invited_by_label', 'i.created_at'])
    .where('i.user_id', '=', userId)
    .where('i.answered_at', 'is', null)
    .where('i.expires_at', '>', now)
    .orderBy('i.created_at')
    .execute();

/**
 * Answers an invitation of THIS user, once: the conditional update is the check, so an invitation of
 * someone else, an answered or an expired one changes nothing (returns null).
 */
export async function answerMembershipInvitation(
  db: Executor,
  a: { id: string; userId: string; accepted: boolean; now: Date },
): Promise<{ structure_id: string } | null> {
  const row = await db
    .updateTable('membership_invitations')
    .set({ answered_at: a.now, accepted: a.accepted })
    .where('id', '=', a.id)
    .where('user_id', '=', a.userId)
    .where('answered_at', 'is', null)
    .where('expires_at', '>', a.now)
    .returning('structure_id')
    .executeTakeFirst();
  return row ?? null;
}

export async function isMember(db: Executor, userId: string, structureId: string): Promise<boolean> {
  const r = await db
    .selectFrom('user_structures')
    .select('user_id')
    .where('user_id', '=', userId)
    .where('structure_id', '=', structureId)
    .executeTakeFirst();
  return r !== undefined;
}

export async function removeMembership(db: Executor, userId: string, structureId: string): Promise<boolean> {
  const r = await db
    .deleteFrom('user_structures')
    .where('user_id', '=', userId)
    .where('structure_id', '=', structureId)
    .executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

// --- partner référents (issue 13) ----------------------------------------------------------------

export async function partnerScopeOf(db: Executor, userId: string): Promise<PartnerScope | undefined> {
  const r = await db
    .selectFrom('user_partner_scopes')
    .select(['partenaire', 'departements', 'coordinateur'])
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return r
    ? { partenaire: r.partenaire, departements: r.departements, coordinateur: r.coordinateur }
    : undefined;
}

export async function insertPartnerScope(db: Executor, userId: string, scope: PartnerScope): Promise<void> {
  await db
    .insertInto('user_partner_scopes')
    .values({
      user_id: userId,
      partenaire: scope.partenaire,
      departements: [...scope.departements],
      coordinateur: scope.coordinateur,
    })
    .execute();
}

/** A référent's choice: one mail per case reminder (false) or one daily digest (true). */
export async function setPartnerDigest(db: Executor, userId: string, digest: boolean): Promise<void> {
  await db.updateTable('user_partner_scopes').set({ digest }).where('user_id', '=', userId).execute();
}

export interface ReferentRow {
  readonly id: string;
  readonly email: string;
  readonly display_name: string;
  readonly partenaire: string;
  readonly departements: string[];
  readonly coordinateur: boolean;
  readonly digest: boolean;
}

const referentColumns = [
  'u.id',
  'u.email',
  'u.display_name',
  's.partenaire',
  's.departements',
  's.coordinateur',
  's.digest',
] as const;

/**
 * Active référents. `departement`: those of that department (coordinators excluded);
 * `coordinators`: the partner's national coordinators; bounded.
 */
export async function listReferents(
  db: Executor,
  filter: { partenaire?: string; departement?: string; coordinators?: boolean; limit?: number },
): Promise<ReferentRow[]> {
  let q = db
    .selectFrom('user_partner_scopes as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(referentColumns)
    .where('u.active', '=', true)
    .where('u.role', '=', 'referent_partenaire');
  if (filter.partenaire) q = q.where('s.partenaire', '=', filter.partenaire);
  if (filter.departement)
    q = q
      .where('s.coordinateur', '=', false)
      .where(sql<boolean>`${filter.departement} = any(s.departements)`);
  if (filter.coordinators) q = q.where('s.coordinateur', '=', true);
  return q
    .orderBy('s.partenaire')
    .orderBy('u.email')
    .limit(filter.limit ?? 500)
    .execute();
}

/** Every active référent with daily digest on (the reminder job). */
export const digestReferents = (db: Executor, limit = 10_000) =>
  db
    .selectFrom('user_partner_scopes as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(referentColumns)
    .where('u.active', '=', true)
    .where('s.digest', '=', true)
    .orderBy('u.id')
    .limit(limit)
    .execute();

/** Pairs (department, partner) that have at least one active departmental référent. */
export async function coveredDepartments(
  db: Executor,
  departement: string | null,
): Promise<{ departement: string; partenaire: string }[]> {
  const rows = await sql<{ departement: string; partenaire: string }>`
    select distinct d.departement, s.partenaire
    from user_partner_scopes s
    join users u on u.id = s.user_id and u.active and u.role = 'referent_partenaire'
    cross join lateral unnest(s.departements) as d(departement)
    where not s.coordinateur ${departement ? sql`and d.departement = ${departement}` : sql``}`.execute(db);
  return rows.rows;
}

export const listReferentById = (db: Executor, userId: string) =>
  db
    .selectFrom('user_partner_scopes as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(referentColumns)
    .where('u.id', '=', userId)
    .executeTakeFirst();
