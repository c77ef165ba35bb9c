import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.js';

export type Database = Kysely<DB>;
export type DbKind = 'pglite' | 'postgres';

export type DbHandle = {
  db: Database;
  kind: DbKind;
  close: () => Promise<void>;
};

// timestamptz and int8 come back as Date and string by default; keep int8 (bigint ids, counts) as numbers
// where they fit, so pages and JSON see plain numbers on both drivers.
pg.types.setTypeParser(20, (v) => {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
});

/**
 * SQL that starts with this comment is prepared once per connection (a named statement) instead of being
 * parsed and planned on every execution: for the few hot statements whose planning costs more than their
 * execution (the one-statement submission). Only for statements with a fixed text and an explicit column list.
 */
export const PREPARED = '/* dxq:prepared */ ';
const preparedNames = new Map<string, string>();

function preparedName(text: string): string {
  let name = preparedNames.get(text);
  if (!name) {
    name = `dxq_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    preparedNames.set(text, name);
  }
  return name;
}

export async function openPostgres(url: string, poolSize = 10): Promise<DbHandle> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5000 });
  // A dropped connection must not crash the process: /readyz reports it and requests get 503 until it returns.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (...args: unknown[]) => {
      const [text, values] = args;
      if (typeof text === 'string' && text.startsWith(PREPARED) && args.length <= 2) {
        return query({ name: preparedName(text), text, values });
      }
      return query(...args);
    };
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', close: () => db.destroy() };
}

export async function openPGlite(dataDir?: string): Promise<DbHandle> {
  let pglite: PGlite;
  let unlock = () => {};
  if (dataDir) {
    const dir = path.join(dataDir, 'pglite');
    mkdirSync(dir, { recursive: true });
    unlock = lockDataDir(dataDir);
    pglite = await PGlite.create(dir, { parsers: { 20: (v: string) => Number(v) } });
  } else {
    pglite = await PGlite.create({ parsers: { 20: (v: string) => Number(v) } });
  }
  const db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite }) });
  return {
    db,
    kind: 'pglite',
    close: async () => {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
      unlock();
    },
  };
}

export class DataDirBusyError extends Error {}

/**
 * Embedded PGlite serves one process only: a second process on the same DATA_DIR would silently lose writes.
 * A pid file refuses the second one (a stale file from a killed process is taken over).
 */
function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, 'dxq.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
      return () => rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new DataDirBusyError(
          `DATA_DIR ${dataDir} は別の dxq プロセス (pid ${pid}) が使用中です。組み込みデータベースは1プロセスでのみ使えます。停止してから実行するか、PostgreSQL (DATABASE_URL) を使ってください / DATA_DIR is in use by pid ${pid}`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new DataDirBusyError(`DATA_DIR ${dataDir} をロックできません / cannot lock DATA_DIR`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function openDatabase(opts: {
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  poolSize?: number;
}): Promise<DbHandle> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.poolSize);
  return openPGlite(opts.dataDir);
}

export async function ping(db: Database): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
