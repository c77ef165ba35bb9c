import { randomBytes } from 'node:crypto';
import { fiscalYearOf } from '../../modules/programmes/jst.js';
import type { EligibilityQuestion, ExtraQuestion } from '../../modules/programmes/questions.js';
import type { Database } from '../client.js';

// Demo programmes: fictitious, clearly labelled (デモ). Each hub runs one open 3層 programme in its region and
// each case-study operator one open 2層 programme; one hub also has a closed one and a draft, so every state
// shows somewhere. Dates are relative to the moment of seeding.
type DemoOrgRef = { id: string; kind: string; name: string; prefecture: number | null };

const qid = (p: 'e' | 'q') => `${p}${randomBytes(5).toString('hex')}`;

function eligibility(layer: 2 | 3): EligibilityQuestion[] {
  const qs: EligibilityQuestion[] = [
    {
      id: qid('e'),
      label: '受講開始時点で18歳以上ですか',
      kind: 'yes_no',
      options: [],
      acceptable: ['yes'],
      ineligibleMessage: 'このプログラムは受講開始時点で18歳以上の方が対象です。',
    },
  ];
  if (layer === 3) {
    qs.push({
      id: qid('e'),
      label: 'プログラム期間中、週6時間以上の学習時間を確保できますか',
      kind: 'yes_no',
      options: [],
      acceptable: ['yes'],
      ineligibleMessage:
        '地域企業協働プログラムは、企業との協働のため週6時間以上の参加をお願いしています。時間の確保が難しい場合は、ケーススタディ教育プログラム(2層)もご検討ください。',
    });
  }
  return qs;
}

function extra(layer: 2 | 3): ExtraQuestion[] {
  return [
    {
      id: qid('q'),
      label: '志望動機',
      help: '400字程度でご記入ください。',
      kind: 'long_text',
      required: true,
      options: [],
      maxLength: 800,
    },
    {
      id: qid('q'),
      label: 'これまでのデータ活用・DX の経験',
      kind: 'choice',
      required: true,
      options: ['ほとんどない', '業務で少し経験がある', '業務で継続的に取り組んでいる'],
    },
    ...(layer === 3
      ? [
          {
            id: qid('q'),
            label: '関心のある業種(複数選択可)',
            kind: 'multi_choice' as const,
            required: false,
            options: ['製造業', '小売・サービス', '観光', '農林水産', '医療・介護', '建設'],
            maxSelect: 3,
          },
        ]
      : []),
  ];
}

export async function seedDemoProgrammes(tx: Database, orgs: DemoOrgRef[], now: Date): Promise<number> {
  const day = 86_400_000;
  const at = (days: number) => new Date(now.getTime() + days * day);
  const dateOnly = (days: number) => at(days).toISOString().slice(0, 10);
  const framework = await tx
    .selectFrom('skill_frameworks')
    .select('id')
    .where('slug', '=', 'dss-p')
    .where('version', '=', '2.0')
    .executeTakeFirst();
  let n = 0;
  const insert = async (
    o: DemoOrgRef,
    layer: 2 | 3,
    title: string,
    extraFields: { status?: 'published' | 'closed' | 'draft'; opens?: number; closes?: number } = {},
  ) => {
    const status = extraFields.status ?? 'published';
    await tx
      .insertInto('programmes')
      .values({
        organisation_id: o.id,
        fiscal_year: fiscalYearOf(now),
        layer,
        title,
        summary:
          layer === 3
            ? `${o.name.replace('(デモ)', '')}の地域企業と一緒に、実際の業務課題を題材に DX の構想から検証までを約2か月で体験します。`
            : '実在企業のデータを使ったケーススタディで、データ分析から業務改善の提案までをオンラインで学び合う3か月のプログラムです。',
        description_md:
          layer === 3
            ? '## プログラムの内容\n\n受講生は4〜5人のチームで地域の中小企業を担当し、経営者・現場の方へのヒアリングから課題を整理し、デジタル技術を使った解決策を提案します。\n\n## 進め方\n\n- キックオフ(会場またはオンライン)\n- 週1回のチームミーティングと企業との打ち合わせ\n- 最終報告会で企業に提案\n\n## 修了\n\n修了者にはオープンバッジ(デジタル修了証)を発行します。'
            : '## プログラムの内容\n\n実在企業のデータを使ったケーススタディに取り組みます。受講生どうしで教え合いながら、課題設定・分析・提案までを進めます。\n\n## 修了\n\n修了者には事業者からオープンバッジが発行されます。',
        format: layer === 3 ? 'hybrid' : 'online',
        prefecture_codes: layer === 3 && o.prefecture ? [o.prefecture] : [],
        venue: layer === 3 ? `${o.name.replace('(デモ)', '')} 会議室 およびオンライン` : 'オンライン',
        starts_on: dateOnly(45),
        ends_on: dateOnly(layer === 3 ? 105 : 135),
        schedule_note:
          layer === 3
            ? 'キックオフは土曜日 10:00〜17:00。以降は平日夜または週末に週6時間程度。'
            : '平日夜のオンライン講義(週1回)と自習。',
        opens_at: at(extraFields.opens ?? -7),
        closes_at: at(extraFields.closes ?? 30),
        capacity: layer === 3 ? 25 : 300,
        fee_yen: layer === 3 ? 0 : 22000,
        target_learners: '社会人・学生(DX に関心があり、チームで課題に取り組める方)',
        weekly_hours: layer === 3 ? 6 : 4,
        commitment_required: true,
        dx_stage: layer === 3 ? (['pattern1', 'pattern2', 'pattern3'] as const)[n % 3] : null,
        skill_framework_id: framework?.id ?? null,
        skill_codes: layer === 3 ? ['1.1.1', '1.2.1', '2.1.1'] : ['2.1.1', '2.2.1', '3.1.1'],
        eligibility_questions: JSON.stringify(eligibility(layer)),
        extra_questions: JSON.stringify(extra(layer)),
        status,
        published_at: status === 'draft' ? null : at(-8),
        closed_at: status === 'closed' ? at(extraFields.closes ?? -1) : null,
      })
      .execute();
    n++;
  };
  for (const o of orgs) {
    if (o.kind === 'regional_hub')
      await insert(o, 3, `地域企業協働プログラム ${o.name.replace('(デモ)', '')} 2026(デモ)`);
    if (o.kind === 'case_study_operator')
      await insert(o, 2, `ケーススタディ教育プログラム ${o.name.replace('(デモ)', '')}(デモ)`);
  }
  const hub = orgs.find((o) => o.kind === 'regional_hub');
  if (hub) {
    await insert(hub, 3, `地域企業協働プログラム 先行募集(募集終了・デモ)`, {
      status: 'closed',
      opens: -60,
      closes: -30,
    });
    await insert(hub, 3, `地域企業協働プログラム 秋期(準備中・デモ)`, {
      status: 'draft',
      opens: 40,
      closes: 70,
    });
  }
  return n;
}
