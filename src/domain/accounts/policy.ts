import type { Principal, Role } from './roles.js';

/**
 * The authorisation policy, as ONE declarative matrix: role × action → scope.
 * Every route declares one action; `can(user, action, target)` answers allow or deny.
 * The same matrix drives the SQL scope of list queries (src/db/repositories/structure-scope.repository.ts).
 */
export const ACTIONS = [
  // The structure back office (issue 3)
  'structure.read_private',
  'structure.edit',
  'structure.set_status',
  'structure.close_permanently',
  'structure.history',
  'agents.manage',
  'users.invite',
  'department.dashboard',
  'national.dashboard',
  'outbox.read',
  // Labellisation (issue 6)
  'audit.read',
  'audit.fill',
  'audit.assign',
  'application.file',
  'application.review',
  'application.propose',
  'application.label',
  'referentiel.publish',
  'campaign.manage',
  // Operations (issue 16): the official list, imported from the back office
  'directory.import',
  // Security review (issue 9): disabling or re-enabling a whole account is national only
  'users.set_active',
  // Accompagnements (issue 12)
  'accompagnement.record',
  'accompagnement.read',
  'accompagnement.stats',
  'accompagnement.tokens',
  'accompagnement.catalogue',
  // Remote reception (issue 12, §3): the structure's call-back inbox, and its delay to answer
  'rappel.handle',
  'rappel.settings',
  // Escalation to partner référents (issue 13)
  'dossier.create',
  'dossier.read',
  'dossier.answer',
  'dossier.status',
  'dossier.reassign',
  'dossier.counts',
  'dossier.figures',
  'referents.read',
  // Pilotage (issue 14): dashboards; handing a satisfaction survey link after an accompaniment
  'pilotage.dashboard',
  'pilotage.survey',
  // Rendez-vous (issue 15)
  'rendezvous.configure',
  'rendezvous.own_plages',
  'rendezvous.agenda',
  'rendezvous.stats',
] as const;
export type Action = (typeof ACTIONS)[number];

export const isAction = (value: unknown): value is Action =>
  typeof value === 'string' && (ACTIONS as readonly string[]).includes(value);

/**
 * - `own`: the target's structure is one of the user's structures (or the user filed it: `ownerId`);
 * - `department`: the target lies in the user's department;
 * - `assigned`: the target (an audit, or a structure under audit) is assigned to the user;
 * - `all`: anywhere;
 * - `partner`: the target's partner is the référent's, in one of their departments (all for a coordinator);
 * - `coordination`: the target's partner is that of the user, its national coordinator.
 * A missing entry means deny.
 */
export type Scope = 'own' | 'department' | 'assigned' | 'all' | 'partner' | 'coordination';
export const SCOPES: readonly Scope[] = ['own', 'department', 'assigned', 'all', 'partner', 'coordination'];

type Matrix = Readonly<Record<Role, Readonly<Partial<Record<Action, Scope>>>>>;

