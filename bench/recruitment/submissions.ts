// Issue 3, target 9(b): application submissions with 200 concurrent applicants on PostgreSQL, against a bare
// single-row INSERT loop on the same database in the same run. Target: ≥ 0.25× the bare insert rate,
// p99 ≤ 250 ms, 0 lost, 0 duplicates.   Run: npm run bench:recruitment:submissions
import { createHmac, randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgres } from '../../src/db/client.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { cpuSeconds, freshPostgres, machine, median, sendAll, startServer } from '../lib.js';

const CONCURRENCY = 200;
const APPLICANTS = Number(process.env.BENCH_APPLICANTS ?? 6000);
/** dxq instances behind a (simulated) load balancer; BENCH_INSTANCES=2 spreads the server over both cores. */
const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 1);
const SECRET = 'bench-secret-key-bench-secret-key-0123';

async function seed(url: string) {
  const h = await openPostgres(url, 2);
  await migrateToLatest(h.db);
  await h.close();
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => {});
  await c.connect();
  const org = await c.query(
    "insert into organisations (kind, name, prefecture_code) values ('regional_hub', 'ベンチハブ', 13) returning id",
  );
  const q = [{ id: 'qmotivation', label: '志望動機', kind: 'short_text', required: true, options: [] }];
  const p = await c.query(
    `insert into programmes (organisation_id, fiscal_year, layer, title, format, opens_at, closes_at, commitment_required,
       eligibility_questions, extra_questions, status, published_at)
     values ($1, 2026, 3, 'ベンチマーク用プログラム', 'online', now() - interval '1 day', now() + interval '1 day', false,
       '[]', $2, 'published', now()) returning id`,
    [org.rows[0].id, JSON.stringify(q)],
  );
  const programmeId: string = p.rows[0].id;
  // Learners, their sessions and their drafts, in bulk (the part before "submit" is not what is measured).
  const learners: { token: string; seed: string; key: string; email: string }[] = [];
  const batch = 500;
  for (let i = 0; i < APPLICANTS; i += batch) {
    const rows = Array.from({ length: Math.min(batch, APPLICANTS - i) }, (_, j) => ({
      email: `bench-${i + j}@example.jp`,
      token: randomBytes(32).toString('base64url'),
      seed: randomBytes(32).toString('base64url'),
      key: randomBytes(24).toString('base64url'),
    }));
    const users = await c.query(
      `insert into users (email, display_name, kind) select e, 'ベンチ受講者', 'learner' from unnest($1::text[]) e returning id, email`,
      [rows.map((r) => r.email)],
    );
    const idByEmail = new Map(users.rows.map((u: { id: string; email: string }) => [u.email, u.id]));
    const { createHash } = await import('node:crypto');
    await c.query(
      `insert into sessions (id_hash, user_id, stage, created_at, last_seen_at, expires_at)
       select h, u, 'full', now(), now() + interval '1 hour', now() + interval '6 hours' from unnest($1::text[], $2::uuid[]) as t(h, u)`,
      [
        rows.map((r) => createHash('sha256').update(r.token).digest('base64url')),
        rows.map((r) => idByEmail.get(r.email)),
      ],
    );
    await c.query(
      `insert into applications (programme_id, applicant_user_id, status) select $1, u, 'draft' from unnest($2::uuid[]) u`,
      [programmeId, rows.map((r) => idByEmail.get(r.email))],
    );
    learners.push(...rows);
  }
  await c.query(
    'create table bench_insert (id bigint generated always as identity primary key, v text not null)',
  );
  await c.end();
  return { programmeId, learners };
}

async function bareInserts(url: string, total: number) {
  const pool = new pg.Pool({ connectionString: url, max: 20 });
  let next = 0;
  const lat: number[] = [];
  await pool.query('select 1'); // one backend up before the CPU reading; the rest start inside the window
  const pgBefore = cpuSeconds((comm) => comm === 'postgres');
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) {
        next++;
        const s = performance.now();
        await pool.query('insert into bench_insert (v) values ($1)', ['x']);
        lat.push(performance.now() - s);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const pgCpu = cpuSeconds((comm) => comm === 'postgres') - pgBefore; // before pool.end(): its backends exit
  await pool.end();
  return { rate: total / secs, p99: percentile(lat, 0.99), pgCpuMsPerInsert: (pgCpu / total) * 1000 };
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN;
}

/** Each learner's submission as bytes on the wire, built before the clock starts. */
function submissionRequests(
  base: string,
  programmeId: string,
  learners: { token: string; seed: string; key: string; email: string }[],
): Buffer[] {
  const host = new URL(base).host;
  return learners.map((l) => {
    const csrf = createHmac('sha256', Buffer.from(SECRET)).update(`csrf:${l.seed}`).digest('base64url');
    const body = Buffer.from(
      new URLSearchParams({
        _csrf: csrf,
        idempotencyKey: l.key,
        fullName: '髙橋 𠮷子',
        furigana: 'タカハシ ヨシコ',
        email: l.email,
        prefectureCode: '13',
        occupation: 'worker',
        affiliation: '株式会社ベンチ',
        consentPurpose: 'yes',
        consentProvision: 'yes',
        q_qmotivation: '地域の DX に取り組みたい',
      }).toString(),
    );
    const head =
      `POST /programmes/${programmeId}/apply/submit HTTP/1.1\r\nHost: ${host}\r\n` +
      `Cookie: dxq_session=${l.token}; dxq_csrf=${l.seed}\r\n` +
      `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n`;
    return Buffer.concat([Buffer.from(head, 'latin1'), body]);
  });
}

