import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPGlite, openPostgres } from '../db/client.js';
import { migrateToLatest } from '../db/migrate.js';
import { Client, learnerClient, type TestApp, testApp } from '../test/app.js';
import { createTestEnv, dbKinds, type TestEnv } from '../test/db.js';
import { createApp } from './app.js';

describe.each(dbKinds())('web shell on %s', (kind) => {
  let env: TestEnv;
  let app: TestApp;
  beforeAll(async () => {
    env = await createTestEnv(kind);
    app = testApp(env);
  });
  afterAll(() => env.close());

  it('sends security headers with a per-response CSP nonce that the page uses', async () => {
    const c = new Client(app, env);
    const a = await c.get('/');
    const b = await c.get('/');
    const csp = a.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(await a.text()).toContain(`nonce="${nonce}"`);
    expect(b.headers.get('content-security-policy')).not.toBe(csp);
    expect(a.headers.get('x-frame-options')).toBe('DENY');
    expect(a.headers.get('x-content-type-options')).toBe('nosniff');
    expect(a.headers.get('referrer-policy')).toBe('same-origin');
    expect(a.headers.get('cache-control')).toBe('no-store');
    expect(a.headers.get('content-type')).toBe('text/html; charset=UTF-8');
    expect(a.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('renders Japanese pages with lang, one h1, a skip link; ?lang=en switches and remembers', async () => {
    const c = new Client(app, env);
    const html = await (await c.get('/login/staff')).text();
    expect(html).toMatch(/^<!DOCTYPE html><html lang="ja">/);
    expect(html.match(/<h1[ >]/g)).toHaveLength(1);
    expect(html).toContain('<a class="skip-link" href="#main">本文へスキップ</a>');
    await c.get('/?lang=en');
    const en = await (await c.get('/login/staff')).text();
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('Skip to main content');
  });

  it('sets HttpOnly SameSite=Lax cookies, and __Host- Secure ones behind HTTPS', async () => {
    const res = await new Client(app, env).get('/');
    const cookie = res.headers.getSetCookie().find((x) => x.startsWith('dxq_csrf=')) ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    const secure = createApp({
      ...env,
      config: { ...env.config, baseUrl: 'https://dxq.example.jp', secureCookies: true },
    });
    const s = await secure.request('/');
    const sc = s.headers.getSetCookie().find((x) => x.startsWith('__Host-dxq_csrf=')) ?? '';
    expect(sc).toMatch(/Secure/);
    expect(sc).toMatch(/HttpOnly/);
    expect(sc).not.toMatch(/Domain=/);
    expect(s.headers.get('strict-transport-security')).toContain('max-age=');
  });

  it('refuses a state change without a valid CSRF token (403), before doing anything', async () => {
    const c = new Client(app, env);
    await c.get('/');
    const none = await c.post('/login/link', { email: 'a@example.jp' }, { csrf: false });
    expect(none.status).toBe(403);
    expect(await none.text()).toContain('お問い合わせ番号');
    const forged = await c.post('/login/link', { email: 'a@example.jp', _csrf: 'forged' }, { csrf: false });
    expect(forged.status).toBe(403);
    const other = new Client(app, env);
    const stolen = await other.csrfToken(); // a token bound to another visitor's cookie
    expect(
      (await c.post('/login/link', { email: 'a@example.jp', _csrf: stolen }, { csrf: false })).status,
    ).toBe(403);
    const mails = await env.db
      .selectFrom('mail_outbox')
      .select('id')
      .where('to_address', '=', 'a@example.jp')
      .execute();
    expect(mails).toHaveLength(0);
    expect((await c.post('/login/link', { email: 'a@example.jp' })).status).toBe(303);
  });

  it('answers unknown paths with the 404 page, bad input with 422 at the field, big bodies with 413', async () => {
    const c = new Client(app, env);
    const nf = await c.get('/no/such/page');
    expect(nf.status).toBe(404);
    const nfHtml = await nf.text();
    expect(nfHtml).toContain('ページが見つかりません');
    expect(nfHtml).toContain(nf.headers.get('x-request-id') ?? 'missing');
    const bad = await c.post('/login/link', { email: 'not-an-address<script>' });
    expect(bad.status).toBe(422);
    const badHtml = await bad.text();
    expect(badHtml).toContain('メールアドレスの形式が正しくありません');
    expect(badHtml).toContain('aria-invalid="true"');
    expect(badHtml).toContain('aria-describedby="f-email-error"');
    expect(badHtml).not.toContain('<script>');
    expect(badHtml).toContain('not-an-address&lt;script&gt;');
    const big = await app.request('/login/link', {
      method: 'POST',
      body: `email=${'a'.repeat(env.config.bodyLimitBytes + 10)}`,
      headers: { cookie: c.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(big.status).toBe(413);
    expect(await big.text()).toContain('送信データが大きすぎます');
  });

  it('refuses a learner and an anonymous visitor on staff-only pages', async () => {
    const { client } = await learnerClient(app, env);
    expect((await client.get('/admin/audit')).status).toBe(403);
    const anon = await new Client(app, env).get('/admin/audit');
    expect(anon.status).toBe(303);
    expect(anon.headers.get('location')).toBe('/login?next=%2Fadmin%2Faudit');
    expect((await new Client(app, env).get('/dashboard')).status).toBe(303);
  });

  it('serves health checks and only bundled assets', async () => {
    expect(await (await app.request('/healthz')).text()).toBe('ok');
    expect((await app.request('/readyz')).status).toBe(200);
    const css = await app.request('/assets/tokens.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toContain('text/css');
    expect((await app.request('/assets/fonts/noto-sans-jp/400.css')).status).toBe(200);
    expect((await app.request('/assets/..%2Fpackage.json')).status).toBe(404);
    expect((await app.request('/assets/../../package.json')).status).toBe(404);
  });
});

describe('a database that goes away', () => {
  it('on PGlite: /readyz fails and pages answer 503 with the Japanese page', async () => {
    const h = await openPGlite();
    await migrateToLatest(h.db);
    const env = await createTestEnv('pglite');
    const app = createApp({ ...env, db: h.db });
    expect((await app.request('/login/staff')).status).toBe(200);
    await h.close();
    expect((await app.request('/readyz')).status).toBe(503);
    const page = await app.request('/login/staff', { headers: { cookie: 'dxq_session=abc' } });
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('ただいまサービスを利用できません');
    await env.close();
  }, 90_000); // two embedded databases migrated from scratch: ~15 s alone, more on a busy machine

  it.skipIf(!process.env.DATABASE_URL)(
    'on PostgreSQL: 503 while the connection is cut, and recovery when it returns',
    async () => {
      const env = await createTestEnv('postgres');
      const target = new URL(env.databaseUrl ?? '');
      const sockets = new Set<net.Socket>();
      const proxy = net.createServer((client) => {
        const upstream = net.connect(Number(target.port || 5432), target.hostname);
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const end = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on('error', end).on('close', end);
        upstream.on('error', end).on('close', end);
      });
      await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
      const port = (proxy.address() as net.AddressInfo).port;
      const viaProxy = new URL(target);
      viaProxy.host = `127.0.0.1:${port}`;
      const h = await openPostgres(viaProxy.toString(), 2);
      const app = createApp({ ...env, db: h.db });
      try {
        expect((await app.request('/login/staff')).status).toBe(200);
        const closed = new Promise<void>((r) => proxy.close(() => r()));
        for (const s of sockets) s.destroy();
        await closed;
        expect((await app.request('/readyz')).status).toBe(503);
        expect((await app.request('/login/staff', { headers: { cookie: 'dxq_session=abc' } })).status).toBe(
          503,
        );
        await new Promise<void>((r) => proxy.listen(port, '127.0.0.1', r));
        expect((await app.request('/readyz')).status).toBe(200);
        expect((await app.request('/login/staff')).status).toBe(200);
      } finally {
        proxy.close();
        for (const s of sockets) s.destroy();
        await h.close();
        await env.close();
      }
    },
  );
});
