import type { FieldErrors } from '../../../lib/errors.js';
import {
  CheckboxField,
  CheckboxGroup,
  ErrorSummary,
  fieldsOf,
  SelectField,
  TextAreaField,
  TextField,
} from '../../../web/components/form.js';
import { PostForm } from '../../../web/components/form-shells.js';
import type { SkillFrameworkView } from '../../credentials/skill-framework.presenter.js';
import { DX_STAGE_LABEL, FORMAT_LABEL, LAYER_LABEL } from '../programme.labels.js';
import { MIN_WEEKLY_HOURS_LAYER3 } from '../programme.readiness.js';
import { PROGRAMME_LABELS as L, LIMITS } from '../programme.schema.js';
import { PREFECTURE_REGIONS } from '../regions.js';

// The create / edit form. A draft shows every field; a published programme only its content fields
// (programme.policy.ts editScope), with a note saying why the rest is fixed.

export type ProgrammeFormState = {
  values: Record<string, string>;
  arrays: { prefectureCodes: string[]; skillCodes: string[] };
  errors?: FieldErrors | undefined;
};

const formatOptions = (['venue', 'online', 'hybrid'] as const).map((v) => ({
  value: v,
  label: FORMAT_LABEL[v],
}));
const dxOptions = (['pattern1', 'pattern2', 'pattern3'] as const).map((v) => ({
  value: v,
  label: DX_STAGE_LABEL[v],
}));
const regionGroups = PREFECTURE_REGIONS.map((r) => ({
  label: r.name,
  options: r.prefectures.map((p) => ({ value: String(p.code), label: p.name })),
}));

function skillGroups(f: SkillFrameworkView) {
  return f.categories.flatMap((c) =>
    c.subcategories.map((s) => ({
      label: [c.name, s.name].filter(Boolean).join(' › '),
      options: s.items.map((i) => ({ value: i.code, label: `${i.code} ${i.name}` })),
    })),
  );
}

function ContentFields(p: { s: ProgrammeFormState }) {
  const field = fieldsOf(L, p.s.values, p.s.errors);
  return (
    <>
      <TextField {...field('title')} required maxLength={LIMITS.title} />
      <TextAreaField
        {...field('summary')}
        rows={3}
        maxLength={LIMITS.summary}
        hint={`一覧に表示される短い紹介文です(${LIMITS.summary}文字以内)。`}
      />
      <TextAreaField
        {...field('descriptionMd')}
        rows={12}
        maxLength={LIMITS.descriptionMd}
        hint="Markdown で書けます(見出しは ##、箇条書きは -)。HTML は表示されません。"
      />
      <TextField {...field('venue')} maxLength={LIMITS.venue} />
      <TextField {...field('startsOn')} type="date" />
      <TextField {...field('endsOn')} type="date" />
      <TextAreaField
        {...field('scheduleNote')}
        rows={4}
        maxLength={LIMITS.scheduleNote}
        hint="説明会、キックオフ、成果発表会などの日程を書いてください。"
      />
      <TextField {...field('capacity')} inputmode="numeric" hint="人数(半角数字)" />
    </>
  );
}

function TermsFields(p: {
  s: ProgrammeFormState;
  layer: 2 | 3;
  framework: SkillFrameworkView | null;
  fiscalYears: number[];
}) {
  const field = fieldsOf(L, p.s.values, p.s.errors);
  return (
    <>
      <SelectField
        {...field('fiscalYear')}
        required
        options={p.fiscalYears.map((y) => ({ value: String(y), label: `${y}年度` }))}
      />
      <SelectField {...field('format')} required options={formatOptions} placeholder="選択してください" />
      <CheckboxGroup
        {...field('prefectureCodes')}
        hint="会場のある都道府県、または対象とする地域を選んでください。オンラインのみで全国から参加できる場合は選ばなくてかまいません。"
        groups={regionGroups}
        values={p.s.arrays.prefectureCodes}
      />
      <TextField {...field('opensAt')} type="datetime-local" hint="日本時間で入力してください。" />
      <TextField
        {...field('closesAt')}
        type="datetime-local"
        hint="日本時間で入力してください。この時刻ちょうどに申込みを締め切ります。"
      />
      <TextField
        {...field('feeYen')}
        required
        inputmode="numeric"
        hint="円(税込・半角数字)。無料の場合は 0 を入力してください。"
      />
      <TextAreaField {...field('targetLearners')} rows={3} maxLength={LIMITS.targetLearners} />
      <TextField
        {...field('weeklyHours')}
        inputmode="text"
        hint={
          p.layer === 3
            ? `時間(小数は1桁まで)。地域企業協働プログラムは週${MIN_WEEKLY_HOURS_LAYER3}時間以上が必要です(公開申請時に確認します)。`
            : '時間(小数は1桁まで)。'
        }
      />
      <CheckboxField
        {...field('commitmentRequired')}
        label="申込者に、途中で離脱せず最後までやり遂げることの誓約を求める"
        checked={p.s.values.commitmentRequired === 'yes'}
      />
      {p.layer === 3 ? (
        <SelectField
          {...field('dxStage')}
          hint="公開申請時に必須です。"
          options={dxOptions}
          placeholder="選択してください"
        />
      ) : null}
      {p.framework ? (
        <CheckboxGroup
          {...field('skillCodes')}
          label={`${L.skillCodes}: ${p.framework.name} ver.${p.framework.version}`}
          hint="このプログラムで身につくスキル項目を選んでください(公開申請時に1つ以上必須)。"
          groups={skillGroups(p.framework)}
          values={p.s.arrays.skillCodes}
        />
      ) : null}
    </>
  );
}

export function ProgrammeFormPage(p: {
  heading: string;
  action: string;
  back: string;
  submit: string;
  csrf: string;
  layer: 2 | 3;
  scope: 'all' | 'content';
  framework: SkillFrameworkView | null;
  fiscalYears: number[];
  state: ProgrammeFormState;
}) {
  const errors = p.state.errors;
  return (
    <>
      <h1>{p.heading}</h1>
      <p>{LAYER_LABEL[p.layer]}</p>
      <ErrorSummary errors={errors} labels={L} />
      {p.scope === 'content' ? (
        <p class="notice notice-info">
          公開中のプログラムは、名称・概要・詳細説明・会場・日程・定員だけを変更できます。募集期間や受講料などの条件を変えるには、事務局にご相談ください。
        </p>
      ) : null}
      <PostForm action={p.action} csrf={p.csrf} submit={p.submit}>
        <ContentFields s={p.state} />
        {p.scope === 'all' ? (
          <TermsFields s={p.state} layer={p.layer} framework={p.framework} fiscalYears={p.fiscalYears} />
        ) : null}
      </PostForm>
      <p>
        <a href={p.back}>戻る</a>
      </p>
    </>
  );
}
