import type { FrameworkImportFormat } from '../../db/schema-frameworks.js';
import {
  decodeUploadText,
  readTableFile,
  sniffTable,
  type TableErrorCode,
  type TableLimits,
  type TableSheet,
} from '../../lib/table-file.js';
import {
  type ColumnDef,
  headerKey,
  ITEM_COLUMNS,
  ITEMS_SHEETS,
  LIMITS,
  ROLE_COLUMNS,
  ROLES_SHEETS,
} from './framework-import.format.js';
import { readFrameworkJson } from './framework-import.read-json.js';
import { type IssueKind, type IssueList, rowAt } from './framework-import.report.js';

/**
 * Reads an uploaded framework (JSON, CSV or XLSX, told apart by content, not by name) into rows keyed by
 * column, each with where it came from. CSV and XLSX go through the shared table reader (lib/table-file.ts:
 * limits, zip-bomb guard, RFC 4180, encoding policy); JSON text is decoded under the same encoding policy.
 * Nothing here decides whether a value is acceptable beyond what reading needs (encoding, header row):
 * framework-import.check.ts does that, the same way for every format.
 */

/** One cell as read: its text, and whether the file had a formula or a number there. */
export type Cell = { text: string; formula?: boolean; numeric?: boolean };
export type Row = { at: string; cells: Partial<Record<string, Cell>> };

export type FileMeta = Partial<{
  slug: string;
  version: string;
  name: string;
  provenance: string;
}>;

export type ReadFramework = {
  format: FrameworkImportFormat;
  /** null when the items could not be read at all (the issues say why). */
  items: Row[] | null;
  roles: Row[] | null;
  meta: FileMeta;
};

export type Upload = { name: string; bytes: Uint8Array };

/** The shared reader's limits for a framework: one upload, and the longer of the two tables. */
const TABLE_LIMITS: TableLimits = {
  maxBytes: LIMITS.fileBytes,
  maxUnpackedBytes: LIMITS.xlsxUnpackedBytes,
  maxZipEntries: 500,
  maxRows: Math.max(LIMITS.items, LIMITS.roles),
};

/** The shared reader's file problems as this report's kinds. */
const KIND: Record<TableErrorCode, IssueKind> = {
  empty: 'empty',
  too_large: 'too_large',
  xls: 'bad_file',
  bad_xlsx: 'bad_file',
  bad_csv: 'bad_file',
  encoding: 'encoding',
};

