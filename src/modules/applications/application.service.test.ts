import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, type LearnerActor } from '../../lib/actor.js';
import { newToken } from '../../lib/tokens.js';
import {
  codeOf,
  FILLED_FORM,
  filledForm,
  learnerActor,
  makeHubWithProgramme,
  staffActor,
  startApplication,
} from '../../test/application-factories.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../test/db.js';
import { makeProgramme } from '../../test/factories.js';
import { PRIVACY_NOTICE_VERSION } from './application.schema.js';
import { answerEligibility, getApplyState, saveDraft, submitApplication } from './application.service.js';

describe.each(dbKinds())('applying on %s', (kind) => {
  let env: TestEnv;
  let orgId: string;
  let programmeId: string;

  const learner = () => learnerActor(env, { ip: '192.0.2.7', requestId: 'r' });
  const form = filledForm;
  const started = (a: LearnerActor, pid = programmeId) => startApplication(env, a, pid);
  async function counts() {
    const n = async (
      table: 'applications' | 'application_status_history' | 'audit_log' | 'mail_outbox' | 'jobs',
    ) =>
      (await env.db.selectFrom(table).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n;
    return {
      applications: await n('applications'),
      history: await n('application_status_history'),
      audit: await n('audit_log'),
      mail: await n('mail_outbox'),
      jobs: await n('jobs'),
    };
  }
  const row = (id: string) =>
    env.db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  beforeAll(async () => {
    env = await createTestEnv(kind, { baseUrl: 'https://dxq.example.jp' });
    ({ orgId, programmeId } = await makeHubWithProgramme(env));
  });
  afterAll(async () => {
    await env?.close();
  });

  it('keeps nothing at all when the eligibility answer is ineligible', async () => {
    const a = await learner();
    const before = await counts();
    const r = await answerEligibility(env, a, programmeId, { e_age: 'no' });
    expect(r).toEqual({ eligible: false, reasons: ['このプログラムは18歳以上の方が対象です。'] });
    expect(await counts()).toEqual(before);
    expect((await getApplyState(env, a, programmeId)).step).toBe('eligibility');
    expect(await codeOf(answerEligibility(env, a, programmeId, {}))).toBe('VALIDATION');
  });

  it('starts one draft per person and programme; a second visit resumes it', async () => {
    const a = await learner();
    const id = await started(a);
    expect(await started(a)).toBe(id);
    const rows = await env.db
      .selectFrom('applications')
      .select('id')
      .where('applicant_user_id', '=', a.userId)
      .execute();
    expect(rows).toHaveLength(1);
    expect(await row(id)).toMatchObject({
      status: 'draft',
      number: null,
      eligibility_answers: { age: 'yes' },
    });
    const state = await getApplyState(env, a, programmeId);
    expect(state).toMatchObject({
      step: 'form',
      applicationId: id,
      values: { email: a.email, fullName: '' },
    });
    const audited = await env.db.selectFrom('audit_log').selectAll().where('subject_id', '=', id).execute();
    expect(audited.map((x) => x.action)).toEqual(['applications.started']);
  });

  it('saves the draft as typed, checking limits but not required fields', async () => {
    const a = await learner();
    const id = await started(a);
    await saveDraft(env, a, programmeId, {
      fullName: '髙橋　𠮷子',
      furigana: 'たかはし',
      email: 'half@',
      q_track: '',
    });
    expect(await row(id)).toMatchObject({
      full_name: '髙橋 𠮷子',
      furigana: 'タカハシ',
      email: 'half@',
      status: 'draft',
    });
    const state = await getApplyState(env, a, programmeId);
    expect(state.step === 'form' && state.values).toMatchObject({ fullName: '髙橋 𠮷子', email: 'half@' });
    await expect(saveDraft(env, a, programmeId, { fullName: 'あ'.repeat(101) })).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { fullName: '氏名は100文字以内で入力してください' },
    });
  });

  it('submits: number, consent, history, audit and the confirmation mail in one go', async () => {
    const a = await learner();
    const id = await started(a);
    const key = newToken();
    const r = await submitApplication(env, a, programmeId, form(a, key));
    expect(r.outcome).toBe('submitted');
    expect(r.number).toMatch(/^DXQ-2026-\d{6}$/);
    const saved = await row(id);
    expect(saved).toMatchObject({
      status: 'submitted',
      number: r.number,
      idempotency_key: key,
      full_name: '山田 太郎',
      furigana: 'ヤマダ タロウ',
      consent_notice_version: PRIVACY_NOTICE_VERSION,
      pledge_accepted: true,
      answers: { motivation: FILLED_FORM.q_motivation, track: 'データ活用' },
    });
    expect(saved.consented_at?.getTime()).toBe(env.clock.now().getTime());
    const history = await env.db
      .selectFrom('application_status_history')
      .selectAll()
      .where('application_id', '=', id)
      .orderBy('id')
      .execute();
    expect(history.map((h) => [h.from_status, h.to_status, h.actor_user_id])).toEqual([
      [null, 'draft', a.userId],
      ['draft', 'submitted', a.userId],
    ]);
    const audit = await env.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'applications.submitted')
      .where('subject_id', '=', id)
      .execute();
    expect(audit[0]?.details).toMatchObject({ number: r.number, programmeId, organisationId: orgId });
    const mail = await env.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('to_address', '=', a.email)
      .execute();
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({ template: 'application_received' });
    expect(mail[0]?.body_text).toContain(`申込番号: ${r.number}`);
    expect(mail[0]?.body_text).toContain(`https://dxq.example.jp/my/applications/${id}`);

    // The same form again is the same submission; any other form is told it is already done.
    expect(await submitApplication(env, a, programmeId, form(a, key))).toEqual({
      outcome: 'repeat',
      applicationId: id,
      number: r.number,
    });
    expect(await submitApplication(env, a, programmeId, form(a))).toEqual({
      outcome: 'already',
      applicationId: id,
      number: r.number,
    });
    expect(await codeOf(saveDraft(env, a, programmeId, { fullName: '別人' }))).toBe('CONFLICT');
    expect((await row(id)).full_name).toBe('山田 太郎');
    expect(await getApplyState(env, a, programmeId)).toMatchObject({
      step: 'submitted',
      application: { number: r.number },
    });
  });

  it('turns 10 concurrent submits of one draft into one application, one number, one history row, one mail', async () => {
    const a = await learner();
    const id = await started(a);
    const shared = newToken();
    const keys = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? shared : newToken()));
    const results = await Promise.all(keys.map((k) => submitApplication(env, a, programmeId, form(a, k))));
    const winners = results.filter((r) => r.outcome === 'submitted');
    expect(winners).toHaveLength(1);
    const winnerKey = keys[results.findIndex((r) => r.outcome === 'submitted')];
    results.forEach((r, i) => {
      expect(r.number).toBe(winners[0]?.number);
      if (r.outcome !== 'submitted') expect(r.outcome).toBe(keys[i] === winnerKey ? 'repeat' : 'already');
    });
    const apps = await env.db
      .selectFrom('applications')
      .selectAll()
      .where('applicant_user_id', '=', a.userId)
      .execute();
    expect(apps).toHaveLength(1);
    expect(apps[0]?.number).toBe(winners[0]?.number);
    const submitted = await env.db
      .selectFrom('application_status_history')
      .selectAll()
      .where('application_id', '=', id)
      .where('to_status', '=', 'submitted')
      .execute();
    expect(submitted).toHaveLength(1);
    const mails = await env.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('to_address', '=', a.email)
      .execute();
    expect(mails).toHaveLength(1);
  });

  it('answers validation errors per field and keeps the draft a draft', async () => {
    const a = await learner();
    const id = await started(a);
    const err = await submitApplication(env, a, programmeId, {
      ...form(a),
      fullName: '',
      consentProvision: '',
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'VALIDATION' });
    expect(Object.keys(err.fields)).toEqual(expect.arrayContaining(['fullName', 'consentProvision']));
    expect(await row(id)).toMatchObject({ status: 'draft', number: null, consented_at: null });
  });

  it('decides the deadline by the server clock to the second: closes_at − 1 s succeeds, closes_at refuses', async () => {
    const real = env.clock.now();
    const closesAt = new Date(Math.floor(real.getTime() / 1000) * 1000 + 3_600_000);
    const pid = await makeProgramme(env, orgId, { closes_at: closesAt });
    const early = await learner();
    const late = await learner();
    await started(early, pid);
    const lateId = await started(late, pid);
    await saveDraft(env, late, pid, { fullName: '締切 直前' });
    try {
      env.clock.set(new Date(closesAt.getTime() - 1000));
      expect((await submitApplication(env, early, pid, form(early))).outcome).toBe('submitted');
      env.clock.set(closesAt);
      const before = await counts();
      const err = await submitApplication(env, late, pid, form(late)).catch((e) => e);
      expect(err).toMatchObject({ code: 'INVALID_STATE' });
      expect(err.messageJa).toContain('締め切りました');
      expect(await counts()).toEqual(before);
      expect(await row(lateId)).toMatchObject({ status: 'draft', number: null, full_name: '締切 直前' });
      expect(await codeOf(saveDraft(env, late, pid, { fullName: 'x' }))).toBe('INVALID_STATE');
      expect(await getApplyState(env, late, pid)).toMatchObject({ step: 'closed', hasDraft: true });
      expect(await codeOf(answerEligibility(env, await learner(), pid, { e_age: 'yes' }))).toBe(
        'INVALID_STATE',
      );
    } finally {
      env.clock.set(real);
    }
  });

  it('refuses before the window opens, and for programmes the public cannot see', async () => {
    const now = env.clock.now().getTime();
    const pid = await makeProgramme(env, orgId, {
      opens_at: new Date(now + 3_600_000),
      closes_at: new Date(now + 7_200_000),
    });
    const a = await learner();
    const state = await getApplyState(env, a, pid);
    expect(state).toMatchObject({ step: 'closed', hasDraft: false });
    expect(state.step === 'closed' && state.message).toContain('始まります');
    expect(await codeOf(answerEligibility(env, a, pid, { e_age: 'yes' }))).toBe('INVALID_STATE');
    const hidden = await makeProgramme(env, orgId, { status: 'draft' });
    expect(await codeOf(getApplyState(env, a, hidden))).toBe('NOT_FOUND');
    expect(await codeOf(answerEligibility(env, a, 'not-a-uuid', { e_age: 'yes' }))).toBe('NOT_FOUND');
  });

  it('lets only learners apply: staff are refused, anonymous visitors must sign in', async () => {
    const staff = await staffActor(env, 'regional_hub', 'admin', orgId);
    for (const actor of [staff, anonymous()]) {
      const expected = actor.type === 'staff' ? 'FORBIDDEN' : 'UNAUTHENTICATED';
      expect(await codeOf(getApplyState(env, actor, programmeId))).toBe(expected);
      expect(await codeOf(answerEligibility(env, actor, programmeId, { e_age: 'yes' }))).toBe(expected);
      expect(await codeOf(saveDraft(env, actor, programmeId, {}))).toBe(expected);
      expect(await codeOf(submitApplication(env, actor, programmeId, {}))).toBe(expected);
    }
    const none = await env.db
      .selectFrom('applications')
      .select('id')
      .where('applicant_user_id', '=', staff.userId)
      .execute();
    expect(none).toEqual([]);
  });

  it('needs a draft before saving or submitting', async () => {
    const a = await learner();
    expect(await codeOf(saveDraft(env, a, programmeId, { fullName: 'x' }))).toBe('NOT_FOUND');
    expect(await codeOf(submitApplication(env, a, programmeId, form(a)))).toBe('NOT_FOUND');
  });
});
