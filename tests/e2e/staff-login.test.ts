import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/modules/identity/totp.js';
import { makeOrg, makeUser, type TestUser } from '../../src/test/app.js';
import { checkA11y, type E2E, freshTotp, startE2E, submit, totpSecretOf, visit } from './harness.js';

/**
 * Staff sign-in: password → first-time TOTP enrolment → dashboard; wrong password; English pages; logout;
 * second sign-in asks for a code (not enrolment), refuses a wrong one and accepts a right one.
 */
describe('staff sign-in with password and TOTP', { timeout: 120_000 }, () => {
  let e2e: E2E;
  let page: Page;
  let user: TestUser;
  const orgName = 'e2e 東京DXハブ';

  beforeAll(async () => {
    e2e = await startE2E();
    const orgId = await makeOrg(e2e.env, 'regional_hub', orgName);
    user = await makeUser(e2e.env, { orgId, role: 'admin' });
    page = await e2e.newPage();
  });
  afterAll(async () => {
    await e2e?.close();
  });

  async function fillLogin(email: string, password: string) {
    await page.getByLabel('メールアドレス').fill(email);
    await page.getByLabel('パスワード', { exact: false }).fill(password);
    return submit(page, 'ログイン');
  }

  it('refuses a wrong password with the same generic message as an unknown address', async () => {
    await visit(page, '/login/staff');
    expect(await fillLogin(user.email, 'not-the-password-at-all')).toBe(401);
    const wrongPassword = await page.locator('.error-summary').textContent();
    expect(wrongPassword?.trim()).toBeTruthy();
    await expect.poll(() => page.locator('#f-email').inputValue()).toBe(user.email);
    await checkA11y(page, '/login/staff (wrong password)');

    expect(await fillLogin('nobody-here@example.jp', 'not-the-password-at-all')).toBe(401);
    const unknown = await page.locator('.error-summary').textContent();
    expect(unknown).toBe(wrongPassword); // no hint whether the account exists
    await checkA11y(page, '/login/staff (unknown address)');
  });

  it('enrols an authenticator on the first sign-in and lands on the dashboard', async () => {
    await visit(page, '/login/staff');
    expect(await fillLogin(user.email, user.password)).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/mfa/enrol');
    await checkA11y(page, '/mfa/enrol');
    // The pending secret shown on the page is the one the server stored (encrypted).
    const secret = await totpSecretOf(e2e.env, user.email);
    expect(((await page.locator('code.secret').textContent()) ?? '').replace(/\s/g, '')).toBe(secret);

    await page.getByLabel('確認コード').fill(await freshTotp(e2e.env, user.email));
    expect(await submit(page, '登録する')).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    await expect.poll(() => page.locator('main').textContent()).toContain(orgName);
    await checkA11y(page, '/dashboard (after enrolment)');
  });

  it('renders the English pages, which pass axe too', async () => {
    await visit(page, '/dashboard?lang=en');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.getByRole('link', { name: 'Skip to main content' }).count()).toBe(1);
    await visit(page, '/login?lang=en');
    await visit(page, '/dashboard?lang=ja');
    expect(await page.locator('html').getAttribute('lang')).toBe('ja');
  });

  it('logs out: the session is gone and the dashboard asks for a sign-in', async () => {
    await visit(page, '/dashboard');
    expect(await submit(page, 'ログアウト')).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/login/staff');
    await expect.poll(() => page.locator('main').textContent()).toContain('ログアウトしました');
    await checkA11y(page, '/login/staff?done=logout');

    const res = await page.goto('/dashboard');
    expect(res?.status()).toBe(200);
    const url = new URL(page.url());
    expect(url.pathname).toBe('/login');
    expect(url.searchParams.get('next')).toBe('/dashboard');
    await checkA11y(page, '/login?next=/dashboard');
  });

  it('signs in again with a code: a wrong code shows the field error, a right one gets in', async () => {
    await visit(page, '/login/staff');
    expect(await fillLogin(user.email, user.password)).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/login/mfa');
    await checkA11y(page, '/login/mfa');

    const secret = await totpSecretOf(e2e.env, user.email);
    await page.getByLabel('確認コード').fill(wrongCode(secret));
    expect(await submit(page, '確認する')).toBe(422);
    const field = page.locator('#f-code');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await field.getAttribute('aria-describedby')).toContain('f-code-error');
    expect(await page.locator('#f-code-error').textContent()).not.toBe('');
    await checkA11y(page, '/login/mfa (wrong code)');

    await page.getByLabel('確認コード').fill(await freshTotp(e2e.env, user.email));
    expect(await submit(page, '確認する')).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    await expect.poll(() => page.locator('main').textContent()).toContain(orgName);
    await checkA11y(page, '/dashboard (second sign-in)');
  });

  it('made no request outside 127.0.0.1 and logged no script or CSP error', () => {
    e2e.assertClean();
  });
});

/** Six digits that are not the code of any step the server would accept now. */
function wrongCode(secret: string): string {
  const now = Date.now();
  const valid = new Set([-2, -1, 0, 1, 2].map((d) => totpCode(secret, new Date(now + d * 30_000))));
  return ['123456', '654321', '111111'].find((c) => !valid.has(c)) ?? '222222';
}
