import { sql } from 'kysely';
import type { Database } from '../../db/client.js';
import type { ApplicationStatus } from '../../db/schema.js';

/**
 * SQL for the secretariat's overview of recruitment across every organisation: counts per programme and per
 * day, the funnel, and applicant accounts with applications to several programmes. Unscoped by design
 * (secretariat only: the service authorises); it reads no application's personal fields.
 */
export type OverviewFilter = { fiscalYear?: number | undefined; programmeId?: string | undefined };

/** "Reached accepted at some point": now accepted or enrolled, or accepted once and withdrawn since. */
const everAccepted = sql<boolean>`(a.status in ('accepted', 'enrolled') or exists (
  select 1 from application_status_history h where h.application_id = a.id and h.to_status = 'accepted'))`;

export async function programmeFunnels(db: Database, f: OverviewFilter) {
  let q = db
    .selectFrom('programmes as p')
    .innerJoin('organisations as o', 'o.id', 'p.organisation_id')
    .leftJoin('applications as a', 'a.programme_id', 'p.id')
    .select([
      'p.id',
      'p.title',
      'p.layer',
      'p.fiscal_year',
      'p.status',
      'p.capacity',
      'o.name as organisation_name',
      sql<number>`count(a.id)::int`.as('started'),
      sql<number>`count(a.submitted_at)::int`.as('submitted'),
      sql<number>`(count(a.id) filter (where ${everAccepted}))::int`.as('accepted'),
      sql<number>`(count(a.id) filter (where a.status = 'enrolled'))::int`.as('enrolled'),
      sql<number>`(count(a.id) filter (where a.status = 'withdrawn' and a.submitted_at is not null))::int`.as(
        'withdrawn',
      ),
    ])
    .groupBy(['p.id', 'o.name']);
  if (f.fiscalYear) q = q.where('p.fiscal_year', '=', f.fiscalYear);
  const rows = await q.orderBy('p.fiscal_year', 'desc').orderBy('o.name').orderBy('p.title').execute();
  return rows.map((r) => ({
    ...r,
    started: Number(r.started),
    submitted: Number(r.submitted),
    accepted: Number(r.accepted),
    enrolled: Number(r.enrolled),
    withdrawn: Number(r.withdrawn),
  }));
}

/** Submissions per day in Japan time (the day an applicant would name), per programme. */
export async function submissionsPerDay(db: Database, f: OverviewFilter, maxRows = 5000) {
  const day = sql<string>`to_char(a.submitted_at at time zone 'Asia/Tokyo', 'YYYY-MM-DD')`;
  let q = db
    .selectFrom('applications as a')
    .innerJoin('programmes as p', 'p.id', 'a.programme_id')
    .select([day.as('day'), 'a.programme_id', 'p.title', sql<number>`count(*)::int`.as('n')])
    .where('a.submitted_at', 'is not', null)
    .groupBy([day, 'a.programme_id', 'p.title']);
  if (f.fiscalYear) q = q.where('p.fiscal_year', '=', f.fiscalYear);
  if (f.programmeId) q = q.where('a.programme_id', '=', f.programmeId);
  const rows = await q.orderBy(day, 'desc').orderBy('p.title').limit(maxRows).execute();
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

export type MultiApplicantRow = {
  user_id: string;
  email: string;
  display_name: string;
  n: number;
  applications: { title: string; organisation: string; status: ApplicationStatus }[];
};

/** Applicant accounts with submitted applications to more than one programme, most programmes first. */
export async function multiApplicants(
  db: Database,
  f: OverviewFilter,
  limit = 500,
): Promise<MultiApplicantRow[]> {
  let q = db
    .selectFrom('applications as a')
    .innerJoin('programmes as p', 'p.id', 'a.programme_id')
    .innerJoin('organisations as o', 'o.id', 'p.organisation_id')
    .innerJoin('users as u', 'u.id', 'a.applicant_user_id')
    .select([
      'a.applicant_user_id as user_id',
      'u.email',
      'u.display_name',
      sql<number>`count(distinct a.programme_id)::int`.as('n'),
      sql<unknown>`json_agg(json_build_object('title', p.title, 'organisation', o.name, 'status', a.status) order by a.submitted_at, p.title)`.as(
        'applications',
      ),
    ])
    .where('a.submitted_at', 'is not', null)
    .groupBy(['a.applicant_user_id', 'u.email', 'u.display_name'])
    .having(sql<boolean>`count(distinct a.programme_id) > 1`);
  if (f.fiscalYear) q = q.where('p.fiscal_year', '=', f.fiscalYear);
  const rows = await q
    .orderBy(sql`count(distinct a.programme_id)`, 'desc')
    .orderBy(sql`min(a.submitted_at)`)
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    user_id: r.user_id ?? '',
    email: r.email,
    display_name: r.display_name,
    n: Number(r.n),
    applications: (typeof r.applications === 'string'
      ? JSON.parse(r.applications)
      : r.applications) as MultiApplicantRow['applications'],
  }));
}

export async function fiscalYears(db: Database): Promise<number[]> {
  const rows = await db
    .selectFrom('programmes')
    .select('fiscal_year')
    .distinct()
    .orderBy('fiscal_year', 'desc')
    .execute();
  return rows.map((r) => Number(r.fiscal_year));
}
