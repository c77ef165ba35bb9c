import ExcelJS from 'exceljs';

/**
 * Reading a completion list (issue 4 §4): CSV (UTF-8 with or without BOM; Shift_JIS, what Excel's plain
 * 「CSV(コンマ区切り)」 writes in Japan, is recognised and decoded) or XLSX (the first sheet), told apart by
 * content, not by file name. The header row names the columns (Japanese or English, see COLUMNS). Nothing here
 * judges a value beyond reading it: issuance-plan.ts checks each row. Formula cells are flagged, never
 * evaluated (XLSX formulas, and CSV cells that a spreadsheet would run as one).
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
  encoding: 'utf-8' | 'shift_jis' | null;
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

/** Cells a spreadsheet would read as a formula (OWASP CSV injection), full-width forms included. */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

export function looksLikeFormula(text: string): boolean {
  return FORMULA_START.test(text);
}

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0];
const startsWith = (b: Uint8Array, sig: number[]) => sig.every((x, i) => b[i] === x);

export async function readCompletionList(file: { name: string; bytes: Uint8Array }): Promise<CompletionList> {
  const fail = (format: 'csv' | 'xlsx', code: string, message: string): CompletionList => ({
    format,
    encoding: null,
    columns: [],
    rows: [],
    errors: [{ code, message }],
    notices: [],
  });
  if (file.bytes.length === 0) return fail('csv', 'empty', 'ファイルが空です。');
  if (file.bytes.length > MAX_LIST_BYTES) {
    return fail('csv', 'too_large', `ファイルが大きすぎます(${MAX_LIST_BYTES / 1024 / 1024}MB まで)。`);
  }
  if (startsWith(file.bytes, OLE)) {
    return fail(
      'xlsx',
      'xls',
      'Excel 97-2003 形式(.xls)は読めません。.xlsx 形式か CSV で保存し直してください。',
    );
  }
  if (startsWith(file.bytes, ZIP)) {
    const grid = await readXlsx(file.bytes);
    if ('error' in grid) return fail('xlsx', grid.error.code, grid.error.message);
    return fromGrid('xlsx', null, grid.rows);
  }
  const decoded = decodeText(file.bytes);
  if ('error' in decoded) return fail('csv', decoded.error.code, decoded.error.message);
  const parsed = parseCsv(decoded.text);
  if (parsed.unterminated) {
    return fail('csv', 'bad_csv', '閉じられていない「"」があります。CSV の形式を確認してください。');
  }
  const list = fromGrid(
    'csv',
    decoded.encoding,
    parsed.rows.map((cells, i) => ({
      rowNumber: i + 1,
      cells: cells.map((text) => ({ text, formula: looksLikeFormula(text) })),
    })),
  );
  if (decoded.encoding === 'shift_jis') {
    list.notices.unshift({
      code: 'shift_jis',
      message:
        'ファイルを Shift_JIS として読み込みました。氏名などが正しく読めているか確認してください(「CSV UTF-8」で保存すると確実です)。',
    });
  }
  return list;
}

/** UTF-8 (a BOM is dropped); otherwise Shift_JIS if the bytes are valid Shift_JIS; UTF-16 is refused. */
function decodeText(
  bytes: Uint8Array,
): { text: string; encoding: 'utf-8' | 'shift_jis' } | { error: FileProblem } {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return {
      error: {
        code: 'encoding',
        message:
          '文字コードが UTF-16 です。UTF-8 で保存し直してください(Excel では「CSV UTF-8(コンマ区切り)」)。',
      },
    };
  }
  try {
    return {
      text: new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, ''),
      encoding: 'utf-8',
    };
  } catch {
    // not UTF-8: try Shift_JIS (the WHATWG decoder covers Windows-31J, what Excel writes)
  }
  try {
    return { text: new TextDecoder('shift_jis', { fatal: true }).decode(bytes), encoding: 'shift_jis' };
  } catch {
    return {
      error: {
        code: 'encoding',
        message:
          '文字コードを判別できません。UTF-8 で保存し直してください(Excel では「CSV UTF-8(コンマ区切り)」)。',
      },
    };
  }
}

/** RFC 4180: quoted fields may hold commas, doubled quotes and line breaks; CRLF or LF line ends. */
export function parseCsv(text: string): { rows: string[][]; unterminated: boolean } {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let started = false;
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

type GridRow = { rowNumber: number; cells: ListCell[] };

function fromGrid(
  format: 'csv' | 'xlsx',
  encoding: 'utf-8' | 'shift_jis' | null,
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

// ——— XLSX ———

/**
 * What the ZIP says it unpacks to, from its central directory, before anything is inflated: a small upload
 * that would unpack to gigabytes is refused unopened (the unpacker then checks each entry against its claim).
 */
function zipUnpackedSize(bytes: Uint8Array): number | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  const entries = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  if (entries === 0xffff || entries > 1000) return Number.POSITIVE_INFINITY;
  let total = 0;
  for (let n = 0; n < entries; n++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50) return null;
    const unpacked = view.getUint32(at + 24, true);
    if (unpacked === 0xffffffff) return Number.POSITIVE_INFINITY;
    total += unpacked;
    at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return total;
}

/** An exceljs cell as text; formulas (and their error values) are flagged, never evaluated. */
function xlsxCell(cell: ExcelJS.Cell): ListCell {
  const v = cell.value;
  if (v === null || v === undefined) return { text: '', formula: false };
  if (typeof v === 'string') return { text: v, formula: looksLikeFormula(v) };
  if (typeof v === 'number' || typeof v === 'boolean') return { text: String(v), formula: false };
  if (v instanceof Date) return { text: v.toISOString().slice(0, 10), formula: false };
  if ('formula' in v || 'sharedFormula' in v) return { text: cell.text ?? '', formula: true };
  if ('error' in v) return { text: String(v.error), formula: true };
  if ('richText' in v) {
    const text = v.richText.map((t) => t.text).join('');
    return { text, formula: looksLikeFormula(text) };
  }
  // A typed e-mail address often becomes a mailto: hyperlink cell: its displayed text is the address.
  if ('hyperlink' in v) {
    const text = typeof v.text === 'string' ? v.text : (cell.text ?? '');
    return { text, formula: looksLikeFormula(text) };
  }
  return { text: cell.text ?? '', formula: false };
}

async function readXlsx(bytes: Uint8Array): Promise<{ rows: GridRow[] } | { error: FileProblem }> {
  const unreadable = {
    error: { code: 'bad_xlsx', message: 'XLSX ファイルとして読めません。Excel で保存し直してください。' },
  };
  const unpacked = zipUnpackedSize(bytes);
  if (unpacked === null) return unreadable;
  if (unpacked > MAX_XLSX_UNPACKED_BYTES) {
    return {
      error: {
        code: 'too_large',
        message: 'XLSX の展開後のサイズが大きすぎます。行や書式を減らしてください。',
      },
    };
  }
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    );
  } catch {
    return unreadable;
  }
  const ws = wb.worksheets[0];
  if (!ws) return { error: { code: 'empty', message: 'シートがありません。' } };
  if (ws.actualRowCount > MAX_LIST_ROWS + 1) {
    return {
      error: {
        code: 'too_many_rows',
        message: `行が多すぎます(${MAX_LIST_ROWS}行まで)。ファイルを分けてください。`,
      },
    };
  }
  const width = Math.min(Math.max(ws.columnCount, 1), 50);
  const rows: GridRow[] = [];
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: ListCell[] = [];
    for (let col = 1; col <= width; col++) cells.push(xlsxCell(row.getCell(col)));
    rows.push({ rowNumber, cells });
  });
  return { rows };
}
