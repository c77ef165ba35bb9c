import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../db/schema.js';
import type { StaffActor } from '../../lib/actor.js';
import { type ErrorCode, isAppError } from '../../lib/errors.js';
import { makeOrg, makeUser } from '../../test/app.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../test/db.js';
import { makeProgramme } from '../../test/factories.js';
import { readContentVersion } from './programme.repository.js';
import { eligibilityQuestionFormSchema, extraQuestionFormSchema } from './programme-questions.schema.js';
import {
  addEligibilityQuestion,
  addExtraQuestion,
  moveQuestion,
  removeQuestion,
} from './programme-questions.service.js';
import { parseEligibility, parseExtra } from './questions.js';

async function codeOf(p: Promise<unknown>): Promise<ErrorCode | 'ok' | 'other'> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return isAppError(e) ? e.code : 'other';
  }
}

const extra = (label: string) =>
  extraQuestionFormSchema.parse({ kind: 'short_text', label, required: 'yes' });

describe.each(dbKinds())('programme questions on %s', (kind) => {
  let env: TestEnv;
  let orgId: string;
  let admin: StaffActor;

  async function staff(role: Role, org = orgId): Promise<StaffActor> {
    const u = await makeUser(env, { orgId: org, role });
    return {
      type: 'staff',
      userId: u.id,
      email: u.email,
      displayName: 'x',
      org: { id: org, kind: 'regional_hub', name: 'x' },
      role,
      ip: null,
      requestId: null,
    };
  }

  const lists = async (id: string) => {
    const r = await env.db
      .selectFrom('programmes')
      .select(['eligibility_questions', 'extra_questions'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return { eligibility: parseEligibility(r.eligibility_questions), extra: parseExtra(r.extra_questions) };
  };

  beforeAll(async () => {
    env = await createTestEnv(kind);
    orgId = await makeOrg(env, 'regional_hub');
    admin = await staff('admin');
  });
  afterAll(() => env.close());

  it('adds, moves and removes questions of a draft, with fresh ids and audit rows', async () => {
    const id = await makeProgramme(env, orgId, {
      status: 'draft',
      eligibility_questions: '[]',
      extra_questions: '[]',
    });
    await addExtraQuestion(env, admin, id, extra('所属'));
    await addExtraQuestion(env, admin, id, extra('志望動機'));
    await addEligibilityQuestion(
      env,
      admin,
      id,
      eligibilityQuestionFormSchema.parse({
        kind: 'yes_no',
        label: '18歳以上ですか',
        acceptable: 'はい',
        ineligibleMessage: '対象外です',
      }),
    );
    let l = await lists(id);
    expect(l.extra.map((q) => q.label)).toEqual(['所属', '志望動機']);
    const [q1, q2] = l.extra.map((q) => q.id) as [string, string];
    expect(q1).toMatch(/^q[0-9a-f]{10}$/);
    expect(q1).not.toBe(q2);
    expect(l.eligibility).toMatchObject([
      { id: expect.stringMatching(/^e[0-9a-f]{10}$/), acceptable: ['yes'] },
    ]);
    await moveQuestion(env, admin, id, 'extra', q2, 'up');
    await moveQuestion(env, admin, id, 'extra', q2, 'up'); // already first: nothing happens
    l = await lists(id);
    expect(l.extra.map((q) => q.id)).toEqual([q2, q1]);
    await removeQuestion(env, admin, id, 'extra', q2);
    await addExtraQuestion(env, admin, id, extra('経験'));
    l = await lists(id);
    expect(l.extra.map((q) => q.label)).toEqual(['所属', '経験']);
    expect(l.extra[1]?.id).not.toBe(q2); // a removed id is never given to another question
    expect(await codeOf(removeQuestion(env, admin, id, 'extra', 'q9'))).toBe('NOT_FOUND');
    const audits = await env.db
      .selectFrom('audit_log')
      .select('details')
      .where('subject_id', '=', id)
      .where('action', '=', 'programmes.updated')
      .execute();
    expect(audits).toHaveLength(7);
    expect(audits[0]?.details).toMatchObject({ questions: 'extra', op: 'add', questionId: q1 });
  });

  it('keeps to the question limit', async () => {
    const id = await makeProgramme(env, orgId, {
      status: 'draft',
      eligibility_questions: '[]',
      extra_questions: '[]',
    });
    for (let i = 0; i < 30; i++) await addExtraQuestion(env, admin, id, extra(`質問${i}`));
    expect(await codeOf(addExtraQuestion(env, admin, id, extra('31問目')))).toBe('VALIDATION');
  });

  it('changes a published programme’s questions until an application is submitted, then refuses', async () => {
    const id = await makeProgramme(env, orgId);
    const v0 = await readContentVersion(env.db);
    await addExtraQuestion(env, admin, id, extra('追加'));
    expect(await readContentVersion(env.db)).toBe(v0 + 1);
    const learner = await makeUser(env, { kind: 'learner' });
    await env.db
      .insertInto('applications')
      .values({
        programme_id: id,
        applicant_user_id: learner.id,
        status: 'submitted',
        submitted_at: env.clock.now(),
        eligibility_answers: '{}',
        answers: '{}',
      })
      .execute();
    const before = await lists(id);
    const err = await removeQuestion(env, admin, id, 'extra', 'motivation').catch((e: unknown) => e);
    expect(isAppError(err, 'INVALID_STATE') && err.messageJa).toContain(
      '既に申込みがあるため、質問は変更できません',
    );
    expect(await codeOf(addExtraQuestion(env, admin, id, extra('さらに')))).toBe('INVALID_STATE');
    expect(await codeOf(moveQuestion(env, admin, id, 'extra', 'track', 'up'))).toBe('INVALID_STATE');
    expect(await lists(id)).toEqual(before);
  });

  it('refuses viewers, other hubs (NOT_FOUND) and frozen states', async () => {
    const id = await makeProgramme(env, orgId, { status: 'draft' });
    expect(await codeOf(addExtraQuestion(env, await staff('viewer'), id, extra('x')))).toBe('FORBIDDEN');
    const otherOrg = await makeOrg(env, 'regional_hub');
    expect(await codeOf(addExtraQuestion(env, await staff('admin', otherOrg), id, extra('x')))).toBe(
      'NOT_FOUND',
    );
    const submitted = await makeProgramme(env, orgId, { status: 'submitted' });
    expect(await codeOf(removeQuestion(env, admin, submitted, 'extra', 'motivation'))).toBe('INVALID_STATE');
    const closed = await makeProgramme(env, orgId, { status: 'closed' });
    expect(await codeOf(addExtraQuestion(env, admin, closed, extra('x')))).toBe('INVALID_STATE');
  });
});
