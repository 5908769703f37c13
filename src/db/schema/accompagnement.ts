import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** One accompaniment. Partitioned by month of `debut` (PostgreSQL declarative partitioning). */
export interface AccompagnementsTable {
  id: string;
  debut: Timestamp;
  /** The local calendar day of `debut` in the structure's zone: the statistics' day. */
  jour_local: ColumnType<string, string, string>;
  structure_id: string;
  /** The structure's department when recorded: department aggregates without a join. */
  departement: string;
  agent_id: string | null;
  duree_min: number;
  canal: string;
  arret_bus: string | null;
  partenaire: string;
  demarche: string | null;
  resultat: string;
  tranche_age: string | null;
  commune_usager: string | null;
  premiere_visite: boolean | null;
  autonomie: string | null;
  note: string | null;
  /** How it arrived: formulaire, api, import, rappel. */
  source: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Ids across all partitions (a partitioned table's keys must include `debut`): the upsert registry. */
export interface AccompagnementIdsTable {
  id: string;
  debut: Timestamp;
}

export interface AccompagnementDemarchesTable {
  code: string;
  partenaire: string;
  label: string;
  fiche_id: string | null;
  /** The generated release it came from, or `ajout` for the national team's additions. */
  origine: string;
  added_at: Timestamp;
  retired_at: Date | null;
}

export interface AccompagnementApiTokensTable {
  id: Generated<string>;
  structure_id: string;
  label: string;
  /** sha256 of the token: the token itself is shown once and never stored. */
  token_hash: string;
  created_by: string;
  created_at: Timestamp;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

/** A call-back request left on a structure's public page (remote reception). */
export interface RappelDemandesTable {
  id: Generated<string>;
  structure_id: string;
  recu_le: Timestamp;
  due_at: Timestamp;
  /** Contact details and description: null once erased, 30 days after closing. */
  nom: string | null;
  telephone: string | null;
  email: string | null;
  partenaire: string;
  description: string | null;
  creneau: string;
  statut: ColumnType<string, string | undefined, string>;
  agent_id: string | null;
  pris_le: Date | null;
  clos_le: Date | null;
  clos_par: string | null;
  accompagnement_id: string | null;
  contact_efface_le: Date | null;
  version: ColumnType<number, number | undefined, number>;
}

/** Each structure's own delay to call back, in business days (2 when absent). */
export interface RappelReglagesTable {
  structure_id: string;
  delai_jours: number;
  updated_at: Timestamp;
  updated_by: string | null;
}

export interface AccompagnementTables {
  accompagnements: AccompagnementsTable;
  accompagnement_ids: AccompagnementIdsTable;
  accompagnement_demarches: AccompagnementDemarchesTable;
  accompagnement_api_tokens: AccompagnementApiTokensTable;
  rappel_demandes: RappelDemandesTable;
  rappel_reglages: RappelReglagesTable;
}