async function submissions(
  bases: string[],
  programmeId: string,
  learners: { token: string; seed: string; key: string; email: string }[],
  warm: { token: string; seed: string; key: string; email: string }[],
) {
  // The applicants are spread over the instances as a load balancer would, with the connections split evenly;
  // each connection first carries one warm-up submission (not counted), then the clock starts.
  const runs = await Promise.all(
    bases.map((base, i) => {
      const url = new URL(base);
      const mine = learners.filter((_, j) => j % bases.length === i);
      const warmUp = warm.filter((_, j) => j % bases.length === i);
      return sendAll(
        url.hostname,
        Number(url.port),
        submissionRequests(base, programmeId, mine),
        CONCURRENCY / bases.length,
        submissionRequests(base, programmeId, warmUp),
      );
    }),
  );
  const seconds = Math.max(...runs.map((r) => r.seconds));
  const results = runs.flatMap((r) => r.results);
  const lat = results.map((r) => r.ms);
  const statuses = new Map<number, number>();
  for (const r of results) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
  return { rate: learners.length / seconds, p50: percentile(lat, 0.5), p99: percentile(lat, 0.99), statuses };
}

async function main() {
  console.log(
    `${new Date().toISOString()} — ${machine()}; ${APPLICANTS} applicants, ${CONCURRENCY} concurrent`,
  );
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const rows: { sub: number; subP99: number; ins: number; insP99: number; lost: number; dup: number }[] = [];
  for (let r = 0; r < rounds; r++) {
    const db = await freshPostgres();
    try {
      const { programmeId, learners } = await seed(db.url);
      const servers = await Promise.all(
        Array.from({ length: INSTANCES }, (_, i) =>
          startServer(
            {
              DATABASE_URL: db.url,
              SECRET_KEY: SECRET,
              SEED_DEMO: 'false',
              DATABASE_POOL_SIZE: String(Math.ceil(20 / INSTANCES)),
            },
            3610 + i,
          ),
        ),
      );
      const bases = servers.map((x) => x.url);
      const warm = learners.splice(0, CONCURRENCY); // one warm-up submission per connection, not counted
      const serverPids = new Set(servers.map((x) => x.proc.pid ?? -1));
      const cpu = () => ({
        server: cpuSeconds((_, pid) => serverPids.has(pid)),
        postgres: cpuSeconds((comm) => comm === 'postgres'),
        client: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
      });
      const before = cpu();
      const sub = await submissions(bases, programmeId, learners, warm);
      const after = cpu();
      const perSub = (k: keyof typeof before) =>
        (((after[k] - before[k]) / (learners.length + warm.length)) * 1000).toFixed(2); // warm-up included
      console.log(
        `  CPU per submission: server ${perSub('server')} ms, PostgreSQL ${perSub('postgres')} ms, load generator ${perSub('client')} ms`,
      );
      await Promise.all(servers.map((x) => x.stop()));
      const pgBefore = cpuSeconds((comm) => comm === 'postgres');
      const ins = await bareInserts(db.url, APPLICANTS);
      const pgAfter = cpuSeconds((comm) => comm === 'postgres');
      console.log(
        `  CPU per bare insert: PostgreSQL ${(((pgAfter - pgBefore) / APPLICANTS) * 1000).toFixed(2)} ms`,
      );
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      const counts = await c.query(
        `select count(*) filter (where status = 'submitted')::int as submitted, count(distinct number)::int as numbers,
                (select count(*)::int from application_status_history where to_status = 'submitted') as history
         from applications where programme_id = $1`,
        [programmeId],
      );
      await c.end();
      const k = counts.rows[0];
      const lost = APPLICANTS - k.submitted;
      const dup = k.history - k.submitted + (k.submitted - k.numbers);
      console.log(
        `round ${r + 1}: submissions ${sub.rate.toFixed(0)}/s (p50 ${sub.p50.toFixed(0)} ms, p99 ${sub.p99.toFixed(0)} ms, statuses ${JSON.stringify(Object.fromEntries(sub.statuses))}); bare inserts ${ins.rate.toFixed(0)}/s (p99 ${ins.p99.toFixed(0)} ms); lost ${lost}, duplicates ${dup}`,
      );
      rows.push({ sub: sub.rate, subP99: sub.p99, ins: ins.rate, insP99: ins.p99, lost, dup });
    } catch (e) {
      console.error('round failed:', e);
      throw e;
    } finally {
      await db.drop();
    }
  }
  const sub = median(rows.map((x) => x.sub));
  const ins = median(rows.map((x) => x.ins));
  console.log(
    `\nmedian: submissions ${sub.toFixed(0)}/s, bare inserts ${ins.toFixed(0)}/s → ${(sub / ins).toFixed(2)}×; submission p99 ${median(rows.map((x) => x.subP99)).toFixed(0)} ms; lost ${rows.reduce((a, x) => a + x.lost, 0)}, duplicates ${rows.reduce((a, x) => a + x.dup, 0)}`,
  );
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
