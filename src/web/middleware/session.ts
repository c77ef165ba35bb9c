import { createMiddleware } from 'hono/factory';
import { parseLocale } from '../../lib/i18n.js';
import { resolveSession } from '../../modules/identity/session.service.js';
import type { AppEnv } from '../context.js';
import { clearCookie, readCookie, writeCookie } from '../cookies.js';

/**
 * Loads the server-side session named by the cookie. Sessions past their idle (SESSION_IDLE_MINUTES) or
 * absolute (expires_at) timeout are deleted and the cookie cleared. Also settles the display language.
 */
export const session = createMiddleware<AppEnv>(async (c, next) => {
  const deps = c.get('deps');
  const { config } = deps;

  const langParam = parseLocale(c.req.query('lang'));
  if (langParam) writeCookie(c, config, 'lang', langParam, { maxAgeSeconds: 365 * 24 * 3600 });
  c.set('locale', langParam ?? parseLocale(readCookie(c, config, 'lang')) ?? 'ja');

  c.set('session', null);
  const token = readCookie(c, config, 'session');
  if (token) {
    const r = await resolveSession(deps, token);
    if (r.status === 'ok') c.set('session', { ...r.row, token, memberships: r.memberships });
    else clearCookie(c, config, 'session');
  }
  await next();
});
