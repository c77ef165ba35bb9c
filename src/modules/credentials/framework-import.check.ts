import {
  CODE_PATTERN,
  FORMULA_START,
  ITEM_COLUMNS,
  LIMITS,
  ROLE_COLUMNS,
  SLUG_PATTERN,
  splitCodes,
  VERSION_PATTERN,
} from './framework-import.format.js';
import type { Cell, ReadFramework, Row } from './framework-import.read.js';
import type { ImportCounts, IssueList } from './framework-import.report.js';

/**
 * The checks of a framework import, the same for every format (pure: no database). Every row is checked and
 * every problem reported, so one dry run shows all there is to fix; a payload comes back only when there is
 * no error at all, and importing it is then just inserts.
 */

export type FrameworkItemInput = {
  code: string;
  name: string;
  nameEn: string | null;
  categoryCode: string;
  categoryName: string;
  subcategoryCode: string;
  subcategoryName: string;
};

export type FrameworkRoleInput = {
  code: string;
  name: string;
  nameEn: string | null;
  group: string;
  description: string;
  itemCodes: string[];
};

export type FrameworkMeta = {
  slug: string;
  version: string;
  name: string;
  provenance: string;
  official: boolean;
};

export type FrameworkPayload = {
  meta: FrameworkMeta;
  items: FrameworkItemInput[];
  roles: FrameworkRoleInput[];
};

/** What the import form says about the version; a blank field falls back to the JSON file's own value. */
export type MetaInput = Partial<{ slug: string; version: string; name: string; provenance: string }> & {
  official: boolean;
};

export const META_LABELS = {
  slug: 'スキル標準の識別子',
  version: 'バージョン',
  name: 'スキル標準の名称',
  provenance: '出典・位置づけ',
} as const;

const LABEL: Record<string, string> = Object.fromEntries(
  [...ITEM_COLUMNS, ...ROLE_COLUMNS].map((c) => [c.key, c.label]),
);
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: a description may keep its line breaks and tabs
const CONTROL_EXCEPT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const CODE_RULE = '半角英数字で始まり、半角英数字・「.」「-」「_」だけの40文字以内にしてください';

function checkMeta(read: ReadFramework, form: MetaInput, issues: IssueList): FrameworkMeta {
  const pick = (k: keyof typeof META_LABELS) =>
    (form[k]?.trim() || read.meta[k]?.trim() || '').normalize('NFC');
  const meta: FrameworkMeta = {
    slug: pick('slug').normalize('NFKC'),
    version: pick('version').normalize('NFKC'),
    name: pick('name'),
    provenance: pick('provenance'),
    official: form.official,
  };
  const bad = (k: keyof typeof META_LABELS, message: string) =>
    issues.error('bad_meta', 'フォーム', message, { column: META_LABELS[k] });
  if (!meta.slug) bad('slug', '識別子を入力してください(例: dss-p)。');
  else if (!SLUG_PATTERN.test(meta.slug))
    bad('slug', '識別子は半角英小文字・数字・「-」の40文字以内にしてください。');
  if (!meta.version) bad('version', 'バージョンを入力してください(例: 2.0)。');
  else if (!VERSION_PATTERN.test(meta.version) || /\.json$/i.test(meta.version))
    bad(
      'version',
      'バージョンは半角英数字・「.」「-」の20文字以内にしてください(「.json」で終わるものは不可)。',
    );
  if (!meta.name) bad('name', '名称を入力してください。');
  else if ([...meta.name].length > LIMITS.frameworkName)
    bad('name', `名称は${LIMITS.frameworkName}文字以内にしてください。`);
  if (!meta.provenance) bad('provenance', '出典・位置づけを入力してください(公開ページに表示されます)。');
  else if ([...meta.provenance].length > LIMITS.provenance)
    bad('provenance', `出典・位置づけは${LIMITS.provenance}文字以内にしてください。`);
  return meta;
}

