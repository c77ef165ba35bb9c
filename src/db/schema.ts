import type { ColumnType, Generated } from 'kysely';

// Kysely table types. Keep in step with migrations/; rows never reach a page directly (presenters map them).
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type TimestampNullable = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T = Record<string, unknown>> = ColumnType<T, T | string | undefined, T | string>;

export type OrganisationKind = 'ministry' | 'secretariat' | 'case_study_operator' | 'regional_hub';
export type Role = 'admin' | 'staff' | 'reviewer' | 'viewer';
export type UserKind = 'staff' | 'learner';
export type SessionStage = 'mfa_required' | 'mfa_enrol' | 'full';
export type TokenPurpose = 'magic_link' | 'password_reset' | 'email_change';
export type JobStatus = 'queued' | 'running' | 'done' | 'failed';
export type MailStatus = 'queued' | 'sent' | 'stored' | 'failed';

export interface OrganisationsTable {
  id: Generated<string>;
  kind: OrganisationKind;
  name: string;
  name_en: string | null;
  prefecture_code: number | null;
  status: Generated<'active' | 'archived'>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface UsersTable {
  id: Generated<string>;
  email: string;
  display_name: string;
  kind: UserKind;
  password_hash: string | null;
  password_changed_at: TimestampNullable;
  totp_secret_enc: string | null;
  totp_enrolled_at: TimestampNullable;
  totp_last_step: number | null;
  status: Generated<'active' | 'disabled'>;
  locale: Generated<'ja' | 'en'>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface MembershipsTable {
  user_id: string;
  organisation_id: string;
  role: Role;
  created_at: Generated<Date>;
}

export interface InvitationsTable {
  id: Generated<string>;
  organisation_id: string;
  email: string;
  role: Role;
  token_hash: string;
  invited_by: string | null;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  accepted_at: TimestampNullable;
  accepted_user_id: string | null;
  revoked_at: TimestampNullable;
}

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  stage: SessionStage;
  active_organisation_id: string | null;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  reauth_at: TimestampNullable;
  ip: string | null;
  user_agent: string | null;
}

export interface OneTimeTokensTable {
  id: Generated<string>;
  purpose: TokenPurpose;
  token_hash: string;
  user_id: string | null;
  email: string;
  data: Json;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: TimestampNullable;
}

export interface RateLimitsTable {
  key: string;
  window_start: Timestamp;
  count: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Timestamp;
  actor_user_id: string | null;
  actor_organisation_id: string | null;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  ip: string | null;
  request_id: string | null;
  details: Json;
}

export interface JobsTable {
  id: Generated<number>;
  name: string;
  payload: Json;
  status: Generated<JobStatus>;
  run_at: Timestamp;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  locked_by: string | null;
  locked_until: TimestampNullable;
  last_error: string | null;
  unique_key: string | null;
  created_at: Generated<Date>;
  finished_at: TimestampNullable;
}

export interface MailOutboxTable {
  id: Generated<string>;
  to_address: string;
  subject: string;
  body_text: string;
  template: string;
  status: Generated<MailStatus>;
  attempts: Generated<number>;
  last_error: string | null;
  message_id: string | null;
  created_at: Generated<Date>;
  sent_at: TimestampNullable;
}

export interface DB {
  organisations: OrganisationsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  invitations: InvitationsTable;
  sessions: SessionsTable;
  one_time_tokens: OneTimeTokensTable;
  rate_limits: RateLimitsTable;
  audit_log: AuditLogTable;
  jobs: JobsTable;
  mail_outbox: MailOutboxTable;
}
