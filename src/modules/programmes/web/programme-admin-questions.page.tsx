import type { FieldErrors } from '../../../lib/errors.js';
import {
  CheckboxField,
  ErrorSummary,
  fieldsOf,
  Notice,
  SelectField,
  TextAreaField,
  TextField,
} from '../../../web/components/form.js';
import { PostForm, SmallPost } from '../../../web/components/form-shells.js';
import { QUESTION_KIND_LABEL } from '../programme.labels.js';
import type { ProgrammeAdminView } from '../programme-admin.service.js';
import { QUESTION_FORM_LABELS as L, QUESTION_LIMITS } from '../programme-questions.schema.js';
import type { EligibilityQuestion, ExtraQuestion } from '../questions.js';

// The question editor, without JavaScript: each question has remove / move buttons (small POSTs), and each
// list has an "add a question" form below it. A failed add re-renders this page with that form's errors.

export type AddFormState = {
  set: 'eligibility' | 'extra';
  values: Record<string, string>;
  errors: FieldErrors;
};

const yesNo = (a: string) => (a === 'yes' ? 'はい' : a === 'no' ? 'いいえ' : a);

function QuestionList(p: {
  base: string;
  set: 'eligibility' | 'extra';
  questions: (EligibilityQuestion | ExtraQuestion)[];
  editable: boolean;
  csrf: string;
}) {
  if (p.questions.length === 0) return <p>質問はまだありません。</p>;
  return (
    <ol>
      {p.questions.map((q, i) => (
        <li>
          <strong>{q.label}</strong>({QUESTION_KIND_LABEL[q.kind]}
          {'required' in q ? (q.required ? '・必須' : '・任意') : null})
          {q.options.length ? <div>選択肢: {q.options.join(' / ')}</div> : null}
          {'acceptable' in q ? <div>受け付ける回答: {q.acceptable.map(yesNo).join(' / ')}</div> : null}
          {'ineligibleMessage' in q ? <div>対象外の場合の説明: {q.ineligibleMessage}</div> : null}
          {p.editable ? (
            <div class="actions">
              {i > 0 ? (
                <SmallPost action={`${p.base}/${q.id}/move`} csrf={p.csrf} label={`「${q.label}」を上へ`}>
                  <input type="hidden" name="direction" value="up" />
                </SmallPost>
              ) : null}
              {i < p.questions.length - 1 ? (
                <SmallPost action={`${p.base}/${q.id}/move`} csrf={p.csrf} label={`「${q.label}」を下へ`}>
                  <input type="hidden" name="direction" value="down" />
                </SmallPost>
              ) : null}
              <SmallPost
                action={`${p.base}/${q.id}/remove`}
                csrf={p.csrf}
                label={`「${q.label}」を削除`}
                variant="danger"
              />
            </div>
          ) : null}
        </li>
      ))}
    </ol>
  );
}

type AddFormProps = { action: string; csrf: string; s?: AddFormState | undefined };
const questionFields = (s: AddFormState | undefined) => fieldsOf(L, s?.values, s?.errors);

/** What every question has: its kind, its wording and an optional note under it. */
function QuestionBasics(p: {
  field: ReturnType<typeof questionFields>;
  kinds: (keyof typeof QUESTION_KIND_LABEL)[];
}) {
  const kinds = p.kinds.map((k) => ({ value: k, label: QUESTION_KIND_LABEL[k] }));
  return (
    <>
      <SelectField {...p.field('kind')} required options={kinds} />
      <TextField {...p.field('label')} required maxLength={QUESTION_LIMITS.label} />
      <TextAreaField {...p.field('help')} rows={2} maxLength={QUESTION_LIMITS.help} />
    </>
  );
}

