import type { AppContext } from '../../composition.js';
import * as accounts from '../../db/repositories/accounts.repository.js';
import { appendAudit } from '../../db/repositories/audit.repository.js';
import { countStructuresByDepartement } from '../../db/repositories/directory.repository.js';
import { normaliseEmail } from '../../domain/accounts/password.js';
import { can, mayEver } from '../../domain/accounts/policy.js';
import { invitableRoles, type Principal, ROLE_LABELS } from '../../domain/accounts/roles.js';
import { ESCALADE_PARTNERS, isEscaladePartner, partnerLabel } from '../../domain/escalade/codes.js';
import { DomainError, invalid } from '../../domain/shared/errors.js';
import { isCodeDepartement } from '../../domain/shared/insee.js';
import { sendInvitation } from './auth.service.js';
import { sendMail } from './mail.service.js';
import type { Actor } from './users.service.js';

/**
 * Partner référents (issue 13): invited by the national team, or by an animateur for their own department;
 * listed per partner for the agents of a department; departments without one are flagged.
 */

export const MAX_REFERENT_DEPARTMENTS = 30;

export interface ReferentInvitation {
  readonly email: unknown;
  readonly partenaire: unknown;
  /** Department codes, comma- or space-separated, or a list. */
  readonly departements: unknown;
  readonly coordinateur?: unknown;
}

export function parseDepartements(value: unknown): string[] {
  const parts = (Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,;]+/) : [])
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.trim().toUpperCase())
    .filter((v) => v !== '');
  if (parts.length > MAX_REFERENT_DEPARTMENTS)
    throw invalid('departements', `Au plus ${MAX_REFERENT_DEPARTMENTS} départements par référent.`);
  for (const p of parts)
    if (p.length > 3 || !isCodeDepartement(p))
      throw invalid(
        'departements',
        `« ${p.slice(0, 10)} » n’est pas un code de département (ex. 02, 2A, 971).`,
      );
  return [...new Set(parts)].sort();
}

export async function inviteReferent(
  ctx: AppContext,
  actor: Actor,
  input: ReferentInvitation,
): Promise<void> {
  if (!invitableRoles(actor.principal.role).includes('referent_partenaire'))
    throw new DomainError('not_found', 'Cette page n’existe pas, ou ne fait pas partie de votre périmètre.');
  const email = normaliseEmail(input.email);
  if (!isEscaladePartner(input.partenaire))
    throw invalid('partenaire', 'Choisissez le partenaire du référent.');
  const partenaire = input.partenaire;
  const coordinateur = input.coordinateur === true || input.coordinateur === 'oui';
  const departements = coordinateur ? [] : parseDepartements(input.departements);
  if (coordinateur) {
    if (!can(actor.principal, 'users.invite', {}))
      throw invalid(
        'coordinateur',
        'Seule l’équipe nationale nomme le coordinateur national d’un partenaire.',
      );
  } else {
    if (departements.length === 0)
      throw invalid(
        'departements',
        'Indiquez au moins un département (ex. 02), ou cochez « coordinateur national ».',
      );
    for (const d of departements)
      if (!can(actor.principal, 'users.invite', { departement: d }))
        throw invalid('departements', `Vous ne pouvez pas nommer de référent dans le département ${d}.`);
  }
  const now = ctx.clock.now();
  const existing = await accounts.findUserByEmail(ctx.db, email);
  if (existing) {
    // Nothing changes on the inviter's word; the person is told, the inviter is not (finding 9).
    await appendAudit(ctx.db, {
      at: now,
      actorId: actor.principal.id,
      actorLabel: actor.label,
      entity: 'user',
      entityId: existing.id,
      action: 'user.invite_existing_refused',
      after: { role: 'referent_partenaire', partenaire, departements, coordinateur },
      ip: actor.ip,
    });
    await sendMail(ctx, {
      to: existing.email,
      subject: 'Invitation à l’espace France Services : votre compte existe déjà',
      text: `Bonjour,

${actor.label} a voulu vous nommer « ${ROLE_LABELS.referent_partenaire} » (${partnerLabel(partenaire)}).
Votre adresse a déjà un compte : rien n’a été modifié.
Si ce changement est voulu, demandez-le à votre préfecture ou à l’équipe nationale.`,
    });
    return;
  }
  const user = await ctx.db.transaction().execute(async (trx) => {
    const u = await accounts.insertUser(trx, {
      email,
      role: 'referent_partenaire',
      departement: null,
      password_hash: null,
      proconnect_sub: null,
      deactivated_at: null,
      invited_by: actor.principal.id,
      last_login_at: null,
    });
    await accounts.insertPartnerScope(trx, u.id, { partenaire, departements, coordinateur });
    await appendAudit(trx, {
      at: now,
      actorId: actor.principal.id,
      actorLabel: actor.label,
      entity: 'user',
      entityId: u.id,
      action: 'user.invite',
      after: { email, role: 'referent_partenaire', partenaire, departements, coordinateur },
      ip: actor.ip,
    });
    return u;
  });
  await sendInvitation(ctx, user, actor.label);
}

