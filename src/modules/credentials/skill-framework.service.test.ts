import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../lib/errors.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../test/db.js';
import dssp from './data/dss-p-v2.0.json' with { type: 'json' };
import { groupItems, type SkillItemView } from './skill-framework.presenter.js';
import {
  DEFAULT_FRAMEWORK,
  describeSkills,
  getDefaultFramework,
  getFramework,
  getFrameworkById,
  listFrameworks,
  validateSkillCodes,
} from './skill-framework.service.js';

async function codeOf(p: Promise<unknown>) {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return isAppError(e) ? e.code : 'other';
  }
}

describe('groupItems', () => {
  it('groups in order and never drops an item without a category', () => {
    const item = (code: string, cat: string, sub: string): SkillItemView => ({
      code,
      name: code,
      nameEn: null,
      categoryCode: cat,
      categoryName: `c${cat}`,
      subcategoryCode: sub,
      subcategoryName: `s${sub}`,
    });
    const groups = groupItems([
      item('1', '1', '1.1'),
      item('2', '1', '1.2'),
      item('3', '2', '2.1'),
      item('x', '', ''),
    ]);
    expect(groups.map((c) => [c.code, c.subcategories.map((s) => s.items.map((i) => i.code))])).toEqual([
      ['1', [['1'], ['2']]],
      ['2', [['3']]],
      ['', [['x']]],
    ]);
  });
});

describe.each(dbKinds())('skill frameworks on %s', (kind) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv(kind);
  });
  afterAll(() => env.close());

  it('ships DSS-P 2.0 from the data file: 5 categories, 13 subcategories, 67 items, with provenance', async () => {
    const f = await getDefaultFramework(env);
    expect([f.slug, f.version]).toEqual([DEFAULT_FRAMEWORK.slug, DEFAULT_FRAMEWORK.version]);
    expect(f.name).toBe('デジタルスキル標準(DSS-P) 共通スキルリスト');
    expect(f.provenance).toContain(dssp.what);
    expect(f.provenance).toContain(dssp.source);
    expect(f.categories).toHaveLength(5);
    expect(f.categories.flatMap((c) => c.subcategories)).toHaveLength(13);
    expect(f.items).toHaveLength(67);
    const fromFile = dssp.categories.flatMap((c) =>
      c.subcategories.flatMap((s) => s.skills.map((k) => [c.id, s.id, k.id, k.name])),
    );
    expect(f.items.map((i) => [i.categoryCode, i.subcategoryCode, i.code, i.name])).toEqual(fromFile);
    expect(f.categories[0]).toMatchObject({ code: '1', name: 'ビジネス変革' });
    const list = await listFrameworks(env);
    expect(list).toEqual([expect.objectContaining({ slug: 'dss-p', version: '2.0', itemCount: 67 })]);
    expect((await getFrameworkById(env, f.id)).items).toHaveLength(67);
  });

  it('answers NOT_FOUND for unknown frameworks', async () => {
    expect(await codeOf(getFramework(env, 'dss-p', '9.9'))).toBe('NOT_FOUND');
    expect(await codeOf(getFrameworkById(env, 'not-a-uuid'))).toBe('NOT_FOUND');
    expect(await codeOf(getFrameworkById(env, '00000000-0000-4000-8000-000000000000'))).toBe('NOT_FOUND');
  });

  it('validates codes against one version: dedupes, orders, refuses unknown ones', async () => {
    const f = await getDefaultFramework(env);
    expect(await validateSkillCodes(env, f.id, ['2.1.1', '１.１.１', '2.1.1', ''])).toEqual([
      '1.1.1',
      '2.1.1',
    ]);
    expect(await validateSkillCodes(env, f.id, [])).toEqual([]);
    try {
      await validateSkillCodes(env, f.id, ['1.1.1', '9.9.9']);
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e, 'VALIDATION') && e.fields?.skillCodes).toBe(
        'スキル標準にない項目が含まれています',
      );
    }
    expect(
      await codeOf(
        validateSkillCodes(
          env,
          f.id,
          Array.from({ length: 101 }, (_, i) => `x${i}`),
        ),
      ),
    ).toBe('VALIDATION');
    const named = await describeSkills(env, f.id, ['5.2.1', '1.1.1', 'nope']);
    expect(named.map((s) => s.code)).toEqual(['1.1.1', '5.2.1']);
    expect(await describeSkills(env, null, ['1.1.1'])).toEqual([]);
  });
});
