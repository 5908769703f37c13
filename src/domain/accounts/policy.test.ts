import { describe, expect, it } from 'vitest';
import { ACTIONS, type Action, can, type Target } from './policy.js';
import { type Principal, ROLES, type Role } from './roles.js';

/**
 * The expected policy, written out a second time by hand (not derived from POLICY):
 * '-' deny, 'S' own structure(s), 'D' own department, 'A' assigned to them, '*' everywhere.
 * Columns: agent, responsable, animateur_departemental, national, auditeur, admin_technique.
 */
const EXPECTED: Record<Action, string> = {
  'structure.read_private': 'S S D * A -',
  'structure.edit': 'S S - * - -',
  'structure.set_status': 'S S D * - -',
  'structure.close_permanently': '- - - * - -',
  'structure.history': 'S S D * A -',
  'agents.manage': '- S D * - *',
  'users.invite': '- S D * - *',
  'department.dashboard': '- - D * - -',
  'national.dashboard': '- - - * - -',
  'outbox.read': '- - - * - *',
  'audit.read': '- S D * A -',
  'audit.fill': '- - - - A -',
  'audit.assign': '- - - * - -',
  'application.file': '- S - * - -',
  'application.review': '- - D * - -',
  'application.propose': '- - D - - -',
  'application.label': '- - - * - -',
  'referentiel.publish': '- - - * - -',
  'campaign.manage': '- - - * - -',
  'directory.import': '- - - * - -',
  'users.set_active': '- - - * - *',
  'accompagnement.record': 'S S - - - -',
  'accompagnement.read': '- S - - - -',
  'accompagnement.stats': '- S D * - -',
  'accompagnement.tokens': '- S - - - -',
  'accompagnement.catalogue': '- - - * - -',
  'rappel.handle': 'S S - - - -',
  'rappel.settings': '- S - - - -',
  'dossier.create': 'S S - - - -',
  'dossier.read': 'S S - - - -',
  'dossier.answer': 'S S - - - -',
  'dossier.status': 'S S - - - -',
  'dossier.reassign': '- - - - - -',
  'dossier.counts': '- - D * - -',
  'dossier.figures': '- - - * - -',
  'referents.read': 'S S D * - -',
  'pilotage.dashboard': 'S S D * - -',
  'pilotage.survey': 'S S - - - -',
  'rendezvous.configure': '- S - - - -',
  'rendezvous.own_plages': 'S S - - - -',
  'rendezvous.agenda': 'S S - - - -',
  'rendezvous.stats': '- S D * - -',
};

/**
 * The seventh column, referent_partenaire (issue 13), kept apart so that branches adding actions to the
 * table above merge cleanly: 'P' their partner in their departments, 'C' their partner as its national
 * coordinator (the matrix user below is the CAF's coordinator; departmental référents are tested after).
 */
const REFERENT: Record<Action, '-' | 'P' | 'C'> = {
  'structure.read_private': '-',
  'structure.edit': '-',
  'structure.set_status': '-',
  'structure.close_permanently': '-',
  'structure.history': '-',
  'agents.manage': '-',
  'users.invite': '-',
  'department.dashboard': '-',
  'national.dashboard': '-',
  'outbox.read': '-',
  'audit.read': '-',
  'audit.fill': '-',
  'audit.assign': '-',
  'application.file': '-',
  'application.review': '-',
  'application.propose': '-',
  'application.label': '-',
  'referentiel.publish': '-',
  'campaign.manage': '-',
  'directory.import': '-',
  'users.set_active': '-',
  'accompagnement.record': '-',
  'accompagnement.read': '-',
  'accompagnement.stats': '-',
  'accompagnement.tokens': '-',
  'accompagnement.catalogue': '-',
  'dossier.create': '-',
  'dossier.read': 'P',
  'dossier.answer': 'P',
  'dossier.status': 'P',
  'dossier.reassign': 'P',
  'dossier.counts': '-',
  'dossier.figures': 'C',
  'referents.read': '-',
  'rappel.handle': '-',
  'rappel.settings': '-',
  'pilotage.dashboard': '-',
  'pilotage.survey': '-',
  'rendezvous.configure': '-',
  'rendezvous.own_plages': '-',
  'rendezvous.agenda': '-',
  'rendezvous.stats': '-',
};
const rowOf = (action: Action) => `${EXPECTED[action]} ${REFERENT[action]}`;

const users: Record<Role, Principal> = {
  agent: { id: 'u-agent', role: 'agent', structureIds: ['s-mine'], departement: null },
  responsable: { id: 'u-resp', role: 'responsable', structureIds: ['s-mine'], departement: null },
  animateur_departemental: {
    id: 'u-anim',
    role: 'animateur_departemental',
    structureIds: [],
    departement: '02',
  },
  national: { id: 'u-nat', role: 'national', structureIds: [], departement: null },
  auditeur: { id: 'u-aud', role: 'auditeur', structureIds: [], departement: null },
  admin_technique: { id: 'u-admin', role: 'admin_technique', structureIds: [], departement: null },
  referent_partenaire: {
    id: 'u-ref',
    role: 'referent_partenaire',
    structureIds: [],
    departement: null,
    partner: { partenaire: 'caf', departements: [], coordinateur: true },
  },
};

