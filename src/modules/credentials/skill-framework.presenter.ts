import type { FrameworkOfficialStatus } from '../../db/schema-frameworks.js';
import type { FrameworkListRow, FrameworkRow, RoleRow, SkillItemRow } from './skill-framework.repository.js';

/** What pages and other modules see of a skill framework (STYLE.md 8: rows never reach a page). */
export type SkillItemView = {
  code: string;
  name: string;
  nameEn: string | null;
  categoryCode: string;
  categoryName: string;
  subcategoryCode: string;
  subcategoryName: string;
};

export type SkillSubcategoryView = { code: string; name: string; items: SkillItemView[] };
export type SkillCategoryView = { code: string; name: string; subcategories: SkillSubcategoryView[] };

export type FrameworkSummary = {
  id: string;
  slug: string;
  version: string;
  name: string;
  provenance: string;
  /** 'unconfirmed' unless the secretariat stated, on import, that its owner published this list. */
  officialStatus: FrameworkOfficialStatus;
  itemCount: number;
};

export type SkillFrameworkView = Omit<FrameworkSummary, 'itemCount'> & {
  /** Every item in the framework's order: handy for lookups by code. */
  items: SkillItemView[];
  /** The same items grouped category → subcategory, in order: how forms and pages show them. */
  categories: SkillCategoryView[];
};

export function presentItem(r: SkillItemRow): SkillItemView {
  return {
    code: r.code,
    name: r.name,
    nameEn: r.name_en,
    categoryCode: r.category_code,
    categoryName: r.category_name,
    subcategoryCode: r.subcategory_code,
    subcategoryName: r.subcategory_name,
  };
}

export function presentSummary(r: FrameworkListRow): FrameworkSummary {
  return {
    id: r.id,
    slug: r.slug,
    version: r.version,
    name: r.name,
    provenance: r.provenance,
    officialStatus: r.official_status,
    itemCount: r.item_count,
  };
}

/**
 * Groups items (already in position order) by category, then subcategory. Items without a category (a
 * framework imported flat) fall into one group with an empty code and name, so nothing is ever dropped.
 */
export function groupItems(items: SkillItemView[]): SkillCategoryView[] {
  const categories: SkillCategoryView[] = [];
  for (const item of items) {
    let cat = categories.find((c) => c.code === item.categoryCode);
    if (!cat) {
      cat = { code: item.categoryCode, name: item.categoryName, subcategories: [] };
      categories.push(cat);
    }
    let sub = cat.subcategories.find((s) => s.code === item.subcategoryCode);
    if (!sub) {
      sub = { code: item.subcategoryCode, name: item.subcategoryName, items: [] };
      cat.subcategories.push(sub);
    }
    sub.items.push(item);
  }
  return categories;
}

export function presentFramework(f: FrameworkRow, rows: SkillItemRow[]): SkillFrameworkView {
  const items = rows.map(presentItem);
  return {
    id: f.id,
    slug: f.slug,
    version: f.version,
    name: f.name,
    provenance: f.provenance,
    officialStatus: f.official_status,
    items,
    categories: groupItems(items),
  };
}

export type SkillRoleView = {
  code: string;
  name: string;
  nameEn: string | null;
  /** A grouping of roles (DSS-P: 人材類型), '' when none. */
  group: string;
  description: string;
  itemCodes: string[];
};

export function presentRole(r: RoleRow): SkillRoleView {
  return {
    code: r.code,
    name: r.name,
    nameEn: r.name_en,
    group: r.role_group,
    description: r.description,
    itemCodes: r.item_codes,
  };
}

/**
 * The stable public paths of a version and of its items: a badge alignment's targetUrl is
 * config.baseUrl + skillItemPath(…) (OPEN-BADGES.md: a page dxq hosts per skill item, stable for years).
 * Codes, slugs and versions are URL-safe by their patterns (framework-import.format.ts, migration 0005).
 */
export function frameworkPath(f: { slug: string; version: string }): string {
  return `/frameworks/${f.slug}/${f.version}`;
}

export function skillItemPath(f: { slug: string; version: string }, code: string): string {
  return `${frameworkPath(f)}/${code}`;
}

/**
 * The machine-readable version (/frameworks/<slug>/<version>.json): the import format's JSON shape (the
 * shipped DSS-P file's, plus roles), so a version can be exported and imported again as a new version, with
 * absolute URLs of each page added. Empty optional values are left out.
 */
export function frameworkJson(f: SkillFrameworkView, roles: SkillRoleView[], baseUrl: string) {
  return {
    slug: f.slug,
    version: f.version,
    name: f.name,
    provenance: f.provenance,
    official_status: f.officialStatus,
    url: baseUrl + frameworkPath(f),
    categories: f.categories.map((c) => ({
      id: c.code,
      name: c.name,
      subcategories: c.subcategories.map((s) => ({
        id: s.code,
        name: s.name,
        skills: s.items.map((i) => ({
          id: i.code,
          name: i.name,
          ...(i.nameEn ? { name_en: i.nameEn } : {}),
          url: baseUrl + skillItemPath(f, i.code),
        })),
      })),
    })),
    roles: roles.map((r) => ({
      code: r.code,
      name: r.name,
      ...(r.nameEn ? { name_en: r.nameEn } : {}),
      ...(r.group ? { group: r.group } : {}),
      ...(r.description ? { description: r.description } : {}),
      skills: r.itemCodes,
    })),
  };
}
