import { sql } from 'kysely';
import type { Database } from '../../db/client.js';
import type { OrganisationKind, Role, UserKind } from '../../db/schema.js';

/**
 * The only SQL for organisations, memberships and invitations. Functions about one organisation's records take
 * an OrgScope, which the service builds from the actor's session (STYLE.md 6), so a query can never reach
 * another organisation's rows through an id taken from the request.
 */
export type OrgScope = { readonly orgId: string };

export type OrganisationRow = {
  id: string;
  kind: OrganisationKind;
  name: string;
  name_en: string | null;
  prefecture_code: number | null;
  status: 'active' | 'archived';
  created_at: Date;
  updated_at: Date;
};

const orgColumns = [
  'id',
  'kind',
  'name',
  'name_en',
  'prefecture_code',
  'status',
  'created_at',
  'updated_at',
] as const;

export type OrganisationValues = {
  kind: OrganisationKind;
  name: string;
  nameEn: string | null;
  prefectureCode: number | null;
};

export async function listOrganisations(db: Database, f: { kind?: OrganisationKind | undefined }) {
  let q = db
    .selectFrom('organisations as o')
    .select([
      'o.id',
      'o.kind',
      'o.name',
      'o.name_en',
      'o.prefecture_code',
      'o.status',
      (eb) =>
        eb
          .selectFrom('memberships as m')
          .select(sql<number>`count(*)::int`.as('n'))
          .whereRef('m.organisation_id', '=', 'o.id')
          .as('member_count'),
    ]);
  if (f.kind) q = q.where('o.kind', '=', f.kind);
  // Kind, then region (JIS X 0401 order, north to south), then name: the order the secretariat reads them in.
  const rows = await q.orderBy('o.kind').orderBy('o.prefecture_code').orderBy('o.name').execute();
  return rows.map((r) => ({ ...r, member_count: Number(r.member_count ?? 0) }));
}

export function findOrganisation(db: Database, scope: OrgScope): Promise<OrganisationRow | undefined> {
  return db.selectFrom('organisations').select(orgColumns).where('id', '=', scope.orgId).executeTakeFirst();
}

/** Serialises membership changes of one organisation (the last-admin rule reads, then writes). */
export async function lockOrganisation(db: Database, scope: OrgScope): Promise<boolean> {
  const r = await db
    .selectFrom('organisations')
    .select('id')
    .where('id', '=', scope.orgId)
    .forUpdate()
    .executeTakeFirst();
  return !!r;
}

/** Returns the new id, or null when the name is already taken (names are unique). */
export async function insertOrganisation(db: Database, v: OrganisationValues): Promise<string | null> {
  const r = await db
    .insertInto('organisations')
    .values({ kind: v.kind, name: v.name, name_en: v.nameEn, prefecture_code: v.prefectureCode })
    .onConflict((oc) => oc.column('name').doNothing())
    .returning('id')
    .executeTakeFirst();
  return r?.id ?? null;
}

export async function isNameTaken(db: Database, name: string, exceptId?: string): Promise<boolean> {
  let q = db.selectFrom('organisations').select('id').where('name', '=', name);
  if (exceptId) q = q.where('id', '!=', exceptId);
  return !!(await q.executeTakeFirst());
}

export async function updateOrganisation(
  db: Database,
  scope: OrgScope,
  v: OrganisationValues,
  now: Date,
): Promise<boolean> {
  const r = await db
    .updateTable('organisations')
    .set({
      kind: v.kind,
      name: v.name,
      name_en: v.nameEn,
      prefecture_code: v.prefectureCode,
      updated_at: now,
    })
    .where('id', '=', scope.orgId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export function listMembers(db: Database, scope: OrgScope) {
  return db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.user_id', 'm.role', 'm.created_at', 'u.email', 'u.display_name', 'u.status'])
    .where('m.organisation_id', '=', scope.orgId)
    .orderBy('u.display_name')
    .orderBy('u.email')
    .execute();
}

export function findMembership(db: Database, scope: OrgScope, userId: string) {
  return db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.user_id', 'm.role', 'u.email'])
    .where('m.organisation_id', '=', scope.orgId)
    .where('m.user_id', '=', userId)
    .executeTakeFirst();
}

export async function countAdmins(db: Database, scope: OrgScope): Promise<number> {
  const r = await db
    .selectFrom('memberships')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('organisation_id', '=', scope.orgId)
    .where('role', '=', 'admin')
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function setMemberRole(
  db: Database,
  scope: OrgScope,
  userId: string,
  role: Role,
): Promise<boolean> {
  const r = await db
    .updateTable('memberships')
    .set({ role })
    .where('organisation_id', '=', scope.orgId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function deleteMembership(db: Database, scope: OrgScope, userId: string): Promise<boolean> {
  const r = await db
    .deleteFrom('memberships')
    .where('organisation_id', '=', scope.orgId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

/** False when the user already belongs to the organisation (their role is left as it is). */
export async function insertMembership(
  db: Database,
  scope: OrgScope,
  userId: string,
  role: Role,
): Promise<boolean> {
  const r = await db
    .insertInto('memberships')
    .values({ user_id: userId, organisation_id: scope.orgId, role })
    .onConflict((oc) => oc.columns(['user_id', 'organisation_id']).doNothing())
    .returning('user_id')
    .executeTakeFirst();
  return !!r;
}

export async function isMemberByEmail(db: Database, scope: OrgScope, email: string): Promise<boolean> {
  const r = await db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select('m.user_id')
    .where('m.organisation_id', '=', scope.orgId)
    .where('u.email', '=', email)
    .executeTakeFirst();
  return !!r;
}

/** The account an invitation's address already has, if any (to join it rather than create a second one). */
export function findAccountByEmail(
  db: Database,
  email: string,
): Promise<{ id: string; kind: UserKind; status: 'active' | 'disabled' } | undefined> {
  return db
    .selectFrom('users')
    .select(['id', 'kind', 'status'])
    .where('email', '=', email)
    .executeTakeFirst();
}
