import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameworkXlsx, templateRows } from '../../src/modules/credentials/framework-template.js';
import { makeOrg, makeUser, type TestUser } from '../../src/test/app.js';
import { checkA11y, type E2E, signInStaff, startE2E, submit, visit } from './harness.js';

/**
 * Skill frameworks as data (issue 4 §1): the secretariat uploads an XLSX framework, reads the dry-run report
 * (after a first try with a Shift_JIS CSV, which the report refuses plainly), imports it, and the new
 * version's public item page — the page a badge alignment points to — shows the item with its framework,
 * version and provenance to an anonymous visitor. axe-core on every page and state visited.
 */
describe('skill framework import', { timeout: 180_000 }, () => {
  let e2e: E2E;
  let staff: TestUser;
  let page: Page;
  const rows = templateRows();
  const [first] = rows.items;

  beforeAll(async () => {
    e2e = await startE2E();
    const orgId = await makeOrg(e2e.env, 'secretariat', 'e2e 事務局');
    staff = await makeUser(e2e.env, { orgId, role: 'staff' });
  });
  afterAll(async () => {
    await e2e?.close();
  });

  it('the secretariat opens the frameworks page and the import form, and sees errors tied to the fields', async () => {
    page = await e2e.newPage();
    await signInStaff(e2e, page, staff.email, staff.password);
    await visit(page, '/admin/frameworks');
    await expect.poll(() => page.locator('main table').first().textContent()).toContain('ver.2.0');
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole('link', { name: '新しいバージョンを取り込む' }).click(),
    ]);
    expect(new URL(page.url()).pathname).toBe('/admin/frameworks/import');
    await checkA11y(page, '/admin/frameworks/import');
    expect(await submit(page, /確認する/)).toBe(422);
    await expect
      .poll(() => page.locator('.error-summary').textContent())
      .toContain('ファイルを選んでください');
    await checkA11y(page, '/admin/frameworks/import (errors)');
  });

  it('a Shift_JIS CSV gets a report that says so, with no import button', async () => {
    await visit(page, '/admin/frameworks/import');
    // 「あい」 in Shift_JIS after an ASCII header
    const sjis = Buffer.from([...Buffer.from('category_code,category_name\n1,'), 0x82, 0xa0, 0x82, 0xa2]);
    await page
      .getByLabel(/スキル項目のファイル/)
      .setInputFiles({ name: 'sjis.csv', mimeType: 'text/csv', buffer: sjis });
    await page.getByLabel('スキル標準の識別子').fill('e2e-skills');
    await page.getByLabel('バージョン').fill('1.0');
    expect(await submit(page, /確認する/)).toBe(200);
    expect(new URL(page.url()).pathname).toMatch(/^\/admin\/frameworks\/imports\/[0-9a-f-]{36}$/);
    await expect.poll(() => page.locator('main').textContent()).toContain('Shift_JIS');
    expect(await page.getByRole('button', { name: 'このバージョンを取り込む' }).count()).toBe(0);
    await checkA11y(page, 'dry-run report (rejected)');
  });

  it('uploads an XLSX, reads the dry-run report, and imports the version', async () => {
    await visit(page, '/admin/frameworks/import');
    const xlsx = Buffer.from(await frameworkXlsx(rows));
    await page.getByLabel(/スキル項目のファイル/).setInputFiles({
      name: 'e2e-skills.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: xlsx,
    });
    await page.getByLabel('スキル標準の識別子').fill('e2e-skills');
    await page.getByLabel('バージョン').fill('1.0');
    await page.getByLabel('スキル標準の名称').fill('e2e スキル標準');
    await page.getByLabel('出典・位置づけ').fill('e2e テスト用の出典(公式ではありません)');
    expect(await submit(page, /確認する/)).toBe(200);
    await expect.poll(() => page.locator('main').textContent()).toContain('エラーはありません。');
    await expect.poll(() => page.locator('main').textContent()).toContain('スキル項目3件、ロール1件');
    await checkA11y(page, 'dry-run report (checked)');

    expect(await submit(page, 'このバージョンを取り込む')).toBe(200);
    expect(new URL(page.url()).searchParams.get('done')).toBe('imported');
    await expect.poll(() => page.locator('main').textContent()).toContain('取り込みました。');
    await checkA11y(page, 'import done');
  });

  it('an anonymous visitor finds the new version and its item page, which says where the list comes from', async () => {
    const visitor = await e2e.newPage();
    await visit(visitor, '/frameworks');
    await Promise.all([
      visitor.waitForNavigation(),
      visitor.getByRole('link', { name: 'e2e スキル標準 ver.1.0' }).click(),
    ]);
    expect(new URL(visitor.url()).pathname).toBe('/frameworks/e2e-skills/1.0');
    await checkA11y(visitor, '/frameworks/e2e-skills/1.0');
    await Promise.all([
      visitor.waitForNavigation(),
      visitor
        .getByRole('link', { name: first?.name ?? '' })
        .first()
        .click(),
    ]);
    expect(new URL(visitor.url()).pathname).toBe(`/frameworks/e2e-skills/1.0/${first?.code}`);
    await expect.poll(() => visitor.locator('h1').textContent()).toBe(first?.name);
    const main = (await visitor.locator('main').textContent()) ?? '';
    expect(main).toContain(`${first?.categoryCode} ${first?.categoryName}`);
    expect(main).toContain('e2e スキル標準');
    expect(main).toContain('e2e テスト用の出典(公式ではありません)');
    expect(main).toContain('公式に公表されたものかどうかは確認されていません');
    await checkA11y(visitor, '/frameworks/e2e-skills/1.0/:code');
    // The shipped DSS-P item page too.
    await visit(visitor, '/frameworks/dss-p/2.0/1.1.1');
    await visit(visitor, '/frameworks/dss-p/2.0');
  });

  it('made no request outside 127.0.0.1 and logged no script or CSP error', () => {
    e2e.assertClean();
  });
});
