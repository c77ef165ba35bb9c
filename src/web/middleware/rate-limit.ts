import { createMiddleware } from 'hono/factory';
import { hit, LIMITS } from '../../modules/identity/rate-limit.js';
import type { AppEnv } from '../context.js';

/**
 * A coarse ceiling on state-changing requests; sign-in and mail forms add their own, stricter limits.
 * Signed-in people are counted per account, visitors per address: a school or company network behind one
 * address must not lock its applicants out at a deadline, and one counter row per account keeps concurrent
 * submissions from queueing on a single hot row.
 */
export const rateLimit = createMiddleware<AppEnv>(async (c, next) => {
  const method = c.req.method.toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') {
    const s = c.get('session');
    const deps = c.get('deps');
    if (s) await hit(deps, LIMITS.postPerAccount, s.user_id);
    else await hit(deps, LIMITS.postPerIp, c.get('ip') ?? 'unknown');
  }
  await next();
});
