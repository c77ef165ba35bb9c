import type { Database } from '../../db/client.js';
import type { FrameworkImportFormat, FrameworkImportStatus } from '../../db/schema-frameworks.js';
import type { FrameworkItemInput, FrameworkMeta, FrameworkRoleInput } from './framework-import.check.js';

/**
 * SQL for framework imports: the import records and the inserts that create a version. Frameworks are
 * platform reference data (no organisation scope); who may import is the service's business (policy).
 */

export type ImportRow = {
  id: string;
  status: FrameworkImportStatus;
  format: FrameworkImportFormat;
  files: unknown;
  slug: string | null;
  version: string | null;
  name: string | null;
  item_count: number;
  role_count: number;
  error_count: number;
  warning_count: number;
  checked_at: Date;
  checked_by_email: string | null;
  imported_at: Date | null;
  imported_by_email: string | null;
  framework_id: string | null;
};

export type ImportDetailRow = ImportRow & { report: unknown; payload: unknown };

export type NewImport = {
  status: 'checked' | 'rejected';
  format: FrameworkImportFormat;
  files: { name: string; bytes: number; sha256: string }[];
  meta: { slug: string; version: string; name: string };
  counts: { items: number; roles: number; errors: number; warnings: number };
  report: unknown;
  payload: unknown | null;
  checkedBy: string | null;
  checkedAt: Date;
};

/** Text columns hold what the file said; cut to the column's limits (a rejected file may say anything). */
const cut = (s: string, n: number) => (s ? [...s].slice(0, n).join('') : null);

export async function insertImport(db: Database, r: NewImport): Promise<string> {
  const row = await db
    .insertInto('framework_imports')
    .values({
      status: r.status,
      format: r.format,
      files: JSON.stringify(r.files),
      slug: cut(r.meta.slug, 40),
      version: cut(r.meta.version, 20),
      name: cut(r.meta.name, 200),
      item_count: r.counts.items,
      role_count: r.counts.roles,
      error_count: r.counts.errors,
      warning_count: r.counts.warnings,
      report: JSON.stringify(r.report),
      payload: r.payload === null ? null : JSON.stringify(r.payload),
      checked_by: r.checkedBy,
      checked_at: r.checkedAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

function base(db: Database) {
  return db
    .selectFrom('framework_imports as fi')
    .leftJoin('users as cu', 'cu.id', 'fi.checked_by')
    .leftJoin('users as iu', 'iu.id', 'fi.imported_by')
    .select([
      'fi.id',
      'fi.status',
      'fi.format',
      'fi.files',
      'fi.slug',
      'fi.version',
      'fi.name',
      'fi.item_count',
      'fi.role_count',
      'fi.error_count',
      'fi.warning_count',
      'fi.checked_at',
      'cu.email as checked_by_email',
      'fi.imported_at',
      'iu.email as imported_by_email',
      'fi.framework_id',
    ]);
}

export function listImports(db: Database, limit: number): Promise<ImportRow[]> {
  return base(db).orderBy('fi.checked_at', 'desc').limit(limit).execute();
}

export function findImport(db: Database, id: string): Promise<ImportDetailRow | undefined> {
  return base(db).select(['fi.report', 'fi.payload']).where('fi.id', '=', id).executeTakeFirst();
}

/** The record, locked for the importing transaction (a second click waits, then sees 'imported'). */
export function lockImport(
  db: Database,
  id: string,
): Promise<{ status: FrameworkImportStatus; payload: unknown } | undefined> {
  return db
    .selectFrom('framework_imports')
    .select(['status', 'payload'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

/** checked → imported; the guard is in the WHERE clause (STYLE.md 5). */
export async function markImported(
  db: Database,
  id: string,
  frameworkId: string,
  userId: string | null,
  at: Date,
): Promise<boolean> {
  const r = await db
    .updateTable('framework_imports')
    .set({
      status: 'imported',
      framework_id: frameworkId,
      imported_by: userId,
      imported_at: at,
      payload: null,
    })
    .where('id', '=', id)
    .where('status', '=', 'checked')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function frameworkExists(db: Database, slug: string, version: string): Promise<boolean> {
  const r = await db
    .selectFrom('skill_frameworks')
    .select('id')
    .where('slug', '=', slug)
    .where('version', '=', version)
    .executeTakeFirst();
  return r !== undefined;
}

/** The new version's row, or undefined when (slug, version) exists already (the unique key decides). */
export async function insertFramework(db: Database, meta: FrameworkMeta): Promise<string | undefined> {
  const r = await db
    .insertInto('skill_frameworks')
    .values({
      slug: meta.slug,
      version: meta.version,
      name: meta.name,
      provenance: meta.provenance,
      official_status: meta.official ? 'official' : 'unconfirmed',
    })
    .onConflict((oc) => oc.columns(['slug', 'version']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return r?.id;
}

const CHUNK = 500; // rows per insert statement: well under the 65,535 bind parameters of the protocol

async function chunked<T>(rows: T[], insert: (part: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await insert(rows.slice(i, i + CHUNK));
}

export async function insertVersionContent(
  db: Database,
  frameworkId: string,
  items: FrameworkItemInput[],
  roles: FrameworkRoleInput[],
): Promise<void> {
  await chunked(
    items.map((it, i) => ({ it, position: i + 1 })),
    (part) =>
      db
        .insertInto('skill_items')
        .values(
          part.map(({ it, position }) => ({
            framework_id: frameworkId,
            code: it.code,
            name: it.name,
            name_en: it.nameEn,
            category_code: it.categoryCode,
            category_name: it.categoryName,
            subcategory_code: it.subcategoryCode,
            subcategory_name: it.subcategoryName,
            position,
          })),
        )
        .execute(),
  );
  if (roles.length === 0) return;
  await db
    .insertInto('skill_roles')
    .values(
      roles.map((r, i) => ({
        framework_id: frameworkId,
        code: r.code,
        name: r.name,
        name_en: r.nameEn,
        role_group: r.group,
        description: r.description,
        position: i + 1,
      })),
    )
    .execute();
  const links = roles.flatMap((r) =>
    r.itemCodes.map((code, i) => ({
      framework_id: frameworkId,
      role_code: r.code,
      item_code: code,
      position: i + 1,
    })),
  );
  await chunked(links, (part) => db.insertInto('skill_role_items').values(part).execute());
}
