import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleSignedCredential } from '../../src/modules/handover/operator-guide.service.js';
import { makeOrg } from '../../src/test/app.js';
import { makeProgramme } from '../../src/test/factories.js';
import { checkA11y, type E2E, startE2E, submit, visit } from './harness.js';

const DAY = 24 * 3_600_000;

/**
 * The public site as a visitor finds a programme: top page → catalogue → filter by prefecture and 3層 →
 * programme page, each page checked with axe-core; the same journey with JavaScript switched off; and no
 * request to any host but ours (a description's image is a link, never a fetch).
 */
describe('public site: find a 3層 programme in one’s prefecture', { timeout: 120_000 }, () => {
  let e2e: E2E;
  let page: Page;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    e2e = await startE2E();
    const env = e2e.env;
    const now = Date.now();
    const tokyoHub = await makeOrg(env, 'regional_hub', '東京地域DXハブ');
    const osakaHub = await makeOrg(env, 'regional_hub', '大阪地域DXハブ');
    const operator = await makeOrg(env, 'case_study_operator', 'ケーススタディ運営事業者');
    ids.tokyo = await makeProgramme(env, tokyoHub, {
      title: '東京 地域企業協働プログラム',
      opens_at: new Date(now - DAY),
      closes_at: new Date(now + 7 * DAY),
      description_md:
        '## 内容\n\n地域企業と **実データ** で取り組みます。\n\n![会場の写真](https://cdn.example.com/venue.png)\n\n詳しくは [事務局](https://example.jp/info) へ。\n\n| 週 | 内容 |\n|:--|--:|\n| 1 | 導入 |',
    });
    ids.tokyoClosed = await makeProgramme(env, tokyoHub, {
      title: '東京 募集終了したプログラム',
      opens_at: new Date(now - 30 * DAY),
      closes_at: new Date(now - DAY),
    });
    ids.osaka = await makeProgramme(env, osakaHub, {
      title: '大阪 地域企業協働プログラム',
      prefecture_codes: [27],
      opens_at: new Date(now - DAY),
      closes_at: new Date(now + 7 * DAY),
    });
    ids.layer2 = await makeProgramme(env, operator, {
      title: '東京 ケーススタディ教育プログラム',
      layer: 2,
      format: 'online',
      fee_yen: 22000,
      dx_stage: null,
      opens_at: new Date(now - DAY),
      closes_at: new Date(now + 14 * DAY),
    });
    page = await e2e.newPage();
  });
  afterAll(async () => {
    await e2e?.close();
  });

  it('top page: what is open now, with links to the catalogue and sign-in', async () => {
    await visit(page, '/');
    await expect.poll(() => page.locator('h1').textContent()).toBe('マナビDX Quest');
    expect(await page.getByRole('link', { name: '東京 地域企業協働プログラム' }).count()).toBe(1);
    expect(await page.getByRole('link', { name: 'ログイン用リンクを受け取る' }).count()).toBe(1);
    expect(await page.getByRole('link', { name: '職員ログイン' }).count()).toBe(1);
  });

  it('catalogue: filter by prefecture and layer 3, with a shareable URL and the count', async () => {
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole('link', { name: 'すべてのプログラムを条件で探す' }).click(),
    ]);
    expect(new URL(page.url()).pathname).toBe('/programmes');
    await checkA11y(page, '/programmes');
    await page.getByLabel('都道府県').selectOption('13');
    await page.getByLabel('区分').selectOption('3');
    expect(await submit(page, 'この条件で探す')).toBe(200);
    const url = new URL(page.url());
    expect(`${url.pathname}${url.search}`).toBe('/programmes?layer=3&pref=13');
    await checkA11y(page, '/programmes?layer=3&pref=13');
    expect(await page.locator('#h-results').textContent()).toBe('検索結果 2件(3層、東京都)');
    const titles = await page.locator('.programme-card-title').allTextContents();
    expect(titles.sort()).toEqual(['東京 募集終了したプログラム', '東京 地域企業協働プログラム']);
    const closedCard = page.locator('.programme-card', { hasText: '東京 募集終了したプログラム' });
    expect(await closedCard.locator('.badge').textContent()).toBe('募集終了');

    await page.getByLabel('募集中のプログラムだけを表示').check();
    expect(await submit(page, 'この条件で探す')).toBe(200);
    expect(new URL(page.url()).search).toBe('?layer=3&pref=13&open=1');
    expect(await page.locator('.programme-card-title').allTextContents()).toEqual([
      '東京 地域企業協働プログラム',
    ]);
    await checkA11y(page, '/programmes?layer=3&pref=13&open=1');
  });

  it('programme page: the facts, the description, and 申し込む', async () => {
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole('link', { name: '東京 地域企業協働プログラム' }).click(),
    ]);
    expect(new URL(page.url()).pathname).toBe(`/programmes/${ids.tokyo}`);
    await checkA11y(page, '/programmes/:id (open)');
    await expect.poll(() => page.locator('h1').textContent()).toBe('東京 地域企業協働プログラム');
    const apply = page.getByRole('link', { name: '申し込む' });
    expect(await apply.getAttribute('href')).toBe(`/programmes/${ids.tokyo}/apply`);
    // The image in the description is a link to it; nothing was fetched from cdn.example.com.
    expect(await page.locator('.markdown img').count()).toBe(0);
    expect(await page.getByRole('link', { name: '画像: 会場の写真' }).getAttribute('href')).toBe(
      'https://cdn.example.com/venue.png',
    );
    expect(await page.locator('meta[property="og:url"]').getAttribute('content')).toBe(
      `${e2e.baseUrl}/programmes/${ids.tokyo}`,
    );
  });

  it('a closed programme says so instead of 申し込む', async () => {
    await visit(page, `/programmes/${ids.tokyoClosed}`);
    expect(await page.getByRole('link', { name: '申し込む' }).count()).toBe(0);
    expect(await page.locator('.cta-message').textContent()).toBe('募集は終了しました');
  });

  it('FAQ, privacy and accessibility pages pass axe; a draft programme is not found', async () => {
    for (const path of ['/faq', '/privacy', '/accessibility', '/open-badges/guide', '/verify'])
      await visit(page, path);
    // The verifier with a pasted credential (the operators' sample) and its result, then a form error.
    const sample = JSON.stringify(await sampleSignedCredential());
    await page.getByLabel('バッジのデータ(JSON または JWT)').fill(sample);
    expect(await submit(page, '検証する')).toBe(200);
    await expect.poll(() => page.locator('#h-result').textContent()).toBe('検証結果');
    await checkA11y(page, '/verify (result)');
    await page.goto('/verify');
    expect(await submit(page, '検証する')).toBe(422);
    await checkA11y(page, '/verify (error)');
    // English chrome around Japanese content (marked lang="ja"), then back to Japanese.
    await visit(page, '/programmes?lang=en');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await visit(page, `/programmes/${ids.tokyo}`);
    await visit(page, '/?lang=ja');
    const draft = await makeProgramme(e2e.env, await makeOrg(e2e.env, 'regional_hub'), { status: 'draft' });
    await visit(page, `/programmes/${draft}`, 404);
    const sitemap = await page.request.get('/sitemap.xml');
    expect(sitemap.status()).toBe(200);
    const xml = await sitemap.text();
    expect(xml).toContain(`<loc>${e2e.baseUrl}/programmes/${ids.tokyo}</loc>`);
    expect(xml).not.toContain(draft);
  });

  it('works with JavaScript disabled', async () => {
    const outside: string[] = [];
    const context: BrowserContext = await e2e.browser.newContext({
      baseURL: e2e.baseUrl,
      locale: 'ja-JP',
      javaScriptEnabled: false,
    });
    try {
      await context.route('**/*', (route) => {
        const u = new URL(route.request().url());
        if (u.hostname === '127.0.0.1') return route.continue();
        outside.push(u.href);
        return route.abort('blockedbyclient');
      });
      const p = await context.newPage();
      p.setDefaultTimeout(10_000);
      expect((await p.goto('/'))?.status()).toBe(200);
      await Promise.all([
        p.waitForNavigation(),
        p.getByRole('link', { name: 'すべてのプログラムを条件で探す' }).click(),
      ]);
      await p.getByLabel('都道府県').selectOption('13');
      await p.getByLabel('区分').selectOption('3');
      expect(await submit(p, 'この条件で探す')).toBe(200);
      expect(new URL(p.url()).search).toBe('?layer=3&pref=13');
      await Promise.all([
        p.waitForNavigation(),
        p.getByRole('link', { name: '東京 地域企業協働プログラム' }).click(),
      ]);
      expect(new URL(p.url()).pathname).toBe(`/programmes/${ids.tokyo}`);
      expect(await p.getByRole('link', { name: '申し込む' }).count()).toBe(1);
    } finally {
      await context.close();
    }
    expect(outside).toEqual([]);
  });

  it('made no request outside 127.0.0.1 and logged no script or CSP error', () => {
    e2e.assertClean();
  });
});
