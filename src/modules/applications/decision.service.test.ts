import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffActor } from '../../lib/actor.js';
import { anonymous } from '../../lib/actor.js';
import { codeOf, learnerActor, makeApplication, staffActor } from '../../test/application-factories.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../test/db.js';
import { makeProgramme } from '../../test/factories.js';
import {
  decideApplication,
  decideApplications,
  previewDecision,
  promoteNextWaitlisted,
} from './decision.service.js';
import {
  listDecisionTemplates,
  resetDecisionTemplate,
  updateDecisionTemplate,
} from './decision.template.service.js';
import { templateSchema } from './decision.templates.js';

describe.each(dbKinds())('decisions on %s', (kind) => {
  let env: TestEnv;
  let hub: StaffActor;
  let programmeId: string;

  const app = (id: string) =>
    env.db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const mailsTo = (to: string) =>
    env.db.selectFrom('mail_outbox').selectAll().where('to_address', '=', to).orderBy('created_at').execute();
  const auditOf = (action: string, subjectId: string) =>
    env.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', action)
      .where('subject_id', '=', subjectId)
      .orderBy('id')
      .execute();

  beforeAll(async () => {
    env = await createTestEnv(kind);
    hub = await staffActor(env, 'regional_hub', 'staff');
    programmeId = await makeProgramme(env, hub.org.id, { title: '北海道 地域DX実践' });
  });
  afterAll(async () => {
    await env?.close();
  });

  it('accepts with a guarded move, a history row, an audit row and a mail from the organisation’s text', async () => {
    await updateDecisionTemplate(
      env,
      hub,
      'accepted',
      '{氏名} 様\n「{プログラム名}」合格です。番号 {申込番号}({組織名})',
    );
    const a = await makeApplication(env, programmeId, { fullName: '<script>alert(1)</script> 髙橋 𠮷子 😀' });
    const moved = await decideApplication(env, hub, { applicationId: a.id, to: 'accepted' });
    expect(moved).toMatchObject({ from: 'submitted', to: 'accepted', mailedTo: a.email });
    const row = await app(a.id);
    expect(row.status).toBe('accepted');
    expect(row.decided_at).toBeInstanceOf(Date);
    const history = await env.db
      .selectFrom('application_status_history')
      .selectAll()
      .where('application_id', '=', a.id)
      .orderBy('id')
      .execute();
    expect(history.at(-1)).toMatchObject({
      from_status: 'submitted',
      to_status: 'accepted',
      actor_user_id: hub.userId,
    });
    expect((await auditOf('applications.status_changed', a.id))[0]?.details).toMatchObject({
      from: 'submitted',
      to: 'accepted',
      via: 'single',
      mailed: true,
      programmeId,
    });
    const [mail] = await mailsTo(a.email);
    expect(mail?.template).toBe('application_decision');
    expect(mail?.subject).toBe('【マナビDX Quest】選考結果のお知らせ');
    // Plain text: the name is there exactly as typed (nothing to interpret), rare kanji and emoji intact.
    expect(mail?.body_text).toContain(
      '<script>alert(1)</script> 髙橋 𠮷子 😀 様\n「北海道 地域DX実践」合格です。',
    );
    expect(mail?.body_text).toContain(`番号 ${a.number}`);
    const jobs = await env.db.selectFrom('jobs').select('payload').where('name', '=', 'mail.send').execute();
    expect(jobs.some((j) => (j.payload as { mailId?: string }).mailId === mail?.id)).toBe(true);
  });

  it('uses the default text where the organisation has none; under review and declines send nothing', async () => {
    const other = await staffActor(env, 'case_study_operator', 'admin');
    const p = await makeProgramme(env, other.org.id, { layer: 2 });
    const a = await makeApplication(env, p);
    await decideApplication(env, other, { applicationId: a.id, to: 'under_review' });
    expect(await mailsTo(a.email)).toHaveLength(0);
    await decideApplication(env, other, { applicationId: a.id, to: 'rejected' });
    const mails = await mailsTo(a.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.body_text).toContain('今回はご希望に添えない結果となりました');
    const b = await makeApplication(env, p, { status: 'accepted' });
    await decideApplication(env, other, { applicationId: b.id, to: 'enrolled' });
    expect((await app(b.id)).enrolled_at).toBeInstanceOf(Date);
    expect((await mailsTo(b.email))[0]?.subject).toBe('【マナビDX Quest】受講確定のお知らせ');
    const c = await makeApplication(env, p, { status: 'accepted' });
    await decideApplication(env, other, { applicationId: c.id, to: 'withdrawn' });
    expect(await mailsTo(c.email)).toHaveLength(0);
    expect((await app(c.id)).withdrawn_at).toBeInstanceOf(Date);
  });

  it('refuses moves the state machine does not have, and drafts are not found', async () => {
    const r = await makeApplication(env, programmeId, { status: 'rejected' });
    expect(await codeOf(decideApplication(env, hub, { applicationId: r.id, to: 'accepted' }))).toBe(
      'INVALID_STATE',
    );
    const s = await makeApplication(env, programmeId);
    expect(await codeOf(decideApplication(env, hub, { applicationId: s.id, to: 'enrolled' }))).toBe(
      'INVALID_STATE',
    );
    const d = await makeApplication(env, programmeId, { status: 'draft' });
    expect(await codeOf(decideApplication(env, hub, { applicationId: d.id, to: 'accepted' }))).toBe(
      'NOT_FOUND',
    );
    const gone = await makeApplication(env, programmeId, { anonymised: true });
    expect(await codeOf(decideApplication(env, hub, { applicationId: gone.id, to: 'rejected' }))).toBe(
      'INVALID_STATE',
    );
    expect(await mailsTo(s.email)).toHaveLength(0);
  });

  it('lets exactly one of two concurrent decisions win; the other gets INVALID_STATE and sends nothing', async () => {
    for (const [x, y] of [
      ['accepted', 'rejected'],
      ['accepted', 'accepted'],
      ['waitlisted', 'rejected'],
    ] as const) {
      const a = await makeApplication(env, programmeId);
      const second = await staffActor(env, 'regional_hub', 'admin', hub.org.id);
      const results = await Promise.all([
        // Both saw it as submitted (what the confirmation page sends back as `expected`).
        codeOf(decideApplication(env, hub, { applicationId: a.id, to: x, expected: 'submitted' })),
        codeOf(decideApplication(env, second, { applicationId: a.id, to: y, expected: 'submitted' })),
      ]);
      expect(results.sort()).toEqual(['INVALID_STATE', 'ok']);
      const history = await env.db
        .selectFrom('application_status_history')
        .select('to_status')
        .where('application_id', '=', a.id)
        .where('from_status', '=', 'submitted')
        .execute();
      expect(history).toHaveLength(1);
      expect(await mailsTo(a.email)).toHaveLength(1);
      expect(await auditOf('applications.status_changed', a.id)).toHaveLength(1);
    }
  });

  it('previews a bulk decision, then reports the one that changed meanwhile and moves the rest', async () => {
    const p = await makeProgramme(env, hub.org.id);
    const [a, b, c, done] = await Promise.all([
      makeApplication(env, p),
      makeApplication(env, p, { status: 'under_review' }),
      makeApplication(env, p),
      makeApplication(env, p, { status: 'enrolled' }),
    ]);
    const preview = await previewDecision(env, hub, p, { to: 'accepted', ids: [a.id, b.id, c.id, done.id] });
    expect(preview.mail).toBe(true);
    const byId = new Map(preview.items.map((i) => [i.id, i]));
    expect([a, b, c, done].map((x) => byId.get(x.id)?.eligible)).toEqual([true, true, true, false]);
    expect(byId.get(a.id)?.email).toBe(a.email);
    // c withdraws before the desk confirms.
    await env.db.updateTable('applications').set({ status: 'withdrawn' }).where('id', '=', c.id).execute();
    const out = await decideApplications(env, hub, p, {
      to: 'accepted',
      items: [
        { id: a.id, from: 'submitted' },
        { id: b.id, from: 'under_review' },
        { id: c.id, from: 'submitted' },
        { id: a.id, from: 'submitted' },
      ],
    });
    expect(out.moved.map((m) => m.id).sort()).toEqual([a.id, b.id].sort());
    expect(out.reported).toEqual([
      expect.objectContaining({ id: c.id, expected: 'submitted', current: 'withdrawn' }),
    ]);
    expect((await app(c.id)).status).toBe('withdrawn');
    expect(await mailsTo(a.email)).toHaveLength(1);
    expect(await mailsTo(c.email)).toHaveLength(0);
    expect((await auditOf('applications.status_changed', b.id))[0]?.details).toMatchObject({ via: 'bulk' });
  });

  it('keeps waitlist places in order and promotes the next when an accepted applicant declines', async () => {
    const p = await makeProgramme(env, hub.org.id, { capacity: 1 });
    const winner = await makeApplication(env, p);
    const w1 = await makeApplication(env, p);
    const w2 = await makeApplication(env, p);
    await decideApplication(env, hub, { applicationId: winner.id, to: 'accepted' });
    await decideApplications(env, hub, p, {
      to: 'waitlisted',
      items: [
        { id: w1.id, from: 'submitted' },
        { id: w2.id, from: 'submitted' },
      ],
    });
    const [p1, p2] = [(await app(w1.id)).waitlist_position, (await app(w2.id)).waitlist_position];
    expect(p1).not.toBeNull();
    expect(Number(p2)).toBeGreaterThan(Number(p1));
    expect(await codeOf(promoteNextWaitlisted(env, hub, p, w2.id))).toBe('INVALID_STATE'); // w1 is next
    await decideApplication(env, hub, { applicationId: winner.id, to: 'withdrawn' }); // declined by phone
    const promoted = await promoteNextWaitlisted(env, hub, p, w1.id);
    expect(promoted).toMatchObject({ id: w1.id, from: 'waitlisted', to: 'accepted', mailedTo: w1.email });
    const row = await app(w1.id);
    expect([row.status, row.waitlist_position]).toEqual(['accepted', null]);
    const mails = await mailsTo(w1.email);
    expect(mails.map((m) => m.subject)).toEqual([
      '【マナビDX Quest】選考結果のお知らせ',
      '【マナビDX Quest】選考結果のお知らせ',
    ]);
    expect(mails[1]?.body_text).toContain('合格です');
    expect((await auditOf('applications.status_changed', w1.id)).at(-1)?.details).toMatchObject({
      via: 'promote',
    });
    await promoteNextWaitlisted(env, hub, p, w2.id);
    expect(await codeOf(promoteNextWaitlisted(env, hub, p, w2.id))).toBe('INVALID_STATE'); // nobody left
  });

  it('refuses another organisation, reviewers, learners and anonymous visitors; cross-org attempts are audited', async () => {
    const a = await makeApplication(env, programmeId);
    const b = await staffActor(env, 'regional_hub', 'admin');
    const bProgramme = await makeProgramme(env, b.org.id);
    const sec = await staffActor(env, 'secretariat', 'admin');
    const before = await env.db
      .selectFrom('audit_log')
      .select('id')
      .where('action', '=', 'security.cross_org_denied')
      .execute();
    expect(await codeOf(decideApplication(env, b, { applicationId: a.id, to: 'rejected' }))).toBe(
      'NOT_FOUND',
    );
    expect(await codeOf(decideApplication(env, sec, { applicationId: a.id, to: 'rejected' }))).toBe(
      'NOT_FOUND',
    );
    expect(await codeOf(previewDecision(env, b, programmeId, { to: 'rejected', ids: [a.id] }))).toBe(
      'NOT_FOUND',
    );
    // B's own programme in the URL, A's application in the form.
    expect(
      await codeOf(
        decideApplications(env, b, bProgramme, { to: 'rejected', items: [{ id: a.id, from: 'submitted' }] }),
      ),
    ).toBe('NOT_FOUND');
    expect(await codeOf(promoteNextWaitlisted(env, b, bProgramme, a.id))).toBe('NOT_FOUND');
    const after = await env.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'security.cross_org_denied')
      .orderBy('id')
      .execute();
    expect(after.length - before.length).toBe(5);
    expect(after.at(-1)).toMatchObject({ actor_user_id: b.userId, actor_organisation_id: b.org.id });
    const reviewer = await staffActor(env, 'regional_hub', 'reviewer', hub.org.id);
    expect(await codeOf(decideApplication(env, reviewer, { applicationId: a.id, to: 'accepted' }))).toBe(
      'FORBIDDEN',
    );
    expect(
      await codeOf(decideApplication(env, await learnerActor(env), { applicationId: a.id, to: 'accepted' })),
    ).toBe('FORBIDDEN');
    expect(await codeOf(decideApplication(env, anonymous(), { applicationId: a.id, to: 'accepted' }))).toBe(
      'UNAUTHENTICATED',
    );
    expect((await app(a.id)).status).toBe('submitted');
    expect(await mailsTo(a.email)).toHaveLength(0);
  });

  it('keeps each organisation’s templates its own, with defaults, reset and checked placeholders', async () => {
    const b = await staffActor(env, 'regional_hub', 'admin');
    await updateDecisionTemplate(env, b, 'rejected', 'B の文面 {氏名}');
    const mine = await listDecisionTemplates(env, hub);
    expect(mine.find((t) => t.kind === 'rejected')).toMatchObject({ isDefault: true });
    expect(mine.find((t) => t.kind === 'accepted')).toMatchObject({ isDefault: false });
    const theirs = await listDecisionTemplates(env, b);
    const rejected = theirs.find((t) => t.kind === 'rejected');
    expect(rejected).toMatchObject({ isDefault: false, body: 'B の文面 {氏名}' });
    expect(rejected?.sample.text).toContain('B の文面 山田 花子');
    await resetDecisionTemplate(env, b, 'rejected');
    expect((await listDecisionTemplates(env, b)).find((t) => t.kind === 'rejected')?.isDefault).toBe(true);
    expect(await codeOf(listDecisionTemplates(env, await staffActor(env, 'regional_hub', 'reviewer')))).toBe(
      'FORBIDDEN',
    );
    expect(await codeOf(updateDecisionTemplate(env, anonymous(), 'accepted', 'x'))).toBe('UNAUTHENTICATED');
    expect(templateSchema.safeParse({ body: '{氏名} {住所}' }).success).toBe(false);
    expect(templateSchema.safeParse({ body: '　' }).success).toBe(false);
    expect(templateSchema.safeParse({ body: 'x'.repeat(5001) }).success).toBe(false);
    expect(templateSchema.parse({ body: '{氏名} 様\r\n本文' }).body).toBe('{氏名} 様\n本文');
  });
});
