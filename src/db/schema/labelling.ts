import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<unknown, string, string>;

export interface ReferentielsTable {
  version: string;
  title: string;
  source: string;
  criteria: Json;
  published_at: Timestamp;
  published_by: string | null;
}

export interface LabellingCampaignsTable {
  id: Generated<string>;
  name: string;
  opens_on: string;
  closes_on: string;
  departements: ColumnType<string[], string[] | undefined, string[]>;
  referentiel_version: string;
  status: Generated<'ouverte' | 'cloturee'>;
  created_by: string | null;
  created_at: Generated<Date>;
}

export interface LabellingApplicationsTable {
  id: Generated<string>;
  campaign_id: string;
  porteur_user_id: string;
  departement: string;
  state: Generated<string>;
  content: Json;
  auditor_user_id: string | null;
  structure_id: string | null;
  labelled_on: string | null;
  /** The existing structure this application renews (finding 2, issue 9); null: a new structure. */
  renews_structure_id: Generated<string | null>;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface LabellingTransitionsTable {
  id: Generated<number>;
  application_id: string;
  action: string;
  from_state: string;
  to_state: string;
  by_user_id: string;
  by_role: string;
  at: Timestamp;
  reason: string | null;
}

export interface LabellingAuditsTable {
  id: Generated<string>;
  application_id: string | null;
  structure_id: string | null;
  kind: 'initial' | 'contre_visite' | 'periodique';
  auditor_user_id: string;
  planned_on: string;
  completed_on: string | null;
  outcome: 'conforme' | 'non_conforme' | null;
  referentiel_version: string;
  grid: Json;
  version: Generated<number>;
  created_at: Generated<Date>;
}

export interface LabellingCorrectiveActionsTable {
  id: Generated<number>;
  audit_id: string;
  application_id: string | null;
  code: string;
  description: string;
  due_on: string;
  closed_on: string | null;
  closed_by_audit_id: string | null;
}

export interface LabellingDocumentsTable {
  id: Generated<string>;
  application_id: string;
  audit_id: string | null;
  criterion_code: string | null;
  name: string;
  mime: string;
  size: number;
  sha256: string;
  uploaded_by: string;
  uploaded_at: Timestamp;
}

export interface LabellingTables {
  referentiels: ReferentielsTable;
  labelling_campaigns: LabellingCampaignsTable;
  labelling_applications: LabellingApplicationsTable;
  labelling_transitions: LabellingTransitionsTable;
  labelling_audits: LabellingAuditsTable;
  labelling_corrective_actions: LabellingCorrectiveActionsTable;
  labelling_documents: LabellingDocumentsTable;
}
