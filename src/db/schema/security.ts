import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface ThrottleCountersTable {
  key: string;
  window_start: Timestamp;
  hits: number;
}

export interface MembershipInvitationsTable {
  id: Generated<string>;
  user_id: string;
  structure_id: string;
  invited_by: string | null;
  invited_by_label: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  answered_at: Timestamp | null;
  accepted: boolean | null;
}

export interface SecurityTables {
  throttle_counters: ThrottleCountersTable;
  membership_invitations: MembershipInvitationsTable;
}
