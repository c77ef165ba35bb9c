import type { ColumnType, Generated } from 'kysely';
import type { BadgesTables } from './schema-badges.js';
import type { FrameworkImportTables } from './schema-frameworks.js';

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

export interface DB extends RecruitmentTables, BadgesTables, FrameworkImportTables {
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

// ---- recruitment (0002) ----
export type ProgrammeStatus = 'draft' | 'submitted' | 'published' | 'closed' | 'archived';
export type ProgrammeFormat = 'venue' | 'online' | 'hybrid';
export type DxStage = 'pattern1' | 'pattern2' | 'pattern3';
export type ApplicationStatus =
  | 'draft'
  | 'submitted'
  | 'under_review'
  | 'accepted'
  | 'waitlisted'
  | 'rejected'
  | 'enrolled'
  | 'withdrawn';
export type DecisionKind = 'accepted' | 'waitlisted' | 'rejected' | 'enrolled';

export interface SkillFrameworksTable {
  id: Generated<string>;
  slug: string;
  version: string;
  name: string;
  provenance: Generated<string>;
  created_at: Generated<Date>;
}

export interface SkillItemsTable {
  framework_id: string;
  code: string;
  name: string;
  name_en: string | null;
  category_code: Generated<string>;
  category_name: Generated<string>;
  subcategory_code: Generated<string>;
  subcategory_name: Generated<string>;
  position: number;
}

/** date columns come back as strings 'YYYY-MM-DD' (see db/client.ts parsers). */
type DateOnly = ColumnType<string | null, string | null | undefined, string | null>;

export interface ProgrammesTable {
  id: Generated<string>;
  organisation_id: string;
  fiscal_year: number;
  layer: 2 | 3;
  title: string;
  summary: Generated<string>;
  description_md: Generated<string>;
  format: ProgrammeFormat;
  prefecture_codes: Generated<number[]>;
  venue: Generated<string>;
  starts_on: DateOnly;
  ends_on: DateOnly;
  schedule_note: Generated<string>;
  opens_at: TimestampNullable;
  closes_at: TimestampNullable;
  capacity: number | null;
  fee_yen: Generated<number>;
  target_learners: Generated<string>;
  /** numeric comes back as a string from both drivers */
  weekly_hours: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  commitment_required: Generated<boolean>;
  dx_stage: DxStage | null;
  skill_framework_id: string | null;
  skill_codes: Generated<string[]>;
  eligibility_questions: Json<unknown[]>;
  extra_questions: Json<unknown[]>;
  status: Generated<ProgrammeStatus>;
  review_comment: string | null;
  submitted_at: TimestampNullable;
  published_at: TimestampNullable;
  closed_at: TimestampNullable;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ApplicationsTable {
  id: Generated<string>;
  number: string | null;
  programme_id: string;
  applicant_user_id: string | null;
  status: Generated<ApplicationStatus>;
  full_name: string | null;
  furigana: string | null;
  email: string | null;
  prefecture_code: number | null;
  occupation: 'student' | 'worker' | null;
  affiliation: string | null;
  eligibility_answers: Json;
  answers: Json;
  pledge_accepted: Generated<boolean>;
  consent_notice_version: string | null;
  consented_at: TimestampNullable;
  idempotency_key: string | null;
  waitlist_position: number | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  submitted_at: TimestampNullable;
  decided_at: TimestampNullable;
  enrolled_at: TimestampNullable;
  withdrawn_at: TimestampNullable;
  anonymised_at: TimestampNullable;
}

export interface ApplicationStatusHistoryTable {
  id: Generated<number>;
  application_id: string;
  from_status: ApplicationStatus | null;
  to_status: ApplicationStatus;
  at: Timestamp;
  actor_user_id: string | null;
  note: string | null;
}

export interface RubricCriteriaTable {
  id: Generated<string>;
  programme_id: string;
  label: string;
  description: Generated<string>;
  scale_max: Generated<number>;
  weight: ColumnType<string, string | number | undefined, string | number>;
  position: Generated<number>;
}

export interface ApplicationReviewsTable {
  application_id: string;
  reviewer_user_id: string;
  conflict_of_interest: Generated<boolean>;
  comment: Generated<string>;
  updated_at: Generated<Date>;
}

export interface ApplicationScoresTable {
  application_id: string;
  reviewer_user_id: string;
  criterion_id: string;
  score: number;
}

export interface DecisionMailTemplatesTable {
  organisation_id: string;
  kind: DecisionKind;
  body: string;
  updated_at: Generated<Date>;
  updated_by: string | null;
}

export interface ContentVersionsTable {
  key: string;
  version: Generated<number>;
  updated_at: Generated<Date>;
}

export interface RecruitmentTables {
  skill_frameworks: SkillFrameworksTable;
  skill_items: SkillItemsTable;
  programmes: ProgrammesTable;
  applications: ApplicationsTable;
  application_status_history: ApplicationStatusHistoryTable;
  rubric_criteria: RubricCriteriaTable;
  application_reviews: ApplicationReviewsTable;
  application_scores: ApplicationScoresTable;
  decision_mail_templates: DecisionMailTemplatesTable;
  content_versions: ContentVersionsTable;
}
