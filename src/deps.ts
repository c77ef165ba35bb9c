import type { Config } from './config.js';
import type { Database, DbKind } from './db/client.js';
import type { Clock } from './lib/clock.js';
import type { Logger } from './lib/log.js';

/** What every service receives: the database, the settings, the clock and the log. Nothing else is global. */
export type Deps = {
  db: Database;
  dbKind: DbKind;
  config: Config;
  clock: Clock;
  log: Logger;
};

/** One use case = one transaction (STYLE.md). */
export function transaction<T>(deps: Deps, fn: (tx: Database) => Promise<T>): Promise<T> {
  return deps.db.transaction().execute(fn);
}
