import type { Insertable } from 'kysely';
import type { ProgrammesTable } from '../db/schema.js';
import type { EligibilityQuestion, ExtraQuestion } from '../modules/programmes/questions.js';
import type { TestEnv } from './db.js';

/** A published 3層 programme open now (by env.clock) unless overridden. Test data only. */
export async function makeProgramme(
  env: TestEnv,
  orgId: string,
  overrides: Partial<Insertable<ProgrammesTable>> = {},
): Promise<string> {
  const now = env.clock.now().getTime();
  const eligibility: EligibilityQuestion[] = [
    {
      id: 'age',
      label: '受講開始時点で18歳以上ですか',
      kind: 'yes_no',
      options: [],
      acceptable: ['yes'],
      ineligibleMessage: 'このプログラムは18歳以上の方が対象です。',
    },
  ];
  const extra: ExtraQuestion[] = [
    { id: 'motivation', label: '志望動機', kind: 'long_text', required: true, options: [], maxLength: 800 },
    { id: 'track', label: '希望コース', kind: 'choice', required: true, options: ['データ活用', '業務改善'] },
  ];
  const r = await env.db
    .insertInto('programmes')
    .values({
      organisation_id: orgId,
      fiscal_year: 2026,
      layer: 3,
      title: `地域企業協働プログラム テスト ${Math.random().toString(36).slice(2, 8)}`,
      summary: '地域の中小企業と一緒に DX の課題に取り組みます。',
      description_md: '## 内容\n\n地域企業の **実データ** を使って課題に取り組みます。',
      format: 'hybrid',
      prefecture_codes: [13],
      venue: '東京都千代田区',
      opens_at: new Date(now - 24 * 3_600_000),
      closes_at: new Date(now + 7 * 24 * 3_600_000),
      capacity: 30,
      fee_yen: 0,
      target_learners: '社会人・学生',
      weekly_hours: 6,
      commitment_required: true,
      dx_stage: 'pattern1',
      eligibility_questions: JSON.stringify(eligibility),
      extra_questions: JSON.stringify(extra),
      status: 'published',
      published_at: new Date(now - 24 * 3_600_000),
      ...overrides,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}
