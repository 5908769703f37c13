import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type DateText = ColumnType<string, string, string>;
export type Side = 'agent' | 'referent';

/** A case handed to a partner's référent (issue 13). Identity columns are null once erased. */
export interface DossiersTable {
  id: Generated<string>;
  numero: Generated<number>;
  structure_id: string;
  /** The structure's commune (INSEE): its calendar and clock count the business hours. */
  commune: string;
  departement: string;
  partenaire: string;
  statut: 'nouveau' | 'en_cours' | 'repondu' | 'clos';
  version: Generated<number>;
  created_by: string | null;
  accompagnement_id: string | null;
  filed_at: Timestamp;
  /** 48 business hours after filing: the référent's reminder, if not answered by then. */
  reminder_due: Timestamp;
  first_answer_due: Timestamp;
  resolution_due: Timestamp;
  first_answer_at: Timestamp | null;
  first_answer_bh: number | null;
  closed_at: Timestamp | null;
  close_bh: number | null;
  updated_at: Timestamp;
  nom: string | null;
  prenom: string | null;
  date_naissance: DateText | null;
  numero_partenaire: string | null;
  objet: string | null;
  consent_version: string | null;
  consent_at: Timestamp | null;
  consent_by: string | null;
  erased_at: Timestamp | null;
}

export interface DossierTextTable {
  id: Generated<number>;
  dossier_id: string;
  side: Side;
  author_id: string | null;
  author_label: string;
  body: string;
  at: Timestamp;
}

export interface DossierAttachmentsTable {
  id: string;
  dossier_id: string;
  side: Side;
  name: string;
  mime: string;
  size: number;
  sha256: string;
  uploaded_by: string | null;
  at: Timestamp;
}

export interface DossierEventsTable {
  id: Generated<number>;
  dossier_id: string;
  at: Timestamp;
  side: string;
  actor_id: string | null;
  kind: 'creation' | 'statut' | 'reassignation' | 'message';
  from_statut: string | null;
  to_statut: string | null;
  from_partenaire: string | null;
  to_partenaire: string | null;
  from_departement: string | null;
  to_departement: string | null;
}

export interface DossierRemindersTable {
  kind: string;
  dossier_id: string;
  sent_at: Timestamp;
  recipients: number;
}

export interface DossierDigestsTable {
  user_id: string;
  day: DateText;
  sent_at: Timestamp;
}

export interface EscaladeTables {
  dossiers: DossiersTable;
  dossier_messages: DossierTextTable;
  dossier_notes: DossierTextTable;
  dossier_attachments: DossierAttachmentsTable;
  dossier_events: DossierEventsTable;
  dossier_reminders: DossierRemindersTable;
  dossier_digests: DossierDigestsTable;
}
