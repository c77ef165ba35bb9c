import type { ApplicationStatus, OrganisationKind, Role } from '../db/schema.js';
import type { LearnerActor, StaffActor } from '../lib/actor.js';
import { type ErrorCode, isAppError } from '../lib/errors.js';
import { newToken } from '../lib/tokens.js';
import { answerEligibility, submitApplication } from '../modules/applications/application.service.js';
import { makeOrg, makeUser } from './app.js';
import type { TestEnv } from './db.js';
import { makeProgramme } from './factories.js';

/**
 * Submitted applications for desk tests, inserted directly (test data only): the applying flow has its own
 * tests, and the desk needs applications in every status. A learner account is made for each unless given.
 */
export type ApplicationOverrides = {
  status?: ApplicationStatus;
  fullName?: string;
  furigana?: string;
  email?: string;
  prefectureCode?: number;
  occupation?: 'student' | 'worker';
  affiliation?: string;
  answers?: Record<string, string | string[]>;
  applicantUserId?: string;
  submittedAt?: Date;
  number?: string;
  waitlistPosition?: number | null;
  anonymised?: boolean;
};

export type MadeApplication = { id: string; number: string; email: string; applicantUserId: string };

let seq = 0;

export async function makeApplication(
  env: TestEnv,
  programmeId: string,
  o: ApplicationOverrides = {},
): Promise<MadeApplication> {
  const n = ++seq; // taken before any await: factories run in parallel
  const applicantUserId = o.applicantUserId ?? (await makeUser(env, { kind: 'learner' })).id;
  const status = o.status ?? 'submitted';
  const number = o.number ?? `T26-${String(Date.now() % 1_000_000).padStart(6, '0')}-${n}`;
  const email = o.email ?? `applicant-${Date.now().toString(36)}-${n}@example.jp`;
  const now = env.clock.now();
  const submittedAt = status === 'draft' ? null : (o.submittedAt ?? now);
  const r = await env.db
    .insertInto('applications')
    .values({
      number: status === 'draft' ? null : number,
      programme_id: programmeId,
      applicant_user_id: applicantUserId,
      status,
      full_name: o.anonymised ? null : (o.fullName ?? `申込 太郎${n}`),
      furigana: o.anonymised ? null : (o.furigana ?? 'モウシコミ タロウ'),
      email: o.anonymised ? null : email,
      prefecture_code: o.prefectureCode ?? 13,
      occupation: o.occupation ?? 'worker',
      affiliation: o.anonymised ? null : (o.affiliation ?? '株式会社テスト'),
      eligibility_answers: JSON.stringify({ age: 'yes' }),
      answers: JSON.stringify(
        o.answers ?? { motivation: '地域の課題に取り組みたいです。', track: 'データ活用' },
      ),
      pledge_accepted: true,
      consent_notice_version: 'application-2026-04-01',
      consented_at: submittedAt,
      waitlist_position: o.waitlistPosition ?? (status === 'waitlisted' ? n : null),
      created_at: submittedAt ?? now,
      updated_at: now,
      submitted_at: submittedAt,
      decided_at: ['accepted', 'waitlisted', 'rejected', 'enrolled'].includes(status) ? now : null,
      enrolled_at: status === 'enrolled' ? now : null,
      anonymised_at: o.anonymised ? now : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (submittedAt) {
    await env.db
      .insertInto('application_status_history')
      .values({
        application_id: r.id,
        from_status: 'draft',
        to_status: 'submitted',
        at: submittedAt,
        actor_user_id: applicantUserId,
      })
      .execute();
  }
  return { id: r.id, number, email, applicantUserId };
}

/** A staff actor (as the actor middleware builds it) with a real account in a new or given organisation. */
export async function staffActor(
  env: TestEnv,
  kind: OrganisationKind,
  role: Role = 'admin',
  orgId?: string,
): Promise<StaffActor> {
  const id = orgId ?? (await makeOrg(env, kind));
  const u = await makeUser(env, { orgId: id, role });
  return {
    type: 'staff',
    userId: u.id,
    email: u.email,
    displayName: `テスト ${role}`,
    org: { id, kind, name: `組織 ${id.slice(0, 8)}` },
    role,
    ip: '192.0.2.10',
    requestId: 'req-desk',
  };
}

/** A learner actor with a real account; the request fields as the actor middleware would set them. */
export async function learnerActor(
  env: TestEnv,
  o: Partial<Pick<LearnerActor, 'displayName' | 'ip' | 'requestId'>> = {},
): Promise<LearnerActor> {
  const u = await makeUser(env, { kind: 'learner' });
  return {
    type: 'learner',
    userId: u.id,
    email: u.email,
    displayName: o.displayName ?? '受講 太郎',
    ip: o.ip ?? null,
    requestId: o.requestId ?? null,
  };
}

/** A regional hub running one published 3層 programme that is open now (makeProgramme's defaults). */
export async function makeHubWithProgramme(env: TestEnv): Promise<{ orgId: string; programmeId: string }> {
  const orgId = await makeOrg(env, 'regional_hub');
  return { orgId, programmeId: await makeProgramme(env, orgId) };
}

/**
 * The application form as the browser posts it, complete for makeProgramme's questions (志望動機, 希望コース).
 * The furigana is typed in hiragana on purpose: the schema stores it as katakana.
 */
export const FILLED_FORM = {
  fullName: '山田 太郎',
  furigana: 'やまだ たろう',
  prefectureCode: '13',
  occupation: 'worker',
  affiliation: '株式会社テスト',
  pledge: 'yes',
  consentPurpose: 'yes',
  consentProvision: 'yes',
  q_motivation: '地域の企業と一緒に DX に取り組みたいからです。',
  q_track: 'データ活用',
};

/** FILLED_FORM for this applicant, with an idempotency key (a fresh one unless given: a new form). */
export function filledForm(a: LearnerActor, idempotencyKey = newToken()) {
  return { ...FILLED_FORM, email: a.email, idempotencyKey };
}

/** Answers makeProgramme's eligibility question "yes" through the real use case: the draft's id. */
export async function startApplication(env: TestEnv, a: LearnerActor, programmeId: string): Promise<string> {
  const r = await answerEligibility(env, a, programmeId, { e_age: 'yes' });
  if (!r.eligible) throw new Error('expected eligible');
  return r.applicationId;
}

/** Starts and submits through the real use cases (unlike makeApplication): the id and number. */
export async function submitThroughForm(
  env: TestEnv,
  a: LearnerActor,
  programmeId: string,
): Promise<{ applicationId: string; number: string }> {
  await startApplication(env, a, programmeId);
  const r = await submitApplication(env, a, programmeId, filledForm(a));
  if (r.outcome !== 'submitted' || !r.number) throw new Error(`expected a new submission, got ${r.outcome}`);
  return { applicationId: r.applicationId, number: r.number };
}

/** The code of an AppError a promise rejects with, 'ok' when it resolves, 'other: …' for anything else. */
export async function codeOf(p: Promise<unknown>): Promise<ErrorCode | 'ok' | `other: ${string}`> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return isAppError(e) ? e.code : `other: ${String(e)}`;
  }
}
