import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type ErrorCode, isAppError, isDatabaseUnavailable } from '../lib/errors.js';
import { type MessageKey, t } from '../lib/i18n.js';
import type { AppContext } from './context.js';
import { render } from './render.js';

/** One table from error codes to HTTP status (STYLE.md 4). */
export const STATUS_OF: Record<ErrorCode, ContentfulStatusCode> = {
  VALIDATION: 422,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_STATE: 409,
  RATE_LIMITED: 429,
  CSRF: 403,
  PAYLOAD_TOO_LARGE: 413,
  REAUTH_REQUIRED: 403,
  UNAVAILABLE: 503,
};

const PAGE_OF: Partial<Record<number, 400 | 403 | 404 | 409 | 413 | 422 | 429 | 500 | 503>> = {
  400: 400,
  401: 403,
  403: 403,
  404: 404,
  409: 409,
  413: 413,
  422: 422,
  429: 429,
  500: 500,
  503: 503,
};

export function errorPage(c: AppContext, status: ContentfulStatusCode, detail?: string) {
  const page = PAGE_OF[status] ?? 500;
  const locale = c.get('locale') ?? 'ja';
  const title = t(locale, `error.${page}.title` as MessageKey);
  return render(
    c,
    title,
    <div class="error-page">
      <h1>{title}</h1>
      <p>{detail ?? t(locale, `error.${page}.body` as MessageKey)}</p>
      <p class="correlation">
        {t(locale, 'error.correlation')}: <code>{c.get('requestId') ?? '-'}</code>
      </p>
      <p>
        <a href="/">{t(locale, 'error.home')}</a>
      </p>
    </div>,
    status,
  );
}

/** app.onError: AppErrors become their page; the database being away becomes 503; anything else 500. */
export function handleError(err: unknown, c: AppContext) {
  const deps = c.get('deps');
  if (isAppError(err)) {
    if (err.code === 'UNAUTHENTICATED' && c.req.method === 'GET') {
      return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 303);
    }
    if (err.code === 'REAUTH_REQUIRED' && c.req.method === 'GET') {
      return c.redirect(`/account/reauth?next=${encodeURIComponent(c.req.path)}`, 303);
    }
    if (err.code === 'RATE_LIMITED') c.header('Retry-After', '60');
    const detail = err.code === 'NOT_FOUND' || err.code === 'UNAUTHENTICATED' ? undefined : err.messageJa;
    return errorPage(c, STATUS_OF[err.code], detail);
  }
  if (isDatabaseUnavailable(err)) {
    deps?.log.warn('database unavailable', { requestId: c.get('requestId'), error: String(err) });
    c.header('Retry-After', '10');
    return errorPage(c, 503);
  }
  if (err instanceof Error && 'status' in err && (err as { status: number }).status === 413) {
    return errorPage(c, 413);
  }
  deps?.log.error('unhandled error', {
    requestId: c.get('requestId'),
    error: err instanceof Error ? `${err.name}: ${err.message}\n${err.stack}` : String(err),
  });
  return errorPage(c, 500);
}
