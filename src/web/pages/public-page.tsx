import { html } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { Deps } from '../../deps.js';
import type { Locale } from '../../lib/i18n.js';
import {
  NONCE_SLOT,
  type NonceSplitHtml,
  type PublicCache,
  splitAtNonce,
  withNonce,
} from '../../modules/programmes/public-cache.js';
import type { AppContext } from '../context.js';
import { Layout, type PageCtx, type PageMeta } from '../layout/layout.js';
import { pageCtx } from '../render.js';

/** A public page as its builder returns it; `validUntil` is when its open/closed state next changes. */
export type PublicPage = {
  title: string;
  body: Child;
  /** Description for the meta tags; the absolute URL is built from `path` and config.baseUrl. */
  description: string;
  /** The canonical path (with a canonical query string) of this page. */
  path: string;
  ogType?: 'website' | 'article';
  validUntil?: number;
};

export type PublicBuilder = (now: Date) => Promise<PublicPage>;

export function absoluteUrl(deps: Deps, path: string): string {
  return `${deps.config.baseUrl}${path}`;
}

async function toHtml(deps: Deps, ctx: PageCtx, page: PublicPage): Promise<string> {
  const meta: PageMeta = {
    description: page.description,
    url: absoluteUrl(deps, page.path),
    type: page.ogType ?? 'website',
  };
  const out = await html`<!DOCTYPE html>${(
    <Layout ctx={ctx} title={page.title} meta={meta}>
      {/* The public content is written in Japanese: marked so when the chrome is in English (WCAG 3.1.2). */}
      {ctx.locale === 'ja' ? page.body : <div lang="ja">{page.body}</div>}
    </Layout>
  )}`;
  return out.toString();
}

/**
 * Whether this response may come from (and go into) the shared cache: a GET or HEAD from a visitor with no
 * session. Anyone signed in (or half-way through MFA) sees their own header, so their pages are rendered
 * for them and never stored.
 */
export function isCacheable(c: AppContext): boolean {
  const m = c.req.method;
  return (m === 'GET' || m === 'HEAD') && c.get('session') === null && c.get('actor')?.type === 'anonymous';
}

/**
 * The cache key of an anonymous page: language, the request path (the layout links to it) and the canonical
 * path and query the route serves. public-fast-path.ts computes the same key from a request.
 */
export function pageKey(locale: Locale, path: string, canonical: string): string {
  return `page ${locale} ${path} ${canonical}`;
}

export function htmlResponse(c: AppContext, page: NonceSplitHtml): Response {
  return c.body(withNonce(page, c.get('nonce') ?? ''), 200, { 'Content-Type': 'text/html; charset=UTF-8' });
}

/**
 * Serves a public page. For anonymous visitors the page is rendered once per cache key as an anonymous
 * visitor would see it, with NONCE_SLOT for the CSP nonce, and each response gets its own nonce. The CSRF
 * cookie is still set by the csrf middleware before this runs; anonymous pages carry no CSRF token (their
 * only form is the GET search form), so nothing per-visitor is in the cached HTML.
 */
export async function servePublic(
  c: AppContext,
  cache: PublicCache,
  key: string,
  build: PublicBuilder,
): Promise<Response> {
  const deps = c.get('deps');
  const ctx = pageCtx(c);
  if (!isCacheable(c)) {
    return c.html(await toHtml(deps, ctx, await build(deps.clock.now())));
  }
  const anonymousCtx: PageCtx = {
    locale: ctx.locale,
    nonce: NONCE_SLOT,
    csrfToken: '',
    actor: { type: 'anonymous', ip: null, requestId: null },
    path: ctx.path,
    requestId: '',
    pendingMfa: false,
  };
  const page = await cache.get(pageKey(ctx.locale, ctx.path, key), async (now) => {
    const p = await build(now);
    return { value: splitAtNonce(await toHtml(deps, anonymousCtx, p)), validUntil: p.validUntil };
  });
  return htmlResponse(c, page);
}
