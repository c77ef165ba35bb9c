import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transaction } from '../../../deps.js';
import { Client, learnerClient, staffClient, type TestApp, testApp } from '../../../test/app.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../../test/db.js';
import { queueMail } from '../mail.service.js';

describe.each(dbKinds())('outbox pages on %s', (kind) => {
  let env: TestEnv;
  let app: TestApp;
  let mailId: string;
  beforeAll(async () => {
    env = await createTestEnv(kind);
    app = testApp(env);
    mailId = await transaction(env, (tx) =>
      queueMail(env, tx, {
        to: 'someone@example.jp',
        template: 'magic_link',
        data: { url: 'http://localhost:3000/login/link/abc<script>', minutes: 15 },
      }),
    );
  });
  afterAll(() => env.close());

  it('lets secretariat staff list, search and read mails, auditing each read', async () => {
    const { client, user } = await staffClient(app, env, 'secretariat', 'staff');
    const list = await client.get('/admin/outbox?q=someone');
    expect(list.status).toBe(200);
    const html = await list.text();
    expect(html).toContain('someone@example.jp');
    expect(html).toContain(`/admin/outbox/${mailId}`);
    const one = await client.get(`/admin/outbox/${mailId}`);
    expect(one.status).toBe(200);
    const body = await one.text();
    expect(body).toContain('/login/link/abc');
    expect(body).not.toContain('abc<script>');
    const audit = await env.db
      .selectFrom('audit_log')
      .select(['action', 'actor_user_id'])
      .where('subject_id', '=', mailId)
      .execute();
    expect(audit).toEqual([{ action: 'notifications.outbox.view', actor_user_id: user.id }]);
    expect((await client.get('/admin/outbox/00000000-0000-0000-0000-000000000000')).status).toBe(404);
  });

  it('refuses hub staff, operator admins, METI viewers, learners and anonymous visitors', async () => {
    for (const [k, role] of [
      ['regional_hub', 'admin'],
      ['case_study_operator', 'admin'],
      ['ministry', 'viewer'],
      ['secretariat', 'viewer'],
    ] as const) {
      const { client } = await staffClient(app, env, k, role);
      expect((await client.get('/admin/outbox')).status).toBe(403);
      expect((await client.get(`/admin/outbox/${mailId}`)).status).toBe(403);
    }
    const { client: learner } = await learnerClient(app, env);
    expect((await learner.get('/admin/outbox')).status).toBe(403);
    expect((await learner.get(`/admin/outbox/${mailId}`)).status).toBe(403);
    const anon = new Client(app, env);
    const r = await anon.get(`/admin/outbox/${mailId}`);
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toMatch(/^\/login\?next=/);
  });
});