/** Reads one row's cells: formulas refused, codes NFKC-normalised, text trimmed and length-checked. */
function rowReader(row: Row, issues: IssueList) {
  const refused = new Set<string>();
  for (const [key, cell] of Object.entries(row.cells)) {
    if (!cell) continue;
    if (cell.formula || FORMULA_START.test(cell.text)) {
      refused.add(key);
      issues.error(
        'formula',
        row.at,
        cell.formula
          ? '数式のセルは取り込めません。値として貼り付けてください。'
          : '「=」「+」「-」「@」などで始まる値は数式として扱われるため取り込めません。',
        { column: LABEL[key] ?? key },
      );
    }
  }
  const cell = (key: string): Cell | undefined => (refused.has(key) ? undefined : row.cells[key]);
  let rowCode: string | undefined;
  const extra = (key: string) => ({ column: LABEL[key] ?? key, ...(rowCode ? { code: rowCode } : {}) });
  return {
    /** Whether the cell was refused (a formula): other checks then say nothing more about it. */
    refused: (key: string) => refused.has(key),
    code(key: string, required: boolean): string {
      const c = cell(key);
      const v = (c?.text ?? '').normalize('NFKC').trim();
      if (!v) {
        if (required && !refused.has(key))
          issues.error('missing_value', row.at, '値がありません。', extra(key));
        return '';
      }
      if (!CODE_PATTERN.test(v))
        issues.error('bad_code', row.at, `コード「${v}」は${CODE_RULE}。`, extra(key));
      else if (c?.numeric)
        issues.warn(
          'numeric_code',
          row.at,
          `コード「${v}」が数値として入力されています。「1.10」が「1.1」になるなどの誤りがないか確認してください(セルの書式を文字列に)。`,
          extra(key),
        );
      if (key === 'item_code' || key === 'role_code') rowCode = v;
      return v;
    },
    text(key: string, opts: { required?: boolean; max: number; lines?: boolean }): string {
      const v = (cell(key)?.text ?? '').trim();
      if (!v) {
        if (opts.required && !refused.has(key))
          issues.error('missing_value', row.at, '値がありません。', extra(key));
        return '';
      }
      if ((opts.lines ? CONTROL_EXCEPT_LINES : CONTROL).test(v))
        issues.error('bad_value', row.at, '改行や制御文字は使えません。', extra(key));
      const n = [...v].length;
      if (n > opts.max)
        issues.error('too_long', row.at, `${opts.max}文字以内にしてください(${n}文字)。`, extra(key));
      return v;
    },
  };
}

type Group = { name: string; parent: string; at: string };

