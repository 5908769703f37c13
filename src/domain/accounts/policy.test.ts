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
  'rendezvous.configure': '- S - - - -',
  'rendezvous.own_plages': 'S S - - - -',
  'rendezvous.agenda': 'S S - - - -',
  'rendezvous.stats': '- S D * - -',
};

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
};

/** In scope for every user: their structure, in their department, assigned to them. */
const inScopeTarget = (u: Principal): Target => ({
  structureId: 's-mine',
  departement: '02',
  assignedTo: [u.id],
});
/** Out of scope for everyone but the national level: another structure, department and auditor. */
const outOfScope: Target = { structureId: 's-other', departement: '75', assignedTo: ['u-someone-else'] };
/** Same department, another structure: in scope for the department only. */
const sameDepartment: Target = { structureId: 's-neighbour', departement: '02', assignedTo: [] };

describe('authorisation matrix', () => {
  it('lists every action once, and the expected table covers them all', () => {
    expect(new Set(ACTIONS).size).toBe(ACTIONS.length);
    expect(Object.keys(EXPECTED).sort()).toEqual([...ACTIONS].sort());
    for (const row of Object.values(EXPECTED)) expect(row.split(' ')).toHaveLength(ROLES.length);
  });

  for (const action of ACTIONS) {
    ROLES.forEach((role, column) => {
      const cell = (EXPECTED[action] ?? '').split(' ')[column];
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
