import { createMiddleware } from 'hono/factory';
import { hit, LIMITS } from '../../modules/identity/rate-limit.js';
import type { AppEnv } from '../context.js';

/** A coarse ceiling on state-changing requests per address; sign-in and mail forms add their own limits. */
export const rateLimit = createMiddleware<AppEnv>(async (c, next) => {
  const method = c.req.method.toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') {
    await hit(c.get('deps'), LIMITS.postPerIp, c.get('ip') ?? 'unknown');
  }
  await next();
});
