import type { ColumnType, Generated } from 'kysely';

// Kysely table types for migration 0005-skill-framework-import. Keep in step with it.

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type TimestampNullable = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, T | string | undefined, T | string>;
type JsonNullable<T> = ColumnType<T | null, T | string | null | undefined, T | string | null>;

export type FrameworkOfficialStatus = 'official' | 'unconfirmed';
export type FrameworkImportStatus = 'checked' | 'rejected' | 'imported';
export type FrameworkImportFormat = 'json' | 'csv' | 'xlsx';

// 0005 adds a column to skill_frameworks (created in 0002, typed in schema.ts): its type is kept here, with
// the rest of 0005, by augmenting that interface.
declare module './schema.js' {
  interface SkillFrameworksTable {
    official_status: Generated<FrameworkOfficialStatus>;
  }
}

export interface SkillRolesTable {
  framework_id: string;
  code: string;
  name: string;
  name_en: string | null;
  role_group: Generated<string>;
  description: Generated<string>;
  position: number;
}

export interface SkillRoleItemsTable {
  framework_id: string;
  role_code: string;
  item_code: string;
  position: number;
}

export interface FrameworkImportsTable {
  id: Generated<string>;
  status: FrameworkImportStatus;
  format: FrameworkImportFormat;
  /** [{ name, bytes, sha256 }] of the uploaded file(s): metadata only, the bytes are not kept. */
  files: Json<unknown[]>;
  slug: string | null;
  version: string | null;
  name: string | null;
  item_count: Generated<number>;
  role_count: Generated<number>;
  error_count: Generated<number>;
  warning_count: Generated<number>;
  /** The dry-run report (issues with their rows, counts). */
  report: Json<unknown>;
  /** The validated framework while status is 'checked'; null once imported or when rejected. */
  payload: JsonNullable<unknown>;
  checked_by: string | null;
  checked_at: Timestamp;
  imported_by: string | null;
  imported_at: TimestampNullable;
  framework_id: string | null;
}

export type FrameworkImportTables = {
  skill_roles: SkillRolesTable;
  skill_role_items: SkillRoleItemsTable;
  framework_imports: FrameworkImportsTable;
};
