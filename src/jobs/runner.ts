import type { Deps } from '../deps.js';
import { isDatabaseUnavailable } from '../lib/errors.js';
import {
  claimJobs,
  completeJob,
  DEFAULT_LEASE_MS,
  enqueue,
  errorMessage,
  extendLease,
  failJob,
  type JobRow,
  queueNow,
} from './queue.js';

/** What a handler learns about its job: enough to know whether this is the last try. */
export type JobInfo = { id: number; attempts: number; maxAttempts: number };
/** A handler must be idempotent (STYLE.md 7): it may run again after a crash or a lost lease. Throw to retry. */
export type JobHandler = (deps: Deps, payload: Record<string, unknown>, job: JobInfo) => Promise<void>;
export type Handlers = Record<string, JobHandler>;
/**
 * A recurring job: enqueued once per slot of `everyMs`, slots aligned to the Unix epoch (UTC; a daily slot
 * starts at 09:00 JST). Names must be unique: the name is the dedupe key.
 */
export type Schedule = { name: string; everyMs: number; payload?: Record<string, unknown> };

export type RunOutcome = 'done' | 'retry' | 'failed' | 'lost';

type RunOptions = { workerId: string; leaseMs?: number };

/** A guard against a handler that keeps enqueueing due work forever (runDueJobs would never return). */
const RUN_DUE_MAX_JOBS = 10_000;

function payloadOf(job: JobRow): Record<string, unknown> {
  const p: unknown = typeof job.payload === 'string' ? JSON.parse(job.payload) : job.payload;
  return p && typeof p === 'object' && !Array.isArray(p) ? (p as Record<string, unknown>) : {};
}

/** Renews the lease while a handler works, so a slow job is not taken over by a second worker. */
function heartbeat(deps: Deps, jobId: number, opts: RunOptions): () => void {
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  const timer = setInterval(
    () => {
      // A failed renewal is not fatal: if the lease is really lost, completion is refused and logged.
      extendLease(deps.db, jobId, opts.workerId, queueNow(deps.clock), leaseMs).catch(() => {});
    },
    Math.max(1000, Math.floor(leaseMs / 3)),
  );
  timer.unref();
  return () => clearInterval(timer);
}

/** Runs one claimed job and records the outcome. Handler errors never escape; database errors do. */
export async function runClaimedJob(
  deps: Deps,
  handlers: Handlers,
  job: JobRow,
  opts: RunOptions,
): Promise<RunOutcome> {
  const handler = Object.hasOwn(handlers, job.name) ? handlers[job.name] : undefined;
  let failed = false;
  let error: unknown;
  if (job.attempts > job.max_attempts) {
    // Claimed again after its lease ran out on the last attempt: the worker died mid-job every time.
    failed = true;
    error = new Error(`job "${job.name}" gave up: the lease ran out on its last attempt`);
  } else if (!handler) {
    // Not a crash: during a rolling deploy an older worker may see a newer job, so it goes through the
    // normal retry path (a newer worker can still take it) and ends 'failed' with this message.
    failed = true;
    error = new Error(`unknown job name "${job.name}": no handler is registered for it`);
  } else {
    const stop = heartbeat(deps, job.id, opts);
    try {
      await handler(deps, payloadOf(job), {
        id: job.id,
        attempts: job.attempts,
        maxAttempts: job.max_attempts,
      });
    } catch (e) {
      failed = true;
      error = e;
    } finally {
      stop();
    }
  }
  const now = queueNow(deps.clock);
  const outcome = failed
    ? ((await failJob(deps.db, job, opts.workerId, error, now)) ?? 'lost')
    : (await completeJob(deps.db, job.id, opts.workerId, now))
      ? 'done'
      : 'lost';
  // The error text stays in jobs.last_error; the log carries no message because SMTP and other errors can
  // quote addresses (log.ts: no personal data in logs).
  if (outcome !== 'done')
    deps.log.warn('job not completed', { jobId: job.id, job: job.name, attempt: job.attempts, outcome });
  return outcome;
}

/**
 * Runs everything that is due now, one job at a time, until nothing due is left; returns how many jobs were
 * run. For tests and one-off CLI runs; the worker loop uses startWorker.
 */
export async function runDueJobs(
  deps: Deps,
  handlers: Handlers,
  opts: { workerId: string; limit?: number; leaseMs?: number; names?: readonly string[] },
): Promise<number> {
  let processed = 0;
  while (processed < RUN_DUE_MAX_JOBS) {
    const jobs = await claimJobs(deps.db, {
      workerId: opts.workerId,
      limit: opts.limit ?? 10,
      now: queueNow(deps.clock),
      ...(opts.leaseMs ? { leaseMs: opts.leaseMs } : {}),
      ...(opts.names ? { names: opts.names } : {}),
    });
    if (jobs.length === 0) break;
    for (const job of jobs) {
      await runClaimedJob(deps, handlers, job, opts);
      processed++;
    }
  }
  return processed;
}

