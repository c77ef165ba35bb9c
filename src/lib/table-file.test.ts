import { deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { decodeUploadText, parseCsv, readTableFile, type TableFile, type TableLimits } from './table-file.js';
import { encodeShiftJis } from './table-file.test-support.js';
import { checkZip } from './zip-guard.js';

// The shared reader of uploaded tables (completion lists, skill frameworks): RFC 4180 CSV, the encoding
// policy (UTF-8 with or without BOM; Shift_JIS decoded with a notice; anything else refused), XLSX with
// formula cells flagged, and the size and zip-bomb limits.

const enc = (s: string) => new TextEncoder().encode(s);
const LIMITS: TableLimits = { maxBytes: 1024 * 1024, maxUnpackedBytes: 1024 * 1024, maxRows: 100 };

function ok(file: TableFile) {
  if (!file.ok) throw new Error(`expected a table, got ${file.error.code}: ${file.error.message}`);
  return file;
}
const texts = (file: TableFile, sheet = 0) =>
  ok(file).sheets[sheet]?.rows?.map((r) => r.cells.map((c) => c.text));
const errorOf = (file: TableFile) => (file.ok ? null : file.error.code);

async function xlsx(build: (wb: ExcelJS.Workbook) => void): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  build(wb);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

/** A ZIP whose central directory says what `claim` says (default: the truth), entries deflated. */
function zip(entries: { name: string; data: Uint8Array; claim?: number }[]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const packed = deflateRawSync(e.data);
    const unpacked = e.claim ?? e.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(unpacked, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(unpacked, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, cd, end]));
}

describe('parseCsv (RFC 4180)', () => {
  it('reads quoted commas, doubled quotes and line breaks inside quotes; CRLF, LF and CR line ends', () => {
    expect(parseCsv('a,"b,c","d ""e"""\r\n"x\r\ny",,z\n"1\n2"\rlast').rows).toEqual([
      ['a', 'b,c', 'd "e"'],
      ['x\r\ny', '', 'z'],
      ['1\n2'],
      ['last'],
    ]);
    expect(parseCsv('a,b').rows).toEqual([['a', 'b']]);
    expect(parseCsv('a,b\r\n').rows).toEqual([['a', 'b']]);
    expect(parseCsv('"",""\n').rows).toEqual([['', '']]);
    expect(parseCsv('a,"b').unterminated).toBe(true);
  });
});

describe('the encoding policy', () => {
  it('reads UTF-8 as it is, with or without a BOM', () => {
    expect(decodeUploadText(enc('氏名,髙橋①'))).toEqual({
      ok: true,
      text: '氏名,髙橋①',
      encoding: 'utf-8',
      notice: null,
    });
    expect(decodeUploadText(enc('\uFEFF氏名'))).toMatchObject({ ok: true, text: '氏名', encoding: 'utf-8' });
  });

  it('decodes Shift_JIS (CP932, NEC and IBM extensions included) and says so', () => {
    // 髙 = FB FC (IBM extension), ① = 87 40 (NEC special), 橋 = 8B B4, ｱ = B1 (half-width katakana).
    const bytes = new Uint8Array([0xfb, 0xfc, 0x8b, 0xb4, 0x2c, 0x87, 0x40, 0x2c, 0xb1]);
    const d = decodeUploadText(bytes);
    expect(d).toMatchObject({ ok: true, text: '髙橋,①,ｱ', encoding: 'shift_jis' });
    expect(d.ok && d.notice?.code).toBe('shift_jis');
    expect(d.ok && d.notice?.message).toContain('Shift_JIS として読み込みました');
    // The test encoder agrees with the decoder (the other tests build Shift_JIS files with it).
    expect([...encodeShiftJis('髙橋,①,ｱ')]).toEqual([...bytes]);
  });

  it('refuses bytes that are neither UTF-8 nor Shift_JIS, UTF-16, and text with NUL, in Japanese', () => {
    // 「café,」 in Windows-1252: E9 is a Shift_JIS lead byte, but "," cannot follow it.
    const cp1252 = decodeUploadText(new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x2c]));
    expect(cp1252).toMatchObject({ ok: false, error: { code: 'encoding' } });
    expect(!cp1252.ok && cp1252.error.message).toContain('文字コードを判別できません');
    expect(decodeUploadText(new Uint8Array([0x82, 0x20]))).toMatchObject({ ok: false });
    expect(decodeUploadText(new Uint8Array([0xff]))).toMatchObject({ ok: false });
    const utf16 = decodeUploadText(new Uint8Array([0xff, 0xfe, 0x61, 0x00]));
    expect(!utf16.ok && utf16.error.message).toContain('UTF-16');
    // UTF-16LE without a BOM is valid UTF-8 (with NULs): refused all the same.
    const bare = decodeUploadText(new Uint8Array([0x61, 0x00, 0x2c, 0x00]));
    expect(!bare.ok && bare.error.message).toContain('UTF-16');
  });
});

