import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SeededAccount, seedDemo } from '../../src/db/seed/demo.js';
import { checkA11y, type E2E, latestMail, signInStaff, startE2E, submit, urlFrom, visit } from './harness.js';

/**
 * Issue 3's "Done when", on the demo data as `npm start` seeds it: a new user finds the 3層 programme of their
 * prefecture (宮城県, the Tohoku hub's) through the catalogue's filters, signs in by e-mail link, applies with a
 * name in rare kanji, receives the confirmation mail, and sees the status change when the hub's staff accept
 * them; the hub then downloads the accepted list as XLSX with the name intact. axe-core on every page.
 */
describe('the recruitment journey on the demo data', { timeout: 240_000 }, () => {
  let e2e: E2E;
  let accounts: SeededAccount[];
  let learnerPage: Page;
  let hubPage: Page;
  let number = '';
  const learner = `demo-learner-${Date.now().toString(36)}@example.jp`;
  const name = '髙橋 𠮷子';
  const hubTitle = '地域企業協働プログラム 東北地域企業協働ハブ 2026(デモ)';

  /** E2E_SCREENSHOTS=<dir> keeps a picture of the key pages, for a person to look at. */
  const shot = async (page: Page, file: string) => {
    if (process.env.E2E_SCREENSHOTS)
      await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/${file}.png`, fullPage: true });
  };

  beforeAll(async () => {
    e2e = await startE2E();
    accounts = await seedDemo(e2e.env);
  });
  afterAll(async () => {
    await e2e?.close();
  });

  it('finds the 3層 programme of 宮城県 from the top page with the catalogue filters', async () => {
    learnerPage = await e2e.newPage();
    const page = learnerPage;
    await visit(page, '/');
    await Promise.all([
      page.waitForNavigation(),
      page
        .getByRole('link', { name: /プログラム一覧|すべてのプログラム|プログラムを探す/ })
        .first()
        .click(),
    ]);
    expect(new URL(page.url()).pathname).toBe('/programmes');
    await checkA11y(page, '/programmes');
    await page.getByLabel('区分').selectOption({ value: '3' });
    await page.getByLabel('都道府県').selectOption({ label: '宮城県' });
    expect(await submit(page, 'この条件で探す')).toBe(200);
    const url = new URL(page.url());
    expect(url.searchParams.get('layer')).toBe('3');
    expect(url.searchParams.get('pref')).toBe('4');
    await expect.poll(() => page.locator('main').textContent()).toContain('1件');
    await checkA11y(page, '/programmes?layer=3&pref=4');
    await shot(page, '1-catalogue-miyagi');
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: hubTitle }).click()]);
    await expect.poll(() => page.locator('h1').textContent()).toContain(hubTitle);
    await checkA11y(page, 'programme page');
  });

  it('signs in by e-mail link, applies, and gets the confirmation mail with the number', async () => {
    const page = learnerPage;
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole('link', { name: '申し込む' }).first().click(),
    ]);
    expect(new URL(page.url()).pathname).toBe('/login/link');
    await checkA11y(page, '/login/link?next=…');
    await page.getByLabel('メールアドレス').fill(learner);
    expect(await submit(page, 'ログイン用リンクを送る')).toBe(200);
    await page.goto(urlFrom((await latestMail(e2e.env, learner)).body, e2e.baseUrl, '/login/link/'));
    expect(await submit(page, 'ログインする')).toBe(200);
    await expect.poll(() => page.locator('h1').textContent()).toBe('応募資格の確認');
    await checkA11y(page, 'eligibility');
    for (const group of await page.locator('fieldset').all())
      await group.getByLabel('はい', { exact: true }).check();
    expect(await submit(page, '次へ')).toBe(200);
    await checkA11y(page, 'application form');

    await page.getByLabel('氏名').fill(name);
    await page.getByLabel('ふりがな').fill('たかはし よしこ');
    await page.getByLabel('都道府県').selectOption({ label: '宮城県' });
    await page.getByLabel('社会人').check();
    await page.getByLabel('学校名・勤務先').fill('株式会社みやぎテスト');
    await page.getByLabel('志望動機').fill('地元の企業と一緒に DX に取り組みたいからです。');
    await page.getByLabel('業務で少し経験がある').check();
    await page.getByLabel('製造業').check();
    await page.getByLabel('誓約します').check();
    await page.getByLabel('上記の利用目的に同意します').check();
    await page.getByLabel('提供することに同意します').check();
    expect(await submit(page, '申し込む')).toBe(200);
    expect(new URL(page.url()).pathname).toMatch(/\/apply\/complete$/);
    await checkA11y(page, 'complete');
    await shot(page, '2-complete');
    number = ((await page.locator('main').textContent()) ?? '').match(/DXQ-\d{4}-\d{6,}/)?.[0] ?? '';
    expect(number).not.toBe('');

    const mail = await latestMail(e2e.env, learner);
    expect(mail.template).toBe('application_received');
    expect(mail.body).toContain(`申込番号: ${number}`);
    expect(mail.body).toContain(hubTitle);
    await visit(page, '/my/applications');
    await expect.poll(() => page.locator('main').textContent()).toContain(number);
  });

  it('the hub staff accept the application; the learner sees 合格 and gets the decision mail', async () => {
    const staff = accounts.find((a) => a.email.startsWith('hub-tohoku-staff@'));
    if (!staff) throw new Error('no demo staff account for the Tohoku hub');
    hubPage = await e2e.newPage();
    const page = hubPage;
    await signInStaff(e2e, page, staff.email, staff.password);
    await visit(page, '/admin/applications');
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: hubTitle }).click()]);
    await checkA11y(page, 'desk list');
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: number }).click()]);
    await expect.poll(() => page.locator('h1').textContent()).toContain(name);
    await checkA11y(page, 'desk detail');
    await page.getByLabel('変更後の状況').selectOption({ label: '合格にする(メール通知)' });
    expect(await submit(page, '確認へ進む')).toBe(200);
    await checkA11y(page, 'decision confirmation');
    expect(await submit(page, /1件を「合格」にする/)).toBe(200);

    const mail = await latestMail(e2e.env, learner);
    expect(mail.template).toBe('application_decision');
    expect(mail.body).toContain(`${name} 様`);
    await visit(learnerPage, '/my/applications');
    const row = learnerPage.locator('main tr', { hasText: number });
    await expect.poll(() => row.textContent()).toContain('合格');
    await shot(learnerPage, '3-my-applications-accepted');
  });

  it('the hub downloads the accepted list as XLSX and the name is intact', async () => {
    const page = hubPage;
    const programme = await e2e.env.db
      .selectFrom('programmes')
      .select('id')
      .where('title', '=', hubTitle)
      .executeTakeFirstOrThrow();
    await visit(page, `/admin/applications/programmes/${programme.id}`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: '合格者一覧(XLSX)をダウンロード' }).click(),
    ]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(await readFile(await download.path())).buffer as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws?.rowCount).toBe(2);
    expect(ws?.getRow(2).getCell(1).value).toBe(number);
    expect(ws?.getRow(2).getCell(3).value).toBe(name);
  });

  it('made no request outside 127.0.0.1 and logged no script or CSP error', () => {
    e2e.assertClean();
  });
});
