import type { Database } from '../../../db/client.js';

/**
 * SQL for the Open Badges 2.0 export (ob2.service.ts): reads only. What a hosted document may say comes from
 * the signed credential and the (frozen) achievement version; the recipient's address and name are never
 * selected here.
 */

/** An issued credential as its hosted OB 2.0 Assertion needs it. */
export function findAssertionSource(db: Database, credentialId: string) {
  return db
    .selectFrom('credentials')
    .select(['id', 'achievement_version_id', 'credential', 'revoked_at', 'revocation_reason'])
    .where('id', '=', credentialId)
    .executeTakeFirst();
}
export type AssertionSource = NonNullable<Awaited<ReturnType<typeof findAssertionSource>>>;

/** The same, with the achievement version's (unbaked, re-encoded) PNG to bake the assertion into. */
export function findImageSource(db: Database, credentialId: string) {
  return db
    .selectFrom('credentials as c')
    .innerJoin('achievement_versions as v', 'v.id', 'c.achievement_version_id')
    .select([
      'c.id',
      'c.achievement_version_id',
      'c.credential',
      'c.revoked_at',
      'c.revocation_reason',
      'v.image_png',
    ])
    .where('c.id', '=', credentialId)
    .executeTakeFirst();
}

/** A published or retired achievement version (drafts are not public) and its issuing organisation. */
export function findBadgeClassSource(db: Database, versionId: string) {
  return db
    .selectFrom('achievement_versions as v')
    .innerJoin('achievements as a', 'a.id', 'v.achievement_id')
    .select([
      'v.id',
      'v.achievement_id',
      'v.version',
      'v.name',
      'v.description',
      'v.criteria_narrative',
      'v.alignments',
      'a.organisation_id',
    ])
    .where('v.id', '=', versionId)
    .where('v.status', 'in', ['published', 'retired'])
    .executeTakeFirst();
}
export type BadgeClassSource = NonNullable<Awaited<ReturnType<typeof findBadgeClassSource>>>;
