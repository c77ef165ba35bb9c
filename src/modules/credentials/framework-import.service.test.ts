import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffActor } from '../../lib/actor.js';
import { anonymous } from '../../lib/actor.js';
import { isAppError } from '../../lib/errors.js';
import { staffActor } from '../../test/application-factories.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../test/db.js';
import { readContentVersion } from '../programmes/programme.repository.js';
import type { MetaInput } from './framework-import.check.js';
import {
  checkFrameworkImport,
  cleanFileName,
  getFrameworkImport,
  importFramework,
  listFrameworkImports,
} from './framework-import.service.js';
import { type FrameworkRows, frameworkXlsx, itemsCsv, templateRows } from './framework-template.js';
import { frameworkJson } from './skill-framework.presenter.js';
import { frameworkSitemapPaths, getFrameworkDetail, getSkillItemPage } from './skill-framework.service.js';

async function codeOf(p: Promise<unknown>) {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return isAppError(e) ? e.code : String(e);
  }
}

const enc = (s: string) => new TextEncoder().encode(s);

function firstItem() {
  const [item] = templateRows().items;
  if (!item) throw new Error('the template has items');
  return item;
}

const rows = (): FrameworkRows => {
  const t = templateRows();
  return {
    items: [
      ...t.items,
      {
        code: 'X-1',
        name: '<script>alert(1)</script>',
        nameEn: 'Script & "quotes"',
        categoryCode: '9',
        categoryName: '検証',
        subcategoryCode: '9.1',
        subcategoryName: '表示',
      },
    ],
    roles: t.roles,
  };
};

