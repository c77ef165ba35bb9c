import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrganisationKind, Role } from '../../db/schema.js';
import { handlers, schedules } from '../../jobs/registry.js';
import { anonymous, type StaffActor } from '../../lib/actor.js';
import { type ErrorCode, isAppError } from '../../lib/errors.js';
import { makeOrg, makeUser } from '../../test/app.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../test/db.js';
import { makeProgramme } from '../../test/factories.js';
import { toJstLocal } from './jst.js';
import { readContentVersion } from './programme.repository.js';
import { programmeSchema } from './programme.schema.js';
import {
  approveProgramme,
  archiveProgramme,
  CLOSE_EXPIRED_JOB,
  closeExpiredProgrammes,
  closeProgramme,
  createProgramme,
  returnProgramme,
  submitProgramme,
  updateProgramme,
} from './programme.service.js';
import { transitionProgramme } from './programme-admin.repository.js';
import { getProgrammeAdmin } from './programme-admin.service.js';

async function codeOf(p: Promise<unknown>): Promise<ErrorCode | 'ok' | 'other'> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return isAppError(e) ? e.code : 'other';
  }
}

const DAY = 24 * 3_600_000;

describe.each(dbKinds())('programme management on %s', (kind) => {
  let env: TestEnv;
  let hubAdmin: StaffActor;
  let hubB: StaffActor;
  let secStaff: StaffActor;

  async function staff(orgKind: OrganisationKind, role: Role, orgId?: string): Promise<StaffActor> {
    const id = orgId ?? (await makeOrg(env, orgKind));
    const u = await makeUser(env, { orgId: id, role });
    return {
      type: 'staff',
      userId: u.id,
      email: u.email,
      displayName: 'テスト',
      org: { id, kind: orgKind, name: 'x' },
      role,
      ip: '192.0.2.1',
      requestId: 'req-1',
    };
  }

  /** A complete programme form, as the page would post it, with a window around the test clock. */
  function ready(overrides: Record<string, unknown> = {}) {
    const now = env.clock.now().getTime();
    return programmeSchema.parse({
      fiscalYear: '2026',
      title: '地域DXプログラム',
      summary: '地域の中小企業と DX に取り組みます',
      descriptionMd: '## 内容\n\n実データで取り組みます',
      format: 'hybrid',
      prefectureCodes: ['13', '14'],
      venue: '千代田区',
      startsOn: '2026-08-01',
      endsOn: '2026-10-31',
      opensAt: toJstLocal(new Date(now - DAY)),
      closesAt: toJstLocal(new Date(now + 7 * DAY)),
      capacity: '30',
      feeYen: '0',
      targetLearners: '社会人・学生',
      weeklyHours: '6',
      commitmentRequired: 'yes',
      dxStage: 'pattern2',
      skillCodes: ['1.1.1', '2.3.1'],
      ...overrides,
    });
  }

  const row = (id: string) =>
    env.db.selectFrom('programmes').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const auditOf = (id: string) =>
    env.db.selectFrom('audit_log').selectAll().where('subject_id', '=', id).orderBy('id').execute();
  const mailsTo = (to: string) =>
    env.db.selectFrom('mail_outbox').selectAll().where('to_address', '=', to).execute();

  beforeAll(async () => {
    env = await createTestEnv(kind, { baseUrl: 'https://dxq.example.jp' });
    hubAdmin = await staff('regional_hub', 'admin');
    hubB = await staff('regional_hub', 'admin');
    secStaff = await staff('secretariat', 'staff');
  });
  afterAll(async () => {
    await env?.close();
  });

  it('creates a draft in the layer of the organisation, aligned to DSS-P 2.0', async () => {
    const id = await createProgramme(env, hubAdmin, ready());
    const r = await row(id);
    expect(r).toMatchObject({
      layer: 3,
      status: 'draft',
      organisation_id: hubAdmin.org.id,
      created_by: hubAdmin.userId,
    });
    expect(r.skill_codes).toEqual(['1.1.1', '2.3.1']);
    expect(r.prefecture_codes.map(Number)).toEqual([13, 14]);
    const fw = await env.db
      .selectFrom('skill_frameworks')
      .select(['slug', 'version'])
      .where('id', '=', r.skill_framework_id ?? '')
      .executeTakeFirstOrThrow();
    expect(fw).toEqual({ slug: 'dss-p', version: '2.0' });
    expect((await auditOf(id)).map((a) => a.action)).toEqual(['programmes.created']);

    const operator = await staff('case_study_operator', 'staff');
    const op = await row(await createProgramme(env, operator, ready({ dxStage: 'pattern1' })));
    expect(op).toMatchObject({ layer: 2, dx_stage: null }); // a DX stage describes 3層 partner companies only
  });

  it('lets only operator/hub admins and staff create', async () => {
    expect(await codeOf(createProgramme(env, secStaff, ready()))).toBe('FORBIDDEN');
    expect(await codeOf(createProgramme(env, await staff('regional_hub', 'viewer'), ready()))).toBe(
      'FORBIDDEN',
    );
    expect(await codeOf(createProgramme(env, anonymous(), ready()))).toBe('UNAUTHENTICATED');
    expect(await codeOf(createProgramme(env, hubAdmin, ready({ skillCodes: ['9.9.9'] })))).toBe('VALIDATION');
  });

  it('submits only a complete draft, with the 3層 six-hour rule', async () => {
    const id = await createProgramme(env, hubAdmin, ready({ weeklyHours: '5', summary: '', skillCodes: [] }));
    const err = await submitProgramme(env, hubAdmin, id).catch((e: unknown) => e);
    expect(isAppError(err, 'VALIDATION') && Object.keys(err.fields ?? {}).sort()).toEqual([
      'skillCodes',
      'summary',
      'weeklyHours',
    ]);
    await updateProgramme(env, hubAdmin, id, { kind: 'all', values: ready() });
    await submitProgramme(env, hubAdmin, id);
    expect(await row(id)).toMatchObject({ status: 'submitted' });
    expect((await row(id)).submitted_at).not.toBeNull();
    expect(await codeOf(submitProgramme(env, hubAdmin, id))).toBe('INVALID_STATE');
    expect(await codeOf(updateProgramme(env, hubAdmin, id, { kind: 'all', values: ready() }))).toBe(
      'INVALID_STATE',
    );
    expect((await auditOf(id)).map((a) => a.action)).toEqual([
      'programmes.created',
      'programmes.updated',
      'programmes.submitted',
    ]);
  });

  it('sends back with a comment mailed to the admins, then approves and publishes once', async () => {
    const member = await makeUser(env, { orgId: hubAdmin.org.id, role: 'staff' });
    const id = await createProgramme(env, hubAdmin, ready());
    await submitProgramme(env, hubAdmin, id);
    expect(await codeOf(returnProgramme(env, hubAdmin, id, { comment: 'x' }))).toBe('FORBIDDEN');
    const v0 = await readContentVersion(env.db);
    await returnProgramme(env, secStaff, id, { comment: '定員の根拠を\n書いてください' });
    expect(await row(id)).toMatchObject({ status: 'draft', review_comment: '定員の根拠を\n書いてください' });
    const returned = (await mailsTo(hubAdmin.email)).filter((m) => m.template === 'programme_returned');
    expect(returned).toHaveLength(1);
    expect(returned[0]?.body_text).toContain('定員の根拠を\n書いてください');
    expect(returned[0]?.body_text).toContain(`https://dxq.example.jp/admin/programmes/${id}`);
    expect(await mailsTo(member.email)).toEqual([]); // admins only
    expect(await readContentVersion(env.db)).toBe(v0); // nothing public changed

    await submitProgramme(env, hubAdmin, id);
    await approveProgramme(env, secStaff, id);
    const r = await row(id);
    expect(r).toMatchObject({ status: 'published', review_comment: null });
    expect(r.published_at?.getTime()).toBe(env.clock.now().getTime());
    expect(await readContentVersion(env.db)).toBe(v0 + 1);
    expect((await mailsTo(hubAdmin.email)).filter((m) => m.template === 'programme_approved')).toHaveLength(
      1,
    );
    expect(await codeOf(approveProgramme(env, secStaff, id))).toBe('INVALID_STATE');
    const actions = (await auditOf(id)).map((a) => a.action);
    expect(actions.filter((a) => a === 'programmes.approved')).toHaveLength(1);
    expect(actions).toContain('programmes.returned');
  });

  it('lets exactly one of two racing approvals win', async () => {
    const id = await createProgramme(env, hubAdmin, ready());
    await submitProgramme(env, hubAdmin, id);
    const other = await staff('secretariat', 'admin');
    const results = await Promise.all([
      codeOf(approveProgramme(env, secStaff, id)),
      codeOf(approveProgramme(env, other, id)),
    ]);
    expect(results.sort()).toEqual(['INVALID_STATE', 'ok']);
    expect((await auditOf(id)).filter((a) => a.action === 'programmes.approved')).toHaveLength(1);
    // The guard itself: an UPDATE expecting the old status changes nothing.
    const now = env.clock.now();
    expect(await transitionProgramme(env.db, { all: true }, id, 'submitted', 'published', {}, now)).toBe(
      false,
    );
    expect(
      await transitionProgramme(env.db, { orgId: hubB.org.id }, id, 'published', 'closed', {}, now),
    ).toBe(false);
    expect((await row(id)).status).toBe('published');
  });

  it('refuses to approve once the closing time has passed', async () => {
    const id = await createProgramme(env, hubAdmin, ready());
    await submitProgramme(env, hubAdmin, id);
    env.clock.advance(8 * DAY);
    try {
      expect(await codeOf(approveProgramme(env, secStaff, id))).toBe('INVALID_STATE');
    } finally {
      env.clock.advance(-8 * DAY);
    }
    expect((await row(id)).status).toBe('submitted');
  });

  it('edits a published programme’s content only, keeping it published and bumping the public version', async () => {
    const id = await makeProgramme(env, hubAdmin.org.id);
    const v0 = await readContentVersion(env.db);
    const content = {
      title: '新しい名称',
      summary: '新しい概要',
      descriptionMd: '本文',
      venue: '横浜市',
      startsOn: null,
      endsOn: null,
      scheduleNote: '',
      capacity: 40,
    };
    await updateProgramme(env, hubAdmin, id, { kind: 'content', values: content });
    expect(await row(id)).toMatchObject({
      status: 'published',
      title: '新しい名称',
      capacity: 40,
      fee_yen: 0,
    });
    expect(await readContentVersion(env.db)).toBe(v0 + 1);
    expect(
      await codeOf(updateProgramme(env, hubAdmin, id, { kind: 'all', values: ready({ feeYen: '50000' }) })),
    ).toBe('INVALID_STATE');
    expect((await row(id)).fee_yen).toBe(0);
    const updated = (await auditOf(id)).find((a) => a.action === 'programmes.updated');
    expect(updated?.details).toMatchObject({
      status: 'published',
      changed: expect.arrayContaining(['title', 'venue', 'capacity']),
    });
  });

  it('closes and archives (organisation or secretariat), each move once', async () => {
    const id = await makeProgramme(env, hubAdmin.org.id);
    expect(await codeOf(archiveProgramme(env, hubAdmin, id))).toBe('INVALID_STATE');
    const v0 = await readContentVersion(env.db);
    await closeProgramme(env, hubAdmin, id);
    expect(await row(id)).toMatchObject({ status: 'closed' });
    expect(await codeOf(closeProgramme(env, secStaff, id))).toBe('INVALID_STATE');
    await archiveProgramme(env, secStaff, id);
    expect((await row(id)).status).toBe('archived');
    expect(await readContentVersion(env.db)).toBe(v0 + 2);
    const draft = await createProgramme(env, hubAdmin, ready());
    expect(await codeOf(closeProgramme(env, hubAdmin, draft))).toBe('INVALID_STATE');
  });

  it('answers another hub with NOT_FOUND and audits the attempt', async () => {
    const id = await createProgramme(env, hubAdmin, ready());
    // One after another: each attempt is its own request.
    for (const attempt of [
      () => getProgrammeAdmin(env, hubB, id),
      () => updateProgramme(env, hubB, id, { kind: 'all', values: ready({ title: '乗っ取り' }) }),
      () => submitProgramme(env, hubB, id),
      () => closeProgramme(env, hubB, id),
    ]) {
      expect(await codeOf(attempt())).toBe('NOT_FOUND');
    }
    const denied = (await auditOf(id)).filter((a) => a.action === 'security.cross_org_denied');
    expect(denied).toHaveLength(4);
    expect(denied.every((d) => d.actor_user_id === hubB.userId)).toBe(true);
    expect((await row(id)).title).toBe('地域DXプログラム');
    expect((await getProgrammeAdmin(env, secStaff, id)).programme.id).toBe(id); // the secretariat sees all
  });

  it('closes expired programmes every minute as the system, idempotently', async () => {
    expect(schedules).toContainEqual({ name: CLOSE_EXPIRED_JOB, everyMs: 60_000 });
    const now = env.clock.now().getTime();
    const expired = await makeProgramme(env, hubAdmin.org.id, {
      closes_at: new Date(now - 1000),
      opens_at: new Date(now - DAY),
    });
    const open = await makeProgramme(env, hubAdmin.org.id);
    const v0 = await readContentVersion(env.db);
    await handlers[CLOSE_EXPIRED_JOB]?.(env, {}, { id: 1, attempts: 1, maxAttempts: 3 });
    expect((await row(expired)).status).toBe('closed');
    expect((await row(open)).status).toBe('published');
    expect(await readContentVersion(env.db)).toBe(v0 + 1);
    const closed = (await auditOf(expired)).find((a) => a.action === 'programmes.closed');
    expect(closed).toMatchObject({ actor_user_id: null });
    expect(closed?.details).toMatchObject({ system: CLOSE_EXPIRED_JOB });
    expect(await closeExpiredProgrammes(env)).toBe(0);
    expect(await readContentVersion(env.db)).toBe(v0 + 1);
  });
});
