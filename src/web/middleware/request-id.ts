import { randomUUID } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import { createMiddleware } from 'hono/factory';
import type { Deps } from '../../deps.js';
import type { AppEnv } from '../context.js';

/**
 * First in the chain: a correlation id for logs and error pages, and the client address. The address is
 * taken from X-Forwarded-For only when TRUST_PROXY=true (behind our own load balancer), and then its last entry.
 */
export function requestId(deps: Deps) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const id = randomUUID();
    c.set('deps', deps);
    c.set('requestId', id);
    c.set('ip', clientIp(c, deps.config.trustProxy));
    c.header('X-Request-Id', id);
    await next();
  });
}

function clientIp(c: Parameters<Parameters<typeof createMiddleware<AppEnv>>[0]>[0], trustProxy: boolean) {
  if (trustProxy) {
    // The rightmost entry is the one our own load balancer appended; entries left of it are client-supplied.
    const fwd = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim();
    if (fwd) return fwd.slice(0, 64);
  }
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null; // app.request() in tests has no socket
  }
}
