import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDueJobs } from '../../jobs/runner.js';
import type { StaffActor } from '../../lib/actor.js';
import { codeOf, makeApplication, staffActor } from '../../test/application-factories.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../test/db.js';
import { makeProgramme } from '../../test/factories.js';
import type { AchievementView } from './achievement.presenter.js';
import { publishedAchievement } from './badges.test-support.js';
import { badgeHandlers, runIssuanceBatch } from './issuance.jobs.js';
import {
  getIssuanceProgress,
  getIssuanceReport,
  ISSUE_BATCH_JOB,
  type IssuanceReport,
  startIssuance,
} from './issuance.service.js';
import { planIssuance, planProgrammeIssuance } from './issuance-plan.service.js';
import { issueBadge } from './issue.service.js';

const file = (text: string, name = 'completion.csv') => ({ name, bytes: Buffer.from(text, 'utf8') });

describe.each(dbKinds())('bulk issuance on %s', (kind) => {
  let env: TestEnv;
  let hub: StaffActor;
  let achievement: AchievementView;

  beforeAll(async () => {
    env = await createTestEnv(kind);
    hub = await staffActor(env, 'regional_hub', 'staff');
    achievement = await publishedAchievement(env, hub, { key: 'regional-2026' });
  });
  afterAll(async () => {
    await env?.close();
  });

  const credentialsOf = async (emails: string[]) =>
    env.db
      .selectFrom('credentials')
      .select(['id', 'recipient_email', 'recipient_user_id', 'batch_id'])
      .where('recipient_email', 'in', emails)
      .execute();
  const statuses = (r: IssuanceReport) =>
    Object.fromEntries(r.rows.map((row) => [row.rowNumber, row.status]));
  const codes = (r: IssuanceReport, row: number) =>
    r.rows.find((x) => x.rowNumber === row)?.problems.map((p) => p.code) ?? [];
  const runJobs = () => runDueJobs(env, badgeHandlers, { workerId: 'test', names: [ISSUE_BATCH_JOB] });

  it('checks a CSV row by row, issues only the good rows, resumes after a crash without duplicates', async () => {
    await issueBadge(env, hub, {
      achievementId: achievement.id,
      email: 'held@example.jp',
      name: '既存 受講者',
    });
    const csv = [
      '\uFEFFメールアドレス,氏名,バッジ,根拠URL,所見,備考',
      'good1@example.jp,山田 太郎,regional-2026,https://example.jp/e/1,在庫予測を提案した,x',
      'not-an-email,佐藤 次郎,regional-2026,,,',
      'good-unknown@example.jp,鈴木 花子,no-such-badge,,,',
      'GOOD1@example.jp,山田 太郎(重複),regional-2026,,,',
      'formula@example.jp,"=HYPERLINK(""http://evil.example"")",regional-2026,,,',
      '',
      'good2@example.jp,髙橋 𠮷子,regional-2026,,,',
      'held@example.jp,既存 受講者,regional-2026,,,',
      `good3@example.jp,田中 三郎,${achievement.id},ftp://example.jp/x,,`,
      'good4@example.jp,伊藤 四郎,,,,',
    ].join('\r\n');
    const plan = await planIssuance(env, hub, { orgId: hub.org.id, file: file(csv) });
    expect(plan.status).toBe('dry_run');
    expect(plan.fileErrors).toEqual([]);
    expect(plan.notices.map((n) => n.code)).toEqual(['unknown_column']);
    expect(statuses(plan)).toEqual({
      2: 'pending',
      3: 'failed',
      4: 'failed',
      5: 'failed',
      6: 'failed',
      8: 'pending',
      9: 'skipped',
      10: 'failed',
      11: 'failed',
    });
    expect(codes(plan, 3)).toEqual(['bad_email']);
    expect(codes(plan, 4)).toEqual(['unknown_achievement']);
    expect(codes(plan, 5)).toEqual(['duplicate']);
    expect(codes(plan, 6)).toEqual(['formula']);
    expect(codes(plan, 9)).toEqual(['already_issued']);
    expect(codes(plan, 10)).toEqual(['bad_url']);
    expect(codes(plan, 11)).toEqual(['missing']);
    expect(plan).toMatchObject({ total: 9, pending: 2, skipped: 1, failed: 6, issued: 0 });
    expect(plan.rows.find((r) => r.rowNumber === 8)?.name).toBe('髙橋 𠮷子');
    expect(await credentialsOf(['good1@example.jp', 'good2@example.jp', 'not-an-email'])).toEqual([]);

    // With a default achievement, rows with an empty achievement cell are fine.
    const withDefault = await planIssuance(env, hub, {
      orgId: hub.org.id,
      file: file(csv),
      achievementId: achievement.id,
    });
    expect(statuses(withDefault)[11]).toBe('pending');

    const started = await startIssuance(env, hub, { batchId: plan.batchId });
    expect(started.status).toBe('queued');
    expect(await codeOf(startIssuance(env, hub, { batchId: plan.batchId }))).toBe('INVALID_STATE');

    // A worker that stops after one row (a crash): the batch stays running, with its progress readable.
    expect(await runIssuanceBatch(env, plan.batchId, { limit: 1 })).toEqual({ processed: 1, done: false });
    expect(await getIssuanceProgress(env, hub, plan.batchId)).toMatchObject({
      status: 'running',
      pending: 1,
      issued: 1,
    });
    // The queued job then runs (as after a restart) and finishes the rest.
    expect(await runJobs()).toBe(1);
    const done = await getIssuanceReport(env, hub, { batchId: plan.batchId });
    expect(done).toMatchObject({ status: 'done', pending: 0, issued: 2, skipped: 1, failed: 6 });
    const issued = await credentialsOf(['good1@example.jp', 'good2@example.jp']);
    expect(issued).toHaveLength(2);
    expect(issued.every((c) => c.batch_id === plan.batchId)).toBe(true);
    expect(done.rows.find((r) => r.rowNumber === 2)?.credentialId).toBe(
      issued.find((c) => c.recipient_email === 'good1@example.jp')?.id,
    );
    const mails = await env.db
      .selectFrom('mail_outbox')
      .select(['to_address', 'body_text'])
      .where('template', '=', 'badge_issued')
      .where('to_address', 'in', ['good1@example.jp', 'good2@example.jp'])
      .execute();
    expect(mails.map((m) => m.to_address).sort()).toEqual(['good1@example.jp', 'good2@example.jp']);
    expect(mails.find((m) => m.to_address === 'good2@example.jp')?.body_text).toContain('髙橋 𠮷子 様');

    // A replay of an issued row (a crash between issuing and recording it, had that been possible) and a
    // second run of the job issue nothing twice.
    await sql`update issuance_rows set status = 'pending', credential_id = null, processed_at = null
      where batch_id = ${plan.batchId} and row_number = 2`.execute(env.db);
    await sql`update issuance_batches set status = 'running', pending_count = 1, issued_count = 1
      where id = ${plan.batchId}`.execute(env.db);
    await runIssuanceBatch(env, plan.batchId);
    expect(await credentialsOf(['good1@example.jp'])).toHaveLength(1);
    const replayed = await getIssuanceReport(env, hub, { batchId: plan.batchId, statuses: ['skipped'] });
    expect(replayed.rows.map((r) => r.rowNumber)).toEqual([2, 9]);
    expect(await runIssuanceBatch(env, plan.batchId)).toEqual({ processed: 0, done: true });

    // The same list again: every good row is now already issued.
    const again = await planIssuance(env, hub, { orgId: hub.org.id, file: file(csv) });
    expect(again).toMatchObject({ pending: 0, skipped: 3 });
    expect(await codeOf(startIssuance(env, hub, { batchId: again.batchId }))).toBe('INVALID_STATE');
  });

  it('reads XLSX with formula and hyperlink cells, and Shift_JIS CSV', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('修了者');
    ws.addRow(['email', 'name', 'achievement']);
    ws.addRow(['xlsx1@example.jp', '小林 一郎', 'regional-2026']);
    ws.addRow([
      { text: 'xlsx2@example.jp', hyperlink: 'mailto:xlsx2@example.jp' },
      '加藤 二郎',
      'regional-2026',
    ]);
    ws.addRow(['xlsx3@example.jp', { formula: 'CONCAT("a","b")', result: 'ab' }, 'regional-2026']);
    const bytes = new Uint8Array(await wb.xlsx.writeBuffer());
    const plan = await planIssuance(env, hub, { orgId: hub.org.id, file: { name: 'list.xlsx', bytes } });
    expect(statuses(plan)).toEqual({ 2: 'pending', 3: 'pending', 4: 'failed' });
    expect(plan.rows.find((r) => r.rowNumber === 3)?.email).toBe('xlsx2@example.jp');
    expect(codes(plan, 4)).toEqual(['formula']);

    // "email,name,achievement\r\nsjis@example.jp,山田,regional-2026" in Shift_JIS (山 = 8E 52, 田 = 93 63).
    const sjis = Buffer.concat([
      Buffer.from('email,name,achievement\r\nsjis@example.jp,', 'ascii'),
      Buffer.from([0x8e, 0x52, 0x93, 0x63]),
      Buffer.from(',regional-2026\r\n', 'ascii'),
    ]);
    const fromSjis = await planIssuance(env, hub, {
      orgId: hub.org.id,
      file: { name: 'sjis.csv', bytes: sjis },
    });
    expect(fromSjis.notices.map((n) => n.code)).toContain('shift_jis');
    expect(fromSjis.rows[0]).toMatchObject({ name: '山田', status: 'pending' });

    const wrong = await planIssuance(env, hub, {
      orgId: hub.org.id,
      file: file('correo,nombre\r\na@example.jp,x'),
    });
    expect(wrong.fileErrors.map((e) => e.code)).toEqual(['missing_column', 'missing_column']);
    expect(wrong.rows).toEqual([]);
    expect(await codeOf(startIssuance(env, hub, { batchId: wrong.batchId }))).toBe('INVALID_STATE');
    const xls = await planIssuance(env, hub, {
      orgId: hub.org.id,
      file: { name: 'old.xls', bytes: Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0, 0, 0, 0]) },
    });
    expect(xls.fileErrors.map((e) => e.code)).toEqual(['xls']);
  });

  it('issues to the enrolled learners of a programme', async () => {
    const programmeId = await makeProgramme(env, hub.org.id, { status: 'closed' });
    await publishedAchievement(env, hub, { programmeId });
    const a = await makeApplication(env, programmeId, { status: 'enrolled', email: 'enrolled1@example.jp' });
    await makeApplication(env, programmeId, { status: 'enrolled', email: 'enrolled2@example.jp' });
    await makeApplication(env, programmeId, { status: 'accepted', email: 'accepted@example.jp' });
    await makeApplication(env, programmeId, { status: 'enrolled', anonymised: true });
    const plan = await planProgrammeIssuance(env, hub, { programmeId, format: 'jwt' });
    expect(plan).toMatchObject({ source: 'programme', total: 3, pending: 2, failed: 1, format: 'jwt' });
    await startIssuance(env, hub, { batchId: plan.batchId });
    await runJobs();
    const issued = await credentialsOf([
      'enrolled1@example.jp',
      'enrolled2@example.jp',
      'accepted@example.jp',
    ]);
    expect(issued.map((c) => c.recipient_email).sort()).toEqual([
      'enrolled1@example.jp',
      'enrolled2@example.jp',
    ]);
    expect(issued.find((c) => c.recipient_email === 'enrolled1@example.jp')?.recipient_user_id).toBe(
      a.applicantUserId,
    );
    const jwt = await env.db
      .selectFrom('credentials')
      .select('jwt')
      .where('recipient_email', '=', 'enrolled1@example.jp')
      .executeTakeFirstOrThrow();
    expect(jwt.jwt).toMatch(/^eyJ/);
  });

  it('keeps batches to their organisation', async () => {
    const plan = await planIssuance(env, hub, {
      orgId: hub.org.id,
      file: file('email,name,achievement\r\ntenancy@example.jp,x,regional-2026'),
    });
    const otherHub = await staffActor(env, 'regional_hub', 'admin');
    expect(await codeOf(planIssuance(env, otherHub, { orgId: hub.org.id, file: file('email,name') }))).toBe(
      'NOT_FOUND',
    );
    expect(await codeOf(getIssuanceProgress(env, otherHub, plan.batchId))).toBe('NOT_FOUND');
    expect(await codeOf(startIssuance(env, otherHub, { batchId: plan.batchId }))).toBe('NOT_FOUND');
    const viewer = await staffActor(env, 'regional_hub', 'viewer', hub.org.id);
    expect((await getIssuanceProgress(env, viewer, plan.batchId)).pending).toBe(1);
    expect(await codeOf(startIssuance(env, viewer, { batchId: plan.batchId }))).toBe('FORBIDDEN');
    const secretariat = await staffActor(env, 'secretariat', 'staff');
    expect((await startIssuance(env, secretariat, { batchId: plan.batchId })).status).toBe('queued');
  });
});
