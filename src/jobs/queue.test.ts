import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../db/client.js';
import type { Deps } from '../deps.js';
import type { Logger } from '../lib/log.js';
import { createTestEnv, dbKinds, type TestEnv } from '../test/db.js';
import { backoffMs, claimJobs, completeJob, enqueue, findJob, queueNow } from './queue.js';
import { enqueueDueSchedules, type Handlers, runDueJobs, startWorker } from './runner.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await sleep(10);
  }
}

function capturingLog(): Logger & { lines: { level: string; msg: string }[] } {
  const lines: { level: string; msg: string }[] = [];
  const at = (level: string) => (msg: string) => {
    lines.push({ level, msg });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

async function countJobs(env: TestEnv, name: string): Promise<number> {
  const r = await env.db
    .selectFrom('jobs')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  return r.n;
}

describe.each(dbKinds())('job queue on %s', (kind) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv(kind);
  });
  afterAll(async () => {
    await env?.close();
  });
  // Each test starts with an empty queue, so a worker never picks up another test's leftovers.
  beforeEach(async () => {
    await env.db.deleteFrom('jobs').execute();
  });

  it('enqueues, claims once, and completes', async () => {
    const id = await enqueue(env.db, 'test.simple', { thingId: 'a1' });
    expect(id).toBeTypeOf('number');
    const now = queueNow(env.clock);
    const claimed = await claimJobs(env.db, { workerId: 'w1', limit: 5, now, names: ['test.simple'] });
    expect(claimed.map((j) => j.id)).toEqual([id]);
    expect(claimed[0]).toMatchObject({ status: 'running', locked_by: 'w1', attempts: 1 });
    expect(claimed[0]?.payload).toEqual({ thingId: 'a1' });
    // SKIP LOCKED / status: a second claim gets nothing while the lease holds.
    expect(await claimJobs(env.db, { workerId: 'w2', limit: 5, now, names: ['test.simple'] })).toEqual([]);
    expect(await completeJob(env.db, id as number, 'w1', now)).toBe(true);
    const done = await findJob(env.db, id as number);
    expect(done).toMatchObject({ status: 'done', locked_by: null, last_error: null });
    expect(done?.finished_at).toBeInstanceOf(Date);

    const seen: unknown[] = [];
    const handlers: Handlers = {
      'test.run': async (_deps, payload, job) => {
        seen.push({ payload, attempts: job.attempts });
      },
    };
    await enqueue(env.db, 'test.run', { n: 1 });
    await enqueue(env.db, 'test.run', { n: 2 });
    expect(await runDueJobs(env, handlers, { workerId: 'w1', names: ['test.run'] })).toBe(2);
    expect(seen).toEqual([
      { payload: { n: 1 }, attempts: 1 },
      { payload: { n: 2 }, attempts: 1 },
    ]);
    expect(await runDueJobs(env, handlers, { workerId: 'w1', names: ['test.run'] })).toBe(0);
  });

  it('dedupes on uniqueKey, also inside a transaction that rolls back nothing else', async () => {
    const first = await enqueue(env.db, 'test.unique', {}, { uniqueKey: 'u:1' });
    expect(first).toBeTypeOf('number');
    const second = await env.db
      .transaction()
      .execute((tx) => enqueue(tx, 'test.unique', {}, { uniqueKey: 'u:1' }));
    expect(second).toBeNull();
    expect(await countJobs(env, 'test.unique')).toBe(1);
    // A job enqueued in a transaction that rolls back never exists.
    await expect(
      env.db.transaction().execute(async (tx) => {
        await enqueue(tx, 'test.rolled-back', {});
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(await countJobs(env, 'test.rolled-back')).toBe(0);
  });

  it('retries with exponential backoff, then fails after max_attempts', async () => {
    let calls = 0;
    const handlers: Handlers = {
      'test.flaky': async () => {
        calls++;
        throw new Error(`boom ${'x'.repeat(3000)}`);
      },
    };
    const names = ['test.flaky'];
    const id = (await enqueue(env.db, 'test.flaky', {}, { maxAttempts: 3 })) as number;
    expect(await runDueJobs(env, handlers, { workerId: 'w1', names })).toBe(1);
    let job = await findJob(env.db, id);
    expect(job).toMatchObject({ status: 'queued', attempts: 1, locked_by: null });
    expect(job?.last_error).toMatch(/^boom x+$/);
    expect(job?.last_error?.length).toBe(2000);
    const delay = (job?.run_at.getTime() ?? 0) - queueNow(env.clock).getTime();
    expect(delay).toBeGreaterThan(backoffMs(1) - 2000);
    expect(delay).toBeLessThanOrEqual(backoffMs(1));

    // Not due before the backoff has passed.
    expect(await runDueJobs(env, handlers, { workerId: 'w1', names })).toBe(0);
    env.clock.advance(backoffMs(1) + 2000);
    expect(await runDueJobs(env, handlers, { workerId: 'w1', names })).toBe(1);
    job = await findJob(env.db, id);
    expect(job).toMatchObject({ status: 'queued', attempts: 2 });
    env.clock.advance(backoffMs(1) + 2000);
    expect(await runDueJobs(env, handlers, { workerId: 'w1', names })).toBe(0);
    env.clock.advance(backoffMs(2));
    expect(await runDueJobs(env, handlers, { workerId: 'w1', names })).toBe(1);
    job = await findJob(env.db, id);
    expect(job).toMatchObject({ status: 'failed', attempts: 3, locked_by: null });
    expect(job?.finished_at).toBeInstanceOf(Date);
    env.clock.advance(24 * 3_600_000);
    expect(await runDueJobs(env, handlers, { workerId: 'w1', names })).toBe(0);
    expect(calls).toBe(3);
    expect(backoffMs(1)).toBe(10_000);
    expect(backoffMs(20)).toBe(3_600_000);
  });

  it('fails a job with an unknown name with a clear error instead of crashing', async () => {
    const once = (await enqueue(env.db, 'test.nobody-handles-this', {}, { maxAttempts: 1 })) as number;
    const retried = (await enqueue(env.db, 'test.nobody-handles-this', {})) as number;
    const names = ['test.nobody-handles-this'];
    expect(await runDueJobs(env, {}, { workerId: 'w1', names })).toBe(2);
    expect(await findJob(env.db, once)).toMatchObject({ status: 'failed' });
    expect((await findJob(env.db, once))?.last_error).toMatch(/unknown job name "test.nobody-handles-this"/);
    // With attempts left it is requeued, so a newer worker in a rolling deploy can still run it.
    expect(await findJob(env.db, retried)).toMatchObject({ status: 'queued', attempts: 1 });
  });

  it('re-claims a job whose worker crashed once the lease runs out', async () => {
    const id = (await enqueue(env.db, 'test.crash', { k: 1 })) as number;
    const names = ['test.crash'];
    const crashed = await claimJobs(env.db, {
      workerId: 'dead',
      limit: 1,
      now: queueNow(env.clock),
      leaseMs: 60_000,
      names,
    });
    expect(crashed.map((j) => j.id)).toEqual([id]);
    const runs: number[] = [];
    const handlers: Handlers = {
      'test.crash': async (_d, _p, job) => {
        runs.push(job.attempts);
      },
    };
    expect(await runDueJobs(env, handlers, { workerId: 'alive', names })).toBe(0);
    env.clock.advance(61_000);
    expect(await runDueJobs(env, handlers, { workerId: 'alive', names })).toBe(1);
    expect(runs).toEqual([2]);
    expect(await findJob(env.db, id)).toMatchObject({ status: 'done', attempts: 2 });
    // The dead worker coming back late cannot overwrite the outcome.
    expect(await completeJob(env.db, id, 'dead', queueNow(env.clock))).toBe(false);

    // A job whose lease ran out on its last attempt is failed, not run again.
    const last = (await enqueue(env.db, 'test.crash', {}, { maxAttempts: 1 })) as number;
    await claimJobs(env.db, { workerId: 'dead', limit: 1, now: queueNow(env.clock), leaseMs: 60_000, names });
    env.clock.advance(61_000);
    expect(await runDueJobs(env, handlers, { workerId: 'alive', names })).toBe(1);
    expect(runs).toEqual([2]);
    const failed = await findJob(env.db, last);
    expect(failed).toMatchObject({ status: 'failed' });
    expect(failed?.last_error).toMatch(/lease ran out/);
  });

  it('enqueues a schedule once per slot even when two workers tick', async () => {
    const schedules = [{ name: 'test.tick', everyMs: 60_000, payload: { scope: 'all' } }];
    expect(await enqueueDueSchedules(env, schedules)).toBe(1);
    expect(await enqueueDueSchedules(env, schedules)).toBe(0);
    await env.db.deleteFrom('jobs').where('name', '=', 'test.tick').execute();

    let calls = 0;
    const handlers: Handlers = {
      'test.tick': async (_d, payload) => {
        expect(payload).toEqual({ scope: 'all' });
        calls++;
      },
    };
    const a = startWorker(env, handlers, schedules, { workerId: 'a', concurrency: 2, pollMs: 10 });
    const b = startWorker(env, handlers, schedules, { workerId: 'b', concurrency: 2, pollMs: 10 });
    try {
      await waitFor(() => calls === 1);
      await sleep(100);
      expect(calls).toBe(1);
      expect(await countJobs(env, 'test.tick')).toBe(1);
      env.clock.advance(60_000);
      await waitFor(() => calls === 2);
      await sleep(100);
      expect(calls).toBe(2);
      expect(await countJobs(env, 'test.tick')).toBe(2);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('runs up to `concurrency` jobs at once and stop() waits for them', async () => {
    let active = 0;
    let peak = 0;
    let finished = 0;
    const handlers: Handlers = {
      'test.slow': async () => {
        active++;
        peak = Math.max(peak, active);
        await sleep(80);
        active--;
        finished++;
      },
    };
    for (let i = 0; i < 6; i++) await enqueue(env.db, 'test.slow', { i });
    const w = startWorker(env, handlers, [], { workerId: 'c', concurrency: 3, pollMs: 10 });
    await waitFor(() => active > 0);
    await w.stop();
    expect(active).toBe(0);
    expect(peak).toBeLessThanOrEqual(3);
    // Whatever was claimed before stop() ran to the end; the rest is still queued for the next worker.
    const left = 6 - finished;
    expect(await runDueJobs(env, handlers, { workerId: 'c', names: ['test.slow'] })).toBe(left);
    expect(finished).toBe(6);
    expect(peak).toBe(3);
  });
});

describe('worker during a database outage', () => {
  it('logs and keeps polling instead of crashing', async () => {
    const env = await createTestEnv('pglite');
    // Nothing listens on port 1: every query fails with ECONNREFUSED, like a database that went away.
    const down = await openPostgres('postgres://postgres@127.0.0.1:1/none', 1);
    const log = capturingLog();
    const deps: Deps = { ...env, db: down.db, log };
    try {
      const w = startWorker(deps, {}, [{ name: 'test.tick', everyMs: 60_000 }], {
        workerId: 'x',
        concurrency: 1,
        pollMs: 10,
      });
      await sleep(200);
      await w.stop();
      expect(log.lines.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual([
        'worker poll failed; retrying',
      ]);
    } finally {
      await down.close();
      await env.close();
    }
  });
});

describe.skipIf(!process.env.DATABASE_URL)('two workers with separate pools on PostgreSQL', () => {
  it('process 200 jobs concurrently, each effect exactly once', async () => {
    const env = await createTestEnv('postgres');
    const url = env.databaseUrl as string;
    const h1 = await openPostgres(url, 5);
    const h2 = await openPostgres(url, 5);
    try {
      // A real table, not TEMP: a temporary table is private to one connection and the workers use others.
      await sql`create table job_effects (job_id bigint primary key, worker text not null)`.execute(env.db);
      const invocations = new Map<number, number>();
      const perWorker: Record<string, number> = { one: 0, two: 0 };
      const handlerFor =
        (worker: string): Handlers[string] =>
        async (deps, _payload, job) => {
          invocations.set(job.id, (invocations.get(job.id) ?? 0) + 1);
          await sleep(2);
          await sql`insert into job_effects (job_id, worker) values (${job.id}, ${worker})`.execute(deps.db);
          perWorker[worker] = (perWorker[worker] ?? 0) + 1;
        };
      await env.db.transaction().execute(async (tx) => {
        for (let i = 0; i < 200; i++) await enqueue(tx, 'test.effect', { i });
      });
      const opts = { concurrency: 4, pollMs: 10 };
      const one = startWorker({ ...env, db: h1.db }, { 'test.effect': handlerFor('one') }, [], {
        ...opts,
        workerId: 'one',
      });
      const two = startWorker({ ...env, db: h2.db }, { 'test.effect': handlerFor('two') }, [], {
        ...opts,
        workerId: 'two',
      });
      try {
        await waitFor(async () => {
          const r = await sql<{
            n: number;
          }>`select count(*)::int as n from jobs where status = 'done'`.execute(env.db);
          return r.rows[0]?.n === 200;
        }, 30_000);
      } finally {
        await Promise.all([one.stop(), two.stop()]);
      }
      const effects = await sql<{ n: number; d: number }>`
        select count(*)::int as n, count(distinct job_id)::int as d from job_effects`.execute(env.db);
      expect(effects.rows[0]).toEqual({ n: 200, d: 200 });
      expect(invocations.size).toBe(200);
      expect([...invocations.values()].every((n) => n === 1)).toBe(true);
      expect((perWorker.one ?? 0) + (perWorker.two ?? 0)).toBe(200);
      expect(perWorker.one).toBeGreaterThan(0);
      expect(perWorker.two).toBeGreaterThan(0);
      const other = await sql<{ n: number }>`
        select count(*)::int as n from jobs where status <> 'done' or attempts <> 1`.execute(env.db);
      expect(other.rows[0]?.n).toBe(0);
    } finally {
      await h1.close();
      await h2.close();
      await env.close();
    }
  });
});
