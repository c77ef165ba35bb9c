import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/app.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../../test/db.js';
import { fiscalYearOf } from '../../programmes/jst.js';
import { publishedAchievement } from '../badges.test-support.js';
import { planIssuance } from '../issuance-plan.service.js';
import { issueBadge } from '../issue.service.js';
import { correctBadge, revokeBadge } from '../revocation.service.js';
import { type StaffUser, staffUser, textOf } from './staff-test-support.js';

/**
 * METI's view of badges (issue 4; MISSION.md: METI sees progress and outcomes): /admin/badges is the overview
 * of counts per organisation, achievement and fiscal year, reachable from its navigation, with accessible
 * tables; the secretariat may read it too, issuing organisations may not. Nothing under /admin/badges gives a
 * ministry user a person's data: every other page, download and form is refused (403 for its own
 * organisation, which issues nothing; 404, audited, for another organisation's records).
 */
describe.each(dbKinds())('badge overview for METI on %s', (kind) => {
  let env: TestEnv;
  let app: TestApp;
  let hub: StaffUser;
  let operator: StaffUser;
  let meti: StaffUser;
  let metiAdmin: StaffUser;
  let achievementId: string;
  let credentialId: string;
  let batchId: string;
  let fy: number;
  /** What must never reach a ministry user: the earners' names and addresses. */
  const personal = [
    '北海 花子',
    'hanako@example.jp',
    '訂正 次郎',
    'jiro@example.jp',
    '取消 三郎',
    'saburo@example.jp',
  ];
  const personalInList = ['一括 四郎', 'shiro@example.jp'];

  beforeAll(async () => {
    env = await createTestEnv(kind);
    app = testApp(env);
    hub = await staffUser(app, env, 'regional_hub', 'staff');
    operator = await staffUser(app, env, 'case_study_operator', 'admin');
    meti = await staffUser(app, env, 'ministry', 'viewer');
    metiAdmin = await staffUser(app, env, 'ministry', 'admin', meti.actor.org.id);
    fy = fiscalYearOf(env.clock.now());
    const achievement = await publishedAchievement(env, hub.actor);
    achievementId = achievement.id;
    const issue = (actor: StaffUser, id: string, email: string, name: string) =>
      issueBadge(env, actor.actor, { achievementId: id, email, name });
    credentialId = (await issue(hub, achievementId, 'hanako@example.jp', '北海 花子')).credentialId;
    // A correction counts once; a revocation counts as issued and revoked.
    const corrected = await issue(hub, achievementId, 'jiro@example.jp', '訂正 二郎');
    await correctBadge(env, hub.actor, { credentialId: corrected.credentialId, name: '訂正 次郎' });
    const revoked = await issue(hub, achievementId, 'saburo@example.jp', '取消 三郎');
    await revokeBadge(env, hub.actor, { credentialId: revoked.credentialId, reason: '受講記録の誤り' });
    const opAchievement = await publishedAchievement(env, operator.actor);
    await issue(operator, opAchievement.id, 'opal@example.jp', '運営 五郎');
    const plan = await planIssuance(env, hub.actor, {
      orgId: hub.actor.org.id,
      achievementId,
      file: { name: 'list.csv', bytes: new TextEncoder().encode('email,name\nshiro@example.jp,一括 四郎\n') },
    });
    batchId = plan.batchId;
  });
  afterAll(async () => {
    await env?.close();
  });

  const orgName = async (id: string) =>
    (await env.db.selectFrom('organisations').select('name').where('id', '=', id).executeTakeFirstOrThrow())
      .name;

  it('sends METI from /admin/badges to the overview, linked from its navigation', async () => {
    const home = await meti.client.get('/admin/badges');
    expect(home.status).toBe(303);
    expect(home.headers.get('location')).toBe('/admin/badges/overview');
    const res = await meti.client.get('/admin/badges/overview');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/<nav[^>]*>[\s\S]*href="\/admin\/badges\/overview"[\s\S]*<\/nav>/);
    expect(html.match(/<h1[\s>]/g)).toHaveLength(1);
  });

  it('counts badges issued and revoked per organisation, achievement and fiscal year', async () => {
    const html = await (await meti.client.get('/admin/badges/overview')).text();
    const text = textOf(html);
    const hubName = await orgName(hub.actor.org.id);
    const opName = await orgName(operator.actor.org.id);
    // The hub: three badges (the corrected one once), one revoked; the operator: one.
    expect(text).toContain(`${hubName} 地域ハブ団体(3層) 3 1`);
    expect(text).toContain(`${opName} ケーススタディ教育プログラム 補助事業者(2層) 1 0`);
    expect(text).toContain('合計 4 1');
    expect(text).toContain(`地域企業協働プログラム 修了 ${hubName} 3 1`);
    expect(text).toContain(`${fy}年度 4 1`);
    // Accessible tables: a caption, column headers and a row header in each row.
    const tables = html.match(/<table[\s\S]*?<\/table>/g) ?? [];
    expect(tables).toHaveLength(3);
    for (const t of tables) {
      expect(t).toMatch(/<caption>[^<]+/);
      expect(t).toContain('<th scope="col"');
      for (const row of t.match(/<tr>[\s\S]*?<\/tr>/g)?.slice(1) ?? [])
        expect(row).toContain('<th scope="row"');
    }
    expect(html).toContain('<label for="f-fy"');
  });

  it('narrows the organisation and achievement figures to a fiscal year; nonsense means all years', async () => {
    const last = textOf(await (await meti.client.get(`/admin/badges/overview?fy=${fy - 1}`)).text());
    expect(last).toContain(`${fy - 1}年度に発行されたバッジはありません`);
    expect(last).toContain(`${fy}年度 4 1`); // the yearly series is not narrowed
    const all = await meti.client.get('/admin/badges/overview?fy=abc');
    expect(all.status).toBe(200);
    expect(textOf(await all.text())).toContain('合計 4 1');
  });

  it('is for METI and the secretariat only', async () => {
    const sec = await staffUser(app, env, 'secretariat', 'viewer');
    expect((await sec.client.get('/admin/badges/overview')).status).toBe(200);
    expect((await hub.client.get('/admin/badges/overview')).status).toBe(403);
    expect((await operator.client.get('/admin/badges/overview')).status).toBe(403);
    const anonymous = await app.request('/admin/badges/overview');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toMatch(/^\/login/);
    // Issuing organisations keep their own pages at /admin/badges. The secretariat's badge navigation links
    // to the overview; an issuing organisation's does not.
    const navOf = (html: string) =>
      html.match(/<nav class="desk-nav" aria-label="バッジの管理">[\s\S]*?<\/nav>/)?.[0];
    const hubHome = await hub.client.get('/admin/badges');
    expect(hubHome.status).toBe(200);
    const hubNav = navOf(await hubHome.text());
    expect(hubNav).toContain(`href="/admin/badges/credentials?org=${hub.actor.org.id}"`);
    expect(hubNav).not.toContain('/admin/badges/overview');
    const secHome = await sec.client.get(`/admin/badges?org=${hub.actor.org.id}`);
    expect(secHome.status).toBe(200);
    expect(navOf(await secHome.text())).toContain('href="/admin/badges/overview"');
  });

  it('gives a ministry user no personal data anywhere under /admin/badges', async () => {
    const h = hub.actor.org.id;
    const own = meti.actor.org.id;
    const gets = [
      `/admin/badges?org=${h}`,
      '/admin/badges/overview',
      `/admin/badges/achievements/new?org=${h}`,
      `/admin/badges/achievements/${achievementId}`,
      `/admin/badges/achievements/${achievementId}/edit`,
      '/admin/badges/issuer',
      `/admin/badges/issuer?org=${h}`,
      `/admin/badges/issuer/rotate?org=${h}`,
      `/admin/badges/issue?org=${h}`,
      `/admin/badges/bulk?org=${h}`,
      `/admin/badges/bulk/template.xlsx?org=${h}`,
      `/admin/badges/bulk/template.csv?org=${h}`,
      '/admin/badges/batches',
      `/admin/badges/batches?org=${h}`,
      `/admin/badges/batches/${batchId}`,
      '/admin/badges/credentials',
      `/admin/badges/credentials?org=${h}`,
      `/admin/badges/credentials?org=${own}`,
      `/admin/badges/credentials/${credentialId}`,
      `/admin/badges/credentials/${credentialId}/revoke`,
      `/admin/badges/credentials/${credentialId}/correct`,
      '/admin/badges/export',
      `/admin/badges/export?org=${h}`,
      ...['jsonl', 'csv', 'xlsx'].flatMap((ext) => [
        `/admin/badges/export/credentials.${ext}`,
        `/admin/badges/export/credentials.${ext}?org=${h}`,
        `/admin/badges/export/credentials.${ext}?org=all`,
      ]),
    ];
    const posts: [string, Record<string, string>][] = [
      ['/admin/badges/achievements/new', { orgId: h, key: 'meti', name: 'x' }],
      [`/admin/badges/achievements/${achievementId}/edit`, { name: 'x' }],
      [`/admin/badges/achievements/${achievementId}/publish`, {}],
      [`/admin/badges/achievements/${achievementId}/retire`, {}],
      ['/admin/badges/issuer', { orgId: h, name: 'x', url: 'https://x.example' }],
      ['/admin/badges/issuer/rotate', { orgId: h, confirmed: 'yes' }],
      ['/admin/badges/issue', { orgId: h, achievementId, email: 'meti@example.jp', name: 'x' }],
      ['/admin/badges/bulk/programme', { orgId: h, programmeId: achievementId }],
      [`/admin/badges/batches/${batchId}/start`, {}],
      [`/admin/badges/credentials/${credentialId}/revoke`, { reason: 'x', confirmed: 'yes' }],
      [`/admin/badges/credentials/${credentialId}/correct`, { name: 'x', email: 'hanako@example.jp' }],
    ];
    for (const user of [meti, metiAdmin]) {
      for (const path of gets) {
        const res = await user.client.get(path);
        const body = await res.text();
        // 'all' is the secretariat's choice: for anyone else it is not an organisation (422, nothing read).
        const expected = path.startsWith('/admin/badges?')
          ? [303]
          : path.endsWith('/overview')
            ? [200]
            : path.endsWith('org=all')
              ? [422]
              : [403, 404];
        expect(expected, `${res.status} for GET ${path}`).toContain(res.status);
        for (const p of [...personal, ...personalInList]) expect(body, `GET ${path}`).not.toContain(p);
      }
      for (const [path, form] of posts) {
        const res = await user.client.post(path, form);
        const body = await res.text();
        expect([403, 404], `${res.status} for POST ${path}`).toContain(res.status);
        for (const p of [...personal, ...personalInList]) expect(body, `POST ${path}`).not.toContain(p);
      }
    }
    // Nothing changed, and the attempts on the hub's records were audited.
    const c = await env.db
      .selectFrom('credentials')
      .select(['revoked_at'])
      .where('id', '=', credentialId)
      .executeTakeFirstOrThrow();
    expect(c.revoked_at).toBeNull();
    const batch = await env.db
      .selectFrom('issuance_batches')
      .select('status')
      .where('id', '=', batchId)
      .executeTakeFirstOrThrow();
    expect(batch.status).toBe('dry_run');
    const denied = await env.db
      .selectFrom('audit_log')
      .select('id')
      .where('action', '=', 'security.cross_org_denied')
      .where('actor_user_id', '=', meti.actor.userId)
      .execute();
    expect(denied.length).toBeGreaterThan(10);
  });
});