export interface PartnerReferents {
  readonly partenaire: string;
  readonly label: string;
  readonly referents: readonly { name: string; email: string }[];
  readonly coordinators: readonly { name: string; email: string }[];
}

/** Per partner, the current référents of a department (and each partner's national coordinators). */
export async function referentsOfDepartment(
  ctx: AppContext,
  principal: Principal,
  target: { departement: string; structureId?: string | null },
): Promise<PartnerReferents[]> {
  if (!can(principal, 'referents.read', target))
    throw new DomainError('not_found', 'Cette page n’existe pas, ou ne fait pas partie de votre périmètre.');
  const [local, coordinators] = await Promise.all([
    accounts.listReferents(ctx.db, { departement: target.departement }),
    accounts.listReferents(ctx.db, { coordinators: true }),
  ]);
  const person = (r: accounts.ReferentRow) => ({ name: r.display_name || r.email, email: r.email });
  return ESCALADE_PARTNERS.map((p) => ({
    partenaire: p,
    label: partnerLabel(p),
    referents: local.filter((r) => r.partenaire === p).map(person),
    coordinators: coordinators.filter((r) => r.partenaire === p).map(person),
  }));
}

/**
 * Departments (with at least one France Services) lacking a departmental référent, per partner: the
 * animateur's own department, or every department for the national team.
 */
export async function missingReferents(
  ctx: AppContext,
  principal: Principal,
  departement: string | null,
): Promise<{ departement: string; partners: string[] }[]> {
  if (
    departement === null
      ? !can(principal, 'dossier.counts', {})
      : !can(principal, 'dossier.counts', { departement })
  )
    throw new DomainError('not_found', 'Cette page n’existe pas, ou ne fait pas partie de votre périmètre.');
  const withStructures = [...(await countStructuresByDepartement(ctx.db)).keys()]
    .filter((d) => departement === null || d === departement)
    .sort();
  const covered = new Set(
    (await accounts.coveredDepartments(ctx.db, departement)).map((c) => `${c.departement}|${c.partenaire}`),
  );
  return withStructures
    .map((d) => ({ departement: d, partners: ESCALADE_PARTNERS.filter((p) => !covered.has(`${d}|${p}`)) }))
    .filter((r) => r.partners.length > 0);
}

export const mayInviteReferents = (p: Principal) =>
  invitableRoles(p.role).includes('referent_partenaire') && mayEver(p, 'users.invite');

/** A référent's reminder choice: single mails (false) or one daily digest (true). */
export async function setPartnerDigest(
  ctx: AppContext,
  principal: Principal,
  digest: boolean,
): Promise<void> {
  if (principal.role !== 'referent_partenaire')
    throw new DomainError('not_found', 'Cette page n’existe pas, ou ne fait pas partie de votre périmètre.');
  await accounts.setPartnerDigest(ctx.db, principal.id, digest);
}

export async function digestOf(ctx: AppContext, userId: string): Promise<boolean | null> {
  const r = await accounts.listReferentById(ctx.db, userId);
  return r ? r.digest : null;
}
