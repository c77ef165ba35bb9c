import type { FrameworkListRow, FrameworkRow, SkillItemRow } from './skill-framework.repository.js';

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
    items,
    categories: groupItems(items),
  };
}
