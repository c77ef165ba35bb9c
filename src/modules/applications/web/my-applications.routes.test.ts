import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, learnerClient, makeOrg, staffClient, type TestApp, testApp } from '../../../test/app.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../../test/db.js';
import { makeProgramme } from '../../../test/factories.js';

const FILLED = {
  fullName: '髙橋 𠮷子 😀',
  furigana: 'たかはし よしこ',
  prefectureCode: '27',
  occupation: 'worker',
  affiliation: '株式会社テスト',
  pledge: 'yes',
  consentPurpose: 'yes',
  consentProvision: 'yes',
  q_motivation: '地域の企業と DX に取り組みたい。',
  q_track: 'データ活用',
};

type Route = { method: 'GET' | 'POST'; path: (id: string) => string };
/** Every route of myApplicationsRoutes() that names an application. */
const BY_ID: Route[] = [
  { method: 'GET', path: (id) => `/my/applications/${id}` },
  { method: 'GET', path: (id) => `/my/applications/${id}/withdraw` },
  { method: 'POST', path: (id) => `/my/applications/${id}/withdraw` },
];

describe.each(dbKinds())('my applications pages on %s', (kind) => {
  let env: TestEnv;
  let app: TestApp;
  let pid: string;

  /** A learner who has applied through the pages; returns the client and the application id. */
  async function applicant() {
    const l = await learnerClient(app, env);
    await l.client.post(`/programmes/${pid}/apply/eligibility`, { e_age: 'yes' });
    const html = await (await l.client.get(`/programmes/${pid}/apply`)).text();
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const res = await l.client.post(`/programmes/${pid}/apply/submit`, {
      ...FILLED,
      email: l.user.email,
      idempotencyKey: key,
    });
    expect(res.status).toBe(303);
    const row = await env.db
      .selectFrom('applications')
      .select(['id', 'number'])
      .where('applicant_user_id', '=', l.user.id)
      .executeTakeFirstOrThrow();
    return { ...l, id: row.id, number: row.number ?? '' };
  }
  const denials = async () =>
    (
      await env.db
        .selectFrom('audit_log')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('action', '=', 'security.cross_user_denied')
        .executeTakeFirstOrThrow()
    ).n;
  const statusOf = async (id: string) =>
    (await env.db.selectFrom('applications').select('status').where('id', '=', id).executeTakeFirstOrThrow())
      .status;

  beforeAll(async () => {
    env = await createTestEnv(kind);
    app = testApp(env);
    pid = await makeProgramme(env, await makeOrg(env, 'regional_hub'));
  });
  afterAll(async () => {
    await env?.close();
  });

  it('lists the applications and shows one with its history', async () => {
    const a = await applicant();
    const list = await (await a.client.get('/my/applications')).text();
    expect(list).toContain('<h1>申込み一覧</h1>');
    expect(list).toContain(a.number);
    expect(list).toContain('申込み済み');
    expect(list).toContain(`href="/my/applications/${a.id}"`);
    const detail = await a.client.get(`/my/applications/${a.id}`);
    expect(detail.status).toBe(200);
    const html = await detail.text();
    expect(html).toContain('髙橋 𠮷子 😀');
    expect(html).toContain('タカハシ ヨシコ');
    expect(html).toContain('大阪府');
    expect(html).toContain('状況の履歴');
  });

  it('withdraws after a confirmation step', async () => {
    const a = await applicant();
    const confirm = await a.client.get(`/my/applications/${a.id}/withdraw`);
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain('取り下げると元に戻せません');
    const res = await a.client.post(`/my/applications/${a.id}/withdraw`, {});
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/my/applications/${a.id}?done=withdrawn`);
    const after = await (await a.client.get(`/my/applications/${a.id}?done=withdrawn`)).text();
    expect(after).toContain('申込みを取り下げました。');
    expect(after).toContain('辞退・取下げ');
    expect(await statusOf(a.id)).toBe('withdrawn');
    expect((await a.client.post(`/my/applications/${a.id}/withdraw`, {})).status).toBe(409);
  });

  it('downloads my data as a UTF-8 JSON attachment', async () => {
    const a = await applicant();
    const res = await a.client.get('/my/applications/export');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="dxq-my-data-[\d-]+\.json"$/,
    );
    const data = JSON.parse(new TextDecoder('utf-8').decode(await res.arrayBuffer()));
    expect(data.applications[0]).toMatchObject({ number: a.number, fullName: '髙橋 𠮷子 😀' });
  });

  it("refuses someone else's application on every route — another learner, staff, anonymous", async () => {
    const owner = await applicant();
    const other = await learnerClient(app, env);
    const { client: staff } = await staffClient(app, env, 'regional_hub');
    const anon = new Client(app, env);
    const before = await denials();
    for (const r of BY_ID) {
      const send = (c: Client) =>
        r.method === 'GET' ? c.get(r.path(owner.id)) : c.post(r.path(owner.id), {});
      expect((await send(other.client)).status, `${r.method} ${r.path('…')} as another learner`).toBe(404);
      expect((await send(staff)).status, `${r.method} ${r.path('…')} as staff`).toBe(404);
      const a = await send(anon);
      expect(a.status, `${r.method} ${r.path('…')} anonymous`).toBe(r.method === 'GET' ? 303 : 401);
      if (r.method === 'GET') expect(a.headers.get('location')).toMatch(/^\/login\/link\?next=/);
    }
    expect((await denials()) - before).toBe(BY_ID.length * 2);
    expect(await statusOf(owner.id)).toBe('submitted');
    // Pages about "my" applications are for learners only.
    expect((await staff.get('/my/applications')).status).toBe(403);
    expect((await staff.get('/my/applications/export')).status).toBe(403);
    expect((await anon.get('/my/applications/export')).status).toBe(303);
    // The other learner's own list does not show the owner's application.
    expect(await (await other.client.get('/my/applications')).text()).not.toContain(owner.number);
  });

  it('refuses a withdrawal without the CSRF token', async () => {
    const a = await applicant();
    expect((await a.client.post(`/my/applications/${a.id}/withdraw`, {}, { csrf: false })).status).toBe(403);
    expect(await statusOf(a.id)).toBe('submitted');
  });
});
