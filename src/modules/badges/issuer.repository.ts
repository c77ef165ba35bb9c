import type { Insertable } from 'kysely';
import type { Database } from '../../db/client.js';
import type { IssuerKeysTable, IssuerProfilesTable } from '../../db/schema-badges.js';

/** SQL for issuers: organisations as issuers, their OB profiles and their signing keys. */

export function findOrganisation(db: Database, orgId: string) {
  return db
    .selectFrom('organisations')
    .select(['id', 'kind', 'name', 'status'])
    .where('id', '=', orgId)
    .executeTakeFirst();
}
export type OrganisationRow = NonNullable<Awaited<ReturnType<typeof findOrganisation>>>;

const PROFILE_COLUMNS = [
  'organisation_id',
  'name',
  'url',
  'email',
  'description',
  'image_type',
  'updated_at',
] as const;

export function findProfile(db: Database, orgId: string) {
  return db
    .selectFrom('issuer_profiles')
    .select(PROFILE_COLUMNS)
    .where('organisation_id', '=', orgId)
    .executeTakeFirst();
}
export type ProfileRow = NonNullable<Awaited<ReturnType<typeof findProfile>>>;

export function findProfileImage(db: Database, orgId: string) {
  return db
    .selectFrom('issuer_profiles')
    .select(['image', 'image_type', 'updated_at'])
    .where('organisation_id', '=', orgId)
    .where('image', 'is not', null)
    .executeTakeFirst();
}

/** Inserts or replaces the profile; an image left undefined keeps the stored one. */
export async function upsertProfile(db: Database, row: Insertable<IssuerProfilesTable>): Promise<void> {
  const { organisation_id: _id, created_at: _c, ...update } = row;
  await db
    .insertInto('issuer_profiles')
    .values(row)
    .onConflict((oc) => oc.column('organisation_id').doUpdateSet(update))
    .execute();
}

const KEY_COLUMNS = [
  'id',
  'organisation_id',
  'controller',
  'verification_method',
  'public_key_multibase',
  'sealed_secret_key',
  'status',
  'created_at',
  'retired_at',
] as const;

export function findActiveKey(db: Database, orgId: string) {
  return db
    .selectFrom('issuer_keys')
    .select(KEY_COLUMNS)
    .where('organisation_id', '=', orgId)
    .where('status', '=', 'active')
    .executeTakeFirst();
}
export type IssuerKeyRow = NonNullable<Awaited<ReturnType<typeof findActiveKey>>>;

/** Active and retired keys (what the controller document publishes), oldest first. Never revoked ones. */
export function listPublishedKeys(db: Database, orgId: string) {
  return db
    .selectFrom('issuer_keys')
    .select(['id', 'controller', 'verification_method', 'public_key_multibase', 'status', 'created_at'])
    .where('organisation_id', '=', orgId)
    .where('status', 'in', ['active', 'retired'])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/**
 * Adds the organisation's active key unless one exists (the partial unique index decides a race between two
 * first issuances); returns the new row, or undefined when another transaction's key won.
 */
export function insertActiveKey(db: Database, row: Insertable<IssuerKeysTable>) {
  return db
    .insertInto('issuer_keys')
    .values({ ...row, status: 'active' })
    .onConflict((oc) => oc.column('organisation_id').where('status', '=', 'active').doNothing())
    .returning(KEY_COLUMNS)
    .executeTakeFirst();
}

/** The active key becomes retired (still published). Returns its id, or undefined when there was none. */
export async function retireActiveKey(db: Database, orgId: string, at: Date): Promise<string | undefined> {
  const r = await db
    .updateTable('issuer_keys')
    .set({ status: 'retired', retired_at: at })
    .where('organisation_id', '=', orgId)
    .where('status', '=', 'active')
    .returning('id')
    .executeTakeFirst();
  return r?.id;
}

/** Serialises key changes of one organisation (first key, rotation) within the caller's transaction. */
export async function lockOrganisation(db: Database, orgId: string): Promise<boolean> {
  const r = await db
    .selectFrom('organisations')
    .select('id')
    .where('id', '=', orgId)
    .forUpdate()
    .executeTakeFirst();
  return !!r;
}
