import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkA11y, type E2E, latestMail, startE2E, submit, urlFrom, visit } from './harness.js';

/**
 * Learner sign-in by e-mail link: request → "sent" page → the link from the outbox → confirmation page →
 * button → dashboard as a learner. The link is single use: opening it again shows the invalid-link page.
 */
describe('learner sign-in by magic link', { timeout: 120_000 }, () => {
  let e2e: E2E;
  let page: Page;
  const address = `learner-${Date.now().toString(36)}@example.jp`;

  beforeAll(async () => {
    e2e = await startE2E();
    page = await e2e.newPage();
  });
  afterAll(async () => {
    await e2e?.close();
  });

  it('shows a field error for an invalid address', async () => {
    await visit(page, '/login/link');
    await page.getByLabel('メールアドレス').fill('not-an-address');
    expect(await submit(page, 'ログイン用リンクを送る')).toBe(422);
    expect(await page.locator('#f-email').getAttribute('aria-invalid')).toBe('true');
    await checkA11y(page, '/login/link (invalid address)');
  });

  let link = '';

  it('sends a link and shows the "sent" page', async () => {
    await visit(page, '/login/link');
    await page.getByLabel('メールアドレス').fill(address);
    expect(await submit(page, 'ログイン用リンクを送る')).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/login/link/sent');
    await expect.poll(() => page.locator('h1').textContent()).toBe('メールを確認してください');
    await checkA11y(page, '/login/link/sent');

    const mail = await latestMail(e2e.env, address);
    expect(mail.template).toBe('magic_link');
    link = urlFrom(mail.body, e2e.baseUrl, '/login/link/');
  });

  it('opens the link: a confirmation page, then the button signs the learner in', async () => {
    const res = await page.goto(link);
    expect(res?.status()).toBe(200);
    await expect.poll(() => page.locator('h1').textContent()).toBe('ログインの確認');
    await checkA11y(page, '/login/link/:token');

    expect(await submit(page, 'ログインする')).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    await expect.poll(() => page.locator('h1').textContent()).toBe('マイページ');
    // A learner's menu has no staff pages.
    expect(await page.getByRole('link', { name: '組織' }).count()).toBe(0);
    await checkA11y(page, '/dashboard (learner)');
    await visit(page, '/account');
  });

  it('refuses the same link a second time', async () => {
    const res = await page.goto(link);
    expect(res?.status()).toBe(404);
    await expect.poll(() => page.locator('h1').textContent()).toBe('リンクが無効です');
    await checkA11y(page, '/login/link/:token (used)');

    // A fresh browser (no session) that posts the used token also gets the invalid-link page.
    const other = await e2e.newPage();
    await visit(other, '/login/link');
    const token = new URL(link).pathname.split('/').pop() ?? '';
    await other.evaluate((t) => {
      const form = document.querySelector<HTMLFormElement>('form[action="/login/link"]');
      if (form) form.action = `/login/link/${t}`;
    }, token);
    await other.getByLabel('メールアドレス').fill(address);
    expect(await submit(other, 'ログイン用リンクを送る')).toBe(404);
    await checkA11y(other, 'POST /login/link/:token (used)');
  });

  it('logs the learner out back to the link page', async () => {
    await visit(page, '/dashboard');
    expect(await submit(page, 'ログアウト')).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/login/link');
    await checkA11y(page, '/login/link?done=logout');
  });

  it('made no request outside 127.0.0.1 and logged no script or CSP error', () => {
    e2e.assertClean();
  });
});