describe.each(dbKinds())('framework import on %s', (kind) => {
  let env: TestEnv;
  let sec: StaffActor;
  const meta = (version: string, extra: Partial<MetaInput> = {}): MetaInput => ({
    slug: 'test-fw',
    version,
    name: 'テスト用スキル標準',
    provenance: 'テストの出典',
    official: false,
    ...extra,
  });

  beforeAll(async () => {
    env = await createTestEnv(kind);
    sec = await staffActor(env, 'secretariat', 'staff');
  });
  afterAll(() => env.close());

  it('dry-runs a good XLSX, then imports it in one go: items, roles, record, audit, public version', async () => {
    const xlsx = await frameworkXlsx(rows());
    const checked = await checkFrameworkImport(env, sec, {
      file: { name: 'C:\\Users\\a\\fw.xlsx', bytes: xlsx },
      rolesFile: null,
      meta: meta('1.0'),
    });
    expect(checked.ok).toBe(true);
    const before = await getFrameworkImport(env, sec, checked.id);
    expect(before).toMatchObject({
      status: 'checked',
      format: 'xlsx',
      fileNames: ['fw.xlsx'],
      itemCount: 4,
      roleCount: 1,
    });
    expect(before.report.issues).toEqual([]);
    expect(before.report.files[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
    // Nothing exists before the import itself.
    expect(await codeOf(getFrameworkDetail(env, 'test-fw', '1.0'))).toBe('NOT_FOUND');

    const version = await readContentVersion(env.db);
    const done = await importFramework(env, sec, checked.id);
    expect(done).toMatchObject({ slug: 'test-fw', version: '1.0' });
    expect(await readContentVersion(env.db)).toBe(version + 1);

    const { framework, roles } = await getFrameworkDetail(env, 'test-fw', '1.0');
    expect(framework.items.map((i) => i.code)).toEqual(['1.1.1', '1.1.2', '1.1.3', 'X-1']);
    expect(framework.items[3]).toMatchObject({
      name: '<script>alert(1)</script>',
      nameEn: 'Script & "quotes"',
    });
    expect(framework).toMatchObject({ provenance: 'テストの出典', officialStatus: 'unconfirmed' });
    expect(roles).toEqual([
      expect.objectContaining({
        code: 'business-architect',
        group: '人材類型',
        itemCodes: ['1.1.1', '1.1.2'],
      }),
    ]);
    const page = await getSkillItemPage(env, 'test-fw', '1.0', '1.1.2');
    expect(page.roles.map((r) => r.code)).toEqual(['business-architect']);
    expect(await frameworkSitemapPaths(env)).toEqual(
      expect.arrayContaining(['/frameworks', '/frameworks/test-fw/1.0', '/frameworks/test-fw/1.0/X-1']),
    );

    const after = await getFrameworkImport(env, sec, checked.id);
    expect(after).toMatchObject({ status: 'imported', frameworkId: framework.id, importedBy: sec.email });
    const audits = await env.db
      .selectFrom('audit_log')
      .select(['action', 'subject_id', 'actor_user_id', 'details'])
      .where('action', 'like', 'frameworks.%')
      .orderBy('id')
      .execute();
    expect(audits.map((a) => [a.action, a.actor_user_id])).toEqual([
      ['frameworks.import_checked', sec.userId],
      ['frameworks.imported', sec.userId],
    ]);
    expect(audits[1]?.details).toMatchObject({ slug: 'test-fw', version: '1.0', items: 4, roles: 1 });

    // The record cannot be imported twice.
    expect(await codeOf(importFramework(env, sec, checked.id))).toBe('INVALID_STATE');
  });

  it('refuses a version that exists, at the dry run and (if it appeared since) at the import', async () => {
    const csv = enc(itemsCsv(rows()));
    const dup = await checkFrameworkImport(env, sec, {
      file: { name: 'dss.csv', bytes: csv },
      rolesFile: null,
      meta: meta('2.0', { slug: 'dss-p' }),
    });
    expect(dup.ok).toBe(false);
    const report = (await getFrameworkImport(env, sec, dup.id)).report;
    expect(report.issues.map((i) => i.kind)).toEqual(['version_exists']);
    expect(await codeOf(importFramework(env, sec, dup.id))).toBe('INVALID_STATE');

    // Two dry runs of one new version: the first import wins, the second is a CONFLICT and changes nothing.
    const a = await checkFrameworkImport(env, sec, {
      file: { name: 'a.csv', bytes: csv },
      rolesFile: null,
      meta: meta('2.0'),
    });
    const b = await checkFrameworkImport(env, sec, {
      file: { name: 'b.csv', bytes: csv },
      rolesFile: null,
      meta: meta('2.0'),
    });
    expect([a.ok, b.ok]).toEqual([true, true]);
    await importFramework(env, sec, a.id);
    expect(await codeOf(importFramework(env, sec, b.id))).toBe('CONFLICT');
    expect((await getFrameworkImport(env, sec, b.id)).status).toBe('checked');
    expect((await getFrameworkDetail(env, 'test-fw', '2.0')).framework.items).toHaveLength(4);
  });

  it('records a rejected dry run for each kind of bad file, and never imports it', async () => {
    const cases: [string, Uint8Array, string[]][] = [
      // Neither UTF-8 nor Shift_JIS: 「café,」 in Windows-1252 (Shift_JIS is read since lib/table-file.ts)
      [
        'cp1252.csv',
        new Uint8Array([
          ...enc('category_code,category_name,subcategory_code,subcategory_name,item_code,item_name\n1,caf'),
          0xe9,
          0x2c,
        ]),
        ['encoding'],
      ],
      [
        'cols.csv',
        enc('item_code,item_name\n1,a\n'),
        ['missing_column', 'missing_column', 'missing_column', 'missing_column'],
      ],
      [
        'dup.csv',
        enc(itemsCsv({ items: [...rows().items, { ...firstItem(), name: '再' }], roles: [] })),
        ['duplicate_code'],
      ],
      ['code.csv', enc(itemsCsv(rows()).replace('"X-1"', '"X/1"')), ['bad_code']],
      ['long.csv', enc(itemsCsv(rows()).replace('"検証"', `"${'長'.repeat(201)}"`)), ['too_long']],
      ['formula.csv', enc(itemsCsv(rows()).replace('"検証"', '"@SUM(A1)"')), ['formula']],
      [
        'empty.csv',
        enc('category_code,category_name,subcategory_code,subcategory_name,item_code,item_name\n'),
        ['empty'],
      ],
      ['x.xls', new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), ['bad_file']],
      ['big.csv', new Uint8Array(1024 * 1024 + 1).fill(0x41), ['too_large']],
    ];
    for (const [name, bytes, kinds] of cases) {
      const r = await checkFrameworkImport(env, sec, {
        file: { name, bytes },
        rolesFile: null,
        meta: meta('9.0'),
      });
      const d = await getFrameworkImport(env, sec, r.id);
      expect([name, r.ok, d.status, d.report.issues.map((i) => i.kind)]).toEqual([
        name,
        false,
        'rejected',
        kinds,
      ]);
      expect(await codeOf(importFramework(env, sec, r.id))).toBe('INVALID_STATE');
    }
    const listed = await listFrameworkImports(env, sec);
    expect(listed.find((i) => i.fileNames[0] === 'cp1252.csv')?.errorCount).toBe(1);
    expect(await codeOf(getFrameworkDetail(env, 'test-fw', '9.0'))).toBe('NOT_FOUND');
  });

  it('imports its own JSON export as a new version (round trip), official when the form says so', async () => {
    const { framework, roles } = await getFrameworkDetail(env, 'dss-p', '2.0');
    const json = JSON.stringify(frameworkJson(framework, roles, 'https://example.jp'));
    const r = await checkFrameworkImport(env, sec, {
      file: { name: 'dss-p-2.0.json', bytes: enc(json) },
      rolesFile: null,
      meta: { version: '2.0-copy', official: true },
    });
    expect(r.ok).toBe(true);
    await importFramework(env, sec, r.id);
    const copy = await getFrameworkDetail(env, 'dss-p', '2.0-copy');
    expect(copy.framework).toMatchObject({
      name: framework.name,
      provenance: framework.provenance,
      officialStatus: 'official',
    });
    expect(copy.framework.items.map((i) => [i.code, i.name, i.categoryCode, i.subcategoryCode])).toEqual(
      framework.items.map((i) => [i.code, i.name, i.categoryCode, i.subcategoryCode]),
    );
    expect(copy.roles.map((x) => [x.code, x.name, x.group])).toEqual(
      roles.map((x) => [x.code, x.name, x.group]),
    );
    const page = await getSkillItemPage(env, 'dss-p', '2.0', '1.1.1');
    expect(page.otherVersions.map((o) => o.path)).toEqual(['/frameworks/dss-p/2.0-copy/1.1.1']);
  });

  it('only the secretariat (admin, staff) checks, imports and sees import records', async () => {
    const hub = await staffActor(env, 'regional_hub', 'admin');
    const viewer = await staffActor(env, 'secretariat', 'viewer');
    const input = {
      file: { name: 'a.csv', bytes: enc(itemsCsv(rows())) },
      rolesFile: null,
      meta: meta('5.0'),
    };
    expect(await codeOf(checkFrameworkImport(env, hub, input))).toBe('FORBIDDEN');
    expect(await codeOf(checkFrameworkImport(env, viewer, input))).toBe('FORBIDDEN');
    expect(await codeOf(checkFrameworkImport(env, anonymous(), input))).toBe('UNAUTHENTICATED');
    const ok = await checkFrameworkImport(env, await staffActor(env, 'secretariat', 'admin'), input);
    expect(await codeOf(importFramework(env, hub, ok.id))).toBe('FORBIDDEN');
    expect(await codeOf(listFrameworkImports(env, hub))).toBe('FORBIDDEN');
    expect(await codeOf(getFrameworkImport(env, sec, 'nope'))).toBe('NOT_FOUND');
  });

  it('keeps versions immutable in the database itself', async () => {
    const f = await getFrameworkDetail(env, 'test-fw', '1.0');
    const id = f.framework.id;
    await expect(
      sql`update skill_items set name = 'x' where framework_id = ${id}`.execute(env.db),
    ).rejects.toThrow(/immutable/);
    await expect(
      sql`delete from skill_role_items where framework_id = ${id}`.execute(env.db),
    ).rejects.toThrow(/immutable/);
    await expect(
      sql`update skill_frameworks set name = 'x' where id = ${id}`.execute(env.db),
    ).rejects.toThrow(/immutable/);
  });

  it('keeps only the last part of a file name, printable', () => {
    expect(cleanFileName('../../etc/passwd')).toBe('passwd');
    expect(cleanFileName('a\u0000b\r\n.csv')).toBe('ab.csv');
    expect(cleanFileName('')).toBe('upload');
  });
});
