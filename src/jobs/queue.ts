import { type Selectable, sql } from 'kysely';
import type { Database } from '../db/client.js';
import type { JobsTable } from '../db/schema.js';
import type { Clock } from '../lib/clock.js';

/**
 * Durable job queue in PostgreSQL (ARCHITECTURE.md: no extra server). The only SQL for `jobs`.
 *
 * Life of a job: queued → running (claimed with a lease) → done, or back to queued with a backoff after a
 * failure, or failed once max_attempts is used up. A worker that dies leaves its job running with a lease
 * that runs out; the next claim takes it again. Effects are exactly-once only because handlers are
 * idempotent (STYLE.md 7): the queue itself delivers at least once.
 */
export type JobRow = Selectable<JobsTable>;

export type EnqueueOptions = { runAt?: Date; uniqueKey?: string; maxAttempts?: number };

/** Stored errors are for staff reading the job list: the message only, never a stack or a payload. */
export const MAX_ERROR_CHARS = 2000;
/** A running job holds its lease this long; the runner renews it while the handler is still working. */
export const DEFAULT_LEASE_MS = 5 * 60_000;
const BACKOFF_BASE_MS = 5_000;
const BACKOFF_MAX_MS = 60 * 60_000;

/**
 * The queue's "now": the later of the deps clock and the real clock. Jobs enqueued without runAt are due at
 * the real time of enqueueing, and a TestClock frozen when a test started must still see them as due; tests
 * move time forward (backoffs, leases, schedules) by advancing the TestClock. In production both are the same.
 */
export function queueNow(clock: Clock): Date {
  return new Date(Math.max(clock.now().getTime(), Date.now()));
}

/** Exponential backoff after the n-th failed attempt: 10 s, 20 s, 40 s, … capped at one hour. */
export function backoffMs(attempts: number): number {
  return Math.min(2 ** Math.max(1, attempts) * BACKOFF_BASE_MS, BACKOFF_MAX_MS);
}

/**
 * Adds a job. `db` may be the caller's transaction, so the job exists only if the state change that caused
 * it commits. Payloads carry ids only (STYLE.md 7): the handler reads the current state when it runs.
 * With a uniqueKey, a second enqueue of the same key is a no-op and returns null.
 */
export async function enqueue(
  db: Database,
  name: string,
  payload: Record<string, unknown>,
  opts: EnqueueOptions = {},
): Promise<number | null> {
  if (!name) throw new Error('enqueue: job name is empty');
  if (opts.maxAttempts !== undefined && !(Number.isInteger(opts.maxAttempts) && opts.maxAttempts >= 1))
    throw new Error('enqueue: maxAttempts must be a positive integer');
  const row = await db
    .insertInto('jobs')
    .values({
      name,
      payload: JSON.stringify(payload),
      // Without runAt: due at once, by the application's real clock rather than the column default now(),
      // which has microseconds and the database's clock and so can be a little after queueNow() in a poll.
      run_at: opts.runAt ?? new Date(),
      ...(opts.maxAttempts ? { max_attempts: opts.maxAttempts } : {}),
      unique_key: opts.uniqueKey ?? null,
    })
    .$if(opts.uniqueKey !== undefined, (q) => q.onConflict((oc) => oc.column('unique_key').doNothing()))
    .returning('id')
    .executeTakeFirst();
  return row ? Number(row.id) : null;
}

export type ClaimOptions = {
  workerId: string;
  limit: number;
  now: Date;
  leaseMs?: number;
  /** Only these job names (tests that run one module's jobs); default: every name. */
  names?: readonly string[];
};

/**
 * Claims up to `limit` due jobs for one worker. SKIP LOCKED lets any number of workers claim at the same
 * time without waiting on or taking each other's rows; a running job whose lease ran out counts as due
 * (its worker died), and each claim counts as an attempt.
 */
export async function claimJobs(db: Database, opts: ClaimOptions): Promise<JobRow[]> {
  const names = opts.names;
  if (opts.limit < 1 || names?.length === 0) return [];
  const lockedUntil = new Date(opts.now.getTime() + (opts.leaseMs ?? DEFAULT_LEASE_MS));
  return db
    .updateTable('jobs')
    .set({
      status: 'running',
      locked_by: opts.workerId,
      locked_until: lockedUntil,
      attempts: sql<number>`attempts + 1`,
    })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('jobs')
        .select('id')
        .where((w) =>
          w.or([
            w.and([w('status', '=', 'queued'), w('run_at', '<=', opts.now)]),
            w.and([w('status', '=', 'running'), w('locked_until', '<', opts.now)]),
          ]),
        )
        .$if(names !== undefined, (q) => q.where('name', 'in', names ?? []))
        .orderBy('run_at')
        .orderBy('id')
        .limit(opts.limit)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .execute();
}

/** Keeps a long-running job's lease; false when the lease was lost (another worker re-claimed it). */
export async function extendLease(
  db: Database,
  id: number,
  workerId: string,
  now: Date,
  leaseMs = DEFAULT_LEASE_MS,
): Promise<boolean> {
  const r = await db
    .updateTable('jobs')
    .set({ locked_until: new Date(now.getTime() + leaseMs) })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .where('locked_by', '=', workerId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Marks a job done. Guarded by locked_by: a worker whose lease expired and whose job was re-claimed does not
 * overwrite the new holder's state (returns false).
 */
export async function completeJob(db: Database, id: number, workerId: string, now: Date): Promise<boolean> {
  const r = await db
    .updateTable('jobs')
    .set({ status: 'done', finished_at: now, locked_by: null, locked_until: null, last_error: null })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .where('locked_by', '=', workerId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export function errorMessage(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.length > MAX_ERROR_CHARS ? msg.slice(0, MAX_ERROR_CHARS) : msg;
}

/**
 * Records a failed attempt: back to queued after a backoff, or failed for good once the attempts are used
 * up. Returns what happened, or null when this worker no longer holds the job.
 */
export async function failJob(
  db: Database,
  job: Pick<JobRow, 'id' | 'attempts' | 'max_attempts'>,
  workerId: string,
  error: unknown,
  now: Date,
): Promise<'retry' | 'failed' | null> {
  const final = job.attempts >= job.max_attempts;
  const r = await db
    .updateTable('jobs')
    .set(
      final
        ? {
            status: 'failed',
            finished_at: now,
            locked_by: null,
            locked_until: null,
            last_error: errorMessage(error),
          }
        : {
            status: 'queued',
            run_at: new Date(now.getTime() + backoffMs(job.attempts)),
            locked_by: null,
            locked_until: null,
            last_error: errorMessage(error),
          },
    )
    .where('id', '=', job.id)
    .where('status', '=', 'running')
    .where('locked_by', '=', workerId)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) return null;
  return final ? 'failed' : 'retry';
}

export async function findJob(db: Database, id: number): Promise<JobRow | undefined> {
  return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Housekeeping: finished jobs older than `before` are of no further use (schedule slots are in the past). */
export async function pruneFinishedJobs(db: Database, before: Date): Promise<number> {
  const r = await db
    .deleteFrom('jobs')
    .where('status', 'in', ['done', 'failed'])
    .where('finished_at', '<', before)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