/** In scope for every user: their structure, in their department, assigned to them. */
const inScopeTarget = (u: Principal): Target => ({
  structureId: 's-mine',
  departement: '02',
  assignedTo: [u.id],
  partenaire: 'caf',
});
/** Out of scope for everyone but the national level: another structure, department and auditor. */
const outOfScope: Target = {
  structureId: 's-other',
  departement: '75',
  assignedTo: ['u-someone-else'],
  partenaire: 'dgfip',
};
/** Same department, another structure: in scope for the department only. */
const sameDepartment: Target = { structureId: 's-neighbour', departement: '02', assignedTo: [] };

describe('authorisation matrix', () => {
  it('lists every action once, and the expected table covers them all', () => {
    expect(new Set(ACTIONS).size).toBe(ACTIONS.length);
    expect(Object.keys(EXPECTED).sort()).toEqual([...ACTIONS].sort());
    expect(Object.keys(REFERENT).sort()).toEqual([...ACTIONS].sort());
    for (const action of ACTIONS) expect(rowOf(action).split(' ')).toHaveLength(ROLES.length);
  });

  for (const action of ACTIONS) {
    ROLES.forEach((role, column) => {
      const cell = rowOf(action).split(' ')[column];
      const user = users[role];
      it(`${role} × ${action}: in scope ${cell === '-' ? 'denied' : 'allowed'}`, () => {
        expect(can(user, action, inScopeTarget(user))).toBe(cell !== '-');
      });
      it(`${role} × ${action}: out of scope ${cell === '*' ? 'allowed' : 'denied'}`, () => {
        expect(can(user, action, outOfScope)).toBe(cell === '*');
        expect(can(user, action, sameDepartment)).toBe(cell === '*' || cell === 'D');
      });
    });
  }

  it('denies anonymous callers and unknown actions', () => {
    expect(can(null, 'structure.read_private', inScopeTarget(users.national))).toBe(false);
    expect(can(users.national, 'nothing.here' as Action, {})).toBe(false);
  });

  it('an application filed by a responsable is theirs even before it has a structure', () => {
    const u = users.responsable;
    expect(can(u, 'application.file', { ownerId: u.id, departement: '80' })).toBe(true);
    expect(can(u, 'application.file', { ownerId: 'someone', departement: '80' })).toBe(false);
  });

  it('an animateur without a department sees no department', () => {
    const u: Principal = { ...users.animateur_departemental, departement: null };
    expect(can(u, 'department.dashboard', { departement: '02' })).toBe(false);
    expect(can(u, 'structure.read_private', { departement: null })).toBe(false);
  });
});

describe('référents of a partner (issue 13)', () => {
  const departmental: Principal = {
    id: 'u-ref-02',
    role: 'referent_partenaire',
    structureIds: [],
    departement: null,
    partner: { partenaire: 'caf', departements: ['02', '80'], coordinateur: false },
  };

  it('a departmental référent reads and answers their partner’s cases in their departments only', () => {
    for (const action of ['dossier.read', 'dossier.answer', 'dossier.status', 'dossier.reassign'] as const) {
      expect(can(departmental, action, { partenaire: 'caf', departement: '02' })).toBe(true);
      expect(can(departmental, action, { partenaire: 'caf', departement: '80' })).toBe(true);
      expect(can(departmental, action, { partenaire: 'caf', departement: '59' })).toBe(false);
      expect(can(departmental, action, { partenaire: 'dgfip', departement: '02' })).toBe(false);
      expect(can(departmental, action, { departement: '02' })).toBe(false);
    }
  });

  it('only the coordinator sees the figures, and only for their own partner', () => {
    expect(can(departmental, 'dossier.figures', { partenaire: 'caf', departement: '02' })).toBe(false);
    expect(can(users.referent_partenaire, 'dossier.figures', { partenaire: 'caf' })).toBe(true);
    expect(can(users.referent_partenaire, 'dossier.figures', { partenaire: 'msa' })).toBe(false);
  });

  it('a référent without a partner scope sees nothing', () => {
    const u: Principal = { ...departmental, partner: null };
    expect(can(u, 'dossier.read', { partenaire: 'caf', departement: '02' })).toBe(false);
    expect(can(u, 'dossier.figures', { partenaire: 'caf' })).toBe(false);
  });

  it('a structure’s agent never reads another structure’s case, even in the same department', () => {
    expect(
      can(users.agent, 'dossier.read', { structureId: 's-other', departement: '02', partenaire: 'caf' }),
    ).toBe(false);
  });
});
