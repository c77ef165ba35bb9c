import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestEnv, dbKinds } from '../../test/db.js';

/** Migration 0006: the baked images are stored out of line without compression, on PGlite and PostgreSQL. */
describe.each(dbKinds())('migration 0006 on %s', (kind) => {
  it('stores credentials.baked_png and baked_svg as EXTERNAL; the other columns keep their default', async () => {
    const env = await createTestEnv(kind);
    try {
      const r = await sql<{ attname: string; attstorage: string }>`
        select attname, attstorage::text as attstorage from pg_attribute
        where attrelid = 'credentials'::regclass
          and attname in ('baked_png', 'baked_svg', 'credential', 'jwt')
        order by attname`.execute(env.db);
      expect(Object.fromEntries(r.rows.map((x) => [x.attname, x.attstorage]))).toEqual({
        baked_png: 'e',
        baked_svg: 'e',
        credential: 'x',
        jwt: 'x',
      });
    } finally {
      await env.close();
    }
  });
});
