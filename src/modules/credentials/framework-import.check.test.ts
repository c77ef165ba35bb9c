import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { encodeShiftJis } from '../../lib/table-file.test-support.js';
import { checkFramework } from './framework-import.check.js';
import { decodeText, readFrameworkUpload, sniffFormat } from './framework-import.read.js';
import { IssueList } from './framework-import.report.js';
import { frameworkXlsx, itemsCsv, rolesCsv, templateRows } from './framework-template.js';

const enc = (s: string) => new TextEncoder().encode(s);
const meta = { slug: 'example', version: '1.0', name: '例', provenance: '出典: テスト', official: false };

async function check(name: string, text: string | Uint8Array, rolesText?: string) {
  const issues = new IssueList();
  const bytes = typeof text === 'string' ? enc(text) : text;
  const roles = rolesText === undefined ? null : { name: 'roles.csv', bytes: enc(rolesText) };
  const read = await readFrameworkUpload({ name, bytes }, roles, issues);
  const out = checkFramework(read, meta, issues);
  const listed = issues.listed(500).issues;
  return { ...out, issues: issues.all, listed, kinds: issues.all.map((i) => `${i.severity}:${i.kind}`) };
}

const HEADER = 'category_code,category_name,subcategory_code,subcategory_name,item_code,item_name,name_en';

// CSV parsing, the encoding policy and the zip-bomb guard are the shared reader's: src/lib/table-file.test.ts.

describe('sniffFormat and decodeText', () => {
  it('tells formats by content, not by name', () => {
    expect(sniffFormat({ name: 'x.csv', bytes: new Uint8Array([0x50, 0x4b, 0x03, 0x04]) })).toBe('xlsx');
    expect(sniffFormat({ name: 'x.xlsx', bytes: enc('\uFEFF { "categories": [] }') })).toBe('json');
    expect(sniffFormat({ name: 'x.xlsx', bytes: enc('a,b') })).toBe('csv');
    expect(sniffFormat({ name: 'x.xls', bytes: new Uint8Array([0xd0, 0xcf, 0x11, 0xe0]) })).toBe('xls');
  });

  it('decodes Shift_JIS with a warning (the shared policy), refuses UTF-16, drops a UTF-8 BOM', () => {
    const issues = new IssueList();
    // 「a,あい」 in Shift_JIS (what Excel's plain 「CSV(コンマ区切り)」 saves in Japan). Until the shared reader
    // (lib/table-file.ts) the framework import refused it; now both importers read it and say so.
    expect(
      decodeText({ name: 's.csv', bytes: new Uint8Array([0x61, 0x2c, 0x82, 0xa0, 0x82, 0xa2]) }, issues),
    ).toBe('a,あい');
    expect(issues.all[0]).toMatchObject({ severity: 'warning', kind: 'encoding', at: 's.csv' });
    expect(issues.all[0]?.message).toContain('Shift_JIS');
    expect(decodeText({ name: 'u.csv', bytes: new Uint8Array([0xff, 0xfe, 0x61, 0]) }, issues)).toBe(null);
    expect(issues.all[1]).toMatchObject({ severity: 'error', kind: 'encoding' });
    expect(issues.all[1]?.message).toContain('UTF-16');
    expect(decodeText({ name: 'b.csv', bytes: enc('\uFEFFあ') }, issues)).toBe('あ');
  });

  it('reads a Shift_JIS CSV of items like the UTF-8 one, with one warning', async () => {
    const rows = templateRows();
    const utf8 = await check('u.csv', itemsCsv(rows));
    const sjisBytes = encodeShiftJis(itemsCsv(rows).replace(/^\uFEFF/, ''));
    const sjis = await check('s.csv', sjisBytes);
    expect(sjis.kinds).toEqual(['warning:encoding']);
    expect(sjis.payload?.items).toEqual(utf8.payload?.items);
  });
});

