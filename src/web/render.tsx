import { html } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppContext } from './context.js';
import { Layout, type PageCtx } from './layout/layout.js';

export function pageCtx(c: AppContext): PageCtx {
  const s = c.get('session');
  return {
    locale: c.get('locale') ?? 'ja',
    nonce: c.get('nonce') ?? '',
    csrfToken: c.get('csrfToken') ?? '',
    actor: c.get('actor') ?? { type: 'anonymous', ip: null, requestId: null },
    path: c.req.path,
    requestId: c.get('requestId') ?? '',
    pendingMfa: !!s && s.stage !== 'full',
  };
}

/** Renders a full page in the layout. Every page has exactly one h1: pass it in the body. */
export function render(c: AppContext, title: string, body: Child, status: ContentfulStatusCode = 200) {
  const ctx = pageCtx(c);
  return c.html(
    html`<!DOCTYPE html>${(
      <Layout ctx={ctx} title={title}>
        {body}
      </Layout>
    )}`,
    status,
  );
}

/** POST-redirect-GET (STYLE.md 3). Targets are our own relative paths only (IPA #7). */
export function redirect(c: AppContext, to: string) {
  return c.redirect(safeLocalPath(to), 303);
}

export function safeLocalPath(to: string | undefined | null, fallback = '/'): string {
  if (!to?.startsWith('/') || to.startsWith('//') || to.startsWith('/\\') || /[\r\n\t]/.test(to))
    return fallback;
  return to;
}
