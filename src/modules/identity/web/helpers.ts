import type { AppContext } from '../../../web/context.js';
import { writeCookie } from '../../../web/cookies.js';
import type { NewSession } from '../session.service.js';

export function clientOf(c: AppContext) {
  return {
    ip: c.get('ip'),
    requestId: c.get('requestId'),
    userAgent: c.req.header('user-agent') ?? null,
    currentToken: c.get('session')?.token,
  };
}

/** The session cookie lives as long as the browser session; the server enforces idle and absolute limits. */
export function setSessionCookie(c: AppContext, s: NewSession): void {
  writeCookie(c, c.get('deps').config, 'session', s.token);
}
