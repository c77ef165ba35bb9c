import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presentProgramme } from '../../modules/programmes/programme.presenter.js';
import { searchPublicProgrammes } from '../../modules/programmes/programme.read.service.js';
import { publicationProblems } from '../../modules/programmes/programme.readiness.js';
import { findProgramme } from '../../modules/programmes/programme.repository.js';
import { createTestEnv, type TestEnv } from '../../test/db.js';
import { DEMO_ORGS, seedDemo } from './demo.js';

describe('demo seed', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv('pglite');
  });
  afterAll(() => env.close());

  it('creates the organisations, staff with generated passwords, and open programmes in each hub region', async () => {
    const accounts = await seedDemo(env);
    expect(accounts.length).toBeGreaterThanOrEqual(16);
    expect(await seedDemo(env)).toEqual([]); // once only
    const open = await searchPublicProgrammes(env, { openAt: env.clock.now() });
    const hubs = DEMO_ORGS.filter((o) => o.kind === 'regional_hub');
    for (const hub of hubs) {
      const here = await searchPublicProgrammes(env, {
        openAt: env.clock.now(),
        layer: 3,
        prefecture: hub.prefecture ?? 0,
      });
      expect(here.length, `an open 3層 programme in prefecture ${hub.prefecture}`).toBeGreaterThan(0);
    }
    expect(open.filter((p) => p.layer === 2)).toHaveLength(2);
    for (const p of open) {
      // Seeded programmes meet the same publication rules as a programme approved through the desk.
      const row = await findProgramme(env.db, p.id);
      if (!row) throw new Error('missing');
      expect(publicationProblems(presentProgramme(row), env.clock.now())).toEqual({});
      expect(p.eligibilityQuestions.length).toBeGreaterThan(0);
      expect(p.extraQuestions.length).toBeGreaterThan(0);
    }
    const all = await env.db.selectFrom('programmes').select('status').execute();
    expect(all.map((r) => r.status).sort()).toEqual(expect.arrayContaining(['closed', 'draft', 'published']));
  });
});
