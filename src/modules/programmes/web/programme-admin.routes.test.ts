import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, learnerClient, makeUser, staffClient, type TestApp, testApp } from '../../../test/app.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../../test/db.js';
import { makeProgramme } from '../../../test/factories.js';
import { toJstLocal } from '../jst.js';

type Ids = { draft: string; submitted: string; published: string; closed: string; qid: string };
type Route = { method: 'GET' | 'POST'; path: (a: Ids) => string; form?: Record<string, string | string[]> };

const DAY = 24 * 3_600_000;
const P = '/admin/programmes';

/** A complete programme form as the page posts it (window around `now`, in Japan time). */
function programmeForm(now: Date, overrides: Record<string, string | string[]> = {}) {
  return {
    fiscalYear: '2026',
    title: '地域DXプログラム',
    summary: '地域の中小企業と DX に取り組みます',
    descriptionMd: '## 内容\n\n実データで取り組みます',
    format: 'hybrid',
    prefectureCodes: ['13', '14'],
    venue: '千代田区',
    startsOn: '2026-08-01',
    endsOn: '2026-10-31',
    scheduleNote: '',
    opensAt: toJstLocal(new Date(now.getTime() - DAY)),
    closesAt: toJstLocal(new Date(now.getTime() + 7 * DAY)),
    capacity: '30',
    feeYen: '0',
    targetLearners: '社会人・学生',
    weeklyHours: '6',
    commitmentRequired: 'yes',
    dxStage: 'pattern2',
    skillCodes: ['1.1.1', '2.3.1'],
    ...overrides,
  };
}

/** Every route of programmeAdminRoutes() that names one of hub A's programmes. */
const ROUTES: Route[] = [
  { method: 'GET', path: (a) => `${P}/${a.draft}` },
  { method: 'GET', path: (a) => `${P}/${a.draft}/edit` },
  {
    method: 'POST',
    path: (a) => `${P}/${a.draft}/edit`,
    form: { title: '乗っ取り', format: 'online', fiscalYear: '2026', feeYen: '0' },
  },
  { method: 'POST', path: (a) => `${P}/${a.draft}/edit`, form: { title: '' } },
  { method: 'POST', path: (a) => `${P}/${a.draft}/submit` },
  { method: 'POST', path: (a) => `${P}/${a.submitted}/approve` },
  { method: 'POST', path: (a) => `${P}/${a.submitted}/return`, form: { comment: '差し戻し' } },
  { method: 'POST', path: (a) => `${P}/${a.submitted}/return`, form: { comment: '' } },
  { method: 'POST', path: (a) => `${P}/${a.published}/close` },
  { method: 'POST', path: (a) => `${P}/${a.closed}/archive` },
  { method: 'GET', path: (a) => `${P}/${a.draft}/questions` },
  {
    method: 'POST',
    path: (a) => `${P}/${a.draft}/questions/extra`,
    form: { kind: 'short_text', label: '侵入' },
  },
  { method: 'POST', path: (a) => `${P}/${a.draft}/questions/extra`, form: { kind: 'x', label: '' } },
  {
    method: 'POST',
    path: (a) => `${P}/${a.draft}/questions/eligibility`,
    form: { kind: 'yes_no', label: '' },
  },
  { method: 'POST', path: (a) => `${P}/${a.draft}/questions/extra/${a.qid}/remove` },
  {
    method: 'POST',
    path: (a) => `${P}/${a.draft}/questions/extra/${a.qid}/move`,
    form: { direction: 'down' },
  },
  { method: 'POST', path: (a) => `${P}/${a.draft}/questions/extra/${a.qid}/move`, form: { direction: 'x' } },
];
/** Routes not about one programme. */
const GLOBAL: Route[] = [
  { method: 'GET', path: () => P },
  { method: 'GET', path: () => `${P}/review` },
  { method: 'GET', path: () => `${P}/new` },
  {
    method: 'POST',
    path: () => `${P}/new`,
    form: { title: 'x', format: 'online', fiscalYear: '2026', feeYen: '0' },
  },
];

