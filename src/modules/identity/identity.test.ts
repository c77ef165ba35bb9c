import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptSecret, hashToken } from '../../lib/tokens.js';
import { Client, makeOrg, makeUser, type TestApp, testApp } from '../../test/app.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../test/db.js';
import { totpCode } from './totp.js';

async function latestMail(env: TestEnv, to: string) {
  return env.db
    .selectFrom('mail_outbox')
    .selectAll()
    .where('to_address', '=', to)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
}

function linkIn(body: string, path: string): string {
  const m = new RegExp(`https?://[^\\s]+(${path}/[A-Za-z0-9_-]+)`).exec(body);
  if (!m?.[1]) throw new Error(`no ${path} link in mail:\n${body}`);
  return m[1];
}

async function totpSecret(env: TestEnv, userId: string): Promise<string> {
  const u = await env.db
    .selectFrom('users')
    .select('totp_secret_enc')
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  if (!u.totp_secret_enc) throw new Error('no pending TOTP secret');
  return decryptSecret(env.config.secretKey, 'totp', u.totp_secret_enc);
}

async function sessionCount(env: TestEnv, userId: string) {
  const rows = await env.db.selectFrom('sessions').select('id_hash').where('user_id', '=', userId).execute();
  return rows.length;
}

describe.each(dbKinds())('identity on %s', (kind) => {
  let env: TestEnv;
  let app: TestApp;
  let orgId: string;
  beforeAll(async () => {
    env = await createTestEnv(kind);
    app = testApp(env);
    orgId = await makeOrg(env, 'regional_hub');
  });
  afterAll(() => env.close());

  /** Signs a staff user in through the real forms, enrolling TOTP if needed; returns the client and secret. */
  async function fullLogin(user: { id: string; email: string; password: string }, secret?: string) {
    const c = new Client(app, env);
    const res = await c.post('/login/staff', { email: user.email, password: user.password });
    expect(res.status).toBe(303);
    env.clock.advance(31_000); // a fresh TOTP step each time: codes cannot be replayed
    if (res.headers.get('location') === '/mfa/enrol') {
      expect((await c.get('/mfa/enrol')).status).toBe(200);
      const s = await totpSecret(env, user.id);
      const done = await c.post('/mfa/enrol', { code: totpCode(s, env.clock.now()) });
      expect(done.status).toBe(303);
      expect(done.headers.get('location')).toBe('/dashboard?done=mfa');
      return { c, secret: s };
    }
    expect(res.headers.get('location')).toMatch(/^\/login\/mfa/);
    if (!secret) throw new Error('secret needed');
    const done = await c.post('/login/mfa', { code: totpCode(secret, env.clock.now()) });
    expect(done.status).toBe(303);
    return { c, secret };
  }

  it('staff sign in with password, must enrol TOTP first, and get a new session id at each step', async () => {
    const user = await makeUser(env, { orgId, role: 'admin' });
    const c = new Client(app, env);
    c.cookies.set('dxq_session', 'attacker-chosen-session-id-aaaaaaaaaaaaaaaaaaaa'); // fixation attempt
    const res = await c.post('/login/staff', { email: user.email, password: user.password });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/mfa/enrol');
    const halfOpen = c.cookies.get('dxq_session');
    expect(halfOpen).toBeDefined();
    expect(halfOpen).not.toBe('attacker-chosen-session-id-aaaaaaaaaaaaaaaaaaaa');
    // A half-open session can do nothing else.
    expect((await c.get('/dashboard')).status).toBe(303);
    expect((await c.get('/mfa/enrol')).status).toBe(200);
    const secret = await totpSecret(env, user.id);
    const bad = await c.post('/mfa/enrol', {
      code: '000000' === totpCode(secret, env.clock.now()) ? '111111' : '000000',
    });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('確認コードが正しくありません');
    const ok = await c.post('/mfa/enrol', { code: totpCode(secret, env.clock.now()) });
    expect(ok.status).toBe(303);
    const full = c.cookies.get('dxq_session');
    expect(full).not.toBe(halfOpen);
    // The half-open id no longer exists on the server.
    const old = await env.db
      .selectFrom('sessions')
      .select('id_hash')
      .where('id_hash', '=', hashToken(halfOpen ?? ''))
      .execute();
    expect(old).toHaveLength(0);
    const dash = await c.get('/dashboard');
    expect(dash.status).toBe(200);
    expect(await dash.text()).toContain('ダッシュボード');
    const actions = await env.db
      .selectFrom('audit_log')
      .select('action')
      .where('subject_id', '=', user.id)
      .execute();
    expect(actions.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        'identity.login.password_ok',
        'identity.mfa.enrolled',
        'identity.login.success',
      ]),
    );
  });

  it('answers the same for an unknown address and a wrong password, and holds back after 5 failures', async () => {
    const user = await makeUser(env, { orgId });
    const c = new Client(app, env);
    const unknown = await c.post('/login/staff', {
      email: 'nobody@example.jp',
      password: 'whatever-password',
    });
    const wrong = await c.post('/login/staff', { email: user.email, password: 'wrong-password-123' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    const msg = 'メールアドレスまたはパスワードが正しくないか';
    expect(await unknown.text()).toContain(msg);
    expect(await wrong.text()).toContain(msg);
    for (let i = 0; i < 4; i++)
      await c.post('/login/staff', { email: user.email, password: `wrong-${i}-password` });
    // Locked: even the right password is refused, with the same generic answer.
    const locked = await c.post('/login/staff', { email: user.email, password: user.password });
    expect(locked.status).toBe(401);
    expect(await sessionCount(env, user.id)).toBe(0);
    env.clock.advance(16 * 60_000);
    const after = await c.post('/login/staff', { email: user.email, password: user.password });
    expect(after.status).toBe(303);
  });

  it('refuses a replayed TOTP code and ends the half-open session after too many wrong codes', async () => {
    const user = await makeUser(env, { orgId });
    const { secret } = await fullLogin(user);
    const c = new Client(app, env);
    await c.post('/login/staff', { email: user.email, password: user.password });
    env.clock.advance(31_000);
    const code = totpCode(secret, env.clock.now());
    const first = await c.post('/login/mfa', { code });
    expect(first.status).toBe(303);
    const c2 = new Client(app, env);
    await c2.post('/login/staff', { email: user.email, password: user.password });
    const replay = await c2.post('/login/mfa', { code });
    expect(replay.status).toBe(422);
    for (let i = 0; i < 6; i++) await c2.post('/login/mfa', { code: '99999'.concat(String(i)) });
    expect((await c2.get('/login/mfa')).status).toBe(303); // session gone: back to sign-in
  });

  it('ends sessions after 30 idle minutes and after 12 hours whatever the activity', async () => {
    const user = await makeUser(env, { orgId });
    const { c } = await fullLogin(user);
    env.clock.advance(29 * 60_000);
    expect((await c.get('/dashboard')).status).toBe(200);
    env.clock.advance(31 * 60_000);
    const idle = await c.get('/dashboard');
    expect(idle.status).toBe(303);
    expect(idle.headers.get('location')).toMatch(/^\/login/);
    expect(await sessionCount(env, user.id)).toBe(0);

    const { c: c2 } = await fullLogin(user, (await totpSecret(env, user.id)) || undefined);
    for (let h = 0; h < 12 * 4; h++) {
      env.clock.advance(15 * 60_000);
      const r = await c2.get('/dashboard');
      if (h < 12 * 4 - 1) expect(r.status).toBe(200);
      else expect(r.status).toBe(303);
    }
  });

  it('logout destroys the server session: the old cookie no longer works', async () => {
    const user = await makeUser(env, { orgId });
    const { c } = await fullLogin(user);
    const token = c.cookies.get('dxq_session') ?? '';
    const out = await c.post('/logout', {});
    expect(out.status).toBe(303);
    const replay = new Client(app, env);
    replay.cookies.set('dxq_session', token);
    expect((await replay.get('/dashboard')).status).toBe(303);
    expect(await sessionCount(env, user.id)).toBe(0);
  });

  it('learners sign in by a single-use magic link valid for 15 minutes; staff addresses get none', async () => {
    const c = new Client(app, env);
    const email = `learner-${Date.now()}@example.jp`;
    const res = await c.post('/login/link', { email: ` ${email.toUpperCase()} ` });
    expect(res.status).toBe(303);
    const mail = await latestMail(env, email);
    expect(mail?.template).toBe('magic_link');
    const path = linkIn(mail?.body_text ?? '', '/login/link');
    expect((await c.get(path)).status).toBe(200); // GET only shows a button
    const used = await c.post(path, {});
    expect(used.status).toBe(303);
    expect(used.headers.get('location')).toBe('/dashboard');
    expect(await (await c.get('/dashboard')).text()).toContain('マイページ');
    const again = await new Client(app, env).post(path, {});
    expect(again.status).toBe(404);

    await c.post('/login/link', { email });
    const second = linkIn((await latestMail(env, email))?.body_text ?? '', '/login/link');
    env.clock.advance(15 * 60_000 + 1000);
    expect((await new Client(app, env).post(second, {})).status).toBe(404);

    const staff = await makeUser(env, { orgId });
    const before = await env.db
      .selectFrom('mail_outbox')
      .select('id')
      .where('to_address', '=', staff.email)
      .execute();
    expect((await c.post('/login/link', { email: staff.email })).headers.get('location')).toBe(
      '/login/link/sent',
    );
    const after = await env.db
      .selectFrom('mail_outbox')
      .select('id')
      .where('to_address', '=', staff.email)
      .execute();
    expect(after.length).toBe(before.length);
  });

  it('brings a learner back to a local `next` path after the link, and ignores off-site ones', async () => {
    const c = new Client(app, env);
    const email = `next-${Date.now()}@example.jp`;
    const page = await (await c.get('/login/link?next=%2Fprogrammes%2Fabc%2Fapply')).text();
    expect(page).toContain('name="next" value="/programmes/abc/apply"');
    await c.post('/login/link', { email, next: '/programmes/abc/apply' });
    const path = linkIn((await latestMail(env, email))?.body_text ?? '', '/login/link');
    const used = await c.post(path, {});
    expect(used.headers.get('location')).toBe('/programmes/abc/apply');

    const c2 = new Client(app, env);
    await c2.post('/login/link', { email, next: '//evil.example/x' });
    const path2 = linkIn((await latestMail(env, email))?.body_text ?? '', '/login/link');
    expect((await c2.post(path2, {})).headers.get('location')).toBe('/dashboard');
  });

  it('password reset by e-mail ends all sessions and does not bypass MFA', async () => {
    const user = await makeUser(env, { orgId });
    const { c, secret } = await fullLogin(user);
    const anon = new Client(app, env);
    expect((await anon.post('/password/forgot', { email: user.email })).status).toBe(303);
    const path = linkIn((await latestMail(env, user.email))?.body_text ?? '', '/password/reset');
    expect((await anon.post(path, { password: 'password', confirm: 'password' })).status).toBe(422); // common
    const done = await anon.post(path, {
      password: 'a-new-long-passphrase-2026',
      confirm: 'a-new-long-passphrase-2026',
    });
    expect(done.status).toBe(303);
    expect(await sessionCount(env, user.id)).toBe(0);
    expect((await c.get('/dashboard')).status).toBe(303);
    expect(anon.cookies.has('dxq_session')).toBe(false);
    const relogin = await anon.post('/login/staff', {
      email: user.email,
      password: 'a-new-long-passphrase-2026',
    });
    expect(relogin.headers.get('location')).toMatch(/^\/login\/mfa/);
    expect((await anon.get('/dashboard')).status).toBe(303);
    env.clock.advance(31_000);
    expect((await anon.post('/login/mfa', { code: totpCode(secret, env.clock.now()) })).status).toBe(303);
    expect((await latestMail(env, user.email))?.template).toBe('password_changed');
  });

  it('asks for re-authentication before a password change, then notifies by mail', async () => {
    const user = await makeUser(env, { orgId });
    const { c, secret } = await fullLogin(user);
    env.clock.advance(6 * 60_000);
    const gate = await c.get('/account/password');
    expect(gate.status).toBe(303);
    expect(gate.headers.get('location')).toBe('/account/reauth?next=%2Faccount%2Fpassword');
    const refused = await c.post('/account/password', {
      password: 'another-good-passphrase',
      confirm: 'another-good-passphrase',
    });
    expect(refused.status).toBe(403);
    const wrong = await c.post('/account/reauth?next=/account/password', {
      password: 'nope-nope-nope',
      code: totpCode(secret, env.clock.now()),
    });
    expect(wrong.status).toBe(422);
    env.clock.advance(31_000);
    const re = await c.post('/account/reauth?next=/account/password', {
      password: user.password,
      code: totpCode(secret, env.clock.now()),
    });
    expect(re.status).toBe(303);
    expect(re.headers.get('location')).toBe('/account/password');
    const changed = await c.post('/account/password', {
      password: 'another-good-passphrase',
      confirm: 'another-good-passphrase',
    });
    expect(changed.status).toBe(303);
    expect((await latestMail(env, user.email))?.template).toBe('password_changed');
  });
});
