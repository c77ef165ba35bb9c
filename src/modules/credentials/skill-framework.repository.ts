import { sql } from 'kysely';
import type { Database } from '../../db/client.js';
import type { FrameworkOfficialStatus } from '../../db/schema-frameworks.js';

/**
 * The only SQL for skill frameworks and their items. Frameworks are public reference data (not
 * organisation-scoped), so no scope argument here; who may change them is the service's business.
 */
export type FrameworkRow = {
  id: string;
  slug: string;
  version: string;
  name: string;
  provenance: string;
  official_status: FrameworkOfficialStatus;
  created_at: Date;
};

export type FrameworkListRow = FrameworkRow & { item_count: number };

export type SkillItemRow = {
  code: string;
  name: string;
  name_en: string | null;
  category_code: string;
  category_name: string;
  subcategory_code: string;
  subcategory_name: string;
  position: number;
};

const frameworkColumns = [
  'id',
  'slug',
  'version',
  'name',
  'provenance',
  'official_status',
  'created_at',
] as const;
const itemColumns = [
  'code',
  'name',
  'name_en',
  'category_code',
  'category_name',
  'subcategory_code',
  'subcategory_name',
  'position',
] as const;

export async function listFrameworks(db: Database): Promise<FrameworkListRow[]> {
  const rows = await db
    .selectFrom('skill_frameworks as f')
    .select([
      'f.id',
      'f.slug',
      'f.version',
      'f.name',
      'f.provenance',
      'f.official_status',
      'f.created_at',
      (eb) =>
        eb
          .selectFrom('skill_items as i')
          .select(sql<number>`count(*)::int`.as('n'))
          .whereRef('i.framework_id', '=', 'f.id')
          .as('item_count'),
    ])
    .orderBy('f.slug')
    .orderBy('f.created_at', 'desc')
    .execute();
  return rows.map((r) => ({ ...r, item_count: Number(r.item_count ?? 0) }));
}

export function findFramework(
  db: Database,
  slug: string,
  version: string,
): Promise<FrameworkRow | undefined> {
  return db
    .selectFrom('skill_frameworks')
    .select(frameworkColumns)
    .where('slug', '=', slug)
    .where('version', '=', version)
    .executeTakeFirst();
}

export function findFrameworkById(db: Database, id: string): Promise<FrameworkRow | undefined> {
  return db.selectFrom('skill_frameworks').select(frameworkColumns).where('id', '=', id).executeTakeFirst();
}

export function listItems(db: Database, frameworkId: string): Promise<SkillItemRow[]> {
  return db
    .selectFrom('skill_items')
    .select(itemColumns)
    .where('framework_id', '=', frameworkId)
    .orderBy('position')
    .execute();
}

/** The items of `codes` that exist in the framework, in the framework's order. */
export async function findItems(db: Database, frameworkId: string, codes: string[]): Promise<SkillItemRow[]> {
  if (codes.length === 0) return [];
  return db
    .selectFrom('skill_items')
    .select(itemColumns)
    .where('framework_id', '=', frameworkId)
    .where('code', 'in', codes)
    .orderBy('position')
    .execute();
}

export type RoleRow = {
  code: string;
  name: string;
  name_en: string | null;
  role_group: string;
  description: string;
  /** The codes of the items the role emphasises, in the role's order. */
  item_codes: string[];
};

export async function listRoles(db: Database, frameworkId: string): Promise<RoleRow[]> {
  const [roles, links] = await Promise.all([
    db
      .selectFrom('skill_roles')
      .select(['code', 'name', 'name_en', 'role_group', 'description'])
      .where('framework_id', '=', frameworkId)
      .orderBy('position')
      .execute(),
    db
      .selectFrom('skill_role_items')
      .select(['role_code', 'item_code'])
      .where('framework_id', '=', frameworkId)
      .orderBy('role_code')
      .orderBy('position')
      .execute(),
  ]);
  return roles.map((r) => ({
    ...r,
    item_codes: links.filter((l) => l.role_code === r.code).map((l) => l.item_code),
  }));
}

/** The roles of a framework that emphasise one item, in the framework's role order. */
export function listRolesOfItem(
  db: Database,
  frameworkId: string,
  itemCode: string,
): Promise<{ code: string; name: string; role_group: string }[]> {
  return db
    .selectFrom('skill_role_items as ri')
    .innerJoin('skill_roles as r', (j) =>
      j.onRef('r.framework_id', '=', 'ri.framework_id').onRef('r.code', '=', 'ri.role_code'),
    )
    .select(['r.code', 'r.name', 'r.role_group'])
    .where('ri.framework_id', '=', frameworkId)
    .where('ri.item_code', '=', itemCode)
    .orderBy('r.position')
    .execute();
}

/** Every framework version's slug, version and item codes: the public URLs (sitemap). */
export function listAllItemPaths(db: Database): Promise<{ slug: string; version: string; code: string }[]> {
  return db
    .selectFrom('skill_items as i')
    .innerJoin('skill_frameworks as f', 'f.id', 'i.framework_id')
    .select(['f.slug', 'f.version', 'i.code'])
    .orderBy('f.slug')
    .orderBy('f.created_at')
    .orderBy('i.position')
    .execute();
}
