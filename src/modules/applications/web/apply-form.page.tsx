import { formatJst } from '../../../lib/clock.js';
import type { FieldErrors } from '../../../lib/errors.js';
import {
  ConsentCheckbox,
  ErrorSummary,
  fieldsOf,
  Notice,
  RadioGroup,
  SelectField,
  TextField,
} from '../../../web/components/form.js';
import type { ProgrammeView } from '../../programmes/programme.presenter.js';
import type { FormValues } from '../applicant.presenter.js';
import { FIELD_LABELS, LIMITS, OCCUPATION_LABEL, OCCUPATIONS } from '../application.schema.js';
import { applyPath, errorLabels, prefectureOptions } from './apply.pages.js';
import { QuestionField } from './apply-fields.js';
import { PrivacyNotice } from './apply-notice.js';

// The application form. Plain HTML first: 申し込む submits, 一時保存 saves the draft (formaction), and
// public/apply.js only adds saving while typing. Every limit is visible (maxlength + hint) and enforced by
// the same zod schema on the server (application.schema.ts).

const str = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));
const occupationOptions = OCCUPATIONS.map((o) => ({ value: o, label: OCCUPATION_LABEL[o] }));

export type FormPageProps = {
  programme: ProgrammeView;
  values: FormValues;
  errors?: FieldErrors | undefined;
  csrf: string;
  nonce: string;
  /** Generated when the page is rendered: the same key twice is the same submission. */
  idempotencyKey: string;
  savedAt?: Date | undefined;
  justSaved?: boolean;
  /** RETENTION_DAYS, stated in the notice. */
  retentionDays: number;
};

function pledgeText(p: ProgrammeView): string {
  const hours = p.weeklyHours ? `週${p.weeklyHours}時間程度の学習時間を確保し、` : '';
  return `${hours}途中で離脱することなく、プログラムの最後まで取り組むことを誓約します。`;
}

export function ApplyFormPage(p: FormPageProps) {
  const { programme: prog, values: v } = p;
  const e = p.errors ?? {};
  // The fixed fields hold one value each (only a question's checkboxes hold several: QuestionField).
  const field = fieldsOf(FIELD_LABELS, Object.fromEntries(Object.entries(v).map(([k, x]) => [k, str(x)])), e);
  return (
    <>
      <h1>申込みフォーム</h1>
      <p class="lead">{prog.title}</p>
      {p.justSaved && p.savedAt ? (
        <Notice kind="success">一時保存しました({formatJst(p.savedAt)})。</Notice>
      ) : null}
      <ErrorSummary errors={p.errors} labels={errorLabels(prog)} />
      <dl class="summary-list">
        <dt>運営団体</dt>
        <dd>{prog.organisationName}</dd>
        <dt>申込締切</dt>
        <dd>{prog.closesAt ? `${formatJst(prog.closesAt)}(日本時間)` : '—'}</dd>
      </dl>
      <p>
        入力した内容は、入力の途中でも自動で一時保存されます(「一時保存」ボタンでも保存できます)。締切を過ぎると送信できませんので、お早めにお申し込みください。
      </p>
      <form
        method="post"
        action={applyPath(prog.id, '/submit')}
        novalidate
        data-autosave={applyPath(prog.id, '/draft')}
      >
        <input type="hidden" name="_csrf" value={p.csrf} />
        <input type="hidden" name="idempotencyKey" value={p.idempotencyKey} />
        <h2>申込者情報</h2>
        <TextField
          {...field('fullName')}
          required
          maxLength={LIMITS.fullName}
          autocomplete="name"
          hint={`${LIMITS.fullName}文字以内。例: 山田 太郎`}
        />
        <TextField
          {...field('furigana')}
          required
          maxLength={LIMITS.furigana}
          hint={`ひらがなかカタカナで入力してください(カタカナで保存します)。${LIMITS.furigana}文字以内。例: やまだ たろう`}
        />
        <TextField
          {...field('email')}
          type="email"
          required
          maxLength={LIMITS.email}
          autocomplete="email"
          hint={`申込みの確認や選考結果のご連絡に使います。${LIMITS.email}文字以内。`}
        />
        <SelectField
          {...field('prefectureCode')}
          required
          hint="お住まいの都道府県を選んでください。"
          options={prefectureOptions}
          placeholder="選択してください"
        />
        <RadioGroup {...field('occupation')} required options={occupationOptions} />
        <TextField
          {...field('affiliation')}
          required
          maxLength={LIMITS.affiliation}
          autocomplete="organization"
          hint={`学生の方は学校名、社会人の方は勤務先を入力してください。お勤めでない方は「なし」と入力してください。${LIMITS.affiliation}文字以内。`}
        />
        {prog.extraQuestions.length > 0 ? <h2>設問</h2> : null}
        {prog.extraQuestions.map((q) => (
          <QuestionField q={q} values={v} error={e[`q_${q.id}`]} />
        ))}
        {prog.commitmentRequired ? (
          <>
            <h2>受講にあたっての確認</h2>
            <ConsentCheckbox
              name="pledge"
              label={FIELD_LABELS.pledge}
              required
              text={pledgeText(prog)}
              checked={str(v.pledge) === 'yes'}
              error={e.pledge}
            />
          </>
        ) : null}
        <PrivacyNotice organisationName={prog.organisationName} retentionDays={p.retentionDays} />
        <ConsentCheckbox
          name="consentPurpose"
          label={FIELD_LABELS.consentPurpose}
          required
          text="上記の利用目的に同意します。"
          checked={str(v.consentPurpose) === 'yes'}
          error={e.consentPurpose}
        />
        <ConsentCheckbox
          name="consentProvision"
          label={FIELD_LABELS.consentProvision}
          required
          text={`申込み内容を「${prog.organisationName}」に提供することに同意します。`}
          checked={str(v.consentProvision) === 'yes'}
          error={e.consentProvision}
        />
        <div class="actions form-actions">
          <button type="submit" class="button">
            申し込む
          </button>
          <button
            type="submit"
            class="button button-secondary"
            formaction={applyPath(prog.id, '/draft')}
            formnovalidate
          >
            一時保存
          </button>
        </div>
        <p
          id="autosave-status"
          class="autosave-status"
          role="status"
          data-failed="自動保存できませんでした。「一時保存」ボタンで保存してください。"
        >
          {p.savedAt && !p.justSaved ? `前回の保存: ${formatJst(p.savedAt)}` : ''}
        </p>
      </form>
      <script src="/assets/apply.js" nonce={p.nonce} defer />
    </>
  );
}
