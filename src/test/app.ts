import type { Hono } from 'hono';
import type { OrganisationKind, Role } from '../db/schema.js';
import { hashToken, hmac, newToken } from '../lib/tokens.js';
import { hashPassword } from '../modules/identity/password.js';
import { createApp } from '../web/app.js';
import type { AppEnv } from '../web/context.js';
import type { TestEnv } from './db.js';

/**
 * Route-test helpers: the real app on a real (PGlite/PostgreSQL) database, requests through app.request().
 * Sessions are created the way sign-in creates them (a hashed random id in `sessions`), not mocked.
 */
export type TestApp = Hono<AppEnv>;

export function testApp(env: TestEnv): TestApp {
  return createApp(env);
}

let seq = 0;
const uniq = () => `${Date.now().toString(36)}${(seq++).toString(36)}`;

export async function makeOrg(
  env: TestEnv,
  kind: OrganisationKind,
  name = `${kind}-${uniq()}`,
): Promise<string> {
  const r = await env.db
    .insertInto('organisations')
    .values({ kind, name, name_en: null, prefecture_code: kind === 'regional_hub' ? 13 : null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export type TestUser = { id: string; email: string; password: string };

export async function makeUser(
  env: TestEnv,
  opts: { kind?: 'staff' | 'learner'; orgId?: string; role?: Role; password?: string; email?: string } = {},
): Promise<TestUser> {
  const kind = opts.kind ?? 'staff';
  const email = opts.email ?? `${kind}-${uniq()}@example.jp`;
  const password = opts.password ?? `pw-${uniq()}-correct-horse`;
  const u = await env.db
    .insertInto('users')
    .values({
      email,
      display_name: `テスト ${kind}`,
      kind,
      password_hash: kind === 'staff' ? await hashPassword(password) : null,
      password_changed_at: null,
      totp_secret_enc: null,
      totp_enrolled_at: null,
      totp_last_step: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (opts.orgId) {
    await env.db
      .insertInto('memberships')
      .values({ user_id: u.id, organisation_id: opts.orgId, role: opts.role ?? 'staff' })
      .execute();
  }
  return { id: u.id, email, password };
}

/** A browser-like client: keeps cookies, sends the CSRF token on unsafe requests. */
export class Client {
  cookies = new Map<string, string>();
  constructor(
    readonly app: TestApp,
    readonly env: TestEnv,
  ) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private store(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i);
      const value = pair.slice(i + 1);
      if (!value || /max-age=0/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line))
        this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    const res = await this.app.request(path, { headers: { cookie: this.cookieHeader(), ...headers } });
    this.store(res);
    return res;
  }

  /** The CSRF token a page would carry: HMAC of the csrf cookie (fetching a page first if needed). */
  async csrfToken(): Promise<string> {
    if (!this.cookies.has('dxq_csrf')) await this.get('/');
    return hmac(this.env.config.secretKey, `csrf:${this.cookies.get('dxq_csrf')}`);
  }

  async post(
    path: string,
    form: Record<string, string | string[]>,
    opts: { csrf?: boolean } = {},
  ): Promise<Response> {
    const body = new URLSearchParams();
    if (opts.csrf !== false) body.set('_csrf', await this.csrfToken());
    for (const [k, v] of Object.entries(form)) {
      if (Array.isArray(v)) for (const x of v) body.append(k, x);
      else body.set(k, v);
    }
    const res = await this.app.request(path, {
      method: 'POST',
      body,
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
    });
    this.store(res);
    return res;
  }

  /** Signs in by writing a full session row, as a completed password+TOTP sign-in would. */
  async signInAs(userId: string, orgId: string | null = null): Promise<this> {
    const token = newToken();
    const now = this.env.clock.now();
    await this.env.db
      .insertInto('sessions')
      .values({
        id_hash: hashToken(token),
        user_id: userId,
        stage: 'full',
        active_organisation_id: orgId,
        created_at: now,
        last_seen_at: now,
        expires_at: new Date(now.getTime() + this.env.config.sessionAbsoluteMs),
        reauth_at: now,
        ip: null,
        user_agent: null,
      })
      .execute();
    this.cookies.set('dxq_session', token);
    return this;
  }
}

/** Staff of a fresh organisation of the given kind, signed in. */
export async function staffClient(app: TestApp, env: TestEnv, kind: OrganisationKind, role: Role = 'admin') {
  const orgId = await makeOrg(env, kind);
  const user = await makeUser(env, { orgId, role });
  const client = await new Client(app, env).signInAs(user.id, orgId);
  return { client, orgId, user };
}

export async function learnerClient(app: TestApp, env: TestEnv) {
  const user = await makeUser(env, { kind: 'learner' });
  const client = await new Client(app, env).signInAs(user.id);
  return { client, user };
}
