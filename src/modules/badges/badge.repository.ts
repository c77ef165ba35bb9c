import { type Insertable, sql } from 'kysely';
import type { Database } from '../../db/client.js';
import type { CredentialsTable } from '../../db/schema-badges.js';

/** SQL for issued credentials (table `credentials`). Signed parts are frozen by a trigger (0004). */

/** The live (not revoked) credential of an earner for an achievement version: the idempotency key. */
export async function findLive(db: Database, versionId: string, email: string): Promise<string | null> {
  const r = await db
    .selectFrom('credentials')
    .select('id')
    .where('achievement_version_id', '=', versionId)
    .where('recipient_email', '=', email)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return r?.id ?? null;
}

/** Which of these (version, e-mail) pairs already have a live credential (the dry run's "already issued"). */
export async function findLiveMany(
  db: Database,
  pairs: { versionId: string; email: string }[],
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (let i = 0; i < pairs.length; i += 500) {
    const chunk = pairs.slice(i, i + 500);
    if (chunk.length === 0) break;
    const rows = await db
      .selectFrom('credentials')
      .select(['id', 'achievement_version_id', 'recipient_email'])
      .where('revoked_at', 'is', null)
      .where((eb) =>
        eb.or(
          chunk.map((p) =>
            eb.and([eb('achievement_version_id', '=', p.versionId), eb('recipient_email', '=', p.email)]),
          ),
        ),
      )
      .execute();
    for (const r of rows) found.set(`${r.achievement_version_id} ${r.recipient_email}`, r.id);
  }
  return found;
}

export async function insertCredential(db: Database, row: Insertable<CredentialsTable>): Promise<void> {
  await db.insertInto('credentials').values(row).execute();
}

/** The organisation that issued a credential (for the scope check), or undefined. */
export async function findOwner(db: Database, id: string): Promise<string | undefined> {
  const r = await db
    .selectFrom('credentials')
    .select('organisation_id')
    .where('id', '=', id)
    .executeTakeFirst();
  return r?.organisation_id;
}

