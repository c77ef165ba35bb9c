import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, learnerClient, makeOrg, type TestApp, testApp } from '../../../test/app.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../../test/db.js';
import { makeProgramme } from '../../../test/factories.js';
import { bumpContentVersion } from '../programme.repository.js';
import { NONCE_SLOT, notePublicContentChanged } from '../public-cache.js';

/**
 * The public-page cache through the real app: an edit shows within a second, the open/closed state follows
 * the clock, and nothing one visitor sees (their header, their CSRF token, their nonce) reaches another.
 */
describe.each(dbKinds())('public page cache on %s', (kind) => {
  let env: TestEnv;
  let app: TestApp;
  let orgId: string;

  beforeAll(async () => {
    env = await createTestEnv(kind);
    app = testApp(env);
    orgId = await makeOrg(env, 'regional_hub');
  });
  afterAll(() => env.close());

  const anon = () => new Client(app, env);
  const setTitle = (id: string, title: string) =>
    env.db.updateTable('programmes').set({ title }).where('id', '=', id).execute();

  it('serves anonymous visitors from the cache until the content version changes, then within 1 s', async () => {
    const id = await makeProgramme(env, orgId, { title: '版1のタイトル' });
    expect(await (await anon().get(`/programmes/${id}`)).text()).toContain('版1のタイトル');

    // Changed without a version bump: anonymous visitors still get the cached page …
    await setTitle(id, '版2のタイトル');
    expect(await (await anon().get(`/programmes/${id}`)).text()).toContain('版1のタイトル');
    // … while a signed-in visitor's page is rendered for them, from the database.
    const { client: learner } = await learnerClient(app, env);
    expect(await (await learner.get(`/programmes/${id}`)).text()).toContain('版2のタイトル');

    // What publishing does: bump the version (as another instance would, without telling this one).
    await bumpContentVersion(env.db);
    const bumpedAt = Date.now();
    let seen = false;
    while (!seen && Date.now() - bumpedAt < 1000) {
      seen = (await (await anon().get(`/programmes/${id}`)).text()).includes('版2のタイトル');
      if (!seen) await new Promise((r) => setTimeout(r, 50));
    }
    expect(seen).toBe(true);
    expect(Date.now() - bumpedAt).toBeLessThan(1000);
  });

  it('shows a same-process edit at once when the service says so', async () => {
    const id = await makeProgramme(env, orgId, { title: '即時1' });
    expect(await (await anon().get(`/programmes/${id}`)).text()).toContain('即時1');
    await setTitle(id, '即時2');
    await bumpContentVersion(env.db);
    notePublicContentChanged(env);
    expect(await (await anon().get(`/programmes/${id}`)).text()).toContain('即時2');
  });

  it('follows the clock: a cached "open" page turns "closed" at the closing second without an edit', async () => {
    const now = env.clock.now().getTime();
    const closesAt = new Date(now + 60_000);
    const id = await makeProgramme(env, orgId, { title: '締切テスト', closes_at: closesAt });
    const before = await (await anon().get(`/programmes/${id}`)).text();
    expect(before).toContain(`/programmes/${id}/apply`);
    expect(await (await anon().get('/programmes?open=1')).text()).toContain('締切テスト');

    env.clock.set(new Date(closesAt.getTime() - 1));
    expect(await (await anon().get(`/programmes/${id}`)).text()).toContain(`/programmes/${id}/apply`);
    env.clock.set(closesAt);
    const after = await (await anon().get(`/programmes/${id}`)).text();
    expect(after).toContain('募集は終了しました');
    expect(after).not.toContain(`/programmes/${id}/apply`);
    expect(await (await anon().get('/programmes?open=1')).text()).not.toContain('締切テスト');
    env.clock.set(new Date(now));
  });

  it('never serves one visitor’s signed-in page to another, in either order', async () => {
    const { client: learner } = await learnerClient(app, env);
    const token = await learner.csrfToken();
    const first = await (await learner.get('/faq')).text();
    expect(first).toContain('ログアウト');
    expect(first).toContain(token);

    const a = await (await anon().get('/faq')).text();
    expect(a).not.toContain('ログアウト');
    expect(a).not.toContain(token);
    expect(a).toContain('href="/login"');

    // The anonymous page is cached now; the learner still gets their own header.
    const again = await (await learner.get('/faq')).text();
    expect(again).toContain('ログアウト');
    expect(again).toContain(token);
    const { client: other } = await learnerClient(app, env);
    const otherToken = await other.csrfToken();
    const otherPage = await (await other.get('/faq')).text();
    expect(otherPage).toContain(otherToken);
    expect(otherPage).not.toContain(token);
  });

  it('gives every cached response its own CSP nonce and still sets the CSRF cookie when missing', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const res = await anon().get('/programmes');
      const nonce = /'nonce-([^']+)'/.exec(res.headers.get('content-security-policy') ?? '')?.[1] ?? '';
      const html = await res.text();
      expect(nonce).not.toBe('');
      expect(html).toContain(`<script src="/assets/app.js" nonce="${nonce}" defer="">`);
      expect(html).not.toContain(NONCE_SLOT);
      expect(res.headers.getSetCookie().some((c) => c.startsWith('dxq_csrf='))).toBe(true);
      expect(res.headers.get('cache-control')).toBe('no-store');
      seen.add(nonce);
    }
    expect(seen.size).toBe(3);
    // A returning visitor keeps their cookie: no new one on a cached page.
    const returning = anon();
    await returning.get('/');
    const res = await returning.get('/');
    expect(res.headers.getSetCookie().some((c) => c.startsWith('dxq_csrf='))).toBe(false);
  });

  it('lets a first-time visitor served from the cache post a form with the CSRF cookie it got', async () => {
    await anon().get('/privacy'); // cached now
    const visitor = anon();
    const res = await visitor.get('/privacy');
    expect(res.headers.getSetCookie().some((c) => c.startsWith('dxq_csrf='))).toBe(true);
    expect((await visitor.post('/login/link', { email: 'first-visit@example.jp' })).status).toBe(303);
  });

  it('keys pages by language', async () => {
    const c = anon();
    expect(await (await c.get('/accessibility')).text()).toContain('<html lang="ja">');
    expect(await (await c.get('/accessibility?lang=en')).text()).toContain('<html lang="en">');
    expect(await (await c.get('/accessibility')).text()).toContain('<html lang="en">');
    expect(await (await anon().get('/accessibility')).text()).toContain('<html lang="ja">');
  });
});
