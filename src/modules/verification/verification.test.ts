import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, type TestApp, testApp } from '../../test/app.js';
import { staffActor } from '../../test/application-factories.js';
import { createTestEnv, type TestEnv } from '../../test/db.js';
import { publishedAchievement, testPng } from '../badges/badges.test-support.js';
import { bakePng, bakeSvg } from '../badges/baking.js';
import { issueBadge } from '../badges/issue.service.js';
import { revokeBadge } from '../badges/revocation.service.js';
import { sampleSignedCredential } from '../handover/operator-guide.service.js';

// The public verifier (issue 4 §6) over its three inputs, through the real routes: a pasted credential, a
// baked image, a URL; bad input of each kind gives a clear answer, and nothing is fetched from elsewhere.

describe('badge verification page and API', () => {
  let env: TestEnv;
  let app: TestApp;
  let client: Client;
  let sample: string;

  beforeAll(async () => {
    env = await createTestEnv('pglite', { baseUrl: 'https://dxq.example.jp' });
    app = testApp(env);
    client = new Client(app, env);
    sample = JSON.stringify(await sampleSignedCredential());
  });
  afterAll(async () => {
    await env?.close();
  });

  const text = async (res: Response) => (await res.text()).replace(/\s+/g, ' ');

  async function postMultipart(fields: Record<string, string | Blob>, path = '/verify') {
    const body = new FormData();
    if (path === '/verify') body.set('_csrf', await client.csrfToken());
    for (const [k, v] of Object.entries(fields)) body.set(k, v as string);
    return app.request(path, { method: 'POST', body, headers: { cookie: client.cookieHeader() } });
  }

  it('shows the form with its three inputs', async () => {
    const html = await text(await client.get('/verify'));
    expect(html).toContain('<h1>バッジの検証</h1>');
    expect(html).toContain('enctype="multipart/form-data"');
    for (const name of ['url', 'credential', 'file', 'email']) expect(html).toContain(`name="${name}"`);
  });

  it('checks a pasted credential: the signature passes, the example status list cannot be checked', async () => {
    const res = await client.post('/verify', { credential: sample });
    expect(res.status).toBe(200);
    const html = await text(res);
    expect(html).toContain('確認できなかった項目があります');
    expect(html).toMatch(/署名<\/th> ?<td class="nowrap">確認済み<\/td>/);
    expect(html).toMatch(/失効状況<\/th> ?<td class="nowrap">確認できず<\/td>/);
    expect(html).toContain('地域企業協働プログラム 修了');
  });

  it('says a tampered credential is not valid, and checks the recipient when an address is given', async () => {
    const tampered = sample.replace('地域企業協働プログラム 修了', '地域企業協働プログラム 優秀賞');
    const html = await text(await client.post('/verify', { credential: tampered }));
    expect(html).toContain('有効なバッジではありません');
    expect(html).toContain('署名が一致しません');
    const other = await text(
      await client.post('/verify', { credential: sample, email: 'someone@example.jp' }),
    );
    expect(other).toContain('受領者のメールアドレスと一致しません');
    const own = await text(await client.post('/verify', { credential: sample, email: 'learner@example.jp' }));
    expect(own).toContain('受領者のメールアドレスと一致しました');
  });

  it('reads a baked PNG and SVG, and says plainly when an image carries no badge', async () => {
    const png = new Blob([new Uint8Array(bakePng(testPng(), sample))], { type: 'image/png' });
    const fromPng = await text(await postMultipart({ file: new File([png], 'badge.png') }));
    expect(fromPng).toContain('画像 badge.png');
    expect(fromPng).toMatch(/署名<\/th> ?<td class="nowrap">確認済み/);
    const svg = bakeSvg('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>', sample);
    const fromSvg = await text(await postMultipart({ file: new File([svg], 'badge.svg') }));
    expect(fromSvg).toMatch(/署名<\/th> ?<td class="nowrap">確認済み/);
    const plain = await text(
      await postMultipart({ file: new File([new Uint8Array(testPng())], 'plain.png') }),
    );
    expect(plain).toContain('この PNG 画像にはバッジのデータが含まれていません');
    const junk = await text(await postMultipart({ file: new File(['not an image'], 'x.txt') }));
    expect(junk).toContain('PNG か SVG の画像を選んでください');
  });

  it('does not fetch a URL of another site, and refuses an empty or double request at the form', async () => {
    const elsewhere = await text(await client.post('/verify', { url: 'https://badges.example.com/b/1' }));
    expect(elsewhere).toContain('他のサイトの URL からバッジを取得することはしていません');
    const missing = await client.post('/verify', {
      url: 'https://dxq.example.jp/badges/3b241101-e2bb-4255-8caf-4136c566a962',
    });
    expect(await text(missing)).toContain('この URL のバッジは見つかりません');
    const none = await client.post('/verify', {});
    expect(none.status).toBe(422);
    expect(await text(none)).toContain('どれか1つを指定してください');
    const both = await client.post('/verify', { credential: sample, url: 'https://dxq.example.jp/badges/x' });
    expect(both.status).toBe(422);
    const badMail = await client.post('/verify', { credential: sample, email: 'not-an-address' });
    expect(badMail.status).toBe(422);
    expect(await text(badMail)).toContain('メールアドレスの形式が正しくありません');
  });

  it('answers the JSON API without a session or CSRF token', async () => {
    const res = await app.request('/api/verify', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ credential: JSON.parse(sample) }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      problem: null;
      result: { summary: string; steps: { step: string }[] };
    };
    expect(body.problem).toBeNull();
    expect(body.result.summary).toBe('indeterminate');
    expect(body.result.steps.map((s) => s.step)).toEqual([
      'parse',
      'schema',
      'proof',
      'status',
      'validity',
      'recipient',
    ]);
    const bad = await app.request('/api/verify', { method: 'POST', body: '{not json' });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('VALIDATION');
    const png = new File([new Uint8Array(bakePng(testPng(), sample))], 'b.png', { type: 'image/png' });
    const upload = await postMultipart({ file: png }, '/api/verify');
    expect(((await upload.json()) as { result: { format: string } }).result.format).toBe('json-ld');
  });

  it('refuses an upload over the body limit before reading it', async () => {
    const big = new File([new Uint8Array(env.config.bodyLimitBytes + 1)], 'big.png', { type: 'image/png' });
    const res = await postMultipart({ file: big });
    expect(res.status).toBe(413);
  });

  it('verifies a badge of this site by its URL, through its own did:web keys and status list, then as revoked', async () => {
    const hub = await staffActor(env, 'regional_hub', 'staff');
    const achievement = await publishedAchievement(env, hub);
    const { credentialId } = await issueBadge(env, hub, {
      achievementId: achievement.id,
      email: 'earner@example.jp',
      name: '髙橋 𠮷子',
    });
    const url = `https://dxq.example.jp/badges/${credentialId}`;
    const ok = await text(await client.get(`/verify?url=${encodeURIComponent(url)}`));
    expect(ok).toContain('有効なバッジです');
    expect(ok).toMatch(/失効状況<\/th> ?<td class="nowrap">確認済み/);
    // Dates as the rest of the site shows them: Japan time, not the credential's UTC text.
    expect(ok).toMatch(/<dt>有効開始<\/dt><dd>\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d\(日本時間\)<\/dd>/);
    const api = await app.request('/api/verify', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url, email: 'earner@example.jp' }),
    });
    const body = (await api.json()) as { result: { summary: string; refusedUrls: string[] } };
    expect(body.result).toMatchObject({ summary: 'valid', refusedUrls: [] });

    await revokeBadge(env, hub, { credentialId, reason: '修了要件の確認誤り' });
    const revoked = await text(await client.get(`/verify?url=${encodeURIComponent(url)}`));
    expect(revoked).toContain('このバッジは失効しています');
  });
});
