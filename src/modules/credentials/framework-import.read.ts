import ExcelJS from 'exceljs';
import type { FrameworkImportFormat } from '../../db/schema-frameworks.js';
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
import { type IssueList, rowAt } from './framework-import.report.js';
import { checkZipSize } from './zip-size.js';

/**
 * Reads an uploaded framework (JSON, CSV or XLSX, told apart by content, not by name) into rows keyed by
 * column, each with where it came from. Nothing here decides whether a value is acceptable beyond what
 * reading needs (encoding, header row): framework-import.check.ts does that, the same way for every format.
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

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0]; // Excel 97-2003 .xls
const startsWith = (b: Uint8Array, sig: number[]) => sig.every((x, i) => b[i] === x);

export function sniffFormat(file: Upload): FrameworkImportFormat | 'xls' {
  if (startsWith(file.bytes, ZIP)) return 'xlsx';
  if (startsWith(file.bytes, OLE)) return 'xls';
  const head = new TextDecoder('utf-8').decode(file.bytes.subarray(0, 64)).replace(/^\uFEFF/, '');
  if (/^\s*[{[]/.test(head) || /\.json$/i.test(file.name)) return 'json';
  return 'csv';
}

/**
 * UTF-8 text (a BOM is dropped). Shift_JIS, what Excel's plain "CSV" saves in Japan, and UTF-16 are told
 * apart and refused with a message that says how to save the file again.
 */
export function decodeText(file: Upload, issues: IssueList): string | null {
  const b = file.bytes;
  if ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff)) {
    issues.error(
      'encoding',
      file.name,
      'ファイルの文字コードがUTF-16です。UTF-8で保存し直してください(Excelでは「CSV UTF-8(コンマ区切り)」)。',
    );
    return null;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b).replace(/^\uFEFF/, '');
  } catch {
    let sjis = false;
    try {
      new TextDecoder('shift_jis', { fatal: true }).decode(b);
      sjis = true;
    } catch {
      // neither UTF-8 nor Shift_JIS
    }
    issues.error(
      'encoding',
      file.name,
      sjis
        ? 'ファイルの文字コードがShift_JISのようです。UTF-8で保存し直してください(Excelでは「CSV UTF-8(コンマ区切り)」で保存)。'
        : 'ファイルの文字コードがUTF-8ではありません。UTF-8で保存し直してください。',
    );
    return null;
  }
}

/** RFC 4180: quoted fields may hold commas, quotes ("") and line breaks; CRLF or LF line ends. */
export function parseCsv(text: string): { rows: string[][]; unterminated: boolean } {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let started = false; // anything on the current record yet
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch !== '"') field += ch;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
      continue;
    }
    started = true;
    if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      started = false;
    } else field += ch;
  }
  if (started || quoted) {
    row.push(field);
    rows.push(row);
  }
  return { rows, unterminated: quoted };
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

function readCsvTable(file: Upload, columns: readonly ColumnDef[], issues: IssueList): Row[] | null {
  const text = decodeText(file, issues);
  if (text === null) return null;
  const { rows, unterminated } = parseCsv(text);
  if (unterminated) {
    issues.error('bad_file', file.name, '閉じられていない「"」があります。CSVの形式を確認してください。');
    return null;
  }
  return tableFromGrid(
    file.name,
    rows.map((r) => r.map((text) => ({ text }))),
    columns,
    issues,
  );
}

/** An exceljs cell as text; formulas (and their error values) and numbers are flagged. */
function xlsxCell(cell: ExcelJS.Cell): Cell {
  const v = cell.value;
  if (v === null || v === undefined) return { text: '' };
  if (typeof v === 'string') return { text: v };
  if (typeof v === 'number') return { text: String(v), numeric: true };
  if (typeof v === 'boolean') return { text: String(v) };
  if (v instanceof Date) return { text: v.toISOString().slice(0, 10) };
  if ('formula' in v || 'sharedFormula' in v) {
    const r = v.result;
    const text =
      r === undefined || r === null ? '' : typeof r === 'object' && 'error' in r ? r.error : String(r);
    return { text, formula: true };
  }
  if ('error' in v) return { text: v.error, formula: true };
  if ('richText' in v) return { text: v.richText.map((t) => t.text).join('') };
  if ('hyperlink' in v) return { text: typeof v.text === 'string' ? v.text : cell.text };
  return { text: cell.text };
}

function sheetGrid(ws: ExcelJS.Worksheet): { grid: Cell[][]; numbers: number[] } {
  const grid: Cell[][] = [];
  const numbers: number[] = [];
  const width = Math.max(ws.getRow(1).cellCount, 1);
  ws.eachRow({ includeEmpty: false }, (row, n) => {
    const cells: Cell[] = [];
    for (let col = 1; col <= width; col++) cells.push(xlsxCell(row.getCell(col)));
    grid.push(cells);
    numbers.push(n);
  });
  return { grid, numbers };
}

async function readXlsx(file: Upload, issues: IssueList): Promise<Pick<ReadFramework, 'items' | 'roles'>> {
  const none = { items: null, roles: null };
  const size = checkZipSize(file.bytes, LIMITS.xlsxUnpackedBytes);
  if (size !== 'ok') {
    if (size === 'too_large')
      issues.error(
        'too_large',
        file.name,
        'XLSXの展開後のサイズが大きすぎます。行や書式を減らしてください。',
      );
    else issues.error('bad_file', file.name, 'XLSXファイルとして読めません。Excelで保存し直してください。');
    return none;
  }
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(
      file.bytes.buffer.slice(
        file.bytes.byteOffset,
        file.bytes.byteOffset + file.bytes.byteLength,
      ) as ArrayBuffer,
    );
  } catch {
    issues.error('bad_file', file.name, 'XLSXファイルとして読めません。Excelで保存し直してください。');
    return none;
  }
  const named = (names: string[]) =>
    wb.worksheets.find((ws) => names.includes(ws.name.normalize('NFKC').trim().toLowerCase()));
  const itemsSheet = named(ITEMS_SHEETS) ?? wb.worksheets[0];
  if (!itemsSheet) {
    issues.error('empty', file.name, 'シートがありません。');
    return none;
  }
  const rolesSheet = named(ROLES_SHEETS);
  const table = (ws: ExcelJS.Worksheet, columns: readonly ColumnDef[], limit: number) => {
    const source = `「${ws.name}」シート`;
    if (ws.actualRowCount > limit + 1) {
      issues.error('too_many_rows', source, `行が多すぎます(${limit}行まで)。`);
      return null;
    }
    const { grid, numbers } = sheetGrid(ws);
    return tableFromGrid(source, grid, columns, issues, numbers);
  };
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
  const items = readCsvTable(file, ITEM_COLUMNS, issues);
  if (rolesFile && sniffFormat(rolesFile) !== 'csv') {
    issues.error('bad_file', rolesFile.name, 'ロールのファイルはCSVにしてください。');
    return { format, items, roles: null, meta: {} };
  }
  const roles = rolesFile ? readCsvTable(rolesFile, ROLE_COLUMNS, issues) : null;
  return { format, items, roles, meta: {} };
}
