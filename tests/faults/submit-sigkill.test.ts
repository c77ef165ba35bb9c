import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type DbHandle, openPGlite, openPostgres } from '../../src/db/client.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { hashToken } from '../../src/lib/tokens.js';
import type { ExtraQuestion } from '../../src/modules/programmes/questions.js';
import { createPostgresDatabase } from '../../src/test/db.js';

/**
 * Issue 3 §10, no loss under faults: submissions under load, the server killed with SIGKILL, restarted; every
 * submission that was answered 2xx/303 is stored exactly once, and every other one can be submitted again.
 * The server is the compiled build in its own process (npm test builds it first), as in production.
 */
const N = 120;
const SECRET = 'fault-test-secret-key-0123456789abcdef';
const kind = process.env.DATABASE_URL ? 'postgres' : 'pglite';

type Learner = { userId: string; token: string; csrfSeed: string; key: string; email: string };

async function openDb(where: { url?: string; dataDir?: string }): Promise<DbHandle> {
  return where.url ? openPostgres(where.url, 4) : openPGlite(where.dataDir);
}

function startServer(env: Record<string, string>, port: number): Promise<ChildProcess> {
  const proc = spawn(process.execPath, [path.resolve('dist/main.js'), 'serve'], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      LOG_LEVEL: 'error',
      SECRET_KEY: SECRET,
      SEED_DEMO: 'false',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 60_000;
    const poll = async () => {
      if (proc.exitCode !== null) return reject(new Error(`server exited ${proc.exitCode}`));
      try {
        if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return resolve(proc);
      } catch {}
      if (Date.now() > deadline) return reject(new Error('server did not start'));
      setTimeout(poll, 100);
    };
    void poll();
  });
}

function exited(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => proc.once('exit', () => resolve()));
}

