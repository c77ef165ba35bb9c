import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkA11y, correlationId, type E2E, signInByLink, startE2E, visit } from './harness.js';

/**
 * Error states are pages too: 404, 403 (no permission; a form whose CSRF field was removed), 422 (a login
 * form with an invalid address) must pass axe, and error pages show the correlation id that the server
 * also sends as X-Request-Id. Keyboard: the first Tab reaches the skip link, Enter moves focus to #main.
 */
describe('error pages and keyboard use', { timeout: 120_000 }, () => {
  let e2e: E2E;
  let page: Page;

  beforeAll(async () => {
    e2e = await startE2E();
    page = await e2e.newPage();
  });
  afterAll(async () => {
    await e2e?.close();
  });

  async function expectCorrelation(res: Awaited<ReturnType<Page['goto']>>) {
    const id = await correlationId(page);
    expect(res?.headers()['x-request-id']).toBe(id);
  }

  it('404: a page that does not exist', async () => {
    const res = await page.goto('/no-such-page');
    expect(res?.status()).toBe(404);
    await expect.poll(() => page.locator('h1').textContent()).toBe('ページが見つかりません');
    await expectCorrelation(res);
    await checkA11y(page, '404 /no-such-page');
    // The same page in English.
    await visit(page, '/no-such-page?lang=en', 404);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await visit(page, '/?lang=ja');
  });

  it('403: a form posted without its CSRF field', async () => {
    await visit(page, '/login/staff');
    await page.locator('form[action="/login/staff"] input[name="_csrf"]').evaluate((el) => el.remove());
    await page.getByLabel('メールアドレス').fill('someone@example.jp');
    await page.getByLabel('パスワード').fill('whatever-password');
    const [res] = await Promise.all([
      page.waitForNavigation(),
      page.getByRole('button', { name: 'ログイン' }).click(),
    ]);
    expect(res?.status()).toBe(403);
    await expect.poll(() => page.locator('h1').textContent()).toBe('このページを表示する権限がありません');
    await expectCorrelation(res);
    await checkA11y(page, '403 POST /login/staff without CSRF');
  });

  it('403: a POST without a token from outside a form (page.request)', async () => {
    const res = await page.request.post('/login/link', { form: { email: 'someone@example.jp' } });
    expect(res.status()).toBe(403);
    expect(await res.text()).toContain(res.headers()['x-request-id']);
  });

  it('422: staff login with an invalid e-mail address', async () => {
    await visit(page, '/login/staff');
    await page.getByLabel('メールアドレス').fill('not an address');
    await page.getByLabel('パスワード').fill('whatever-password');
    const [res] = await Promise.all([
      page.waitForNavigation(),
      page.getByRole('button', { name: 'ログイン' }).click(),
    ]);
    expect(res?.status()).toBe(422);
    // A form re-rendered with its errors (STYLE.md 3), not an error page: the id is in the header only.
    expect(res?.headers()['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const field = page.locator('#f-email');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await field.getAttribute('aria-describedby')).toContain('f-email-error');
    expect(await page.locator('.error-summary a[href="#f-email"]').count()).toBe(1);
    await checkA11y(page, '422 POST /login/staff (invalid e-mail)');
  });

  it('403: a learner opening a secretariat page', async () => {
    await signInByLink(e2e, page, `learner-${Date.now().toString(36)}@example.jp`);
    for (const path of ['/admin/audit', '/admin/outbox']) {
      const res = await page.goto(path);
      expect(res?.status(), path).toBe(403);
      await expectCorrelation(res);
      await checkA11y(page, `403 ${path} (learner)`);
    }
  });

  it('keyboard: the first Tab focuses the skip link and Enter moves to the main content', async () => {
    await visit(page, '/');
    await page.keyboard.press('Tab');
    const focused = page.locator(':focus');
    expect(await focused.getAttribute('class')).toContain('skip-link');
    expect(await focused.getAttribute('href')).toBe('#main');
    expect(await focused.isVisible()).toBe(true); // visible when focused
    await checkA11y(page, '/ (skip link focused)');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('main');
    expect(new URL(page.url()).hash).toBe('#main');
  });

  it('made no request outside 127.0.0.1 and logged no script or CSP error', () => {
    e2e.assertClean();
  });
});
