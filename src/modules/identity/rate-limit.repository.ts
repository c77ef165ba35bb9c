import { sql } from 'kysely';
import type { Database } from '../../db/client.js';

/**
 * Fixed-window counter in the database, so every instance behind the load balancer counts together.
 * Returns the count including this hit.
 */
export async function hitCounter(db: Database, key: string, now: Date, windowMs: number): Promise<number> {
  const windowStart = new Date(now.getTime() - windowMs);
  const row = await db
    .insertInto('rate_limits')
    .values({ key, window_start: now, count: 1 })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        count: sql<number>`case when rate_limits.window_start <= ${windowStart} then 1 else rate_limits.count + 1 end`,
        window_start: sql<Date>`case when rate_limits.window_start <= ${windowStart} then ${now} else rate_limits.window_start end`,
      }),
    )
    .returning('count')
    .executeTakeFirstOrThrow();
  return row.count;
}

export async function peekCounter(db: Database, key: string, now: Date, windowMs: number): Promise<number> {
  const row = await db
    .selectFrom('rate_limits')
    .select(['count', 'window_start'])
    .where('key', '=', key)
    .executeTakeFirst();
  if (!row || row.window_start.getTime() <= now.getTime() - windowMs) return 0;
  return row.count;
}

export async function resetCounter(db: Database, key: string): Promise<void> {
  await db.deleteFrom('rate_limits').where('key', '=', key).execute();
}

export async function deleteStaleCounters(db: Database, before: Date): Promise<number> {
  const r = await db.deleteFrom('rate_limits').where('window_start', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}