async function setup(
  db: DbHandle['db'],
): Promise<{ programmeId: string; learners: Learner[]; questionId: string }> {
  await migrateToLatest(db);
  const org = await db
    .insertInto('organisations')
    .values({
      kind: 'regional_hub',
      name: `ハブ ${randomBytes(3).toString('hex')}`,
      name_en: null,
      prefecture_code: 13,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const questionId = 'qmotivation';
  const extra: ExtraQuestion[] = [
    { id: questionId, label: '志望動機', kind: 'short_text', required: true, options: [] },
  ];
  const now = Date.now();
  const p = await db
    .insertInto('programmes')
    .values({
      organisation_id: org.id,
      fiscal_year: 2026,
      layer: 3,
      title: '障害試験プログラム',
      format: 'online',
      opens_at: new Date(now - 86_400_000),
      closes_at: new Date(now + 86_400_000),
      commitment_required: false,
      eligibility_questions: '[]',
      extra_questions: JSON.stringify(extra),
      status: 'published',
      published_at: new Date(now - 86_400_000),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const learners: Learner[] = [];
  for (let i = 0; i < N; i++) {
    const email = `fault-${i}-${randomBytes(3).toString('hex')}@example.jp`;
    const u = await db
      .insertInto('users')
      .values({
        email,
        display_name: `受講者${i}`,
        kind: 'learner',
        password_hash: null,
        password_changed_at: null,
        totp_secret_enc: null,
        totp_enrolled_at: null,
        totp_last_step: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const token = randomBytes(32).toString('base64url');
    await db
      .insertInto('sessions')
      .values({
        id_hash: hashToken(token),
        user_id: u.id,
        stage: 'full',
        active_organisation_id: null,
        created_at: new Date(),
        last_seen_at: new Date(Date.now() + 3_600_000), // stays fresh for the whole test
        expires_at: new Date(Date.now() + 6 * 3_600_000),
        reauth_at: null,
        ip: null,
        user_agent: null,
      })
      .execute();
    await db
      .insertInto('applications')
      .values({
        programme_id: p.id,
        applicant_user_id: u.id,
        status: 'draft',
        eligibility_answers: '{}',
        answers: '{}',
      })
      .execute();
    learners.push({
      userId: u.id,
      token,
      csrfSeed: randomBytes(32).toString('base64url'),
      key: randomBytes(24).toString('base64url'),
      email,
    });
  }
  return { programmeId: p.id, learners, questionId };
}

async function submit(port: number, programmeId: string, questionId: string, l: Learner): Promise<number> {
  const csrf = createHmac('sha256', Buffer.from(SECRET)).update(`csrf:${l.csrfSeed}`).digest('base64url');
  const body = new URLSearchParams({
    _csrf: csrf,
    idempotencyKey: l.key,
    fullName: '髙橋 𠮷子',
    furigana: 'たかはし よしこ',
    email: l.email,
    prefectureCode: '13',
    occupation: 'worker',
    affiliation: '株式会社テスト',
    consentPurpose: 'yes',
    consentProvision: 'yes',
    [`q_${questionId}`]: '地域の DX に取り組みたいからです',
  });
  const res = await fetch(`http://127.0.0.1:${port}/programmes/${programmeId}/apply/submit`, {
    method: 'POST',
    body,
    redirect: 'manual',
    headers: {
      cookie: `dxq_session=${l.token}; dxq_csrf=${l.csrfSeed}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    signal: AbortSignal.timeout(20_000),
  });
  await res.arrayBuffer();
  return res.status;
}

describe(`submissions survive SIGKILL of the server (${kind})`, () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('stores every acknowledged submission exactly once, and the rest can be resubmitted', {
    timeout: 240_000,
  }, async () => {
    let where: { url?: string; dataDir?: string };
    if (kind === 'postgres') {
      const created = await createPostgresDatabase();
      cleanups.push(created.drop);
      where = { url: created.url };
    } else {
      const dir = mkdtempSync(path.join(tmpdir(), 'dxq-fault-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      where = { dataDir: dir };
    }
    const serverEnv: Record<string, string> = where.url
      ? { DATABASE_URL: where.url }
      : { DATA_DIR: where.dataDir ?? '' };
    let h = await openDb(where);
    const { programmeId, learners, questionId } = await setup(h.db);
    await h.close();

    const port = 3700 + Math.floor(Math.random() * 200);
    let server = await startServer(serverEnv, port);
    cleanups.push(() => void server.kill('SIGKILL'));

    // Load: the learners submit over ~0.4 s (as at a deadline, not all in one instant: the server answers
    // submissions that arrive together in shared statements, so an instant burst could all be answered before
    // the kill lands); the server is killed once a third have been answered, with the rest in flight or to come.
    const acked = new Set<string>();
    let answered = 0;
    let killed = false;
    const inflight = learners.map(async (l, i) => {
      await new Promise((r) => setTimeout(r, i * 3));
      try {
        const status = await submit(port, programmeId, questionId, l);
        answered++;
        if (status === 303) acked.add(l.userId);
        if (!killed && answered >= N / 3) {
          killed = true;
          server.kill('SIGKILL');
        }
      } catch {
        // connection reset by the kill: no answer, so no promise was made
      }
    });
    await Promise.all(inflight);
    if (!killed) server.kill('SIGKILL');
    await exited(server);
    expect(acked.size).toBeGreaterThan(0);
    expect(acked.size).toBeLessThan(N); // the kill really cut submissions off mid-flight

    server = await startServer(serverEnv, port);
    // Everyone not acknowledged submits again with the same form (same idempotency key): all succeed.
    for (const l of learners.filter((x) => !acked.has(x.userId))) {
      expect(await submit(port, programmeId, questionId, l)).toBe(303);
    }
    // And an acknowledged one retrying gets the same success, not a second application.
    const again = learners.find((x) => acked.has(x.userId));
    if (again) expect(await submit(port, programmeId, questionId, again)).toBe(303);
    server.kill('SIGTERM');
    await exited(server);

    h = await openDb(where);
    try {
      const rows = await h.db
        .selectFrom('applications')
        .select(['applicant_user_id', 'status', 'number', 'full_name'])
        .where('programme_id', '=', programmeId)
        .execute();
      expect(rows).toHaveLength(N);
      expect(rows.every((r) => r.status === 'submitted' && r.number)).toBe(true);
      expect(new Set(rows.map((r) => r.number)).size).toBe(N);
      expect(rows[0]?.full_name).toBe('髙橋 𠮷子');
      const history = await h.db
        .selectFrom('application_status_history')
        .select(['application_id'])
        .where('to_status', '=', 'submitted')
        .execute();
      expect(history).toHaveLength(N);
      const mails = await h.db
        .selectFrom('mail_outbox')
        .select('to_address')
        .where('template', '=', 'application_received')
        .execute();
      expect(mails).toHaveLength(N);
      expect(new Set(mails.map((m) => m.to_address)).size).toBe(N);
      const audits = await h.db
        .selectFrom('audit_log')
        .select('id')
        .where('action', '=', 'applications.submitted')
        .execute();
      expect(audits).toHaveLength(N);
    } finally {
      await h.close();
    }
  });
});
