import type { Database } from '../../db/client.js';

/**
 * SQL for the staff list of an organisation's issued badges (credentials joined to their achievement
 * version), beside badge.repository.ts (which holds the writes and the public reads). Read-only. The list is
 * scoped by the issuing organisation (STYLE.md 6); one badge is found by id and scoped by its service.
 */

export type IssuedStatusFilter = 'valid' | 'revoked' | 'expired';

export type IssuedFilter = {
  orgId: string;
  achievementId?: string | undefined;
  status?: IssuedStatusFilter | undefined;
  now: Date;
};

function filtered(db: Database, f: IssuedFilter) {
  return db
    .selectFrom('credentials as c')
    .innerJoin('achievement_versions as v', 'v.id', 'c.achievement_version_id')
    .where('c.organisation_id', '=', f.orgId)
    .$if(!!f.achievementId, (q) => q.where('v.achievement_id', '=', f.achievementId as string))
    .$if(f.status === 'revoked', (q) => q.where('c.revoked_at', 'is not', null))
    .$if(f.status === 'expired', (q) =>
      q.where('c.revoked_at', 'is', null).where('c.valid_until', '<', f.now),
    )
    .$if(f.status === 'valid', (q) =>
      q
        .where('c.revoked_at', 'is', null)
        .where((eb) => eb.or([eb('c.valid_until', 'is', null), eb('c.valid_until', '>=', f.now)])),
    );
}

export function listIssued(db: Database, f: IssuedFilter, offset: number, limit: number) {
  return filtered(db, f)
    .select([
      'c.id',
      'c.recipient_name',
      'c.recipient_email',
      'c.format',
      'c.issued_at',
      'c.awarded_at',
      'c.valid_until',
      'c.revoked_at',
      'c.revocation_reason',
      'c.replaces_id',
      'c.replaced_by_id',
      'v.achievement_id',
      'v.version',
      'v.name as achievement_name',
    ])
    .orderBy('c.issued_at', 'desc')
    .orderBy('c.id', 'desc')
    .offset(offset)
    .limit(limit)
    .execute();
}
export type IssuedRow = Awaited<ReturnType<typeof listIssued>>[number];

export async function countIssued(db: Database, f: IssuedFilter): Promise<number> {
  const r = await filtered(db, f)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** One issued badge with what its staff page shows (recipient, evidence, who issued and revoked it). */
export function findIssued(db: Database, id: string) {
  return db
    .selectFrom('credentials as c')
    .innerJoin('achievement_versions as v', 'v.id', 'c.achievement_version_id')
    .leftJoin('users as ib', 'ib.id', 'c.issued_by')
    .leftJoin('users as rb', 'rb.id', 'c.revoked_by')
    .select([
      'c.id',
      'c.organisation_id',
      'c.recipient_name',
      'c.recipient_email',
      'c.recipient_user_id',
      'c.claimed_at',
      'c.format',
      'c.evidence_url',
      'c.narrative',
      'c.issued_at',
      'c.awarded_at',
      'c.valid_from',
      'c.valid_until',
      'c.revoked_at',
      'c.revocation_reason',
      'c.replaces_id',
      'c.replaced_by_id',
      'c.batch_id',
      'v.achievement_id',
      'v.version',
      'v.name as achievement_name',
      'ib.display_name as issued_by_name',
      'rb.display_name as revoked_by_name',
    ])
    .where('c.id', '=', id)
    .executeTakeFirst();
}
export type IssuedDetailRow = NonNullable<Awaited<ReturnType<typeof findIssued>>>;
