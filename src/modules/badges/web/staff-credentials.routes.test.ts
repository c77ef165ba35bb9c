import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/app.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../../test/db.js';
import { fiscalYearOf } from '../../programmes/jst.js';
import type { AchievementView } from '../achievement.presenter.js';
import { createAchievement, publishAchievement } from '../achievement.service.js';
import { dsspFramework, publishedAchievement, testPng } from '../badges.test-support.js';
import { issueBadge } from '../issue.service.js';
import { location, type StaffUser, staffUser, textOf } from './staff-test-support.js';

/**
 * The issued-badge pages (issue 4 §7) and the IPA export (§8b) through the real app on a real database: the
 * filtered list, one badge (its view audited), revoking with a required reason and a confirmation page,
 * correcting (re-issue), the export as JSON Lines, CSV (BOM, formula cells neutralised) and XLSX with each
 * download audited, and tenancy (another organisation's badges and export are 404).
 */
describe.each(dbKinds())('staff issued-badge and export pages on %s', (kind) => {
  let env: TestEnv;
  let app: TestApp;
  let hub: StaffUser;
  let other: StaffUser;
  let achievement: AchievementView;
  let formulaAchievement: AchievementView;

  beforeAll(async () => {
    env = await createTestEnv(kind);
    app = testApp(env);
    hub = await staffUser(app, env, 'regional_hub', 'staff');
    other = await staffUser(app, env, 'regional_hub', 'admin');
    achievement = await publishedAchievement(env, hub.actor);
    // A name a spreadsheet would run as a formula: the CSV and XLSX must neutralise it.
    const { id: frameworkId, codes } = await dsspFramework(env);
    const created = await createAchievement(env, hub.actor, {
      orgId: hub.actor.org.id,
      key: 'formula-name',
      name: '=HYPERLINK("http://evil.example") 修了',
      description: '説明',
      criteriaNarrative: '基準',
      frameworkId,
      skillCodes: codes,
      images: { png: testPng() },
    });
    formulaAchievement = await publishAchievement(env, hub.actor, { achievementId: created.id });
  });
  afterAll(async () => {
    await env?.close();
  });

  const page = async (u: StaffUser, path: string, status = 200) => {
    const res = await u.client.get(path);
    expect(res.status, path).toBe(status);
    return res.text();
  };
  const issue = async (email: string, name = '髙橋 𠮷子', a = achievement) =>
    (await issueBadge(env, hub.actor, { achievementId: a.id, email, name, format: 'ldp' })).credentialId;
  const org = () => hub.actor.org.id;

  it('lists the organisation’s badges with filters and shows one, auditing the view', async () => {
    const id = await issue('list1@example.jp');
    await issue('list2@example.jp', '山田 太郎', formulaAchievement);
    const list = textOf(await page(hub, '/admin/badges/credentials'));
    expect(list).toContain('髙橋 𠮷子 list1@example.jp');
    expect(list).toContain('山田 太郎 list2@example.jp');
    const filtered = textOf(
      await page(hub, `/admin/badges/credentials?org=${org()}&achievement=${achievement.id}`),
    );
    expect(filtered).toContain('list1@example.jp');
    expect(filtered).not.toContain('list2@example.jp');
    expect(textOf(await page(hub, `/admin/badges/credentials?org=${org()}&status=revoked`))).toContain(
      '条件に合う発行済みバッジはありません',
    );
    // Nonsense in the query means "all", never an error.
    expect(
      await page(hub, `/admin/badges/credentials?org=${org()}&status=x&page=-3&achievement=1`),
    ).toContain('list1@example.jp');

    const detail = await page(hub, `/admin/badges/credentials/${id}`);
    expect(detail).toContain('髙橋 𠮷子');
    expect(detail).toContain(`href="/badges/${id}.png"`);
    expect(detail).toContain(`/admin/badges/credentials/${id}/revoke`);
    const viewed = await env.db
      .selectFrom('audit_log')
      .select('actor_user_id')
      .where('action', '=', 'badges.credential.viewed')
      .where('subject_id', '=', id)
      .execute();
    expect(viewed).toEqual([{ actor_user_id: hub.actor.userId }]);
  });

  it('revokes only with a reason and after the confirmation page', async () => {
    const id = await issue('revoke@example.jp');
    const path = `/admin/badges/credentials/${id}/revoke`;
    expect(await page(hub, path)).toContain('取り消しの理由');
    const empty = await hub.client.post(path, { reason: '  ' });
    expect(empty.status).toBe(422);
    const emptyHtml = await empty.text();
    expect(emptyHtml).toContain('href="#f-reason"');
    expect(emptyHtml).toContain('取り消しの理由を入力してください');
    const tooLong = await hub.client.post(path, { reason: 'あ'.repeat(501) });
    expect(tooLong.status).toBe(422);

    const confirm = await hub.client.post(path, { reason: '受講記録の誤り <script>' });
    expect(confirm.status).toBe(200);
    const confirmHtml = await confirm.text();
    expect(confirmHtml).toContain('バッジの取り消しの確認');
    expect(confirmHtml).toContain('受講記録の誤り &lt;script&gt;');
    expect(confirmHtml).toContain('>取り消す</button>');
    const row = () =>
      env.db
        .selectFrom('credentials')
        .select(['revoked_at', 'revocation_reason'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
    expect((await row()).revoked_at).toBeNull();

    expect((await other.client.post(path, { reason: '他組織', confirmed: 'yes' })).status).toBe(404);
    const done = await hub.client.post(path, { reason: '受講記録の誤り <script>', confirmed: 'yes' });
    expect(location(done)).toBe(`/admin/badges/credentials/${id}?done=revoked`);
    expect(await row()).toMatchObject({ revocation_reason: '受講記録の誤り <script>' });
    const shown = textOf(await page(hub, location(done)));
    expect(shown).toContain('バッジを取り消しました');
    expect(shown).toContain('取り消し済み(失効)');
    expect(shown).not.toContain('このバッジを取り消す');
    const again = await hub.client.post(path, { reason: 'もう一度', confirmed: 'yes' });
    expect(again.status).toBe(409);
    expect(textOf(await page(hub, `/admin/badges/credentials?org=${org()}&status=revoked`))).toContain(
      'revoke@example.jp',
    );
  });

  it('corrects a badge: a new one is issued and the old one revoked as corrected', async () => {
    const id = await issue('correct@example.jp', '誤記 花子');
    const path = `/admin/badges/credentials/${id}/correct`;
    const form = await page(hub, path);
    expect(form).toContain('value="誤記 花子"');
    const bad = await hub.client.post(path, {
      name: '正しい 花子',
      email: 'not-mail',
      evidenceUrl: '',
      narrative: '',
    });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('href="#f-email"');
    expect((await other.client.post(path, { name: 'x', email: 'correct@example.jp' })).status).toBe(404);

    const res = await hub.client.post(path, {
      name: '正しい 花子',
      email: 'correct@example.jp',
      evidenceUrl: '',
      narrative: '',
      note: '氏名の誤記',
    });
    const to = location(res);
    expect(to).toMatch(/^\/admin\/badges\/credentials\/[0-9a-f-]{36}\?done=corrected$/);
    expect(to).not.toContain(id);
    const shown = textOf(await page(hub, to));
    expect(shown).toContain('正しい 花子');
    expect(shown).toContain('訂正前のバッジを表示する');
    const old = await env.db
      .selectFrom('credentials')
      .select(['revocation_reason', 'replaced_by_id'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(old.revocation_reason).toBe('corrected');
    expect(to).toContain(old.replaced_by_id ?? 'none');
    expect(textOf(await page(hub, `/admin/badges/credentials/${id}`))).toContain('訂正により取り消し');
  });

  it('keeps another organisation out of the list, a badge and its actions (404)', async () => {
    const id = await issue('tenancy@example.jp');
    await page(other, `/admin/badges/credentials?org=${org()}`, 404);
    await page(other, `/admin/badges/credentials/${id}`, 404);
    await page(other, `/admin/badges/credentials/${id}/revoke`, 404);
    await page(other, `/admin/badges/credentials/${id}/correct`, 404);
    expect(textOf(await page(other, '/admin/badges/credentials'))).not.toContain('tenancy@example.jp');
    const viewer = await staffUser(app, env, 'regional_hub', 'viewer', org());
    await page(viewer, `/admin/badges/credentials/${id}`);
    await page(viewer, `/admin/badges/credentials/${id}/revoke`, 403);
    expect(
      (await viewer.client.post(`/admin/badges/credentials/${id}/revoke`, { reason: 'x', confirmed: 'yes' }))
        .status,
    ).toBe(403);
  });

  it('exports as JSON Lines, CSV and XLSX, each download audited; filters are checked', async () => {
    await issue('export@example.jp');
    const exportPage = await page(hub, '/admin/badges/export');
    expect(exportPage).toContain(`/admin/badges/export/credentials.csv?org=${org()}`);
    expect(exportPage).toContain('ダウンロードは監査ログに記録されます');
    const badYear = await hub.client.get('/admin/badges/export?fy=1999');
    expect(badYear.status).toBe(422);
    expect(await badYear.text()).toContain('href="#f-fy"');
    expect((await hub.client.get('/admin/badges/export/credentials.csv?fy=abc')).status).toBe(422);

    const jsonl = await hub.client.get(`/admin/badges/export/credentials.jsonl?org=${org()}`);
    expect(jsonl.status).toBe(200);
    expect(jsonl.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(jsonl.headers.get('content-disposition')).toMatch(/^attachment; filename="badges-all-/);
    const records = (await jsonl.text())
      .trim()
      .split('\n')
      .map(
        (l) => JSON.parse(l) as { credentialId: string; issuerId: string; credential: { proof: unknown } },
      );
    const count = Number(jsonl.headers.get('x-export-rows'));
    expect(records).toHaveLength(count);
    expect(count).toBeGreaterThan(0);
    expect(records[0]?.credential.proof).toBeDefined();

    const csv = await hub.client.get(
      `/admin/badges/export/credentials.csv?org=${org()}&fy=${fiscalYearOf(env.clock.now())}`,
    );
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    expect(text.split('\r\n')[0]).toBe(
      '"credential_id","achievement_id","achievement_version","achievement_name","dssp_codes","framework","issuer_id","issuer_name","valid_from","valid_until","awarded_date","status","revoked_at","replaced_by","credential"',
    );
    expect(text).toContain('"地域企業協働プログラム 修了"');
    expect(text).toContain('"\'=HYPERLINK(""http://evil.example"") 修了"');

    const xlsx = await hub.client.get(`/admin/badges/export/credentials.xlsx?org=${org()}`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await xlsx.arrayBuffer());
    const ws = wb.worksheets[0];
    expect(ws?.getRow(1).getCell(1).value).toBe('credential_id');
    expect(ws?.rowCount).toBe(count + 1);
    const names = ws?.getColumn(4).values.slice(2);
    expect(names).toContain('地域企業協働プログラム 修了');
    expect(names).toContain('\'=HYPERLINK("http://evil.example") 修了');

    const audited = await env.db
      .selectFrom('audit_log')
      .select(['details'])
      .where('action', '=', 'badges.export.downloaded')
      .where('actor_user_id', '=', hub.actor.userId)
      .execute();
    expect(audited.map((a) => (a.details as { format: string }).format).sort()).toEqual([
      'csv',
      'jsonl',
      'xlsx',
    ]);
    expect(
      await env.db
        .selectFrom('audit_log')
        .select('id')
        .where('action', '=', 'badges.exported')
        .where('actor_user_id', '=', hub.actor.userId)
        .execute(),
    ).toHaveLength(3);
  });

  it('exports only the own organisation’s badges; the secretariat may export all', async () => {
    await issueBadge(env, other.actor, {
      achievementId: (await publishedAchievement(env, other.actor)).id,
      email: 'other-org@example.jp',
      name: '他 太郎',
    });
    expect((await other.client.get(`/admin/badges/export/credentials.csv?org=${org()}`)).status).toBe(404);
    await page(other, `/admin/badges/export?org=${org()}`, 404);
    expect((await other.client.get('/admin/badges/export/credentials.csv?org=all')).status).toBe(422);
    const own = await other.client.get('/admin/badges/export/credentials.jsonl');
    expect(Number(own.headers.get('x-export-rows'))).toBe(1);

    const sec = await staffUser(app, env, 'secretariat', 'staff');
    const secPage = await page(sec, '/admin/badges/export');
    expect(secPage).toContain('すべての組織');
    const all = await sec.client.get('/admin/badges/export/credentials.jsonl?org=all');
    const ids = new Set(
      (await all.text())
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { organisationId: string }).organisationId),
    );
    expect(ids).toEqual(new Set([org(), other.actor.org.id]));
    const viewer = await staffUser(app, env, 'regional_hub', 'viewer', org());
    expect((await viewer.client.get('/admin/badges/export/credentials.csv')).status).toBe(403);
  });
});
