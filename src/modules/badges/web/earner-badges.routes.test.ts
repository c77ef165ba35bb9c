import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffActor } from '../../../lib/actor.js';
import { formatJst } from '../../../lib/clock.js';
import { Client, learnerClient, makeOrg, staffClient, type TestApp, testApp } from '../../../test/app.js';
import { staffActor } from '../../../test/application-factories.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../../test/db.js';
import type { AchievementView } from '../achievement.presenter.js';
import { createAchievement, publishAchievement } from '../achievement.service.js';
import { dsspFramework, publishedAchievement, testPng } from '../badges.test-support.js';
import { extractPngText, OB2_PNG_KEYWORD } from '../baking.js';
import { issueBadge } from '../issue.service.js';
import { revokeBadge } from '../revocation.service.js';
import { hrefOf } from './earner-pages.js';

/**
 * The earner pages on a real database through the real app: the public badge page (content, escaping,
 * revoked, downloads, the Open Badges 2.0 section, verification and LinkedIn links), the claim flow from the
 * mail's link and /my/badges.
 */

const BASE = 'http://localhost:3000';
const XSS = '<script>alert("x")</script>';

/** Every href in the page, attribute escaping undone. */
function hrefs(page: string): string[] {
  return [...page.matchAll(/href="([^"]*)"/g)].map((m) =>
    (m[1] ?? '').replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&#39;', "'"),
  );
}

function linkedIn(page: string): URL {
  const href = hrefs(page).find((h) => h.startsWith('https://www.linkedin.com/'));
  if (!href) throw new Error('no LinkedIn link');
  return new URL(href);
}

