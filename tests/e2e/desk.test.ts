import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeOrg, makeUser, type TestUser } from '../../src/test/app.js';
import { makeApplication } from '../../src/test/application-factories.js';
import { makeProgramme } from '../../src/test/factories.js';
import { checkA11y, type E2E, latestMail, signInStaff, startE2E, submit, visit } from './harness.js';

/**
 * The hub's desk: staff sign in, open the list of a programme's applications, view one, accept it through
 * the confirmation step (the decision mail lands in the outbox), and download the accepted list as XLSX,
 * whose names survive. The rubric, ranking and mail-text pages are checked with axe on the way.
 */
describe('application desk', { timeout: 180_000 }, () => {
  let e2e: E2E;
  let staff: TestUser;
  let page: Page;
  let programmeId: string;
  let applicant: Awaited<ReturnType<typeof makeApplication>>;
  const title = 'e2e 地域企業協働プログラム 北海道';
  const name = '髙橋 𠮷子 😀';

  beforeAll(async () => {
    e2e = await startE2E();
    const orgId = await makeOrg(e2e.env, 'regional_hub', 'e2e 北海道DXハブ');
    staff = await makeUser(e2e.env, { orgId, role: 'staff' });
    programmeId = await makeProgramme(e2e.env, orgId, { title });
    applicant = await makeApplication(e2e.env, programmeId, { fullName: name, furigana: 'タカハシ ヨシコ' });
    await makeApplication(e2e.env, programmeId, {
      fullName: '<script>alert(1)</script>',
      affiliation: '=cmd|calc',
    });
  });
  afterAll(async () => {
    await e2e?.close();
  });

  it('hub staff sign in and open the list of applications of their programme', async () => {
    page = await e2e.newPage();
    await signInStaff(e2e, page, staff.email, staff.password);
    await visit(page, '/admin/applications');
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: title }).click()]);
    expect(new URL(page.url()).pathname).toBe(`/admin/applications/programmes/${programmeId}`);
    await expect.poll(() => page.locator('main table').textContent()).toContain(name);
    // Script text in a name is shown as text.
    await expect.poll(() => page.locator('main table').textContent()).toContain('<script>alert(1)</script>');
    await checkA11y(page, '/admin/applications/programmes/:id');
  });

  it('views an application and accepts it after the confirmation step; the mail is in the outbox', async () => {
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: applicant.number }).click()]);
    expect(new URL(page.url()).pathname).toBe(`/admin/applications/${applicant.id}`);
    await expect.poll(() => page.locator('h1').textContent()).toContain(name);
    await checkA11y(page, '/admin/applications/:id');

    await page.getByLabel('変更後の状況').selectOption({ label: '合格にする(メール通知)' });
    expect(await submit(page, '確認へ進む')).toBe(200);
    await expect.poll(() => page.locator('main').textContent()).toContain(applicant.email);
    await checkA11y(page, 'decision confirmation');

    expect(await submit(page, /1件を「合格」にする/)).toBe(200);
    expect(new URL(page.url()).searchParams.get('done')).toBe('decided');
    await expect.poll(() => page.locator('main').textContent()).toContain('状況を変更しました。');
    await checkA11y(page, '/admin/applications/:id?done=decided');

    const mail = await latestMail(e2e.env, applicant.email);
    expect(mail.template).toBe('application_decision');
    expect(mail.subject).toBe('【マナビDX Quest】選考結果のお知らせ');
    expect(mail.body).toContain(`${name} 様`);
    expect(mail.body).toContain('合格');
  });

  it('downloads the accepted list as XLSX with the names intact', async () => {
    await visit(page, `/admin/applications/programmes/${programmeId}`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: '合格者一覧(XLSX)をダウンロード' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^accepted-[0-9a-f]{8}-\d{12}\.xlsx$/);
    const path = await download.path();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(await readFile(path)).buffer as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws?.getRow(1).getCell(3).value).toBe('氏名');
    expect(ws?.rowCount).toBe(2);
    expect(ws?.getRow(2).getCell(1).value).toBe(applicant.number);
    expect(ws?.getRow(2).getCell(3).value).toBe(name);
    const exported = await e2e.env.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'applications.exported')
      .executeTakeFirstOrThrow();
    expect(exported.details).toMatchObject({ format: 'xlsx', filter: { status: 'accepted' }, rows: 1 });
  });

  it('the rubric, ranking and mail text pages pass axe too, including a form with errors', async () => {
    await visit(page, `/admin/applications/programmes/${programmeId}/rubric`);
    expect(await submit(page, '追加する')).toBe(422);
    await checkA11y(page, 'rubric (errors)');
    await page.getByLabel('評価項目').fill('課題理解');
    expect(await submit(page, '追加する')).toBe(200);
    await checkA11y(page, 'rubric (added)');
    await visit(page, `/admin/applications/programmes/${programmeId}/ranking`);
    await visit(page, '/admin/applications/templates');
    // An application still open for scoring: the scoring form, then its errors.
    const other = await e2e.env.db
      .selectFrom('applications')
      .select('id')
      .where('programme_id', '=', programmeId)
      .where('status', '=', 'submitted')
      .executeTakeFirstOrThrow();
    await visit(page, `/admin/applications/${other.id}`);
    expect(await submit(page, '採点を送信する')).toBe(422);
    await checkA11y(page, '/admin/applications/:id (scoring errors)');
    await page.getByLabel(/課題理解/).selectOption('4');
    expect(await submit(page, '採点を送信する')).toBe(200);
    await expect.poll(() => page.locator('main').textContent()).toContain('合計点: 80.0 / 100');
    await checkA11y(page, '/admin/applications/:id (scored)');
  });

  it('the secretariat sees the overview of every programme', async () => {
    const secId = await makeOrg(e2e.env, 'secretariat', 'e2e 事務局');
    const sec = await makeUser(e2e.env, { orgId: secId, role: 'staff' });
    const secPage = await e2e.newPage();
    await signInStaff(e2e, secPage, sec.email, sec.password);
    await visit(secPage, '/admin/applications/overview');
    await expect.poll(() => secPage.locator('main').textContent()).toContain(title);
  });

  it('made no request outside 127.0.0.1 and logged no script or CSP error', () => {
    e2e.assertClean();
  });
});
