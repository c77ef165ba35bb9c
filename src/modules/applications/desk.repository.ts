import { sql } from 'kysely';
import type { Database } from '../../db/client.js';
import type { ApplicationStatus } from '../../db/schema.js';
import { toKatakana } from '../../lib/text.js';

/**
 * SQL for the desk side of applications. Every read of applicants' data takes a DeskScope built by
 * desk.scope.ts from the session (STYLE.md 6): the WHERE names both the programme and the organisation that
 * runs it, so an id taken from a request cannot reach another organisation's rows even if a service forgot
 * to check. Drafts never appear: the applicant has not submitted them, nor consented to their provision.
 */
export type DeskScope = { readonly orgId: string; readonly programmeId: string };

export type DeskFilter = {
  status?: ApplicationStatus | undefined;
  prefecture?: number | undefined;
  occupation?: 'student' | 'worker' | undefined;
  q?: string | undefined;
};

export type Owner = { id: string; organisation_id: string; programme_id: string; status: ApplicationStatus };

/** Who runs a programme, unscoped: only to tell "not found" from "another organisation's" (then audited). */
export function programmeOwner(db: Database, id: string) {
  return db
    .selectFrom('programmes')
    .select(['id', 'organisation_id'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** The same for applications, several at once (ids from a bulk form). */
export function applicationOwners(db: Database, ids: readonly string[]): Promise<Owner[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('applications as a')
    .innerJoin('programmes as p', 'p.id', 'a.programme_id')
    .select(['a.id', 'p.organisation_id', 'a.programme_id', 'a.status'])
    .where('a.id', 'in', ids)
    .execute();
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`);

function scoped(db: Database, scope: DeskScope) {
  return db
    .selectFrom('applications as a')
    .innerJoin('programmes as p', 'p.id', 'a.programme_id')
    .where('p.organisation_id', '=', scope.orgId)
    .where('a.programme_id', '=', scope.programmeId)
    .where('a.status', '!=', 'draft');
}

function filtered(db: Database, scope: DeskScope, f: DeskFilter) {
  let q = scoped(db, scope);
  if (f.status) q = q.where('a.status', '=', f.status);
  if (f.prefecture) q = q.where('a.prefecture_code', '=', f.prefecture);
  if (f.occupation) q = q.where('a.occupation', '=', f.occupation);
  if (f.q) {
    const like = `%${escapeLike(f.q)}%`;
    // ふりがな is stored in katakana: a keyword typed in hiragana finds it too.
    const kana = `%${escapeLike(toKatakana(f.q))}%`;
    q = q.where((eb) =>
      eb.or([
        eb('a.full_name', 'ilike', like),
        eb('a.furigana', 'ilike', kana),
        eb('a.number', 'ilike', like),
        eb('a.email', 'ilike', like),
      ]),
    );
  }
  return q;
}

const listColumns = [
  'a.id',
  'a.number',
  'a.status',
  'a.full_name',
  'a.furigana',
  'a.email',
  'a.prefecture_code',
  'a.occupation',
  'a.affiliation',
  'a.answers',
  'a.submitted_at',
  'a.decided_at',
  'a.waitlist_position',
  'a.anonymised_at',
] as const;

/**
 * Place on the waitlist as people read it (1, 2, 3 …), whatever gaps the stored positions have and whatever
 * filter the list has: counted over the whole programme's waitlist.
 */
const waitlistRank = sql<number | null>`case when a.status = 'waitlisted' then (
    select count(*)::int + 1 from applications w
    where w.programme_id = a.programme_id and w.status = 'waitlisted'
      and (w.waitlist_position, w.submitted_at, w.id) < (a.waitlist_position, a.submitted_at, a.id)
  ) end`.as('waitlist_rank');

/** In the order applications came in (the order a first-come desk reads them in), then by number. */
export function listApplications(
  db: Database,
  scope: DeskScope,
  f: DeskFilter,
  limit: number,
  offset: number,
) {
  return filtered(db, scope, f)
    .select([...listColumns, waitlistRank])
    .orderBy('a.submitted_at', 'asc')
    .orderBy('a.number', 'asc')
    .orderBy('a.id')
    .limit(limit)
    .offset(offset)
    .execute();
}
export type DeskListRow = Awaited<ReturnType<typeof listApplications>>[number];

export async function countApplications(db: Database, scope: DeskScope, f: DeskFilter): Promise<number> {
  const r = await filtered(db, scope, f).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function countByStatus(db: Database, scope: DeskScope): Promise<Map<ApplicationStatus, number>> {
  const rows = await scoped(db, scope)
    .select(['a.status', sql<number>`count(*)::int`.as('n')])
    .groupBy('a.status')
    .execute();
  return new Map(rows.map((r) => [r.status, Number(r.n)]));
}

/** Applications picked in a form, in the scope, with what a confirmation page needs. */
export function findManyInScope(db: Database, scope: DeskScope, ids: readonly string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return scoped(db, scope)
    .select([...listColumns, waitlistRank])
    .where('a.id', 'in', ids)
    .orderBy('a.submitted_at', 'asc')
    .orderBy('a.id')
    .execute();
}

export function findApplication(db: Database, scope: DeskScope, id: string) {
  return scoped(db, scope).selectAll('a').select(waitlistRank).where('a.id', '=', id).executeTakeFirst();
}
export type DeskApplicationRow = NonNullable<Awaited<ReturnType<typeof findApplication>>>;

export function statusHistory(db: Database, applicationId: string) {
  return db
    .selectFrom('application_status_history as h')
    .leftJoin('users as u', 'u.id', 'h.actor_user_id')
    .select([
      'h.id',
      'h.from_status',
      'h.to_status',
      'h.at',
      'h.note',
      'u.display_name as actor_name',
      'u.kind as actor_kind',
    ])
    .where('h.application_id', '=', applicationId)
    .orderBy('h.at')
    .orderBy('h.id')
    .execute();
}

/** The organisation's programmes with their non-draft applications per status (the desk's front page). */
export async function listOrgProgrammes(db: Database, orgId: string) {
  const programmes = await db
    .selectFrom('programmes')
    .select(['id', 'title', 'fiscal_year', 'layer', 'status', 'capacity', 'closes_at'])
    .where('organisation_id', '=', orgId)
    .orderBy('fiscal_year', 'desc')
    .orderBy('closes_at', 'desc')
    .orderBy('title')
    .execute();
  const counts = await db
    .selectFrom('applications as a')
    .innerJoin('programmes as p', 'p.id', 'a.programme_id')
    .select(['a.programme_id', 'a.status', sql<number>`count(*)::int`.as('n')])
    .where('p.organisation_id', '=', orgId)
    .where('a.status', '!=', 'draft')
    .groupBy(['a.programme_id', 'a.status'])
    .execute();
  return { programmes, counts: counts.map((c) => ({ ...c, n: Number(c.n) })) };
}

/**
 * Serialises changes to one programme's desk (rubric positions, waitlist positions, decisions): taken at the
 * start of such a transaction, in the scope, so it also proves the programme is the actor's organisation's.
 */
export async function lockProgramme(db: Database, scope: DeskScope): Promise<boolean> {
  const r = await db
    .selectFrom('programmes')
    .select('id')
    .where('id', '=', scope.programmeId)
    .where('organisation_id', '=', scope.orgId)
    .forUpdate()
    .executeTakeFirst();
  return !!r;
}
