import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Config, testConfig } from '../config.js';
import { type DbHandle, type DbKind, openPGlite, openPostgres } from '../db/client.js';
import { migrateToLatest } from '../db/migrate.js';
import type { Deps } from '../deps.js';
import { TestClock } from '../lib/clock.js';
import { createLogger } from '../lib/log.js';

/** The databases integration tests run on: PGlite always, PostgreSQL too when DATABASE_URL is set (CI). */
export function dbKinds(): DbKind[] {
  return process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/** A fresh database on the PostgreSQL server named by DATABASE_URL; dropped by the returned cleanup. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error('DATABASE_URL is not set');
  const name = `dxq_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export type TestEnv = Deps & {
  clock: TestClock;
  handle: DbHandle;
  close: () => Promise<void>;
  databaseUrl?: string;
};

/** Fresh, migrated database + deps with a controllable clock. Call close() in afterAll. */
export async function createTestEnv(kind: DbKind, overrides: Partial<Config> = {}): Promise<TestEnv> {
  let handle: DbHandle;
  let drop: (() => Promise<void>) | undefined;
  let databaseUrl: string | undefined;
  if (kind === 'postgres') {
    const created = await createPostgresDatabase();
    drop = created.drop;
    databaseUrl = created.url;
    handle = await openPostgres(created.url, 5);
  } else {
    handle = await openPGlite();
  }
  await migrateToLatest(handle.db);
  const clock = new TestClock(new Date());
  const config = testConfig({ databaseUrl, ...overrides });
  return {
    db: handle.db,
    dbKind: kind,
    config,
    clock,
    log: createLogger('silent'),
    handle,
    ...(databaseUrl ? { databaseUrl } : {}),
    close: async () => {
      await handle.close();
      if (drop) await drop();
    },
  };
}
