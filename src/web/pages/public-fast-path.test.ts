import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NONCE_SLOT, PublicCache, splitAtNonce } from '../../modules/programmes/public-cache.js';
import { createTestEnv, type TestEnv } from '../../test/db.js';
import type { AppEnv } from '../context.js';
import { requestId } from '../middleware/request-id.js';
import { securityHeaders } from '../middleware/security-headers.js';
import { publicFastPath } from './public-fast-path.js';
import { pageKey } from './public-page.js';

/**
 * The fast path in isolation: in front of it only the request id and security headers, behind it a handler
 * that says "chain" (the full middleware chain and the routes in the real app).
 */
describe('publicFastPath', () => {
  let env: TestEnv;
  let app: Hono<AppEnv>;
  let cache: PublicCache;

  beforeAll(async () => {
    env = await createTestEnv('pglite');
    cache = new PublicCache(env);
    app = new Hono<AppEnv>();
    app.use(requestId(env), securityHeaders(env), publicFastPath(cache));
    app.all('*', (c) => c.text('chain'));
    const page = (html: string) => async () => ({ value: splitAtNonce(html) });
    await cache.get(pageKey('ja', '/faq', '/faq'), page(`<script nonce="${NONCE_SLOT}"></script>ja faq`));
    await cache.get(pageKey('en', '/faq', '/faq'), page('en faq'));
    await cache.get(pageKey('ja', '/programmes', '/programmes?layer=3'), page('layer 3'));
  });
  afterAll(() => env.close());

  const get = (path: string, cookie = '', method = 'GET') =>
    app.request(path, { method, headers: { cookie } });

  it('answers a cached page for a visitor without cookies, with a fresh nonce and a new CSRF cookie', async () => {
    const a = await get('/faq');
    const b = await get('/faq');
    const nonceA = /'nonce-([^']+)'/.exec(a.headers.get('content-security-policy') ?? '')?.[1];
    expect(await a.text()).toBe(`<script nonce="${nonceA}"></script>ja faq`);
    expect(await b.text()).not.toContain(`nonce="${nonceA}"`);
    expect(a.headers.get('content-type')).toBe('text/html; charset=UTF-8');
    expect(a.headers.get('cache-control')).toBe('no-store');
    const cookie = a.headers.getSetCookie().find((x) => x.startsWith('dxq_csrf=')) ?? '';
    expect(cookie).toMatch(/^dxq_csrf=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
  });

  it('keeps a returning visitor’s CSRF cookie and honours the language cookie', async () => {
    const csrf = `dxq_csrf=${'a'.repeat(43)}`;
    const res = await get('/faq', csrf);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await (await get('/faq', `${csrf}; dxq_lang=en`)).text()).toBe('en faq');
    expect(await (await get('/programmes?layer=3', csrf)).text()).toBe('layer 3');
  });

  it('leaves everything else to the full chain', async () => {
    for (const [path, cookie, method] of [
      ['/faq', 'dxq_session=anything', 'GET'], // may be signed in
      ['/faq?lang=en', '', 'GET'], // a language change is recorded by the session middleware
      ['/faq', '', 'POST'],
      ['/privacy', '', 'GET'], // not cached yet
      ['/programmes?pref=13&layer=3', '', 'GET'], // not the canonical form: the route redirects
      ['/admin/audit', '', 'GET'],
      ['/faq/', '', 'GET'],
    ] as const) {
      expect(await (await get(path, cookie, method)).text(), `${method} ${path}`).toBe('chain');
    }
  });
});