/**
 * Enqueues each schedule's current slot. Every worker does this; the unique key `${name}:${slot ISO}` makes
 * the database keep one job per slot however many workers tick. `lastSlots` remembers what this worker
 * already enqueued so it does not insert on every poll.
 */
export async function enqueueDueSchedules(
  deps: Deps,
  schedules: readonly Schedule[],
  lastSlots: Map<string, number> = new Map(),
): Promise<number> {
  let created = 0;
  const now = deps.clock.now().getTime();
  for (const s of schedules) {
    const slot = Math.floor(now / s.everyMs) * s.everyMs;
    if (lastSlots.get(s.name) === slot) continue;
    const slotStart = new Date(slot);
    const id = await enqueue(deps.db, s.name, s.payload ?? {}, {
      runAt: slotStart,
      uniqueKey: `${s.name}:${slotStart.toISOString()}`,
    });
    // Remembered only after the insert succeeded, so a database outage is retried on the next poll.
    lastSlots.set(s.name, slot);
    if (id !== null) created++;
  }
  return created;
}

export type WorkerOptions = { workerId: string; concurrency: number; pollMs: number; leaseMs?: number };

/**
 * The worker loop: every poll it enqueues due schedules and claims as many jobs as it has free slots, runs
 * them concurrently, and polls again at once when a job finishes. A failing poll (database down) is logged
 * and retried on the next poll; it never ends the loop. stop() stops claiming and waits for running jobs.
 */
export function startWorker(
  deps: Deps,
  handlers: Handlers,
  schedules: readonly Schedule[],
  opts: WorkerOptions,
): { stop(): Promise<void> } {
  if (!(Number.isInteger(opts.concurrency) && opts.concurrency >= 1))
    throw new Error('concurrency must be ≥ 1');
  if (!(opts.pollMs > 0)) throw new Error('pollMs must be > 0');
  const names = new Set<string>();
  for (const s of schedules) {
    if (!(Number.isInteger(s.everyMs) && s.everyMs >= 1000))
      throw new Error(`schedule ${s.name}: everyMs ≥ 1000`);
    if (names.has(s.name)) throw new Error(`schedule ${s.name} is listed twice`);
    names.add(s.name);
  }

  const running = new Set<Promise<void>>();
  const lastSlots = new Map<string, number>();
  let stopping = false;
  let failing = false;
  let wake: (() => void) | null = null;

  const nap = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => done(), ms);
      const done = () => {
        clearTimeout(timer);
        wake = null;
        resolve();
      };
      wake = done;
    });

  const poll = async (): Promise<void> => {
    if (schedules.length > 0) await enqueueDueSchedules(deps, schedules, lastSlots);
    const free = opts.concurrency - running.size;
    if (free <= 0 || stopping) return;
    const jobs = await claimJobs(deps.db, {
      workerId: opts.workerId,
      limit: free,
      now: queueNow(deps.clock),
      ...(opts.leaseMs ? { leaseMs: opts.leaseMs } : {}),
    });
    for (const job of jobs) {
      const p: Promise<void> = runClaimedJob(deps, handlers, job, opts)
        .then(() => {})
        .catch((e: unknown) => {
          // Recording the outcome failed (database gone): the lease runs out and another claim retries it.
          deps.log.error('job outcome not recorded', {
            jobId: job.id,
            job: job.name,
            databaseUnavailable: isDatabaseUnavailable(e),
          });
        })
        .finally(() => {
          running.delete(p);
          wake?.();
        });
      running.add(p);
    }
  };

  const loop = (async () => {
    while (!stopping) {
      try {
        await poll();
        if (failing) deps.log.info('worker poll recovered', { workerId: opts.workerId });
        failing = false;
      } catch (e) {
        // Logged once per outage, not on every poll.
        if (!failing)
          deps.log.error('worker poll failed; retrying', {
            workerId: opts.workerId,
            databaseUnavailable: isDatabaseUnavailable(e),
            error: errorMessage(e).slice(0, 200),
          });
        failing = true;
      }
      if (!stopping) await nap(opts.pollMs);
    }
  })();

  return {
    async stop() {
      stopping = true;
      wake?.();
      await loop;
      await Promise.allSettled([...running]);
    },
  };
}
