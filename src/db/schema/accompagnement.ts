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

export interface AccompagnementTables {
  accompagnements: AccompagnementsTable;
  accompagnement_ids: AccompagnementIdsTable;
  accompagnement_demarches: AccompagnementDemarchesTable;
  accompagnement_api_tokens: AccompagnementApiTokensTable;
}
