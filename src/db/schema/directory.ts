import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface StructuresTable {
  id: Generated<string>;
  id_fs: string;
  name: string;
  type: 'principal' | 'antenne';
  format: 'fixe' | 'multisites' | 'fixe_antennes' | 'bus' | 'itinerante';
  group_name: string | null;
  address: string;
  address_complement: string | null;
  code_insee: string;
  postal_code: string;
  commune_name: string;
  departement: string;
  lat: number | null;
  lon: number | null;
  /** Every published address / number, in the official order (several in some rows of the official file). */
  emails: ColumnType<string[], string[] | undefined, string[]>;
  telephones: ColumnType<string[], string[] | undefined, string[]>;
  /** WeeklyHours.days as JSON; write with JSON.stringify. */
  hours: ColumnType<unknown, string, string>;
  closures: ColumnType<unknown, string | undefined, string>;
  appointment: Generated<boolean>;
  comment: string | null;
  description: string | null;
  partners: ColumnType<string[], string[] | undefined, string[]>;
  labelled_on: string | null;
  status: Generated<'ouverte' | 'accueil_a_distance' | 'fermee_temporairement' | 'fermee_definitivement'>;
  status_until: string | null;
  source: string;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ImportRunsTable {
  id: Generated<number>;
  kind: string;
  source: string;
  sha256: string;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  ran_at: Timestamp;
}

export interface DirectoryTables {
  structures: StructuresTable;
  import_runs: ImportRunsTable;
}
