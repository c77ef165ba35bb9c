import { sql } from 'kysely';
import type { Database } from '../../db/client.js';

export type AuditInsert = {
  at: Date;
  actorUserId: string | null;
  actorOrganisationId: string | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  ip: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
};

export async function insertAudit(db: Database, row: AuditInsert): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at: row.at,
      actor_user_id: row.actorUserId,
      actor_organisation_id: row.actorOrganisationId,
      action: row.action,
      subject_type: row.subjectType,
      subject_id: row.subjectId,
      ip: row.ip,
      request_id: row.requestId,
      details: JSON.stringify(row.details),
    })
    .execute();
}

export type AuditFilter = {
  from?: Date | undefined;
  to?: Date | undefined;
  action?: string | undefined;
  actorEmail?: string | undefined;
  organisationId?: string | undefined;
  subjectId?: string | undefined;
};

function filtered(db: Database, f: AuditFilter) {
  let q = db
    .selectFrom('audit_log as a')
    .leftJoin('users as u', 'u.id', 'a.actor_user_id')
    .leftJoin('organisations as o', 'o.id', 'a.actor_organisation_id');
  if (f.from) q = q.where('a.at', '>=', f.from);
  if (f.to) q = q.where('a.at', '<', f.to);
  // Prefix match on the action name (e.g. "identity." finds every sign-in event).
  if (f.action) q = q.where('a.action', 'like', `${f.action.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
  if (f.actorEmail) q = q.where('u.email', '=', f.actorEmail);
  if (f.organisationId) q = q.where('a.actor_organisation_id', '=', f.organisationId);
  if (f.subjectId) q = q.where('a.subject_id', '=', f.subjectId);
  return q;
}

export async function searchAudit(db: Database, f: AuditFilter, limit: number, offset = 0) {
  const rows = await filtered(db, f)
    .select([
      'a.id',
      'a.at',
      'a.action',
      'a.subject_type',
      'a.subject_id',
      'a.ip',
      'a.request_id',
      'a.details',
      'u.email as actor_email',
      'o.name as organisation_name',
    ])
    .orderBy('a.id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
  const total = await filtered(db, f).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  return { rows, total: Number(total.n) };
}
