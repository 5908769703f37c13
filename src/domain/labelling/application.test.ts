import { describe, expect, it } from 'vitest';
import { DomainError } from '../shared/errors.js';
import {
  ACTIONS,
  type Actor,
  type ApplicationHead,
  type ApplicationState,
  availableActions,
  ROLES,
  type Role,
  STATES,
  type TransitionAction,
  transition,
} from './application.js';

/**
 * The expected machine, written out from the issue independently of TRANSITIONS:
 * action → [states it may start from, roles allowed, resulting state].
 */
const EXPECTED: Record<TransitionAction, [ApplicationState[], Role[], ApplicationState]> = {
  deposer: [['brouillon'], ['responsable'], 'deposee'],
  declarer_recevable: [['deposee'], ['animateur_departemental', 'national'], 'recevable'],
  declarer_irrecevable: [['deposee'], ['animateur_departemental', 'national'], 'irrecevable'],
  planifier_audit: [['recevable'], ['national'], 'audit_planifie'],
  terminer_audit: [['audit_planifie', 'contre_visite_planifiee'], ['auditeur'], 'audite'],
  declarer_conforme: [['audite'], ['auditeur'], 'conforme'],
  declarer_non_conforme: [['audite'], ['auditeur'], 'non_conforme'],
  planifier_contre_visite: [['non_conforme'], ['national'], 'contre_visite_planifiee'],
  proposer: [['conforme'], ['animateur_departemental'], 'proposee'],
  labelliser: [['proposee'], ['national'], 'labellisee'],
  refuser: [['proposee', 'non_conforme'], ['national'], 'refusee'],
  retirer_label: [['labellisee'], ['national'], 'label_retire'],
};

const AT = new Date('2026-11-24T10:00:00Z');
const head = (state: ApplicationState): ApplicationHead => ({
  state,
  porteurUserId: 'u-responsable',
  departement: '02',
  auditorUserId: 'u-auditeur',
});
/** An actor who owns the application in every sense their role allows. */
const actorFor = (role: Role): Actor => ({
  id: role === 'responsable' ? 'u-responsable' : role === 'auditeur' ? 'u-auditeur' : `u-${role}`,
  role,
  departement: role === 'animateur_departemental' ? '02' : null,
});
/** Facts that satisfy each guard, so that only state and role decide. */
const facts = (action: TransitionAction) => ({
  missingForFiling: [],
  auditorUserId: 'u-auditeur',
  auditDate: '2026-12-01',
  openMandatoryNonConformities: action === 'declarer_non_conforme' ? 1 : 0,
  failedPeriodicAudit: true,
});

