import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Config } from '../config.js';

/**
 * IPA #4: session ids live only in cookies, HttpOnly, SameSite=Lax, with the __Host- prefix and Secure when
 * the public origin is HTTPS (a __Host- cookie must be Secure, so plain-HTTP trials use unprefixed names).
 */
export type CookieName = 'session' | 'csrf' | 'lang';

export function cookieName(config: Config, name: CookieName): string {
  return config.secureCookies ? `__Host-dxq_${name}` : `dxq_${name}`;
}

export function readCookie(c: Context, config: Config, name: CookieName): string | undefined {
  return getCookie(c, cookieName(config, name));
}

export function writeCookie(
  c: Context,
  config: Config,
  name: CookieName,
  value: string,
  opts: { maxAgeSeconds?: number; httpOnly?: boolean } = {},
): void {
  setCookie(c, cookieName(config, name), value, {
    path: '/',
    httpOnly: opts.httpOnly ?? true,
    secure: config.secureCookies,
    sameSite: 'Lax',
    ...(opts.maxAgeSeconds !== undefined ? { maxAge: opts.maxAgeSeconds } : {}),
  });
}

export function clearCookie(c: Context, config: Config, name: CookieName): void {
  deleteCookie(c, cookieName(config, name), { path: '/', secure: config.secureCookies });
}
