import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffActor } from '../../lib/actor.js';
import { anonymous } from '../../lib/actor.js';
import { codeOf, learnerActor, makeApplication, staffActor } from '../../test/application-factories.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../test/db.js';
import { makeProgramme } from '../../test/factories.js';
import { decideApplication } from './decision.service.js';
import { deskFilterSchema, toFilter } from './desk.schema.js';
import { getApplicationDetail, listApplications, listDeskProgrammes } from './desk.service.js';

describe.each(dbKinds())('desk reads on %s', (kind) => {
  let env: TestEnv;
  let hub: StaffActor;
  let programmeId: string;
  let ids: Record<string, string>;

  beforeAll(async () => {
    env = await createTestEnv(kind);
    hub = await staffActor(env, 'regional_hub', 'staff');
    programmeId = await makeProgramme(env, hub.org.id, { title: '地域DX 北海道' });
    const make = (o: Parameters<typeof makeApplication>[2]) => makeApplication(env, programmeId, o);
    const [a, b, c, d] = [
      await make({
        fullName: '髙橋 𠮷子',
        furigana: 'タカハシ ヨシコ',
        prefectureCode: 1,
        occupation: 'student',
      }),
      await make({ fullName: '佐藤 一郎', prefectureCode: 13, occupation: 'worker', status: 'under_review' }),
      await make({ fullName: '鈴木 花子', prefectureCode: 1, occupation: 'worker', status: 'accepted' }),
      await make({ status: 'draft', fullName: '下書き 未提出' }),
    ];
    await make({ anonymised: true, status: 'rejected' });
    ids = { a: a.id, b: b.id, c: c.id, draft: d.id, aNumber: a.number };
  });
  afterAll(async () => {
    await env?.close();
  });

  const list = (q: Record<string, string> = {}, actor: StaffActor = hub) =>
    listApplications(env, actor, programmeId, toFilter(deskFilterSchema.parse(q)), 1);

  it('lists submitted applications with counts per status, never drafts', async () => {
    const all = await list();
    expect(all.total).toBe(4);
    expect(all.items.map((i) => i.fullName)).not.toContain('下書き 未提出');
    expect(all.items.find((i) => i.anonymised)?.fullName).toBe('(匿名化済み)');
    expect(Object.fromEntries(all.counts.map((c) => [c.status, c.n]))).toMatchObject({
      submitted: 1,
      under_review: 1,
      accepted: 1,
      rejected: 1,
      withdrawn: 0,
    });
    expect(all.seatsTaken).toBe(1);
    expect(all.allowed).toMatchObject({ decide: true, export: true, rubric: true, score: true });
  });

  it('filters by status, prefecture, occupation and keyword on name, furigana or number', async () => {
    expect((await list({ status: 'under_review' })).items.map((i) => i.id)).toEqual([ids.b]);
    expect((await list({ prefecture: '1' })).items.map((i) => i.id).sort()).toEqual([ids.a, ids.c].sort());
    expect((await list({ prefecture: '1', occupation: 'student' })).items.map((i) => i.id)).toEqual([ids.a]);
    expect((await list({ q: '𠮷' })).items.map((i) => i.id)).toEqual([ids.a]);
    expect((await list({ q: 'ﾀｶﾊｼ' })).items.map((i) => i.id)).toEqual([ids.a]); // NFKC: half-width kana
    expect((await list({ q: 'たかはし' })).items.map((i) => i.id)).toEqual([ids.a]); // hiragana finds katakana
    expect((await list({ q: ids.aNumber ?? '' })).items.map((i) => i.id)).toEqual([ids.a]);
    expect((await list({ q: '%' })).total).toBe(0); // LIKE wildcards are literal
    expect((await list({ status: 'draft' })).total).toBe(4); // unknown filter values mean "all"
    expect(deskFilterSchema.safeParse({ q: 'x'.repeat(101) }).success).toBe(false);
    const audited = await env.db
      .selectFrom('audit_log')
      .select(['details', 'subject_id'])
      .where('action', '=', 'applications.listed')
      .orderBy('id')
      .execute();
    expect(audited.map((r) => r.details.filter)).toContainEqual({ prefecture: 1, occupation: 'student' });
    expect(audited.every((r) => r.subject_id === programmeId)).toBe(true);
  });

  it('shows one application with answers and history, and audits every view', async () => {
    await decideApplication(env, hub, { applicationId: ids.a ?? '', to: 'under_review' });
    const d = await getApplicationDetail(env, hub, ids.a ?? '');
    expect(d.application).toMatchObject({ fullName: '髙橋 𠮷子', prefecture: '北海道', occupation: '学生' });
    expect(d.answers).toEqual([
      { label: '志望動機', text: '地域の課題に取り組みたいです。', multiline: true },
      { label: '希望コース', text: 'データ活用', multiline: false },
    ]);
    expect(d.history.map((h) => [h.from, h.to, h.by])).toEqual([
      ['下書き', '申込み済み', '申込者'],
      ['申込み済み', '選考中', 'テスト staff'], // the desk member's account name
    ]);
    await getApplicationDetail(env, hub, ids.a ?? '');
    const views = await env.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'applications.viewed')
      .where('subject_id', '=', ids.a ?? '')
      .execute();
    expect(views).toHaveLength(2);
    expect(views[0]).toMatchObject({
      actor_user_id: hub.userId,
      actor_organisation_id: hub.org.id,
      ip: '192.0.2.10',
    });
    expect(await codeOf(getApplicationDetail(env, hub, ids.draft ?? ''))).toBe('NOT_FOUND');
    expect(await codeOf(getApplicationDetail(env, hub, 'not-a-uuid'))).toBe('NOT_FOUND');
  });

  it('lists only the organisation’s own programmes on the front page', async () => {
    const b = await staffActor(env, 'regional_hub', 'admin');
    await makeProgramme(env, b.org.id, { title: 'B のプログラム' });
    const mine = await listDeskProgrammes(env, hub);
    expect(mine.programmes.map((p) => p.title)).toEqual(['地域DX 北海道']);
    expect(mine.programmes[0]?.total).toBe(4);
    expect(mine.overview).toBe(false);
    expect((await listDeskProgrammes(env, b)).programmes.map((p) => p.title)).toEqual(['B のプログラム']);
    const sec = await listDeskProgrammes(env, await staffActor(env, 'secretariat', 'staff'));
    expect(sec).toMatchObject({ programmes: [], overview: true });
    expect(await codeOf(listDeskProgrammes(env, await staffActor(env, 'regional_hub', 'viewer')))).toBe(
      'FORBIDDEN',
    );
    expect(await codeOf(listDeskProgrammes(env, await learnerActor(env)))).toBe('FORBIDDEN');
    expect(await codeOf(listDeskProgrammes(env, anonymous()))).toBe('UNAUTHENTICATED');
  });

  it('refuses other organisations (the secretariat too), viewers, learners and anonymous visitors', async () => {
    const b = await staffActor(env, 'regional_hub', 'admin');
    const sec = await staffActor(env, 'secretariat', 'admin');
    const before = await env.db
      .selectFrom('audit_log')
      .select('id')
      .where('action', '=', 'security.cross_org_denied')
      .execute();
    for (const actor of [b, sec]) {
      expect(await codeOf(list({}, actor))).toBe('NOT_FOUND');
      expect(await codeOf(getApplicationDetail(env, actor, ids.a ?? ''))).toBe('NOT_FOUND');
    }
    const denied = await env.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'security.cross_org_denied')
      .orderBy('id')
      .execute();
    expect(denied.length - before.length).toBe(4);
    expect(denied.at(-1)).toMatchObject({
      subject_type: 'application',
      subject_id: ids.a,
      actor_user_id: sec.userId,
    });
    const viewer = await staffActor(env, 'regional_hub', 'viewer', hub.org.id);
    expect(await codeOf(list({}, viewer))).toBe('FORBIDDEN');
    expect(await codeOf(getApplicationDetail(env, await learnerActor(env), ids.a ?? ''))).toBe('FORBIDDEN');
    expect(await codeOf(getApplicationDetail(env, anonymous(), ids.a ?? ''))).toBe('UNAUTHENTICATED');
    const missing = '00000000-0000-4000-8000-000000000000';
    expect(await codeOf(listApplications(env, hub, missing, {}, 1))).toBe('NOT_FOUND');
  });
});
