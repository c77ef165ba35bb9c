import { formatJst } from '../../../lib/clock.js';
import type { FieldErrors } from '../../../lib/errors.js';
import { ErrorSummary, Notice, RadioGroup } from '../../../web/components/form.js';
import { PREFECTURE_LIST } from '../../organisations/prefectures.js';
import type { ProgrammeView } from '../../programmes/programme.presenter.js';
import type { EligibilityQuestion } from '../../programmes/questions.js';
import type { FormValues } from '../applicant.presenter.js';
import { FIELD_LABELS } from '../application.schema.js';
import type { SubmittedRef } from '../application.service.js';

// Views of the apply flow other than the form itself (apply-form.page.tsx). Routes: apply.routes.tsx.

export const applyPath = (programmeId: string, step = '') => `/programmes/${programmeId}/apply${step}`;

export const prefectureOptions = PREFECTURE_LIST.map((p) => ({ value: String(p.code), label: p.name }));

const str = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));

function eligibilityOptions(q: EligibilityQuestion) {
  return q.kind === 'yes_no'
    ? [
        { value: 'yes', label: 'はい' },
        { value: 'no', label: 'いいえ' },
      ]
    : q.options.map((o) => ({ value: o, label: o }));
}

/** Labels for the error summary: the fixed fields and the programme's own questions. */
export function errorLabels(p: ProgrammeView): Record<string, string> {
  const labels: Record<string, string> = { ...FIELD_LABELS };
  for (const q of p.extraQuestions) labels[`q_${q.id}`] = q.label;
  for (const q of p.eligibilityQuestions) labels[`e_${q.id}`] = q.label;
  return labels;
}

export function EligibilityPage(p: {
  programme: ProgrammeView;
  csrf: string;
  errors?: FieldErrors | undefined;
  values?: FormValues | undefined;
}) {
  const qs = p.programme.eligibilityQuestions;
  return (
    <>
      <h1>応募資格の確認</h1>
      <p>
        「{p.programme.title}
        」に申し込む前に、応募資格を確認します。この段階では、お名前などの個人情報はお預かりしません。
      </p>
      <ErrorSummary errors={p.errors} labels={errorLabels(p.programme)} />
      <form method="post" action={applyPath(p.programme.id, '/eligibility')} novalidate>
        <input type="hidden" name="_csrf" value={p.csrf} />
        {qs.length === 0 ? <p>このプログラムには応募資格の質問はありません。</p> : null}
        {qs.map((q) => (
          <RadioGroup
            name={`e_${q.id}`}
            label={q.label}
            hint={q.help}
            required
            options={eligibilityOptions(q)}
            value={str(p.values?.[`e_${q.id}`])}
            error={p.errors?.[`e_${q.id}`]}
          />
        ))}
        <button type="submit" class="button">
          {qs.length === 0 ? '申込みを始める' : '次へ'}
        </button>
      </form>
    </>
  );
}

export function IneligiblePage(p: { programme: ProgrammeView; reasons: string[] }) {
  return (
    <>
      <h1>応募資格を満たしていません</h1>
      <p>「{p.programme.title}」には、次の理由によりお申し込みいただけません。</p>
      <ul>
        {p.reasons.map((r) => (
          <li>{r}</li>
        ))}
      </ul>
      <p>今回のご回答は保存していません。</p>
      <ul class="actions">
        <li>
          <a href={applyPath(p.programme.id)}>回答を見直す</a>
        </li>
        <li>
          <a href="/programmes">ほかのプログラムを探す</a>
        </li>
      </ul>
    </>
  );
}

export function ClosedPage(p: { programme: ProgrammeView; message: string; hasDraft: boolean }) {
  return (
    <>
      <h1>申込みを受け付けていません</h1>
      <p>「{p.programme.title}」</p>
      <Notice kind="warning">{p.message}</Notice>
      {p.hasDraft ? (
        <p>
          入力途中の内容は下書きとして残っています。<a href="/my/applications">申込み一覧</a>で確認できます。
        </p>
      ) : null}
    </>
  );
}

function ApplicationSummary(p: { programme: ProgrammeView; application: SubmittedRef }) {
  return (
    <dl class="summary-list">
      <dt>申込番号</dt>
      <dd>{p.application.number ?? '—'}</dd>
      <dt>プログラム</dt>
      <dd>{p.programme.title}</dd>
      <dt>運営団体</dt>
      <dd>{p.programme.organisationName}</dd>
      {p.application.submittedAt ? (
        <>
          <dt>申込日時</dt>
          <dd>{formatJst(p.application.submittedAt)}(日本時間)</dd>
        </>
      ) : null}
    </dl>
  );
}

export function CompletePage(p: { programme: ProgrammeView; application: SubmittedRef }) {
  return (
    <>
      <h1>申込みを受け付けました</h1>
      <Notice kind="success">お申込みありがとうございます。申込番号は {p.application.number} です。</Notice>
      <ApplicationSummary {...p} />
      <p>
        確認のメールを {p.application.email ?? '登録のメールアドレス'}{' '}
        にお送りしました。選考の結果は、運営団体からお知らせします。
      </p>
      <p>
        <a href={`/my/applications/${p.application.id}`}>申込み内容と状況を確認する</a>
      </p>
    </>
  );
}

/** Any later visit or a second submission: one application per person and programme. */
export function AlreadyPage(p: { programme: ProgrammeView; application: SubmittedRef }) {
  const withdrawn = p.application.status === 'withdrawn';
  return (
    <>
      <h1>{withdrawn ? 'この申込みは取り下げ済みです' : '既に申し込み済みです'}</h1>
      <p>
        {withdrawn
          ? 'このプログラムへの申込みは取り下げられています。同じプログラムに再度申し込むことはできません。'
          : `このプログラムには既に申し込まれています(申込番号 ${p.application.number ?? '—'})。同じプログラムに重ねて申し込むことはできません。`}
      </p>
      <ApplicationSummary {...p} />
      <p>
        <a href={`/my/applications/${p.application.id}`}>申込み内容と状況を確認する</a>
      </p>
    </>
  );
}
