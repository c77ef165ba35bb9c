import { constants, inflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { type XlsxCell, xlsxStream } from './xlsx-stream.js';

/**
 * The streamed XLSX (xlsx-stream.ts, exceljs's WorkbookWriter with a wait for the reader): a file Excel
 * readers open, cells as the desk's exports, pages read only as the file is read.
 */

const sheet = { sheetName: 'credentials', title: 'テスト', header: ['id', 'name', 'n'], widths: [12, 40] };

async function bytesOf(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
}

type Pulled = { n: number; returned: boolean };

async function* pagesOf(pages: XlsxCell[][][], pulled: Pulled = { n: 0, returned: false }) {
  try {
    for (const p of pages) {
      pulled.n++;
      yield p;
    }
  } finally {
    pulled.returned = true;
  }
}

async function workbookOf(bytes: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  return wb;
}

/** How many whole rows of the sheet a reader holding the first `bytes` of the file could decompress. */
function rowsReadable(bytes: Buffer): number {
  const name = Buffer.from('xl/worksheets/sheet1.xml');
  const at = bytes.indexOf(name); // the entry's local header: the name is stored, its contents deflated
  if (at < 30) return 0;
  const start = at + name.length + bytes.readUInt16LE(at - 2);
  const xml = inflateRawSync(bytes.subarray(start), { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
  return xml.split('</row>').length - 1;
}

describe('xlsxStream', () => {
  it('writes text cells, neutralises formulas, drops characters XML forbids, escapes markup', async () => {
    const bytes = await bytesOf(
      xlsxStream(
        sheet,
        pagesOf([
          [
            ['a', '=HYPERLINK("http://evil.example")', 12],
            ['b', '髙橋 𠮷子 <b>&amp;</b>\u0007', null],
          ],
          [],
          [['c', '＝1+1', '0012']],
        ]),
      ),
    );
    // Escaped once in the file. (exceljs's reader decodes the text of a `t="str"` cell twice, so it reads
    // `&amp;` back as `&`; Excel and other readers decode once.)
    const xml = await (await JSZip.loadAsync(bytes)).file('xl/worksheets/sheet1.xml')?.async('string');
    expect(xml).toContain('<v>髙橋 𠮷子 &lt;b&gt;&amp;amp;&lt;/b&gt;</v>');
    const wb = await workbookOf(bytes);
    const ws = wb.worksheets[0];
    expect(ws?.name).toBe('credentials');
    expect(ws?.rowCount).toBe(4);
    expect(ws?.getRow(1).values).toEqual([undefined, 'id', 'name', 'n']);
    expect(ws?.getCell('A1').font?.bold).toBe(true);
    expect(ws?.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws?.getColumn(1).width).toBe(12);
    expect(ws?.getColumn(2).width).toBe(40);
    expect(ws?.getCell('B2').value).toBe('\'=HYPERLINK("http://evil.example")');
    expect(ws?.getCell('C2').value).toBe('12');
    expect(ws?.getCell('B3').value).toBe('髙橋 𠮷子 <b>&</b>');
    expect(ws?.getCell('C3').value).toBeNull();
    expect(ws?.getCell('C3').numFmt).toBe('@');
    expect(ws?.getCell('B4').value).toBe("'＝1+1");
    expect(ws?.getCell('C4').value).toBe('0012');
    expect(ws?.getCell('C4').numFmt).toBe('@');
    expect(ws?.getCell('A4').font?.bold).not.toBe(true);
    expect(wb.title).toBe('テスト');
  });

  it("cuts a cell at Excel's 32,767 characters", async () => {
    const wb = await workbookOf(await bytesOf(xlsxStream(sheet, pagesOf([[['x', 'y'.repeat(40_000), 1]]]))));
    expect(String(wb.worksheets[0]?.getCell('B2').value)).toBe('y'.repeat(32_767));
  });

  it('reads pages only as the file is read, and stops reading when the reader stops', async () => {
    // ~1.2 MB of sheet XML that compresses little: a writer that did not wait for its reader would have
    // pulled all 200 pages well within the pause below.
    const big = Array.from({ length: 200 }, (_, p) =>
      Array.from({ length: 200 }, (_, r) => [`${p}-${r}`, Math.random().toString(36).slice(2), r]),
    );
    const pulled: Pulled = { n: 0, returned: false };
    const chunks = xlsxStream(sheet, pagesOf(big, pulled));
    await chunks.next();
    await new Promise((r) => setTimeout(r, 300));
    expect(pulled.n).toBeLessThan(100);
    await chunks.return(undefined);
    expect(pulled.returned).toBe(true);
    const after = pulled.n;
    await new Promise((r) => setTimeout(r, 100));
    expect(pulled.n).toBe(after);
  });

  it('keeps at most two pages ahead of a slow reader, however large the file', async () => {
    // 14 pages of ~0.8 MB of sheet XML each (random text, which compresses little). Each time the reader has
    // taken another 512 KiB it pauses; by then the writer has filled what it may, and the pages read from the
    // source, less the pages whose every row the reader could already decompress, must be at most two.
    const ROWS = 100;
    const PAGES = 14;
    const text = () => Array.from({ length: 450 }, () => Math.random().toString(36).slice(2, 10)).join(' ');
    const pulled = { n: 0 };
    async function* slowSource() {
      for (let p = 0; p < PAGES; p++) {
        pulled.n++;
        yield Array.from({ length: ROWS }, (_, r) => [`${p}-${r}`, text(), text()]);
      }
    }
    const read: Buffer[] = [];
    let unchecked = 0;
    let mostAhead = 0;
    let pauses = 0;
    for await (const chunk of xlsxStream(sheet, slowSource())) {
      read.push(Buffer.from(chunk));
      unchecked += chunk.length;
      if (unchecked < 512 * 1024) continue;
      unchecked = 0;
      await new Promise((r) => setTimeout(r, 50));
      const pagesRead = Math.floor((rowsReadable(Buffer.concat(read)) - 1) / ROWS);
      mostAhead = Math.max(mostAhead, pulled.n - pagesRead);
      pauses++;
    }
    expect(pauses).toBeGreaterThanOrEqual(8); // the bound was checked through most of the file
    expect(mostAhead).toBeLessThanOrEqual(2);
    const ws = (await workbookOf(Buffer.concat(read))).worksheets[0];
    expect(ws?.rowCount).toBe(PAGES * ROWS + 1);
    expect(ws?.getCell(`A${PAGES * ROWS + 1}`).value).toBe(`${PAGES - 1}-${ROWS - 1}`);
  }, 30_000);

  it('fails (does not hang) when a page cannot be read', async () => {
    async function* failing() {
      yield [['a', 'b', 1]] as XlsxCell[][];
      throw new Error('database gone');
    }
    await expect(bytesOf(xlsxStream(sheet, failing()))).rejects.toThrow(/database gone/);
  });
});
