import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, makeOrg, type TestApp, testApp } from '../../../test/app.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../../test/db.js';
import { makeProgramme } from '../../../test/factories.js';

const DAY = 24 * 3_600_000;
const XSS_TITLE = '<script>alert("t")</script>タイトル';
const XSS_SUMMARY = '<img src=x onerror=alert(1)>概要';
const XSS_DESCRIPTION =
  '# 見出し\n\n<script>alert(1)</script>\n\n[click](javascript:alert(1)) ![p](https://cdn.example/p.png)';

function text(html: string): string {
  return html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
}

/** Titles of the result cards on a catalogue page, in order. */
function resultTitles(html: string): string[] {
  return [
    ...html.matchAll(/<h3 id="p-[^"]+" class="programme-card-title"><a href="[^"]+">([^<]*)<\/a>/g),
  ].map((m) => m[1] ?? '');
}

describe.each(dbKinds())('public catalogue and programme pages on %s', (kind) => {
  let env: TestEnv;
  let app: TestApp;
  const ids: Record<string, string> = {};
  let frameworkId = '';

  beforeAll(async () => {
    env = await createTestEnv(kind);
    app = testApp(env);
    const now = env.clock.now().getTime();
    const hub = await makeOrg(env, 'regional_hub', '東京DXハブ');
    const osaka = await makeOrg(env, 'regional_hub', '大阪DXハブ');
    const operator = await makeOrg(env, 'case_study_operator', 'ケーススタディ事業者');
    const fw = await env.db.selectFrom('skill_frameworks').select('id').where('slug', '=', 'dss-p').execute();
    frameworkId = fw[0]?.id ?? '';
    ids.tokyo = await makeProgramme(env, hub, {
      title: '東京 地域企業協働',
      skill_framework_id: frameworkId,
      skill_codes: ['1.1.1'],
      fee_yen: 0,
    });
    ids.osaka = await makeProgramme(env, osaka, {
      title: '大阪 地域企業協働',
      prefecture_codes: [27],
      format: 'venue',
    });
    ids.online = await makeProgramme(env, operator, {
      title: 'ケーススタディ オンライン',
      layer: 2,
      format: 'online',
      prefecture_codes: [],
      fee_yen: 22000,
      dx_stage: null,
    });
    ids.past = await makeProgramme(env, hub, {
      title: '東京 締切済み',
      opens_at: new Date(now - 30 * DAY),
      closes_at: new Date(now - DAY),
    });
    ids.closed = await makeProgramme(env, hub, { title: '東京 募集終了', status: 'closed' });
    ids.upcoming = await makeProgramme(env, hub, {
      title: '東京 これから',
      opens_at: new Date(now + DAY),
      closes_at: new Date(now + 10 * DAY),
    });
    ids.percent = await makeProgramme(env, hub, { title: '達成率100%_講座' });
    ids.percentDecoy = await makeProgramme(env, hub, { title: '達成率100X講座' });
    ids.xss = await makeProgramme(env, hub, {
      title: XSS_TITLE,
      summary: XSS_SUMMARY,
      description_md: XSS_DESCRIPTION,
      venue: '"><script>alert(2)</script>',
    });
    for (const status of ['draft', 'submitted', 'archived'] as const) {
      ids[status] = await makeProgramme(env, hub, { title: `非公開 ${status}`, status });
    }
  });
  afterAll(() => env.close());

  const get = (path: string) => new Client(app, env).get(path);
  const page = async (path: string) => {
    const res = await get(path);
    expect(res.status, path).toBe(200);
    return res.text();
  };

  it('lists published and closed programmes only, with a count and each card’s facts', async () => {
    const html = await page('/programmes');
    const titles = resultTitles(html);
    expect(titles).toHaveLength(9);
    for (const t of ['東京 地域企業協働', '東京 締切済み', '東京 募集終了', '東京 これから'])
      expect(titles).toContain(t);
    expect(html).not.toContain('非公開');
    expect(html).toContain('すべてのプログラム 9件');
    expect(html.match(/<h1[ >]/g)).toHaveLength(1);
    const card = html.slice(html.indexOf(`id="p-${ids.online}"`));
    expect(text(card.slice(0, card.indexOf('</li>')))).toMatch(
      /募集中 ケーススタディ教育プログラム\(2層\) オンライン .*ケーススタディ事業者 .*全国\(オンライン\) .*22,000円\(税込\) .*\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} 〜 .*\(日本時間\)/,
    );
    const past = html.slice(html.indexOf(`id="p-${ids.past}"`));
    expect(past.slice(0, past.indexOf('</li>'))).toContain('募集終了');
  });

  it('narrows by layer, prefecture, format, organisation, skill and open-now', async () => {
    expect(resultTitles(await page('/programmes?layer=2'))).toEqual(['ケーススタディ オンライン']);
    const tokyo3 = resultTitles(await page('/programmes?layer=3&pref=27'));
    expect(tokyo3).toEqual(['大阪 地域企業協働']);
    expect(resultTitles(await page('/programmes?format=online'))).toEqual(['ケーススタディ オンライン']);
    expect(resultTitles(await page('/programmes?format=venue'))).toEqual(['大阪 地域企業協働']);
    expect(resultTitles(await page('/programmes?skill=1.1.1'))).toEqual(['東京 地域企業協働']);
    const open = resultTitles(await page('/programmes?open=1'));
    expect(open).toContain('東京 地域企業協働');
    expect(open).not.toContain('東京 締切済み');
    expect(open).not.toContain('東京 募集終了');
    expect(open).not.toContain('東京 これから');
    const html = await page('/programmes?layer=3&pref=13&open=1');
    expect(html).toContain('検索結果 4件(3層、東京都、募集中のみ)');
    expect(html).toMatch(/<option value="13" selected="">東京都<\/option>/);
  });

  it('takes % and _ in a keyword literally', async () => {
    expect(resultTitles(await page(`/programmes?q=${encodeURIComponent('100%_')}`))).toEqual([
      '達成率100%_講座',
    ]);
    // Full-width input is NFKC-normalised, and the URL redirected to the normalised keyword.
    const wide = await get(`/programmes?q=${encodeURIComponent('１００％＿')}`);
    expect(wide.headers.get('location')).toBe('/programmes?q=100%25_');
    expect(resultTitles(await page('/programmes?q=100%25'))).toEqual(['達成率100%_講座']);
    expect(resultTitles(await page('/programmes?q=_'))).toEqual(['達成率100%_講座']);
  });

  it('redirects a submitted form to the short canonical URL and ignores invalid values', async () => {
    const res = await get('/programmes?q=&layer=3&org=&pref=13&format=&skill=&open=1&utm=x');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/programmes?layer=3&pref=13&open=1');
    const bad = await get('/programmes?layer=9&pref=99&format=x&org=nope');
    expect(bad.headers.get('location')).toBe('/programmes');
  });

  it('shows a programme page with every public field and the call to action while open', async () => {
    const html = await page(`/programmes/${ids.tokyo}`);
    expect(html).toContain(`<a class="button" href="/programmes/${ids.tokyo}/apply">申し込む</a>`);
    const t = text(html);
    for (const s of [
      '東京 地域企業協働',
      '地域企業協働プログラム(3層)',
      '東京DXハブ',
      'ハイブリッド(会場+オンライン)',
      '東京都',
      '東京都千代田区',
      '30名',
      '無料',
      '1週間あたり 6時間',
      'パターン1 デジタル化構想・設計',
      '1.1.1 ビジネス環境と経営戦略の理解',
      '受講開始時点で18歳以上ですか',
      '(日本時間)',
    ])
      expect(t).toContain(s);
    expect(html).toContain('<h4>内容</h4>'); // `##` in the description sits under the page's h2
    expect(html.match(/<h1[ >]/g)).toHaveLength(1);
    expect(html).toContain(
      `<meta property="og:url" content="${env.config.baseUrl}/programmes/${ids.tokyo}"/>`,
    );
    expect(html).toContain('<meta property="og:type" content="article"/>');
    expect(html).toContain('<meta property="og:locale" content="ja_JP"/>');
    expect(html).not.toContain('og:image');
  });

  it('says closed or not yet open instead of the call to action', async () => {
    for (const id of [ids.past, ids.closed]) {
      const html = await page(`/programmes/${id}`);
      expect(html).toContain('募集は終了しました');
      expect(html).not.toContain('/apply"');
    }
    const html = await page(`/programmes/${ids.upcoming}`);
    expect(html).toContain('募集開始前です');
    expect(html).not.toContain('/apply"');
  });

  it('answers 404 for draft, submitted, archived and unknown programmes', async () => {
    for (const id of [ids.draft, ids.submitted, ids.archived, '00000000-0000-4000-8000-000000000000']) {
      expect((await get(`/programmes/${id}`)).status).toBe(404);
    }
    expect((await get('/programmes/not-a-uuid')).status).toBe(404);
    const xml = await (await get('/sitemap.xml')).text();
    for (const id of [ids.draft, ids.submitted, ids.archived]) expect(xml).not.toContain(id ?? 'x');
  });

  it('renders script in title, summary, venue and description as inert text', async () => {
    const html = await page(`/programmes/${ids.xss}`);
    expect(html).not.toMatch(/<script>alert/);
    expect(html).not.toMatch(/<img/);
    expect(html).not.toMatch(/href="(?!https?:|mailto:|\/|#)/);
    expect(html).toContain('&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;タイトル');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;概要');
    expect(html).toContain('<h3>見出し</h3>');
    expect(html).toContain('画像: p');
    const list = await page('/programmes');
    expect(list).not.toMatch(/<script>alert|<img/);
    expect(list).toContain('&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;タイトル');
    const top = await page('/');
    expect(top).not.toMatch(/<script>alert|<img/);
  });

  it('serves a well-formed sitemap of absolute URLs', async () => {
    const res = await get('/sitemap.xml');
    expect(res.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    const xml = await res.text();
    expect(
      xml.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
      ),
    ).toBe(true);
    expectWellFormed(xml);
    const locs = [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1] ?? '');
    for (const l of locs) expect(l.startsWith(`${env.config.baseUrl}/`)).toBe(true);
    for (const p of ['/', '/programmes', '/faq', '/privacy', '/accessibility'])
      expect(locs).toContain(env.config.baseUrl + p);
    for (const id of [ids.tokyo, ids.closed, ids.past])
      expect(locs).toContain(`${env.config.baseUrl}/programmes/${id}`);
    expect(xml).toMatch(/<lastmod>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z<\/lastmod>/);
  });

  it('shows what is open now and the next deadlines on the top page', async () => {
    const html = await page('/');
    const t = text(html);
    expect(t).toContain('ケーススタディ教育プログラム(2層)');
    expect(t).toContain('地域企業協働プログラム(3層)');
    expect(t).toMatch(/現在 \d+件のプログラムが募集中です/);
    expect(t).toContain('締切が近いプログラム');
    expect(t).toContain('まもなく募集を始めるプログラム');
    expect(html).toContain('href="/login/link"');
    expect(html).toContain('href="/login/staff"');
    expect(html).toContain('href="/programmes?open=1"');
  });

  it('pages long results, 20 a page, keeping the conditions in the links', async () => {
    const org = await makeOrg(env, 'regional_hub', 'ページ送りハブ');
    for (let i = 1; i <= 25; i++)
      await makeProgramme(env, org, { title: `ページ送り ${String(i).padStart(2, '0')}` });
    const first = await page(`/programmes?org=${org}`);
    expect(resultTitles(first)).toHaveLength(20);
    expect(first).toContain('検索結果 25件(ページ送りハブ)');
    expect(first).toContain('1〜20件目を表示しています。');
    expect(first).toContain(`<a href="/programmes?org=${org}&amp;page=2" rel="next">次のページ</a>`);
    expect(first).toContain('<span aria-current="page">1ページ目(表示中)</span>');
    const second = await page(`/programmes?org=${org}&page=2`);
    expect(resultTitles(second)).toHaveLength(5);
    expect(second).toContain('21〜25件目を表示しています。');
    expect(second).toContain(`<a href="/programmes?org=${org}" rel="prev">前のページ</a>`);
    expect(new Set([...resultTitles(first), ...resultTitles(second)]).size).toBe(25);
    expect((await get(`/programmes?org=${org}&page=1`)).headers.get('location')).toBe(
      `/programmes?org=${org}`,
    );
  });

  it('serves the FAQ, privacy and accessibility pages with one h1 and meta tags', async () => {
    for (const [path, h1] of [
      ['/faq', 'よくある質問'],
      ['/privacy', 'プライバシーポリシー'],
      ['/accessibility', 'アクセシビリティ方針'],
    ] as const) {
      const html = await page(path);
      expect(html.match(/<h1[ >]/g)).toHaveLength(1);
      expect(html).toContain(`<h1>${h1}</h1>`);
      expect(html).toContain(`<meta property="og:url" content="${env.config.baseUrl}${path}"/>`);
      expect(html).toMatch(/<meta name="description" content="[^"]+"\/>/);
    }
    const privacy = text(await page('/privacy'));
    for (const s of ['利用目的', '提供先', '経済産業省', '365日', '開示', '2026-11-25'])
      expect(privacy).toContain(s);
    expect(text(await page('/accessibility'))).toContain('JIS X 8341-3:2016');
    expect(text(await page('/faq'))).toContain('6時間以上');
  });
});

/** Tags balance and every `&` starts an entity: enough to know a parser will accept the file. */
function expectWellFormed(xml: string): void {
  const body = xml.replace(/^<\?xml[^>]*\?>\s*/, '');
  expect(body).not.toMatch(/&(?!(?:amp|lt|gt|quot|apos|#\d+);)/);
  const stack: string[] = [];
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][\w:.-]*)[^>]*?(\/?)>/g)) {
    const [, close, name = '', selfClose] = m;
    if (selfClose) continue;
    if (close) expect(stack.pop()).toBe(name);
    else stack.push(name);
  }
  expect(stack).toEqual([]);
}
