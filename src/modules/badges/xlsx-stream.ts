import { xlsxCell } from '../applications/export.format.js';
import { zipStream } from './zip-writer.js';

/**
 * A one-sheet XLSX written as a stream, for exports too large to build in memory (the IPA export). The sheet's
 * rows come from an async iterable (a database page per step) and leave as zip chunks as they are compressed.
 *
 * Why not exceljs's streaming WorkbookWriter: it pushes each committed row into its zip without waiting for
 * the reader, so a slow download buffers the rest of the sheet in memory (and jszip's streaming deflates in
 * JavaScript, ~8 MB/s). Here the zip (zip-writer.ts) pulls the sheet's XML a page at a time only as its own
 * output is read, and the sheet pulls the next page from the database only then: about one page of rows is in
 * memory at a time, whatever the size of the export or the speed of the download.
 *
 * Cells follow export.format.ts (the desk's exceljs exports): every cell text with the text number format (@),
 * formula-like values neutralised with a leading apostrophe, characters XML 1.0 forbids removed, cut at Excel's
 * 32,767 characters; a bold, frozen header row. Strings are inline (no shared-string table to hold).
 */

export type XlsxCell = string | number | null | undefined;

export type XlsxSheet = {
  sheetName: string;
  title: string;
  header: readonly string[];
  /** Column widths in Excel's character units, in header order (the default where missing). */
  widths?: readonly number[];
};

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

/** Style indexes of styles.xml below: 1 = text (@), 2 = text and bold (the header). */
const TEXT = 1;
const HEADER = 2;

function escapeXml(s: string): string {
  if (!/[&<>"]/.test(s)) return s;
  return s.replace(/[&<>"]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;',
  );
}

/** A (0-based) column index as Excel's letters: 0 → A, 25 → Z, 26 → AA. */
export function columnName(index: number): string {
  let n = index + 1;
  let name = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    name = String.fromCharCode(65 + r) + name;
    n = Math.floor((n - 1) / 26);
  }
  return name;
}

const COLUMNS = Array.from({ length: 64 }, (_, i) => columnName(i));

function rowXml(rowNumber: number, cells: readonly XlsxCell[], style: number): string {
  let xml = `<row r="${rowNumber}">`;
  cells.forEach((value, i) => {
    const text = xlsxCell(value);
    const ref = `${COLUMNS[i] ?? columnName(i)}${rowNumber}`;
    // An empty cell keeps the text format (for a value typed in later) but holds no string.
    xml += text
      ? `<c r="${ref}" s="${style}" t="inlineStr"><is><t xml:space="preserve">${escapeXml(text)}</t></is></c>`
      : `<c r="${ref}" s="${style}"/>`;
  });
  return `${xml}</row>`;
}

async function* sheetXml(sheet: XlsxSheet, pages: AsyncIterable<readonly (readonly XlsxCell[])[]>) {
  const cols = sheet.header
    .map((_, i) => {
      const width = sheet.widths?.[i];
      return width ? `<col min="${i + 1}" max="${i + 1}" width="${width}" customWidth="1"/>` : '';
    })
    .join('');
  const utf8 = new TextEncoder();
  yield utf8.encode(
    `${XML_HEAD}<worksheet xmlns="${MAIN}" xmlns:r="${REL}">` +
      '<sheetViews><sheetView workbookViewId="0">' +
      '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' +
      '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>' +
      (cols ? `<cols>${cols}</cols>` : '') +
      `<sheetData>${rowXml(1, sheet.header, HEADER)}`,
  );
  let rowNumber = 1;
  for await (const rows of pages) {
    let xml = '';
    for (const cells of rows) xml += rowXml(++rowNumber, cells, TEXT);
    if (xml) yield utf8.encode(xml);
  }
  yield utf8.encode('</sheetData></worksheet>');
}

function staticParts(sheet: XlsxSheet): Record<string, string> {
  const name = escapeXml(sheet.sheetName.replace(/[\\/?*[\]:]/g, ' ').slice(0, 31) || 'Sheet1');
  return {
    '[Content_Types].xml':
      `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
      '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
      '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
      '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>' +
      '</Types>',
    '_rels/.rels':
      `${XML_HEAD}<Relationships xmlns="${PKG_REL}">` +
      `<Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/>` +
      `<Relationship Id="rId2" Type="${PKG_REL}/metadata/core-properties" Target="docProps/core.xml"/>` +
      '</Relationships>',
    'docProps/core.xml':
      `${XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">` +
      `<dc:title>${escapeXml(sheet.title)}</dc:title><dc:creator>dxq</dc:creator></cp:coreProperties>`,
    'xl/workbook.xml':
      `${XML_HEAD}<workbook xmlns="${MAIN}" xmlns:r="${REL}">` +
      `<sheets><sheet name="${name}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    'xl/_rels/workbook.xml.rels':
      `${XML_HEAD}<Relationships xmlns="${PKG_REL}">` +
      `<Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/>` +
      `<Relationship Id="rId2" Type="${REL}/styles" Target="styles.xml"/>` +
      '</Relationships>',
    'xl/styles.xml':
      `${XML_HEAD}<styleSheet xmlns="${MAIN}">` +
      '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>' +
      '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>' +
      '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
      '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
      '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
      '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
      '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
      '<xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1"/></cellXfs>' +
      '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
      '</styleSheet>',
  };
}

/**
 * The workbook's bytes, chunk by chunk, as they are read: the sheet's next page is pulled from `pages` only
 * when the reader wants more. Returning early (the download was cancelled) stops reading `pages`.
 */
export function xlsxStream(
  sheet: XlsxSheet,
  pages: AsyncIterable<readonly (readonly XlsxCell[])[]>,
): AsyncGenerator<Uint8Array> {
  const parts = Object.entries(staticParts(sheet)).map(([name, data]) => ({ name, data }));
  return zipStream([...parts, { name: 'xl/worksheets/sheet1.xml', stream: sheetXml(sheet, pages) }]);
}
