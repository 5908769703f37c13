import { hash, verify } from '@node-rs/argon2';
import type { AppContext } from '../../composition.js';
import * as accounts from '../../db/repositories/accounts.repository.js';
import { appendAudit } from '../../db/repositories/audit.repository.js';
import * as throttle from '../../db/repositories/throttle.repository.js';
import type { TokenPurpose } from '../../db/schema/accounts.js';
import {
  DEFAULT_LOCKOUT,
  lockoutDecision,
  lockoutMessage,
  RESET_THROTTLE,
  resetThrottled,
} from '../../domain/accounts/lockout.js';
import { checkNewPassword, normaliseEmail } from '../../domain/accounts/password.js';
import type { Principal } from '../../domain/accounts/roles.js';
import { DomainError } from '../../domain/shared/errors.js';
import { METROPOLITAN_ZONE, wallClock } from '../../domain/shared/time-zone.js';

/**
 * The end of a lockout, for the sign-in page: the person's place is not known before they sign in, so
 * the time is metropolitan and says so (an agent at La Réunion reads "(heure de Paris)").
 */
const lockoutUntil = (until: Date) =>
  `${wallClock(until, METROPOLITAN_ZONE).toFormat('HH:mm')} (heure de Paris)`;

import { deliverLater, sendMail } from './mail.service.js';
import { randomToken, sha256 } from './tokens.js';

/** Sign-in, sessions, one-time tokens (reset, invitation, first-run setup). */

