/**
 * The roles of the back office and what each one's scope is made of.
 * A user has one role; agents and responsables belong to one or more structures (memberships),
 * an animateur départemental to one department, an auditeur to the audits assigned to them.
 */
export const ROLES = [
  'agent',
  'responsable',
  'animateur_departemental',
  'national',
  'auditeur',
  'admin_technique',
  'referent_partenaire',
] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  agent: 'Agent France Services',
  responsable: 'Responsable de structure',
  animateur_departemental: 'Animateur départemental (préfecture)',
  national: 'Équipe nationale (ANCT)',
  auditeur: 'Auditeur (certificateur)',
  admin_technique: 'Administrateur technique',
  referent_partenaire: 'Référent d’un partenaire (escalade)',
};

export const isRole = (value: unknown): value is Role =>
  typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/** Who is asking: the signed-in user, as the policy needs them (no personal data beyond the id). */
export interface Principal {
  readonly id: string;
  readonly role: Role;
  /** Structures the user belongs to (agent, responsable); empty otherwise. */
  readonly structureIds: readonly string[];
  /** The department of an animateur départemental (INSEE code, e.g. `02`, `2A`, `971`); null otherwise. */
  readonly departement: string | null;
  /** A partner's référent (issue 13): their partner and departments; absent or null for other roles. */
  readonly partner?: PartnerScope | null;
}

/**
 * The scope of a `referent_partenaire`: one partner (a code of src/domain/accompagnement/codes.ts) and one
 * or more departments, or every department for the partner's national coordinator.
 */
export interface PartnerScope {
  readonly partenaire: string;
  readonly departements: readonly string[];
  /** The partner's national coordinator: all departments, the figures, and the late-case reminders. */
  readonly coordinateur: boolean;
}

/** Roles with a nationwide scope: only the national team grants them. */
export const NATIONAL_ROLES: readonly Role[] = ['national', 'admin_technique'];

/** Roles that are attached to structures through memberships. */
export const STRUCTURE_ROLES: readonly Role[] = ['agent', 'responsable'];

/**
 * Which roles a user may give when inviting someone. Scope (which structure or department the
 * invitation is for) is checked separately by the policy (`users.invite` on that target).
 */
export function invitableRoles(role: Role): readonly Role[] {
  switch (role) {
    case 'responsable':
      return ['agent', 'responsable'];
    case 'animateur_departemental':
      // Référents of their own department's partners too (issue 13).
      return ['agent', 'responsable', 'animateur_departemental', 'referent_partenaire'];
    case 'national':
      return ROLES;
    case 'admin_technique':
      // National roles are granted by the national team only (finding 3), never by a technical admin.
      // Référents are named by the national team or the animateur of their department (issue 13).
      return ROLES.filter((r) => !NATIONAL_ROLES.includes(r) && r !== 'referent_partenaire');
    default:
      return [];
  }
}
