import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LearnerActor } from '../../lib/actor.js';
import { newToken } from '../../lib/tokens.js';
import {
  codeOf,
  filledForm,
  learnerActor,
  makeHubWithProgramme,
  startApplication,
} from '../../test/application-factories.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../test/db.js';
import { PRIVACY_NOTICE_VERSION } from './application.schema.js';
import { submitApplication } from './application.service.js';
import { programmeSnapshot } from './submission.cache.js';
import { trySubmitInOneStatement } from './submission.service.js';

// The one-statement submission (issue 3, 9(b)) must write exactly what the transaction writes, and must decline
// — writing nothing — whenever the transaction would answer anything but a first successful submission.

describe.each(dbKinds())('one-statement submission on %s', (kind) => {
  let env: TestEnv;
  let programmeId: string;

  const learner = () => learnerActor(env, { ip: '192.0.2.8', requestId: 'req-1' });
  const started = async (a: LearnerActor) => startApplication(env, a, programmeId);

  async function counts() {
    const n = async (
      table: 'applications' | 'application_status_history' | 'audit_log' | 'mail_outbox' | 'jobs',
    ) =>
      (await env.db.selectFrom(table).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n;
    const submitted = await env.db
      .selectFrom('applications')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('status', '=', 'submitted')
      .executeTakeFirstOrThrow();
    return {
      submitted: submitted.n,
      history: await n('application_status_history'),
      audit: await n('audit_log'),
      mail: await n('mail_outbox'),
      jobs: await n('jobs'),
    };
  }

  /** Everything a submission writes, with ids and times replaced by what they must equal. */
  async function written(applicationId: string) {
    const app = await env.db
      .selectFrom('applications')
      .selectAll()
      .where('id', '=', applicationId)
      .executeTakeFirstOrThrow();
    const history = await env.db
      .selectFrom('application_status_history')
      .select(['from_status', 'to_status', 'actor_user_id', 'at'])
      .where('application_id', '=', applicationId)
      .where('to_status', '=', 'submitted')
      .execute();
    const audit = await env.db
      .selectFrom('audit_log')
      .select([
        'action',
        'actor_user_id',
        'actor_organisation_id',
        'subject_type',
        'ip',
        'request_id',
        'details',
      ])
      .where('subject_id', '=', applicationId)
      .where('action', '=', 'applications.submitted')
      .execute();
    const mails = await env.db
      .selectFrom('mail_outbox')
      .select(['id', 'to_address', 'subject', 'body_text', 'template', 'status'])
      .where('body_text', 'like', `%${app.number}%`)
      .execute();
    const jobs = await env.db
      .selectFrom('jobs')
      .select(['name', 'payload', 'max_attempts', 'status'])
      .where(sql<boolean>`payload->>'mailId' = ${mails[0]?.id ?? ''}`)
      .execute();
    return { app, history, audit, mails, jobs };
  }

  beforeAll(async () => {
    env = await createTestEnv(kind, { baseUrl: 'https://dxq.example.jp' });
    ({ programmeId } = await makeHubWithProgramme(env));
  });
  afterAll(async () => {
    await env?.close();
  });

  it('submits in one statement, writing the same rows as the transaction does', async () => {
    const quickLearner = await learner();
    const quickId = await started(quickLearner);
    const quick = await trySubmitInOneStatement(
      env,
      quickLearner,
      programmeId,
      filledForm(quickLearner),
      env.clock.now(),
    );
    expect(quick?.applicationId).toBe(quickId);
    expect(quick?.number).toMatch(/^DXQ-\d{4}-\d{6}$/);

    // The same submission by the transaction: the programme changes after the snapshot, so the statement declines.
    const slowLearner = await learner();
    const slowId = await started(slowLearner);
    await programmeSnapshot(env, programmeId);
    await sql`update programmes set updated_at = updated_at where id = ${programmeId}`.execute(env.db);
    const slow = await submitApplication(env, slowLearner, programmeId, filledForm(slowLearner));
    expect(slow).toMatchObject({ outcome: 'submitted', applicationId: slowId });

    const q = await written(quickId);
    const s = await written(slowId);
    for (const [w, a] of [
      [q, quickLearner],
      [s, slowLearner],
    ] as const) {
      expect(w.app).toMatchObject({
        status: 'submitted',
        full_name: '山田 太郎',
        furigana: 'ヤマダ タロウ',
        email: a.email,
        prefecture_code: 13,
        occupation: 'worker',
        affiliation: '株式会社テスト',
        pledge_accepted: true,
        consent_notice_version: PRIVACY_NOTICE_VERSION,
        answers: { motivation: '地域の企業と一緒に DX に取り組みたいからです。', track: 'データ活用' },
      });
      expect(w.app.submitted_at?.getTime()).toBe(env.clock.now().getTime());
      expect(w.app.consented_at?.getTime()).toBe(env.clock.now().getTime());
      expect(w.history).toEqual([
        { from_status: 'draft', to_status: 'submitted', actor_user_id: a.userId, at: env.clock.now() },
      ]);
      expect(w.audit).toEqual([
        {
          action: 'applications.submitted',
          actor_user_id: a.userId,
          actor_organisation_id: null,
          subject_type: 'application',
          ip: '192.0.2.8',
          request_id: 'req-1',
          details: expect.objectContaining({ number: w.app.number, noticeVersion: PRIVACY_NOTICE_VERSION }),
        },
      ]);
      expect(w.mails).toHaveLength(1);
      expect(w.mails[0]).toMatchObject({
        to_address: a.email,
        template: 'application_received',
        status: 'queued',
      });
      expect(w.mails[0]?.body_text).toContain(`申込番号: ${w.app.number}`);
      expect(w.mails[0]?.body_text).toContain(`https://dxq.example.jp/my/applications/${w.app.id}`);
      expect(w.mails[0]?.body_text).not.toContain('slot');
      expect(w.jobs).toEqual([
        { name: 'mail.send', payload: { mailId: w.mails[0]?.id }, max_attempts: 10, status: 'queued' },
      ]);
    }
    // Same shape down to the details keys and the mail text around the number and id.
    expect(Object.keys(q.audit[0]?.details as object).sort()).toEqual(
      Object.keys(s.audit[0]?.details as object).sort(),
    );
    const generic = (w: typeof q) =>
      w.mails[0]?.body_text
        .replaceAll(w.app.number ?? '', 'N')
        .replaceAll(w.app.id, 'ID')
        .replace(/\d{4}\/\d\d/g, '');
    expect(generic(q)).toBe(generic(s));
    expect(q.mails[0]?.subject).toBe(s.mails[0]?.subject);
  });

  it('declines and writes nothing when the draft is already submitted; the transaction answers repeat', async () => {
    const a = await learner();
    await started(a);
    const form = filledForm(a);
    expect(await trySubmitInOneStatement(env, a, programmeId, form, env.clock.now())).not.toBeNull();
    const before = await counts();
    expect(await trySubmitInOneStatement(env, a, programmeId, form, env.clock.now())).toBeNull();
    expect(await counts()).toEqual(before);
    expect((await submitApplication(env, a, programmeId, form)).outcome).toBe('repeat');
    expect(await counts()).toEqual(before);
  });

  it('declines on an idempotency key another application used; the transaction says the form expired', async () => {
    const first = await learner();
    await started(first);
    const key = newToken();
    expect(await submitApplication(env, first, programmeId, filledForm(first, key))).toMatchObject({
      outcome: 'submitted',
    });
    const second = await learner();
    await started(second);
    const before = await counts();
    expect(
      await trySubmitInOneStatement(env, second, programmeId, filledForm(second, key), env.clock.now()),
    ).toBeNull();
    expect(await counts()).toEqual(before);
    expect(await codeOf(submitApplication(env, second, programmeId, filledForm(second, key)))).toBe(
      'VALIDATION',
    );
    expect(await counts()).toEqual(before);
  });

  it('declines an invalid form, a learner without a draft and a closed programme, writing nothing', async () => {
    const a = await learner();
    await started(a);
    const before = await counts();
    const now = env.clock.now();
    expect(
      await trySubmitInOneStatement(env, a, programmeId, { ...filledForm(a), fullName: '' }, now),
    ).toBeNull();
    const stranger = await learner();
    expect(await trySubmitInOneStatement(env, stranger, programmeId, filledForm(stranger), now)).toBeNull();
    const closes = await env.db
      .selectFrom('programmes')
      .select('closes_at')
      .where('id', '=', programmeId)
      .executeTakeFirstOrThrow();
    expect(
      await trySubmitInOneStatement(env, a, programmeId, filledForm(a), closes.closes_at as Date),
    ).toBeNull();
    expect(await counts()).toEqual(before);
  });

  it('writes submissions that arrive together in shared statements, each exactly as if alone', async () => {
    // 20 at once: 2 go alone (the statements in flight), the rest wait and share statements.
    const learners = await Promise.all(Array.from({ length: 16 }, () => learner()));
    const ids = await Promise.all(learners.map(started));
    const twice = await learner(); // a double click: the same form twice in one batch
    await started(twice);
    const twiceForm = filledForm(twice);
    const taken = await learner(); // reuses a key an earlier application used
    await started(taken);
    const usedKey = newToken();
    const first = await learner();
    await started(first);
    await submitApplication(env, first, programmeId, filledForm(first, usedKey));
    const before = await counts();
    const now = env.clock.now();
    const results = await Promise.all([
      ...learners.map((a) => trySubmitInOneStatement(env, a, programmeId, filledForm(a), now)),
      trySubmitInOneStatement(env, twice, programmeId, twiceForm, now),
      trySubmitInOneStatement(env, twice, programmeId, twiceForm, now),
      trySubmitInOneStatement(env, taken, programmeId, filledForm(taken, usedKey), now),
    ]);
    expect(results.slice(0, 16).map((r) => r?.applicationId)).toEqual(ids);
    expect(results.slice(16, 18).filter((r) => r !== null)).toHaveLength(1);
    expect(results[18]).toBeNull();
    const after = await counts();
    expect(after).toEqual({
      submitted: before.submitted + 17,
      history: before.history + 17,
      audit: before.audit + 17,
      mail: before.mail + 17,
      jobs: before.jobs + 17,
    });
    const numbers = new Set<string>();
    for (const [i, a] of learners.entries()) {
      const w = await written(ids[i] as string);
      expect(w.app).toMatchObject({ status: 'submitted', email: a.email, number: results[i]?.number });
      numbers.add(w.app.number ?? '');
      expect(w.history).toHaveLength(1);
      expect(w.audit).toEqual([
        expect.objectContaining({
          actor_user_id: a.userId,
          details: expect.objectContaining({ number: w.app.number }),
        }),
      ]);
      expect(w.mails).toHaveLength(1);
      expect(w.mails[0]).toMatchObject({ to_address: a.email });
      expect(w.mails[0]?.body_text).toContain(`https://dxq.example.jp/my/applications/${w.app.id}`);
      expect(w.jobs).toHaveLength(1);
    }
    expect(numbers.size).toBe(16);
    // The usual path gives the declined ones their answers: the repeat is the same application, the clash a form error.
    expect((await submitApplication(env, twice, programmeId, twiceForm)).outcome).toBe('repeat');
    expect(await codeOf(submitApplication(env, taken, programmeId, filledForm(taken, usedKey)))).toBe(
      'VALIDATION',
    );
  });

  it('keeps every digit once the shared sequence passes six digits', async () => {
    await sql`select setval('application_number_seq', 1234566)`.execute(env.db);
    const a = await learner();
    await started(a);
    const r = await trySubmitInOneStatement(env, a, programmeId, filledForm(a), env.clock.now());
    expect(r?.number).toMatch(/^DXQ-\d{4}-1234567$/);
  });
});
