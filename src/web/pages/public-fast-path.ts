import { randomFillSync } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import { parseLocale } from '../../lib/i18n.js';
import type { NonceSplitHtml, PublicCache } from '../../modules/programmes/public-cache.js';
import type { AppEnv } from '../context.js';
import { readCookie, writeCookie } from '../cookies.js';
import { htmlResponse, pageKey } from './public-page.js';

/** Paths whose anonymous pages public-page.ts caches. */
const PUBLIC_PATH = /^\/(?:|programmes|programmes\/[0-9a-f-]{36}|faq|privacy|accessibility)$/;

/**
 * Mounted before the body limit, session, CSRF, rate-limit and actor middleware (app.tsx): an anonymous GET
 * of a public page that is already cached is answered here, with no session lookup and no database query,
 * which is what lets these pages run at static-page speed (issue 3, item 9(a)). Everything else, and every
 * miss, goes down the full chain as usual, where the page is rendered and cached.
 *
 * Served here only: GET/HEAD, no session cookie at all (anyone who may be signed in goes the full way and
 * sees their own header), no ?lang= (the session middleware records a language change). What the skipped
 * middleware would have done for such a request is done here: the language comes from the lang cookie, and
 * a visitor without a CSRF cookie gets one, exactly as middleware/csrf.ts makes it (32 random bytes,
 * base64url, 43 characters), so their first form post validates. The cached page holds no CSRF token
 * (anonymous public pages have no POST form) and gets this response's CSP nonce.
 */
export function publicFastPath(cache: PublicCache) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const method = c.req.method;
    if ((method !== 'GET' && method !== 'HEAD') || !PUBLIC_PATH.test(c.req.path)) return next();
    const { config } = c.get('deps');
    if (readCookie(c, config, 'session') !== undefined || c.req.query('lang') !== undefined) return next();
    const url = c.req.url;
    const q = url.indexOf('?');
    const canonical = q < 0 ? c.req.path : `${c.req.path}${url.slice(q)}`;
    const locale = parseLocale(readCookie(c, config, 'lang')) ?? 'ja';
    const key = pageKey(locale, c.req.path, canonical);
    const page = cache.peekSync<NonceSplitHtml>(key) ?? (await cache.peek<NonceSplitHtml>(key));
    if (!page) return next();
    if (readCookie(c, config, 'csrf')?.length !== 43) writeCookie(c, config, 'csrf', csrfSeed());
    return htmlResponse(c, page);
  });
}

// A first-time visitor gets a 32-byte seed from the CSPRNG. Drawn from a pooled buffer, refilled with
// randomFillSync when used up, because one randomBytes call per page view was a measurable share of the
// request (Node's randomUUID pools its random bytes the same way). Every slice is handed out once.
const pool = Buffer.alloc(32 * 128);
let used = pool.length;

function csrfSeed(): string {
  if (used + 32 > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const seed = pool.toString('base64url', used, used + 32);
  used += 32;
  return seed;
}
