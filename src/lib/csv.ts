/**
 * CSV for Japanese offices (ARCHITECTURE.md: UTF-8 with BOM out): Excel opens a BOM-less UTF-8 file as
 * Shift_JIS and garbles it. RFC 4180 otherwise: CRLF line ends, every cell quoted, quotes doubled.
 */
export const BOM = '\uFEFF';

/**
 * Cells a spreadsheet would read as a formula (CSV / formula injection, OWASP): leading = + - @, tab or CR.
 * The full-width ＝ ＋ － ＠ are included because Japanese Excel also starts a formula with them.
 */
export const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/** Whether a spreadsheet would run `text` as a formula (uploads refuse such cells; downloads neutralise them). */
export function looksLikeFormula(text: string): boolean {
  return FORMULA_START.test(text);
}

/** One cell: neutralised with a leading apostrophe when it could start a formula, then quoted. */
export function csvCell(value: string | number | boolean | null | undefined): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

export function csvRow(cells: readonly (string | number | boolean | null | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** A whole file: BOM, then one CRLF-terminated line per row. */
export function toCsv(rows: readonly (readonly (string | number | boolean | null | undefined)[])[]): string {
  return BOM + rows.map(csvRow).join('');
}
