import type { Deps } from '../../deps.js';
import { AppError } from '../../lib/errors.js';
import { CODE_PATTERN, SLUG_PATTERN, VERSION_PATTERN } from './framework-import.format.js';
import {
  type FrameworkSummary,
  frameworkPath,
  presentFramework,
  presentItem,
  presentRole,
  presentSummary,
  type SkillFrameworkView,
  type SkillItemView,
  type SkillRoleView,
  skillItemPath,
} from './skill-framework.presenter.js';
import * as repo from './skill-framework.repository.js';

/**
 * Read use cases for skill frameworks (OPEN-BADGES.md §Skill frameworks). Frameworks are public reference
 * data: anyone may read them, so these take no actor. New versions come by import (framework-import.service.ts,
 * secretariat only); a version never changes. Every alignment (a programme's skills, an achievement) stores
 * the framework id, i.e. the exact version it used.
 */

/** The framework new programmes align to until the secretariat loads the official list (see 0003). */
export const DEFAULT_FRAMEWORK = { slug: 'dss-p', version: '2.0' } as const;

/** Enough for any framework we know of (DSS-P 2.0 has 67 items); also bounds a hostile form. */
export const MAX_SKILLS_PER_ALIGNMENT = 100;

const notFound = () => new AppError('NOT_FOUND', 'スキル標準が見つかりません');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function listFrameworks(deps: Deps): Promise<FrameworkSummary[]> {
  return (await repo.listFrameworks(deps.db)).map(presentSummary);
}

export async function getFramework(deps: Deps, slug: string, version: string): Promise<SkillFrameworkView> {
  const f = await repo.findFramework(deps.db, slug, version);
  if (!f) throw notFound();
  return presentFramework(f, await repo.listItems(deps.db, f.id));
}

/** By id: what a programme or an achievement stores. */
export async function getFrameworkById(deps: Deps, id: string): Promise<SkillFrameworkView> {
  if (!UUID.test(id)) throw notFound();
  const f = await repo.findFrameworkById(deps.db, id);
  if (!f) throw notFound();
  return presentFramework(f, await repo.listItems(deps.db, f.id));
}

export function getDefaultFramework(deps: Deps): Promise<SkillFrameworkView> {
  return getFramework(deps, DEFAULT_FRAMEWORK.slug, DEFAULT_FRAMEWORK.version);
}

/**
 * Checks codes picked on a form against one framework version: trims, drops duplicates and returns them in
 * the framework's order. Any unknown code (or too many) is a VALIDATION error on the `skillCodes` field, so
 * a tampered form cannot align a programme to items that do not exist.
 */
export async function validateSkillCodes(
  deps: Deps,
  frameworkId: string,
  codes: readonly string[],
): Promise<string[]> {
  const wanted = [...new Set(codes.map((c) => c.normalize('NFKC').trim()).filter(Boolean))];
  if (wanted.length === 0) return [];
  const invalid = (message: string) =>
    new AppError('VALIDATION', message, { fields: { skillCodes: message } });
  if (wanted.length > MAX_SKILLS_PER_ALIGNMENT) {
    throw invalid(`スキルは${MAX_SKILLS_PER_ALIGNMENT}項目まで選択できます`);
  }
  if (!UUID.test(frameworkId)) throw invalid('スキル標準が見つかりません');
  const found = await repo.findItems(deps.db, frameworkId, wanted);
  if (found.length !== wanted.length) throw invalid('スキル標準にない項目が含まれています');
  return found.map((r) => r.code);
}

/** The named items of `codes` in the framework's order, for showing a programme's or a badge's skills. */
export async function describeSkills(
  deps: Deps,
  frameworkId: string | null,
  codes: readonly string[],
): Promise<SkillItemView[]> {
  if (!frameworkId || !UUID.test(frameworkId) || codes.length === 0) return [];
  return (await repo.findItems(deps.db, frameworkId, [...new Set(codes)])).map(presentItem);
}

/** A version with its roles: the public page and the JSON of /frameworks/<slug>/<version>. */
export async function getFrameworkDetail(
  deps: Deps,
  slug: string,
  version: string,
): Promise<{ framework: SkillFrameworkView; roles: SkillRoleView[] }> {
  // Path segments are checked against the patterns before any query: anything else cannot exist.
  if (!SLUG_PATTERN.test(slug) || !VERSION_PATTERN.test(version)) throw notFound();
  const framework = await getFramework(deps, slug, version);
  const roles = (await repo.listRoles(deps.db, framework.id)).map(presentRole);
  return { framework, roles };
}

export type SkillItemPage = {
  framework: Omit<SkillFrameworkView, 'items' | 'categories'>;
  item: SkillItemView;
  roles: { code: string; name: string; group: string }[];
  /** The other versions of the same framework that have an item with this code (newest first). */
  otherVersions: { version: string; name: string; path: string }[];
};

/** /frameworks/<slug>/<version>/<code>: the stable page a badge alignment's targetUrl points to. */
export async function getSkillItemPage(
  deps: Deps,
  slug: string,
  version: string,
  code: string,
): Promise<SkillItemPage> {
  if (!SLUG_PATTERN.test(slug) || !VERSION_PATTERN.test(version) || !CODE_PATTERN.test(code)) {
    throw new AppError('NOT_FOUND', 'スキル項目が見つかりません');
  }
  const f = await repo.findFramework(deps.db, slug, version);
  if (!f) throw notFound();
  const [row] = await repo.findItems(deps.db, f.id, [code]);
  if (!row) throw new AppError('NOT_FOUND', 'スキル項目が見つかりません');
  const roles = await repo.listRolesOfItem(deps.db, f.id, code);
  const others = (await repo.listFrameworks(deps.db)).filter((o) => o.slug === slug && o.id !== f.id);
  const withCode = await Promise.all(
    others.map(async (o) => ((await repo.findItems(deps.db, o.id, [code])).length ? o : null)),
  );
  const { items: _i, categories: _c, ...framework } = presentFramework(f, []);
  return {
    framework,
    item: presentItem(row),
    roles: roles.map((r) => ({ code: r.code, name: r.name, group: r.role_group })),
    otherVersions: withCode
      .filter((o) => o !== null)
      .map((o) => ({ version: o.version, name: o.name, path: skillItemPath(o, code) })),
  };
}

/** The public framework pages, for the sitemap: the list, each version and each of its items. */
export async function frameworkSitemapPaths(deps: Deps): Promise<string[]> {
  const rows = await repo.listAllItemPaths(deps.db);
  const versions = [...new Set(rows.map((r) => frameworkPath(r)))];
  return ['/frameworks', ...versions, ...rows.map((r) => skillItemPath(r, r.code))];
}
