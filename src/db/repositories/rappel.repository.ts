import type { Selectable } from 'kysely';
import type { Db } from '../database.js';

type Executor = Db;

import type { RappelDemandesTable } from '../schema/accompagnement.js';

/** Owner of `rappel_demandes` and `rappel_reglages` (remote reception). */

export type RappelRow = Selectable<RappelDemandesTable>;

export const INBOX_TABS = ['a_prendre', 'mes_demandes', 'en_cours', 'traitees'] as const;
export type InboxTab = (typeof INBOX_TABS)[number];

export async function insertDemande(
  db: Executor,
  d: {
    structureId: string;
    recuLe: Date;
    dueAt: Date;
    nom: string | null;
    telephone: string | null;
    email: string | null;
    partenaire: string;
    description: string;
    creneau: string;
  },
): Promise<RappelRow> {
  return db
    .insertInto('rappel_demandes')
    .values({
      structure_id: d.structureId,
      recu_le: d.recuLe,
      due_at: d.dueAt,
      nom: d.nom,
      telephone: d.telephone,
      email: d.email,
      partenaire: d.partenaire,
      description: d.description,
      creneau: d.creneau,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findDemande(db: Executor, id: string): Promise<RappelRow | undefined> {
  return db.selectFrom('rappel_demandes').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * One tab of a structure's inbox, bounded. Open requests come by due time (the most urgent first),
 * closed ones by closing time (the latest first).
 */
export async function listInbox(
  db: Executor,
  o: { structureId: string; tab: InboxTab; agentId: string; limit: number },
): Promise<RappelRow[]> {
  let q = db.selectFrom('rappel_demandes').selectAll().where('structure_id', '=', o.structureId);
  switch (o.tab) {
    case 'a_prendre':
      q = q.where('statut', '=', 'nouvelle').orderBy('due_at').orderBy('recu_le');
      break;
    case 'mes_demandes':
      q = q.where('statut', '=', 'prise').where('agent_id', '=', o.agentId).orderBy('due_at');
      break;
    case 'en_cours':
      q = q.where('statut', '=', 'prise').orderBy('due_at');
      break;
    case 'traitees':
      q = q.where('statut', 'in', ['traitee', 'sans_suite']).orderBy('clos_le', 'desc');
      break;
  }
  return q.limit(o.limit).execute();
}

/** How many requests wait in each open state, and how many of them are overdue at `now`. */
export async function countOpen(
  db: Executor,
  structureId: string,
  agentId: string,
  now: Date,
): Promise<{ aPrendre: number; mesDemandes: number; enCours: number; enRetard: number }> {
  const row = await db
    .selectFrom('rappel_demandes')
    .where('structure_id', '=', structureId)
    .where('statut', 'in', ['nouvelle', 'prise'])
    .select((eb) => [
      eb.fn.count<number>('id').filterWhere('statut', '=', 'nouvelle').as('a_prendre'),
      eb.fn
        .count<number>('id')
        .filterWhere((w) => w.and([w('statut', '=', 'prise'), w('agent_id', '=', agentId)]))
        .as('mes_demandes'),
      eb.fn.count<number>('id').filterWhere('statut', '=', 'prise').as('en_cours'),
      eb.fn.count<number>('id').filterWhere('due_at', '<', now).as('en_retard'),
    ])
    .executeTakeFirstOrThrow();
  return {
    aPrendre: Number(row.a_prendre),
    mesDemandes: Number(row.mes_demandes),
    enCours: Number(row.en_cours),
    enRetard: Number(row.en_retard),
  };
}

/**
 * Moves a request from one state to another if, and only if, it is still at the version the agent saw:
 * of two agents taking the same request at once, exactly one wins. Returns the new row, or undefined.
 */
export async function transition(
  db: Executor,
  id: string,
  expectedVersion: number,
  from: readonly string[],
  set: Partial<{
    statut: string;
    agent_id: string | null;
    pris_le: Date | null;
    clos_le: Date | null;
    clos_par: string | null;
    accompagnement_id: string | null;
  }>,
): Promise<RappelRow | undefined> {
  return db
    .updateTable('rappel_demandes')
    .set((eb) => ({ ...set, version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .where('statut', 'in', from)
    .returningAll()
    .executeTakeFirst();
}

/** Erases the contact details and description of requests closed before `cutoff`; returns how many. */
export async function eraseContactsClosedBefore(db: Executor, cutoff: Date, now: Date): Promise<number> {
  const r = await db
    .updateTable('rappel_demandes')
    .set({ nom: null, telephone: null, email: null, description: null, contact_efface_le: now })
    .where('clos_le', '<', cutoff)
    .where('contact_efface_le', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function delaiOf(db: Executor, structureId: string): Promise<number | null> {
  const row = await db
    .selectFrom('rappel_reglages')
    .select('delai_jours')
    .where('structure_id', '=', structureId)
    .executeTakeFirst();
  return row?.delai_jours ?? null;
}

export async function setDelai(
  db: Executor,
  structureId: string,
  days: number,
  by: string,
  now: Date,
): Promise<void> {
  await db
    .insertInto('rappel_reglages')
    .values({ structure_id: structureId, delai_jours: days, updated_by: by, updated_at: now })
    .onConflict((oc) =>
      oc.column('structure_id').doUpdateSet({ delai_jours: days, updated_by: by, updated_at: now }),
    )
    .execute();
}