export const POLICY: Matrix = {
  agent: {
    'structure.read_private': 'own',
    'structure.edit': 'own',
    'structure.set_status': 'own',
    'structure.history': 'own',
    'accompagnement.record': 'own',
    'rappel.handle': 'own',
    'dossier.create': 'own',
    'dossier.read': 'own',
    'dossier.answer': 'own',
    'dossier.status': 'own',
    'referents.read': 'own',
    'pilotage.dashboard': 'own',
    'pilotage.survey': 'own',
    'rendezvous.own_plages': 'own',
    'rendezvous.agenda': 'own',
  },
  responsable: {
    'structure.read_private': 'own',
    'structure.edit': 'own',
    'structure.set_status': 'own',
    'structure.history': 'own',
    'agents.manage': 'own',
    'users.invite': 'own',
    'audit.read': 'own',
    'application.file': 'own',
    'accompagnement.record': 'own',
    'accompagnement.read': 'own',
    'accompagnement.stats': 'own',
    'accompagnement.tokens': 'own',
    'rappel.handle': 'own',
    'rappel.settings': 'own',
    'dossier.create': 'own',
    'dossier.read': 'own',
    'dossier.answer': 'own',
    'dossier.status': 'own',
    'referents.read': 'own',
    'pilotage.dashboard': 'own',
    'pilotage.survey': 'own',
    'rendezvous.configure': 'own',
    'rendezvous.own_plages': 'own',
    'rendezvous.agenda': 'own',
    'rendezvous.stats': 'own',
  },
  animateur_departemental: {
    'structure.read_private': 'department',
    'structure.set_status': 'department',
    'structure.history': 'department',
    'agents.manage': 'department',
    'users.invite': 'department',
    'department.dashboard': 'department',
    'audit.read': 'department',
    'application.review': 'department',
    'application.propose': 'department',
    'accompagnement.stats': 'department',
    'dossier.counts': 'department',
    'referents.read': 'department',
    'pilotage.dashboard': 'department',
    'rendezvous.stats': 'department',
  },
  national: {
    'structure.read_private': 'all',
    'structure.edit': 'all',
    'structure.set_status': 'all',
    'structure.close_permanently': 'all',
    'structure.history': 'all',
    'agents.manage': 'all',
    'users.invite': 'all',
    'department.dashboard': 'all',
    'national.dashboard': 'all',
    'outbox.read': 'all',
    'audit.read': 'all',
    'audit.assign': 'all',
    'application.file': 'all',
    'application.review': 'all',
    'application.label': 'all',
    'referentiel.publish': 'all',
    'campaign.manage': 'all',
    'directory.import': 'all',
    'users.set_active': 'all',
    'accompagnement.stats': 'all',
    'accompagnement.catalogue': 'all',
    'dossier.counts': 'all',
    'dossier.figures': 'all',
    'referents.read': 'all',
    'pilotage.dashboard': 'all',
    'rendezvous.stats': 'all',
  },
  auditeur: {
    'structure.read_private': 'assigned',
    'structure.history': 'assigned',
    'audit.read': 'assigned',
    'audit.fill': 'assigned',
  },
  admin_technique: {
    'agents.manage': 'all',
    'users.invite': 'all',
    'outbox.read': 'all',
    'users.set_active': 'all',
  },
  referent_partenaire: {
    'dossier.read': 'partner',
    'dossier.answer': 'partner',
    'dossier.status': 'partner',
    'dossier.reassign': 'partner',
    'dossier.figures': 'coordination',
  },
};

/**
 * What an action is performed on. Resolve it from the database before asking (a route's
 * `resolveTarget`); omit what does not apply. `{}` is the whole country (national dashboards).
 */
export interface Target {
  readonly structureId?: string | null;
  readonly departement?: string | null;
  /** Users an audit (or the structure under audit) is assigned to. */
  readonly assignedTo?: readonly string[];
  /** The user who filed the target (an application): counts as `own`. */
  readonly ownerId?: string | null;
  /** The partner a case is addressed to (issue 13). */
  readonly partenaire?: string | null;
}

export const scopeOf = (role: Role, action: Action): Scope | null => POLICY[role][action] ?? null;

export function inScope(user: Principal, scope: Scope, target: Target): boolean {
  switch (scope) {
    case 'all':
      return true;
    case 'department':
      return (
        user.departement !== null && target.departement != null && target.departement === user.departement
      );
    case 'own':
      return (
        (target.structureId != null && user.structureIds.includes(target.structureId)) ||
        (target.ownerId != null && target.ownerId === user.id)
      );
    case 'assigned':
      return target.assignedTo?.includes(user.id) ?? false;
    case 'partner': {
      const p = user.partner;
      if (!p || target.partenaire == null || target.partenaire !== p.partenaire) return false;
      return p.coordinateur || (target.departement != null && p.departements.includes(target.departement));
    }
    case 'coordination':
      return (
        !!user.partner?.coordinateur &&
        target.partenaire != null &&
        target.partenaire === user.partner.partenaire
      );
  }
}

/** Allow or deny. An unknown action (a typo in a caller written in plain JS) is denied. */
export function can(user: Principal | null | undefined, action: Action, target: Target = {}): boolean {
  if (!user) return false;
  const scope = scopeOf(user.role, action);
  return scope !== null && inScope(user, scope, target);
}

/** Whether the role may perform the action anywhere at all (to show or hide a menu entry). */
export const mayEver = (user: Principal | null | undefined, action: Action): boolean =>
  !!user && scopeOf(user.role, action) !== null;