function AddEligibility(p: AddFormProps) {
  const field = questionFields(p.s);
  return (
    <PostForm action={p.action} csrf={p.csrf} submit="参加条件の質問を追加する">
      <QuestionBasics field={field} kinds={['yes_no', 'choice']} />
      <TextAreaField {...field('options')} rows={4} hint="「選択(1つ)」のときだけ。1行に1つ、2つ以上。" />
      <TextAreaField
        {...field('acceptable')}
        required
        rows={2}
        hint="この回答なら申し込めます。「はい/いいえ」の質問は はい か いいえ を、選択の質問は選択肢と同じ文言を、1行に1つ。"
      />
      <TextAreaField
        {...field('ineligibleMessage')}
        required
        rows={2}
        maxLength={QUESTION_LIMITS.ineligibleMessage}
        hint="対象外の回答をした方に表示します。"
      />
    </PostForm>
  );
}

function AddExtra(p: AddFormProps) {
  const field = questionFields(p.s);
  return (
    <PostForm action={p.action} csrf={p.csrf} submit="追加の質問を追加する">
      <QuestionBasics field={field} kinds={['short_text', 'long_text', 'choice', 'multi_choice', 'yes_no']} />
      <CheckboxField
        {...field('required')}
        label="回答を必須にする"
        checked={p.s ? p.s.values.required === 'yes' : true}
      />
      <TextField
        {...field('maxLength')}
        inputmode="numeric"
        hint={`記述の質問だけ。空欄なら短い記述は200字、長い記述は2000字(最大${QUESTION_LIMITS.maxLength}字)。`}
      />
      <TextAreaField {...field('options')} rows={4} hint="選択の質問だけ。1行に1つ、2つ以上。" />
      <TextField
        {...field('maxSelect')}
        inputmode="numeric"
        hint="「選択(複数)」のときだけ。空欄なら上限なし。"
      />
    </PostForm>
  );
}

export function QuestionsPage(p: {
  d: ProgrammeAdminView;
  csrf: string;
  done?: string | undefined;
  add?: AddFormState | undefined;
  formError?: string | undefined;
}) {
  const g = p.d.programme;
  const base = `/admin/programmes/${g.id}/questions`;
  const editable = p.d.allowed.editQuestions;
  const errors = p.formError ? { _form: p.formError } : p.add?.errors;
  return (
    <>
      <h1>申込みの質問: {g.title}</h1>
      {p.done ? <Notice kind="success">{p.done}</Notice> : null}
      <ErrorSummary errors={errors} labels={L} />
      {!editable && p.d.hasSubmittedApplications ? (
        <Notice kind="warning">既に申込みがあるため、質問は変更できません。</Notice>
      ) : null}
      <section aria-labelledby="h-eligibility">
        <h2 id="h-eligibility">参加条件の確認(最初に尋ねる質問)</h2>
        <p>個人情報を入力する前に尋ねます。対象外の回答をした方は、説明を読んで申込みを終えます。</p>
        <QuestionList
          base={`${base}/eligibility`}
          set="eligibility"
          questions={g.eligibilityQuestions}
          editable={editable}
          csrf={p.csrf}
        />
        {editable ? (
          <details open={p.add?.set === 'eligibility'}>
            <summary>参加条件の質問を追加する</summary>
            <AddEligibility
              action={`${base}/eligibility`}
              csrf={p.csrf}
              s={p.add?.set === 'eligibility' ? p.add : undefined}
            />
          </details>
        ) : null}
      </section>
      <section aria-labelledby="h-extra">
        <h2 id="h-extra">追加の質問(申込みフォームで尋ねる質問)</h2>
        <QuestionList
          base={`${base}/extra`}
          set="extra"
          questions={g.extraQuestions}
          editable={editable}
          csrf={p.csrf}
        />
        {editable ? (
          <details open={p.add?.set === 'extra'}>
            <summary>追加の質問を追加する</summary>
            <AddExtra action={`${base}/extra`} csrf={p.csrf} s={p.add?.set === 'extra' ? p.add : undefined} />
          </details>
        ) : null}
      </section>
      <p>
        <a href={`/admin/programmes/${g.id}`}>プログラムに戻る</a>
      </p>
    </>
  );
}
