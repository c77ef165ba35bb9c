import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { columnName, type XlsxCell, xlsxStream } from './xlsx-stream.js';

/** The streamed XLSX writer (xlsx-stream.ts): a file Excel readers open, cells as the desk's exports, lazy. */

const sheet = { sheetName: 'credentials', title: 'テスト', header: ['id', 'name', 'n'] };

async function bytesOf(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
}

async function* pagesOf(pages: XlsxCell[][][], pulled: { n: number } = { n: 0 }) {
  for (const p of pages) {
    pulled.n++;
    yield p;
  }
}

describe('xlsxStream', () => {
  it('names columns as Excel does', () => {
    expect([0, 25, 26, 27, 701, 702].map(columnName)).toEqual(['A', 'Z', 'AA', 'AB', 'ZZ', 'AAA']);
  });

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
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws?.name).toBe('credentials');
    expect(ws?.rowCount).toBe(4);
    expect(ws?.getRow(1).values).toEqual([undefined, 'id', 'name', 'n']);
    expect(ws?.getCell('B2').value).toBe('\'=HYPERLINK("http://evil.example")');
    expect(ws?.getCell('C2').value).toBe('12');
    expect(ws?.getCell('B3').value).toBe('髙橋 𠮷子 <b>&amp;</b>');
    expect(ws?.getCell('C3').value).toBeNull();
    expect(ws?.getCell('B4').value).toBe("'＝1+1");
    expect(ws?.getCell('C4').value).toBe('0012');
    expect(ws?.getCell('C4').numFmt).toBe('@');
    expect(wb.title).toBe('テスト');
  });

  it('reads pages only as the file is read, and stops reading when the reader stops', async () => {
    // ~1.2 MB of sheet XML that compresses little: a writer that did not wait for its reader would have
    // pulled all 200 pages well within the pause below.
    const big = Array.from({ length: 200 }, (_, p) =>
      Array.from({ length: 200 }, (_, r) => [`${p}-${r}`, Math.random().toString(36).slice(2), r]),
    );
    const pulled = { n: 0 };
    const chunks = xlsxStream(sheet, pagesOf(big, pulled));
    await chunks.next();
    await new Promise((r) => setTimeout(r, 300));
    expect(pulled.n).toBeLessThan(100);
    await chunks.return(undefined);
    const after = pulled.n;
    await new Promise((r) => setTimeout(r, 100));
    expect(pulled.n).toBe(after);
  });

  it('fails (does not hang) when a page cannot be read', async () => {
    async function* failing() {
      yield [['a', 'b', 1]] as XlsxCell[][];
      throw new Error('database gone');
    }
    await expect(bytesOf(xlsxStream(sheet, failing()))).rejects.toThrow(/database gone/);
  });
});
