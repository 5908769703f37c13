import type { AppContext } from '../../composition.js';
import * as accounts from '../../db/repositories/accounts.repository.js';
import { appendAudit } from '../../db/repositories/audit.repository.js';
import { structureDepartement, structureNamesById } from '../../db/repositories/directory.repository.js';
import * as throttle from '../../db/repositories/throttle.repository.js';
import { normaliseEmail } from '../../domain/accounts/password.js';
import { can } from '../../domain/accounts/policy.js';
import {
  invitableRoles,
  isRole,
  type Principal,
  ROLE_LABELS,
  type Role,
  STRUCTURE_ROLES,
} from '../../domain/accounts/roles.js';
import { DomainError, invalid } from '../../domain/shared/errors.js';
import { isCodeDepartement } from '../../domain/shared/insee.js';
import { insertNationalAdmin, issueToken, sendInvitation, TOKEN_TTL_MINUTES } from './auth.service.js';
import { sendMail } from './mail.service.js';

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
 * must be in the inviter's scope for `users.invite`.
 *
 * An address that already has an account is never attached on the inviter's word (finding 1): the
 * person gets a mail and accepts (or declines) the structure once signed in, at /espace/rattachements.
 * The inviter's answer is the same whether or not the account exists, and never names its role
 * (finding 9).
 */
