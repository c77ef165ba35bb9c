import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../../db/schema.js';
import { Client, learnerClient, staffClient, type TestApp, testApp } from '../../../test/app.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../../test/db.js';

const PASSWORD = {
  displayName: '招待 太郎',
  password: 'invited-passphrase-1',
  confirm: 'invited-passphrase-1',
};

describe.each(dbKinds())('invitation pages on %s', (kind) => {
  let env: TestEnv;
  let app: TestApp;
  let hub: Client;
  let hubOrg: string;
  let seq = 0;

  /** Invites through the page, as a hub admin would, and reads the link from the outbox. */
  async function invite(email = `inv-${Date.now().toString(36)}-${seq++}@example.jp`, role: Role = 'staff') {
    expect((await hub.post(`/admin/organisations/${hubOrg}/invitations`, { email, role })).status).toBe(303);
    const m = await env.db
      .selectFrom('mail_outbox')
      .select('body_text')
      .where('to_address', '=', email)
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    const token = /\/invitations\/([A-Za-z0-9_-]{43})/.exec(m.body_text)?.[1] ?? '';
    return { email, token, path: `/invitations/${token}` };
  }

  const membersOf = (orgId: string) =>
    env.db
      .selectFrom('memberships')
      .select(['user_id', 'role'])
      .where('organisation_id', '=', orgId)
      .execute();

  beforeAll(async () => {
    env = await createTestEnv(kind);
    app = testApp(env);
    const s = await staffClient(app, env, 'regional_hub', 'admin');
    hub = s.client;
    hubOrg = s.orgId;
  });
  afterAll(() => env.close());

  it('shows the organisation and role, and creates the account on acceptance', async () => {
    const inv = await invite(undefined, 'reviewer');
    const visitor = new Client(app, env);
    const page = await visitor.get(inv.path);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('審査担当');
    expect(html).toContain(inv.email);
    expect(html.match(/<h1[\s>]/g)).toHaveLength(1);
    expect(html).toContain('※必須');
    const res = await visitor.post(inv.path, PASSWORD);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login/staff?done=invited');
    const user = await env.db
      .selectFrom('users')
      .select(['id', 'display_name', 'totp_enrolled_at'])
      .where('email', '=', inv.email)
      .executeTakeFirstOrThrow();
    expect(user).toMatchObject({ display_name: '招待 太郎', totp_enrolled_at: null });
    expect(await membersOf(hubOrg)).toContainEqual({ user_id: user.id, role: 'reviewer' });
    // Used once: the link now answers 410 and creates nothing more.
    expect((await visitor.get(inv.path)).status).toBe(410);
    expect((await new Client(app, env).post(inv.path, PASSWORD)).status).toBe(410);
  });

  it('re-renders bad input with 422 and writes nothing', async () => {
    const inv = await invite();
    const visitor = new Client(app, env);
    const res = await visitor.post(inv.path, { displayName: '', password: 'short', confirm: 'other' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('氏名を入力してください');
    expect(html).toContain('8文字以上');
    expect(
      await env.db.selectFrom('users').select('id').where('email', '=', inv.email).executeTakeFirst(),
    ).toBeUndefined();
    const mismatch = await visitor.post(inv.path, { ...PASSWORD, confirm: 'different-passphrase' });
    expect(mismatch.status).toBe(422);
    expect(await mismatch.text()).toContain('確認用のパスワードが一致しません');
  });

  it('answers unknown, revoked and expired links with 404 / 410 pages in Japanese', async () => {
    const anon = new Client(app, env);
    const unknown = await anon.get(`/invitations/${'x'.repeat(43)}`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('招待が見つかりません');
    expect((await anon.get('/invitations/short')).status).toBe(404);
    expect((await anon.post(`/invitations/${'x'.repeat(43)}`, PASSWORD)).status).toBe(404);

    const first = await invite();
    await invite(first.email); // the second invitation revokes the first
    const revoked = await anon.get(first.path);
    expect(revoked.status).toBe(410);
    expect(await revoked.text()).toContain('取り消されました');

    const late = await invite();
    env.clock.advance(8 * 24 * 3_600_000);
    try {
      const expired = await anon.get(late.path);
      expect(expired.status).toBe(410);
      expect(await expired.text()).toContain('有効期限');
      expect((await anon.post(late.path, PASSWORD)).status).toBe(410);
    } finally {
      env.clock.advance(-8 * 24 * 3_600_000);
    }
    expect(
      await env.db.selectFrom('users').select('id').where('email', '=', late.email).executeTakeFirst(),
    ).toBeUndefined();
  });

  it('asks an existing staff account to sign in, then accept with one button', async () => {
    const other = await staffClient(app, env, 'case_study_operator', 'staff');
    const inv = await invite(other.user.email, 'viewer');
    const anon = new Client(app, env);
    const page = await (await anon.get(inv.path)).text();
    expect(page).toContain(`/login/staff?next=${encodeURIComponent(inv.path)}`);
    expect(page).not.toContain('name="password"');
    // Posting the account form anyway creates nothing.
    expect((await anon.post(inv.path, PASSWORD)).status).toBe(409);

    const signedIn = await (await other.client.get(inv.path)).text();
    expect(signedIn).toContain('招待を承諾する');
    const res = await other.client.post(inv.path, {});
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/invitations/accepted');
    expect((await other.client.get('/invitations/accepted')).status).toBe(200);
    expect(await membersOf(hubOrg)).toContainEqual({ user_id: other.user.id, role: 'viewer' });
  });

  it("refuses other organisations' staff and learners who hold someone else's link", async () => {
    const inv = await invite();
    const { client: hubB } = await staffClient(app, env, 'regional_hub', 'admin');
    const { client: learner } = await learnerClient(app, env);
    for (const c of [hubB, learner]) {
      const page = await c.get(inv.path);
      expect(await page.text()).toContain('別のアカウントでログインしています');
      const res = await c.post(inv.path, PASSWORD);
      expect(res.status).toBe(409);
    }
    expect(
      await env.db.selectFrom('users').select('id').where('email', '=', inv.email).executeTakeFirst(),
    ).toBeUndefined();
    const open = await env.db
      .selectFrom('invitations')
      .select('accepted_at')
      .where('email', '=', inv.email)
      .executeTakeFirstOrThrow();
    expect(open.accepted_at).toBeNull();
  });

  it('refuses a POST without the CSRF token', async () => {
    const inv = await invite();
    const res = await new Client(app, env).post(inv.path, PASSWORD, { csrf: false });
    expect(res.status).toBe(403);
    expect(
      await env.db.selectFrom('users').select('id').where('email', '=', inv.email).executeTakeFirst(),
    ).toBeUndefined();
  });
});
