import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffActor } from '../../lib/actor.js';
import { BOM } from '../../lib/csv.js';
import { codeOf, makeApplication, staffActor } from '../../test/application-factories.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../test/db.js';
import { makeProgramme } from '../../test/factories.js';
import { neutralise, xlsxCell } from './export.format.js';
import { EXPORT_HEADER, exportApplications } from './export.service.js';

const RARE = '髙橋 𠮷子 😀👨‍👩‍👧';

async function readXlsx(body: string | Uint8Array): Promise<ExcelJS.Worksheet> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(body as Uint8Array) as unknown as ArrayBuffer);
  const ws = wb.worksheets[0];
  if (!ws) throw new Error('no sheet');
  return ws;
}

describe('xlsx cells', () => {
  it('neutralise formula-like values like the CSV does, and drop what XML cannot hold', () => {
    for (const v of ['=cmd', '+1', '-1', '@SUM(A1)', '\t=1', '＝1']) expect(neutralise(v)).toBe(`'${v}`);
    expect(neutralise('a=1')).toBe('a=1');
    expect(xlsxCell('a\u0000b\u0007c')).toBe('abc');
    expect(xlsxCell(null)).toBe('');
    expect(xlsxCell('x'.repeat(40_000))).toHaveLength(32_767);
  });
});

describe.each(dbKinds())('exports on %s', (kind) => {
  let env: TestEnv;
  let hub: StaffActor;
  let programmeId: string;
  let accepted: Awaited<ReturnType<typeof makeApplication>>;

  beforeAll(async () => {
    env = await createTestEnv(kind);
    hub = await staffActor(env, 'regional_hub', 'admin');
    programmeId = await makeProgramme(env, hub.org.id);
    accepted = await makeApplication(env, programmeId, {
      status: 'accepted',
      fullName: RARE,
      furigana: 'タカハシ ヨシコ',
      affiliation: "=cmd|' /C calc'!A0",
      answers: { motivation: '1行目\n2行目 "引用" , カンマ', track: '業務改善' },
    });
    await makeApplication(env, programmeId, {
      fullName: '<script>alert(1)</script>',
      affiliation: '@SUM(1+1)',
    });
  });
  afterAll(async () => {
    await env?.close();
  });

  it('writes CSV with a BOM, CRLF, quoted cells, formulas neutralised and every character intact', async () => {
    const out = await exportApplications(env, hub, programmeId, {}, 'csv');
    expect(out.contentType).toBe('text/csv; charset=utf-8');
    expect(out.filename).toMatch(/^applications-[0-9a-f]{8}-\d{12}\.csv$/);
    const csv = out.body as string;
    expect(csv.startsWith(BOM)).toBe(true);
    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = csv.slice(1).split('\r\n');
    expect(lines[0]).toBe([...EXPORT_HEADER, '志望動機', '希望コース'].map((h) => `"${h}"`).join(','));
    expect(csv).toContain(`"${RARE}"`);
    expect(csv).toContain(`"'=cmd|' /C calc'!A0"`);
    expect(csv).toContain(`"'@SUM(1+1)"`);
    expect(csv).toContain('"<script>alert(1)</script>"');
    expect(csv).toContain('"1行目\n2行目 ""引用"" , カンマ"');
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(out.rows).toBe(2);
  });

  it('writes XLSX that reads back with names intact, strings only, formulas neutralised, a header row', async () => {
    const out = await exportApplications(env, hub, programmeId, {}, 'xlsx');
    expect(out.contentType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const ws = await readXlsx(out.body);
    expect(ws.name).toBe('申込一覧');
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual([...EXPORT_HEADER, '志望動機', '希望コース']);
    expect(ws.getRow(1).font?.bold).toBe(true);
    const rows = [2, 3].map((i) => (ws.getRow(i).values as unknown[]).slice(1));
    const mine = rows.find((r) => r[2] === RARE);
    expect(mine).toBeDefined();
    expect(mine?.[7]).toBe(`'=cmd|' /C calc'!A0`);
    expect(mine?.[13]).toBe('1行目\n2行目 "引用" , カンマ');
    expect(rows.find((r) => r[2] === '<script>alert(1)</script>')?.[7]).toBe(`'@SUM(1+1)`);
    ws.eachRow((row) =>
      row.eachCell((cell) => {
        expect(cell.type).toBe(ExcelJS.ValueType.String);
        expect(cell.formula).toBeUndefined();
      }),
    );
  });

  it('exports the accepted list as the same export with a status filter, audited with its filter', async () => {
    const out = await exportApplications(env, hub, programmeId, { status: 'accepted' }, 'xlsx');
    expect(out.filename).toMatch(/^accepted-/);
    const ws = await readXlsx(out.body);
    expect(ws.rowCount).toBe(2);
    expect(ws.getRow(2).getCell(1).value).toBe(accepted.number);
    expect(ws.getRow(2).getCell(3).value).toBe(RARE);
    const rows = await env.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'applications.exported')
      .orderBy('id')
      .execute();
    expect(rows.map((r) => r.details)).toEqual([
      { format: 'csv', filter: {}, rows: 2, truncated: false },
      { format: 'xlsx', filter: {}, rows: 2, truncated: false },
      { format: 'xlsx', filter: { status: 'accepted' }, rows: 1, truncated: false },
    ]);
    expect(rows[2]).toMatchObject({
      subject_type: 'programme',
      subject_id: programmeId,
      actor_user_id: hub.userId,
    });
  });

  it("refuses reviewers and other organisations' staff (audited), exporting nothing", async () => {
    const reviewer = await staffActor(env, 'regional_hub', 'reviewer', hub.org.id);
    expect(await codeOf(exportApplications(env, reviewer, programmeId, {}, 'csv'))).toBe('FORBIDDEN');
    const b = await staffActor(env, 'regional_hub', 'admin');
    expect(await codeOf(exportApplications(env, b, programmeId, {}, 'xlsx'))).toBe('NOT_FOUND');
    const denied = await env.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'security.cross_org_denied')
      .where('actor_user_id', '=', b.userId)
      .execute();
    expect(denied).toEqual([
      expect.objectContaining({ subject_id: programmeId, details: { attempted: 'desk.export' } }),
    ]);
    const exported = await env.db
      .selectFrom('audit_log')
      .select('actor_user_id')
      .where('action', '=', 'applications.exported')
      .execute();
    expect(exported.some((r) => r.actor_user_id === b.userId || r.actor_user_id === reviewer.userId)).toBe(
      false,
    );
  });
});