export async function inviteUser(ctx: AppContext, actor: Actor, input: InviteInput): Promise<void> {
  const email = normaliseEmail(input.email);
  if (!isRole(input.role) || !invitableRoles(actor.principal.role).includes(input.role))
    throw invalid('role', 'Vous ne pouvez pas attribuer ce rôle.');
  const role: Role = input.role;
  if (role === 'referent_partenaire')
    throw invalid('role', 'Un référent de partenaire s’invite depuis la page « Référents des partenaires ».');
  let structureId: string | null = null;
  let departement: string | null = null;
  if (role === 'agent' || role === 'responsable') {
    if (!input.structureId) throw invalid('structureId', 'Choisissez la structure de la personne invitée.');
    const s = await structureDepartement(ctx.db, input.structureId);
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
  if (existing) return inviteExistingAccount(ctx, actor, existing, role, structureId);
  const now = ctx.clock.now();
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
  await sendInvitation(ctx, user, actor.label);
}

/** The existing-account half of `inviteUser`: a request the person answers, or a notice to them. */
async function inviteExistingAccount(
  ctx: AppContext,
  actor: Actor,
  existing: accounts.UserRow,
  role: Role,
  structureId: string | null,
): Promise<void> {
  const now = ctx.clock.now();
  const joinable = structureId !== null && existing.role === role && STRUCTURE_ROLES.includes(role);
  if (!joinable || structureId === null) {
    // A different role: nothing changes; the person is told someone tried, the inviter is not.
    await appendAudit(ctx.db, {
      at: now,
      actorId: actor.principal.id,
      actorLabel: actor.label,
      entity: 'user',
      entityId: existing.id,
      action: 'user.invite_existing_refused',
      after: { role, structureId },
      ip: actor.ip,
    });
    await sendMail(ctx, {
      to: existing.email,
      subject: 'Invitation à l’espace France Services : votre compte existe déjà',
      text: `Bonjour,

${actor.label} a voulu vous inviter dans l’espace France Services avec le rôle « ${ROLE_LABELS[role]} ».
Votre adresse a déjà un compte, avec un autre rôle : rien n’a été modifié.
Si ce changement est voulu, demandez-le à votre préfecture ou à l’équipe nationale.`,
    });
    return;
  }
  const pending = await accounts.pendingMembershipInvitations(ctx.db, existing.id, now);
  if (
    (await accounts.isMember(ctx.db, existing.id, structureId)) ||
    pending.some((p) => p.structure_id === structureId)
  )
    return;
  await accounts.insertMembershipInvitation(ctx.db, {
    userId: existing.id,
    structureId,
    invitedBy: actor.principal.id,
    invitedByLabel: actor.label,
    now,
    expiresAt: new Date(now.getTime() + TOKEN_TTL_MINUTES.invitation * 60_000),
  });
  await appendAudit(ctx.db, {
    at: now,
    actorId: actor.principal.id,
    actorLabel: actor.label,
    entity: 'user',
    entityId: existing.id,
    action: 'user.invite_to_structure',
    after: { structureId },
    ip: actor.ip,
  });
  await sendMail(ctx, {
    to: existing.email,
    subject: 'Invitation à rejoindre une structure France Services',
    text: `Bonjour,

${actor.label} vous invite à rejoindre une nouvelle structure dans l’espace France Services.
Rien n’est fait tant que vous n’avez pas accepté : connectez-vous, puis acceptez ou refusez ici (valable 7 jours) :

${ctx.config.publicUrl}/espace/rattachements

Si vous ne connaissez pas cette structure, refusez l’invitation.`,
  });
}

/** A person's pending invitations to structures, with each structure's name. */
export async function pendingStructureInvitations(ctx: AppContext, userId: string) {
  const pending = await accounts.pendingMembershipInvitations(ctx.db, userId, ctx.clock.now());
  const names = await structureNamesById(
    ctx.db,
    pending.map((p) => p.structure_id),
  );
  return pending.flatMap((p) => {
    const name = names.get(p.structure_id);
    return name === undefined ? [] : [{ ...p, structure_name: name }];
  });
}

/** The person answers an invitation to a structure, signed in as themselves. */
export async function answerStructureInvitation(
  ctx: AppContext,
  actor: Actor,
  invitationId: string,
  accept: boolean,
): Promise<void> {
  const now = ctx.clock.now();
  const answered = await accounts.answerMembershipInvitation(ctx.db, {
    id: invitationId,
    userId: actor.principal.id,
    accepted: accept,
    now,
  });
  if (!answered)
    throw new DomainError('not_found', 'Cette invitation n’existe pas, a expiré ou a déjà reçu une réponse.');
  if (accept) await accounts.addMembership(ctx.db, actor.principal.id, answered.structure_id);
  await appendAudit(ctx.db, {
    at: now,
    actorId: actor.principal.id,
    actorLabel: actor.label,
    entity: 'user',
    entityId: actor.principal.id,
    action: accept ? 'user.add_structure' : 'user.decline_structure',
    after: { structureId: answered.structure_id },
    ip: actor.ip,
  });
}

/**
 * A manager takes someone OFF their structure (finding 1): the membership goes, the account stays.
 * The structure must be in the manager's `agents.manage` scope, and the person one of its members.
 */
export async function removeFromStructure(
  ctx: AppContext,
  actor: Actor,
  target: { structureId: string; departement: string | null },
  userId: string,
): Promise<void> {
  if (!can(actor.principal, 'agents.manage', target))
    throw new DomainError('not_found', 'Structure introuvable.');
  if (userId === actor.principal.id)
    throw invalid('user', 'Vous ne pouvez pas vous retirer vous-même de la structure.');
  if (!(await accounts.removeMembership(ctx.db, userId, target.structureId)))
    throw new DomainError('not_found', 'Personne introuvable dans cette structure.');
  await appendAudit(ctx.db, {
    at: ctx.clock.now(),
    actorId: actor.principal.id,
    actorLabel: actor.label,
    entity: 'user',
    entityId: userId,
    action: 'user.remove_structure',
    after: { structureId: target.structureId },
    ip: actor.ip,
  });
}

/**
 * Deactivation: sessions end at once; the account is purged after the retention period.
 * Disabling or re-enabling a whole account is for the national roles only (`users.set_active`).
 */
export async function setUserActive(
  ctx: AppContext,
  actor: Actor,
  userId: string,
  active: boolean,
): Promise<void> {
  if (!can(actor.principal, 'users.set_active', {}))
    throw new DomainError('forbidden', 'Seule l’équipe nationale peut désactiver ou réactiver un compte.');
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

/**
 * `maillage users lien <email>`: without SMTP, the outbox keeps mails with their links removed
 * (finding 3); whoever runs the server prints a fresh link to hand over: an invitation link when the
 * account has no password yet, a reset link otherwise. Earlier links of that kind stop working.
 */
export async function issueAccessLink(
  ctx: AppContext,
  rawEmail: string,
): Promise<{ link: string; kind: 'invitation' | 'reset' }> {
  const email = normaliseEmail(rawEmail);
  const user = await accounts.findUserByEmail(ctx.db, email);
  if (!user?.active) throw new DomainError('not_found', `Aucun compte actif pour ${email}.`, 'email');
  const kind = user.password_hash ? 'reset' : 'invitation';
  const token = await issueToken(ctx, kind, user.id);
  const path = kind === 'reset' ? 'reinitialiser' : 'invitation';
  await appendAudit(ctx.db, {
    at: ctx.clock.now(),
    actorId: null,
    actorLabel: 'ligne de commande',
    entity: 'user',
    entityId: user.id,
    action: `user.link_${kind}`,
  });
  return { link: `${ctx.config.publicUrl}/espace/${path}?jeton=${token}`, kind };
}

/** `maillage users create-admin <email>`: a national administrator, with a one-time link to set a password. */
export async function createAdmin(ctx: AppContext, rawEmail: string): Promise<{ link: string }> {
  const email = normaliseEmail(rawEmail);
  const existing = await accounts.findUserByEmail(ctx.db, email);
  if (existing) throw new DomainError('conflict', `Un compte existe déjà pour ${email}.`, 'email');
  const user = await insertNationalAdmin(ctx, { email, passwordHash: null, by: 'ligne de commande' });
  return { link: await sendInvitation(ctx, user, 'L’installation de la plateforme') };
}

/** `maillage users purge`: deactivated accounts past the retention period are deleted. */
export async function purgeUsers(ctx: AppContext): Promise<{ purged: number; cutoff: Date; traces: number }> {
  const now = ctx.clock.now();
  const cutoff = new Date(now.getTime() - ctx.config.accountRetentionDays * 86_400_000);
  const emails = await accounts.purgeDeactivatedUsers(ctx.db, cutoff);
  // Login attempts (with IP addresses) are kept 30 days; dead sessions and spent tokens go now.
  const traces = await accounts.purgeTraces(ctx.db, now, new Date(now.getTime() - 30 * 86_400_000));
  const counters = await throttle.purgeOld(ctx.db, new Date(now.getTime() - 86_400_000));
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
  return { purged: emails.length, cutoff, traces: traces + counters };
}
