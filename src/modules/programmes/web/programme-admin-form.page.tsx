import type { FieldErrors } from '../../../lib/errors.js';
import { CsrfField, ErrorSummary, SelectField, TextField } from '../../../web/components/form.js';
import type { SkillFrameworkView } from '../../credentials/skill-framework.presenter.js';
import { DX_STAGE_LABEL, FORMAT_LABEL, LAYER_LABEL } from '../programme.labels.js';
import { MIN_WEEKLY_HOURS_LAYER3 } from '../programme.readiness.js';
import { PROGRAMME_LABELS as L, LIMITS } from '../programme.schema.js';
import { PREFECTURE_REGIONS } from '../regions.js';
import { CheckboxField, CheckboxGroup, TextAreaField } from './programme-admin.fields.js';

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
  items: r.prefectures.map((p) => ({ value: String(p.code), label: p.name })),
}));

function skillGroups(f: SkillFrameworkView) {
  return f.categories.flatMap((c) =>
    c.subcategories.map((s) => ({
      label: [c.name, s.name].filter(Boolean).join(' › '),
      items: s.items.map((i) => ({ value: i.code, label: `${i.code} ${i.name}` })),
    })),
  );
}

function ContentFields(p: { v: Record<string, string>; e: FieldErrors }) {
  const { v, e } = p;
  return (
    <>
      <TextField
        name="title"
        label={L.title}
        required
        maxLength={LIMITS.title}
        value={v.title}
        error={e.title}
      />
      <TextAreaField
        name="summary"
        label={L.summary}
        rows={3}
        maxLength={LIMITS.summary}
        hint={`一覧に表示される短い紹介文です(${LIMITS.summary}文字以内)。`}
        value={v.summary}
        error={e.summary}
      />
      <TextAreaField
        name="descriptionMd"
        label={L.descriptionMd}
        rows={12}
        maxLength={LIMITS.descriptionMd}
        hint="Markdown で書けます(見出しは ##、箇条書きは -)。HTML は表示されません。"
        value={v.descriptionMd}
        error={e.descriptionMd}
      />
      <TextField name="venue" label={L.venue} maxLength={LIMITS.venue} value={v.venue} error={e.venue} />
      <TextField name="startsOn" label={L.startsOn} type="date" value={v.startsOn} error={e.startsOn} />
      <TextField name="endsOn" label={L.endsOn} type="date" value={v.endsOn} error={e.endsOn} />
      <TextAreaField
        name="scheduleNote"
        label={L.scheduleNote}
        rows={4}
        maxLength={LIMITS.scheduleNote}
        hint="説明会、キックオフ、成果発表会などの日程を書いてください。"
        value={v.scheduleNote}
        error={e.scheduleNote}
      />
      <TextField
        name="capacity"
        label={L.capacity}
        inputmode="numeric"
        hint="人数(半角数字)"
        value={v.capacity}
        error={e.capacity}
      />
    </>
  );
}

function TermsFields(p: {
  s: ProgrammeFormState;
  layer: 2 | 3;
  framework: SkillFrameworkView | null;
  fiscalYears: number[];
}) {
  const v = p.s.values;
  const e = p.s.errors ?? {};
  return (
    <>
      <SelectField
        name="fiscalYear"
        label={L.fiscalYear}
        required
        options={p.fiscalYears.map((y) => ({ value: String(y), label: `${y}年度` }))}
        value={v.fiscalYear}
        error={e.fiscalYear}
      />
      <SelectField
        name="format"
        label={L.format}
        required
        options={formatOptions}
        placeholder="選択してください"
        value={v.format}
        error={e.format}
      />
      <CheckboxGroup
        name="prefectureCodes"
        legend={L.prefectureCodes}
        hint="会場のある都道府県、または対象とする地域を選んでください。オンラインのみで全国から参加できる場合は選ばなくてかまいません。"
        groups={regionGroups}
        selected={p.s.arrays.prefectureCodes}
        error={e.prefectureCodes}
      />
      <TextField
        name="opensAt"
        label={L.opensAt}
        type="datetime-local"
        hint="日本時間で入力してください。"
        value={v.opensAt}
        error={e.opensAt}
      />
      <TextField
        name="closesAt"
        label={L.closesAt}
        type="datetime-local"
        hint="日本時間で入力してください。この時刻ちょうどに申込みを締め切ります。"
        value={v.closesAt}
        error={e.closesAt}
      />
      <TextField
        name="feeYen"
        label={L.feeYen}
        required
        inputmode="numeric"
        hint="円(税込・半角数字)。無料の場合は 0 を入力してください。"
        value={v.feeYen}
        error={e.feeYen}
      />
      <TextAreaField
        name="targetLearners"
        label={L.targetLearners}
        rows={3}
        maxLength={LIMITS.targetLearners}
        value={v.targetLearners}
        error={e.targetLearners}
      />
      <TextField
        name="weeklyHours"
        label={L.weeklyHours}
        inputmode="text"
        hint={
          p.layer === 3
            ? `時間(小数は1桁まで)。地域企業協働プログラムは週${MIN_WEEKLY_HOURS_LAYER3}時間以上が必要です(公開申請時に確認します)。`
            : '時間(小数は1桁まで)。'
        }
        value={v.weeklyHours}
        error={e.weeklyHours}
      />
      <CheckboxField
        name="commitmentRequired"
        label="申込者に、途中で離脱せず最後までやり遂げることの誓約を求める"
        checked={v.commitmentRequired === 'yes'}
        error={e.commitmentRequired}
      />
      {p.layer === 3 ? (
        <SelectField
          name="dxStage"
          label={L.dxStage}
          hint="公開申請時に必須です。"
          options={dxOptions}
          placeholder="選択してください"
          value={v.dxStage}
          error={e.dxStage}
        />
      ) : null}
      {p.framework ? (
        <CheckboxGroup
          name="skillCodes"
          legend={`${L.skillCodes}: ${p.framework.name} ver.${p.framework.version}`}
          hint="このプログラムで身につくスキル項目を選んでください(公開申請時に1つ以上必須)。"
          groups={skillGroups(p.framework)}
          selected={p.s.arrays.skillCodes}
          error={e.skillCodes}
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
      <form method="post" action={p.action} novalidate>
        <CsrfField token={p.csrf} />
        <ContentFields v={p.state.values} e={errors ?? {}} />
        {p.scope === 'all' ? (
          <TermsFields s={p.state} layer={p.layer} framework={p.framework} fiscalYears={p.fiscalYears} />
        ) : null}
        <button type="submit" class="button">
          {p.submit}
        </button>
      </form>
      <p>
        <a href={p.back}>戻る</a>
      </p>
    </>
  );
}
