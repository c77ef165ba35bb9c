import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/app.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../../test/db.js';
import { makeProgramme } from '../../../test/factories.js';
import { dsspFramework, testPng } from '../badges.test-support.js';
import { idIn, location, postMultipart, type StaffUser, staffUser, textOf } from './staff-test-support.js';

/**
 * The staff pages for achievements and the issuer (issue 4 §2, §3) through the real app on a real database:
 * the list, creating a draft with alignments and images, validation (422 with the messages at the fields),
 * publishing, editing a published achievement (a new version), the issuer profile and key rotation behind a
 * confirmation, and tenancy (another organisation's ids are 404 and audited; viewers cannot manage).
 */
describe.each(dbKinds())('staff achievement and issuer pages on %s', (kind) => {
  let env: TestEnv;
  let app: TestApp;
  let hub: StaffUser;
  let other: StaffUser;
  let codes: [string, string];
  let frameworkId: string;
  let programmeId: string;

  beforeAll(async () => {
    env = await createTestEnv(kind);
    app = testApp(env);
    hub = await staffUser(app, env, 'regional_hub', 'staff');
    other = await staffUser(app, env, 'regional_hub', 'admin');
    ({ codes, id: frameworkId } = await dsspFramework(env));
    programmeId = await makeProgramme(env, hub.actor.org.id, { title: '地域企業協働プログラム 東北 2026' });
  });
  afterAll(async () => {
    await env?.close();
  });

  const content = (o: Record<string, string | string[]> = {}) => ({
    orgId: hub.actor.org.id,
    key: `regional-${Math.random().toString(36).slice(2, 8)}`,
    programmeId,
    name: '地域企業協働プログラム 修了',
    description: '地域の中小企業と協働し、課題解決に取り組んだ。',
    criteriaNarrative: '全セッションに参加し、最終提案を行うこと。',
    achievementType: 'CertificateOfCompletion',
    validDays: '',
    frameworkId,
    skillCodes: [...codes],
    ...o,
  });
  const png = { imagePng: { name: 'badge.png', bytes: testPng(), type: 'image/png' } };

  async function create(o: Record<string, string | string[]> = {}, files = png): Promise<string> {
    const res = await postMultipart(hub.client, '/admin/badges/achievements/new', content(o), files);
    expect(res.status, await res.clone().text()).toBe(303);
    return idIn(location(res));
  }

  const page = async (u: StaffUser, path: string, status = 200) => {
    const res = await u.client.get(path);
    expect(res.status, path).toBe(status);
    return res.text();
  };

  it('lists the organisation’s achievements and offers the form with DSS-P items grouped by category', async () => {
    const list = await page(hub, '/admin/badges');
    expect(list.match(/<h1[\s>]/g)).toHaveLength(1);
    expect(list).toContain('登録されたバッジはまだありません');
    expect(list).toContain('href="/admin/badges/achievements/new?org=');
    const form = await page(hub, `/admin/badges/achievements/new?org=${hub.actor.org.id}`);
    expect(form).toContain('enctype="multipart/form-data"');
    expect(form).toContain('class="checkbox-subgroup"');
    for (const code of codes) expect(form).toContain(`value="${code}"`);
    expect(form).toContain('地域企業協働プログラム 東北 2026');
    expect(form).toContain('※必須');
  });

  it('creates a draft, shows it, publishes it; editing the published one makes version 2', async () => {
    const id = await create();
    const draft = await page(hub, `/admin/badges/achievements/${id}?done=created`);
    expect(draft).toContain('下書きとして登録しました');
    expect(textOf(draft)).toContain('下書き(第1版)');
    expect(draft).toContain(`/frameworks/dss-p/2.0/${codes[0]}`);
    expect(draft).toContain('地域企業協働プログラム 東北 2026');

    const published = await hub.client.post(`/admin/badges/achievements/${id}/publish`, {});
    expect(location(published)).toBe(`/admin/badges/achievements/${id}?done=published`);
    const shown = textOf(await page(hub, location(published)));
    expect(shown).toContain('公開中の版(第1版)');
    expect(shown).toContain('第1版で発行します');

    const edit = await page(hub, `/admin/badges/achievements/${id}/edit`);
    expect(edit).toContain('公開中の第1版は変更されません');
    expect(edit).toContain('value="地域企業協働プログラム 修了"');
    const res = await postMultipart(hub.client, `/admin/badges/achievements/${id}/edit`, {
      ...content({ name: '地域企業協働プログラム 修了(改訂)' }),
      skillCodes: [codes[0]],
    });
    expect(location(res)).toBe(`/admin/badges/achievements/${id}?done=new_version`);
    const after = textOf(await page(hub, location(res)));
    expect(after).toContain('下書き(第2版)');
    expect(after).toContain('公開中の版(第1版)');
    expect(after).toMatch(
      /第2版 下書き 地域企業協働プログラム 修了\(改訂\).*第1版 公開中 地域企業協働プログラム 修了/,
    );

    const list = textOf(await page(hub, '/admin/badges'));
    expect(list).toContain('地域企業協働プログラム 修了(改訂)');
    expect(list).toContain('第1版');
  });

  it('answers 422 with the messages at the fields, keeping what was typed', async () => {
    const res = await postMultipart(
      hub.client,
      '/admin/badges/achievements/new',
      content({ key: 'Bad Key!', name: '', validDays: 'abc', description: '<b>説明</b>' }),
    );
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('入力内容に誤りがあります');
    expect(html).toContain('href="#f-validDays"');
    expect(html).toContain('日数を半角数字で入力してください');
    expect(html).toContain('&lt;b&gt;説明&lt;/b&gt;');

    const bad = await postMultipart(
      hub.client,
      '/admin/badges/achievements/new',
      content({ key: 'Bad Key!', name: '' }),
    );
    expect(bad.status).toBe(422);
    const text = textOf(await bad.text());
    expect(text).toContain('英小文字・数字');
    expect(text).toContain('必須です');

    const unknown = await postMultipart(
      hub.client,
      '/admin/badges/achievements/new',
      content({ skillCodes: ['9.9.9'] }),
    );
    expect(unknown.status).toBe(422);
    expect(await unknown.text()).toContain('スキル標準にない項目です');

    const key = `taken-${Math.random().toString(36).slice(2, 8)}`;
    await create({ key });
    const taken = await postMultipart(hub.client, '/admin/badges/achievements/new', content({ key }));
    expect(taken.status).toBe(422);
    expect(await taken.text()).toContain('このキーは既に使われています');

    const notPng = await postMultipart(hub.client, '/admin/badges/achievements/new', content(), {
      imagePng: { name: 'x.png', bytes: new TextEncoder().encode('not an image') },
    });
    expect(notPng.status).toBe(422);
    expect(await notPng.text()).toContain('href="#f-imagePng"');
  });

  it('edits a draft in place, and stops issuing a published achievement', async () => {
    const id = await create();
    const res = await postMultipart(hub.client, `/admin/badges/achievements/${id}/edit`, {
      ...content({ name: '下書きの名称を変更', validDays: '365' }),
    });
    expect(location(res)).toBe(`/admin/badges/achievements/${id}?done=edited`);
    const draft = textOf(await page(hub, location(res)));
    expect(draft).toContain('下書き(第1版)');
    expect(draft).toContain('発行から365日');
    expect(draft).not.toContain('第2版');

    await hub.client.post(`/admin/badges/achievements/${id}/publish`, {});
    expect(await page(hub, '/admin/badges/issue')).toContain(`<option value="${id}">`);
    const retired = await hub.client.post(`/admin/badges/achievements/${id}/retire`, {});
    expect(location(retired)).toBe(`/admin/badges/achievements/${id}?done=retired`);
    expect(textOf(await page(hub, location(retired)))).toContain('公開中の版がないため、発行できません');
    expect(await page(hub, '/admin/badges/issue')).not.toContain(`<option value="${id}">`);
    // Nothing left to retire: 409 with the reason on the page.
    const again = await hub.client.post(`/admin/badges/achievements/${id}/retire`, {});
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('公開中の版がありません');
  });

  it('refuses to publish without a PNG (422 on the page)', async () => {
    const id = await create({}, {} as typeof png);
    const res = await hub.client.post(`/admin/badges/achievements/${id}/publish`, {});
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('バッジ画像(PNG)を登録してから公開してください');
  });

  it('answers 404 to another organisation and audits it; viewers may look but not manage', async () => {
    const id = await create();
    const before = await env.db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('action', '=', 'security.cross_org_denied')
      .executeTakeFirstOrThrow();
    await page(other, `/admin/badges/achievements/${id}`, 404);
    await page(other, `/admin/badges/achievements/${id}/edit`, 404);
    await page(other, `/admin/badges?org=${hub.actor.org.id}`, 404);
    await page(other, `/admin/badges/achievements/new?org=${hub.actor.org.id}`, 404);
    expect((await other.client.post(`/admin/badges/achievements/${id}/publish`, {})).status).toBe(404);
    const forged = await postMultipart(other.client, '/admin/badges/achievements/new', content(), png);
    expect(forged.status).toBe(404);
    const after = await env.db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('action', '=', 'security.cross_org_denied')
      .executeTakeFirstOrThrow();
    expect(Number(after.n) - Number(before.n)).toBeGreaterThanOrEqual(6);
    expect(
      await env.db
        .selectFrom('achievements')
        .select('id')
        .where('organisation_id', '=', other.actor.org.id)
        .execute(),
    ).toEqual([]);

    const viewer = await staffUser(app, env, 'regional_hub', 'viewer', hub.actor.org.id);
    const list = await page(viewer, '/admin/badges');
    expect(list).not.toContain('新しいバッジを登録する');
    await page(viewer, `/admin/badges/achievements/${id}`);
    await page(viewer, `/admin/badges/achievements/new?org=${hub.actor.org.id}`, 403);
    expect((await viewer.client.post(`/admin/badges/achievements/${id}/publish`, {})).status).toBe(403);
  });

  it('lets the secretariat choose any issuing organisation', async () => {
    const sec = await staffUser(app, env, 'secretariat', 'staff');
    const html = await page(sec, `/admin/badges?org=${hub.actor.org.id}`);
    expect(html).toContain(`<option value="${hub.actor.org.id}" selected="">`);
    expect(html).toContain('地域企業協働プログラム 修了');
    const ministry = await staffUser(app, env, 'ministry', 'viewer');
    const metiHome = await ministry.client.get('/admin/badges');
    expect([metiHome.status, metiHome.headers.get('location')]).toEqual([303, '/admin/badges/overview']);
  });

  it('saves the issuer profile; 422 for a bad URL; another organisation is 404', async () => {
    const shown = await page(hub, '/admin/badges/issuer');
    expect(shown).toContain('まだ保存されていません');
    expect(shown).toContain(`did:web:`);
    const bad = await postMultipart(hub.client, '/admin/badges/issuer', {
      orgId: hub.actor.org.id,
      name: '東北ハブ',
      url: 'javascript:alert(1)',
      email: 'not-mail',
    });
    expect(bad.status).toBe(422);
    const badHtml = await bad.text();
    expect(badHtml).toContain('http(s) の URL を入力してください');
    expect(badHtml).toContain('メールアドレスの形式が正しくありません');
    expect(badHtml).toContain('value="javascript:alert(1)"');

    const ok = await postMultipart(
      hub.client,
      '/admin/badges/issuer',
      {
        orgId: hub.actor.org.id,
        name: '東北地域企業協働ハブ',
        url: 'https://tohoku.example.jp',
        email: 'badge@example.jp',
      },
      { image: { name: 'logo.png', bytes: testPng(), type: 'image/png' } },
    );
    expect(location(ok)).toBe(`/admin/badges/issuer?org=${hub.actor.org.id}&done=saved`);
    const saved = await page(hub, location(ok));
    expect(saved).toContain('発行者プロフィールを保存しました');
    expect(saved).toContain('value="https://tohoku.example.jp"');
    expect(saved).toContain(`/issuers/${hub.actor.org.id}/image.png`);

    const forged = await postMultipart(other.client, '/admin/badges/issuer', {
      orgId: hub.actor.org.id,
      name: '乗っ取り',
      url: 'https://evil.example',
    });
    expect(forged.status).toBe(404);
    await page(other, `/admin/badges/issuer?org=${hub.actor.org.id}`, 404);
    expect(textOf(await page(hub, '/admin/badges/issuer'))).toContain('東北地域企業協働ハブ');
  });

  it('rotates the key only after the confirmation page, showing public halves only', async () => {
    // A first badge creates the organisation's key (issue.service.ts); then rotate.
    const id = await create();
    await hub.client.post(`/admin/badges/achievements/${id}/publish`, {});
    const issued = await hub.client.post('/admin/badges/issue', {
      orgId: hub.actor.org.id,
      achievementId: id,
      email: 'rotate@example.jp',
      name: '鍵 太郎',
      format: 'ldp',
    });
    expect(issued.status).toBe(303);
    const keysBefore = await env.db
      .selectFrom('issuer_keys')
      .select(['sealed_secret_key', 'status'])
      .where('organisation_id', '=', hub.actor.org.id)
      .execute();
    expect(keysBefore).toHaveLength(1);

    const confirm = await page(hub, `/admin/badges/issuer/rotate?org=${hub.actor.org.id}`);
    expect(confirm).toContain('署名鍵の更新の確認');
    // A POST without the confirmation goes back to it and changes nothing.
    const bare = await hub.client.post('/admin/badges/issuer/rotate', { orgId: hub.actor.org.id });
    expect(location(bare)).toBe(`/admin/badges/issuer/rotate?org=${hub.actor.org.id}`);
    expect(
      (await other.client.post('/admin/badges/issuer/rotate', { orgId: hub.actor.org.id, confirmed: 'yes' }))
        .status,
    ).toBe(404);
    const res = await hub.client.post('/admin/badges/issuer/rotate', {
      orgId: hub.actor.org.id,
      confirmed: 'yes',
    });
    expect(location(res)).toBe(`/admin/badges/issuer?org=${hub.actor.org.id}&done=rotated`);

    const keys = await env.db
      .selectFrom('issuer_keys')
      .select(['sealed_secret_key', 'status', 'public_key_multibase'])
      .where('organisation_id', '=', hub.actor.org.id)
      .execute();
    expect(keys.map((k) => k.status).sort()).toEqual(['active', 'retired']);
    const html = await page(hub, location(res));
    expect(html).toContain('署名鍵を更新しました');
    expect(textOf(html)).toContain('使用終了(検証用に公開)');
    for (const k of keys) {
      expect(html).toContain(k.public_key_multibase);
      const sealed = String(k.sealed_secret_key);
      expect(html).not.toContain(sealed.slice(0, 24));
    }
    const audited = await env.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'badges.issuer.key_rotated')
      .where('subject_id', '=', hub.actor.org.id)
      .execute();
    expect(audited).toHaveLength(1);
  });
});
