import { sql } from 'kysely';
import type { Database } from '../../db/client.js';
import type { DxStage, ProgrammeFormat, ProgrammeStatus } from '../../db/schema.js';
import type { ProgrammeRow } from './programme.repository.js';

/**
 * SQL for managing programmes (create, edit, move through the states, list for staff). Reads for the public
 * site and for applying stay in programme.repository.ts. Every write takes a scope built by the service from
 * the session (STYLE.md 6): an organisation's own `{ orgId }`, or the secretariat's explicit `{ all: true }`.
 * Every state change is guarded by the status it expects (STYLE.md 5): zero rows updated means someone else
 * moved it first, and the service answers INVALID_STATE.
 */
export type ProgrammeScope = { readonly orgId: string } | { readonly all: true };

export type ProgrammeValues = {
  fiscalYear: number;
  title: string;
  summary: string;
  descriptionMd: string;
  format: ProgrammeFormat;
  prefectureCodes: number[];
  venue: string;
  startsOn: string | null;
  endsOn: string | null;
  scheduleNote: string;
  opensAt: Date | null;
  closesAt: Date | null;
  capacity: number | null;
  feeYen: number;
  targetLearners: string;
  weeklyHours: number | null;
  commitmentRequired: boolean;
  dxStage: DxStage | null;
  skillFrameworkId: string | null;
  skillCodes: string[];
};

export type ContentValues = Pick<
  ProgrammeValues,
  'title' | 'summary' | 'descriptionMd' | 'startsOn' | 'endsOn' | 'scheduleNote' | 'venue' | 'capacity'
>;

const COLUMN: { [K in keyof ProgrammeValues]: string } = {
  fiscalYear: 'fiscal_year',
  title: 'title',
  summary: 'summary',
  descriptionMd: 'description_md',
  format: 'format',
  prefectureCodes: 'prefecture_codes',
  venue: 'venue',
  startsOn: 'starts_on',
  endsOn: 'ends_on',
  scheduleNote: 'schedule_note',
  opensAt: 'opens_at',
  closesAt: 'closes_at',
  capacity: 'capacity',
  feeYen: 'fee_yen',
  targetLearners: 'target_learners',
  weeklyHours: 'weekly_hours',
  commitmentRequired: 'commitment_required',
  dxStage: 'dx_stage',
  skillFrameworkId: 'skill_framework_id',
  skillCodes: 'skill_codes',
};

/** camelCase values → columns; arrays go through explicit casts so both drivers store real SQL arrays. */
function columns(v: Partial<ProgrammeValues>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, value] of Object.entries(v) as [keyof ProgrammeValues, unknown][]) {
    if (value === undefined) continue;
    if (k === 'prefectureCodes') out[COLUMN[k]] = sql`${value}::smallint[]`;
    else if (k === 'skillCodes') out[COLUMN[k]] = sql`${value}::text[]`;
    else out[COLUMN[k]] = value;
  }
  return out;
}

const inScope = (scope: ProgrammeScope) => ('orgId' in scope ? scope.orgId : null);

