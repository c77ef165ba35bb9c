import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffActor } from '../../lib/actor.js';
import { anonymous } from '../../lib/actor.js';
import { makeUser } from '../../test/app.js';
import { codeOf, learnerActor, makeApplication, staffActor } from '../../test/application-factories.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../test/db.js';
import { makeProgramme } from '../../test/factories.js';
import { decideApplication } from './decision.service.js';
import { conversions, getOverview } from './secretariat.service.js';

describe.each(dbKinds())('secretariat overview on %s', (kind) => {
  let env: TestEnv;
  let sec: StaffActor;
  let hubA: StaffActor;
  let pA: string;
  let pB: string;
  let person: string;

  beforeAll(async () => {
    env = await createTestEnv(kind);
    sec = await staffActor(env, 'secretariat', 'staff');
    hubA = await staffActor(env, 'regional_hub', 'admin');
    const hubB = await staffActor(env, 'case_study_operator', 'admin');
    pA = await makeProgramme(env, hubA.org.id, { title: 'A 地域DX' });
    pB = await makeProgramme(env, hubB.org.id, { title: 'B ケーススタディ', layer: 2 });
    person = (await makeUser(env, { kind: 'learner', email: 'multi@example.jp' })).id;
    // 2026-04-01 23:30 JST and 2026-04-02 00:30 JST: two days in Japan, one day in UTC.
    const day1 = new Date('2026-04-01T14:30:00Z');
    const day2 = new Date('2026-04-01T15:30:00Z');
    const a1 = await makeApplication(env, pA, { applicantUserId: person, submittedAt: day1 });
    await makeApplication(env, pB, { applicantUserId: person, submittedAt: day2, status: 'accepted' });
    await makeApplication(env, pA, { submittedAt: day2, status: 'enrolled' });
    await makeApplication(env, pA, { status: 'draft' });
    await makeApplication(env, pB, { status: 'draft' });
    // Accepted, then declined: still counts as reached "accepted" in the funnel.
    await decideApplication(env, hubA, { applicationId: a1.id, to: 'accepted' });
    await decideApplication(env, hubA, { applicationId: a1.id, to: 'withdrawn' });
  });
  afterAll(async () => {
    await env?.close();
  });

  it('counts the funnel per programme and overall, with drafts as started', async () => {
    const o = await getOverview(env, sec, {});
    const a = o.programmes.find((p) => p.id === pA);
    const b = o.programmes.find((p) => p.id === pB);
    expect(a).toMatchObject({
      started: 3,
      submitted: 2,
      accepted: 2,
      enrolled: 1,
      withdrawn: 1,
      layer: '3層',
    });
    expect(b).toMatchObject({ started: 2, submitted: 1, accepted: 1, enrolled: 0, layer: '2層' });
    expect(o.total).toEqual({ started: 5, submitted: 3, accepted: 3, enrolled: 1 });
    expect(conversions(o.total)).toEqual({ submitted: 60, accepted: 100, enrolled: 33.3 });
    expect(conversions({ started: 0, submitted: 0, accepted: 0, enrolled: 0 }).submitted).toBeNull();
  });

  it('counts submissions per day in Japan time', async () => {
    const o = await getOverview(env, sec, {});
    expect(o.days.map((d) => [d.day, d.total])).toEqual([
      ['2026-04-02', 2],
      ['2026-04-01', 1],
    ]);
    expect(o.days[0]?.byProgramme.map((p) => [p.title, p.n])).toEqual([
      ['A 地域DX', 1],
      ['B ケーススタディ', 1],
    ]);
    const onlyB = await getOverview(env, sec, { programmeId: pB });
    expect(onlyB.days.map((d) => [d.day, d.total])).toEqual([['2026-04-02', 1]]);
  });

  it('lists people who applied to several programmes, by account', async () => {
    const o = await getOverview(env, sec, {});
    expect(o.multi).toEqual([
      {
        email: 'multi@example.jp',
        displayName: 'テスト learner',
        count: 2,
        applications: [
          { title: 'A 地域DX', organisation: expect.any(String), status: '辞退・取下げ' },
          { title: 'B ケーススタディ', organisation: expect.any(String), status: '合格' },
        ],
      },
    ]);
    const none = await getOverview(env, sec, { fiscalYear: 2030 });
    expect([none.programmes.length, none.multi.length, none.days.length]).toEqual([0, 0, 0]);
    const audited = await env.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'applications.overview_viewed')
      .execute();
    expect(audited.length).toBeGreaterThanOrEqual(4);
    expect(audited.at(-1)?.details).toMatchObject({ fiscalYear: 2030, multiApplicants: 0 });
  });

  it('is for secretariat admins and staff only', async () => {
    for (const actor of [
      hubA,
      await staffActor(env, 'ministry', 'admin'),
      await staffActor(env, 'secretariat', 'reviewer'),
      await learnerActor(env),
    ])
      expect(await codeOf(getOverview(env, actor, {}))).toBe('FORBIDDEN');
    expect(await codeOf(getOverview(env, anonymous(), {}))).toBe('UNAUTHENTICATED');
    expect(await codeOf(getOverview(env, await staffActor(env, 'secretariat', 'admin'), {}))).toBe('ok');
  });
});
