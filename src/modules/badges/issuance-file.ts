import { looksLikeFormula } from '../../lib/csv.js';
import { readTableFile, type TextEncodingName } from '../../lib/table-file.js';

/**
 * Reading a completion list (issue 4 §4): CSV or XLSX (the first sheet), read by the shared table reader
 * (lib/table-file.ts), which also holds the encoding policy (UTF-8 with or without BOM; Shift_JIS, what Excel's
 * plain 「CSV(コンマ区切り)」 writes in Japan, decoded with a notice; anything else refused). The header row
 * names the columns (Japanese or English, see COLUMNS). Nothing here judges a value beyond reading it:
 * issuance-plan.service.ts checks each row. Formula cells are flagged, never evaluated (XLSX formulas, and
 * cells that a spreadsheet would run as one).
 */

export const MAX_LIST_BYTES = 10 * 1024 * 1024;
export const MAX_LIST_ROWS = 10_000;
const MAX_XLSX_UNPACKED_BYTES = 100 * 1024 * 1024;

export type ListColumn = 'email' | 'name' | 'achievement' | 'evidenceUrl' | 'narrative';
export type ListCell = { text: string; formula: boolean };
export type ListRow = { rowNumber: number; cells: Partial<Record<ListColumn, ListCell>> };
export type FileProblem = { code: string; message: string };
export type CompletionList = {
  format: 'csv' | 'xlsx';
  encoding: TextEncodingName | null;
  columns: ListColumn[];
  rows: ListRow[];
  /** Errors: when any, `rows` is empty and nothing from the file can be issued. */
  errors: FileProblem[];
  /** Notices that do not stop anything (ignored columns, the encoding we read). */
  notices: FileProblem[];
};

/** Header names accepted per column, compared after NFKC, lower-casing and removing spaces, `-` and `_`. */
export const COLUMNS: Record<ListColumn, { label: string; aliases: string[] }> = {
  email: {
    label: 'メールアドレス',
    aliases: ['email', 'mail', 'emailaddress', 'メールアドレス', 'メール', 'eメール'],
  },
  name: { label: '氏名', aliases: ['name', 'fullname', '氏名', '名前', 'お名前', '受講者名'] },
  achievement: {
    label: 'バッジ',
    aliases: ['achievement', 'badge', 'achievementkey', 'バッジ', 'バッジid', 'バッジキー', '修了証'],
  },
  evidenceUrl: {
    label: '根拠URL',
    aliases: ['evidenceurl', 'evidence', 'url', '根拠url', 'エビデンスurl', 'エビデンス', '成果物url'],
  },
  narrative: { label: '所見', aliases: ['narrative', '所見', 'コメント', '説明'] },
};

function headerKey(text: string): ListColumn | null {
  const key = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_-]+/g, '');
  for (const [column, def] of Object.entries(COLUMNS) as [ListColumn, (typeof COLUMNS)[ListColumn]][]) {
    if (def.aliases.includes(key)) return column;
  }
  return null;
}

/**
 * Reads the list through the shared table reader (lib/table-file.ts: size and zip-bomb limits, CSV and XLSX,
 * the encoding policy), then maps its header row to our columns. A cell is a formula when the XLSX has one
 * there, or when its text is one a spreadsheet would run (OWASP CSV injection; numbers such as -5 are not).
 */
export async function readCompletionList(file: { name: string; bytes: Uint8Array }): Promise<CompletionList> {
  const read = await readTableFile(file.bytes, {
    maxBytes: MAX_LIST_BYTES,
    maxUnpackedBytes: MAX_XLSX_UNPACKED_BYTES,
    maxRows: MAX_LIST_ROWS,
  });
  const fail = (code: string, message: string): CompletionList => ({
    format: read.format,
    encoding: null,
    columns: [],
    rows: [],
    errors: [{ code, message }],
    notices: [],
  });
  if (!read.ok) return fail(read.error.code, read.error.message);
  const rows = read.sheets[0]?.rows;
  if (!rows) {
    return fail('too_many_rows', `行が多すぎます(${MAX_LIST_ROWS}行まで)。ファイルを分けてください。`);
  }
  const list = fromGrid(
    read.format,
    read.encoding,
    rows.map((r) => ({
      rowNumber: r.rowNumber,
      cells: r.cells.map((c) => ({
        text: c.text,
        formula: c.formula || (!c.numeric && looksLikeFormula(c.text)),
      })),
    })),
  );
  list.notices.unshift(...read.notices);
  return list;
}

type GridRow = { rowNumber: number; cells: ListCell[] };

function fromGrid(
  format: 'csv' | 'xlsx',
  encoding: TextEncodingName | null,
  grid: GridRow[],
): CompletionList {
  const list: CompletionList = { format, encoding, columns: [], rows: [], errors: [], notices: [] };
  const nonEmpty = grid.filter((r) => r.cells.some((c) => c.text.trim() || c.formula));
  const [header, ...body] = nonEmpty;
  if (!header) {
    list.errors.push({ code: 'empty', message: '見出し行と受領者の行がありません。' });
    return list;
  }
  const keys: (ListColumn | null)[] = header.cells.map((cell) => {
    const text = cell.text.trim();
    if (!text) return null;
    const key = headerKey(text);
    if (!key) {
      list.notices.push({
        code: 'unknown_column',
        message: `列「${text.slice(0, 50)}」は使わないため無視します。`,
      });
      return null;
    }
    if (list.columns.includes(key)) {
      list.errors.push({ code: 'duplicate_column', message: `列「${COLUMNS[key].label}」が2つあります。` });
    }
    list.columns.push(key);
    return key;
  });
  for (const required of ['email', 'name'] as const) {
    if (!list.columns.includes(required)) {
      list.errors.push({
        code: 'missing_column',
        message: `必須の列「${COLUMNS[required].label}」がありません(見出し行に「${COLUMNS[required].label}」または「${required}」と書いてください)。`,
      });
    }
  }
  if (body.length > MAX_LIST_ROWS) {
    list.errors.push({
      code: 'too_many_rows',
      message: `行が多すぎます(${MAX_LIST_ROWS}行まで)。ファイルを分けてください。`,
    });
  }
  if (list.errors.length > 0) return list;
  if (body.length === 0) {
    list.errors.push({ code: 'empty', message: '受領者の行がありません。' });
    return list;
  }
  list.rows = body.map((r) => {
    const row: ListRow = { rowNumber: r.rowNumber, cells: {} };
    r.cells.forEach((cell, i) => {
      const key = keys[i];
      if (key) row.cells[key] = cell;
    });
    return row;
  });
  return list;
}
