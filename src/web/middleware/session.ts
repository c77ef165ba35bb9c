import { createMiddleware } from 'hono/factory';
import { parseLocale } from '../../lib/i18n.js';
import { hashToken } from '../../lib/tokens.js';
import {
  deleteSession,
  findSession,
  listMemberships,
  touchSession,
} from '../../modules/identity/session.repository.js';
import type { AppEnv } from '../context.js';
import { clearCookie, readCookie, writeCookie } from '../cookies.js';

const TOUCH_EVERY_MS = 60_000;

/**
 * Loads the server-side session named by the cookie. Sessions past their idle (SESSION_IDLE_MINUTES) or
 * absolute (expires_at) timeout are deleted and the cookie cleared. Also settles the display language.
 */
export const session = createMiddleware<AppEnv>(async (c, next) => {
  const deps = c.get('deps');
  const { config, clock, db } = deps;

  const langParam = parseLocale(c.req.query('lang'));
  if (langParam) writeCookie(c, config, 'lang', langParam, { maxAgeSeconds: 365 * 24 * 3600 });
  c.set('locale', langParam ?? parseLocale(readCookie(c, config, 'lang')) ?? 'ja');

  c.set('session', null);
  const token = readCookie(c, config, 'session');
  if (token && token.length <= 128) {
    const idHash = hashToken(token);
    const row = await findSession(db, idHash);
    const now = clock.now();
    if (row) {
      const idleExpired = now.getTime() - row.last_seen_at.getTime() > config.sessionIdleMs;
      const absoluteExpired = now.getTime() >= row.expires_at.getTime();
      if (idleExpired || absoluteExpired || row.user_status !== 'active') {
        await deleteSession(db, idHash);
        clearCookie(c, config, 'session');
      } else {
        if (now.getTime() - row.last_seen_at.getTime() > TOUCH_EVERY_MS) await touchSession(db, idHash, now);
        const memberships = row.kind === 'staff' ? await listMemberships(db, row.user_id) : [];
        c.set('session', { ...row, token, memberships });
      }
    } else {
      clearCookie(c, config, 'session');
    }
  }
  await next();
});
