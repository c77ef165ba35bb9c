import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, learnerClient, makeUser, staffClient, type TestApp, testApp } from '../../../test/app.js';
import { makeApplication } from '../../../test/application-factories.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../../test/db.js';
import { makeProgramme } from '../../../test/factories.js';

// Every route of the desk refuses another organisation's staff (the secretariat included), learners and
// anonymous visitors, and a POST without the CSRF token; refused requests change nothing.

type Ids = { pA: string; aA: string; wA: string; cA: string; pB: string };
type Route = {
  method: 'GET' | 'POST';
  path: (i: Ids) => string;
  form?: (i: Ids) => Record<string, string | string[]>;
};

const B = '/admin/applications';
const CRITERION = { label: '書き換え', description: '', scaleMax: '5', weight: '1' };

/** Every route about hub A's programme, applications or criteria, including forms carrying A's ids. */
const ROUTES: Route[] = [
  { method: 'GET', path: (i) => `${B}/programmes/${i.pA}` },
  { method: 'GET', path: (i) => `${B}/programmes/${i.pA}?q=${'x'.repeat(101)}` },
  { method: 'GET', path: (i) => `${B}/programmes/${i.pA}/export.csv` },
  { method: 'GET', path: (i) => `${B}/programmes/${i.pA}/export.xlsx?status=accepted` },
  { method: 'GET', path: (i) => `${B}/programmes/${i.pA}/export.csv?q=${'x'.repeat(101)}` },
  { method: 'GET', path: (i) => `${B}/programmes/${i.pA}/ranking` },
  { method: 'GET', path: (i) => `${B}/programmes/${i.pA}/rubric` },
  { method: 'GET', path: (i) => `${B}/programmes/${i.pA}/rubric/${i.cA}` },
  { method: 'POST', path: (i) => `${B}/programmes/${i.pA}/rubric`, form: () => CRITERION },
  { method: 'POST', path: (i) => `${B}/programmes/${i.pA}/rubric`, form: () => ({ label: '' }) },
  { method: 'POST', path: (i) => `${B}/programmes/${i.pA}/rubric/${i.cA}`, form: () => CRITERION },
  { method: 'POST', path: (i) => `${B}/programmes/${i.pA}/rubric/${i.cA}`, form: () => ({ scaleMax: '99' }) },
  { method: 'POST', path: (i) => `${B}/programmes/${i.pA}/rubric/${i.cA}/remove`, form: () => ({}) },
  {
    method: 'POST',
    path: (i) => `${B}/programmes/${i.pA}/rubric/${i.cA}/move`,
    form: () => ({ direction: 'down' }),
  },
  {
    method: 'POST',
    path: (i) => `${B}/programmes/${i.pA}/rubric/${i.cA}/move`,
    form: () => ({ direction: 'x' }),
  },
  {
    method: 'POST',
    path: (i) => `${B}/programmes/${i.pA}/decisions/preview`,
    form: (i) => ({ to: 'rejected', ids: [i.aA] }),
  },
  { method: 'POST', path: (i) => `${B}/programmes/${i.pA}/decisions/preview`, form: () => ({ to: 'x' }) },
  {
    method: 'POST',
    path: (i) => `${B}/programmes/${i.pA}/decisions`,
    form: (i) => ({ to: 'rejected', items: [`${i.aA}:submitted`] }),
  },
  { method: 'POST', path: (i) => `${B}/programmes/${i.pA}/decisions`, form: () => ({ to: 'accepted' }) },
  {
    method: 'POST',
    path: (i) => `${B}/programmes/${i.pA}/waitlist/promote`,
    form: (i) => ({ expected: i.wA }),
  },
  { method: 'POST', path: (i) => `${B}/programmes/${i.pA}/waitlist/promote`, form: () => ({}) },
  { method: 'GET', path: (i) => `${B}/${i.aA}` },
  { method: 'POST', path: (i) => `${B}/${i.aA}/review`, form: (i) => ({ [`s_${i.cA}`]: '3', comment: 'x' }) },
  { method: 'POST', path: (i) => `${B}/${i.aA}/review`, form: () => ({}) },
  { method: 'POST', path: (i) => `${B}/${i.aA}/conflict`, form: () => ({}) },
  { method: 'POST', path: (i) => `${B}/${i.aA}/conflict/withdraw`, form: () => ({}) },
  // B's own programme in the URL, A's ids in the form or path: refused all the same.
  {
    method: 'POST',
    path: (i) => `${B}/programmes/${i.pB}/decisions/preview`,
    form: (i) => ({ to: 'rejected', ids: [i.aA] }),
  },
  {
    method: 'POST',
    path: (i) => `${B}/programmes/${i.pB}/decisions`,
    form: (i) => ({ to: 'rejected', items: [`${i.aA}:submitted`] }),
  },
  {
    method: 'POST',
    path: (i) => `${B}/programmes/${i.pB}/waitlist/promote`,
    form: (i) => ({ expected: i.wA }),
  },
  { method: 'GET', path: (i) => `${B}/programmes/${i.pB}/rubric/${i.cA}` },
  { method: 'POST', path: (i) => `${B}/programmes/${i.pB}/rubric/${i.cA}`, form: () => CRITERION },
];

