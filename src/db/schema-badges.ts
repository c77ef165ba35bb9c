import type { ColumnType, Generated } from 'kysely';

// Kysely table types for migration 0004-badges. Keep in step with it.

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type TimestampNullable = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, T | string | undefined, T | string>;
type JsonNullable<T> = ColumnType<T | null, T | string | null | undefined, T | string | null>;
/** bytea: Buffer from pg, Uint8Array from PGlite; either may be written. */
type Bytes = ColumnType<Uint8Array, Uint8Array, Uint8Array>;
type BytesNullable = ColumnType<Uint8Array | null, Uint8Array | null | undefined, Uint8Array | null>;

export type IssuerKeyStatus = 'active' | 'retired' | 'revoked';
export type AchievementVersionStatus = 'draft' | 'published' | 'retired';
export type StatusListPurpose = 'revocation' | 'suspension';
export type CredentialFormat = 'ldp' | 'jwt';
export type IssuanceSource = 'upload' | 'programme' | 'single';
export type IssuanceBatchStatus = 'dry_run' | 'queued' | 'running' | 'done' | 'failed';
export type IssuanceRowStatus = 'pending' | 'issued' | 'skipped' | 'failed';

/** An achievement's alignment to one skill item, as stored (a snapshot of the framework version used). */
export type StoredAlignment = {
  frameworkId: string;
  frameworkSlug: string;
  frameworkVersion: string;
  frameworkName: string;
  code: string;
  name: string;
  url: string;
};

/** One problem found in a completion-list row by the dry run. */
export type RowProblem = { field: string; code: string; message: string };

export interface IssuerProfilesTable {
  organisation_id: string;
  name: string;
  url: string;
  email: string | null;
  description: Generated<string>;
  image: BytesNullable;
  image_type: 'image/png' | 'image/svg+xml' | null;
  updated_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface IssuerKeysTable {
  id: Generated<string>;
  organisation_id: string;
  controller: string;
  verification_method: string;
  public_key_multibase: string;
  sealed_secret_key: string;
  status: Generated<IssuerKeyStatus>;
  created_by: string | null;
  created_at: Generated<Date>;
  retired_at: TimestampNullable;
  revoked_at: TimestampNullable;
}

export interface AchievementsTable {
  id: Generated<string>;
  organisation_id: string;
  programme_id: string | null;
  key: string;
  created_by: string | null;
  created_at: Generated<Date>;
}

export interface AchievementVersionsTable {
  id: Generated<string>;
  achievement_id: string;
  version: number;
  status: Generated<AchievementVersionStatus>;
  name: string;
  description: string;
  criteria_narrative: string;
  achievement_type: Generated<string>;
  in_language: Generated<string>;
  skill_framework_id: string | null;
  alignments: Json<StoredAlignment[]>;
  valid_days: number | null;
  image_png: BytesNullable;
  image_svg: string | null;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  published_at: TimestampNullable;
  published_by: string | null;
  retired_at: TimestampNullable;
}

export interface StatusListsTable {
  id: Generated<string>;
  organisation_id: string;
  purpose: Generated<StatusListPurpose>;
  size: Generated<number>;
  bits: Bytes;
  used_count: Generated<number>;
  version: Generated<number>;
  signed_credential: JsonNullable<Record<string, unknown>>;
  signed_version: number | null;
  signed_at: TimestampNullable;
  created_at: Generated<Date>;
}

export interface CredentialsTable {
  id: string;
  organisation_id: string;
  achievement_version_id: string;
  issuer_key_id: string;
  recipient_user_id: string | null;
  recipient_email: string;
  recipient_name: Generated<string>;
  salt: string;
  format: CredentialFormat;
  /** The signed credential (json, exactly as signed; for 'jwt' also carries a Data Integrity proof). */
  credential: Json<Record<string, unknown>>;
  jwt: string | null;
  status_list_id: string;
  status_index: number;
  evidence_url: string | null;
  narrative: string | null;
  valid_from: Timestamp;
  valid_until: TimestampNullable;
  awarded_at: Timestamp;
  issued_at: Timestamp;
  issued_by: string | null;
  revoked_at: TimestampNullable;
  revocation_reason: string | null;
  revoked_by: string | null;
  replaces_id: string | null;
  replaced_by_id: string | null;
  claim_token_hash: string | null;
  claimed_at: TimestampNullable;
  batch_id: string | null;
  baked_png: Bytes;
  baked_svg: string;
}

export interface IssuanceBatchesTable {
  id: Generated<string>;
  organisation_id: string;
  created_by: string | null;
  source: IssuanceSource;
  filename: string | null;
  programme_id: string | null;
  format: Generated<CredentialFormat>;
  status: Generated<IssuanceBatchStatus>;
  total_rows: Generated<number>;
  pending_count: Generated<number>;
  issued_count: Generated<number>;
  skipped_count: Generated<number>;
  failed_count: Generated<number>;
  report: Json<Record<string, unknown>>;
  last_error: string | null;
  created_at: Generated<Date>;
  queued_at: TimestampNullable;
  queued_by: string | null;
  started_at: TimestampNullable;
  finished_at: TimestampNullable;
}

export interface IssuanceRowsTable {
  batch_id: string;
  row_number: number;
  email: Generated<string>;
  name: Generated<string>;
  user_id: string | null;
  achievement_ref: Generated<string>;
  achievement_version_id: string | null;
  evidence_url: string | null;
  narrative: string | null;
  status: IssuanceRowStatus;
  problems: Json<RowProblem[]>;
  error: string | null;
  credential_id: string | null;
  processed_at: TimestampNullable;
}

export type BadgesTables = {
  issuer_profiles: IssuerProfilesTable;
  issuer_keys: IssuerKeysTable;
  achievements: AchievementsTable;
  achievement_versions: AchievementVersionsTable;
  status_lists: StatusListsTable;
  credentials: CredentialsTable;
  issuance_batches: IssuanceBatchesTable;
  issuance_rows: IssuanceRowsTable;
};
