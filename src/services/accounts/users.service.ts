import type { AppContext } from '../../composition.js';
import * as accounts from '../../db/repositories/accounts.repository.js';
import { appendAudit } from '../../db/repositories/audit.repository.js';
import { normaliseEmail } from '../../domain/accounts/password.js';
import { can } from '../../domain/accounts/policy.js';
import {
  invitableRoles,
  isRole,
  type Principal,
  ROLE_LABELS,
  type Role,
} from '../../domain/accounts/roles.js';
import { DomainError, invalid } from '../../domain/shared/errors.js';
import { isCodeDepartement } from '../../domain/shared/insee.js';
import { sendInvitation } from './auth.service.js';

/** Inviting, deactivating and purging accounts. */

export interface InviteInput {
  readonly email: unknown;
  readonly role: unknown;
  readonly structureId?: string | null;
  readonly departement?: unknown;
}

export interface Actor {
  readonly principal: Principal;
  readonly label: string;
  readonly ip: string | null;
}

/**
 * Invites someone. The role must be one the inviter may give, and the structure or department
 * must be in the inviter's scope for `users.invite`. An existing account is attached to the
 * structure instead (and told so by mail).
 */
export async function inviteUser(
  ctx: AppContext,
  actor: Actor,
  input: InviteInput,
): Promise<{ link: string | null }> {
  const email = normaliseEmail(input.email);
  if (!isRole(input.role) || !invitableRoles(actor.principal.role).includes(input.role))
    throw invalid('role', 'Vous ne pouvez pas attribuer ce rôle.');
  const role: Role = input.role;
  let structureId: string | null = null;
  let departement: string | null = null;
  if (role === 'agent' || role === 'responsable') {
    if (!input.structureId) throw invalid('structureId', 'Choisissez la structure de la personne invitée.');
    const s = await ctx.db
      .selectFrom('structures')
      .select(['id', 'departement'])
      .where('id', '=', input.structureId)
      .executeTakeFirst();
    if (!s || !can(actor.principal, 'users.invite', { structureId: s.id, departement: s.departement }))
      throw new DomainError('not_found', 'Structure introuvable.');
    structureId = s.id;
  } else if (role === 'animateur_departemental') {
    if (typeof input.departement !== 'string' || !isCodeDepartement(input.departement.trim().toUpperCase()))
      throw invalid('departement', 'Indiquez un code de département (par exemple 02, 2A ou 971).');
    departement = input.departement.trim().toUpperCase();
    if (!can(actor.principal, 'users.invite', { departement }))
      throw invalid('departement', 'Vous ne pouvez pas inviter dans ce département.');
  } else if (!can(actor.principal, 'users.invite', {})) {
    throw invalid('role', 'Vous ne pouvez pas attribuer ce rôle.');
  }

  const existing = await accounts.findUserByEmail(ctx.db, email);
  const now = ctx.clock.now();
  if (existing) {
    if (existing.role !== role || !structureId)
      throw new DomainError(
        'conflict',
        `Un compte existe déjà pour ${email} avec le rôle « ${ROLE_LABELS[existing.role]} ».`,
        'email',
      );
    await accounts.addMembership(ctx.db, existing.id, structureId);
    await appendAudit(ctx.db, {
      at: now,
      actorId: actor.principal.id,
      actorLabel: actor.label,
      entity: 'user',
      entityId: existing.id,
      action: 'user.add_structure',
      after: { structureId },
      ip: actor.ip,
    });
    return { link: null };
  }
  const user = await accounts.insertUser(ctx.db, {
    email,
    role,
    departement,
    password_hash: null,
    proconnect_sub: null,
    deactivated_at: null,
    invited_by: actor.principal.id,
    last_login_at: null,
  });
  if (structureId) await accounts.addMembership(ctx.db, user.id, structureId);
  await appendAudit(ctx.db, {
    at: now,
    actorId: actor.principal.id,
    actorLabel: actor.label,
    entity: 'user',
    entityId: user.id,
    action: 'user.invite',
    after: { email, role, structureId, departement },
    ip: actor.ip,
  });
  return { link: await sendInvitation(ctx, user, actor.label) };
}

/** Deactivation: sessions end at once; the account is purged after the retention period. */
export async function setUserActive(
  ctx: AppContext,
  actor: Actor,
  userId: string,
  active: boolean,
): Promise<void> {
  if (userId === actor.principal.id)
    throw invalid('user', 'Vous ne pouvez pas désactiver votre propre compte.');
  const now = ctx.clock.now();
  await accounts.updateUser(ctx.db, userId, { active, deactivated_at: active ? null : now });
  if (!active) await accounts.deleteSessionsOf(ctx.db, userId);
  await appendAudit(ctx.db, {
    at: now,
    actorId: actor.principal.id,
    actorLabel: actor.label,
    entity: 'user',
    entityId: userId,
    action: active ? 'user.reactivate' : 'user.deactivate',
    ip: actor.ip,
  });
}

/** `maillage users create-admin <email>`: a national administrator, with a one-time link to set a password. */
export async function createAdmin(ctx: AppContext, rawEmail: string): Promise<{ link: string }> {
  const email = normaliseEmail(rawEmail);
  const existing = await accounts.findUserByEmail(ctx.db, email);
  if (existing) throw new DomainError('conflict', `Un compte existe déjà pour ${email}.`, 'email');
  const user = await accounts.insertUser(ctx.db, {
    email,
    role: 'national',
    departement: null,
    password_hash: null,
    proconnect_sub: null,
    deactivated_at: null,
    invited_by: null,
    last_login_at: null,
  });
  await appendAudit(ctx.db, {
    at: ctx.clock.now(),
    actorId: null,
    actorLabel: 'ligne de commande',
    entity: 'user',
    entityId: user.id,
    action: 'user.create_admin',
    after: { email, role: 'national' },
  });
  return { link: await sendInvitation(ctx, user, 'L’installation de la plateforme') };
}

/** `maillage users purge`: deactivated accounts past the retention period are deleted. */
export async function purgeUsers(ctx: AppContext): Promise<{ purged: number; cutoff: Date; traces: number }> {
  const now = ctx.clock.now();
  const cutoff = new Date(now.getTime() - ctx.config.accountRetentionDays * 86_400_000);
  const emails = await accounts.purgeDeactivatedUsers(ctx.db, cutoff);
  // Login attempts (with IP addresses) are kept 30 days; dead sessions and spent tokens go now.
  const traces = await accounts.purgeTraces(ctx.db, now, new Date(now.getTime() - 30 * 86_400_000));
  if (emails.length > 0) {
    await appendAudit(ctx.db, {
      at: ctx.clock.now(),
      actorId: null,
      actorLabel: 'ligne de commande',
      entity: 'user',
      entityId: '*',
      action: 'user.purge',
      // Counted, not listed: the point of the purge is to forget them.
      after: { count: emails.length, retentionDays: ctx.config.accountRetentionDays },
    });
  }
  return { purged: emails.length, cutoff, traces };
}
