import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestEnv, dbKinds } from '../test/db.js';
import { migrateToLatest } from './migrate.js';
import { migrations } from './migrations/index.js';
import { splitStatements } from './migrations/run-statements.js';

describe('splitStatements', () => {
  it('keeps dollar-quoted bodies whole and drops comments', () => {
    const parts = splitStatements(`
      -- a comment;
      create table a (x int);
      create function f() returns trigger language plpgsql as $$
      begin
        raise exception 'no;';
      end;
      $$;
      create index i on a (x);
    `);
    expect(parts).toHaveLength(3);
    expect(parts[1]).toContain("raise exception 'no;'");
  });
});

describe.each(dbKinds())('migrations on %s', (kind) => {
  it('apply once, are idempotent, and keep the audit log append-only', async () => {
    const env = await createTestEnv(kind);
    try {
      expect(await migrateToLatest(env.db)).toEqual([]);
      await env.db
        .insertInto('audit_log')
        .values({ action: 'test', at: new Date(), details: '{}' })
        .execute();
      await expect(sql`update audit_log set action = 'x'`.execute(env.db)).rejects.toThrow(/append-only/);
      await expect(sql`delete from audit_log`.execute(env.db)).rejects.toThrow(/append-only/);
    } finally {
      await env.close();
    }
  });
});

describe.skipIf(!process.env.DATABASE_URL)('migrations on PostgreSQL from two instances at once', () => {
  it('apply exactly once while both start together', async () => {
    const { createPostgresDatabase } = await import('../test/db.js');
    const { openPostgres } = await import('./client.js');
    const created = await createPostgresDatabase();
    const a = await openPostgres(created.url, 2);
    const b = await openPostgres(created.url, 2);
    try {
      const [ra, rb] = await Promise.all([migrateToLatest(a.db), migrateToLatest(b.db)]);
      expect([...ra, ...rb].sort()).toEqual(Object.keys(migrations).sort());
      const rows = await sql<{ n: number }>`select count(*)::int as n from dxq_migration`.execute(a.db);
      expect(rows.rows[0]?.n).toBe(Object.keys(migrations).length);
    } finally {
      await a.close();
      await b.close();
      await created.drop();
    }
  });
});
