import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, learnerClient, makeUser, staffClient, type TestApp, testApp } from '../../../test/app.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../../test/db.js';

type Ids = { orgId: string; adminId: string; memberId: string; invitationId: string };
type Route = { method: 'GET' | 'POST'; path: (a: Ids) => string; form?: Record<string, string> };

const ORG_FORM = { name: '書き換え', nameEn: '', kind: 'regional_hub', prefectureCode: '13' };

/** Every route of organisationRoutes(), on hub A's records. */
const ROUTES: Route[] = [
  { method: 'GET', path: (a) => `/admin/organisations/${a.orgId}` },
  { method: 'GET', path: (a) => `/admin/organisations/${a.orgId}/edit` },
  { method: 'POST', path: (a) => `/admin/organisations/${a.orgId}/edit`, form: ORG_FORM },
  { method: 'POST', path: (a) => `/admin/organisations/${a.orgId}/edit`, form: { name: '' } },
  {
    method: 'POST',
    path: (a) => `/admin/organisations/${a.orgId}/invitations`,
    form: { email: 'evil@example.jp', role: 'admin' },
  },
  {
    method: 'POST',
    path: (a) => `/admin/organisations/${a.orgId}/invitations`,
    form: { email: 'bad', role: 'x' },
  },
  {
    method: 'POST',
    path: (a) => `/admin/organisations/${a.orgId}/invitations/${a.invitationId}/revoke`,
    form: {},
  },
  {
    method: 'POST',
    path: (a) => `/admin/organisations/${a.orgId}/members/${a.adminId}/role`,
    form: { role: 'viewer' },
  },
  {
    method: 'POST',
    path: (a) => `/admin/organisations/${a.orgId}/members/${a.adminId}/role`,
    form: { role: 'x' },
  },
  { method: 'POST', path: (a) => `/admin/organisations/${a.orgId}/members/${a.memberId}/remove`, form: {} },
];
/** Routes not about one organisation. */
const GLOBAL: Route[] = [
  { method: 'GET', path: () => '/admin/organisations/new' },
  { method: 'POST', path: () => '/admin/organisations/new', form: ORG_FORM },
];

