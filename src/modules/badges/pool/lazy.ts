import { type BadgePool, type BadgePoolOptions, createBadgePool } from './pool.js';

/**
 * The process's badge pool (decision 0020), started on first use: a process that never signs a badge (a
 * migration, the web server of a site that issues nothing today) starts no worker threads. `deps.badgePool`
 * holds one of these; server.ts creates it once per process and closes it on shutdown. Tests leave it out, and
 * issuing then signs in-process (issue.service.ts), by the same code path.
 */
export type LazyBadgePool = {
  /** The pool, started now if need be; null once closed, or if the workers cannot be started at all. */
  get(): BadgePool | null;
  /** Finishes the work in flight and stops the workers (if they were ever started). Idempotent. */
  close(): Promise<void>;
};

export function createLazyBadgePool(options: BadgePoolOptions = {}): LazyBadgePool {
  let pool: BadgePool | null = null;
  let closed = false;
  let failed = false;
  return {
    get() {
      if (closed || failed) return null;
      if (!pool) {
        try {
          pool = createBadgePool(options);
        } catch {
          failed = true; // a bad option or a platform without worker threads: issuing signs in-process
          return null;
        }
      }
      return pool;
    },
    async close() {
      closed = true;
      const started = pool;
      pool = null;
      await started?.close();
    },
  };
}
