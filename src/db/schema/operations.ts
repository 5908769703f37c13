import type { ColumnType, Generated } from 'kysely';

/** Operations (issue 16): official CSV files waiting for the administrator's confirmation. */
export interface ImportDraftsTable {
  id: Generated<string>;
  user_id: string;
  source: string;
  sha256: string;
  content: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface OperationsTables {
  import_drafts: ImportDraftsTable;
}