/** What a correction re-issues from. */
export function findForCorrection(db: Database, id: string) {
  return db
    .selectFrom('credentials')
    .select([
      'id',
      'organisation_id',
      'achievement_version_id',
      'recipient_user_id',
      'recipient_email',
      'recipient_name',
      'format',
      'evidence_url',
      'narrative',
      'awarded_at',
      'batch_id',
      'revoked_at',
    ])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Revokes a live credential (guarded: a revoked one stays as it was). Returns its status entry, or undefined. */
export function revoke(db: Database, id: string, set: { at: Date; reason: string; by: string | null }) {
  return db
    .updateTable('credentials')
    .set({ revoked_at: set.at, revocation_reason: set.reason, revoked_by: set.by })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returning(['status_list_id', 'status_index'])
    .executeTakeFirst();
}

export async function setReplacedBy(db: Database, id: string, replacement: string): Promise<void> {
  await db.updateTable('credentials').set({ replaced_by_id: replacement }).where('id', '=', id).execute();
}

/** The downloadable forms of a credential (public routes). */
export function findFiles(db: Database, id: string) {
  return db
    .selectFrom('credentials')
    .select(['id', 'format', 'credential', 'jwt', 'baked_png', 'baked_svg', 'issued_at', 'revoked_at'])
    .where('id', '=', id)
    .executeTakeFirst();
}

const BADGE_COLUMNS = [
  'c.id',
  'c.organisation_id',
  'c.achievement_version_id',
  'c.recipient_user_id',
  'c.recipient_email',
  'c.format',
  'c.credential',
  'c.valid_from',
  'c.valid_until',
  'c.awarded_at',
  'c.issued_at',
  'c.revoked_at',
  'c.revocation_reason',
  'c.replaces_id',
  'c.replaced_by_id',
  'c.claim_token_hash',
  'c.claimed_at',
  'v.achievement_id',
  'v.version',
  'v.name as achievement_name',
  'v.alignments',
] as const;

/** A credential with what its earner page shows. */
export function findBadge(db: Database, id: string) {
  return db
    .selectFrom('credentials as c')
    .innerJoin('achievement_versions as v', 'v.id', 'c.achievement_version_id')
    .select(BADGE_COLUMNS)
    .where('c.id', '=', id)
    .executeTakeFirst();
}
export type BadgeRow = NonNullable<Awaited<ReturnType<typeof findBadge>>>;

/**
 * A learner's badges: those they claimed and those issued to their (verified, signed-in) address; a badge
 * replaced by a correction is left out (its replacement is listed). Newest first.
 */
export function listForLearner(db: Database, userId: string, email: string) {
  return db
    .selectFrom('credentials as c')
    .innerJoin('achievement_versions as v', 'v.id', 'c.achievement_version_id')
    .select(BADGE_COLUMNS)
    .where((eb) => eb.or([eb('c.recipient_user_id', '=', userId), eb('c.recipient_email', '=', email)]))
    .where('c.replaced_by_id', 'is', null)
    .orderBy('c.awarded_at', 'desc')
    .orderBy('c.id')
    .limit(1000)
    .execute();
}

/** Links a credential to the learner who claimed it (first claim wins; claiming again is a no-op). */
export async function claim(db: Database, id: string, userId: string, at: Date): Promise<boolean> {
  const r = await db
    .updateTable('credentials')
    .set({ recipient_user_id: userId, claimed_at: sql`coalesce(claimed_at, ${at})` })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('recipient_user_id', 'is', null), eb('recipient_user_id', '=', userId)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * What the export reads: one organisation's (or every organisation's) credentials awarded in [from, to), as
 * issued up to `issuedUpTo` (the moment the export started: badges issued while a file is being read out are
 * left for the next export, so its row count, sent ahead of the file, stays true).
 */
export type ExportFilter = { orgId: string | null; from: Date | null; to: Date | null; issuedUpTo: Date };

function exportable(db: Database, filter: ExportFilter) {
  return db
    .selectFrom('credentials as c')
    .where('c.issued_at', '<=', filter.issuedUpTo)
    .$if(filter.orgId !== null, (q) => q.where('c.organisation_id', '=', filter.orgId as string))
    .$if(filter.from !== null, (q) => q.where('c.awarded_at', '>=', filter.from as Date))
    .$if(filter.to !== null, (q) => q.where('c.awarded_at', '<', filter.to as Date));
}

export async function countForExport(db: Database, filter: ExportFilter): Promise<number> {
  const r = await exportable(db, filter)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

/**
 * One page of the export, in (awarded_at, id) order after `after` (keyset pagination: each page is one indexed
 * range read whatever its depth, and a row is never skipped or repeated, as awarded_at and id never change).
 */
export function listForExport(
  db: Database,
  filter: ExportFilter,
  after: { awardedAt: Date; id: string } | null,
  limit: number,
) {
  return exportable(db, filter)
    .innerJoin('achievement_versions as v', 'v.id', 'c.achievement_version_id')
    .select([
      'c.id',
      'c.organisation_id',
      'c.format',
      'c.credential',
      'c.jwt',
      'c.valid_until',
      'c.awarded_at',
      'c.revoked_at',
      'c.replaced_by_id',
      'v.version',
    ])
    .$if(after !== null, (q) =>
      q.where((eb) =>
        eb.or([
          eb('c.awarded_at', '>', after?.awardedAt as Date),
          eb.and([eb('c.awarded_at', '=', after?.awardedAt as Date), eb('c.id', '>', after?.id as string)]),
        ]),
      ),
    )
    .orderBy('c.awarded_at')
    .orderBy('c.id')
    .limit(limit)
    .execute();
}
export type ExportRow = Awaited<ReturnType<typeof listForExport>>[number];
