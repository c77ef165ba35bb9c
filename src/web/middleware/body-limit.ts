import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../context.js';

/**
 * Refuses a request body over `maxSize` bytes. A body with a Content-Length (every browser form) is judged by
 * the header alone — Node's HTTP parser never reads past it — so the body stays unread until the route reads
 * it, through @hono/node-server's direct path; Hono's own middleware touches `Request.body`, which builds a
 * WHATWG Request and stream for every POST (~10 % of a submission's server time, issue 3, 9(b)). A chunked
 * body has no length up front and goes through Hono's middleware, which counts while reading.
 */
export function bodyLimit(
  maxSize: number,
  onError: (c: Context<AppEnv>) => Response | Promise<Response>,
): MiddlewareHandler<AppEnv> {
  const counting = honoBodyLimit({ maxSize, onError });
  return async (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return next();
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      // (Node's parser answers 400 to a malformed length before this runs; refuse one all the same.)
      return /^\d+$/.test(length) && Number(length) <= maxSize ? next() : onError(c);
    }
    return counting(c, next);
  };
}