describe.each(dbKinds())('desk routes refuse on %s', (kind) => {
  let env: TestEnv;
  let app: TestApp;
  let ids: Ids;
  let hubA: Client;
  let hubB: Client;
  let bUserId: string;

  const send = (c: Client, r: Route, csrf = true) =>
    r.method === 'GET' ? c.get(r.path(ids)) : c.post(r.path(ids), r.form?.(ids) ?? {}, { csrf });

  /** What must not change when a refused request comes in. */
  async function snapshot() {
    const apps = await env.db
      .selectFrom('applications')
      .select(['id', 'status', 'waitlist_position'])
      .where('programme_id', '=', ids.pA)
      .orderBy('id')
      .execute();
    const criteria = await env.db
      .selectFrom('rubric_criteria')
      .selectAll()
      .where('programme_id', '=', ids.pA)
      .orderBy('id')
      .execute();
    const reviews = await env.db
      .selectFrom('application_reviews')
      .select(['application_id', 'reviewer_user_id'])
      .execute();
    const counts = await sql<{ mails: number; history: number; templates: number; exported: number }>`
      select (select count(*)::int from mail_outbox) as mails,
             (select count(*)::int from application_status_history) as history,
             (select count(*)::int from decision_mail_templates) as templates,
             (select count(*)::int from audit_log where action = 'applications.exported') as exported`.execute(
      env.db,
    );
    return JSON.stringify({ apps, criteria, reviews, counts: counts.rows[0] });
  }

  beforeAll(async () => {
    env = await createTestEnv(kind);
    app = testApp(env);
    const a = await staffClient(app, env, 'regional_hub', 'admin');
    hubA = a.client;
    const b = await staffClient(app, env, 'regional_hub', 'admin');
    hubB = b.client;
    bUserId = b.user.id;
    const pA = await makeProgramme(env, a.orgId);
    const pB = await makeProgramme(env, b.orgId);
    const aA = await makeApplication(env, pA, { fullName: '秘密 花子', email: 'secret.hanako@example.jp' });
    await makeApplication(env, pA, { status: 'accepted' });
    const wA = await makeApplication(env, pA, { status: 'waitlisted', waitlistPosition: 1 });
    await makeApplication(env, pB);
    const created = await hubA.post(`${B}/programmes/${pA}/rubric`, {
      label: '課題理解',
      description: '',
      scaleMax: '5',
      weight: '1',
    });
    expect(created.status).toBe(303);
    const c = await env.db
      .selectFrom('rubric_criteria')
      .select('id')
      .where('programme_id', '=', pA)
      .executeTakeFirstOrThrow();
    ids = { pA, aA: aA.id, wA: wA.id, cA: c.id, pB };
  });
  afterAll(() => env.close());

  it("refuses hub B and the secretariat on every route of hub A's desk (404, audited), changing nothing", async () => {
    const sec = await staffClient(app, env, 'secretariat', 'admin');
    const before = await snapshot();
    for (const [who, c] of [
      ['hub B', hubB],
      ['secretariat', sec.client],
    ] as const) {
      for (const r of ROUTES) {
        const res = await send(c, r);
        expect(res.status, `${who} ${r.method} ${r.path(ids)}`).toBe(404);
        const body = await res.text();
        expect(body).not.toContain('秘密 花子');
        expect(body).not.toContain('secret.hanako');
      }
    }
    expect(await snapshot()).toBe(before);
    for (const userId of [bUserId, sec.user.id]) {
      const denied = await env.db
        .selectFrom('audit_log')
        .select(['subject_type', 'subject_id'])
        .where('action', '=', 'security.cross_org_denied')
        .where('actor_user_id', '=', userId)
        .execute();
      expect(denied).toHaveLength(ROUTES.length);
      // (for the secretariat, B's programme in the tampered routes is already another organisation's)
      const named = [ids.pA, ids.aA, ids.wA, ids.cA, ...(userId === bUserId ? [] : [ids.pB])];
      expect(denied.filter((d) => !named.includes(d.subject_id ?? ''))).toEqual([]);
    }
    // B's own desk front page does not list A's programme.
    const index = await hubB.get(B);
    expect(index.status).toBe(200);
    expect(await index.text()).not.toContain(ids.pA);
  });

  it('refuses learners, viewers and METI the desk (403/404), and reviewers the runners’ routes', async () => {
    const { client: learner } = await learnerClient(app, env);
    const { client: meti } = await staffClient(app, env, 'ministry', 'admin');
    const aOrg = await env.db
      .selectFrom('programmes')
      .select('organisation_id')
      .where('id', '=', ids.pA)
      .executeTakeFirstOrThrow();
    const viewer = await new Client(app, env).signInAs(
      (await makeUser(env, { orgId: aOrg.organisation_id, role: 'viewer' })).id,
      aOrg.organisation_id,
    );
    const before = await snapshot();
    for (const c of [learner, meti, viewer])
      for (const r of ROUTES)
        expect([403, 404], `${r.method} ${r.path(ids)}`).toContain((await send(c, r)).status);
    for (const path of [B, `${B}/templates`, `${B}/overview`])
      expect((await learner.get(path)).status).toBe(403);
    expect((await viewer.get(B)).status).toBe(403);
    expect((await learner.post(`${B}/templates/accepted`, { body: 'x' })).status).toBe(403);
    // METI reads the overview's figures (decision in desk.policy.ts); the people behind them stay hidden.
    expect((await meti.get(`${B}/overview`)).status).toBe(200);
    expect((await hubA.get(`${B}/overview`)).status).toBe(403);
    // A's reviewer reads and scores, but does not decide, edit the rubric, export or edit templates.
    const reviewer = await new Client(app, env).signInAs(
      (await makeUser(env, { orgId: aOrg.organisation_id, role: 'reviewer' })).id,
      aOrg.organisation_id,
    );
    expect((await reviewer.get(`${B}/${ids.aA}`)).status).toBe(200);
    for (const r of ROUTES.filter(
      (x) => /export|decisions|promote|rubric\/|rubric$/.test(x.path(ids)) && x.path(ids).includes(ids.pA),
    )) {
      if (r.method === 'GET' && r.path(ids).endsWith('/rubric')) continue; // reading the rubric is allowed
      expect([403, 404], `${r.method} ${r.path(ids)}`).toContain((await send(reviewer, r)).status);
    }
    expect((await reviewer.get(`${B}/templates`)).status).toBe(403);
    expect(await snapshot()).toBe(before);
  });

  it('sends anonymous visitors to sign in, refuses their POSTs, and refuses POSTs without the CSRF token', async () => {
    const anon = new Client(app, env);
    const before = await snapshot();
    const global: Route[] = [
      { method: 'GET', path: () => B },
      { method: 'GET', path: () => `${B}/templates` },
      { method: 'GET', path: () => `${B}/overview` },
      { method: 'POST', path: () => `${B}/templates/accepted`, form: () => ({ body: '{氏名} 様' }) },
      { method: 'POST', path: () => `${B}/templates/accepted/reset`, form: () => ({}) },
    ];
    for (const r of [...ROUTES, ...global]) {
      const res = await send(anon, r);
      if (r.method === 'GET') {
        expect(res.status, r.path(ids)).toBe(303);
        expect(res.headers.get('location')).toMatch(/^\/login\?next=/);
      } else {
        expect([401, 403], `${r.method} ${r.path(ids)}`).toContain(res.status);
        expect((await send(anon, r, false)).status).toBe(403);
      }
    }
    // A's own admin without the token: refused before anything happens.
    for (const r of [...ROUTES, ...global].filter((x) => x.method === 'POST'))
      expect((await send(hubA, r, false)).status, r.path(ids)).toBe(403);
    expect(await snapshot()).toBe(before);
  });

  it('keeps each organisation’s templates its own: B’s edit leaves A’s mail text alone', async () => {
    expect((await hubB.post(`${B}/templates/rejected`, { body: 'B だけの文面 {氏名}' })).status).toBe(303);
    const aPage = await (await hubA.get(`${B}/templates`)).text();
    expect(aPage).not.toContain('B だけの文面');
    expect(await (await hubB.get(`${B}/templates?done=saved`)).text()).toContain('B だけの文面');
  });

  it('answers malformed and unknown ids with 404', async () => {
    for (const path of [
      `${B}/not-a-uuid`,
      `${B}/00000000-0000-4000-8000-000000000000`,
      `${B}/programmes/x`,
      `${B}/programmes/00000000-0000-4000-8000-000000000000`,
      `${B}/programmes/${ids.pA}/rubric/x`,
      `${B}/templates/unknown/reset`,
    ])
      expect((await (path.endsWith('reset') ? hubA.post(path, {}) : hubA.get(path))).status, path).toBe(404);
  });
});
