import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApplicationStatus } from '../../db/schema.js';
import { handlers, schedules } from '../../jobs/registry.js';
import type { LearnerActor } from '../../lib/actor.js';
import { newToken } from '../../lib/tokens.js';
import { makeOrg, makeUser } from '../../test/app.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../test/db.js';
import { makeProgramme } from '../../test/factories.js';
import { RETENTION_JOB } from './application.jobs.js';
import { answerEligibility, submitApplication } from './application.service.js';
import { moveStatus } from './application-status.repository.js';
import { anonymiseExpiredApplicants } from './retention.service.js';

const DAY = 24 * 3_600_000;
const FILLED = {
  fullName: '髙橋 𠮷子',
  furigana: 'たかはし よしこ',
  prefectureCode: '1',
  occupation: 'student',
  affiliation: 'テスト大学',
  pledge: 'yes',
  consentPurpose: 'yes',
  consentProvision: 'yes',
  q_motivation: '学びたいからです。',
  q_track: '業務改善',
};

describe.each(dbKinds())('retention of applicant data on %s', (kind) => {
  let env: TestEnv;
  let orgId: string;
  let real: Date;

  async function learner(): Promise<LearnerActor> {
    const u = await makeUser(env, { kind: 'learner' });
    return { type: 'learner', userId: u.id, email: u.email, displayName: 'x', ip: null, requestId: null };
  }

  /** Applies at the current (test) clock; `to` walks the desk's moves with moveStatus. */
  async function application(pid: string, path: ApplicationStatus[]): Promise<string> {
    const a = await learner();
    const r = await answerEligibility(env, a, pid, { e_age: 'yes' });
    if (!r.eligible) throw new Error('ineligible');
    if (path.length === 0) return r.applicationId;
    await submitApplication(env, a, pid, { ...FILLED, email: a.email, idempotencyKey: newToken() });
    let from: ApplicationStatus = 'submitted';
    for (const to of path.slice(1)) {
      await moveStatus(env.db, {
        applicationId: r.applicationId,
        from,
        to,
        at: env.clock.now(),
        actorUserId: null,
      });
      from = to;
    }
    return r.applicationId;
  }

  /** A programme whose application window closed at `closesAt`, with applications made while it was open. */
  async function closedProgramme(closesAt: Date, paths: Record<string, ApplicationStatus[]>) {
    const pid = await makeProgramme(env, orgId, {
      opens_at: new Date(closesAt.getTime() - 30 * DAY),
      closes_at: closesAt,
    });
    const ids: Record<string, string> = {};
    env.clock.set(new Date(closesAt.getTime() - DAY));
    try {
      for (const [name, path] of Object.entries(paths)) ids[name] = await application(pid, path);
    } finally {
      env.clock.set(real);
    }
    return { pid, ids };
  }
  const row = (id: string) =>
    env.db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  beforeAll(async () => {
    env = await createTestEnv(kind);
    real = new Date(Math.floor(env.clock.now().getTime() / 1000) * 1000);
    env.clock.set(real);
    orgId = await makeOrg(env, 'regional_hub');
  });
  afterAll(async () => {
    await env?.close();
  });

  it('anonymises applicants a year after recruitment ended, keeping statistics and enrolled learners', async () => {
    const old = await closedProgramme(new Date(real.getTime() - 400 * DAY), {
      draft: [],
      rejected: ['submitted', 'rejected'],
      withdrawn: ['submitted', 'withdrawn'],
      accepted: ['submitted', 'accepted'],
      enrolled: ['submitted', 'accepted', 'enrolled'],
    });
    const recent = await closedProgramme(new Date(real.getTime() - 100 * DAY), {
      rejected: ['submitted', 'rejected'],
    });
    const before = await row(old.ids.rejected ?? '');

    const r = await anonymiseExpiredApplicants(env);
    expect(r).toEqual({ programmes: 1, applications: 3 });

    for (const name of ['draft', 'rejected', 'withdrawn']) {
      const a = await row(old.ids[name] ?? '');
      expect(a).toMatchObject({
        full_name: null,
        furigana: null,
        email: null,
        affiliation: null,
        answers: {},
        eligibility_answers: {},
        applicant_user_id: null,
      });
      expect(a.anonymised_at?.getTime()).toBe(real.getTime());
    }
    // Kept for statistics: status, number, dates, prefecture and occupation.
    expect(await row(old.ids.rejected ?? '')).toMatchObject({
      status: 'rejected',
      number: before.number,
      submitted_at: before.submitted_at,
      created_at: before.created_at,
      prefecture_code: 1,
      occupation: 'student',
    });
    // The history no longer names the applicant either.
    const history = await env.db
      .selectFrom('application_status_history')
      .select('actor_user_id')
      .where('application_id', '=', old.ids.rejected ?? '')
      .execute();
    expect(history.every((h) => h.actor_user_id === null)).toBe(true);
    // Accepted and enrolled learners keep their records (completion, badges); the recent programme is untouched.
    for (const id of [old.ids.accepted, old.ids.enrolled, recent.ids.rejected]) {
      const a = await row(id ?? '');
      expect(a.full_name).toBe('髙橋 𠮷子');
      expect(a.anonymised_at).toBeNull();
    }
    const audit = await env.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'applications.anonymised')
      .where('subject_id', '=', old.pid)
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_user_id: null, subject_type: 'programme' });
    expect(audit[0]?.details).toMatchObject({
      count: 3,
      retentionDays: env.config.retentionDays,
      system: 'applications.retention',
    });

    // Idempotent: a second run finds nothing and writes nothing.
    expect(await anonymiseExpiredApplicants(env)).toEqual({ programmes: 0, applications: 0 });
  });

  it('counts the period to the second with the clock, and takes another period when given', async () => {
    const closesAt = new Date(real.getTime() - 10 * DAY);
    const p = await closedProgramme(closesAt, { submitted: ['submitted'] });
    try {
      // (Other tests' programmes may come due on the way: only this programme's row is asserted.)
      env.clock.set(new Date(closesAt.getTime() + env.config.retentionDays * DAY));
      await anonymiseExpiredApplicants(env);
      expect((await row(p.ids.submitted ?? '')).anonymised_at).toBeNull();
      env.clock.set(new Date(closesAt.getTime() + env.config.retentionDays * DAY + 1000));
      await anonymiseExpiredApplicants(env);
      expect((await row(p.ids.submitted ?? '')).anonymised_at).not.toBeNull();
    } finally {
      env.clock.set(real);
    }
    expect((await row(p.ids.submitted ?? '')).email).toBeNull();
    const q = await closedProgramme(new Date(real.getTime() - 40 * DAY), { submitted: ['submitted'] });
    expect((await anonymiseExpiredApplicants(env, { retentionDays: 50 })).applications).toBe(0);
    expect((await anonymiseExpiredApplicants(env, { retentionDays: 30 })).applications).toBe(1);
    expect((await row(q.ids.submitted ?? '')).anonymised_at).not.toBeNull();
  });

  it('runs as a daily scheduled job', async () => {
    expect(schedules).toContainEqual({ name: RETENTION_JOB, everyMs: DAY });
    const handler = handlers[RETENTION_JOB];
    expect(handler).toBeTypeOf('function');
    await handler?.(env, {}, { id: 1, attempts: 1, maxAttempts: 3 });
  });
});