const ARGON = {
  algorithm: 2 /* Algorithm.Argon2id (a const enum) */,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;
export const SESSION_HOURS = 12;
export const TOKEN_TTL_MINUTES: Record<TokenPurpose, number> = {
  reset: 60,
  invitation: 7 * 24 * 60,
  setup: 24 * 60,
  oidc: 10,
};

export const hashPassword = (password: string) => hash(password, ARGON);
// A fixed hash to verify against when the e-mail is unknown: both answers take the same time.
let decoyHash: Promise<string> | null = null;
const decoy = () => {
  decoyHash ??= hash('mot de passe leurre pour le calcul', ARGON);
  return decoyHash;
};

export const INVALID_CREDENTIALS = 'Adresse électronique ou mot de passe incorrect.';

export type LoginResult =
  | { readonly ok: true; readonly sessionToken: string; readonly userId: string }
  | { readonly ok: false; readonly message: string; readonly locked: boolean };

const minutesAgo = (now: Date, m: number) => new Date(now.getTime() - m * 60_000);
const plus = (now: Date, minutes: number) => new Date(now.getTime() + minutes * 60_000);

/**
 * Email and password. A wrong password and an unknown e-mail get the same answer, in about the
 * same time. Failures are counted per e-mail and per IP; past the limit, sign-in is refused with
 * a clear message until the window has passed.
 */
export async function login(
  ctx: AppContext,
  input: { email: unknown; password: unknown; ip: string },
): Promise<LoginResult> {
  const now = ctx.clock.now();
  let email: string;
  try {
    email = normaliseEmail(input.email);
  } catch {
    return { ok: false, message: INVALID_CREDENTIALS, locked: false };
  }
  const password = typeof input.password === 'string' ? input.password.slice(0, 1000) : '';
  // Count this attempt BEFORE checking it, atomically (finding 6a): concurrent attempts each get
  // their own rank, so the 6th of twenty simultaneous ones is refused whatever its password.
  const since = minutesAgo(now, DEFAULT_LOCKOUT.windowMinutes);
  const byAccount = await throttle.hit(ctx.db, `login:email:${email}`, now, since);
  const byIp = await throttle.hit(ctx.db, `login:ip:${input.ip}`, now, since);
  const counted = (extra: number) => ({
    account: byAccount.hits - 1 + extra,
    ip: byIp.hits - 1 + extra,
    oldestAccount: byAccount.windowStart,
    oldestIp: byIp.windowStart,
  });
  const decision = lockoutDecision(counted(0));
  if (decision.locked) {
    ctx.logger.warn({ email, ip: input.ip, by: decision.by }, 'connexion refusée : verrouillage');
    return {
      ok: false,
      locked: true,
      message: lockoutMessage(decision, lockoutUntil(decision.until)),
    };
  }
  const user = await accounts.findUserByEmail(ctx.db, email);
  const valid = await checkPassword(user, password);
  await accounts.recordLoginAttempt(ctx.db, { email, ip: input.ip, success: valid, at: now });
  if (!valid || !user) {
    const after = lockoutDecision(counted(1));
    if (after.locked)
      return {
        ok: false,
        locked: true,
        message: lockoutMessage(after, lockoutUntil(after.until)),
      };
    return { ok: false, locked: false, message: INVALID_CREDENTIALS };
  }
  await throttle.clear(ctx.db, `login:email:${email}`);
  await throttle.takeBack(ctx.db, `login:ip:${input.ip}`);
  const sessionToken = await openSession(ctx, user.id, input.ip);
  return { ok: true, sessionToken, userId: user.id };
}

/**
 * One argon2 verification whatever the account (finding 9): an unknown, disabled or password-less
 * account is checked against the decoy hash, so the answer takes the same time and is always false.
 */
export async function checkPassword(
  user: { active: boolean; password_hash: string | null } | undefined,
  password: string,
): Promise<boolean> {
  const real = user?.active && user.password_hash ? user.password_hash : null;
  const ok = await verify(real ?? (await decoy()), password).catch(() => false);
  return real !== null && ok;
}

/** A new session (a new id: sessions are never carried over from before sign-in). */
export async function openSession(ctx: AppContext, userId: string, ip: string | null): Promise<string> {
  const now = ctx.clock.now();
  const token = randomToken();
  await accounts.insertSession(ctx.db, {
    idHash: sha256(token),
    userId,
    csrfSecret: randomToken(),
    expiresAt: plus(now, SESSION_HOURS * 60),
    now,
    ip,
  });
  await accounts.updateUser(ctx.db, userId, { last_login_at: now });
  return token;
}

export interface SessionUser {
  readonly principal: Principal;
  readonly email: string;
  readonly displayName: string;
  readonly csrfSecret: string;
  readonly sessionHash: string;
}

export async function resolveSession(
  ctx: AppContext,
  token: string | undefined,
): Promise<SessionUser | null> {
  if (!token || token.length > 100) return null;
  const row = await accounts.findLiveSession(ctx.db, sha256(token), ctx.clock.now());
  if (!row) return null;
  return {
    principal: await accounts.principalOf(ctx.db, row),
    email: row.email,
    displayName: row.display_name,
    csrfSecret: row.csrf_secret,
    sessionHash: row.id_hash,
  };
}

export const closeSession = (ctx: AppContext, token: string) => accounts.deleteSession(ctx.db, sha256(token));

// --- one-time tokens -----------------------------------------------------------------------------

export async function issueToken(
  ctx: AppContext,
  purpose: TokenPurpose,
  userId: string | null,
  payload: object = {},
): Promise<string> {
  const now = ctx.clock.now();
  if (userId && purpose !== 'oidc') await accounts.voidTokens(ctx.db, userId, purpose, now);
  const token = randomToken();
  await accounts.insertToken(ctx.db, {
    hash: sha256(token),
    purpose,
    userId,
    payload,
    expiresAt: plus(now, TOKEN_TTL_MINUTES[purpose]),
    now,
  });
  return token;
}

export type TokenCheck =
  | {
      readonly ok: true;
      readonly id: string;
      readonly userId: string | null;
      readonly payload: Record<string, unknown>;
    }
  | { readonly ok: false; readonly reason: 'unknown' | 'expired' | 'used' };

export async function checkToken(
  ctx: AppContext,
  token: unknown,
  purpose: TokenPurpose,
): Promise<TokenCheck> {
  if (typeof token !== 'string' || token.length < 20 || token.length > 100)
    return { ok: false, reason: 'unknown' };
  const row = await accounts.findToken(ctx.db, sha256(token), purpose);
  if (!row) return { ok: false, reason: 'unknown' };
  if (row.used_at) return { ok: false, reason: 'used' };
  if (row.expires_at <= ctx.clock.now()) return { ok: false, reason: 'expired' };
  return { ok: true, id: row.id, userId: row.user_id, payload: row.payload ?? {} };
}

/** The account an invitation link is for (the invitation page names it), or null if the link is not valid. */
export async function invitedAccount(
  ctx: AppContext,
  token: unknown,
): Promise<{ email: string; displayName: string | null } | null> {
  const check = await checkToken(ctx, token, 'invitation');
  const user = check.ok && check.userId ? await accounts.findUserById(ctx.db, check.userId) : undefined;
  return user ? { email: user.email, displayName: user.display_name } : null;
}

/** Check and consume in one step; throws a clear error the pages turn into "ask for a new one". */
export async function useToken(ctx: AppContext, token: unknown, purpose: TokenPurpose) {
  const check = await checkToken(ctx, token, purpose);
  if (!check.ok) throw new TokenError(check.reason, purpose);
  if (!(await accounts.consumeToken(ctx.db, check.id, ctx.clock.now())))
    throw new TokenError('used', purpose);
  return check;
}

export class TokenError extends DomainError {
  constructor(
    readonly reason: 'unknown' | 'expired' | 'used',
    readonly purpose: TokenPurpose,
  ) {
    super(
      'invalid',
      reason === 'expired'
        ? 'Ce lien a expiré.'
        : reason === 'used'
          ? 'Ce lien a déjà été utilisé.'
          : 'Ce lien n’est pas valide (il est incomplet, ou a été remplacé par un lien plus récent).',
      'jeton',
    );
  }
}

// --- password reset ------------------------------------------------------------------------------

/**
 * Always the same answer, whether or not the account exists, in the same time: the token and the
 * mail are made after the answer (finding 9). Throttled per typed e-mail and per IP (finding 12):
 * past the limit, the answer says until when, for known and unknown addresses alike.
 */
export async function requestPasswordReset(
  ctx: AppContext,
  rawEmail: unknown,
  ip: string,
): Promise<{ readonly throttledUntil: Date | null }> {
  const now = ctx.clock.now();
  const since = minutesAgo(now, RESET_THROTTLE.windowMinutes);
  let email: string;
  try {
    email = normaliseEmail(rawEmail);
  } catch {
    email = '';
  }
  const byIp = await throttle.hit(ctx.db, `reset:ip:${ip}`, now, since);
  const byAccount = email
    ? await throttle.hit(ctx.db, `reset:email:${email}`, now, since)
    : { hits: 0, windowStart: now };
  if (resetThrottled(byAccount.hits, byIp.hits)) {
    const start = byAccount.hits > RESET_THROTTLE.maxPerAccount ? byAccount.windowStart : byIp.windowStart;
    ctx.logger.warn({ ip }, 'demande de réinitialisation refusée : trop de demandes');
    return { throttledUntil: plus(start, RESET_THROTTLE.windowMinutes) };
  }
  if (!email) return { throttledUntil: null };
  deliverLater(ctx, async () => {
    const user = await accounts.findUserByEmail(ctx.db, email);
    if (!user?.active) return;
    const token = await issueToken(ctx, 'reset', user.id);
    await sendMail(ctx, {
      to: user.email,
      subject: 'Réinitialisation de votre mot de passe France Services',
      text: `Bonjour,

Une réinitialisation du mot de passe de votre compte de l’espace France Services a été demandée.
Pour choisir un nouveau mot de passe, ouvrez ce lien (valable ${TOKEN_TTL_MINUTES.reset} minutes, une seule fois) :

${ctx.config.publicUrl}/espace/reinitialiser?jeton=${token}

Si vous n’êtes pas à l’origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.`,
    });
  });
  return { throttledUntil: null };
}

export async function resetPassword(
  ctx: AppContext,
  input: { token: unknown; password: unknown; confirmation: unknown; ip: string },
): Promise<string> {
  const password = checkNewPassword(input.password, input.confirmation);
  const t = await useToken(ctx, input.token, 'reset');
  if (!t.userId) throw new TokenError('unknown', 'reset');
  await accounts.updateUser(ctx.db, t.userId, { password_hash: await hashPassword(password) });
  await accounts.deleteSessionsOf(ctx.db, t.userId);
  await appendAudit(ctx.db, {
    at: ctx.clock.now(),
    actorId: t.userId,
    actorLabel: 'la personne elle-même',
    entity: 'user',
    entityId: t.userId,
    action: 'user.password_reset',
    ip: input.ip,
  });
  return openSession(ctx, t.userId, input.ip);
}

// --- invitation ----------------------------------------------------------------------------------

export async function sendInvitation(
  ctx: AppContext,
  user: { id: string; email: string },
  invitedBy: string,
): Promise<string> {
  const token = await issueToken(ctx, 'invitation', user.id);
  const link = `${ctx.config.publicUrl}/espace/invitation?jeton=${token}`;
  await sendMail(ctx, {
    to: user.email,
    subject: 'Invitation à l’espace France Services',
    text: `Bonjour,

${invitedBy} vous invite à rejoindre l’espace de gestion France Services.
Pour créer votre mot de passe, ouvrez ce lien (valable 7 jours, une seule fois) :

${link}

Vous pourrez aussi vous connecter avec ProConnect, avec cette même adresse électronique.`,
  });
  return link;
}

export async function acceptInvitation(
  ctx: AppContext,
  input: { token: unknown; displayName: unknown; password: unknown; confirmation: unknown; ip: string },
): Promise<string> {
  const password = checkNewPassword(input.password, input.confirmation);
  const name = typeof input.displayName === 'string' ? input.displayName.trim().slice(0, 120) : '';
  const t = await useToken(ctx, input.token, 'invitation');
  if (!t.userId) throw new TokenError('unknown', 'invitation');
  await accounts.updateUser(ctx.db, t.userId, {
    password_hash: await hashPassword(password),
    ...(name ? { display_name: name } : {}),
  });
  return openSession(ctx, t.userId, input.ip);
}

// --- first run -----------------------------------------------------------------------------------

/**
 * With no active administrator, a one-time setup link (24 h) that creates the first national
 * administrator. Only the hash is stored, so each start issues a fresh link and voids the previous one.
 */
export async function setupLinkIfNeeded(ctx: AppContext): Promise<string | null> {
  if ((await accounts.countActiveAdmins(ctx.db)) > 0) return null;
  const now = ctx.clock.now();
  await ctx.db
    .updateTable('one_time_tokens')
    .set({ used_at: now })
    .where('purpose', '=', 'setup')
    .where('used_at', 'is', null)
    .execute();
  const token = await issueToken(ctx, 'setup', null);
  return `${ctx.config.publicUrl}/espace/installation?jeton=${token}`;
}

export async function completeSetup(
  ctx: AppContext,
  input: {
    token: unknown;
    email: unknown;
    displayName: unknown;
    password: unknown;
    confirmation: unknown;
    ip: string;
  },
): Promise<string> {
  const email = normaliseEmail(input.email);
  const password = checkNewPassword(input.password, input.confirmation);
  const name = typeof input.displayName === 'string' ? input.displayName.trim().slice(0, 120) : '';
  await useToken(ctx, input.token, 'setup');
  if ((await accounts.countActiveAdmins(ctx.db)) > 0) throw new TokenError('used', 'setup');
  const user = await insertNationalAdmin(ctx, {
    email,
    displayName: name,
    passwordHash: await hashPassword(password),
    by: 'installation',
    ip: input.ip,
  });
  return openSession(ctx, user.id, input.ip);
}

/**
 * The one way a national administrator is created, with its audit entry: by the first start's setup link
 * (`installation`: the person creates their own account, with a password) or by `maillage users
 * create-admin` (`ligne de commande`: no password yet, an invitation link follows).
 */
export async function insertNationalAdmin(
  ctx: AppContext,
  a: {
    email: string;
    displayName?: string;
    passwordHash: string | null;
    by: 'installation' | 'ligne de commande';
    ip?: string;
  },
) {
  const user = await accounts.insertUser(ctx.db, {
    email: a.email,
    ...(a.displayName === undefined ? {} : { display_name: a.displayName }),
    role: 'national',
    departement: null,
    password_hash: a.passwordHash,
    proconnect_sub: null,
    deactivated_at: null,
    invited_by: null,
    last_login_at: null,
  });
  await appendAudit(ctx.db, {
    at: ctx.clock.now(),
    actorId: a.by === 'installation' ? user.id : null,
    actorLabel: a.by,
    entity: 'user',
    entityId: user.id,
    action: 'user.create_admin',
    after: { email: a.email, role: 'national' },
    ...(a.ip === undefined ? {} : { ip: a.ip }),
  });
  return user;
}
