import { DomainError } from '../shared/errors.js';
import { type Side, STATUT_LABELS, type Statut } from './codes.js';

/**
 * Statuses `nouveau` → `en_cours` → `repondu` → `clos`, and who may move a case where:
 * - the référent takes it (`en_cours`), answers (`repondu`), takes it back (`repondu` → `en_cours`) or closes it;
 * - the agent says the answer did not solve it (`repondu` → `en_cours`) or closes it.
 * A closed case stays closed (its retention period runs from the closing). Reassignment is separate.
 */
const ALLOWED: Record<Side, Record<Statut, readonly Statut[]>> = {
  referent: {
    nouveau: ['en_cours', 'repondu', 'clos'],
    en_cours: ['repondu', 'clos'],
    repondu: ['en_cours', 'clos'],
    clos: [],
  },
  agent: {
    nouveau: ['clos'],
    en_cours: ['clos'],
    repondu: ['en_cours', 'clos'],
    clos: [],
  },
};

export const nextStatuts = (side: Side, from: Statut): readonly Statut[] => ALLOWED[side][from];

export function checkTransition(side: Side, from: Statut, to: Statut): void {
  if (from === 'clos')
    throw new DomainError('conflict', 'Ce dossier est clos : il ne change plus de statut.', 'statut');
  if (!ALLOWED[side][from].includes(to))
    throw new DomainError(
      'invalid',
      `Passer de « ${STATUT_LABELS[from]} » à « ${STATUT_LABELS[to]} » n’est pas possible ${side === 'agent' ? 'pour l’agent' : 'pour le référent'}.`,
      'statut',
    );
}

/**
 * "Answered" (docs/ESCALADE.md): the first message or the first status change made by a référent.
 * A reassignment is not an answer: the person has still heard nothing.
 */
export const countsAsAnswer = (side: Side, kind: 'message' | 'statut' | 'reassignation'): boolean =>
  side === 'referent' && kind !== 'reassignation';
