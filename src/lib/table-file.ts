import ExcelJS from 'exceljs';
import { checkZip } from './zip-guard.js';

/**
 * The one reader of uploaded tables (completion lists, skill frameworks): CSV or XLSX, told apart by content,
 * never by file name. It reads; it does not judge values (each module checks its own columns and rows).
 *
 * - Size: the upload, then (XLSX) what the ZIP unpacks to, guarded before exceljs opens it (zip-guard.ts).
 * - CSV: RFC 4180 (quoted fields hold commas, doubled quotes and line breaks; CRLF or LF).
 * - Encoding, one policy for every text upload: UTF-8, with or without a BOM, is read as it is; bytes that are
 *   not UTF-8 but are valid Shift_JIS are decoded as Shift_JIS with a notice, because Excel in Japan saves
 *   plain 「CSV(コンマ区切り)」 as Shift_JIS (the WHATWG decoder is Windows-31J, i.e. CP932: NEC and IBM
 *   extensions such as ① and 髙 included); anything else (UTF-16, binary, other encodings) is refused with a
 *   message saying how to save the file again.
 * - Formulas: XLSX formula cells (and error values) are flagged with their cached result as text, never
 *   evaluated. Text that a spreadsheet would run as a formula is for the caller to refuse (csv.ts
 *   `looksLikeFormula`): a CSV has no formula cells, only such text.
 */

export type TableFormat = 'csv' | 'xlsx';
export type TextEncodingName = 'utf-8' | 'shift_jis';

/** One cell: its text; `formula` for an XLSX formula or error cell; `numeric` for an XLSX number. */
export type TableCell = { text: string; formula: boolean; numeric: boolean };
/** `rowNumber`: the row as the sheet numbers it (a CSV's record number, from 1). */
export type TableRow = { rowNumber: number; cells: TableCell[] };
/**
 * One sheet (a CSV is one sheet with name null). `rowCount` counts rows with a value; when it is beyond the
 * limit the rows are not read (`rows` null) and the caller says the sheet is too long.
 */
export type TableSheet = { name: string | null; rowCount: number; rows: TableRow[] | null };

export type TableErrorCode = 'empty' | 'too_large' | 'xls' | 'bad_xlsx' | 'bad_csv' | 'encoding';
export type TableProblem<C extends string = TableErrorCode> = { code: C; message: string };
export type TableNotice = TableProblem<'shift_jis'>;

export type TableFile =
  | {
      ok: true;
      format: TableFormat;
      /** How a CSV's bytes were decoded; null for XLSX. */
      encoding: TextEncodingName | null;
      /** At least one sheet: the first only, or all of them (`sheets: 'all'`). */
      sheets: TableSheet[];
      notices: TableNotice[];
    }
  | { ok: false; format: TableFormat; error: TableProblem };

export type TableLimits = {
  /** The upload itself. */
  maxBytes: number;
  /** What an XLSX may unpack to, in total. */
  maxUnpackedBytes: number;
  /** Entries of an XLSX's ZIP. Default 1000. */
  maxZipEntries?: number;
  /** Rows after the header row, per sheet; a longer sheet is not read (its `rows` is null). */
  maxRows: number;
  /** Columns read from an XLSX sheet (a stray cell in column XFD must not make 16,384 cells a row). Default 50. */
  maxColumns?: number;
};

const SAVE_AS_UTF8 = 'UTF-8 で保存し直してください(Excel では「CSV UTF-8(コンマ区切り)」)。';

