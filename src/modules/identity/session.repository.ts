import { sql } from 'kysely';
import { type Database, PREPARED } from '../../db/client.js';
import type { SessionStage } from '../../db/schema.js';
import { coalesce, coalescedPer } from '../../lib/coalesce.js';

export type SessionRow = {
  id_hash: string;
  user_id: string;
  stage: SessionStage;
  active_organisation_id: string | null;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  reauth_at: Date | null;
  email: string;
  display_name: string;
  kind: 'staff' | 'learner';
  user_status: 'active' | 'disabled';
  locale: 'ja' | 'en';
};

/**
 * The session named by a cookie, with its user. Every signed-in request asks this first, so the lookups that
 * arrive while the database is busy share one statement (src/lib/coalesce.ts; issue 3, 9(b)).
 */
export async function findSession(db: Database, idHash: string): Promise<SessionRow | undefined> {
  return findSessionCoalesced(db)(idHash);
}

const findSessionCoalesced = coalescedPer((db: Database) =>
  coalesce<string, SessionRow | undefined>(
    async (idHashes) => {
      const rows = await findSessions(db, idHashes);
      const byHash = new Map(rows.map((r) => [r.id_hash, r]));
      return idHashes.map((h) => byHash.get(h));
    },
    { maxBatch: 128, maxInFlight: 2 },
  ),
);

async function findSessions(db: Database, idHashes: string[]): Promise<SessionRow[]> {
  const r = await sql<SessionRow>`${sql.raw(PREPARED)}
    select s.id_hash, s.user_id, s.stage, s.active_organisation_id, s.created_at, s.last_seen_at, s.expires_at,
      s.reauth_at, u.email, u.display_name, u.kind, u.status as user_status, u.locale
    from sessions s join users u on u.id = s.user_id
    where s.id_hash = any(${idHashes}::text[])
  `.execute(db);
  return r.rows;
}

export async function insertSession(
  db: Database,
  row: {
    idHash: string;
    userId: string;
    stage: SessionStage;
    activeOrganisationId: string | null;
    now: Date;
    expiresAt: Date;
    ip: string | null;
    userAgent: string | null;
  },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id_hash: row.idHash,
      user_id: row.userId,
      stage: row.stage,
      active_organisation_id: row.activeOrganisationId,
      created_at: row.now,
      last_seen_at: row.now,
      expires_at: row.expiresAt,
      reauth_at: null,
      ip: row.ip,
      user_agent: row.userAgent,
    })
    .execute();
}

export async function touchSession(db: Database, idHash: string, now: Date): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: now }).where('id_hash', '=', idHash).execute();
}

export async function updateSession(
  db: Database,
  idHash: string,
  set: { stage?: SessionStage; reauth_at?: Date | null; active_organisation_id?: string | null },
): Promise<void> {
  await db.updateTable('sessions').set(set).where('id_hash', '=', idHash).execute();
}

export async function deleteSession(db: Database, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

/** Ends every session of a user (password reset, MFA reset, disabling), optionally keeping one. */
export async function deleteUserSessions(
  db: Database,
  userId: string,
  exceptIdHash?: string,
): Promise<number> {
  let q = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (exceptIdHash) q = q.where('id_hash', '!=', exceptIdHash);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function deleteExpiredSessions(db: Database, now: Date, idleBefore: Date): Promise<number> {
  const r = await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<', idleBefore)]))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

export type MembershipView = {
  organisation_id: string;
  role: 'admin' | 'staff' | 'reviewer' | 'viewer';
  org_kind: 'ministry' | 'secretariat' | 'case_study_operator' | 'regional_hub';
  org_name: string;
};

export async function listMemberships(db: Database, userId: string): Promise<MembershipView[]> {
  return db
    .selectFrom('memberships as m')
    .innerJoin('organisations as o', 'o.id', 'm.organisation_id')
    .select(['m.organisation_id', 'm.role', 'o.kind as org_kind', 'o.name as org_name'])
    .where('m.user_id', '=', userId)
    .where('o.status', '=', 'active')
    .orderBy('o.name')
    .execute();
}
