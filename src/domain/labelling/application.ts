import { type Principal, ROLE_LABELS, type Role } from '../accounts/index.js';
import { DomainError } from '../shared/errors.js';

export { ROLE_LABELS, ROLES, type Role } from '../accounts/index.js';

/**
 * The labellisation application and its state machine (issue 6):
 *
 *   brouillon → déposée → recevable | irrecevable → audit planifié → audité
 *             → conforme | non conforme (actions correctives → contre-visite planifiée → audité…)
 *             → proposée par le préfet → labellisée | refusée
 *   labellisée → label retiré (after a failed periodic audit)
 *
 * Every transition is role-gated and records who, when and why. Invalid transitions are refused here,
 * in the domain, with a French message — the user interface only hides what this already forbids.
 *
 * The porteur: a porteur (commune, EPCI, La Poste, association, sous-préfecture, MSA) acts through a
 * user with the role `responsable`; the application records that user as its porteur, and only that
 * user may file it (see docs/adr/0003-labelling.md). Roles and the policy matrix are the accounts
 * capability's (src/domain/accounts); each rule names the policy action its route checks.
 */
export const STATES = [
  'brouillon',
  'deposee',
  'recevable',
  'irrecevable',
  'audit_planifie',
  'audite',
  'conforme',
  'non_conforme',
  'contre_visite_planifiee',
  'proposee',
  'labellisee',
  'refusee',
  'label_retire',
] as const;
export type ApplicationState = (typeof STATES)[number];

export const STATE_LABELS: Record<ApplicationState, string> = {
  brouillon: 'Brouillon',
  deposee: 'Déposée',
  recevable: 'Recevable',
  irrecevable: 'Irrecevable',
  audit_planifie: 'Audit planifié',
  audite: 'Auditée',
  conforme: 'Conforme',
  non_conforme: 'Non conforme',
  contre_visite_planifiee: 'Contre-visite planifiée',
  proposee: 'Proposée par le préfet',
  labellisee: 'Labellisée',
  refusee: 'Refusée',
  label_retire: 'Label retiré',
};

/** States from which nothing more happens in the campaign (a campaign may close only when all are here). */
export const FINAL_STATES: readonly ApplicationState[] = [
  'irrecevable',
  'labellisee',
  'refusee',
  'label_retire',
];
export const isOpenState = (s: ApplicationState) => !FINAL_STATES.includes(s);

export const ACTIONS = [
  'deposer',
  'declarer_recevable',
  'declarer_irrecevable',
  'planifier_audit',
  'terminer_audit',
  'declarer_conforme',
  'declarer_non_conforme',
  'planifier_contre_visite',
  'proposer',
  'labelliser',
  'refuser',
  'retirer_label',
] as const;
export type TransitionAction = (typeof ACTIONS)[number];

/** Who does what: an actor must be the application's porteur, in its department, or its assigned auditor. */
type Ownership = 'porteur' | 'departement' | 'auditeur_assigne' | 'national';

/** The accounts policy action (docs/adr/0002-accounts.md) each transition is checked against at the route. */
export type PolicyAction =
  | 'application.file'
  | 'application.review'
  | 'audit.assign'
  | 'audit.fill'
  | 'application.propose'
  | 'application.label';

export interface TransitionRule {
  readonly action: TransitionAction;
  readonly label: string;
  readonly from: readonly ApplicationState[];
  readonly to: ApplicationState;
  readonly roles: readonly Role[];
  readonly ownership: Ownership;
  readonly policy: PolicyAction;
  /** A reason is required (refusals, non-conformity, withdrawal). */
  readonly reasonRequired: boolean;
}

const DEPARTEMENT_STAFF: readonly Role[] = ['animateur_departemental', 'national'];

