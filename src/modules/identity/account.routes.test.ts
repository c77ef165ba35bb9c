import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, learnerClient, makeOrg, makeUser, type TestApp, testApp } from '../../test/app.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../test/db.js';

describe.each(dbKinds())('account pages on %s', (kind) => {
  let env: TestEnv;
  let app: TestApp;
  beforeAll(async () => {
    env = await createTestEnv(kind);
    app = testApp(env);
  });
  afterAll(() => env.close());

  it('lets a member of two organisations switch, and refuses an organisation they are not in', async () => {
    const hubA = await makeOrg(env, 'regional_hub');
    const hubB = await makeOrg(env, 'regional_hub');
    const other = await makeOrg(env, 'regional_hub');
    const user = await makeUser(env, { orgId: hubA, role: 'admin' });
    await env.db
      .insertInto('memberships')
      .values({ user_id: user.id, organisation_id: hubB, role: 'viewer' })
      .execute();
    const c = await new Client(app, env).signInAs(user.id, hubA);
    expect(await (await c.get('/account')).text()).toContain('所属組織の切り替え');
    expect(await (await c.get('/dashboard')).text()).toContain('管理者');
    const sw = await c.post('/account/organisation', { organisationId: hubB });
    expect(sw.status).toBe(303);
    const dash = await (await c.get('/dashboard')).text();
    expect(dash).toContain('閲覧者');
    expect((await c.get(`/admin/organisations/${hubB}`)).status).toBe(200);
    expect((await c.post('/account/organisation', { organisationId: other })).status).toBe(403);
    expect((await c.post('/account/organisation', { organisationId: 'not-a-uuid' })).status).toBe(422);
    const audit = await env.db
      .selectFrom('audit_log')
      .select('action')
      .where('subject_id', '=', hubB)
      .execute();
    expect(audit.map((a) => a.action)).toContain('identity.organisation.switched');
  });

  it('refuses learners and anonymous visitors', async () => {
    const org = await makeOrg(env, 'regional_hub');
    const { client } = await learnerClient(app, env);
    expect((await client.post('/account/organisation', { organisationId: org })).status).toBe(403);
    const anon = await new Client(app, env).post('/account/organisation', { organisationId: org });
    expect(anon.status).toBe(401);
  });
});