export function sniffFormat(file: Upload): FrameworkImportFormat | 'xls' {
  const kind = sniffTable(file.bytes);
  if (kind !== 'text') return kind;
  const head = new TextDecoder('utf-8').decode(file.bytes.subarray(0, 64)).replace(/^\uFEFF/, '');
  if (/^\s*[{[]/.test(head) || /\.json$/i.test(file.name)) return 'json';
  return 'csv';
}

/**
 * A text file (JSON) under the shared encoding policy: UTF-8 as it is (a BOM is dropped), Shift_JIS decoded
 * with a warning, anything else (UTF-16…) an error saying how to save the file again.
 */
export function decodeText(file: Upload, issues: IssueList): string | null {
  const decoded = decodeUploadText(file.bytes);
  if (!decoded.ok) {
    issues.error('encoding', file.name, decoded.error.message);
    return null;
  }
  if (decoded.notice) issues.warn('encoding', file.name, decoded.notice.message);
  return decoded.text;
}

/**
 * Turns a grid (header row first) into rows keyed by column. Missing required columns and repeated ones are
 * errors (the table is not used); unknown headers are warnings and their cells are ignored. Blank rows are
 * skipped. `rowNumbers[i]` is the sheet's own number of grid row i.
 */
export function tableFromGrid(
  source: string,
  grid: Cell[][],
  columns: readonly ColumnDef[],
  issues: IssueList,
  rowNumbers: number[] = grid.map((_, i) => i + 1),
): Row[] | null {
  const header = grid[0];
  if (!header || header.every((c) => !c.text.trim())) {
    issues.error('empty', source, '見出し行(1行目)がありません。テンプレートの見出しを使ってください。');
    return null;
  }
  const keys: (string | undefined)[] = [];
  let ok = true;
  header.forEach((cell, i) => {
    const text = cell.text.trim();
    if (!text) return;
    const key = headerKey(text, columns);
    if (!key) {
      issues.warn('unknown_column', source, `見出し「${text}」は使われない列のため無視します。`, {
        column: text,
      });
      return;
    }
    if (keys.includes(key)) {
      issues.error('duplicate_column', source, `列「${text}」が2つあります。`, { column: text });
      ok = false;
    }
    keys[i] = key;
  });
  for (const c of columns) {
    if (c.required && !keys.includes(c.key)) {
      issues.error('missing_column', source, `必須の列「${c.label}」(${c.key})がありません。`, {
        column: c.label,
      });
      ok = false;
    }
  }
  if (!ok) return null;
  const rows: Row[] = [];
  grid.slice(1).forEach((cells, i) => {
    if (cells.every((c) => !c.text.trim() && !c.formula)) return;
    const row: Row = { at: rowAt(source, rowNumbers[i + 1] ?? i + 2), cells: {} };
    cells.forEach((cell, col) => {
      const key = keys[col];
      if (key) row.cells[key] = cell;
    });
    rows.push(row);
  });
  return rows;
}

/** A sheet as a table; a sheet longer than `limit` rows is refused as a whole. */
function sheetTable(
  source: string,
  sheet: TableSheet,
  columns: readonly ColumnDef[],
  limit: number,
  issues: IssueList,
): Row[] | null {
  if (!sheet.rows || sheet.rowCount > limit + 1) {
    issues.error('too_many_rows', source, `行が多すぎます(${limit}行まで)。`);
    return null;
  }
  return tableFromGrid(
    source,
    sheet.rows.map((r) => r.cells),
    columns,
    issues,
    sheet.rows.map((r) => r.rowNumber),
  );
}

async function readCsvTable(
  file: Upload,
  columns: readonly ColumnDef[],
  limit: number,
  issues: IssueList,
): Promise<Row[] | null> {
  const read = await readTableFile(file.bytes, TABLE_LIMITS);
  if (!read.ok) {
    issues.error(KIND[read.error.code], file.name, read.error.message);
    return null;
  }
  for (const n of read.notices) issues.warn('encoding', file.name, n.message);
  const [sheet] = read.sheets;
  return sheet ? sheetTable(file.name, sheet, columns, limit, issues) : null;
}

async function readXlsx(file: Upload, issues: IssueList): Promise<Pick<ReadFramework, 'items' | 'roles'>> {
  const read = await readTableFile(file.bytes, TABLE_LIMITS, { sheets: 'all' });
  if (!read.ok) {
    issues.error(KIND[read.error.code], file.name, read.error.message);
    return { items: null, roles: null };
  }
  const named = (names: string[]) =>
    read.sheets.find((ws) => names.includes((ws.name ?? '').normalize('NFKC').trim().toLowerCase()));
  const itemsSheet = named(ITEMS_SHEETS) ?? read.sheets[0];
  if (!itemsSheet) {
    issues.error('empty', file.name, 'シートがありません。');
    return { items: null, roles: null };
  }
  const rolesSheet = named(ROLES_SHEETS);
  const table = (ws: TableSheet, columns: readonly ColumnDef[], limit: number) =>
    sheetTable(`「${ws.name}」シート`, ws, columns, limit, issues);
  return {
    items: table(itemsSheet, ITEM_COLUMNS, LIMITS.items),
    roles: rolesSheet && rolesSheet !== itemsSheet ? table(rolesSheet, ROLE_COLUMNS, LIMITS.roles) : null,
  };
}

/**
 * Reads the upload: `file` holds the items (and, as XLSX, maybe a roles sheet; as JSON, maybe `roles`);
 * `rolesFile` is an optional CSV of roles beside a CSV of items.
 */
export async function readFrameworkUpload(
  file: Upload,
  rolesFile: Upload | null,
  issues: IssueList,
): Promise<ReadFramework> {
  const format = sniffFormat(file);
  if (format === 'xls') {
    issues.error(
      'bad_file',
      file.name,
      'Excel 97-2003形式(.xls)は読めません。.xlsx 形式で保存し直してください。',
    );
    return { format: 'xlsx', items: null, roles: null, meta: {} };
  }
  if (rolesFile && format !== 'csv') {
    issues.warn(
      'unknown_column',
      rolesFile.name,
      'ロールのCSVは、スキル項目をCSVで送るときだけ使います。無視しました。',
    );
  }
  if (format === 'json') {
    const text = decodeText(file, issues);
    if (text === null) return { format, items: null, roles: null, meta: {} };
    return { format, ...readFrameworkJson(file.name, text, issues) };
  }
  if (format === 'xlsx') return { format, ...(await readXlsx(file, issues)), meta: {} };
  const items = await readCsvTable(file, ITEM_COLUMNS, LIMITS.items, issues);
  if (rolesFile && sniffFormat(rolesFile) !== 'csv') {
    issues.error('bad_file', rolesFile.name, 'ロールのファイルはCSVにしてください。');
    return { format, items, roles: null, meta: {} };
  }
  const roles = rolesFile ? await readCsvTable(rolesFile, ROLE_COLUMNS, LIMITS.roles, issues) : null;
  return { format, items, roles, meta: {} };
}
