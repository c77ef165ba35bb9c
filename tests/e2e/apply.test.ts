import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeOrg } from '../../src/test/app.js';
import { makeProgramme } from '../../src/test/factories.js';
import { checkA11y, type E2E, latestMail, startE2E, submit, urlFrom, visit } from './harness.js';

/**
 * A learner finds a published 3層 programme, is sent to sign in by e-mail link and comes back to apply:
 * eligibility, the form (first with an error, then complete), the confirmation page and mail, and the
 * application under /my/applications. Then the same journey with JavaScript disabled, ending in a withdrawal.
 * axe-core checks every page and state on the way.
 */
describe('applying to a programme', { timeout: 180_000 }, () => {
  let e2e: E2E;
  let pid: string;
  let number = '';
  const learner = `applicant-${Date.now().toString(36)}@example.jp`;
  const noJsLearner = `nojs-${Date.now().toString(36)}@example.jp`;

  beforeAll(async () => {
    e2e = await startE2E();
    pid = await makeProgramme(e2e.env, await makeOrg(e2e.env, 'regional_hub', 'e2e 東京DXハブ'));
  });
  afterAll(async () => {
    await e2e?.close();
  });

  /** From the apply link, anonymous: sign in by the mailed link and land back on the eligibility step. */
  async function signInToApply(page: Page, email: string, a11y = true) {
    const check = (label: string) => (a11y ? checkA11y(page, label) : Promise.resolve());
    const res = await page.goto(`/programmes/${pid}/apply`);
    expect(res?.status()).toBe(200);
    await check('/login/link?next=…');
    expect(new URL(page.url()).pathname).toBe('/login/link');
    await page.getByLabel('メールアドレス').fill(email);
    expect(await submit(page, 'ログイン用リンクを送る')).toBe(200);
    await check('/login/link/sent');
    await page.goto(urlFrom((await latestMail(e2e.env, email)).body, e2e.baseUrl, '/login/link/'));
    await check('/login/link/:token');
    expect(await submit(page, 'ログインする')).toBe(200);
    expect(new URL(page.url()).pathname).toBe(`/programmes/${pid}/apply`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('応募資格の確認');
    await check('eligibility');
  }

  async function fillForm(page: Page, opts: { fullName: string }) {
    await page.getByLabel('氏名').fill(opts.fullName);
    await page.getByLabel('ふりがな').fill('やまだ はなこ');
    await page.getByLabel('都道府県').selectOption({ label: '東京都' });
    await page.getByLabel('社会人').check();
    await page.getByLabel('学校名・勤務先').fill('株式会社テスト');
    await page.getByLabel('志望動機').fill('地域の企業の DX に取り組みたいからです。');
    await page.getByLabel('データ活用').check();
    await page.getByLabel('誓約します').check();
    await page.getByLabel('上記の利用目的に同意します').check();
    await page.getByLabel('提供することに同意します').check();
  }

  it('finds the programme and is sent to sign in, then back to apply', async () => {
    const page = await e2e.newPage();
    await visit(page, `/programmes/${pid}`);
    await page.getByRole('link', { name: '申し込む' }).click();
    await page.waitForURL(/\/login\/link\?next=/);
    await signInToApply(page, learner);

    // An ineligible answer is explained (and nothing is kept); then eligible, the form with the account's
    // address prefilled.
    await page.getByLabel('いいえ', { exact: true }).check();
    expect(await submit(page, '次へ')).toBe(200);
    await expect.poll(() => page.locator('h1').textContent()).toBe('応募資格を満たしていません');
    await checkA11y(page, 'ineligible');
    await page.getByRole('link', { name: '回答を見直す' }).click();
    await page.waitForURL(new RegExp(`/programmes/${pid}/apply$`));
    await page.getByLabel('はい', { exact: true }).check();
    expect(await submit(page, '次へ')).toBe(200);
    await expect.poll(() => page.locator('h1').textContent()).toBe('申込みフォーム');
    expect(await page.getByLabel('メールアドレス').inputValue()).toBe(learner);
    await checkA11y(page, 'application form');

    // Saving while typing (apply.js): the status region says so, and the server has the draft.
    await page.getByLabel('ふりがな').fill('やまだ');
    await expect
      .poll(() => page.locator('#autosave-status').textContent(), { timeout: 8000 })
      .toMatch(/^保存しました/);
    const draft = await e2e.env.db
      .selectFrom('applications')
      .select(['furigana', 'status'])
      .where('programme_id', '=', pid)
      .executeTakeFirstOrThrow();
    expect(draft).toEqual({ furigana: 'ヤマダ', status: 'draft' });
    // The 一時保存 button does the same as a form post and comes back to the form saying so.
    expect(await submit(page, '一時保存')).toBe(200);
    await expect.poll(() => page.locator('.notice-success').textContent()).toMatch(/^一時保存しました/);
    await checkA11y(page, 'form after 一時保存');

    // An error first: the 422 page with its summary, checked by axe in that state.
    await fillForm(page, { fullName: '' });
    expect(await submit(page, '申し込む')).toBe(422);
    await expect.poll(() => page.locator('.error-summary').isVisible()).toBe(true);
    expect(await page.locator('#f-fullName').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('学校名・勤務先').inputValue()).toBe('株式会社テスト');
    await checkA11y(page, 'application form (422)');

    await fillForm(page, { fullName: '山田 花子' });
    expect(await submit(page, '申し込む')).toBe(200);
    expect(new URL(page.url()).pathname).toBe(`/programmes/${pid}/apply/complete`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('申込みを受け付けました');
    number = /DXQ-2026-\d{6}/.exec((await page.locator('main').textContent()) ?? '')?.[0] ?? '';
    expect(number).not.toBe('');
    await checkA11y(page, 'complete');

    const mail = await latestMail(e2e.env, learner);
    expect(mail.template).toBe('application_received');
    expect(mail.body).toContain(`申込番号: ${number}`);

    await page.getByRole('link', { name: '申込み内容と状況を確認する' }).click();
    await page.waitForURL(/\/my\/applications\/[0-9a-f-]{36}$/);
    expect(await page.locator('main').textContent()).toContain('山田 花子');
    await checkA11y(page, 'my application');
    await visit(page, '/my/applications');
    expect(await page.locator('main').textContent()).toContain(number);
    await visit(page, `/programmes/${pid}/apply`); // a later visit: "already applied"
    expect(await page.locator('h1').textContent()).toBe('既に申し込み済みです');
    await page.getByRole('link', { name: '申込み内容と状況を確認する' }).click();
    await page.getByRole('link', { name: 'この申込みを取り下げる' }).click();
    await page.waitForURL(/\/withdraw$/);
    await checkA11y(page, 'withdraw confirmation');
    expect(await submit(page, '取り下げる')).toBe(200);
    await expect.poll(() => page.locator('.notice-success').textContent()).toBe('申込みを取り下げました。');
    await checkA11y(page, 'withdrawn');
  });

  // axe-core runs as a script inside the page, which a JavaScript-disabled context refuses to run: these
  // pages are the same server-rendered HTML the first journey checks, so this journey checks the flow only.
  it('works with JavaScript disabled, down to a withdrawal', async () => {
    const context: BrowserContext = await e2e.browser.newContext({
      baseURL: e2e.baseUrl,
      locale: 'ja-JP',
      javaScriptEnabled: false,
    });
    try {
      await context.route('**/*', (route) =>
        new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort(),
      );
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      await signInToApply(page, noJsLearner, false);
      await page.getByLabel('はい', { exact: true }).check();
      expect(await submit(page, '次へ')).toBe(200);

      // The 一時保存 button saves without JavaScript and comes back to the form.
      await page.getByLabel('氏名').fill('髙橋 𠮷子');
      expect(await submit(page, '一時保存')).toBe(200);
      expect(new URL(page.url()).search).toBe('?saved=1');
      await expect.poll(() => page.locator('.notice-success').textContent()).toMatch(/^一時保存しました/);
      expect(await page.getByLabel('氏名').inputValue()).toBe('髙橋 𠮷子');

      await fillForm(page, { fullName: '髙橋 𠮷子' });
      expect(await submit(page, '申し込む')).toBe(200);
      await expect.poll(() => page.locator('h1').textContent()).toBe('申込みを受け付けました');

      await page.goto('/my/applications');
      await page.getByRole('link', { name: /地域企業協働プログラム/ }).click();
      await page.waitForURL(/\/my\/applications\/[0-9a-f-]{36}$/);
      await page.getByRole('link', { name: 'この申込みを取り下げる' }).click();
      await page.waitForURL(/\/withdraw$/);
      expect(await submit(page, '取り下げる')).toBe(200);
      await expect.poll(() => page.locator('.notice-success').textContent()).toBe('申込みを取り下げました。');
      expect(await page.locator('main').textContent()).toContain('辞退・取下げ');
      const row = await e2e.env.db
        .selectFrom('applications')
        .select(['status', 'full_name'])
        .where('email', '=', noJsLearner)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'withdrawn', full_name: '髙橋 𠮷子' });
    } finally {
      await context.close();
    }
  });

  it('made no request outside 127.0.0.1 and logged no script or CSP error', () => {
    e2e.assertClean();
  });
});
