// Fixtures for the badge benchmark: a badge image (PNG and SVG) made here, and the database the issued badges go
// into — the real schema of migration 0004-badges when it is there, else a bench-local table of the same shape.
import { crc32, deflateSync } from 'node:zlib';
import pg from 'pg';
import { openPostgres } from '../../src/db/client.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { generateIssuerKey, type StoredIssuerKey } from '../../src/modules/badges/keys.js';
import { createStatusList } from '../../src/modules/badges/status-list.js';

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A 256×256 RGBA badge (a shaded disc with rings), ~30 KB like a typical badge image. */
export function badgePng(side = 256): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const rows = Buffer.alloc(side * (side * 4 + 1));
  const c = side / 2;
  for (let y = 0; y < side; y++) {
    const row = y * (side * 4 + 1);
    rows[row] = 0;
    for (let x = 0; x < side; x++) {
      const d = Math.hypot(x - c, y - c) / c;
      const at = row + 1 + x * 4;
      if (d > 1) continue; // transparent outside the disc
      const ring = Math.sin(d * 40 + Math.atan2(y - c, x - c) * 3) > 0.6 ? 40 : 0;
      rows[at] = Math.round(30 + 120 * (1 - d)) + ring;
      rows[at + 1] = Math.round(80 + 100 * d);
      rows[at + 2] = 200 + (Math.sin(x / 9) * Math.cos(y / 11) > 0.3 ? 30 : 0);
      rows[at + 3] = 255;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * The SVG form of a PNG-only achievement, as the issuing service bakes it (an <svg> wrapping the PNG as a data
 * URI), so each stored badge carries what it will carry in production.
 */
export function badgeSvg(png: Buffer, side = 256): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${side}" height="${side}" viewBox="0 0 ${side} ${side}"><image width="${side}" height="${side}" href="data:image/png;base64,${png.toString('base64')}"/></svg>`;
}

export type Store = {
  /** Which table the badges went into. */
  kind: 'schema-0004' | 'bench-local';
  organisationId: string;
  statusListId: string;
  key: StoredIssuerKey;
  /** Indexes of the status list already used (empty in a fresh database). */
  usedIndexes: () => Promise<Set<number>>;
  /** One multi-row INSERT of issued badges. */
  insert: (rows: StoredBadge[]) => Promise<void>;
  /** A page of stored credentials' text (as a verifier receives them), in status index order after `after`. */
  credentials: (after: number, limit: number) => Promise<{ text: string; index: number }[]>;
  count: () => Promise<{ rows: number; distinctIndexes: number }>;
  /** A few stored badges at random, with their baked images. */
  sample: (k: number) => Promise<{ credential: string; png: Buffer; svg: string }[]>;
  close: () => Promise<void>;
};

export type StoredBadge = {
  id: string;
  recipientEmail: string;
  salt: string;
  credential: string;
  statusIndex: number;
  validFrom: string;
  bakedPng: Buffer;
  /** UTF-8 bytes of the baked SVG (sent as a binary parameter; PostgreSQL stores it as text). */
  bakedSvg: Buffer;
  claimTokenHash: string;
};

async function hasBadgeSchema(client: pg.PoolClient): Promise<boolean> {
  const r = await client.query(
    `select count(*)::int as n from information_schema.columns
      where table_name = 'credentials' and column_name in
        ('id', 'credential', 'status_list_id', 'status_index', 'baked_png', 'baked_svg', 'issuer_key_id')`,
  );
  return r.rows[0].n === 7;
}

/**
 * Migrates the fresh database and seeds one issuer (organisation, sealed key, published achievement version,
 * status list). Uses the `credentials` table of migration 0004-badges when it exists; if that migration is
 * missing or does not apply, a bench-local table with the same core columns.
 */
export async function openStore(
  url: string,
  serverSecret: Buffer,
  issuerId: (orgId: string) => string,
  png: Buffer,
  bakedStorage: 'schema' | 'external' | 'lz4' = 'schema',
): Promise<Store> {
  let migrated = true;
  const h = await openPostgres(url, 2);
  try {
    await migrateToLatest(h.db);
  } catch (error) {
    migrated = false;
    process.stderr.write(`migrations failed (${String(error).slice(0, 200)}); using a bench-local table\n`);
  }
  await h.close();

  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => {});
  const client = await pool.connect();
  const real = migrated && (await hasBadgeSchema(client));
  // An experiment, not the schema: how the baked images' columns are stored (BENCH_BAKED_STORAGE). Both are
  // mostly already-compressed bytes (a PNG; an SVG holding that PNG in base64), which pglz, PostgreSQL's
  // default TOAST compression, works hard on for little gain.
  if (real && bakedStorage !== 'schema') {
    const how = bakedStorage === 'external' ? 'set storage external' : 'set compression lz4';
    await client.query(
      `alter table credentials alter column baked_png ${how}, alter column baked_svg ${how}`,
    );
  }
  let organisationId: string;
  if (real) {
    const org = await client.query(
      "insert into organisations (kind, name) values ('secretariat', 'ベンチ事務局') returning id",
    );
    organisationId = org.rows[0].id;
  } else {
    organisationId = '00000000-0000-4000-8000-000000000001';
  }
  const key = await generateIssuerKey(serverSecret, issuerId(organisationId));
  let statusListId: string;
  let achievementVersionId = '';
  let issuerKeyId = '';
  const bits = Buffer.from(createStatusList());
  if (real) {
    const k = await client.query(
      `insert into issuer_keys (organisation_id, controller, verification_method, public_key_multibase, sealed_secret_key)
       values ($1, $2, $3, $4, $5) returning id`,
      [
        organisationId,
        key.publicKey.controller,
        key.publicKey.id,
        key.publicKey.publicKeyMultibase,
        key.sealedSecretKey,
      ],
    );
    issuerKeyId = k.rows[0].id;
    const a = await client.query(
      "insert into achievements (organisation_id, key) values ($1, 'regional-2026') returning id",
      [organisationId],
    );
    const v = await client.query(
      `insert into achievement_versions (achievement_id, version, status, name, description, criteria_narrative,
         image_png, published_at)
       values ($1, 1, 'published', '地域企業協働プログラム 修了', 'ベンチマーク用', '全セッションに参加', $2, now())
       returning id`,
      [a.rows[0].id, png],
    );
    achievementVersionId = v.rows[0].id;
    const s = await client.query(
      'insert into status_lists (organisation_id, bits) values ($1, $2) returning id',
      [organisationId, bits],
    );
    statusListId = s.rows[0].id;
  } else {
    await client.query(`
      create table bench_status_lists (id uuid primary key default gen_random_uuid(), bits bytea not null,
        used_count integer not null default 0);
      create table bench_credentials (
        id uuid primary key,
        credential json not null,
        status_list_id uuid not null references bench_status_lists (id),
        status_index integer not null check (status_index >= 0),
        recipient_email text not null,
        salt text not null,
        baked_png bytea not null,
        baked_svg text not null,
        issued_at timestamptz not null default now(),
        unique (status_list_id, status_index)
      )`);
    const s = await client.query('insert into bench_status_lists (bits) values ($1) returning id', [bits]);
    statusListId = s.rows[0].id;
  }
  client.release();

  const table = real ? 'credentials' : 'bench_credentials';
  const lists = real ? 'status_lists' : 'bench_status_lists';
  return {
    kind: real ? 'schema-0004' : 'bench-local',
    organisationId,
    statusListId,
    key,
    usedIndexes: async () => {
      const r = await pool.query(`select status_index from ${table} where status_list_id = $1`, [
        statusListId,
      ]);
      return new Set(r.rows.map((row: { status_index: number }) => row.status_index));
    },
    insert: async (rows) => {
      const values: unknown[] = [];
      const tuples: string[] = [];
      for (const b of rows) {
        const p = (v: unknown) => {
          values.push(v);
          return `$${values.length}`;
        };
        tuples.push(
          real
            ? `(${p(b.id)}, ${p(organisationId)}, ${p(achievementVersionId)}, ${p(issuerKeyId)}, ${p(b.recipientEmail)},
               ${p(b.salt)}, 'ldp', ${p(b.credential)}, ${p(statusListId)}, ${p(b.statusIndex)}, ${p(b.validFrom)},
               ${p(b.validFrom)}, now(), ${p(b.bakedPng)}, ${p(b.bakedSvg)}, ${p(b.claimTokenHash)})`
            : `(${p(b.id)}, ${p(b.credential)}, ${p(statusListId)}, ${p(b.statusIndex)}, ${p(b.recipientEmail)},
               ${p(b.salt)}, ${p(b.bakedPng)}, ${p(b.bakedSvg)})`,
        );
      }
      const columns = real
        ? `id, organisation_id, achievement_version_id, issuer_key_id, recipient_email, salt, format, credential,
           status_list_id, status_index, valid_from, awarded_at, issued_at, baked_png, baked_svg, claim_token_hash`
        : 'id, credential, status_list_id, status_index, recipient_email, salt, baked_png, baked_svg';
      const c = await pool.connect();
      try {
        await c.query('begin');
        await c.query(`insert into ${table} (${columns}) values ${tuples.join(', ')}`, values);
        await c.query(`update ${lists} set used_count = used_count + $2 where id = $1`, [
          statusListId,
          rows.length,
        ]);
        await c.query('commit');
      } catch (error) {
        await c.query('rollback').catch(() => {});
        throw error;
      } finally {
        c.release();
      }
    },
    credentials: async (after, limit) => {
      const r = await pool.query(
        `select credential::text as c, status_index as i from ${table}
          where status_list_id = $1 and status_index > $2 order by status_index limit $3`,
        [statusListId, after, limit],
      );
      return r.rows.map((row: { c: string; i: number }) => ({ text: row.c, index: row.i }));
    },
    count: async () => {
      const r = await pool.query(
        `select count(*)::int as rows, count(distinct status_index)::int as idx from ${table}`,
      );
      return { rows: r.rows[0].rows, distinctIndexes: r.rows[0].idx };
    },
    sample: async (k) => {
      const r = await pool.query(
        `select credential::text as c, baked_png as p, baked_svg as s from ${table} order by random() limit $1`,
        [k],
      );
      return r.rows.map((row: { c: string; p: Buffer; s: string }) => ({
        credential: row.c,
        png: row.p,
        svg: row.s,
      }));
    },
    close: () => pool.end(),
  };
}
