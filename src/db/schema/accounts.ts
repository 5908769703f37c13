import type { ColumnType, Generated } from 'kysely';
import type { Role } from '../../domain/accounts/roles.js';

/** Timestamps are optional on insert when the column has a default. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T = unknown> = ColumnType<T, string | undefined, string>;

export interface UsersTable {
  id: Generated<string>;
  email: string;
  display_name: Generated<string>;
  role: Role;
  departement: string | null;
  password_hash: string | null;
  proconnect_sub: string | null;
  active: Generated<boolean>;
  deactivated_at: Timestamp | null;
  invited_by: string | null;
  last_login_at: Timestamp | null;
  created_at: Timestamp;
}

export interface UserStructuresTable {
  user_id: string;
  structure_id: string;
  created_at: Timestamp;
}

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  csrf_secret: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  last_seen_at: Timestamp;
  ip: string | null;
}

export interface LoginAttemptsTable {
  id: Generated<number>;
  email: string;
  ip: string;
  success: boolean;
  at: Timestamp;
}

export type TokenPurpose = 'reset' | 'invitation' | 'setup' | 'oidc';

export interface OneTimeTokensTable {
  id: Generated<string>;
  token_hash: string;
  purpose: TokenPurpose;
  user_id: string | null;
  payload: Json<Record<string, unknown>>;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface OutboxTable {
  id: Generated<number>;
  recipient: string;
  subject: string;
  body: string;
  created_at: Timestamp;
  error: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Timestamp;
  actor_id: string | null;
  actor_label: string;
  entity: string;
  entity_id: string;
  action: string;
  before: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  after: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  ip: string | null;
}

export interface StatusHistoryTable {
  id: Generated<number>;
  structure_id: string;
  at: Timestamp;
  from_status: string;
  to_status: string;
  until: string | null;
}

/** A partner's référent (issue 13): partner, departments, coordinator flag, daily digest instead of single mails. */
export interface UserPartnerScopesTable {
  user_id: string;
  partenaire: string;
  departements: ColumnType<string[], string[] | undefined, string[]>;
  coordinateur: Generated<boolean>;
  digest: Generated<boolean>;
  created_at: Timestamp;
}

export interface AccountsTables {
  users: UsersTable;
  user_structures: UserStructuresTable;
  sessions: SessionsTable;
  login_attempts: LoginAttemptsTable;
  one_time_tokens: OneTimeTokensTable;
  outbox: OutboxTable;
  audit_log: AuditLogTable;
  status_history: StatusHistoryTable;
  user_partner_scopes: UserPartnerScopesTable;
}