export async function insertProgramme(
  db: Database,
  scope: { orgId: string },
  layer: 2 | 3,
  v: ProgrammeValues,
  createdBy: string | null,
): Promise<string> {
  const r = await db
    .insertInto('programmes')
    .values({
      ...(columns(v) as object),
      organisation_id: scope.orgId,
      layer,
      title: v.title,
      format: v.format,
      fiscal_year: v.fiscalYear,
      capacity: v.capacity,
      dx_stage: v.dxStage,
      eligibility_questions: '[]',
      extra_questions: '[]',
      created_by: createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/** Field edits, only while the programme is still in the status the edit was made for. */
export async function updateProgrammeFields(
  db: Database,
  scope: ProgrammeScope,
  id: string,
  expected: ProgrammeStatus,
  v: Partial<ProgrammeValues>,
  now: Date,
): Promise<boolean> {
  let q = db
    .updateTable('programmes')
    .set({ ...(columns(v) as object), updated_at: now })
    .where('id', '=', id)
    .where('status', '=', expected);
  const orgId = inScope(scope);
  if (orgId) q = q.where('organisation_id', '=', orgId);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export type TransitionExtra = {
  reviewComment?: string | null;
  submittedAt?: Date;
  publishedAt?: Date;
  closedAt?: Date;
};

/** UPDATE … WHERE id = $1 AND status = $from (STYLE.md 5). False when the programme was not in `from`. */
export async function transitionProgramme(
  db: Database,
  scope: ProgrammeScope,
  id: string,
  from: ProgrammeStatus,
  to: ProgrammeStatus,
  extra: TransitionExtra,
  now: Date,
): Promise<boolean> {
  let q = db
    .updateTable('programmes')
    .set({
      status: to,
      updated_at: now,
      ...(extra.reviewComment !== undefined ? { review_comment: extra.reviewComment } : {}),
      ...(extra.submittedAt ? { submitted_at: extra.submittedAt } : {}),
      ...(extra.publishedAt ? { published_at: extra.publishedAt } : {}),
      ...(extra.closedAt ? { closed_at: extra.closedAt } : {}),
    })
    .where('id', '=', id)
    .where('status', '=', from);
  const orgId = inScope(scope);
  if (orgId) q = q.where('organisation_id', '=', orgId);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Published programmes whose window has closed, closed in one statement (the job); returns their ids. */
export async function closeExpired(db: Database, now: Date): Promise<{ id: string; title: string }[]> {
  return db
    .updateTable('programmes')
    .set({ status: 'closed', closed_at: now, updated_at: now })
    .where('status', '=', 'published')
    .where('closes_at', '<=', now)
    .returning(['id', 'title'])
    .execute();
}

export type QuestionSet = 'eligibility' | 'extra';

/** Replaces one question list, guarded by status like any edit. */
export async function setQuestions(
  db: Database,
  scope: ProgrammeScope,
  id: string,
  expected: ProgrammeStatus,
  set: QuestionSet,
  questions: unknown[],
  now: Date,
): Promise<boolean> {
  const json = JSON.stringify(questions);
  let q = db
    .updateTable('programmes')
    .set(set === 'eligibility' ? { eligibility_questions: json } : { extra_questions: json })
    .set({ updated_at: now })
    .where('id', '=', id)
    .where('status', '=', expected);
  const orgId = inScope(scope);
  if (orgId) q = q.where('organisation_id', '=', orgId);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Whether anyone has submitted an application (whatever became of it since) to this programme. */
export async function hasSubmittedApplications(db: Database, programmeId: string): Promise<boolean> {
  const r = await db
    .selectFrom('applications')
    .select('id')
    .where('programme_id', '=', programmeId)
    .where('submitted_at', 'is not', null)
    .limit(1)
    .executeTakeFirst();
  return !!r;
}

export type StaffListFilter = {
  status?: ProgrammeStatus | undefined;
  layer?: 2 | 3 | undefined;
  organisationId?: string | undefined;
  fiscalYear?: number | undefined;
};

export function listProgrammes(
  db: Database,
  scope: ProgrammeScope,
  f: StaffListFilter,
  limit = 1000,
): Promise<ProgrammeRow[]> {
  let q = db
    .selectFrom('programmes as p')
    .innerJoin('organisations as o', 'o.id', 'p.organisation_id')
    .selectAll('p')
    .select(['o.name as organisation_name', 'o.kind as organisation_kind']);
  const orgId = inScope(scope);
  if (orgId) q = q.where('p.organisation_id', '=', orgId);
  if (f.status) q = q.where('p.status', '=', f.status);
  if (f.layer) q = q.where('p.layer', '=', f.layer);
  if (f.organisationId) q = q.where('p.organisation_id', '=', f.organisationId);
  if (f.fiscalYear) q = q.where('p.fiscal_year', '=', f.fiscalYear);
  // The review queue reads oldest submission first (first come, first reviewed); other lists newest first.
  if (f.status === 'submitted') q = q.orderBy('p.submitted_at', 'asc');
  return q.orderBy('p.updated_at', 'desc').orderBy('p.id').limit(limit).execute();
}

/** Organisations that have programmes, for the secretariat's filter. */
export function listProgrammeOrganisations(db: Database): Promise<{ id: string; name: string }[]> {
  return db
    .selectFrom('organisations as o')
    .select(['o.id', 'o.name'])
    .where((eb) =>
      eb.exists(eb.selectFrom('programmes as p').select('p.id').whereRef('p.organisation_id', '=', 'o.id')),
    )
    .orderBy('o.name')
    .execute();
}

/** Active admins of an organisation: who hears that the secretariat approved or sent back a programme. */
export async function listOrganisationAdminEmails(db: Database, orgId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select('u.email')
    .where('m.organisation_id', '=', orgId)
    .where('m.role', '=', 'admin')
    .where('u.status', '=', 'active')
    .orderBy('u.email')
    .execute();
  return rows.map((r) => r.email);
}
