import type { ColumnType } from 'kysely';

type Day = ColumnType<string, string, string>;
type Big = ColumnType<number, number, number>;

/** Per department × local day × dimension value: count and minutes (issue 14). */
export interface PilotageDepJourTable {
  dimension: string;
  departement: string;
  jour: Day;
  valeur: string;
  n: number;
  minutes: Big;
}

/** Per department × local month (first day) × dimension value. */
export interface PilotageDepMoisTable {
  dimension: string;
  departement: string;
  mois: Day;
  valeur: string;
  n: number;
  minutes: Big;
}

/** Per structure × local month (first day) × dimension value (a structure's dashboard). */
export interface PilotageStructureMoisTable {
  structure_id: string;
  dimension: string;
  mois: Day;
  valeur: string;
  n: number;
  minutes: Big;
}

/** Per structure × local ISO week (its Monday): total, remote (telephone, courriel, visio), minutes. */
export interface PilotageStructureSemaineTable {
  semaine: Day;
  structure_id: string;
  departement: string;
  n: number;
  n_distance: number;
  minutes: Big;
}

/** A satisfaction survey link (issue 14): only the token's sha256 is stored. */
export interface PilotageEnquetesTable {
  id: ColumnType<string, string | undefined, never>;
  jeton_hash: string;
  structure_id: string;
  departement: string;
  cree_le: ColumnType<Date, Date, Date>;
  expire_le: ColumnType<Date, Date, Date>;
}

/** One anonymous answer per link (primary key = the link). */
export interface PilotageReponsesTable {
  enquete_id: string;
  structure_id: string;
  departement: string;
  repondu_le: ColumnType<Date, Date, Date>;
  demarche: string;
  accueil: number;
  recommande: string;
}

/** A local month (its first day) whose rollups wait for their set-based rebuild after a bulk import. */
export interface PilotageMoisARecalculerTable {
  mois: Day;
  depuis: ColumnType<Date, Date | undefined, Date>;
}

export interface PilotageTables {
  pilotage_enquetes: PilotageEnquetesTable;
  pilotage_reponses: PilotageReponsesTable;
  pilotage_dep_jour: PilotageDepJourTable;
  pilotage_dep_mois: PilotageDepMoisTable;
  pilotage_structure_mois: PilotageStructureMoisTable;
  pilotage_structure_semaine: PilotageStructureSemaineTable;
  pilotage_mois_a_recalculer: PilotageMoisARecalculerTable;
}
