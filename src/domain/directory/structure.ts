import type { WeeklyHours } from './opening-hours.js';

/** The nine national partners present in every France Services (see the seed text and the charte). */
export const PARTNERS = [
  'caf',
  'assurance_maladie',
  'assurance_retraite',
  'france_travail',
  'la_poste',
  'dgfip',
  'ants',
  'justice',
  'msa',
] as const;
export type Partner = (typeof PARTNERS)[number];

export const PARTNER_LABELS: Record<Partner, string> = {
  caf: 'Caisse d’allocations familiales (CAF)',
  assurance_maladie: 'Assurance maladie',
  assurance_retraite: 'Assurance retraite',
  france_travail: 'France Travail (ex-Pôle emploi)',
  la_poste: 'La Poste',
  dgfip: 'Finances publiques (impôts)',
  ants: 'ANTS (titres d’identité, permis, cartes grises)',
  justice: 'Justice',
  msa: 'Mutualité sociale agricole (MSA)',
};

export const STRUCTURE_TYPES = ['principal', 'antenne'] as const;
export type StructureType = (typeof STRUCTURE_TYPES)[number];

/** Official `format_fs` values, in our own spelling. `bus` and `itinerante` are the mobile ones. */
export const STRUCTURE_FORMATS = ['fixe', 'multisites', 'fixe_antennes', 'bus', 'itinerante'] as const;
export type StructureFormat = (typeof STRUCTURE_FORMATS)[number];
export const isMobileFormat = (f: StructureFormat) => f === 'bus' || f === 'itinerante';

export const FORMAT_LABELS: Record<StructureFormat, string> = {
  fixe: 'Site fixe',
  multisites: 'Multisites',
  fixe_antennes: 'Site fixe avec antenne(s)',
  bus: 'Bus France Services',
  itinerante: 'France Services itinérante',
};

export const OPERATING_STATUSES = [
  'ouverte',
  'accueil_a_distance',
  'fermee_temporairement',
  'fermee_definitivement',
] as const;
export type OperatingStatus = (typeof OPERATING_STATUSES)[number];

export const STATUS_LABELS: Record<OperatingStatus, string> = {
  ouverte: 'Ouverte',
  accueil_a_distance: 'Accueil à distance uniquement (téléphone, courriel)',
  fermee_temporairement: 'Fermée temporairement',
  fermee_definitivement: 'Fermée définitivement',
};

/** How many structures had each operating status at an instant (back-office and pilotage dashboards). */
export interface StatusCounts {
  readonly total: number;
  readonly byStatus: Record<OperatingStatus, number>;
  /** In « accueil à distance » with a phone or an e-mail the public can use. */
  readonly remoteWithContact: number;
}

/** A dated closure, in Paris days, inclusive. */
export interface ExceptionalClosure {
  readonly from: string; // YYYY-MM-DD
  readonly to: string; // YYYY-MM-DD, inclusive
  readonly message: string;
}

export interface Structure {
  readonly id: string; // our stable id (uuid)
  readonly idFs: string; // the official id_fs
  readonly name: string;
  readonly type: StructureType;
  readonly format: StructureFormat;
  readonly group: string | null;
  readonly address: string;
  readonly addressComplement: string | null;
  readonly codeInsee: string;
  readonly postalCode: string;
  readonly communeName: string;
  readonly departement: string;
  readonly lat: number | null;
  readonly lon: number | null;
  /** Every address the structure publishes, in its order (the official file may hold several). */
  readonly emails: readonly string[];
  /** Every telephone number it publishes, in its order. */
  readonly telephones: readonly string[];
  readonly hours: WeeklyHours;
  readonly closures: readonly ExceptionalClosure[];
  readonly appointment: boolean;
  readonly comment: string | null;
  readonly description: string | null;
  readonly partners: readonly Partner[];
  readonly labelledOn: string | null; // YYYY-MM-DD
  readonly status: OperatingStatus;
  readonly statusUntil: string | null; // YYYY-MM-DD, for fermee_temporairement
  readonly source: string; // provenance: 'datagouv-2024-08.csv', 'back-office', …
  readonly version: number; // optimistic concurrency
  readonly createdAt: Date;
  readonly updatedAt: Date;
}
