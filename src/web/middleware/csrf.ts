import { randomBytes } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import { AppError } from '../../lib/errors.js';
import { hmac, safeEqual } from '../../lib/tokens.js';
import type { AppEnv } from '../context.js';
import { readCookie, writeCookie } from '../cookies.js';
import { formFields } from '../forms.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * IPA #6: every state-changing request carries a token (hidden field `_csrf` or header `X-CSRF-Token`) that
 * must equal HMAC(server secret, the visitor's HttpOnly csrf cookie). An attacker's page can neither read the
 * cookie nor compute the MAC. SameSite=Lax on the cookies is a second layer, not the defence.
 */
export const csrf = createMiddleware<AppEnv>(async (c, next) => {
  const { config } = c.get('deps');
  let seed = readCookie(c, config, 'csrf');
  const method = c.req.method.toUpperCase();
  if (!SAFE.has(method)) {
    const sent = await submittedToken(c);
    if (!seed || !sent || !safeEqual(sent, hmac(config.secretKey, `csrf:${seed}`))) {
      throw new AppError(
        'CSRF',
        'フォームの有効期限が切れたか、不正な送信です。ページを再読み込みしてください。',
      );
    }
  }
  if (seed?.length !== 43) {
    seed = randomBytes(32).toString('base64url');
    writeCookie(c, config, 'csrf', seed);
  }
  c.set('csrfToken', hmac(config.secretKey, `csrf:${seed}`));
  await next();
});

async function submittedToken(c: Parameters<Parameters<typeof createMiddleware<AppEnv>>[0]>[0]) {
  const header = c.req.header('x-csrf-token');
  if (header) return header;
  const type = c.req.header('content-type') ?? '';
  if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
    // Read once per request: the route gets the same fields.
    const body = await formFields(c);
    const v = body._csrf;
    return typeof v === 'string' ? v : undefined;
  }
  return undefined;
}