function attempt(state: ApplicationState, action: TransitionAction, actor: Actor) {
  try {
    return transition(head(state), action, actor, AT, 'motif', facts(action));
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
}

describe('application state machine: every action × state × role', () => {
  for (const action of ACTIONS) {
    const [from, roles, to] = EXPECTED[action];
    for (const state of STATES) {
      for (const role of ROLES) {
        const allowed = from.includes(state) && roles.includes(role);
        it(`${action} from ${state} as ${role}: ${allowed ? 'allowed' : 'refused'}`, () => {
          const result = attempt(state, action, actorFor(role));
          if (allowed) {
            expect(result).not.toBeInstanceOf(DomainError);
            if (result instanceof DomainError) return;
            expect(result.state).toBe(to);
            expect(result.record).toMatchObject({
              action,
              from: state,
              to,
              by: actorFor(role).id,
              role,
              at: AT.toISOString(),
            });
          } else {
            expect(result).toBeInstanceOf(DomainError);
            if (!(result instanceof DomainError)) return;
            // wrong state is a conflict; right state but wrong role is forbidden
            expect(result.code).toBe(from.includes(state) ? 'forbidden' : 'conflict');
            expect(result.message).toMatch(/[éèàô]|Action|Votre rôle|Seul/);
          }
        });
      }
    }
  }

  it('lists, per state and role, exactly the allowed actions', () => {
    for (const state of STATES) {
      for (const role of ROLES) {
        const expected = ACTIONS.filter(
          (a) => EXPECTED[a][0].includes(state) && EXPECTED[a][1].includes(role),
        );
        expect(availableActions(head(state), actorFor(role))).toEqual(expected);
      }
    }
  });
});

describe('ownership and guards', () => {
  it('only the porteur files, in French', () => {
    const other: Actor = { id: 'u-autre', role: 'responsable', departement: null };
    expect(() => transition(head('brouillon'), 'deposer', other, AT)).toThrow(/Seul le porteur/);
  });

  it('an animateur acts only in their department; national acts anywhere', () => {
    const elsewhere: Actor = { id: 'u-a', role: 'animateur_departemental', departement: '80' };
    expect(() => transition(head('deposee'), 'declarer_recevable', elsewhere, AT)).toThrow(/département 02/);
    const national: Actor = { id: 'u-n', role: 'national', departement: null };
    expect(transition(head('deposee'), 'declarer_recevable', national, AT).state).toBe('recevable');
  });

  it('only the assigned auditor fills the audit', () => {
    const other: Actor = { id: 'u-autre-auditeur', role: 'auditeur', departement: null };
    expect(() => transition(head('audit_planifie'), 'terminer_audit', other, AT)).toThrow(/auditeur désigné/);
  });

  it('refusals need a reason, recorded trimmed', () => {
    const dep = actorFor('animateur_departemental');
    expect(() => transition(head('deposee'), 'declarer_irrecevable', dep, AT, '  ')).toThrow(/motif/);
    const r = transition(head('deposee'), 'declarer_irrecevable', dep, AT, '  Locaux non accessibles ');
    expect(r.record.reason).toBe('Locaux non accessibles');
  });

  it('filing an incomplete application is refused with what is missing', () => {
    expect(() =>
      transition(head('brouillon'), 'deposer', actorFor('responsable'), AT, null, {
        missingForFiling: ['les agents', 'le code postal'],
      }),
    ).toThrow('Candidature incomplète : les agents ; le code postal.');
  });

  it('planning an audit needs an auditor and a date, and records the auditor', () => {
    const dep = actorFor('national');
    expect(() =>
      transition(head('recevable'), 'planifier_audit', dep, AT, null, { auditDate: '2026-12-01' }),
    ).toThrow(/auditeur/);
    expect(() =>
      transition(head('recevable'), 'planifier_audit', dep, AT, null, { auditorUserId: 'x' }),
    ).toThrow(/date/);
    const r = transition({ ...head('recevable'), auditorUserId: null }, 'planifier_audit', dep, AT, null, {
      auditorUserId: 'u-x',
      auditDate: '2026-12-01',
    });
    expect(r.auditorUserId).toBe('u-x');
  });

  it('conforme only without open mandatory non-conformity, non conforme only with one', () => {
    const aud = actorFor('auditeur');
    expect(() =>
      transition(head('audite'), 'declarer_conforme', aud, AT, null, { openMandatoryNonConformities: 2 }),
    ).toThrow(/2 non-conformité/);
    expect(() =>
      transition(head('audite'), 'declarer_non_conforme', aud, AT, 'x', { openMandatoryNonConformities: 0 }),
    ).toThrow(/conforme/);
  });

  it('the label is withdrawn only after a failed periodic audit', () => {
    expect(() => transition(head('labellisee'), 'retirer_label', actorFor('national'), AT, 'motif')).toThrow(
      /audit périodique/,
    );
  });

  it('an illegal jump names the current state and the allowed ones', () => {
    expect(() => transition(head('brouillon'), 'labelliser', actorFor('national'), AT)).toThrow(
      'Action « Labelliser » impossible : la candidature est « Brouillon » (possible seulement depuis « Proposée par le préfet »).',
    );
  });

  it('walks the whole path of the issue, with a contre-visite', () => {
    let h = { ...head('brouillon'), auditorUserId: null as string | null };
    const step = (action: TransitionAction, role: Role, f = {}, reason: string | null = null) => {
      const r = transition(h, action, actorFor(role), AT, reason, f);
      h = { ...h, state: r.state, auditorUserId: r.auditorUserId };
      return r.state;
    };
    expect(step('deposer', 'responsable')).toBe('deposee');
    expect(step('declarer_recevable', 'animateur_departemental')).toBe('recevable');
    expect(
      step('planifier_audit', 'national', {
        auditorUserId: 'u-auditeur',
        auditDate: '2026-12-01',
      }),
    ).toBe('audit_planifie');
    expect(step('terminer_audit', 'auditeur')).toBe('audite');
    expect(step('declarer_non_conforme', 'auditeur', { openMandatoryNonConformities: 1 }, 'LOC-01')).toBe(
      'non_conforme',
    );
    expect(
      step('planifier_contre_visite', 'national', { auditorUserId: 'u-auditeur', auditDate: '2027-01-10' }),
    ).toBe('contre_visite_planifiee');
    expect(step('terminer_audit', 'auditeur')).toBe('audite');
    expect(step('declarer_conforme', 'auditeur', { openMandatoryNonConformities: 0 })).toBe('conforme');
    expect(step('proposer', 'animateur_departemental')).toBe('proposee');
    expect(step('labelliser', 'national')).toBe('labellisee');
  });
});
