import { createMiddleware } from 'hono/factory';
import type { Deps } from '../../deps.js';
import { LIMITS, rateLimited } from '../../modules/identity/rate-limit.js';
import { WindowCounter } from '../../modules/identity/window-counter.js';
import type { AppEnv } from '../context.js';

/**
 * A coarse ceiling on state-changing requests; sign-in and mail forms add their own, stricter limits in the
 * database. Signed-in people are counted per account, visitors per address: a school or company network behind
 * one address must not lock its applicants out at a deadline (decision 0017). Counted in this process's memory
 * (decision 0019), so a submission at a deadline does not also write a counter row.
 */
export function rateLimit(deps: Pick<Deps, 'clock'>) {
  const perAccount = new WindowCounter(LIMITS.postPerAccount);
  const perAddress = new WindowCounter(LIMITS.postPerIp);
  return createMiddleware<AppEnv>(async (c, next) => {
    const method = c.req.method.toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      const s = c.get('session');
      const now = deps.clock.now().getTime();
      const ok = s ? perAccount.hit(s.user_id, now) : perAddress.hit(c.get('ip') ?? 'unknown', now);
      if (!ok) throw rateLimited();
    }
    await next();
  });
}
