import { describe, expect, it } from 'vitest';
import { BOM, csvCell, toCsv } from './csv.js';

describe('csv', () => {
  it('quotes every cell and doubles quotes', () => {
    expect(csvCell('abc')).toBe('"abc"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('a,b\r\nc')).toBe('"a,b\r\nc"');
    expect(csvCell(null)).toBe('""');
    expect(csvCell(undefined)).toBe('""');
    expect(csvCell(42)).toBe('"42"');
  });

  it('neutralises cells that a spreadsheet would run as a formula', () => {
    expect(csvCell("=cmd|' /C calc'!A0")).toBe("\"'=cmd|' /C calc'!A0\"");
    for (const lead of ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠']) {
      expect(csvCell(`${lead}1+1`)).toBe(`"'${lead}1+1"`);
    }
    expect(csvCell('a=1')).toBe('"a=1"');
    expect(csvCell('東京都')).toBe('"東京都"');
  });

  it('writes a BOM and CRLF line ends', () => {
    const out = toCsv([
      ['日時', '操作'],
      ['2026/04/01 09:00:00', '=HYPERLINK("http://x")'],
    ]);
    expect(out.startsWith(BOM)).toBe(true);
    expect(out).toBe(`${BOM}"日時","操作"\r\n"2026/04/01 09:00:00","'=HYPERLINK(""http://x"")"\r\n`);
    expect(Buffer.from(out, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it('writes only the BOM for no rows', () => {
    expect(toCsv([])).toBe(BOM);
  });
});