function checkItems(rows: Row[], issues: IssueList): FrameworkItemInput[] {
  if (rows.length === 0) issues.error('empty', 'スキル項目', 'スキル項目が1件もありません。');
  if (rows.length > LIMITS.items) {
    issues.error('too_many_rows', 'スキル項目', `スキル項目は${LIMITS.items}件までです。`);
    return [];
  }
  const seen = new Map<string, string>();
  const categories = new Map<string, Group>();
  const subcategories = new Map<string, Group>();
  const items: FrameworkItemInput[] = [];
  for (const row of rows) {
    const r = rowReader(row, issues);
    const item: FrameworkItemInput = {
      code: r.code('item_code', true),
      name: r.text('item_name', { required: true, max: LIMITS.name }),
      nameEn: r.text('name_en', { max: LIMITS.nameEn }) || null,
      categoryCode: r.code('category_code', false),
      categoryName: r.text('category_name', { max: LIMITS.name }),
      subcategoryCode: r.code('subcategory_code', false),
      subcategoryName: r.text('subcategory_name', { max: LIMITS.name }),
    };
    const code = item.code ? { code: item.code } : {};
    if (item.code) {
      const first = seen.get(item.code);
      if (first)
        issues.error('duplicate_code', row.at, `コード「${item.code}」が重複しています(最初は${first})。`, {
          column: LABEL.item_code,
          ...code,
        });
      else seen.set(item.code, row.at);
    }
    const group = (
      kind: 'category' | 'subcategory',
      map: Map<string, Group>,
      codeOf: string,
      name: string,
      parent: string,
    ) => {
      const [codeKey, nameKey] = [`${kind}_code`, `${kind}_name`];
      if (r.refused(codeKey) || r.refused(nameKey)) return;
      if (!codeOf && name)
        issues.error('missing_value', row.at, 'コードがありません。', { column: LABEL[codeKey], ...code });
      if (!codeOf) return;
      if (!name)
        issues.error('missing_value', row.at, '名称がありません。', { column: LABEL[nameKey], ...code });
      const known = map.get(codeOf);
      if (!known) map.set(codeOf, { name, parent, at: row.at });
      else if (known.name !== name || known.parent !== parent)
        issues.error(
          'inconsistent_name',
          row.at,
          known.parent !== parent
            ? `サブカテゴリ「${codeOf}」が別のカテゴリにもあります(最初は${known.at})。`
            : `コード「${codeOf}」の名称が${known.at}の「${known.name}」と異なります。`,
          { column: LABEL[nameKey], ...code },
        );
    };
    group('category', categories, item.categoryCode, item.categoryName, '');
    group('subcategory', subcategories, item.subcategoryCode, item.subcategoryName, item.categoryCode);
    items.push(item);
  }
  return items;
}

function checkRoles(rows: Row[], itemCodes: Set<string>, issues: IssueList): FrameworkRoleInput[] {
  if (rows.length > LIMITS.roles) {
    issues.error('too_many_rows', 'ロール', `ロールは${LIMITS.roles}件までです。`);
    return [];
  }
  const seen = new Map<string, string>();
  return rows.map((row) => {
    const r = rowReader(row, issues);
    const role: FrameworkRoleInput = {
      code: r.code('role_code', true),
      name: r.text('role_name', { required: true, max: LIMITS.name }),
      nameEn: r.text('role_name_en', { max: LIMITS.nameEn }) || null,
      group: r.text('role_group', { max: LIMITS.name }),
      description: r.text('role_description', { max: LIMITS.roleDescription, lines: true }),
      itemCodes: [],
    };
    const code = role.code ? { code: role.code } : {};
    if (role.code) {
      const first = seen.get(role.code);
      if (first)
        issues.error(
          'duplicate_code',
          row.at,
          `ロールコード「${role.code}」が重複しています(最初は${first})。`,
          {
            column: LABEL.role_code,
            ...code,
          },
        );
      else seen.set(role.code, row.at);
    }
    const listed = row.cells.item_codes;
    if (listed && !listed.formula && !FORMULA_START.test(listed.text)) {
      for (const c of new Set(splitCodes(listed.text))) {
        if (itemCodes.has(c)) role.itemCodes.push(c);
        else
          issues.error('unknown_item', row.at, `スキル項目コード「${c}」はこのファイルにありません。`, {
            column: LABEL.item_codes,
            ...code,
          });
      }
    }
    return role;
  });
}

export function checkFramework(
  read: ReadFramework,
  form: MetaInput,
  issues: IssueList,
): { payload: FrameworkPayload | null; meta: FrameworkMeta; counts: ImportCounts } {
  const meta = checkMeta(read, form, issues);
  const items = read.items ? checkItems(read.items, issues) : [];
  const roles = read.roles ? checkRoles(read.roles, new Set(items.map((i) => i.code)), issues) : [];
  const counts: ImportCounts = {
    categories: new Set(items.map((i) => i.categoryCode).filter(Boolean)).size,
    subcategories: new Set(items.map((i) => i.subcategoryCode).filter(Boolean)).size,
    items: items.length,
    roles: roles.length,
  };
  const ok = issues.errors === 0 && read.items !== null;
  return { payload: ok ? { meta, items, roles } : null, meta, counts };
}