export const TABLE_MESSAGES = {
  empty: 'ファイルが空です。',
  tooLarge: (bytes: number) => `ファイルが大きすぎます(${formatBytes(bytes)}まで)。`,
  xls: 'Excel 97-2003 形式(.xls)は読めません。.xlsx 形式か CSV UTF-8 で保存し直してください。',
  badXlsx: 'XLSX ファイルとして読めません。Excel で保存し直してください。',
  xlsxTooLarge: 'XLSX の展開後のサイズが大きすぎます。行や書式を減らしてください。',
  noSheet: 'シートがありません。',
  unterminated: '閉じられていない「"」があります。CSV の形式を確認してください。',
  utf16: `文字コードが UTF-16 です。${SAVE_AS_UTF8}`,
  nul: `文字ではないデータ(NUL)が含まれています。テキストの CSV ではないか、UTF-16 で保存されています。${SAVE_AS_UTF8}`,
  unknownEncoding: `文字コードを判別できません(UTF-8 でも Shift_JIS でもありません)。${SAVE_AS_UTF8}`,
  shiftJis:
    'ファイルを Shift_JIS として読み込みました。氏名などの文字が正しく読めているか確認してください(「CSV UTF-8(コンマ区切り)」で保存すると確実です)。',
} as const;

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${n / 1024 / 1024}MB` : `${Math.ceil(n / 1024)}KB`;
}

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0]; // Excel 97-2003 .xls (OLE compound file)
const startsWith = (b: Uint8Array, sig: number[]) => sig.every((x, i) => b[i] === x);

/** What the bytes are: a ZIP (XLSX), an old .xls, or text (CSV, JSON…). */
export function sniffTable(bytes: Uint8Array): 'xlsx' | 'xls' | 'text' {
  if (startsWith(bytes, ZIP)) return 'xlsx';
  if (startsWith(bytes, OLE)) return 'xls';
  return 'text';
}

export type DecodedText =
  | { ok: true; text: string; encoding: TextEncodingName; notice: TableNotice | null }
  | { ok: false; error: TableProblem<'encoding'> };

/** The encoding policy above, for any text upload (a BOM is dropped). */
export function decodeUploadText(bytes: Uint8Array): DecodedText {
  const refuse = (message: string): DecodedText => ({ ok: false, error: { code: 'encoding', message } });
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return refuse(TABLE_MESSAGES.utf16);
  }
  let decoded: { text: string; encoding: TextEncodingName } | null = null;
  for (const encoding of ['utf-8', 'shift_jis'] as const) {
    try {
      decoded = { text: new TextDecoder(encoding, { fatal: true }).decode(bytes), encoding };
      break;
    } catch {
      // not this encoding: try the next
    }
  }
  if (!decoded) return refuse(TABLE_MESSAGES.unknownEncoding);
  // NUL is valid in both, but never in a text table: UTF-16 without a BOM, or a binary file.
  if (decoded.text.includes('\u0000')) return refuse(TABLE_MESSAGES.nul);
  return {
    ok: true,
    text: decoded.text.replace(/^\uFEFF/, ''),
    encoding: decoded.encoding,
    notice: decoded.encoding === 'shift_jis' ? { code: 'shift_jis', message: TABLE_MESSAGES.shiftJis } : null,
  };
}

/** RFC 4180: quoted fields may hold commas, doubled quotes and line breaks; CRLF, LF or CR line ends. */
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

const hasValue = (cells: readonly { text: string }[]) => cells.some((c) => c.text.trim() !== '');

/** Reads an uploaded table within `limits`. Never throws for what is in the file. */
export async function readTableFile(
  bytes: Uint8Array,
  limits: TableLimits,
  opts: { sheets?: 'first' | 'all' } = {},
): Promise<TableFile> {
  const kind = sniffTable(bytes);
  const format: TableFormat = kind === 'text' ? 'csv' : 'xlsx';
  const fail = (code: TableErrorCode, message: string): TableFile => ({
    ok: false,
    format,
    error: { code, message },
  });
  if (bytes.length === 0) return fail('empty', TABLE_MESSAGES.empty);
  if (bytes.length > limits.maxBytes) return fail('too_large', TABLE_MESSAGES.tooLarge(limits.maxBytes));
  if (kind === 'xls') return fail('xls', TABLE_MESSAGES.xls);
  if (kind === 'xlsx') return readXlsx(bytes, limits, opts.sheets ?? 'first');

  const decoded = decodeUploadText(bytes);
  if (!decoded.ok) return fail('encoding', decoded.error.message);
  const parsed = parseCsv(decoded.text);
  if (parsed.unterminated) return fail('bad_csv', TABLE_MESSAGES.unterminated);
  const rows = parsed.rows.map((cells, i) => ({
    rowNumber: i + 1,
    cells: cells.map((text) => ({ text, formula: false, numeric: false })),
  }));
  const rowCount = rows.filter((r) => hasValue(r.cells)).length;
  return {
    ok: true,
    format,
    encoding: decoded.encoding,
    sheets: [{ name: null, rowCount, rows: rowCount > limits.maxRows + 1 ? null : rows }],
    notices: decoded.notice ? [decoded.notice] : [],
  };
}

/** An exceljs cell as text; formulas (and their error values) are flagged with their cached result. */
function xlsxCell(cell: ExcelJS.Cell): TableCell {
  const v = cell.value;
  const plain = (text: string): TableCell => ({ text, formula: false, numeric: false });
  if (v === null || v === undefined) return plain('');
  if (typeof v === 'string') return plain(v);
  if (typeof v === 'number') return { text: String(v), formula: false, numeric: true };
  if (typeof v === 'boolean') return plain(String(v));
  if (v instanceof Date) return plain(v.toISOString().slice(0, 10));
  if ('formula' in v || 'sharedFormula' in v) {
    const r = v.result;
    const text =
      r === undefined || r === null
        ? ''
        : r instanceof Date
          ? r.toISOString().slice(0, 10)
          : typeof r === 'object' && 'error' in r
            ? r.error
            : String(r);
    return { text, formula: true, numeric: false };
  }
  if ('error' in v) return { text: String(v.error), formula: true, numeric: false };
  if ('richText' in v) return plain(v.richText.map((t) => t.text).join(''));
  // A typed e-mail address often becomes a mailto: hyperlink cell: its displayed text is the address.
  if ('hyperlink' in v) return plain(typeof v.text === 'string' ? v.text : (cell.text ?? ''));
  return plain(cell.text ?? '');
}

async function readXlsx(bytes: Uint8Array, limits: TableLimits, which: 'first' | 'all'): Promise<TableFile> {
  const fail = (code: TableErrorCode, message: string): TableFile => ({
    ok: false,
    format: 'xlsx',
    error: { code, message },
  });
  const zip = await checkZip(bytes, {
    maxUnpackedBytes: limits.maxUnpackedBytes,
    maxEntries: limits.maxZipEntries ?? 1000,
  });
  if (zip === 'too_large') return fail('too_large', TABLE_MESSAGES.xlsxTooLarge);
  if (zip === 'bad') return fail('bad_xlsx', TABLE_MESSAGES.badXlsx);
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    );
  } catch {
    return fail('bad_xlsx', TABLE_MESSAGES.badXlsx);
  }
  const worksheets = which === 'first' ? wb.worksheets.slice(0, 1) : wb.worksheets;
  if (worksheets.length === 0) return fail('empty', TABLE_MESSAGES.noSheet);
  const sheets = worksheets.map((ws): TableSheet => {
    const rowCount = ws.actualRowCount;
    if (rowCount > limits.maxRows + 1) return { name: ws.name, rowCount, rows: null };
    const width = Math.min(Math.max(ws.columnCount, 1), limits.maxColumns ?? 50);
    const rows: TableRow[] = [];
    ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
      const cells: TableCell[] = [];
      for (let col = 1; col <= width; col++) cells.push(xlsxCell(row.getCell(col)));
      rows.push({ rowNumber, cells });
    });
    return { name: ws.name, rowCount, rows };
  });
  return { ok: true, format: 'xlsx', encoding: null, sheets, notices: [] };
}
