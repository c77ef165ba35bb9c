import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { xlsxCell } from '../applications/export.format.js';

/**
 * A one-sheet XLSX written as a stream by exceljs's streaming WorkbookWriter, for exports too large to build in
 * memory (the IPA export). The rows come from an async iterable (a database page per step); the file leaves as
 * the zip (archiver, inside exceljs) compresses it, and the next page is read only once the reader has taken
 * what was written before.
 *
 * Why the wait below: exceljs hands each committed row to the zip without waiting for it (its sheet buffer
 * ignores the return value of write()), so backpressure from the reader stops at the zip's input for the sheet.
 * Waiting for the readable side of the output stream alone is not enough: it empties on every read while the
 * unread sheet piles up behind it (measured: an 18 MB file read slowly had 30 MB waiting in the zip's input,
 * every page already read from the database). So before the next page is read, we wait until both the zip's
 * input for the sheet and the output hold less than BUFFER bytes; then at most about one page of rows is in
 * memory (its records and its XML), whatever the size of the export or the speed of the download.
 *
 * Cells follow export.format.ts (the desk's exceljs exports): every cell text with the text number format (@),
 * formula-like values neutralised with a leading apostrophe, characters XML 1.0 forbids removed, cut at Excel's
 * 32,767 characters; a bold, frozen header row. Strings are inline (a shared-string table would hold every
 * distinct value of the export in memory).
 */

export type XlsxCell = string | number | null | undefined;

export type XlsxSheet = {
  sheetName: string;
  title: string;
  header: readonly string[];
  /** Column widths in Excel's character units, in header order (the default where missing). */
  widths?: readonly number[];
  /** The workbook's creation time (docProps/core.xml); now when missing. */
  created?: Date;
};

/** Bytes the output and the zip's input for the sheet may hold before the next page is read. */
const BUFFER = 64 * 1024;
/** While waiting for room, check again on each read or after this long (the zip drains its input by itself). */
const RECHECK_MS = 20;

/**
 * The exceljs 4.4.0 internals the wait depends on (nothing public says how much of the sheet the zip has not
 * yet taken): the worksheet's buffer (`stream`, exceljs's StreamBuf) pipes into the PassThrough that archiver
 * wraps such a stream in, whose buffered length (`_writableState` + `_readableState`, readable-stream) is the
 * sheet's backlog; `zip` is the archiver, whose errors must reach the reader. Checked when each file starts,
 * so an upgrade that moves them fails loudly (every test in xlsx-stream.test.ts) rather than quietly
 * buffering whole exports again; package.json pins exceljs for this reason.
 */
type Buffered = { _writableState?: { length: number }; _readableState?: { length: number } };
type Internals = {
  ws: { stream?: { pipes?: Buffered[] } };
  wb: { zip?: { on(event: 'error', listener: (e: Error) => void): unknown } };
};

function internals(wb: unknown, ws: unknown) {
  const input = (ws as Internals['ws']).stream?.pipes?.[0];
  const zip = (wb as Internals['wb']).zip;
  const writable = input?._writableState;
  const readable = input?._readableState;
  if (!writable || !readable || typeof zip?.on !== 'function') {
    throw new Error(
      'xlsx-stream: exceljs no longer has the internals this file waits on (see xlsx-stream.ts)',
    );
  }
  return { backlog: () => writable.length + readable.length, zip };
}

/** A cell as written: text (xlsxCell's rules), or no value at all for an empty cell (it keeps the @ format). */
function cellValue(value: XlsxCell): string | null {
  return xlsxCell(value) || null;
}

/**
 * The workbook's bytes, chunk by chunk, as they are read: the sheet's next page is pulled from `pages` only
 * when the reader has taken what was written before. Returning early (the download was cancelled) stops
 * reading `pages` (its `return` has run when this generator's does); a failing page ends the file with that
 * error.
 */
export async function* xlsxStream(
  sheet: XlsxSheet,
  pages: AsyncIterable<readonly (readonly XlsxCell[])[]>,
): AsyncGenerator<Uint8Array> {
  const out = new PassThrough({ highWaterMark: BUFFER });
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
    // archiver's own output buffer is 1 MiB by default; the same bound as the rest keeps the file's lag small.
    zip: {
      zlib: { level: 6 },
      highWaterMark: BUFFER,
    } as ExcelJS.stream.xlsx.WorkbookStreamWriterOptions['zip'],
  });
  wb.creator = 'dxq';
  wb.lastModifiedBy = 'dxq';
  wb.title = sheet.title;
  wb.created = sheet.created ?? new Date();
  wb.modified = wb.created;
  const ws = wb.addWorksheet(sheet.sheetName.replace(/[\\/?*[\]:]/g, ' ').slice(0, 31) || 'Sheet1', {
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  // The column style gives every cell of the column the text format, including empty ones.
  ws.columns = sheet.header.map((_, i) => ({ width: sheet.widths?.[i], style: { numFmt: '@' } }));
  const { backlog, zip } = internals(wb, ws);
  zip.on('error', (e) => out.destroy(e));

  let stopped = false;
  let wake = () => {};
  const hasRoom = () => backlog() < BUFFER && out.readableLength + out.writableLength < BUFFER;
  async function room() {
    while (!stopped && !hasRoom()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, RECHECK_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  // Settles once `pages` is no longer read (finished, failed, or returned after a cancel).
  const released = (async () => {
    try {
      const header = ws.addRow(sheet.header.map(cellValue));
      header.font = { bold: true };
      header.commit();
      for await (const rows of pages) {
        for (const cells of rows) ws.addRow(cells.map(cellValue)).commit();
        await room();
        if (stopped) return; // leaving the loop returns `pages`
      }
      ws.commit();
    } catch (e) {
      out.destroy(e as Error);
      return;
    }
    // The rest of the file (styles, workbook, zip directory) follows without reading a page; its end ends `out`.
    wb.commit().catch((e: unknown) => out.destroy(e as Error));
  })();

  try {
    for await (const chunk of out) {
      wake(); // the chunk has left `out`: there may be room for the next page
      yield chunk as Buffer;
    }
  } finally {
    stopped = true;
    wake();
    out.destroy();
    await released;
  }
}