describe.each(dbKinds())('earner pages on %s', (kind) => {
  let env: TestEnv;
  let app: TestApp;
  let hub: StaffActor;
  let achievement: AchievementView;

  beforeAll(async () => {
    env = await createTestEnv(kind);
    app = testApp(env);
    hub = await staffActor(env, 'regional_hub', 'staff');
    achievement = await publishedAchievement(env, hub);
  });
  afterAll(async () => {
    await env?.close();
  });

  const issue = async (
    email: string,
    o: { format?: 'ldp' | 'jwt'; by?: StaffActor; achievementId?: string } = {},
  ) =>
    (
      await issueBadge(env, o.by ?? hub, {
        achievementId: o.achievementId ?? achievement.id,
        email,
        name: '受講 太郎',
        format: o.format ?? 'ldp',
      })
    ).credentialId;

  /** The claim token from the newest issuance mail to an address. */
  async function claimToken(email: string): Promise<string> {
    const mail = await env.db
      .selectFrom('mail_outbox')
      .select('body_text')
      .where('to_address', '=', email)
      .where('template', '=', 'badge_issued')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    const token = /\?claim=([A-Za-z0-9_-]+)/.exec(mail.body_text)?.[1];
    if (!token) throw new Error('no claim link in the mail');
    return token;
  }

  const anon = () => new Client(app, env);
  const page = async (client: Client, path: string, status = 200) => {
    const res = await client.get(path);
    expect(res.status, path).toBe(status);
    return res.text();
  };

  it('shows what the badge certifies, its skills, dates in JST, downloads and links; never the earner', async () => {
    env.clock.set('2026-03-31T16:30:00Z'); // 2026-04-01 01:30 in Japan: LinkedIn's month is April
    const id = await issue('page-earner@example.jp');
    const html = await page(anon(), `/badges/${id}`);
    const framework = await dsspFramework(env);

    expect(html).toContain('<h1>地域企業協働プログラム 修了</h1>');
    expect(html).toContain('地域の中小企業と協働し');
    expect(html).toContain('全セッションに参加し');
    expect(html).toContain('修了証');
    expect(html).toContain(`alt="バッジ画像「地域企業協働プログラム 修了」"`);
    expect(html).toContain(`src="/badges/${id}.png"`);
    expect(html).toMatch(/class="badge badge-open">有効</);
    expect(html).toContain(`${formatJst(new Date('2026-03-31T16:30:00Z'))}(日本時間)`);
    expect(html).toContain('2026/04/01 01:30:00');
    expect(html).toContain(`urn:uuid:${id}`);
    // The earner: neither the name given at issuance nor the address.
    expect(html).not.toContain('受講 太郎');
    expect(html).not.toContain('page-earner');

    const links = hrefs(html);
    for (const code of framework.codes) expect(links).toContain(`/frameworks/dss-p/2.0/${code}`);
    expect(links).toContain(`/badges/${id}.png`);
    expect(links).toContain(`/badges/${id}.svg`);
    expect(links).toContain(`/badges/${id}.json`);
    expect(links).not.toContain(`/badges/${id}.jwt`);
    expect(html).toContain(
      `href="/badges/${id}.json" type="application/vc+ld+json" download="badge-${id}.json"`,
    );
    expect(html).toContain(`download="badge-${id}.png"`);
    expect(links).toContain(`/verify?url=${encodeURIComponent(`${BASE}/badges/${id}`)}`);

    const li = linkedIn(html);
    expect(li.origin + li.pathname).toBe('https://www.linkedin.com/profile/add');
    expect(li.searchParams.get('startTask')).toBe('CERTIFICATION_NAME');
    expect(li.searchParams.get('name')).toBe('地域企業協働プログラム 修了');
    const credential = (await (await anon().get(`/badges/${id}.json`)).json()) as {
      issuer: { name: string };
    };
    expect(li.searchParams.get('organizationName')).toBe(credential.issuer.name);
    expect(html).toContain(credential.issuer.name);
    expect(li.searchParams.get('issueYear')).toBe('2026');
    // The month of issue in Japan (April, not UTC's March); LinkedIn documents it as 1–12.
    expect(li.searchParams.get('issueMonth')).toBe('4');
    expect(li.searchParams.get('certUrl')).toBe(`${BASE}/badges/${id}`);
    // Same tab (no target), no opener, and no script, frame or image from LinkedIn anywhere.
    expect(html).toMatch(
      /<a href="https:\/\/www\.linkedin\.com\/profile\/add\?[^"]*" rel="noopener noreferrer">/,
    );
    expect(html).not.toMatch(/<(script|img|iframe)[^>]+linkedin/i);
    expect(html).not.toContain('target="_blank"');

    // Open Graph for sharing: canonical URL without any query.
    expect(html).toContain(`<meta property="og:url" content="${BASE}/badges/${id}"/>`);
    expect(html).toContain(
      '<meta property="og:title" content="地域企業協働プログラム 修了(オープンバッジ)"/>',
    );
    env.clock.set(new Date());
  });

  it('offers the Open Badges 2.0 form in its own labelled section, after the 3.0 downloads', async () => {
    const id = await issue('ob2-page@example.jp');
    const html = await page(anon(), `/badges/${id}`);
    const title = 'Open Badges 2.0 形式(2.0にのみ対応するウォレット向け)';
    expect(html).toContain(`<section aria-labelledby="ob2-title"><h2 id="ob2-title">${title}</h2>`);
    expect(html.match(/<h1[\s>]/g)).toHaveLength(1);
    // Below the 3.0 downloads, above verification: the 3.0 form stays the first choice.
    const at = (text: string) => {
      const i = html.indexOf(text);
      expect(i, text).toBeGreaterThan(0);
      return i;
    };
    expect(at('<h2>ダウンロード</h2>')).toBeLessThan(at('id="ob2-title"'));
    expect(at('id="ob2-title"')).toBeLessThan(at('<h2>このバッジの検証</h2>'));
    const section = html.slice(at('<section aria-labelledby="ob2-title">'), at('<h2>このバッジの検証</h2>'));
    expect(section).toContain(
      `<a href="/ob2/assertions/${id}.png" type="image/png" download="badge-${id}-ob2.png">バッジ画像(PNG、Open Badges 2.0 の証明データ入り)</a>`,
    );
    expect(section).toContain(
      `<a href="/ob2/assertions/${id}" type="application/ld+json" download="badge-${id}-ob2.json">証明データ(JSON、Open Badges 2.0)</a>`,
    );
    expect(section).toContain(`<code>${BASE}/ob2/assertions/${id}</code>`);
    expect(section).not.toContain('ob2-page');
    expect(section).not.toContain('target=');
    // Each link text is unique on the page, so a screen reader's link list tells them apart (WCAG 2.4.4).
    const texts = [...html.matchAll(/<a [^>]*>([^<]*)<\/a>/g)].map((m) => m[1]);
    expect(texts.filter((t) => t?.includes('Open Badges 2.0'))).toHaveLength(2);
    expect(new Set(texts.filter((t) => t?.startsWith('バッジ画像'))).size).toBe(3);

    // The links work: the hosted assertion and the image with it baked in.
    const assertion = await anon().get(`/ob2/assertions/${id}`);
    expect(assertion.status).toBe(200);
    expect(assertion.headers.get('content-type')).toBe('application/ld+json');
    const png = await anon().get(`/ob2/assertions/${id}.png`);
    expect(png.headers.get('content-type')).toBe('image/png');
    const baked = extractPngText(new Uint8Array(await png.arrayBuffer()), OB2_PNG_KEYWORD);
    expect(JSON.parse(baked ?? '{}').id).toBe(`${BASE}/ob2/assertions/${id}`);
  });

  it('links the VC-JWT when the badge was issued so', async () => {
    const id = await issue('jwt-earner@example.jp', { format: 'jwt' });
    const html = await page(anon(), `/badges/${id}`);
    expect(hrefs(html)).toContain(`/badges/${id}.jwt`);
    expect(html).toContain('証明データ(VC-JWT)');
  });

  it('escapes markup in names and descriptions, and encodes them in the LinkedIn link', async () => {
    const orgId = await makeOrg(env, 'regional_hub', `${XSS} ハブ & 協会`);
    const evilHub = await staffActor(env, 'regional_hub', 'staff', orgId);
    const framework = await dsspFramework(env);
    const created = await createAchievement(env, evilHub, {
      orgId,
      key: `xss-${Date.now().toString(36)}`,
      programmeId: null,
      name: `${XSS} データ&AI=1`,
      description: `説明 ${XSS}`,
      criteriaNarrative: `基準 <img src=x onerror=alert(1)>`,
      frameworkId: framework.id,
      skillCodes: framework.codes,
      images: { png: testPng() },
    });
    const published = await publishAchievement(env, evilHub, { achievementId: created.id });
    const id = await issue('xss-earner@example.jp', { by: evilHub, achievementId: published.id });
    const html = await page(anon(), `/badges/${id}`);
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; データ&amp;AI=1');
    expect(html).toContain('基準 &lt;img src=x onerror=alert(1)&gt;');

    const li = linkedIn(html);
    expect(li.searchParams.get('name')).toBe(`${XSS} データ&AI=1`);
    expect(li.searchParams.get('organizationName')).toContain(`${XSS} ハブ & 協会`);
    // Encoded by URLSearchParams: no raw &, = or < inside a value.
    expect(li.search).toContain('name=%3Cscript%3Ealert%28%22x%22%29%3C%2Fscript%3E+');
    expect(li.search).toContain('%26AI%3D1&');
  });

  it('shows a revoked badge as 失効, without the issuer’s internal reason or the LinkedIn link', async () => {
    const id = await issue('revoked-earner@example.jp');
    await revokeBadge(env, hub, { credentialId: id, reason: '受講記録の誤りのため(内部メモ)' });
    const html = await page(anon(), `/badges/${id}`);
    expect(html).toMatch(/class="badge badge-closed">失効</);
    expect(html).toContain('失効したバッジです。');
    expect(html).toContain('発行者により');
    expect(html).not.toContain('内部メモ');
    expect(html).not.toContain('www.linkedin.com');
    // Still downloadable and verifiable: a verifier must be able to say "revoked".
    expect(hrefs(html)).toContain(`/badges/${id}.png`);
    expect(hrefs(html)).toContain(`/verify?url=${encodeURIComponent(`${BASE}/badges/${id}`)}`);
    // Nothing to download in 2.0: its hosted assertion now answers 410 Gone.
    expect(html).toContain('<h2 id="ob2-title">');
    expect(html).toContain('このバッジは失効しているため、Open Badges 2.0');
    expect(hrefs(html).filter((h) => h.startsWith('/ob2/'))).toEqual([]);
    expect((await anon().get(`/ob2/assertions/${id}`)).status).toBe(410);
  });

  it('answers unknown and malformed ids with 404, and leaves the documents to their own routes', async () => {
    const id = await issue('docs-earner@example.jp');
    await page(anon(), '/badges/3b241101-e2bb-4255-8caf-4136c566a962', 404);
    await page(anon(), '/badges/not-a-uuid', 404);
    await page(anon(), `/badges/${id}x`, 404);
    await page(anon(), `/badges/${id}/`, 404);
    const json = await anon().get(`/badges/${id}.json`);
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toBe('application/vc+ld+json');
    expect((await anon().get(`/badges/${id}.png`)).headers.get('content-type')).toBe('image/png');
    expect((await anon().get(`/badges/${id}`)).headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('lets other sites embed and read the public badge documents, and nothing else', async () => {
    const id = await issue('embed-earner@example.jp');
    for (const path of [
      `/badges/${id}.json`,
      `/badges/${id}.png`,
      `/badges/${id}.svg`,
      `/ob2/assertions/${id}`,
    ]) {
      const res = await anon().get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('cross-origin-resource-policy'), path).toBe('cross-origin');
      expect(res.headers.get('access-control-allow-origin'), path).toBe('*');
    }
    const missing = await anon().get('/badges/3b241101-e2bb-4255-8caf-4136c566a962.png');
    expect(missing.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    for (const path of [`/badges/${id}`, '/', '/my/badges']) {
      const res = await anon().get(path);
      expect(res.headers.get('cross-origin-resource-policy'), path).toBe('same-origin');
      expect(res.headers.get('access-control-allow-origin'), path).toBeNull();
    }
  });

  it('sends a visitor who is not signed in from the claim link to sign in, and back', async () => {
    const id = await issue('anon-claim@example.jp');
    const token = await claimToken('anon-claim@example.jp');
    const c = anon();
    const res = await c.get(`/badges/${id}?claim=${token}`);
    expect(res.status).toBe(303);
    const next = `/badges/${id}?claim=${token}`;
    expect(res.headers.get('location')).toBe(`/login/link?next=${encodeURIComponent(next)}`);
    const login = await page(c, res.headers.get('location') ?? '');
    expect(login).toContain(`name="next" value="${next}"`);
    // A wrong link is explained on the (public) page instead.
    const wrong = await page(anon(), `/badges/${id}?claim=${'x'.repeat(43)}`);
    expect(wrong).toContain('このリンクではバッジを受け取れません。');
    expect(wrong).not.toContain('バッジを受け取る</button>');
    const garbage = await page(anon(), `/badges/${id}?claim=%3Cscript%3E`);
    expect(garbage).toContain('このリンクではバッジを受け取れません。');
  });

  it('lets the signed-in learner claim it, lists it on /my/badges, and refuses another person', async () => {
    const { client: learner, user } = await learnerClient(app, env);
    // Issued to another address the learner also uses: only the mail's link attaches it to this account.
    const id = await issue('second-address@example.jp');
    const token = await claimToken('second-address@example.jp');
    expect(await page(learner, '/my/badges')).toContain('バッジはまだありません。');

    const offer = await page(learner, `/badges/${id}?claim=${token}`);
    expect(offer).toContain('バッジを受け取る');
    expect(offer).toContain(`action="/badges/${id}/claim"`);
    expect(offer).toContain(`name="claim" value="${token}"`);

    expect((await learner.post(`/badges/${id}/claim`, { claim: token }, { csrf: false })).status).toBe(403);
    const done = await learner.post(`/badges/${id}/claim`, { claim: token });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/my/badges?done=claimed');
    const mine = await page(learner, '/my/badges?done=claimed');
    expect(mine).toContain('バッジを受け取りました。');
    expect(mine).toContain(`<a href="/badges/${id}">地域企業協働プログラム 修了</a>`);
    expect(mine).toContain(`src="/badges/${id}.png"`);
    expect(mine).toMatch(/class="badge badge-open">有効</);
    expect(mine).toContain('href="/my/badges"'); // the nav entry 「バッジ」
    expect(mine).toMatch(/<a href="\/my\/badges" aria-current="page">バッジ<\/a>/);
    // Its page now says it is theirs; claiming again is harmless.
    expect(await page(learner, `/badges/${id}`)).toContain('あなたのバッジです。');
    expect((await learner.post(`/badges/${id}/claim`, { claim: token })).status).toBe(303);

    // Someone else with the same link (a forwarded mail): refused, and it is not theirs.
    const { client: other } = await learnerClient(app, env);
    const refused = await other.post(`/badges/${id}/claim`, { claim: token });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('このバッジは別のアカウントで受け取られています');
    expect(await page(other, '/my/badges')).not.toContain(`/badges/${id}"`);
    // A wrong token: refused with the reason.
    const wrong = await other.post(`/badges/${id}/claim`, { claim: 'y'.repeat(43) });
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).toContain('受け取り用のリンクが正しくありません');
    const malformed = await other.post(`/badges/${id}/claim`, { claim: '<x>' });
    expect(malformed.status).toBe(422);
    expect(user.email).not.toBe('second-address@example.jp');
  });

  it('lists badges issued to the learner’s own address without a claim, revoked ones marked', async () => {
    const { client, user } = await learnerClient(app, env);
    const live = await issue(user.email);
    const other = await publishedAchievement(env, hub);
    const revoked = await issue(user.email, { achievementId: other.id });
    await revokeBadge(env, hub, { credentialId: revoked, reason: '取り消し' });
    const mine = await page(client, '/my/badges');
    expect(mine).toContain(`href="/badges/${live}"`);
    expect(mine).toContain(`href="/badges/${revoked}"`);
    expect(mine).toMatch(/class="badge badge-closed">失効</);
  });

  it('sends anonymous visitors of /my/badges to sign in, refuses staff, and keeps staff from claiming', async () => {
    const res = await anon().get('/my/badges');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login/link?next=%2Fmy%2Fbadges');
    const { client: staff } = await staffClient(app, env, 'regional_hub', 'staff');
    expect((await staff.get('/my/badges')).status).toBe(403);

    const id = await issue('staff-claim@example.jp');
    const token = await claimToken('staff-claim@example.jp');
    const shown = await page(staff, `/badges/${id}?claim=${token}`);
    expect(shown).toContain('職員のアカウントではバッジを受け取れません。');
    expect(shown).not.toContain('バッジを受け取る</button>');
    expect((await staff.post(`/badges/${id}/claim`, { claim: token })).status).toBe(403);

    // Signed out between the page and the button: back to sign in, then to the claim link.
    const gone = await anon().post(`/badges/${id}/claim`, { claim: token });
    expect(gone.status).toBe(303);
    expect(gone.headers.get('location')).toBe(
      `/login/link?next=${encodeURIComponent(`/badges/${id}?claim=${token}`)}`,
    );
  });
});

describe('hrefOf', () => {
  it('makes our own URLs local paths, keeps other http(s) sites and drops anything else', () => {
    expect(hrefOf(BASE, BASE)).toBe('/');
    expect(hrefOf(BASE, `${BASE}/verify?url=a%2Fb#x`)).toBe('/verify?url=a%2Fb#x');
    expect(hrefOf(BASE, 'https://hub.example.jp/about')).toBe('https://hub.example.jp/about');
    expect(hrefOf(BASE, 'http://localhost:3001/x')).toBe('http://localhost:3001/x');
    expect(hrefOf(BASE, 'javascript:alert(1)')).toBeNull();
    expect(hrefOf(BASE, 'not a url')).toBeNull();
  });
});
