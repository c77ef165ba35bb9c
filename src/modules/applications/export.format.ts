import ExcelJS from 'exceljs';
import { looksLikeFormula } from '../../lib/csv.js';

/**
 * XLSX for the desk's exports (ARCHITECTURE.md: exceljs). Every cell is written as a string with the text
 * number format, so Excel neither reads 0012 as 12 nor a date into a serial number, and a formula-like value
 * is neutralised with a leading apostrophe — the same rule lib/csv.ts applies to CSV (OWASP CSV injection):
 * a string cell is not a formula in the file, but it becomes one when someone edits it or saves the sheet
 * as CSV. Names in any script (髙, 𠮷 outside the BMP, emoji) are stored as UTF-8 XML text and survive.
 */

export function neutralise(value: string): string {
  return looksLikeFormula(value) ? `'${value}` : value;
}

/** Excel refuses these characters in cell XML (XML 1.0); a stray one would make the file unreadable. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing what XML 1.0 forbids is the point
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/** Excel's limit for one cell's text. */
const CELL_MAX = 32_767;

export function xlsxCell(value: string | number | null | undefined): string {
  const s = value === null || value === undefined ? '' : String(value);
  return neutralise(s.replace(XML_FORBIDDEN, '')).slice(0, CELL_MAX);
}

/** A workbook with one sheet: a bold, frozen header row and the rows below it, all text. */
export async function toXlsx(
  rows: readonly (readonly (string | number | null | undefined)[])[],
  opts: { sheetName: string; title: string },
): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'dxq';
  wb.title = opts.title;
  // Fixed dates keep two exports of the same data byte-comparable apart from the data itself.
  wb.created = new Date(0);
  wb.modified = new Date(0);
  const ws = wb.addWorksheet(opts.sheetName.replace(/[\\/?*[\]:]/g, ' ').slice(0, 31) || 'Sheet1', {
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  const widths: number[] = [];
  rows.forEach((cells, i) => {
    const row = ws.addRow(cells.map(xlsxCell));
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      cell.numFmt = '@';
      // Roughly: wide (CJK) characters take two columns of width; cap so long answers do not dominate.
      const len = [...String(cell.value ?? '')].reduce((n, ch) => n + (ch.charCodeAt(0) > 0xff ? 2 : 1), 0);
      widths[col - 1] = Math.min(Math.max(widths[col - 1] ?? 8, len + 2), 60);
    });
    if (i === 0) row.font = { bold: true };
  });
  widths.forEach((w, i) => {
    ws.getColumn(i + 1).width = w;
  });
  const buf = await wb.xlsx.writeBuffer();
  return new Uint8Array(buf as ArrayBuffer);
}
