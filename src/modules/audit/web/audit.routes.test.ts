import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transaction } from '../../../deps.js';
import { systemActor } from '../../../lib/actor.js';
import { BOM } from '../../../lib/csv.js';
import { Client, learnerClient, staffClient, type TestApp, testApp } from '../../../test/app.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../../test/db.js';
import { audit } from '../audit.service.js';

describe.each(dbKinds())('audit pages on %s', (kind) => {
  let env: TestEnv;
  let app: TestApp;

  const exports = async () =>
    env.db.selectFrom('audit_log').selectAll().where('action', '=', 'audit.exported').execute();

  beforeAll(async () => {
    env = await createTestEnv(kind);
    app = testApp(env);
    await transaction(env, async (tx) => {
      // A subject id a spreadsheet would run as a formula, and 120 rows to page through.
      await audit(env, tx, { ...systemActor('test'), ip: '198.51.100.7', requestId: 'req-csv' }, 'test.csv', {
        type: 'thing',
        id: "=cmd|' /C calc'!A0",
      });
      for (let i = 0; i < 120; i++)
        await audit(env, tx, systemActor('test'), 'test.bulk', { type: 'thing', id: `bulk-${i}` });
      await audit(env, tx, systemActor('test'), 'test.xss', {
        type: 'thing',
        id: '<script>alert(1)</script>',
      });
    });
  });
  afterAll(() => env.close());

  it('searches with filters and pages of 50, times in JST', async () => {
    const { client } = await staffClient(app, env, 'secretariat', 'staff');
    const res = await client.get('/admin/audit?action=test.bulk');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('全120件中 1〜50件を表示');
    expect(html).toContain('<th scope="col">日時(日本時間)</th>');
    expect(html).toContain('href="/admin/audit?action=test.bulk&amp;page=2"');
    expect(html.match(/<h1[\s>]/g)).toHaveLength(1);
    const last = await (await client.get('/admin/audit?action=test.bulk&page=3')).text();
    expect(last).toContain('全120件中 101〜120件を表示');
    const one = await (
      await client.get(`/admin/audit?subject=${encodeURIComponent("=cmd|' /C calc'!A0")}`)
    ).text();
    expect(one).toContain('198.51.100.7');
    expect(one).toContain('req-csv');
    const xss = await (await client.get('/admin/audit?action=test.xss')).text();
    expect(xss).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(xss).not.toContain('<script>alert(1)');
  });

  it('answers a bad filter with 422 and Japanese messages', async () => {
    const { client } = await staffClient(app, env, 'secretariat', 'admin');
    const res = await client.get('/admin/audit?from=2026-13-01');
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('の形式の日付で入力してください');
    expect((await client.get('/admin/audit/export.csv?org=x')).status).toBe(422);
  });

  it('exports CSV with a BOM, CRLF and formula cells neutralised, auditing the export', async () => {
    const { client, user } = await staffClient(app, env, 'secretariat', 'admin');
    const before = (await exports()).length;
    const res = await client.get('/admin/audit/export.csv?action=test.');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-log-\d{12}\.csv"$/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    expect(text.startsWith(BOM)).toBe(true);
    const lines = text.slice(1).split('\r\n');
    expect(lines[0]).toBe(
      '"日時(日本時間)","操作者","操作者の組織","操作","対象の種類","対象ID","IPアドレス","リクエストID","詳細"',
    );
    expect(lines).toHaveLength(1 + 122 + 1); // header, rows, and the empty string after the last CRLF
    expect(text).toContain(`"'=cmd|' /C calc'!A0"`);
    expect(text).not.toContain(`,"=cmd`);
    const rows = await exports();
    expect(rows.length - before).toBe(1);
    expect(rows.at(-1)).toMatchObject({
      actor_user_id: user.id,
      details: { filter: { action: 'test.' }, rows: 122, truncated: false },
    });
  });

  it('refuses other organisations, secretariat reviewers, learners and anonymous visitors', async () => {
    const before = (await exports()).length;
    for (const [k, role] of [
      ['regional_hub', 'admin'],
      ['case_study_operator', 'admin'],
      ['ministry', 'admin'],
      ['secretariat', 'reviewer'],
      ['secretariat', 'viewer'],
    ] as const) {
      const { client } = await staffClient(app, env, k, role);
      expect((await client.get('/admin/audit')).status, `${k} ${role}`).toBe(403);
      expect((await client.get('/admin/audit/export.csv')).status, `${k} ${role}`).toBe(403);
    }
    const { client: learner } = await learnerClient(app, env);
    expect((await learner.get('/admin/audit')).status).toBe(403);
    expect((await learner.get('/admin/audit/export.csv')).status).toBe(403);
    const anon = new Client(app, env);
    for (const path of ['/admin/audit', '/admin/audit/export.csv']) {
      const r = await anon.get(path);
      expect(r.status).toBe(303);
      expect(r.headers.get('location')).toMatch(/^\/login\?next=/);
    }
    // The pages take no POST: anything else is refused (CSRF first), never a 200.
    expect((await anon.post('/admin/audit', {}, { csrf: false })).status).toBe(403);
    expect((await exports()).length).toBe(before);
  });
});
