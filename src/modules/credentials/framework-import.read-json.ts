import { LIMITS } from './framework-import.format.js';
import type { Cell, FileMeta, Row } from './framework-import.read.js';
import type { IssueList } from './framework-import.report.js';

/**
 * A framework as JSON: the shape of the shipped DSS-P data file (src/modules/credentials/data), i.e.
 * `categories[].subcategories[].skills[]` with `id`, `name` and optional `name_en`, and `what`/`source` for
 * its provenance; plus optional `slug`, `version`, `name`, `provenance` and `roles[]` (`code`,
 * `name`, `name_en`, `group`, `description`, `skills`: item codes). The JSON a version's public page offers
 * (/frameworks/<slug>/<version>.json) has this shape, so a version can be exported and imported again.
 * Without `roles`, the DSS-P file's `types` (人材類型) become roles. Read into the same rows as a spreadsheet,
 * `at` being the JSON path, so the checks are the same for every format.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export type JsonRead = { items: Row[] | null; roles: Row[] | null; meta: FileMeta };

export function readFrameworkJson(fileName: string, text: string, issues: IssueList): JsonRead {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    const detail = e instanceof SyntaxError ? `(${e.message.slice(0, 120)})` : '';
    issues.error('bad_file', fileName, `JSONとして読めません${detail}。`);
    return { items: null, roles: null, meta: {} };
  }
  if (!isObj(root)) {
    issues.error('bad_file', fileName, 'JSONの最上位はオブジェクト({ … })にしてください。');
    return { items: null, roles: null, meta: {} };
  }

  /** A value as a cell: strings as they are, numbers flagged (a code should be a string), else an error. */
  const cell = (v: unknown, at: string, field: string): Cell => {
    if (v === undefined || v === null) return { text: '' };
    if (typeof v === 'string') return { text: v };
    if (typeof v === 'number') return { text: String(v), numeric: true };
    issues.error('bad_value', at, `「${field}」は文字列にしてください。`, { column: field });
    return { text: '' };
  };
  const list = (v: unknown, at: string, field: string): unknown[] => {
    if (v === undefined || v === null) return [];
    if (Array.isArray(v)) return v;
    issues.error('bad_value', at, `「${field}」は配列にしてください。`, { column: field });
    return [];
  };
  const meta: JsonRead['meta'] = {};
  for (const key of ['slug', 'version', 'name', 'provenance'] as const) {
    const v = root[key];
    if (typeof v === 'string') meta[key] = v;
  }
  if (meta.provenance === undefined && (typeof root.what === 'string' || typeof root.source === 'string')) {
    // The same text migration 0003 stored for the shipped file.
    const what = typeof root.what === 'string' ? root.what : '';
    meta.provenance = typeof root.source === 'string' ? `${what}\n出典 / source: ${root.source}` : what;
  }

  if (!Array.isArray(root.categories)) {
    issues.error('missing_value', 'categories', '「categories」(カテゴリの配列)がありません。', {
      column: 'categories',
    });
    return { items: null, roles: null, meta };
  }
  const items: Row[] = [];
  for (const [ci, c] of root.categories.entries()) {
    const cAt = `categories[${ci}]`;
    if (!isObj(c)) {
      issues.error('bad_value', cAt, 'カテゴリはオブジェクトにしてください。');
      continue;
    }
    for (const [si, s] of list(c.subcategories, cAt, 'subcategories').entries()) {
      const sAt = `${cAt}.subcategories[${si}]`;
      if (!isObj(s)) {
        issues.error('bad_value', sAt, 'サブカテゴリはオブジェクトにしてください。');
        continue;
      }
      for (const [ki, k] of list(s.skills, sAt, 'skills').entries()) {
        const at = `${sAt}.skills[${ki}]`;
        if (!isObj(k)) {
          issues.error('bad_value', at, 'スキル項目はオブジェクトにしてください。');
          continue;
        }
        if (items.length > LIMITS.items) break; // enough to report "too many"
        items.push({
          at,
          cells: {
            category_code: cell(c.id, cAt, 'id'),
            category_name: cell(c.name, cAt, 'name'),
            subcategory_code: cell(s.id, sAt, 'id'),
            subcategory_name: cell(s.name, sAt, 'name'),
            item_code: cell(k.id, at, 'id'),
            item_name: cell(k.name, at, 'name'),
            name_en: cell(k.name_en, at, 'name_en'),
          },
        });
      }
    }
  }

  let roles: Row[] | null = null;
  if (root.roles !== undefined) {
    roles = list(root.roles, 'roles', 'roles').map((r, i) => {
      const at = `roles[${i}]`;
      if (!isObj(r)) {
        issues.error('bad_value', at, 'ロールはオブジェクトにしてください。');
        return { at, cells: {} };
      }
      const codes = list(r.skills, at, 'skills').map((x) => cell(x, at, 'skills').text);
      return {
        at,
        cells: {
          role_code: cell(r.code, at, 'code'),
          role_name: cell(r.name, at, 'name'),
          role_name_en: cell(r.name_en, at, 'name_en'),
          role_group: cell(r.group, at, 'group'),
          role_description: cell(r.description, at, 'description'),
          item_codes: { text: codes.join(' ') },
        },
      };
    });
  } else if (Array.isArray(root.types) && root.types.length > 0) {
    issues.warn(
      'roles_from_types',
      'types',
      '「roles」がないため、「types」(人材類型)をロールとして取り込みます。コードは英語名から作ります。',
    );
    roles = root.types.map((t, i) => {
      const at = `types[${i}]`;
      const o = isObj(t) ? t : {};
      const en = typeof o.name_en === 'string' ? o.name_en : '';
      const code = en
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '');
      return {
        at,
        cells: {
          role_code: { text: code || `type-${i + 1}` },
          role_name: cell(o.name, at, 'name'),
          role_name_en: cell(o.name_en, at, 'name_en'),
          role_group: { text: '人材類型' },
        },
      };
    });
  }
  return { items, roles, meta };
}
