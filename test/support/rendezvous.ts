import type { AppContext } from '../../src/composition.js';
import type { Principal } from '../../src/domain/accounts/roles.js';
import type { Motif } from '../../src/domain/rendezvous/index.js';
import { createUser, insertStructure } from './accounts.js';

const DAY = [
  { start: 540, end: 720 },
  { start: 810, end: 1020 },
];

/**
 * A structure taking appointments: open Monday to Friday 09:00–12:00 / 13:30–17:00 (Saint-Quentin,
 * Aisne), a manager, one agent with plages 09:00–12:00 every weekday, and one motif of 30 minutes
 * bookable online with one hour's notice.
 */
export async function bookingFixture(
  ctx: AppContext,
  /** `login: false`: accounts without a password (no argon2 hashing), for tests that never sign in. */
  o: { departement?: string; codeInsee?: string; login?: boolean } = {},
) {
  const password = o.login === false ? null : undefined;
  const s = await insertStructure(ctx, { departement: o.departement });
  await ctx.db
    .updateTable('structures')
    .set({
      hours: JSON.stringify({
        lundi: DAY,
        mardi: DAY,
        mercredi: DAY,
        jeudi: DAY,
        vendredi: DAY,
        samedi: [],
        dimanche: [],
      }),
      ...(o.codeInsee ? { code_insee: o.codeInsee } : {}),
    } as never)
    .where('id', '=', s.id)
    .execute();
  const managerUser = await createUser(ctx, {
    role: 'responsable',
    structureIds: [s.id],
    name: 'Claire Responsable',
    password,
  });
  const agentUser = await createUser(ctx, {
    role: 'agent',
    structureIds: [s.id],
    name: 'Alain Agent',
    password,
  });
  const manager: Principal = {
    id: managerUser.id,
    role: 'responsable',
    structureIds: [s.id],
    departement: null,
  };
  const agent: Principal = { id: agentUser.id, role: 'agent', structureIds: [s.id], departement: null };
  const motif: Motif = await ctx.rendezvous.createMotif(manager, s.id, {
    label: 'Aide pour une démarche en ligne',
    durationMin: 30,
    channel: 'sur_place',
    partner: '',
    minNoticeMin: 60,
    maxNoticeDays: 56,
    bookableOnline: true,
  });
  for (const weekday of ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi']) {
    await ctx.rendezvous.addPlage(manager, s.id, agentUser.id, { weekday, start: '09:00', end: '12:00' });
  }
  return { structure: s, manager, agent, managerUser, agentUser, motif };
}
