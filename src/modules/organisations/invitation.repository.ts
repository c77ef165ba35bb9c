import type { Database } from '../../db/client.js';
import type { OrganisationKind, Role } from '../../db/schema.js';
import type { OrgScope } from './organisation.repository.js';

/**
 * The only SQL for invitations. Scoped functions take the OrgScope the service built from the session; the
 * token lookup is the exception, since the token itself is the credential and names its organisation.
 */
// Invitations: pending = not accepted, not revoked, not expired. Every transition is guarded in its WHERE.

export function listPendingInvitations(db: Database, scope: OrgScope, now: Date) {
  return db
    .selectFrom('invitations')
    .select(['id', 'email', 'role', 'created_at', 'expires_at'])
    .where('organisation_id', '=', scope.orgId)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('created_at', 'desc')
    .execute();
}

export async function insertInvitation(
  db: Database,
  scope: OrgScope,
  v: { email: string; role: Role; tokenHash: string; invitedBy: string | null; now: Date; expiresAt: Date },
): Promise<string> {
  const r = await db
    .insertInto('invitations')
    .values({
      organisation_id: scope.orgId,
      email: v.email,
      role: v.role,
      token_hash: v.tokenHash,
      invited_by: v.invitedBy,
      created_at: v.now,
      expires_at: v.expiresAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/** Revokes the still-open invitations of one address to one organisation; returns their ids. */
export async function revokeOpenInvitationsFor(
  db: Database,
  scope: OrgScope,
  email: string,
  now: Date,
): Promise<string[]> {
  const rows = await db
    .updateTable('invitations')
    .set({ revoked_at: now })
    .where('organisation_id', '=', scope.orgId)
    .where('email', '=', email)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

export async function revokeInvitation(db: Database, scope: OrgScope, invitationId: string, now: Date) {
  return db
    .updateTable('invitations')
    .set({ revoked_at: now })
    .where('organisation_id', '=', scope.orgId)
    .where('id', '=', invitationId)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .returning(['id', 'email', 'role'])
    .executeTakeFirst();
}

export type InvitationRow = {
  id: string;
  organisation_id: string;
  email: string;
  role: Role;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
  org_name: string;
  org_kind: OrganisationKind;
  org_status: 'active' | 'archived';
};

/**
 * By token hash only: the token is the credential, and it names its organisation itself. With `lock`, the
 * invitation row is held until the transaction ends, so two acceptances of one link run one after the other.
 */
export function findInvitationByTokenHash(
  db: Database,
  tokenHash: string,
  opts: { lock?: boolean } = {},
): Promise<InvitationRow | undefined> {
  return db
    .selectFrom('invitations as i')
    .innerJoin('organisations as o', 'o.id', 'i.organisation_id')
    .select([
      'i.id',
      'i.organisation_id',
      'i.email',
      'i.role',
      'i.expires_at',
      'i.accepted_at',
      'i.revoked_at',
      'o.name as org_name',
      'o.kind as org_kind',
      'o.status as org_status',
    ])
    .where('i.token_hash', '=', tokenHash)
    .$if(!!opts.lock, (q) => q.forUpdate('i'))
    .executeTakeFirst();
}

/** Marks an invitation used, once: two concurrent acceptances cannot both succeed. */
export async function markInvitationAccepted(
  db: Database,
  id: string,
  userId: string,
  now: Date,
): Promise<boolean> {
  const r = await db
    .updateTable('invitations')
    .set({ accepted_at: now, accepted_user_id: userId })
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