export const TRANSITIONS: readonly TransitionRule[] = [
  {
    action: 'deposer',
    label: 'Déposer la candidature',
    from: ['brouillon'],
    to: 'deposee',
    roles: ['responsable'],
    ownership: 'porteur',
    policy: 'application.file',
    reasonRequired: false,
  },
  {
    action: 'declarer_recevable',
    label: 'Déclarer recevable',
    from: ['deposee'],
    to: 'recevable',
    roles: DEPARTEMENT_STAFF,
    ownership: 'departement',
    policy: 'application.review',
    reasonRequired: false,
  },
  {
    action: 'declarer_irrecevable',
    label: 'Déclarer irrecevable',
    from: ['deposee'],
    to: 'irrecevable',
    roles: DEPARTEMENT_STAFF,
    ownership: 'departement',
    policy: 'application.review',
    reasonRequired: true,
  },
  {
    action: 'planifier_audit',
    label: 'Planifier l’audit',
    from: ['recevable'],
    to: 'audit_planifie',
    roles: ['national'],
    ownership: 'national',
    policy: 'audit.assign',
    reasonRequired: false,
  },
  {
    action: 'terminer_audit',
    label: 'Terminer l’audit',
    from: ['audit_planifie', 'contre_visite_planifiee'],
    to: 'audite',
    roles: ['auditeur'],
    ownership: 'auditeur_assigne',
    policy: 'audit.fill',
    reasonRequired: false,
  },
  {
    action: 'declarer_conforme',
    label: 'Déclarer conforme',
    from: ['audite'],
    to: 'conforme',
    roles: ['auditeur'],
    ownership: 'auditeur_assigne',
    policy: 'audit.fill',
    reasonRequired: false,
  },
  {
    action: 'declarer_non_conforme',
    label: 'Déclarer non conforme',
    from: ['audite'],
    to: 'non_conforme',
    roles: ['auditeur'],
    ownership: 'auditeur_assigne',
    policy: 'audit.fill',
    reasonRequired: true,
  },
  {
    action: 'planifier_contre_visite',
    label: 'Planifier la contre-visite',
    from: ['non_conforme'],
    to: 'contre_visite_planifiee',
    roles: ['national'],
    ownership: 'national',
    policy: 'audit.assign',
    reasonRequired: false,
  },
  {
    action: 'proposer',
    label: 'Proposer à la labellisation (préfet)',
    from: ['conforme'],
    to: 'proposee',
    roles: ['animateur_departemental'],
    ownership: 'departement',
    policy: 'application.propose',
    reasonRequired: false,
  },
  {
    action: 'labelliser',
    label: 'Labelliser',
    from: ['proposee'],
    to: 'labellisee',
    roles: ['national'],
    ownership: 'national',
    policy: 'application.label',
    reasonRequired: false,
  },
  {
    action: 'refuser',
    label: 'Refuser la labellisation',
    from: ['proposee', 'non_conforme'],
    to: 'refusee',
    roles: ['national'],
    ownership: 'national',
    policy: 'application.label',
    reasonRequired: true,
  },
  {
    action: 'retirer_label',
    label: 'Retirer le label',
    from: ['labellisee'],
    to: 'label_retire',
    roles: ['national'],
    ownership: 'national',
    policy: 'application.label',
    reasonRequired: true,
  },
];

export const ruleFor = (action: TransitionAction): TransitionRule => {
  const rule = TRANSITIONS.find((t) => t.action === action);
  if (!rule) throw new DomainError('invalid', `Action inconnue « ${action} ».`, 'action');
  return rule;
};

/** The person acting, as the accounts capability describes them (a `Principal` fits). */
export type Actor = Pick<Principal, 'id' | 'role' | 'departement'>;

export interface TransitionRecord {
  readonly action: TransitionAction;
  readonly from: ApplicationState;
  readonly to: ApplicationState;
  readonly by: string;
  readonly role: Role;
  readonly at: string; // ISO instant
  readonly reason: string | null;
}

/** What the state machine needs to know about an application. */
export interface ApplicationHead {
  readonly state: ApplicationState;
  readonly porteurUserId: string;
  readonly departement: string;
  readonly auditorUserId: string | null;
}

/** Facts the guards check that live outside the application row (the audit grid, the periodic audit). */
export interface TransitionFacts {
  /** Open non-conformities on mandatory criteria after the last audit. */
  readonly openMandatoryNonConformities?: number;
  /** Missing pieces listed by `missingForFiling` (checked on `deposer`). */
  readonly missingForFiling?: readonly string[];
  /** The last periodic audit of the labelled structure failed (checked on `retirer_label`). */
  readonly failedPeriodicAudit?: boolean;
  /** The auditor assigned by `planifier_audit` / `planifier_contre_visite`. */
  readonly auditorUserId?: string | null;
  /** The audit date, for `planifier_audit` / `planifier_contre_visite`. */
  readonly auditDate?: string | null;
}

