import { type Selectable, sql } from 'kysely';
import type { Database } from '../../db/client.js';
import type { ApplicationStatusHistoryTable, ApplicationsTable } from '../../db/schema.js';
import type { ExtraAnswer } from '../programmes/questions.js';

/**
 * The SQL for the applicant's side of applications. Applicant-scoped reads take the user id from the session
 * (passed in by the service), never from the request. Status changes go through moveStatus
 * (application-status.repository.ts); this file writes only the draft's fields.
 */
export type ApplicationRow = Selectable<ApplicationsTable>;
export type ApplicationWithProgramme = ApplicationRow & {
  programme_title: string;
  programme_fiscal_year: number;
  programme_layer: 2 | 3;
  programme_extra_questions: unknown;
  organisation_name: string;
};
export type StatusHistoryRow = Selectable<ApplicationStatusHistoryTable>;

function withProgramme(db: Database) {
  return db
    .selectFrom('applications as a')
    .innerJoin('programmes as p', 'p.id', 'a.programme_id')
    .innerJoin('organisations as o', 'o.id', 'p.organisation_id')
    .selectAll('a')
    .select([
      'p.title as programme_title',
      'p.fiscal_year as programme_fiscal_year',
      'p.layer as programme_layer',
      'p.extra_questions as programme_extra_questions',
      'o.name as organisation_name',
    ]);
}

/** The applicant's one application to a programme (unique per person and programme). */
export function findOwnApplication(
  db: Database,
  userId: string,
  programmeId: string,
  opts: { lock?: boolean } = {},
): Promise<ApplicationRow | undefined> {
  return db
    .selectFrom('applications')
    .selectAll()
    .where('programme_id', '=', programmeId)
    .where('applicant_user_id', '=', userId)
    .$if(!!opts.lock, (q) => q.forUpdate())
    .executeTakeFirst();
}

/**
 * Starts a draft, once: a second call (a second visit, two tabs) finds the existing row through the unique
 * (programme_id, applicant_user_id) constraint instead of failing. Returns the id and whether it is new.
 */
export async function insertDraft(
  db: Database,
  v: { programmeId: string; userId: string; eligibilityAnswers: Record<string, string>; now: Date },
): Promise<{ id: string; created: boolean }> {
  const r = await db
    .insertInto('applications')
    .values({
      programme_id: v.programmeId,
      applicant_user_id: v.userId,
      status: 'draft',
      eligibility_answers: JSON.stringify(v.eligibilityAnswers),
      created_at: v.now,
      updated_at: v.now,
    })
    .onConflict((oc) => oc.columns(['programme_id', 'applicant_user_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (r) return { id: r.id, created: true };
  const existing = await findOwnApplication(db, v.userId, v.programmeId);
  if (!existing) throw new Error('draft vanished between insert and select');
  return { id: existing.id, created: false };
}

export type DraftFields = {
  fullName: string | null;
  furigana: string | null;
  email: string | null;
  prefectureCode: number | null;
  occupation: 'student' | 'worker' | null;
  affiliation: string | null;
  pledge: boolean;
  answers: Record<string, ExtraAnswer>;
};

/** Writes the form's fields while the application is still a draft (the WHERE is the guard). */
export async function updateDraftFields(
  db: Database,
  id: string,
  f: DraftFields,
  now: Date,
  consent?: { version: string; at: Date },
): Promise<boolean> {
  const r = await db
    .updateTable('applications')
    .set({
      full_name: f.fullName,
      furigana: f.furigana,
      email: f.email,
      prefecture_code: f.prefectureCode,
      occupation: f.occupation,
      affiliation: f.affiliation,
      pledge_accepted: f.pledge,
      answers: JSON.stringify(f.answers),
      updated_at: now,
      ...(consent ? { consent_notice_version: consent.version, consented_at: consent.at } : {}),
    })
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** The next number of the one sequence all programmes share; formatted by the service. */
export async function nextApplicationSeq(db: Database): Promise<number> {
  const r = await sql<{ n: string | number }>`select nextval('application_number_seq') as n`.execute(db);
  return Number(r.rows[0]?.n);
}

export function findApplicationByIdempotencyKey(
  db: Database,
  key: string,
): Promise<Pick<ApplicationRow, 'id'> | undefined> {
  return db.selectFrom('applications').select('id').where('idempotency_key', '=', key).executeTakeFirst();
}

/** Any application by id, unscoped: the service checks ownership (and audits a refusal) itself. */
export function findApplicationWithProgramme(
  db: Database,
  id: string,
  opts: { lock?: boolean } = {},
): Promise<ApplicationWithProgramme | undefined> {
  return withProgramme(db)
    .where('a.id', '=', id)
    .$if(!!opts.lock, (q) => q.forUpdate('a'))
    .executeTakeFirst();
}

export function listApplicationsOfUser(db: Database, userId: string): Promise<ApplicationWithProgramme[]> {
  return withProgramme(db)
    .where('a.applicant_user_id', '=', userId)
    .orderBy('a.created_at', 'desc')
    .orderBy('a.id')
    .execute();
}

export function listStatusHistory(db: Database, applicationIds: string[]): Promise<StatusHistoryRow[]> {
  if (applicationIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('application_status_history')
    .selectAll()
    .where('application_id', 'in', applicationIds)
    .orderBy('at')
    .orderBy('id')
    .execute();
}

/** The first history row: the draft was started (from nothing). Later moves are written by moveStatus. */
export async function insertStartedHistory(
  db: Database,
  v: { applicationId: string; at: Date; actorUserId: string },
): Promise<void> {
  await db
    .insertInto('application_status_history')
    .values({
      application_id: v.applicationId,
      from_status: null,
      to_status: 'draft',
      at: v.at,
      actor_user_id: v.actorUserId,
    })
    .execute();
}
