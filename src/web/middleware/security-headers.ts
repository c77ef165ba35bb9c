import { randomBytes } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import type { Deps } from '../../deps.js';
import type { AppEnv } from '../context.js';

/**
 * IPA #5 (XSS), #9 (clickjacking) and tender 16)⑥ (no outside servers): CSP allows only our own origin,
 * scripts only with this response's nonce, no inline styles, no framing.
 */
export function securityHeaders(deps: Deps) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const nonce = randomBytes(16).toString('base64');
    c.set('nonce', nonce);
    await next();
    const h = c.res.headers;
    h.set(
      'Content-Security-Policy',
      [
        "default-src 'self'",
        `script-src 'self' 'nonce-${nonce}'`,
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
      ].join('; '),
    );
    h.set('X-Frame-Options', 'DENY');
    h.set('X-Content-Type-Options', 'nosniff');
    h.set('Referrer-Policy', 'same-origin');
    h.set('Cross-Origin-Opener-Policy', 'same-origin');
    // Public badge documents say cross-origin (badges/web/public-headers.ts); everything else stays ours.
    if (!h.has('Cross-Origin-Resource-Policy')) h.set('Cross-Origin-Resource-Policy', 'same-origin');
    h.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()');
    if (deps.config.secureCookies) h.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    // Pages may carry personal data: never keep them in shared or browser caches. Static assets set their own.
    if (!h.has('Cache-Control')) h.set('Cache-Control', 'no-store');
  });
}