describe('readTableFile: CSV', () => {
  it('reads a UTF-8 CSV with a BOM, quoted fields and line breaks', async () => {
    const file = ok(
      await readTableFile(enc('\uFEFFemail,所見\r\na@example.jp,"1行目\r\n2行目, 続き"\r\n'), LIMITS),
    );
    expect(file).toMatchObject({ format: 'csv', encoding: 'utf-8', notices: [] });
    expect(texts(file)).toEqual([
      ['email', '所見'],
      ['a@example.jp', '1行目\r\n2行目, 続き'],
    ]);
    expect(file.sheets[0]?.rows?.[1]).toMatchObject({ rowNumber: 2 });
  });

  it('reads a Shift_JIS CSV with a notice', async () => {
    const file = ok(await readTableFile(encodeShiftJis('氏名,番号\r\n髙橋 一郎,①\r\n'), LIMITS));
    expect(file.encoding).toBe('shift_jis');
    expect(file.notices.map((n) => n.code)).toEqual(['shift_jis']);
    expect(texts(file)).toEqual([
      ['氏名', '番号'],
      ['髙橋 一郎', '①'],
    ]);
  });

  it('refuses empty, oversized, unreadable and unterminated files; does not read an over-long sheet', async () => {
    expect(errorOf(await readTableFile(new Uint8Array(0), LIMITS))).toBe('empty');
    expect(errorOf(await readTableFile(new Uint8Array(LIMITS.maxBytes + 1).fill(0x41), LIMITS))).toBe(
      'too_large',
    );
    expect(errorOf(await readTableFile(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0, 0]), LIMITS))).toBe('xls');
    expect(errorOf(await readTableFile(new Uint8Array([0x61, 0x2c, 0xe9, 0x2c]), LIMITS))).toBe('encoding');
    expect(errorOf(await readTableFile(enc('a,"b\r\n'), LIMITS))).toBe('bad_csv');
    const long = `h\r\n${'x\r\n\r\n'.repeat(101)}`; // 101 rows with a value after the header; blank ones not counted
    const sheet = ok(await readTableFile(enc(long), LIMITS)).sheets[0];
    expect(sheet).toMatchObject({ rowCount: 102, rows: null });
    expect(ok(await readTableFile(enc(`h\r\n${'x\r\n'.repeat(100)}`), LIMITS)).sheets[0]?.rows).toHaveLength(
      101,
    );
  });
});

