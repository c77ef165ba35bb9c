import type { Config } from './config.js';
import type { Database, DbKind } from './db/client.js';
import type { Clock } from './lib/clock.js';
import type { Logger } from './lib/log.js';
import type { LazyBadgePool } from './modules/badges/pool/lazy.js';

/** What every service receives: the database, the settings, the clock and the log. Nothing else is global. */
export type Deps = {
  db: Database;
  dbKind: DbKind;
  config: Config;
  clock: Clock;
  log: Logger;
  /**
   * The worker threads that sign badges (decision 0020), one pool per process, started on first use (server.ts).
   * Absent (tests), issuing signs in-process.
   */
  badgePool?: LazyBadgePool;
};

/** One use case = one transaction (STYLE.md). */
export function transaction<T>(deps: Deps, fn: (tx: Database) => Promise<T>): Promise<T> {
  return deps.db.transaction().execute(fn);
}
