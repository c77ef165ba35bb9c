import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffActor } from '../../lib/actor.js';
import { codeOf, makeApplication, staffActor } from '../../test/application-factories.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../test/db.js';
import { makeProgramme } from '../../test/factories.js';
import { getApplicationDetail } from './desk.service.js';
import {
  addCriterion,
  getRubric,
  moveCriterion,
  removeCriterion,
  updateCriterion,
} from './rubric.criteria.service.js';
import { getRanking } from './rubric.ranking.service.js';
import { criterionSchema } from './rubric.schema.js';
import { declareConflict, submitReview, withdrawConflict } from './rubric.service.js';

describe.each(dbKinds())('rubric and independent scoring on %s', (kind) => {
  let env: TestEnv;
  let staff: StaffActor;
  let r1: StaffActor;
  let r2: StaffActor;
  let r3: StaffActor;
  let programmeId: string;
  let idea: string; // scale 5, weight 1
  let fit: string; // scale 10, weight 3

  const c = (label: string, scaleMax: number, weight: number) => ({
    label,
    description: '',
    scaleMax,
    weight,
  });
  const form = (scores: Record<string, number>, comment = '') => ({
    ...Object.fromEntries(Object.entries(scores).map(([k, v]) => [`s_${k}`, String(v)])),
    comment,
  });

  beforeAll(async () => {
    env = await createTestEnv(kind);
    staff = await staffActor(env, 'regional_hub', 'staff');
    r1 = await staffActor(env, 'regional_hub', 'reviewer', staff.org.id);
    r2 = await staffActor(env, 'regional_hub', 'reviewer', staff.org.id);
    r3 = await staffActor(env, 'regional_hub', 'admin', staff.org.id);
    programmeId = await makeProgramme(env, staff.org.id);
    idea = await addCriterion(env, staff, programmeId, c('課題理解', 5, 1));
    fit = await addCriterion(env, staff, programmeId, c('地域との適合', 10, 3));
  });
  afterAll(async () => {
    await env?.close();
  });

  it('adds, edits, reorders and removes criteria, each audited; reviewers may only read', async () => {
    const extra = await addCriterion(env, staff, programmeId, c('予備', 3, 0.5));
    await updateCriterion(env, staff, programmeId, extra, { ...c('予備項目', 4, 2), description: '説明' });
    await moveCriterion(env, staff, programmeId, extra, 'up');
    let rubric = await getRubric(env, r1, programmeId);
    expect(rubric.canEdit).toBe(false);
    expect(rubric.criteria.map((x) => [x.label, x.scaleMax, x.weight])).toEqual([
      ['課題理解', 5, 1],
      ['予備項目', 4, 2],
      ['地域との適合', 10, 3],
    ]);
    await moveCriterion(env, staff, programmeId, extra, 'down');
    await moveCriterion(env, staff, programmeId, extra, 'down'); // already last: nothing moves
    await removeCriterion(env, staff, programmeId, extra);
    rubric = await getRubric(env, staff, programmeId);
    expect(rubric.criteria.map((x) => x.label)).toEqual(['課題理解', '地域との適合']);
    const actions = await env.db
      .selectFrom('audit_log')
      .select('action')
      .where('subject_id', '=', extra)
      .orderBy('id')
      .execute();
    expect(actions.map((a) => a.action)).toEqual([
      'applications.rubric.criterion_added',
      'applications.rubric.criterion_updated',
      'applications.rubric.criterion_moved',
      'applications.rubric.criterion_moved',
      'applications.rubric.criterion_removed',
    ]);
    expect(await codeOf(addCriterion(env, r1, programmeId, c('x', 5, 1)))).toBe('FORBIDDEN');
  });

  it('validates criteria: label, scale 1–10, weight up to 100 with two decimals, full-width digits read', () => {
    const ok = criterionSchema.safeParse({
      label: ' 熱意 ',
      description: '',
      scaleMax: '１０',
      weight: '2.5',
    });
    expect(ok.success && ok.data).toEqual({ label: '熱意', description: '', scaleMax: 10, weight: 2.5 });
    for (const bad of [
      { label: '', description: '', scaleMax: '5', weight: '1' },
      { label: 'x', description: '', scaleMax: '0', weight: '1' },
      { label: 'x', description: '', scaleMax: '11', weight: '1' },
      { label: 'x', description: '', scaleMax: '5', weight: '0' },
      { label: 'x', description: '', scaleMax: '5', weight: '100.5' },
      { label: 'x', description: '', scaleMax: '5', weight: '1.234' },
      { label: 'x'.repeat(101), description: '', scaleMax: '5', weight: '1' },
    ])
      expect(criterionSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });

  it('keeps scores independent until one’s own review is in; conflicts are excluded from the total', async () => {
    const a = await makeApplication(env, programmeId);
    await submitReview(env, r1, a.id, form({ [idea]: 5, [fit]: 10 }, '<b>とても良い</b>')); // 100
    // r2 has not scored: sees neither r1's scores nor the total.
    let d = await getApplicationDetail(env, r2, a.id);
    expect(d.reviews.own).toBe('none');
    expect(d.reviews.others).toBeNull();
    expect(d.reviews.othersCount).toBe(1);
    expect(d.reviews.aggregate).toBeNull();
    // Admins and staff decide: they see the total, but not others' individual scores before their own.
    d = await getApplicationDetail(env, staff, a.id);
    expect(d.reviews.others).toBeNull();
    expect(d.reviews.aggregate?.total).toBe(100);
    await submitReview(env, r2, a.id, form({ [idea]: 0, [fit]: 10 })); // 75
    d = await getApplicationDetail(env, r2, a.id);
    expect(d.reviews.others?.map((o) => [o.comment, o.total])).toEqual([['<b>とても良い</b>', 100]]);
    expect(d.reviews.aggregate).toMatchObject({ total: 87.5, counted: 2, conflicts: 0 });
    expect(d.reviews.aggregate?.means).toEqual({ [idea]: 2.5, [fit]: 10 });
    await declareConflict(env, r3, a.id);
    d = await getApplicationDetail(env, r3, a.id);
    expect(d.reviews.own).toBe('conflict');
    expect(d.reviews.others).toBeNull();
    expect(d.reviews.aggregate).toMatchObject({ total: 87.5, counted: 2, conflicts: 1 });
    expect(await codeOf(submitReview(env, r3, a.id, form({ [idea]: 1, [fit]: 1 })))).toBe('INVALID_STATE');
    await withdrawConflict(env, r3, a.id);
    await submitReview(env, r3, a.id, form({ [idea]: 0, [fit]: 0 })); // 0
    d = await getApplicationDetail(env, staff, a.id);
    expect(d.reviews.aggregate?.total).toBeCloseTo(175 / 3, 10);
    // Declaring a conflict after scoring removes the scores from the total.
    await declareConflict(env, r3, a.id);
    d = await getApplicationDetail(env, staff, a.id);
    expect(d.reviews.aggregate).toMatchObject({ total: 87.5, counted: 2, conflicts: 1 });
    const scores = await env.db
      .selectFrom('application_scores')
      .select('score')
      .where('reviewer_user_id', '=', r3.userId)
      .execute();
    expect(scores).toEqual([]);
  });

  it('demands every criterion within its scale, and scores only open applications', async () => {
    const a = await makeApplication(env, programmeId);
    const missing = await submitReview(env, r1, a.id, form({ [idea]: 3 })).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'VALIDATION', fields: { [`s_${fit}`]: expect.any(String) } });
    expect(await codeOf(submitReview(env, r1, a.id, form({ [idea]: 6, [fit]: 1 })))).toBe('VALIDATION');
    expect(await codeOf(submitReview(env, r1, a.id, form({ [idea]: -1, [fit]: 1 })))).toBe('VALIDATION');
    expect(await codeOf(submitReview(env, r1, a.id, form({ [idea]: 1, [fit]: 1 }, 'x'.repeat(4001))))).toBe(
      'VALIDATION',
    );
    const decided = await makeApplication(env, programmeId, { status: 'rejected' });
    expect(await codeOf(submitReview(env, r1, decided.id, form({ [idea]: 1, [fit]: 1 })))).toBe(
      'INVALID_STATE',
    );
    // Revising one's own review is audited as an update.
    await submitReview(env, r1, a.id, form({ [idea]: 1, [fit]: 1 }));
    await submitReview(env, r1, a.id, form({ [idea]: 2, [fit]: 2 }));
    const rows = await env.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('subject_id', '=', a.id)
      .where('action', 'like', 'applications.review%')
      .orderBy('id')
      .execute();
    expect(rows.map((r) => r.action)).toEqual([
      'applications.review_submitted',
      'applications.review_updated',
    ]);
    expect(rows[1]?.details).toMatchObject({ scores: { [idea]: 2, [fit]: 2 }, commentLength: 0 });
    // A scale cannot change under scores already given on it.
    expect(await codeOf(updateCriterion(env, staff, programmeId, idea, c('課題理解', 7, 1)))).toBe(
      'VALIDATION',
    );
  });

  it('ranks by total with hidden totals for reviewers who have not scored, and marks incomplete reviews', async () => {
    const p = await makeProgramme(env, staff.org.id);
    const k = await addCriterion(env, staff, p, c('総合', 10, 1));
    const [x, y, z] = await Promise.all([
      makeApplication(env, p),
      makeApplication(env, p),
      makeApplication(env, p),
    ]);
    await submitReview(env, r1, x.id, form({ [k]: 6 }));
    await submitReview(env, r1, y.id, form({ [k]: 9 }));
    await submitReview(env, r2, y.id, form({ [k]: 6 })); // y: mean 75
    const ranking = await getRanking(env, staff, p);
    expect(ranking.items.map((i) => [i.id, i.rank, i.total])).toEqual([
      [y.id, 1, 75],
      [x.id, 2, 60],
      [z.id, null, null],
    ]);
    const forR2 = await getRanking(env, r2, p);
    expect(forR2.items.find((i) => i.id === x.id)).toMatchObject({ total: null, hidden: true, rank: null });
    expect(forR2.items.find((i) => i.id === y.id)).toMatchObject({ total: 75, rank: 1, own: 'submitted' });
    // A criterion added after scoring leaves those reviews incomplete until re-scored.
    await addCriterion(env, staff, p, c('追加', 5, 1));
    const after = await getRanking(env, staff, p);
    expect(after.items.find((i) => i.id === y.id)).toMatchObject({ total: null, incomplete: 2 });
    expect(
      await env.db
        .selectFrom('audit_log')
        .select('id')
        .where('action', '=', 'applications.ranking_viewed')
        .execute(),
    ).toHaveLength(3);
  });

  it("refuses another organisation's rubric, scores and ranking, auditing each attempt", async () => {
    const a = await makeApplication(env, programmeId);
    const b = await staffActor(env, 'regional_hub', 'admin');
    const bProgramme = await makeProgramme(env, b.org.id);
    const n = async () =>
      (
        await env.db
          .selectFrom('audit_log')
          .select('id')
          .where('action', '=', 'security.cross_org_denied')
          .execute()
      ).length;
    const before = await n();
    const attempts = [
      () => getRubric(env, b, programmeId),
      () => addCriterion(env, b, programmeId, c('x', 5, 1)),
      () => updateCriterion(env, b, programmeId, idea, c('x', 5, 1)),
      () => updateCriterion(env, b, bProgramme, idea, c('x', 5, 1)), // own programme, A's criterion
      () => removeCriterion(env, b, programmeId, idea),
      () => moveCriterion(env, b, programmeId, idea, 'down'),
      () => submitReview(env, b, a.id, form({ [idea]: 1, [fit]: 1 })),
      () => declareConflict(env, b, a.id),
      () => withdrawConflict(env, b, a.id),
      () => getRanking(env, b, programmeId),
    ];
    // Thunks, run one at a time: each refusal is awaited before the next starts.
    for (const attempt of attempts) expect(await codeOf(attempt())).toBe('NOT_FOUND');
    expect((await n()) - before).toBe(attempts.length);
    expect((await getRubric(env, staff, programmeId)).criteria.map((x) => x.label)).toEqual([
      '課題理解',
      '地域との適合',
    ]);
  });
});
