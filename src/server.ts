import { hostname } from 'node:os';
import { serve } from '@hono/node-server';
import { type Config, loadConfig } from './config.js';
import { type DbHandle, openDatabase } from './db/client.js';
import { migrateToLatest, withAdvisoryLock } from './db/migrate.js';
import { type SeededAccount, seedDemo } from './db/seed/demo.js';
import type { Deps } from './deps.js';
import { handlers, schedules } from './jobs/registry.js';
import { startWorker } from './jobs/runner.js';
import { systemClock } from './lib/clock.js';
import { createLogger } from './lib/log.js';
import { createLazyBadgePool } from './modules/badges/pool/lazy.js';
import { createApp } from './web/app.js';

const SEED_LOCK = 0x64787101; // "dxq" + 1: one seeder at a time across instances

export async function boot(config: Config = loadConfig()): Promise<{ deps: Deps; handle: DbHandle }> {
  const log = createLogger(config.logLevel);
  const handle = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
  });
  const deps: Deps = {
    db: handle.db,
    dbKind: handle.kind,
    config,
    clock: systemClock,
    log,
  };
  // Started by the first badge signed; closed by run()'s shutdown. Idle workers never keep a process alive.
  // BADGE_POOL_SIZE=0 signs in-process (the same code, on the main thread).
  if (config.badgePoolSize !== 0) {
    deps.badgePool = createLazyBadgePool(config.badgePoolSize ? { size: config.badgePoolSize } : {});
  }
  return { deps, handle };
}

export async function migrate(deps: Deps): Promise<string[]> {
  const applied = await migrateToLatest(deps.db);
  if (applied.length) deps.log.info('migrations applied', { applied });
  return applied;
}

export async function seed(deps: Deps): Promise<SeededAccount[]> {
  // The lock's connection runs the seed too: PGlite has a single connection, so a second one would wait forever.
  return withAdvisoryLock(deps.db, SEED_LOCK, (conn) => seedDemo({ ...deps, db: conn }));
}

export function printAccounts(accounts: SeededAccount[], baseUrl: string): void {
  if (accounts.length === 0) return;
  const lines = [
    '',
    '================================================================',
    ' デモ用アカウント(初回起動時に一度だけ表示されます / shown once)',
    ' パスワードは今生成したものです。控えてください。',
    '================================================================',
    ...accounts.map((a) => `  ${a.email.padEnd(40)} ${a.password}  ${a.role.padEnd(8)} ${a.org}`),
    '',
    ` 職員ログイン: ${baseUrl}/login/staff (初回ログイン時に認証アプリの登録が必要です)`,
    ` 受講生は ${baseUrl}/login/link からメールアドレスだけでログインできます。`,
    ' メールは SMTP_URL 未設定のため送信せず、事務局の「送信メール」画面に保存されます。',
    '================================================================',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

export type Roles = { web: boolean; worker: boolean };

/** Runs the web server and/or the worker until SIGINT/SIGTERM. Migrations (and the demo seed) first. */
export async function run(roles: Roles, config: Config = loadConfig()): Promise<void> {
  const { deps, handle } = await boot(config);
  await migrate(deps);
  if (config.seedDemo) printAccounts(await seed(deps), config.baseUrl);

  const stops: (() => Promise<void>)[] = [];
  if (roles.worker) {
    const w = startWorker(deps, handlers, schedules, {
      workerId: `${hostname()}:${process.pid}`,
      concurrency: config.workerConcurrency,
      pollMs: config.workerPollMs,
    });
    stops.push(() => w.stop());
    deps.log.info('worker started', { concurrency: config.workerConcurrency });
  }
  // After the web server and the job worker have stopped: the badges they were signing are finished first.
  stops.push(() => deps.badgePool?.close() ?? Promise.resolve());
  if (roles.web) {
    if (!config.clamd.url)
      deps.log.warn('uploads are not scanned for malware: set CLAMD_URL (clamd) in production', {});
    const app = createApp(deps);
    const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    process.stdout.write(
      `dxq is running: ${config.baseUrl} (listening on ${config.host}:${port}, database: ${handle.kind})\n`,
    );
    stops.unshift(() => new Promise<void>((resolve) => server.close(() => resolve())));
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    deps.log.info('shutting down', { signal });
    const timer = setTimeout(() => process.exit(1), 15_000);
    timer.unref();
    for (const stop of stops) await stop().catch(() => {});
    await handle.close().catch(() => {});
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