describe.each(dbKinds())('organisation pages on %s', (kind) => {
  let env: TestEnv;
  let app: TestApp;
  let a: Ids;
  let hubA: Client;

  const send = (c: Client, r: Route, ids: Ids, csrf = true) =>
    r.method === 'GET' ? c.get(r.path(ids)) : c.post(r.path(ids), r.form ?? {}, { csrf });

  /** What must not change when a refused request comes in. */
  async function snapshot() {
    const org = await env.db
      .selectFrom('organisations')
      .select(['name', 'kind'])
      .where('id', '=', a.orgId)
      .executeTakeFirstOrThrow();
    const members = await env.db
      .selectFrom('memberships')
      .select(['user_id', 'role'])
      .where('organisation_id', '=', a.orgId)
      .orderBy('user_id')
      .execute();
    const invitations = await env.db
      .selectFrom('invitations')
      .select(['id', 'revoked_at'])
      .where('organisation_id', '=', a.orgId)
      .orderBy('id')
      .execute();
    const orgCount = await env.db
      .selectFrom('organisations')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    return JSON.stringify({ org, members, invitations, orgCount });
  }

  beforeAll(async () => {
    env = await createTestEnv(kind);
    app = testApp(env);
    const s = await staffClient(app, env, 'regional_hub', 'admin');
    hubA = s.client;
    const member = await makeUser(env, { orgId: s.orgId, role: 'staff' });
    // An open invitation in A, made the way the page makes it.
    expect(
      (
        await hubA.post(`/admin/organisations/${s.orgId}/invitations`, {
          email: 'pending@example.jp',
          role: 'viewer',
        })
      ).status,
    ).toBe(303);
    const inv = await env.db
      .selectFrom('invitations')
      .select('id')
      .where('organisation_id', '=', s.orgId)
      .executeTakeFirstOrThrow();
    a = { orgId: s.orgId, adminId: s.user.id, memberId: member.id, invitationId: inv.id };
  });
  afterAll(() => env.close());

  it("refuses another hub's admin on every route of hub A (404, audited), changing nothing", async () => {
    const { client: hubB, user: bUser } = await staffClient(app, env, 'regional_hub', 'admin');
    const before = await snapshot();
    for (const r of ROUTES) {
      const res = await send(hubB, r, a);
      expect([403, 404], `${r.method} ${r.path(a)}`).toContain(res.status);
      expect(await res.text()).not.toContain('pending@example.jp');
    }
    for (const r of GLOBAL) expect((await send(hubB, r, a)).status, `${r.method} ${r.path(a)}`).toBe(403);
    expect(await snapshot()).toBe(before);
    const denied = await env.db
      .selectFrom('audit_log')
      .select(['subject_id'])
      .where('action', '=', 'security.cross_org_denied')
      .where('actor_user_id', '=', bUser.id)
      .execute();
    expect(denied).toHaveLength(ROUTES.length);
    expect(denied.every((d) => d.subject_id === a.orgId)).toBe(true);
    // The list sends B to B's own page, never A's.
    const list = await hubB.get('/admin/organisations');
    expect(list.status).toBe(303);
    expect(list.headers.get('location')).not.toContain(a.orgId);
  });

  it('refuses learners, METI viewers and hub staff without the role', async () => {
    const { client: learner } = await learnerClient(app, env);
    const { client: meti } = await staffClient(app, env, 'ministry', 'viewer');
    const before = await snapshot();
    for (const c of [learner, meti]) {
      for (const r of [...ROUTES, ...GLOBAL]) {
        const res = await send(c, r, a);
        expect([403, 404], `${r.method} ${r.path(a)}`).toContain(res.status);
      }
    }
    expect((await learner.get('/admin/organisations')).status).toBe(403);
    // A's own non-admin staff may look at A but not change it.
    const member = await new Client(app, env).signInAs(a.memberId, a.orgId);
    expect((await member.get(`/admin/organisations/${a.orgId}`)).status).toBe(200);
    for (const r of ROUTES.filter((x) => x.method === 'POST')) {
      const res = await send(member, r, a);
      expect([403, 404, 422], `${r.method} ${r.path(a)}`).toContain(res.status);
    }
    expect(await snapshot()).toBe(before);
  });

  it('sends anonymous visitors to sign in, refuses their POSTs, and refuses POSTs without the CSRF token', async () => {
    const anon = new Client(app, env);
    const before = await snapshot();
    for (const r of [...ROUTES, ...GLOBAL, { method: 'GET' as const, path: () => '/admin/organisations' }]) {
      const res = await send(anon, r, a);
      if (r.method === 'GET') {
        expect(res.status).toBe(303);
        expect(res.headers.get('location')).toMatch(/^\/login\?next=/);
      } else {
        expect([401, 403], `${r.method} ${r.path(a)}`).toContain(res.status);
        expect((await send(anon, r, a, false)).status).toBe(403);
      }
    }
    // Signed in as A's own admin, but without the token: refused before anything happens.
    for (const r of ROUTES.filter((x) => x.method === 'POST'))
      expect((await send(hubA, r, a, false)).status).toBe(403);
    expect(await snapshot()).toBe(before);
  });

  it('lets the secretariat create a hub, invite its admin, who accepts and then sees only their own organisation', async () => {
    const { client: sec } = await staffClient(app, env, 'secretariat', 'admin');
    const created = await sec.post('/admin/organisations/new', {
      name: '九州DXハブ',
      nameEn: 'Kyushu DX Hub',
      kind: 'regional_hub',
      prefectureCode: '40',
    });
    expect(created.status).toBe(303);
    const location = created.headers.get('location') ?? '';
    expect(location).toMatch(/^\/admin\/organisations\/[0-9a-f-]{36}\?done=created$/);
    const orgId = location.split('/')[3]?.split('?')[0] ?? '';
    const page = await (await sec.get(location)).text();
    expect(page).toContain('組織を登録しました。');
    expect(page).toContain('福岡県');

    const list = await (await sec.get('/admin/organisations?kind=regional_hub')).text();
    expect(list).toContain('九州DXハブ');
    expect(list).toContain('<caption>');

    const invited = await sec.post(`/admin/organisations/${orgId}/invitations`, {
      email: 'Hub.Admin@Example.JP',
      role: 'admin',
    });
    expect(invited.status).toBe(303);
    expect(invited.headers.get('location')).toBe(`/admin/organisations/${orgId}?done=invited`);
    const mail = await env.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('to_address', '=', 'hub.admin@example.jp')
      .executeTakeFirstOrThrow();
    expect(mail.template).toBe('invitation');
    const token = new RegExp(`${env.config.baseUrl}/invitations/([A-Za-z0-9_-]{43})`).exec(
      mail.body_text,
    )?.[1];
    expect(token).toBeDefined();
    expect(mail.body_text).toContain('九州DXハブ');
    const detail = await (await sec.get(`/admin/organisations/${orgId}?done=invited`)).text();
    expect(detail).toContain('招待メールを送信しました。');
    expect(detail).toContain('hub.admin@example.jp');

    const invitee = new Client(app, env);
    const form = await invitee.get(`/invitations/${token}`);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('九州DXハブ');
    const accepted = await invitee.post(`/invitations/${token}`, {
      displayName: '九州 太郎',
      password: 'kyushu-hub-passphrase',
      confirm: 'kyushu-hub-passphrase',
    });
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get('location')).toBe('/login/staff?done=invited');

    const user = await env.db
      .selectFrom('users')
      .select(['id', 'kind'])
      .where('email', '=', 'hub.admin@example.jp')
      .executeTakeFirstOrThrow();
    expect(user.kind).toBe('staff');
    await invitee.signInAs(user.id, orgId);
    const own = await invitee.get('/admin/organisations');
    expect(own.status).toBe(303);
    expect(own.headers.get('location')).toBe(`/admin/organisations/${orgId}`);
    const ownPage = await invitee.get(`/admin/organisations/${orgId}`);
    expect(ownPage.status).toBe(200);
    expect(await ownPage.text()).toContain('メンバーを招待する'); // an admin of their own hub
    expect((await invitee.get(`/admin/organisations/${a.orgId}`)).status).toBe(404);
  });

  it('re-renders bad input with 422 and the Japanese field message, writing nothing', async () => {
    const { client: sec } = await staffClient(app, env, 'secretariat', 'admin');
    const before = await snapshot();
    const res = await sec.post('/admin/organisations/new', {
      name: '　',
      nameEn: '',
      kind: 'regional_hub',
      prefectureCode: '',
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('組織名を入力してください');
    expect(html).toContain('地域ハブ団体は都道府県を選択してください');
    expect(html).toContain('aria-invalid="true"');
    const bad = await hubA.post(`/admin/organisations/${a.orgId}/invitations`, {
      email: 'not-an-address',
      role: 'admin',
    });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('メールアドレスの形式が正しくありません');
    expect(await snapshot()).toBe(before);
  });

  it('shows script text in an organisation name escaped', async () => {
    const { client: sec } = await staffClient(app, env, 'secretariat', 'admin');
    const res = await sec.post('/admin/organisations/new', {
      name: '<script>alert(1)</script>',
      nameEn: '"><img src=x onerror=alert(1)>',
      kind: 'ministry',
      prefectureCode: '',
    });
    expect(res.status).toBe(303);
    for (const path of [res.headers.get('location') ?? '', '/admin/organisations']) {
      const html = await (await sec.get(path)).text();
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).not.toContain('<script>alert(1)');
      expect(html).not.toContain('<img src=x');
    }
  });

  it('edits an organisation, changes a role and removes a member with 303 and a message', async () => {
    const { client: sec } = await staffClient(app, env, 'secretariat', 'admin');
    const { orgId, user: admin } = await staffClient(app, env, 'case_study_operator', 'admin');
    const other = await makeUser(env, { orgId, role: 'staff' });
    const edited = await sec.post(`/admin/organisations/${orgId}/edit`, {
      name: `改称-${orgId.slice(0, 8)}`,
      nameEn: '',
      kind: 'case_study_operator',
      prefectureCode: '',
    });
    expect(edited.headers.get('location')).toBe(`/admin/organisations/${orgId}?done=updated`);
    const promoted = await sec.post(`/admin/organisations/${orgId}/members/${other.id}/role`, {
      role: 'admin',
    });
    expect(promoted.headers.get('location')).toBe(`/admin/organisations/${orgId}?done=role_changed`);
    const removed = await sec.post(`/admin/organisations/${orgId}/members/${admin.id}/remove`, {});
    expect(removed.headers.get('location')).toBe(`/admin/organisations/${orgId}?done=removed`);
    const last = await sec.post(`/admin/organisations/${orgId}/members/${other.id}/role`, { role: 'viewer' });
    expect(last.status).toBe(409);
    expect(await last.text()).toContain('組織には管理者が1人以上必要です');
    const page = await (await sec.get(`/admin/organisations/${orgId}?done=removed`)).text();
    expect(page).toContain('メンバーを組織から外しました。');
    expect(page.match(/<h1[\s>]/g)).toHaveLength(1);
  });

  it('sends a role change without a recent re-authentication to the re-auth page', async () => {
    const { client, orgId } = await staffClient(app, env, 'regional_hub', 'admin');
    const other = await makeUser(env, { orgId, role: 'staff' });
    await env.db
      .updateTable('sessions')
      .set({ reauth_at: null })
      .where(
        'user_id',
        'in',
        env.db.selectFrom('memberships').select('user_id').where('organisation_id', '=', orgId),
      )
      .execute();
    const res = await client.post(`/admin/organisations/${orgId}/members/${other.id}/role`, {
      role: 'viewer',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(
      `/account/reauth?next=${encodeURIComponent(`/admin/organisations/${orgId}`)}`,
    );
    const m = await env.db
      .selectFrom('memberships')
      .select('role')
      .where('user_id', '=', other.id)
      .executeTakeFirstOrThrow();
    expect(m.role).toBe('staff');
  });

  it('answers malformed ids with 404', async () => {
    const { client: sec } = await staffClient(app, env, 'secretariat', 'admin');
    expect((await sec.get('/admin/organisations/not-a-uuid')).status).toBe(404);
    expect((await sec.get('/admin/organisations/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await sec.post(`/admin/organisations/${a.orgId}/members/x/remove`, {})).status).toBe(404);
  });
});