describe('readTableFile: XLSX', () => {
  it('flags formula and error cells (never evaluated), marks numbers, reads links, rich text and dates', async () => {
    const bytes = await xlsx((wb) => {
      const ws = wb.addWorksheet('一覧');
      ws.addRow(['email', 'name', 'n']);
      ws.addRow([
        { text: 'a@example.jp', hyperlink: 'mailto:a@example.jp' },
        { richText: [{ text: '髙橋' }, { text: ' 一郎' }] },
        -5,
      ]);
      ws.addRow([{ formula: 'CONCAT("a","b")', result: 'ab' }, { error: '#REF!' }, new Date('2026-04-01')]);
      wb.addWorksheet('二枚目').addRow(['x']);
    });
    const file = ok(await readTableFile(bytes, LIMITS));
    expect(file).toMatchObject({ format: 'xlsx', encoding: null });
    expect(file.sheets.map((s) => s.name)).toEqual(['一覧']);
    const rows = file.sheets[0]?.rows ?? [];
    expect(rows.map((r) => r.rowNumber)).toEqual([1, 2, 3]);
    expect(rows[1]?.cells).toEqual([
      { text: 'a@example.jp', formula: false, numeric: false },
      { text: '髙橋 一郎', formula: false, numeric: false },
      { text: '-5', formula: false, numeric: true },
    ]);
    expect(rows[2]?.cells).toEqual([
      { text: 'ab', formula: true, numeric: false },
      { text: '#REF!', formula: true, numeric: false },
      { text: '2026-04-01', formula: false, numeric: false },
    ]);
    const all = ok(await readTableFile(bytes, LIMITS, { sheets: 'all' }));
    expect(all.sheets.map((s) => s.name)).toEqual(['一覧', '二枚目']);
  });

  it('does not read a sheet past the row limit, nor columns past the column limit', async () => {
    const bytes = await xlsx((wb) => {
      const ws = wb.addWorksheet('s');
      for (let i = 0; i < 102; i++) ws.addRow([`r${i}`]);
      ws.getCell('Z1').value = 'far';
    });
    expect(ok(await readTableFile(bytes, LIMITS)).sheets[0]).toMatchObject({ rowCount: 102, rows: null });
    const narrow = ok(await readTableFile(bytes, { ...LIMITS, maxRows: 200, maxColumns: 3 }));
    expect(narrow.sheets[0]?.rows?.[0]?.cells).toHaveLength(3);
  });

  it('refuses a broken XLSX, and a ZIP without a sheet', async () => {
    expect(errorOf(await readTableFile(enc('PK\u0003\u0004 not a zip at all'), LIMITS))).toBe('bad_xlsx');
    expect(errorOf(await readTableFile(zip([{ name: 'a.txt', data: enc('hello') }]), LIMITS))).toBe('empty');
  });
});

describe('zip-bomb guard', () => {
  const limits = { maxUnpackedBytes: 1024 * 1024, maxEntries: 10 };

  it('passes a real XLSX', async () => {
    const bytes = await xlsx((wb) => wb.addWorksheet('s').addRow(['a']));
    expect(await checkZip(bytes, { ...limits, maxEntries: 100 })).toBe('ok');
    expect(await checkZip(bytes, { ...limits, maxEntries: 100, maxUnpackedBytes: 1000 })).toBe('too_large');
  });

  it('refuses entries that claim to unpack beyond the limit, before inflating anything', async () => {
    const big = zip([{ name: 'xl/big.xml', data: new Uint8Array(2 * 1024 * 1024) }]);
    expect(big.length).toBeLessThan(10_000); // 2 MB of zeros deflates to a few KB
    expect(await checkZip(big, limits)).toBe('too_large');
    const file = await readTableFile(big, LIMITS);
    expect(file).toMatchObject({ ok: false, error: { code: 'too_large' } });
    expect(!file.ok && file.error.message).toContain('展開後のサイズが大きすぎます');
  });

  it('refuses an entry that inflates beyond what it claims (a lying zip bomb)', async () => {
    const liar = zip([{ name: 'xl/sheet.xml', data: new Uint8Array(50 * 1024 * 1024), claim: 1000 }]);
    const started = Date.now();
    expect(await checkZip(liar, limits)).toBe('too_large');
    expect(Date.now() - started).toBeLessThan(2000); // stopped after ~1000 bytes, not 50 MB
    expect(errorOf(await readTableFile(liar, LIMITS))).toBe('too_large');
  });

  it('refuses too many entries, claims larger than the truth, and truncated archives', async () => {
    const many = zip(Array.from({ length: 11 }, (_, i) => ({ name: `f${i}`, data: enc('x') })));
    expect(await checkZip(many, limits)).toBe('too_large');
    expect(await checkZip(zip([{ name: 'a', data: enc('abc'), claim: 10 }]), limits)).toBe('bad');
    const good = zip([{ name: 'a', data: enc('abc'.repeat(100)) }]);
    expect(await checkZip(good, limits)).toBe('ok');
    const cut = new Uint8Array([...good.subarray(0, 40), ...good.subarray(good.length - 70)]);
    expect(await checkZip(cut, limits)).toBe('bad');
  });
});
