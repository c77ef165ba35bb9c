import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeShiftJis } from '../../../lib/table-file.test-support.js';
import { Client, staffClient, type TestApp, testApp } from '../../../test/app.js';
import { staffActor } from '../../../test/application-factories.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../../test/db.js';
import { checkFrameworkImport, importFramework } from '../framework-import.service.js';
import { itemsCsv, rolesCsv, templateRows } from '../framework-template.js';

const XSS = '<script>alert(1)</script>';
const enc = (s: string) => new TextEncoder().encode(s);

/** A multipart POST as a browser sends the import form: the CSRF field, text fields and files. */
async function postMultipart(
  client: Client,
  path: string,
  fields: Record<string, string>,
  files: Record<string, { name: string; bytes: Uint8Array }>,
  opts: { csrf?: boolean } = {},
): Promise<Response> {
  const body = new FormData();
  if (opts.csrf !== false) body.set('_csrf', await client.csrfToken());
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  for (const [k, f] of Object.entries(files)) body.set(k, new File([new Uint8Array(f.bytes)], f.name));
  return client.app.request(path, { method: 'POST', body, headers: { cookie: client.cookieHeader() } });
}

describe.each(dbKinds())('skill framework pages on %s', (kind) => {
  let env: TestEnv;
  let app: TestApp;

  beforeAll(async () => {
    env = await createTestEnv(kind);
    app = testApp(env);
    // A version whose names carry markup: every page must show it as text.
    const t = templateRows();
    const [item] = t.items;
    const [role] = t.roles;
    if (!item || !role) throw new Error('the template has an item and a role');
    const sec = await staffActor(env, 'secretariat', 'staff');
    const rows = {
      items: [
        {
          ...item,
          name: XSS,
          nameEn: `${XSS} en`,
          categoryName: `${XSS} cat`,
          subcategoryName: `${XSS} sub`,
        },
      ],
      roles: [{ ...role, name: `${XSS} role`, description: `${XSS} desc`, itemCodes: [item.code] }],
    };
    const r = await checkFrameworkImport(env, sec, {
      file: { name: 'x.csv', bytes: enc(itemsCsv(rows)) },
      rolesFile: { name: 'r.csv', bytes: enc(rolesCsv(rows)) },
      meta: { slug: 'xss', version: '1.0', name: `${XSS} fw`, provenance: `${XSS} prov`, official: false },
    });
    expect(r.ok).toBe(true);
    await importFramework(env, sec, r.id);
  });
  afterAll(() => env.close());

  it('lists frameworks and shows a version: categories, subcategories, items, roles, provenance', async () => {
    const anon = new Client(app, env);
    const list = await anon.get('/frameworks');
    expect(list.status).toBe(200);
    const listHtml = await list.text();
    expect(listHtml).toContain('href="/frameworks/dss-p/2.0"');
    expect(listHtml).toContain('(スキル項目 67件)');

    const res = await anon.get('/frameworks/dss-p/2.0');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html.match(/<h1[\s>]/g)).toHaveLength(1);
    expect(html).toContain('デジタルスキル標準(DSS-P) 共通スキルリスト ver.2.0');
    expect(html).toContain('<h2 id="cat-1">1 ビジネス変革</h2>');
    expect(html).toContain('<h3>1.1 戦略の理解とアーキテクチャ設計</h3>');
    expect(html).toContain('href="/frameworks/dss-p/2.0/5.2.4"');
    expect(html).toContain('このバージョンが公式に公表されたものかどうかは確認されていません。');
    expect(html).toContain('github.com/jimyoshida/dx-devops-landscape');
    expect(html).toContain('ビジネスアーキテクト');
    expect(html).toContain('href="/frameworks/dss-p/2.0.json"');
    expect(html).toContain('<link rel="canonical" href="http');
  });

  it('shows an item: name, code, category path, framework and version, provenance and its status', async () => {
    const res = await new Client(app, env).get('/frameworks/dss-p/2.0/2.1.1');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<h1>データ・AI理解・活用</h1>');
    expect(html).toContain('<code>2.1.1</code>');
    expect(html).toContain('<dd>2 データ整備・活用</dd>');
    expect(html).toContain('2.1 データ・AIの戦略的活用');
    expect(html).toContain('<dd>2.0</dd>');
    expect(html).toContain('デジタルスキル標準(DSS-P) 共通スキルリスト');
    expect(html).toContain('公式に公表されたものかどうかは確認されていません');
    expect(html).toContain('Official status unconfirmed');
  });

  it('answers 404 for unknown or malformed frameworks, versions and codes', async () => {
    const anon = new Client(app, env);
    for (const path of [
      '/frameworks/dss-p/9.9',
      '/frameworks/dss-p/2.0/9.9.9',
      '/frameworks/DSS-P/2.0',
      '/frameworks/dss-p/2.0/%3Cx%3E',
      '/frameworks/dss-p/9.9.json',
      "/frameworks/dss-p/2.0/1.1.1'--",
    ]) {
      expect([path, (await anon.get(path)).status]).toEqual([path, 404]);
    }
  });

  it('serves the machine-readable version as JSON in the import format, with absolute URLs', async () => {
    const res = await new Client(app, env).get('/frameworks/dss-p/2.0.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const data = await res.json();
    expect(data).toMatchObject({ slug: 'dss-p', version: '2.0', official_status: 'unconfirmed' });
    const skills = data.categories.flatMap((c: { subcategories: { skills: unknown[] }[] }) =>
      c.subcategories.flatMap((s) => s.skills),
    );
    expect(skills).toHaveLength(67);
    expect(skills[0]).toEqual({
      id: '1.1.1',
      name: 'ビジネス環境と経営戦略の理解',
      url: `${env.config.baseUrl}/frameworks/dss-p/2.0/1.1.1`,
    });
    expect(data.roles).toHaveLength(5);
  });

  it('shows names with markup as text on every page', async () => {
    const anon = new Client(app, env);
    for (const path of ['/frameworks', '/frameworks/xss/1.0', '/frameworks/xss/1.0/1.1.1']) {
      const html = await (await anon.get(path)).text();
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).not.toContain('<script>alert(1)');
    }
    const json = await (await anon.get('/frameworks/xss/1.0.json')).json();
    expect(json.categories[0].subcategories[0].skills[0].name).toBe(XSS);
  });

  it('lets only staff see the versions, and only the secretariat import', async () => {
    const anon = new Client(app, env);
    const redirected = await anon.get('/admin/frameworks');
    expect(redirected.status).toBe(303);
    expect(redirected.headers.get('location')).toBe('/login?next=%2Fadmin%2Fframeworks');
    const { client: hub } = await staffClient(app, env, 'regional_hub', 'admin');
    const hubList = await hub.get('/admin/frameworks');
    expect(hubList.status).toBe(200);
    const hubHtml = await hubList.text();
    expect(hubHtml).toContain('登録されているバージョン');
    expect(hubHtml).not.toContain('新しいバージョンを取り込む');
    expect(hubHtml).not.toContain('取り込みの記録');
    expect((await hub.get('/admin/frameworks/import')).status).toBe(403);
    expect((await hub.get('/admin/frameworks/template.xlsx')).status).toBe(403);
    const csv = { name: 'a.csv', bytes: enc(itemsCsv(templateRows())) };
    const refused = await postMultipart(
      hub,
      '/admin/frameworks/import',
      { slug: 'a', version: '1' },
      { file: csv },
    );
    expect(refused.status).toBe(403);
    const { client: viewer } = await staffClient(app, env, 'secretariat', 'viewer');
    expect((await viewer.get('/admin/frameworks/import')).status).toBe(403);
  });

  it('takes the secretariat from the form through the dry run to the import, and refuses a second import', async () => {
    const { client } = await staffClient(app, env, 'secretariat', 'staff');
    const form = await client.get('/admin/frameworks/import');
    expect(form.status).toBe(200);
    const formHtml = await form.text();
    expect(formHtml).toContain('enctype="multipart/form-data"');
    expect(formHtml).toContain('href="/admin/frameworks/template.xlsx"');
    expect(formHtml).toContain('<code>item_code</code>');

    // No file, a bad slug: the same page with errors tied to the fields.
    const empty = await postMultipart(client, '/admin/frameworks/import', { slug: 'Bad Slug' }, {});
    expect(empty.status).toBe(422);
    const emptyHtml = await empty.text();
    expect(emptyHtml).toContain('href="#f-file"');
    expect(emptyHtml).toContain('ファイルを選んでください');
    expect(emptyHtml).toContain('aria-describedby="f-slug-hint f-slug-error"');

    // No CSRF token: refused before anything is read.
    const noCsrf = await postMultipart(client, '/admin/frameworks/import', {}, {}, { csrf: false });
    expect(noCsrf.status).toBe(403);

    const rows = templateRows();
    const checked = await postMultipart(
      client,
      '/admin/frameworks/import',
      { slug: 'route-fw', version: '1.0', name: 'ルートのテスト', provenance: '出典: テスト' },
      {
        file: { name: 'items.csv', bytes: enc(itemsCsv(rows)) },
        rolesFile: { name: 'roles.csv', bytes: enc(rolesCsv(rows)) },
      },
    );
    expect(checked.status).toBe(303);
    const reportPath = checked.headers.get('location') ?? '';
    expect(reportPath).toMatch(/^\/admin\/frameworks\/imports\/[0-9a-f-]{36}$/);
    const report = await (await client.get(reportPath)).text();
    expect(report).toContain('エラーはありません。');
    expect(report).toContain('カテゴリ1件、サブカテゴリ1件、スキル項目3件、ロール1件');
    expect(report).toContain(`action="${reportPath}/import"`);
    expect((await new Client(app, env).get('/frameworks/route-fw/1.0')).status).toBe(404);

    const imported = await client.post(`${reportPath}/import`, {});
    expect(imported.status).toBe(303);
    expect(imported.headers.get('location')).toBe(`${reportPath}?done=imported`);
    const done = await (await client.get(`${reportPath}?done=imported`)).text();
    expect(done).toContain('取り込みました。');
    expect(done).toContain('href="/frameworks/route-fw/1.0"');
    const page = await (await new Client(app, env).get('/frameworks/route-fw/1.0/1.1.2')).text();
    expect(page).toContain('<h1>事業戦略の策定とマネジメント</h1>');
    expect(page).toContain('ビジネスアーキテクト');

    const again = await client.post(`${reportPath}/import`, {});
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('この取り込みはすでに完了しています');
    const list = await (await client.get('/admin/frameworks')).text();
    expect(list).toContain('ルートのテスト ver.1.0');
    expect(list).toContain('items.csv、roles.csv');
  });

  it('reads a Shift_JIS CSV with a warning saying so; refuses an encoding it cannot tell, plainly', async () => {
    // Excel in Japan saves plain 「CSV(コンマ区切り)」 as Shift_JIS: the shared reader (lib/table-file.ts) decodes
    // it and the report says so (until then the framework import refused it).
    const { client } = await staffClient(app, env, 'secretariat', 'admin');
    const rows = templateRows();
    const sjis = await postMultipart(
      client,
      '/admin/frameworks/import',
      { slug: 'sj', version: '1', name: 'Shift_JIS のテスト', provenance: '出典: テスト' },
      {
        file: { name: 'sjis.csv', bytes: encodeShiftJis(itemsCsv(rows).replace(/^\uFEFF/, '')) },
        rolesFile: { name: 'roles.csv', bytes: enc(rolesCsv(rows)) },
      },
    );
    expect(sjis.status).toBe(303);
    const report = await (await client.get(sjis.headers.get('location') ?? '')).text();
    expect(report).toContain('Shift_JIS として読み込みました');
    expect(report).toContain('カテゴリ1件、サブカテゴリ1件、スキル項目3件、ロール1件');
    expect(report).toContain('このバージョンを取り込む');

    // 「café,」 in Windows-1252: neither UTF-8 nor Shift_JIS.
    const cp1252 = new Uint8Array([...enc('category_code,category_name\n1,caf'), 0xe9, 0x2c]);
    const res = await postMultipart(
      client,
      '/admin/frameworks/import',
      { slug: 'sj', version: '2' },
      { file: { name: 'cp1252.csv', bytes: cp1252 } },
    );
    expect(res.status).toBe(303);
    const html = await (await client.get(res.headers.get('location') ?? '')).text();
    expect(html).toContain('文字コードを判別できません');
    expect(html).toContain('取り込めません');
    expect(html).not.toContain('このバージョンを取り込む');
  });

  it('offers the templates, which the importer accepts', async () => {
    const { client } = await staffClient(app, env, 'secretariat', 'staff');
    const xlsx = await client.get('/admin/frameworks/template.xlsx');
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-disposition')).toBe('attachment; filename="framework-template.xlsx"');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await xlsx.arrayBuffer());
    expect(wb.worksheets.map((w) => w.name)).toEqual(['スキル項目', 'ロール', '説明']);
    expect(wb.getWorksheet('スキル項目')?.getRow(1).getCell(5).value).toBe('スキル項目コード');
    const csv = await client.get('/admin/frameworks/template.csv');
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const json = await (await client.get('/admin/frameworks/template.json')).json();
    expect(json.categories[0].subcategories[0].skills).toHaveLength(3);
  });
});
