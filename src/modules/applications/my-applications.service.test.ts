import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, type LearnerActor, type StaffActor, systemActor } from '../../lib/actor.js';
import { type ErrorCode, isAppError } from '../../lib/errors.js';
import { newToken } from '../../lib/tokens.js';
import { makeOrg, makeUser } from '../../test/app.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../test/db.js';
import { makeProgramme } from '../../test/factories.js';
import { answerEligibility, submitApplication } from './application.service.js';
import {
  exportMyData,
  getMyApplication,
  getWithdrawal,
  listMyApplications,
  withdrawApplication,
} from './my-applications.service.js';

const FILLED = {
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

async function codeOf(p: Promise<unknown>): Promise<ErrorCode | 'ok' | 'other'> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return isAppError(e) ? e.code : 'other';
  }
}

describe.each(dbKinds())("the applicant's own applications on %s", (kind) => {
  let env: TestEnv;
  let orgId: string;
  let programmeId: string;
  let staff: StaffActor;

  async function learner(): Promise<LearnerActor> {
    const u = await makeUser(env, { kind: 'learner' });
    return {
      type: 'learner',
      userId: u.id,
      email: u.email,
      displayName: '受講 花子',
      ip: '192.0.2.9',
      requestId: 'r',
    };
  }
  async function submitted(a: LearnerActor, pid = programmeId): Promise<string> {
    await answerEligibility(env, a, pid, { e_age: 'yes' });
    const r = await submitApplication(env, a, pid, { ...FILLED, email: a.email, idempotencyKey: newToken() });
    return r.applicationId;
  }
  const audits = (action: string) =>
    env.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute();

  beforeAll(async () => {
    env = await createTestEnv(kind);
    orgId = await makeOrg(env, 'regional_hub');
    programmeId = await makeProgramme(env, orgId);
    const u = await makeUser(env, { orgId, role: 'admin' });
    staff = {
      type: 'staff',
      userId: u.id,
      email: u.email,
      displayName: '職員',
      org: { id: orgId, kind: 'regional_hub', name: 'hub' },
      role: 'admin',
      ip: null,
      requestId: null,
    };
  });
  afterAll(async () => {
    await env?.close();
  });

  it('lists every application of the account, drafts included, and shows the detail with its history', async () => {
    const a = await learner();
    const id = await submitted(a);
    const other = await makeProgramme(env, orgId);
    await answerEligibility(env, a, other, { e_age: 'yes' });
    const list = await listMyApplications(env, a);
    expect(list.map((x) => [x.programmeId, x.status, x.statusLabel])).toEqual(
      expect.arrayContaining([
        [programmeId, 'submitted', '申込み済み'],
        [other, 'draft', '下書き'],
      ]),
    );
    expect(list).toHaveLength(2);
    const d = await getMyApplication(env, a, id);
    expect(d).toMatchObject({
      fullName: '山田 太郎',
      prefectureName: '東京都',
      occupationLabel: '社会人',
      canWithdraw: true,
      answers: [
        { questionId: 'motivation', label: '志望動機', value: FILLED.q_motivation },
        { questionId: 'track', label: '希望コース', value: 'データ活用' },
      ],
    });
    expect(d.history.map((h) => h.toLabel)).toEqual(['下書き', '申込み済み']);
  });

  it('withdraws once, through the guarded move, audited', async () => {
    const a = await learner();
    const id = await submitted(a);
    expect((await getWithdrawal(env, a, id)).canWithdraw).toBe(true);
    await withdrawApplication(env, a, id);
    const d = await getMyApplication(env, a, id);
    expect(d).toMatchObject({ status: 'withdrawn', canWithdraw: false });
    expect(d.withdrawnAt).not.toBeNull();
    expect(d.history.at(-1)).toMatchObject({ from: 'submitted', to: 'withdrawn' });
    expect((await audits('applications.withdrawn')).at(-1)).toMatchObject({
      subject_id: id,
      actor_user_id: a.userId,
    });
    expect(await codeOf(withdrawApplication(env, a, id))).toBe('INVALID_STATE');
  });

  it("refuses someone else's application as not found, and audits the attempt", async () => {
    const owner = await learner();
    const id = await submitted(owner);
    const intruder = await learner();
    const before = (await audits('security.cross_user_denied')).length;
    for (const actor of [intruder, staff, systemActor('test')]) {
      expect(await codeOf(getMyApplication(env, actor, id))).toBe('NOT_FOUND');
      expect(await codeOf(getWithdrawal(env, actor, id))).toBe('NOT_FOUND');
      expect(await codeOf(withdrawApplication(env, actor, id))).toBe('NOT_FOUND');
    }
    const rows = await audits('security.cross_user_denied');
    expect(rows.length - before).toBe(9);
    expect(rows.at(-9)).toMatchObject({ subject_id: id, actor_user_id: intruder.userId });
    expect(rows.at(-9)?.details).toMatchObject({ attempted: 'view' });
    expect(await codeOf(getMyApplication(env, anonymous(), id))).toBe('UNAUTHENTICATED');
    expect(await codeOf(getMyApplication(env, intruder, '00000000-0000-4000-8000-000000000000'))).toBe(
      'NOT_FOUND',
    );
    expect(await codeOf(getMyApplication(env, intruder, 'not-a-uuid'))).toBe('NOT_FOUND');
    expect((await audits('security.cross_user_denied')).length - before).toBe(9);
    expect((await getMyApplication(env, owner, id)).status).toBe('submitted');
    expect(await codeOf(listMyApplications(env, staff))).toBe('FORBIDDEN');
  });

  it('exports all of my data as UTF-8 JSON, audited, and nobody else’s', async () => {
    const a = await learner();
    const id = await submitted(a);
    const someoneElse = await learner();
    await submitted(someoneElse);
    const file = await exportMyData(env, a);
    expect(file.filename).toMatch(/^dxq-my-data-\d{4}-\d{2}-\d{2}\.json$/);
    const data = JSON.parse(file.json);
    expect(data).toMatchObject({ format: 'dxq-applicant-data', account: { email: a.email } });
    expect(data.applications).toHaveLength(1);
    expect(data.applications[0]).toMatchObject({ id, fullName: '山田 太郎', furigana: 'ヤマダ タロウ' });
    expect(data.applications[0].history).toHaveLength(2);
    expect(file.json).not.toContain(someoneElse.email);
    expect((await audits('applications.personal_data_exported')).at(-1)).toMatchObject({
      subject_id: a.userId,
      details: { count: 1 },
    });
    expect(await codeOf(exportMyData(env, staff))).toBe('FORBIDDEN');
  });
});
