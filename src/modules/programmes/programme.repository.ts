import { type Selectable, sql } from 'kysely';
import type { Database } from '../../db/client.js';
import type { ProgrammeStatus, ProgrammesTable } from '../../db/schema.js';

export type ProgrammeRow = Selectable<ProgrammesTable> & {
  organisation_name: string;
  organisation_kind: string;
};

function base(db: Database) {
  return db
    .selectFrom('programmes as p')
    .innerJoin('organisations as o', 'o.id', 'p.organisation_id')
    .selectAll('p')
    .select(['o.name as organisation_name', 'o.kind as organisation_kind']);
}

export function findProgramme(db: Database, id: string): Promise<ProgrammeRow | undefined> {
  return base(db).where('p.id', '=', id).executeTakeFirst();
}

/**
 * The row and its version: PostgreSQL's `xmin`, the transaction that wrote this version of the row, which
 * every UPDATE changes (a lock does not). A statement can then say "only if the row is still as I read it"
 * without a clock or a counter column.
 */
export function findProgrammeVersioned(
  db: Database,
  id: string,
): Promise<(ProgrammeRow & { row_version: string }) | undefined> {
  return base(db)
    .select(sql<string>`p.xmin::text`.as('row_version'))
    .where('p.id', '=', id)
    .executeTakeFirst();
}

/** Organisation-scoped lookup (STYLE.md 6): the scope comes from the session. */
export function findProgrammeInOrg(
  db: Database,
  scope: { orgId: string },
  id: string,
): Promise<ProgrammeRow | undefined> {
  return base(db).where('p.id', '=', id).where('p.organisation_id', '=', scope.orgId).executeTakeFirst();
}

/** Locks the row for a state change inside a transaction. */
export async function lockProgramme(db: Database, id: string): Promise<void> {
  await sql`select id from programmes where id = ${id} for update`.execute(db);
}

/**
 * Holds a programme for the rest of the transaction against changes (its question edits take FOR UPDATE), while
 * any number of submissions hold it together. Returns the row as it is under the lock.
 */
export function findProgrammeForShare(db: Database, id: string): Promise<ProgrammeRow | undefined> {
  return base(db).where('p.id', '=', id).forShare('p').executeTakeFirst();
}

export type PublicFilter = {
  layer?: 2 | 3 | undefined;
  organisationId?: string | undefined;
  prefecture?: number | undefined;
  format?: 'venue' | 'online' | 'hybrid' | undefined;
  openAt?: Date | undefined;
  skill?: string | undefined;
  q?: string | undefined;
};

/** Published (and closed, still listed) programmes for the public catalogue. */
export function listPublicProgrammes(db: Database, f: PublicFilter, limit = 500): Promise<ProgrammeRow[]> {
  let q = base(db).where('p.status', 'in', ['published', 'closed']);
  if (f.layer) q = q.where('p.layer', '=', f.layer);
  if (f.organisationId) q = q.where('p.organisation_id', '=', f.organisationId);
  if (f.prefecture) q = q.where(sql<boolean>`${f.prefecture}::smallint = any(p.prefecture_codes)`);
  if (f.format) q = q.where('p.format', '=', f.format);
  if (f.openAt)
    q = q
      .where('p.status', '=', 'published')
      .where('p.opens_at', '<=', f.openAt)
      .where('p.closes_at', '>', f.openAt);
  if (f.skill) q = q.where(sql<boolean>`${f.skill}::text = any(p.skill_codes)`);
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    q = q.where((eb) => eb.or([eb('p.title', 'ilike', like), eb('p.summary', 'ilike', like)]));
  }
  return q.orderBy('p.closes_at', 'asc').orderBy('p.title').limit(limit).execute();
}

export function listOrgProgrammes(db: Database, scope: { orgId: string }): Promise<ProgrammeRow[]> {
  return base(db).where('p.organisation_id', '=', scope.orgId).orderBy('p.updated_at', 'desc').execute();
}

export function listAllProgrammes(db: Database, status?: ProgrammeStatus): Promise<ProgrammeRow[]> {
  let q = base(db);
  if (status) q = q.where('p.status', '=', status);
  return q.orderBy('p.updated_at', 'desc').execute();
}

/** Bumps the public-content version: every instance's page cache sees it within its check interval. */
export async function bumpContentVersion(db: Database): Promise<void> {
  await sql`update content_versions set version = version + 1, updated_at = now() where key = 'public'`.execute(
    db,
  );
}

export async function readContentVersion(db: Database): Promise<number> {
  const r = await db
    .selectFrom('content_versions')
    .select('version')
    .where('key', '=', 'public')
    .executeTakeFirst();
  return Number(r?.version ?? 0);
}
