import type { AccompagnementInput } from './record.js';

/**
 * The exchange CSV (issue 12, section 4): UTF-8, comma-separated, this header (any column order).
 * Optional extra columns we also read: premiere_visite, autonomie, arret_bus. No note: the private
 * note never leaves the structure's pages.
 */
export const EXCHANGE_COLUMNS = [
  'id',
  'id_fs',
  'debut',
  'duree_min',
  'canal',
  'partenaire',
  'demarche',
  'resultat',
  'tranche_age',
  'commune_usager',
] as const;
export const OPTIONAL_EXCHANGE_COLUMNS = ['premiere_visite', 'autonomie', 'arret_bus'] as const;
export const EXCHANGE_HEADER = EXCHANGE_COLUMNS.join(',');

/** Whether a header row is this format; the French reason when it is not (nothing is written then). */
export function checkExchangeHeader(header: readonly string[]): string | null {
  const names = header.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h).trim());
  const missing = EXCHANGE_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0)
    return `Ce fichier n’est pas au format d’échange des accompagnements : colonne(s) manquante(s) ${missing.join(', ')}. En-tête attendu : ${EXCHANGE_HEADER}`;
  const known = new Set<string>([...EXCHANGE_COLUMNS, ...OPTIONAL_EXCHANGE_COLUMNS]);
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0)
    return `Colonne(s) inconnue(s) : ${unknown.slice(0, 5).join(', ')}. En-tête attendu : ${EXCHANGE_HEADER}`;
  if (new Set(names).size !== names.length) return 'Une colonne apparaît deux fois dans l’en-tête.';
  return null;
}

/** One CSV record (column → text) to the constructor's input; empty cells are absent values. */
export const exchangeRowToInput = (row: Readonly<Record<string, string>>): AccompagnementInput => ({
  ...row,
});
