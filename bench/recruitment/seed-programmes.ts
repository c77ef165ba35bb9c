// Bench data: the demo organisations plus N published programmes spread over the hubs and prefectures.
import { testConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { seedDemo } from '../../src/db/seed/demo.js';
import { systemClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/log.js';

export async function seedBenchData(opts: { databaseUrl?: string; dataDir?: string; programmes: number }) {
  const handle = await openDatabase({ databaseUrl: opts.databaseUrl, dataDir: opts.dataDir, poolSize: 4 });
  const deps = {
    db: handle.db,
    dbKind: handle.kind,
    config: testConfig(),
    clock: systemClock,
    log: createLogger('silent'),
  };
  await migrateToLatest(handle.db);
  await seedDemo(deps);
  const orgs = await handle.db
    .selectFrom('organisations')
    .select(['id', 'kind', 'prefecture_code'])
    .execute();
  const runners = orgs.filter((o) => o.kind === 'regional_hub' || o.kind === 'case_study_operator');
  const now = Date.now();
  const ids: string[] = [];
  for (let i = 0; i < opts.programmes; i++) {
    const o = runners[i % runners.length];
    if (!o) throw new Error('no runner organisations');
    const layer = o.kind === 'regional_hub' ? 3 : 2;
    const r = await handle.db
      .insertInto('programmes')
      .values({
        organisation_id: o.id,
        fiscal_year: 2026,
        layer,
        title: `${layer === 3 ? '地域企業協働' : 'ケーススタディ'}プログラム 第${i + 1}期`,
        summary: '地域の中小企業と一緒に、実データを使って DX の課題に取り組む実践プログラムです。',
        description_md: `## 内容\n\n${'企業の実データを使い、チームで課題を整理して解決策を提案します。'.repeat(8)}\n\n- 週6時間以上\n- オンライン中心`,
        format: (['venue', 'online', 'hybrid'] as const)[i % 3] ?? 'online',
        prefecture_codes: [o.prefecture_code ?? 13, ((i * 7) % 47) + 1],
        venue: 'オンライン / 各地域の会場',
        opens_at: new Date(now - 86_400_000),
        closes_at: new Date(now + (i + 1) * 86_400_000),
        capacity: 30,
        fee_yen: layer === 2 ? 22000 : 0,
        weekly_hours: 6,
        dx_stage: layer === 3 ? 'pattern1' : null,
        skill_codes: ['1.1.1', '2.1.1'],
        eligibility_questions: JSON.stringify([]),
        extra_questions: JSON.stringify([]),
        status: 'published',
        published_at: new Date(now - 86_400_000),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids.push(r.id);
  }
  await handle.close();
  return ids;
}
