/**
 * The import format of a skill framework, shared by the reader, the checks, the templates and the page that
 * documents it (issue 4 §1). One row per skill item (CSV, or the first sheet of an XLSX), roles in a second
 * sheet or a second CSV; JSON has the shape of the shipped DSS-P data file plus optional `roles`.
 */

/** Stable codes go into URLs and signed badges (targetCode): ASCII that needs no escaping. Same as 0005. */
export const CODE_PATTERN = /^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$/;
export const SLUG_PATTERN = /^[a-z0-9-]{1,40}$/;
export const VERSION_PATTERN = /^[0-9A-Za-z.-]{1,20}$/;

export const LIMITS = {
  name: 200,
  nameEn: 200,
  frameworkName: 200,
  roleDescription: 2000,
  provenance: 4000,
  items: 2000,
  roles: 200,
  /** The upload itself; the global body limit (BODY_LIMIT_BYTES) may be lower. */
  fileBytes: 1024 * 1024,
  /** What an XLSX may say it unpacks to (a zip bomb is refused before it is opened). */
  xlsxUnpackedBytes: 30 * 1024 * 1024,
  /** Issues listed in a report; the rest are counted. */
  reportIssues: 500,
} as const;

export type ColumnDef = {
  key: string;
  /** The Japanese header the template uses; either header is accepted. */
  label: string;
  required: boolean;
  description: string;
  example: string;
};

export const ITEM_COLUMNS = [
  {
    key: 'category_code',
    label: 'カテゴリコード',
    required: true,
    description: 'カテゴリのコード。同じカテゴリの行は同じコードと名称にします。空欄にすると分類なし。',
    example: '1',
  },
  {
    key: 'category_name',
    label: 'カテゴリ名',
    required: true,
    description: 'カテゴリの名称(200文字以内)。',
    example: 'ビジネス変革',
  },
  {
    key: 'subcategory_code',
    label: 'サブカテゴリコード',
    required: true,
    description: 'サブカテゴリのコード。空欄にするとサブカテゴリなし。',
    example: '1.1',
  },
  {
    key: 'subcategory_name',
    label: 'サブカテゴリ名',
    required: true,
    description: 'サブカテゴリの名称(200文字以内)。',
    example: '戦略の理解とアーキテクチャ設計',
  },
  {
    key: 'item_code',
    label: 'スキル項目コード',
    required: true,
    description: 'スキル項目の安定したコード。重複不可。公開ページのURLとバッジに使われます。',
    example: '1.1.1',
  },
  {
    key: 'item_name',
    label: 'スキル項目名',
    required: true,
    description: 'スキル項目の名称(200文字以内)。',
    example: 'ビジネス環境と経営戦略の理解',
  },
  {
    key: 'name_en',
    label: '英語名',
    required: false,
    description: 'スキル項目の英語名(任意、200文字以内)。',
    example: '',
  },
] as const satisfies readonly ColumnDef[];

export const ROLE_COLUMNS = [
  {
    key: 'role_code',
    label: 'ロールコード',
    required: true,
    description: 'ロールの安定したコード。重複不可。',
    example: 'business-architect',
  },
  {
    key: 'role_name',
    label: 'ロール名',
    required: true,
    description: 'ロールの名称(200文字以内)。',
    example: 'ビジネスアーキテクト',
  },
  {
    key: 'role_name_en',
    label: 'ロール英語名',
    required: false,
    description: 'ロールの英語名(任意)。',
    example: 'Business Architect',
  },
  {
    key: 'role_group',
    label: '人材類型',
    required: false,
    description: 'ロールをまとめる区分(任意。DSS-Pでは人材類型)。',
    example: '人材類型',
  },
  {
    key: 'role_description',
    label: 'ロールの説明',
    required: false,
    description: 'ロールの説明(任意、2000文字以内)。',
    example: '',
  },
  {
    key: 'item_codes',
    label: '重視するスキル項目コード',
    required: false,
    description: 'このロールが重視するスキル項目のコード。半角スペース、カンマ、読点、改行で区切ります。',
    example: '1.1.1 1.1.2',
  },
] as const satisfies readonly ColumnDef[];

export type ItemColumn = (typeof ITEM_COLUMNS)[number]['key'];
export type RoleColumn = (typeof ROLE_COLUMNS)[number]['key'];

/** XLSX sheet names (either accepted). Without an items sheet of these names, the first sheet is used. */
export const ITEMS_SHEETS = ['items', 'スキル項目'];
export const ROLES_SHEETS = ['roles', 'ロール'];

/** Header text → column key: the English key or the Japanese label, NFKC-normalised, case-insensitive. */
export function headerKey(header: string, columns: readonly ColumnDef[]): string | undefined {
  const h = header.normalize('NFKC').trim().toLowerCase();
  return columns.find((c) => c.key === h || c.label.normalize('NFKC').toLowerCase() === h)?.key;
}

/** The separators of a list of codes in one cell. */
export function splitCodes(cell: string): string[] {
  return cell
    .normalize('NFKC')
    .split(/[\s,、;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A value a spreadsheet would run as a formula (lib/csv.ts) is refused in every cell of an import. */
export { FORMULA_START } from '../../lib/csv.js';
