import type { RecordInsert, RecordRow } from '../../db/repositories/accompagnement.repository.js';
import {
  type Accompagnement,
  type AccompagnementInput,
  accompagnement,
  localDay,
  type RecordRules,
} from '../../domain/accompagnement/index.js';

/**
 * From checked inputs to the rows written: shared by the service's writes (API, forms) and the import's
 * reading thread (import.worker.ts), so both apply the same rules with the same French messages.
 * No database access here: the structures come resolved.
 */

export interface ItemIssue {
  /** Position of the item in the batch (0-based), or the CSV line for an import. */
  readonly index: number;
  readonly field: string;
  readonly message: string;
}

/** A structure as a record needs it: its id, department and time zone. */
export interface StructureRef {
  readonly id: string;
  readonly idFs: string;
  readonly departement: string;
  readonly zone: string;
}

/** Fields compared to tell "the same record again" from "a different record with the same id". */
export const CONTENT_FIELDS = [
  'structure_id',
  'duree_min',
  'canal',
  'arret_bus',
  'partenaire',
  'demarche',
  'resultat',
  'tranche_age',
  'commune_usager',
  'premiere_visite',
  'autonomie',
  'note',
] as const satisfies ReadonlyArray<keyof RecordInsert>;
export type ContentField = (typeof CONTENT_FIELDS)[number];

export const sameContent = (a: RecordInsert, b: RecordRow | RecordInsert, fields: readonly ContentField[]) =>
  new Date(a.debut).getTime() === new Date(b.debut).getTime() &&
  fields.every((f) => (a[f] ?? null) === (b[f] ?? null));

export function toRow(
  a: Accompagnement,
  s: StructureRef,
  agentId: string | null,
  source: string,
): RecordInsert {
  return {
    id: a.id,
    debut: a.debut,
    jour_local: localDay(a.debut, s.zone),
    structure_id: s.id,
    departement: s.departement,
    agent_id: agentId,
    duree_min: a.dureeMin,
    canal: a.canal,
    arret_bus: a.arretBus,
    partenaire: a.partenaire,
    demarche: a.demarche,
    resultat: a.resultat,
    tranche_age: a.trancheAge,
    commune_usager: a.communeUsager,
    premiere_visite: a.premiereVisite,
    autonomie: a.autonomie,
    note: a.note,
    source,
  };
}

/** On an import update, what the file does not carry (note, agent…) is kept from the stored record. */
export function mergeKept(
  row: RecordInsert,
  stored: RecordRow,
  present: readonly ContentField[],
): RecordInsert {
  const merged: RecordInsert = { ...row, agent_id: stored.agent_id, source: stored.source };
  for (const f of CONTENT_FIELDS)
    if (!present.includes(f)) (merged as Record<string, unknown>)[f] = stored[f];
  return merged;
}

export interface CheckedBatch {
  /** Valid rows, one per id (the first of an id repeated with the same content). */
  readonly rows: RecordInsert[];
  /** Reported index (CSV line) of each row. */
  readonly indexOf: number[];
  /** Sorted by index. */
  readonly rejected: ItemIssue[];
  /** Repeats of an id with the same content inside the batch. */
  readonly unchanged: number;
}

/**
 * Checks a batch: each item by the record's smart constructor, then its structure (known, and
 * writable by the caller), then ids repeated in the batch (same content: unchanged; different: rejected).
 */
export function checkBatch(
  inputs: readonly AccompagnementInput[],
  options: {
    readonly rules: RecordRules;
    readonly structureOf: (idFs: string) => StructureRef | null | undefined;
    readonly mayWrite: (s: StructureRef) => boolean;
    readonly indexOf: (i: number) => number;
    readonly agentId: string | null;
    readonly source: string;
  },
): CheckedBatch {
  const rows: RecordInsert[] = [];
  const indexOf: number[] = [];
  const rejected: ItemIssue[] = [];
  const byId = new Map<string, RecordInsert>();
  let unchanged = 0;
  for (let i = 0; i < inputs.length; i++) {
    const index = options.indexOf(i);
    const r = accompagnement(inputs[i] as AccompagnementInput, options.rules);
    if (!r.ok) {
      for (const issue of r.issues) rejected.push({ index, ...issue });
      continue;
    }
    const value = r.value;
    const s = options.structureOf(value.structureIdFs);
    if (!s) {
      rejected.push({
        index,
        field: 'id_fs',
        message: `Structure inconnue : « ${value.structureIdFs.slice(0, 40)} ».`,
      });
      continue;
    }
    if (!options.mayWrite(s)) {
      rejected.push({
        index,
        field: 'id_fs',
        message: 'Vous ne pouvez enregistrer des accompagnements que pour votre propre structure.',
      });
      continue;
    }
    const row = toRow(value, s, options.agentId, options.source);
    const twin = byId.get(row.id);
    if (twin) {
      if (sameContent(row, twin, CONTENT_FIELDS)) unchanged++;
      else
        rejected.push({
          index,
          field: 'id',
          message: 'Identifiant en double dans le lot, avec un contenu différent.',
        });
      continue;
    }
    byId.set(row.id, row);
    rows.push(row);
    indexOf.push(index);
  }
  rejected.sort((a, b) => a.index - b.index);
  return { rows, indexOf, rejected, unchanged };
}