describe.each(dbKinds())('programme management pages on %s', (kind) => {
  let env: TestEnv;
  let app: TestApp;
  let a: Ids;
  let orgA: string;
  let hubA: Client;
  let sec: Client;

  const send = (c: Client, r: Route, ids: Ids, csrf = true) =>
    r.method === 'GET' ? c.get(r.path(ids)) : c.post(r.path(ids), r.form ?? {}, { csrf });

  /** What must not change when a refused request comes in. */
  async function snapshot() {
    const rows = await env.db
      .selectFrom('programmes')
      .selectAll()
      .where('organisation_id', '=', orgA)
      .orderBy('id')
      .execute();
    const n = await env.db
      .selectFrom('programmes')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    return JSON.stringify({ rows, n });
  }

  beforeAll(async () => {
    env = await createTestEnv(kind);
    app = testApp(env);
    const s = await staffClient(app, env, 'regional_hub', 'admin');
    hubA = s.client;
    orgA = s.orgId;
    sec = (await staffClient(app, env, 'secretariat', 'staff')).client;
    const created = await hubA.post(`${P}/new`, programmeForm(env.clock.now(), { title: 'A の下書き' }));
    expect(created.status).toBe(303);
    const draft = (created.headers.get('location') ?? '').split('/')[3]?.split('?')[0] ?? '';
    expect(
      (
        await hubA.post(`${P}/${draft}/questions/extra`, {
          kind: 'long_text',
          label: '志望動機',
          required: 'yes',
        })
      ).status,
    ).toBe(303);
    expect((await hubA.post(`${P}/${draft}/questions/extra`, { kind: 'yes_no', label: '経験' })).status).toBe(
      303,
    );
    const row = await env.db
      .selectFrom('programmes')
      .select('extra_questions')
      .where('id', '=', draft)
      .executeTakeFirstOrThrow();
    const qid = (row.extra_questions as { id: string }[])[0]?.id ?? '';
    a = {
      draft,
      qid,
      submitted: await makeProgramme(env, orgA, { status: 'submitted', title: 'A の申請中' }),
      published: await makeProgramme(env, orgA, { title: 'A の公開中' }),
      closed: await makeProgramme(env, orgA, { status: 'closed', title: 'A の終了' }),
    };
  });
  afterAll(() => env.close());

  it("refuses another hub's admin on every route of hub A's programmes (404, audited), changing nothing", async () => {
    const { client: hubB, user: bUser } = await staffClient(app, env, 'regional_hub', 'admin');
    const before = await snapshot();
    for (const r of ROUTES) {
      const res = await send(hubB, r, a);
      expect([403, 404], `${r.method} ${r.path(a)}`).toContain(res.status);
      expect(await res.text()).not.toContain('A の');
    }
    expect(await snapshot()).toBe(before);
    const denied = await env.db
      .selectFrom('audit_log')
      .select('subject_id')
      .where('action', '=', 'security.cross_org_denied')
      .where('actor_user_id', '=', bUser.id)
      .execute();
    expect(denied).toHaveLength(ROUTES.length);
    expect(denied.every((d) => Object.values(a).includes(d.subject_id ?? ''))).toBe(true);
    // B's own list shows none of A's programmes; the review queue is the secretariat's.
    const list = await hubB.get(P);
    expect(list.status).toBe(200);
    expect(await list.text()).not.toContain('A の');
    expect((await hubB.get(`${P}/review`)).status).toBe(403);
  });

  it("refuses learners, A's viewers on writes, and METI on writes", async () => {
    const { client: learner } = await learnerClient(app, env);
    const viewer = await new Client(app, env).signInAs(
      (await makeUser(env, { orgId: orgA, role: 'viewer' })).id,
      orgA,
    );
    const { client: meti } = await staffClient(app, env, 'ministry', 'viewer');
    const before = await snapshot();
    for (const r of [...ROUTES, ...GLOBAL]) {
      expect([403, 404], `learner ${r.method} ${r.path(a)}`).toContain((await send(learner, r, a)).status);
    }
    for (const c of [viewer, meti]) {
      for (const r of [...ROUTES, ...GLOBAL].filter((x) => x.method === 'POST')) {
        expect([403, 409], `${r.method} ${r.path(a)}`).toContain((await send(c, r, a)).status);
      }
      expect((await c.get(`${P}/${a.draft}`)).status).toBe(200); // they may look
    }
    expect(await snapshot()).toBe(before);
  });

  it('sends anonymous visitors to sign in, refuses their POSTs, and refuses POSTs without the CSRF token', async () => {
    const anon = new Client(app, env);
    const before = await snapshot();
    for (const r of [...ROUTES, ...GLOBAL]) {
      const res = await send(anon, r, a);
      if (r.method === 'GET') {
        expect(res.status, r.path(a)).toBe(303);
        expect(res.headers.get('location')).toMatch(/^\/login\?next=/);
      } else {
        expect([401, 403], `${r.method} ${r.path(a)}`).toContain(res.status);
        expect((await send(anon, r, a, false)).status).toBe(403);
      }
    }
    for (const r of [...ROUTES, ...GLOBAL].filter((x) => x.method === 'POST')) {
      expect((await send(hubA, r, a, false)).status, `${r.path(a)} without token`).toBe(403);
      expect((await send(sec, r, a, false)).status).toBe(403);
    }
    expect(await snapshot()).toBe(before);
  });

  it('re-renders bad input with 422 and the Japanese field message, writing nothing', async () => {
    const before = await snapshot();
    const cases: [Client, string, Record<string, string | string[]>, string][] = [
      [hubA, `${P}/new`, programmeForm(env.clock.now(), { title: '　' }), 'プログラム名を入力してください'],
      [
        hubA,
        `${P}/${a.draft}/edit`,
        programmeForm(env.clock.now(), { capacity: '0' }),
        '定員は1〜100,000の整数で入力してください',
      ],
      [
        hubA,
        `${P}/${a.draft}/edit`,
        programmeForm(env.clock.now(), { opensAt: '2026-02-30T10:00' }),
        '募集開始日時は正しい日時で入力してください',
      ],
      [
        hubA,
        `${P}/${a.draft}/edit`,
        programmeForm(env.clock.now(), { skillCodes: ['9.9.9'] }),
        'スキル標準にない項目が含まれています',
      ],
      [sec, `${P}/${a.submitted}/return`, { comment: '' }, '差し戻しの理由を入力してください'],
      [
        hubA,
        `${P}/${a.draft}/questions/extra`,
        { kind: 'choice', label: '選択', options: 'ひとつ' },
        '選択肢を2つ以上入力してください',
      ],
      [
        hubA,
        `${P}/${a.draft}/questions/eligibility`,
        { kind: 'yes_no', label: '', acceptable: 'はい' },
        '質問文を入力してください',
      ],
    ];
    for (const [client, path, form, message] of cases) {
      const res = await client.post(path, form);
      expect(res.status, path).toBe(422);
      const html = await res.text();
      expect(html, path).toContain(message);
      expect(html).toContain('入力内容に誤りがあります');
    }
    // The form keeps what was typed, including every ticked checkbox.
    const kept = await (await hubA.post(`${P}/new`, programmeForm(env.clock.now(), { title: '' }))).text();
    expect(kept).toMatch(/name="prefectureCodes" value="14" checked/);
    expect(kept).toMatch(/name="skillCodes" value="2\.3\.1" checked/);
    expect(kept).toContain('aria-invalid="true"');
    expect(await snapshot()).toBe(before);
  });

  it('shows script text in a title escaped on every page', async () => {
    const xss = '<script>alert(1)</script>';
    const res = await hubA.post(
      `${P}/new`,
      programmeForm(env.clock.now(), { title: xss, summary: '"><img src=x onerror=alert(1)>' }),
    );
    expect(res.status).toBe(303);
    const id = (res.headers.get('location') ?? '').split('/')[3]?.split('?')[0] ?? '';
    expect((await hubA.post(`${P}/${id}/submit`, {})).status).toBe(303);
    const pages: [Client, string][] = [
      [hubA, `${P}/${id}`],
      [hubA, `${P}/${id}/questions`],
      [hubA, P],
      [sec, `${P}/review`],
      [sec, `${P}/${id}`],
      [sec, P],
    ];
    for (const [client, path] of pages) {
      const html = await (await client.get(path)).text();
      expect(html, path).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html, path).not.toContain('<script>alert(1)');
      expect(html, path).not.toContain('<img src=x');
    }
    await env.db.updateTable('programmes').set({ status: 'draft' }).where('id', '=', id).execute();
    const edit = await (await hubA.get(`${P}/${id}/edit`)).text();
    expect(edit).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;"');
  });

  it('runs the whole flow: create, send back, resubmit, approve, edit content, close, archive', async () => {
    const now = env.clock.now();
    const created = await hubA.post(
      `${P}/new`,
      programmeForm(now, {
        title: '流れの確認',
        opensAt: '2026-06-01T10:00',
        closesAt: toJstLocal(new Date(now.getTime() + 30 * DAY)),
        summary: '',
      }),
    );
    expect(created.status).toBe(303);
    const loc = created.headers.get('location') ?? '';
    expect(loc).toMatch(/^\/admin\/programmes\/[0-9a-f-]{36}\?done=created$/);
    const id = loc.split('/')[3]?.split('?')[0] ?? '';
    const stored = await env.db
      .selectFrom('programmes')
      .select(['opens_at', 'layer'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(stored.opens_at?.toISOString()).toBe('2026-06-01T01:00:00.000Z'); // 10:00 JST
    expect(stored.layer).toBe(3);
    const page = await (await hubA.get(loc)).text();
    expect(page).toContain('プログラムを下書きとして登録しました。');
    expect(page).toContain('公開の申請までに必要なこと');
    expect(await (await hubA.get(`${P}/${id}/edit`)).text()).toContain('value="2026-06-01T10:00"');

    const incomplete = await hubA.post(`${P}/${id}/submit`, {});
    expect(incomplete.status).toBe(422);
    const missing = await incomplete.text();
    expect(missing).toContain('公開を申請できません');
    expect(missing).toContain(`href="/admin/programmes/${id}/edit#f-summary"`);
    expect(missing).toContain('概要を入力してください');
    const short = programmeForm(now, { title: '流れの確認', weeklyHours: '5' });
    expect((await hubA.post(`${P}/${id}/edit`, short)).status).toBe(303);
    expect(await (await hubA.post(`${P}/${id}/submit`, {})).text()).toContain('週6時間以上にしてください');
    expect((await hubA.post(`${P}/${id}/edit`, programmeForm(now, { title: '流れの確認' }))).status).toBe(
      303,
    );
    expect((await hubA.post(`${P}/${id}/submit`, {})).headers.get('location')).toBe(
      `${P}/${id}?done=submitted`,
    );

    expect(await (await sec.get(`${P}/review`)).text()).toContain('流れの確認');
    const returned = await sec.post(`${P}/${id}/return`, { comment: '<b>定員</b>を見直してください' });
    expect(returned.headers.get('location')).toBe(`${P}/${id}?done=returned`);
    const back = await (await hubA.get(`${P}/${id}`)).text();
    expect(back).toContain('事務局からのコメント');
    expect(back).toContain('&lt;b&gt;定員&lt;/b&gt;を見直してください');

    expect((await hubA.post(`${P}/${id}/submit`, {})).status).toBe(303);
    expect((await sec.post(`${P}/${id}/approve`, {})).headers.get('location')).toBe(
      `${P}/${id}?done=approved`,
    );
    const again = await sec.post(`${P}/${id}/approve`, {});
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('公開申請中のプログラムではありません');

    // Published: only content fields are on the form and are saved; terms stay as approved.
    const editPage = await (await hubA.get(`${P}/${id}/edit`)).text();
    expect(editPage).toContain(
      '公開中のプログラムは、名称・概要・詳細説明・会場・日程・定員だけを変更できます',
    );
    expect(editPage).not.toContain('name="feeYen"');
    const fix = await hubA.post(`${P}/${id}/edit`, {
      ...programmeForm(now, { title: '流れの確認(改)', feeYen: '99999' }),
    });
    expect(fix.status).toBe(303);
    const after = await env.db
      .selectFrom('programmes')
      .select(['title', 'fee_yen', 'status'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ title: '流れの確認(改)', fee_yen: 0, status: 'published' });

    expect((await hubA.post(`${P}/${id}/close`, {})).headers.get('location')).toBe(`${P}/${id}?done=closed`);
    expect((await sec.post(`${P}/${id}/archive`, {})).headers.get('location')).toBe(
      `${P}/${id}?done=archived`,
    );
    const finalPage = await hubA.get(`${P}/${id}?done=archived`);
    const html = await finalPage.text();
    expect(html).toContain('アーカイブしました。');
    expect(html.match(/<h1[\s>]/g)).toHaveLength(1);
    expect((await hubA.get(`${P}/${id}/edit`)).status).toBe(409);
  });

  it('edits questions without JavaScript, and refuses once applications exist', async () => {
    const id = await makeProgramme(env, orgA, { title: '質問の確認' });
    const qpage = `${P}/${id}/questions`;
    const add = await hubA.post(`${qpage}/eligibility`, {
      kind: 'choice',
      label: '居住地',
      options: '県内\n県外',
      acceptable: '県内',
      ineligibleMessage: '県内の方が対象です。',
    });
    expect(add.headers.get('location')).toBe(`${qpage}?done=question_added`);
    const moved = await hubA.post(`${qpage}/extra/track/move`, { direction: 'up' });
    expect(moved.headers.get('location')).toBe(`${qpage}?done=question_moved`);
    const html = await (await hubA.get(`${qpage}?done=question_moved`)).text();
    expect(html.indexOf('希望コース')).toBeLessThan(html.indexOf('志望動機'));
    expect(html).toContain('居住地');
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
    const refused = await hubA.post(`${qpage}/extra/track/remove`, {});
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('既に申込みがあるため、質問は変更できません');
    expect(await (await hubA.get(qpage)).text()).not.toContain('を削除');
  });

  it('filters the secretariat list by status, layer, organisation and year', async () => {
    const { orgId: opOrg } = await staffClient(app, env, 'case_study_operator', 'admin');
    await makeProgramme(env, opOrg, {
      layer: 2,
      title: '2層のケーススタディ',
      dx_stage: null,
      fiscal_year: 2025,
    });
    const all = await (await sec.get(P)).text();
    expect(all).toContain('2層のケーススタディ');
    expect(all).toContain('A の公開中');
    const layer2 = await (await sec.get(`${P}?layer=2`)).text();
    expect(layer2).toContain('2層のケーススタディ');
    expect(layer2).not.toContain('A の公開中');
    const byOrg = await (await sec.get(`${P}?org=${orgA}&status=closed`)).text();
    expect(byOrg).toContain('A の終了');
    expect(byOrg).not.toContain('A の公開中');
    expect(await (await sec.get(`${P}?fy=2025`)).text()).not.toContain('A の公開中');
    expect((await sec.get(`${P}?status=<script>&layer=x&org=1&fy=abc`)).status).toBe(200);
  });

  it('answers malformed ids with 404', async () => {
    expect((await sec.get(`${P}/not-a-uuid`)).status).toBe(404);
    expect((await sec.get(`${P}/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    expect((await hubA.post(`${P}/${a.draft}/questions/other/${a.qid}/remove`, {})).status).toBe(404);
    expect((await hubA.post(`${P}/${a.draft}/questions/extra/BAD-ID/remove`, {})).status).toBe(404);
  });
});
