import { sql } from 'kysely';
import type { Database } from '../../db/client.js';
import type { StatusListPurpose } from '../../db/schema-badges.js';

/** SQL for bitstring status lists. Bits are stored raw; see pgBit for how an index maps to set_bit. */

/**
 * The open list of an organisation (fewer than `maxUsed` entries taken), locked for this transaction so
 * two issuances cannot draw the same index. Undefined when every list is that full (open a new one).
 */
export function lockOpenList(db: Database, orgId: string, purpose: StatusListPurpose, maxUsedRatio: number) {
  return db
    .selectFrom('status_lists')
    .select(['id', 'size', 'used_count', 'version'])
    .where('organisation_id', '=', orgId)
    .where('purpose', '=', purpose)
    .where(sql<boolean>`used_count < floor(size * ${maxUsedRatio}::double precision)`)
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .forUpdate()
    .executeTakeFirst();
}

export async function insertList(db: Database, orgId: string, purpose: StatusListPurpose, size: number) {
  return db
    .insertInto('status_lists')
    .values({ organisation_id: orgId, purpose, size, bits: new Uint8Array(size / 8) })
    .returning(['id', 'size', 'used_count', 'version'])
    .executeTakeFirstOrThrow();
}

export async function isIndexUsed(db: Database, listId: string, index: number): Promise<boolean> {
  const r = await db
    .selectFrom('credentials')
    .select('id')
    .where('status_list_id', '=', listId)
    .where('status_index', '=', index)
    .executeTakeFirst();
  return !!r;
}

export async function usedIndexes(db: Database, listId: string): Promise<Set<number>> {
  const rows = await db
    .selectFrom('credentials')
    .select('status_index')
    .where('status_list_id', '=', listId)
    .execute();
  return new Set(rows.map((r) => r.status_index));
}

export async function countUsed(db: Database, listId: string): Promise<void> {
  await db
    .updateTable('status_lists')
    .set({ used_count: sql<number>`used_count + 1` })
    .where('id', '=', listId)
    .execute();
}

/**
 * PostgreSQL numbers the bits of a bytea from the least significant bit of each byte (set_bit); the W3C
 * Bitstring Status List numbers them from the most significant bit of byte 0. Index i is therefore PostgreSQL
 * bit (i with its low three bits reversed).
 */
export function pgBit(index: number): number {
  return (index & ~7) | (7 - (index & 7));
}

/** Sets (or clears) one entry and bumps the list's version, in one statement (no read-modify-write race). */
export async function setBit(db: Database, listId: string, index: number, value: boolean): Promise<void> {
  await db
    .updateTable('status_lists')
    .set({
      bits: sql<Uint8Array>`set_bit(bits, ${pgBit(index)}, ${value ? 1 : 0})`,
      version: sql<number>`version + 1`,
    })
    .where('id', '=', listId)
    .execute();
}

export function findList(db: Database, listId: string) {
  return db
    .selectFrom('status_lists')
    .select([
      'id',
      'organisation_id',
      'purpose',
      'size',
      'bits',
      'version',
      'signed_credential',
      'signed_version',
      'signed_at',
    ])
    .where('id', '=', listId)
    .executeTakeFirst();
}

/** The cached signed list credential of a version; a list changed meanwhile keeps its newer cache. */
export async function storeSigned(
  db: Database,
  listId: string,
  version: number,
  signed: Record<string, unknown>,
  at: Date,
): Promise<void> {
  await db
    .updateTable('status_lists')
    .set({ signed_credential: JSON.stringify(signed), signed_version: version, signed_at: at })
    .where('id', '=', listId)
    .where('version', '=', version)
    .execute();
}