const refuse = (message: string, code: 'conflict' | 'forbidden' | 'invalid' = 'conflict', field = 'action') =>
  new DomainError(code, message, field);

/** The actions this actor may take on this application now (for buttons; `transition` re-checks). */
export function availableActions(app: ApplicationHead, actor: Actor): TransitionAction[] {
  return TRANSITIONS.filter((t) => t.from.includes(app.state) && authorised(t, app, actor) === null).map(
    (t) => t.action,
  );
}

function authorised(rule: TransitionRule, app: ApplicationHead, actor: Actor): string | null {
  if (!rule.roles.includes(actor.role)) {
    return `Votre rôle (${ROLE_LABELS[actor.role] ?? actor.role}) ne permet pas l’action « ${rule.label} ».`;
  }
  if (rule.ownership === 'porteur' && actor.id !== app.porteurUserId) {
    return `Seul le porteur de la candidature peut « ${rule.label} ».`;
  }
  if (
    rule.ownership === 'departement' &&
    actor.role === 'animateur_departemental' &&
    actor.departement !== app.departement
  ) {
    return `Cette candidature relève du département ${app.departement}, hors de votre périmètre.`;
  }
  if (rule.ownership === 'auditeur_assigne' && actor.id !== app.auditorUserId) {
    return 'Seul l’auditeur désigné pour cet audit peut le renseigner.';
  }
  return null;
}

/**
 * Applies one transition. Returns the new state and the record to append to the history; throws a
 * `DomainError` with a French message when the action is not allowed from this state (`conflict`),
 * not allowed to this actor (`forbidden`), or lacks a reason or a guard fact (`invalid`).
 */
export function transition(
  app: ApplicationHead,
  action: TransitionAction,
  actor: Actor,
  at: Date,
  reason: string | null = null,
  facts: TransitionFacts = {},
): { state: ApplicationState; record: TransitionRecord; auditorUserId: string | null } {
  const rule = ruleFor(action);
  if (!rule.from.includes(app.state)) {
    const allowed = rule.from.map((s) => `« ${STATE_LABELS[s]} »`).join(' ou ');
    throw refuse(
      `Action « ${rule.label} » impossible : la candidature est « ${STATE_LABELS[app.state]} » (possible seulement depuis ${allowed}).`,
    );
  }
  const denied = authorised(rule, app, actor);
  if (denied) throw refuse(denied, 'forbidden');
  const why = reason?.trim() ? reason.trim() : null;
  if (rule.reasonRequired && !why) {
    throw refuse(`Indiquez le motif pour « ${rule.label} ».`, 'invalid', 'reason');
  }
  let auditorUserId = app.auditorUserId;
  switch (action) {
    case 'deposer': {
      const missing = facts.missingForFiling ?? [];
      if (missing.length > 0) {
        throw refuse(`Candidature incomplète : ${missing.join(' ; ')}.`, 'invalid', 'candidature');
      }
      break;
    }
    case 'planifier_audit':
    case 'planifier_contre_visite':
      if (!facts.auditorUserId) throw refuse('Désignez l’auditeur.', 'invalid', 'auditeur');
      if (!facts.auditDate) throw refuse('Indiquez la date de l’audit sur place.', 'invalid', 'date');
      auditorUserId = facts.auditorUserId;
      break;
    case 'declarer_conforme':
      if ((facts.openMandatoryNonConformities ?? 0) > 0) {
        throw refuse(
          `Impossible de déclarer conforme : ${facts.openMandatoryNonConformities} non-conformité(s) sur des critères obligatoires restent ouvertes.`,
        );
      }
      break;
    case 'declarer_non_conforme':
      if ((facts.openMandatoryNonConformities ?? 0) === 0) {
        throw refuse('Aucune non-conformité sur un critère obligatoire : la candidature est conforme.');
      }
      break;
    case 'retirer_label':
      if (!facts.failedPeriodicAudit) {
        throw refuse('Le label ne peut être retiré qu’après un audit périodique non conforme.');
      }
      break;
    default:
      break;
  }
  return {
    state: rule.to,
    auditorUserId,
    record: {
      action,
      from: app.state,
      to: rule.to,
      by: actor.id,
      role: actor.role,
      at: at.toISOString(),
      reason: why,
    },
  };
}
