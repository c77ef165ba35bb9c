import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, type LearnerActor, type StaffActor, systemActor } from '../../lib/actor.js';
import {
  codeOf,
  FILLED_FORM,
  learnerActor,
  makeHubWithProgramme,
  staffActor,
  startApplication,
  submitThroughForm,
} from '../../test/application-factories.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../test/db.js';
import { makeProgramme } from '../../test/factories.js';
import {
  exportMyData,
  getMyApplication,
  getWithdrawal,
  listMyApplications,
  withdrawApplication,
} from './my-applications.service.js';

describe.each(dbKinds())("the applicant's own applications on %s", (kind) => {
  let env: TestEnv;
  let orgId: string;
  let programmeId: string;
  let staff: StaffActor;

  const learner = () => learnerActor(env, { displayName: '受講 花子', ip: '192.0.2.9', requestId: 'r' });
  const submitted = async (a: LearnerActor, pid = programmeId) =>
    (await submitThroughForm(env, a, pid)).applicationId;
  const audits = (action: string) =>
    env.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute();

  beforeAll(async () => {
    env = await createTestEnv(kind);
    ({ orgId, programmeId } = await makeHubWithProgramme(env));
    staff = await staffActor(env, 'regional_hub', 'admin', orgId);
  });
  afterAll(async () => {
    await env?.close();
  });

  it('lists every application of the account, drafts included, and shows the detail with its history', async () => {
    const a = await learner();
    const id = await submitted(a);
    const other = await makeProgramme(env, orgId);
    await startApplication(env, a, other);
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
        { questionId: 'motivation', label: '志望動機', value: FILLED_FORM.q_motivation },
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
