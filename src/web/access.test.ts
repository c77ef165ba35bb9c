import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, learnerClient, staffClient, type TestApp, testApp } from '../test/app.js';
import { createTestEnv, type TestEnv } from '../test/db.js';

/**
 * A sweep over every route the app registers (SECURITY.md IPA #11): anonymous visitors get nothing but the
 * public pages, learners get nothing under /admin, and hub staff get none of the secretariat's pages.
 * Each module also has its own cross-organisation tests with real records; this catches a route that
 * forgot its check altogether.
 */
const PUBLIC = [
  /^\/$/,
  /^\/(login|password|invitations)(\/|$)/,
  /^\/(healthz|readyz|robots\.txt|favicon\.ico|sitemap\.xml|privacy|accessibility|faq)$/,
  /^\/assets\//,
  /^\/programmes(\/:id)?$/,
  /^\/frameworks(\/|$)/,
  /^\/open-badges\/guide(\/package\.zip)?$/,
  /^\/(api\/)?verify$/,
  /^\/logout$/,
];
const LEARNER_OK = [/^\/(dashboard|account|my|programmes)(\/|$)/];
const SECRETARIAT_ONLY = [
  /^\/admin\/(audit|outbox)(\/|$)/,
  /^\/admin\/applications\/overview/,
  /^\/admin\/frameworks\/(import|imports|template)/,
];

/** Refused: 401/403/404, or sent to sign in. */
function refused(res: Response): boolean {
  return (
    [401, 403, 404].includes(res.status) ||
    (res.status === 303 && (res.headers.get('location') ?? '').startsWith('/login'))
  );
}

function concrete(path: string): string {
  return path
    .replace(/:id\b[^/]*/g, '3b241101-e2bb-4255-8caf-4136c566a962')
    .replace(/:[a-zA-Z]+\b[^/]*/g, 'xPz9aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')
    .replace(/\*$/, 'x');
}

describe('access sweep over every route', () => {
  let env: TestEnv;
  let app: TestApp;
  let routes: { method: string; path: string }[];
  beforeAll(async () => {
    env = await createTestEnv('pglite');
    app = testApp(env);
    const seen = new Set<string>();
    routes = app.routes
      .filter((r) => (r.method === 'GET' || r.method === 'POST') && r.path !== '/*' && !r.path.endsWith('/*'))
      .filter((r) => {
        const k = `${r.method} ${r.path}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
  });
  afterAll(() => env.close());

  it('finds the routes', () => {
    expect(routes.length).toBeGreaterThan(20);
  });

  it('gives anonymous visitors no page or action outside the public ones', async () => {
    const failures: string[] = [];
    for (const r of routes) {
      if (PUBLIC.some((re) => re.test(r.path))) continue;
      const c = new Client(app, env);
      const res = r.method === 'GET' ? await c.get(concrete(r.path)) : await c.post(concrete(r.path), {});
      if (!refused(res))
        failures.push(`${r.method} ${r.path} → ${res.status} ${res.headers.get('location') ?? ''}`);
    }
    expect(failures).toEqual([]);
  });

  it('gives learners no staff page or action', async () => {
    const { client } = await learnerClient(app, env);
    const failures: string[] = [];
    for (const r of routes) {
      if (PUBLIC.some((re) => re.test(r.path)) || LEARNER_OK.some((re) => re.test(r.path))) continue;
      const res =
        r.method === 'GET' ? await client.get(concrete(r.path)) : await client.post(concrete(r.path), {});
      if (!refused(res)) failures.push(`${r.method} ${r.path} → ${res.status}`);
    }
    expect(failures).toEqual([]);
  });

  it("gives a hub's staff none of the secretariat-only pages", async () => {
    const { client } = await staffClient(app, env, 'regional_hub', 'admin');
    const failures: string[] = [];
    for (const r of routes) {
      if (!SECRETARIAT_ONLY.some((re) => re.test(r.path))) continue;
      const res =
        r.method === 'GET' ? await client.get(concrete(r.path)) : await client.post(concrete(r.path), {});
      if (!refused(res)) failures.push(`${r.method} ${r.path} → ${res.status}`);
    }
    expect(failures).toEqual([]);
  });
});
