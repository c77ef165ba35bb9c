// Issue 3, target 9(a): catalogue and programme pages at 50 connections against a static page served by the
// same process in the same run; ≥ 0.5× its throughput and p99 ≤ 50 ms, on PostgreSQL and on PGlite; and an
// edit visible on every instance within 1 s.  Run: npm run bench:recruitment:pages [-- pglite|postgres]
import pg from 'pg';
import { freshPostgres, machine, median, startServer, tempDataDir, type WrkResult, wrk } from '../lib.js';
import { seedBenchData } from './seed-programmes.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);

async function measure(base: string, paths: Record<string, string>) {
  const results: Record<string, WrkResult[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, p] of Object.entries(paths)) {
      const list = results[name] ?? [];
      list.push(wrk(`${base}${p}`, { connections: 50, seconds: SECONDS }));
      results[name] = list;
    }
  }
  const rows = Object.entries(results).map(([name, rs]) => ({
    name,
    rps: median(rs.map((r) => r.rps)),
    p99: median(rs.map((r) => r.p99ms)),
    errors: rs.reduce((a, r) => a + r.errors, 0),
  }));
  const staticRps = rows.find((r) => r.name === 'static')?.rps ?? Number.NaN;
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${r.rps.toFixed(0)} | ${(r.rps / staticRps).toFixed(2)}× | ${r.p99.toFixed(1)} ms | ${r.errors} |`,
    );
  }
  return rows;
}

async function editPropagation(url: string, programmeId: string, instances: string[]) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const marker = `更新テスト ${Date.now()}`;
  for (const base of instances) await fetch(`${base}/programmes/${programmeId}`); // warm caches
  const t0 = Date.now();
  await client.query('update programmes set title = $1, updated_at = now() where id = $2', [
    marker,
    programmeId,
  ]);
  await client.query(
    "update content_versions set version = version + 1, updated_at = now() where key = 'public'",
  );
  const seen: number[] = [];
  for (const base of instances) {
    for (;;) {
      const html = await (await fetch(`${base}/programmes/${programmeId}`)).text();
      if (html.includes(marker)) break;
      if (Date.now() - t0 > 5000) throw new Error(`edit not visible on ${base} after 5 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
    seen.push(Date.now() - t0);
  }
  await client.end();
  console.log(
    `edit visible on ${instances.length} instances after: ${seen.map((s) => `${s} ms`).join(', ')}`,
  );
}

async function main() {
  const which = process.argv[2] ?? 'both';
  console.log(`${new Date().toISOString()} — ${machine()}`);
  const paths = (ids: string[]) => ({
    static: '/robots.txt',
    top: '/',
    catalogue: '/programmes',
    'catalogue filtered': '/programmes?layer=3&pref=13&open=1',
    programme: `/programmes/${ids[7]}`,
  });
  if (which === 'both' || which === 'pglite') {
    const dataDir = tempDataDir();
    const ids = await seedBenchData({ dataDir, programmes: 60 });
    const s = await startServer({ DATA_DIR: dataDir, SEED_DEMO: 'false' }, 3601);
    console.log(
      '\nPGlite (embedded), 1 instance\n| page | req/s (median) | vs static | p99 (median) | errors |\n|---|---|---|---|---|',
    );
    await measure(s.url, paths(ids));
    await s.stop();
  }
  if (which === 'both' || which === 'postgres') {
    const db = await freshPostgres();
    try {
      const ids = await seedBenchData({ databaseUrl: db.url, programmes: 60 });
      const env = {
        DATABASE_URL: db.url,
        SECRET_KEY: 'bench-secret-key-bench-secret-key-0123',
        SEED_DEMO: 'false',
      };
      const a = await startServer(env, 3602);
      const b = await startServer(env, 3603);
      console.log(
        '\nPostgreSQL, 1 instance measured (a second one running for the edit test)\n| page | req/s (median) | vs static | p99 (median) | errors |\n|---|---|---|---|---|',
      );
      await measure(a.url, paths(ids));
      await editPropagation(db.url, ids[7] ?? '', [a.url, b.url]);
      await a.stop();
      await b.stop();
    } finally {
      await db.drop();
    }
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