describe('checkFramework', () => {
  it('accepts the templates (XLSX with roles sheet; CSV with a roles CSV) with the same result', async () => {
    const rows = templateRows();
    const x = await check('t.xlsx', await frameworkXlsx(rows));
    const c = await check('t.csv', itemsCsv(rows), rolesCsv(rows));
    for (const r of [x, c]) {
      expect(r.kinds).toEqual([]);
      expect(r.payload?.items).toEqual(rows.items);
      expect(r.payload?.roles).toEqual(rows.roles);
      expect(r.counts).toEqual({ categories: 1, subcategories: 1, items: 3, roles: 1 });
    }
  });

  it('reports a missing column and reads nothing further from that table', async () => {
    const r = await check(
      'x.csv',
      'category_code,category_name,subcategory_code,subcategory_name,item_code\n1,a,1.1,b,1.1.1\n',
    );
    expect(r.kinds).toEqual(['error:missing_column']);
    expect(r.issues[0]?.column).toBe('スキル項目名');
    expect(r.payload).toBeNull();
  });

  it('reports each bad row with its row number, every problem at once', async () => {
    const long = 'あ'.repeat(201);
    const csv = [
      `${HEADER},備考`,
      '1,ビジネス変革,1.1,戦略,1.1.1,項目A,',
      '1,ビジネス変革,1.1,戦略,1.1.1,項目B,', // duplicate code
      '1,ビジネス変革,1.1,戦略,1 1 2,項目C,', // bad code
      `1,ビジネス変革,1.1,戦略,1.1.3,${long},`, // over-long
      '1,ビジネス変革,1.1,戦略,1.1.4,=HYPERLINK("http://x"),', // formula
      '1,別の名前,1.1,戦略,1.1.5,項目,', // inconsistent category name
      '1,ビジネス変革,1.1,戦略,,項目,', // missing code
      '',
      '2,データ活用,1.1,戦略,2.1.1,項目,', // subcategory under two categories
    ].join('\r\n');
    const r = await check('bad.csv', csv);
    expect(r.payload).toBeNull();
    const at = (kind: string) => r.issues.filter((i) => i.kind === kind).map((i) => i.at);
    expect(at('unknown_column')).toEqual(['bad.csv']);
    expect(at('duplicate_code')).toEqual(['bad.csv 3行目']);
    expect(r.issues.find((i) => i.kind === 'duplicate_code')?.message).toContain('bad.csv 2行目');
    expect(at('bad_code')).toEqual(['bad.csv 4行目']);
    expect(at('too_long')).toEqual(['bad.csv 5行目']);
    expect(at('formula')).toEqual(['bad.csv 6行目']);
    expect(at('inconsistent_name')).toEqual(['bad.csv 7行目', 'bad.csv 10行目']);
    expect(at('missing_value')).toEqual(['bad.csv 8行目']);
    // The report lists errors first, then warnings.
    expect(r.issues[0]?.severity).toBe('warning');
    expect(r.listed.at(-1)).toEqual(r.issues[0]);
  });

  it('refuses formula cells in an XLSX and warns about codes typed as numbers', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await frameworkXlsx(templateRows())).buffer as ArrayBuffer);
    const ws = wb.getWorksheet('スキル項目');
    if (!ws) throw new Error('no sheet');
    ws.getCell('F2').value = { formula: 'CONCAT("a","b")', result: 'ab' };
    ws.getCell('C3').value = 1.1;
    ws.getCell('F4').value = '+cmd';
    const r = await check('f.xlsx', new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer));
    expect(r.issues.map((i) => [i.kind, i.at, i.column])).toEqual([
      ['formula', '「スキル項目」シート 2行目', 'スキル項目名'],
      ['numeric_code', '「スキル項目」シート 3行目', 'サブカテゴリコード'],
      ['formula', '「スキル項目」シート 4行目', 'スキル項目名'],
    ]);
  });

  it('checks roles: codes, duplicates, unknown items', async () => {
    const rows = templateRows();
    const roles = [
      'role_code,role_name,item_codes',
      'a,ロールA,"1.1.1, 1.1.2、1.1.1"',
      'a,ロールA2,',
      'b,ロールB,9.9.9',
    ].join('\n');
    const r = await check('t.csv', itemsCsv(rows), roles);
    expect(r.kinds).toEqual(['error:duplicate_code', 'error:unknown_item']);
    expect(r.issues.map((i) => i.at)).toEqual(['roles.csv 3行目', 'roles.csv 4行目']);
  });

  it('checks the version fields and takes them from a JSON file when the form leaves them blank', async () => {
    const issues = new IssueList();
    const json = JSON.stringify({
      slug: 'from-file',
      version: '3.0',
      name: 'ファイルの名称',
      what: 'what',
      source: 'src',
      categories: [
        {
          id: '1',
          name: 'c',
          subcategories: [{ id: '1.1', name: 's', skills: [{ id: '1.1.1', name: 'k' }] }],
        },
      ],
    });
    const read = await readFrameworkUpload({ name: 'f.json', bytes: enc(json) }, null, issues);
    const out = checkFramework(read, { official: true, version: '3.1' }, issues);
    expect(out.meta).toEqual({
      slug: 'from-file',
      version: '3.1',
      name: 'ファイルの名称',
      provenance: 'what\n出典 / source: src',
      official: true,
    });
    const bad = new IssueList();
    checkFramework(read, { official: false, slug: 'Bad Slug', version: '1.json' }, bad);
    expect(bad.all.map((i) => [i.kind, i.column])).toEqual([
      ['bad_meta', 'スキル標準の識別子'],
      ['bad_meta', 'バージョン'],
    ]);
  });

  it('reads the DSS-P data file as JSON: 67 items, its types as roles (with a warning)', async () => {
    const dssp = await import('./data/dss-p-v2.0.json', { with: { type: 'json' } });
    const r = await check('dss-p.json', JSON.stringify(dssp.default));
    expect(r.kinds).toEqual(['warning:roles_from_types']);
    expect(r.counts).toEqual({ categories: 5, subcategories: 13, items: 67, roles: 5 });
    expect(r.payload?.roles.map((x) => x.code)).toEqual([
      'business-architect',
      'designer',
      'data-scientist',
      'software-engineer',
      'cybersecurity',
    ]);
  });

  it('reports broken JSON and wrong JSON shapes, never throws', async () => {
    expect((await check('x.json', '{"categories": [')).kinds).toEqual(['error:bad_file']);
    expect((await check('x.json', '[]')).kinds).toEqual(['error:bad_file']);
    expect((await check('x.json', '{}')).kinds).toEqual(['error:missing_value']);
    const r = await check(
      'x.json',
      JSON.stringify({ categories: [{ id: 1, name: 'c', subcategories: 'no' }] }),
    );
    expect(r.kinds).toEqual(['error:bad_value', 'error:empty']);
  });
});
