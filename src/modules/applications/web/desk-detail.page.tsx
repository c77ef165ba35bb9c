import { formatJst } from '../../../lib/clock.js';
import type { FieldErrors } from '../../../lib/errors.js';
import { ErrorSummary, Notice, SelectField } from '../../../web/components/form.js';
import { PostForm } from '../../../web/components/form-shells.js';
import { TRANSITIONS } from '../application.transitions.js';
import { DESK_TARGETS } from '../desk.schema.js';
import type { DeskDetail } from '../desk.service.js';
import { DESK_BASE, ProgrammeNav, programmePath } from './desk-fields.js';
import { TARGET_LABEL } from './desk-list.page.js';
import { REVIEW_FORM_LABELS, ReviewSection } from './desk-review.section.js';

// One application on the desk: the applicant's details and answers, the decision form, the review section
// and the status history. Everything the applicant typed is rendered by JSX, so it is escaped (IPA #5).

export type ReviewFormState = {
  errors?: FieldErrors | undefined;
  values?: Record<string, string> | undefined;
};

function Row(p: { label: string; value: string | null | undefined }) {
  return (
    <>
      <dt>{p.label}</dt>
      <dd>{p.value || '—'}</dd>
    </>
  );
}

export function DetailPage(p: {
  d: DeskDetail;
  csrf: string;
  done?: string | undefined;
  review?: ReviewFormState;
  formError?: string | undefined;
}) {
  const { application: a, programme, allowed } = p.d;
  const targets = DESK_TARGETS.filter((t) => TRANSITIONS[a.status].includes(t));
  const labels: Record<string, string> = { ...REVIEW_FORM_LABELS };
  for (const c of p.d.reviews.criteria) labels[`s_${c.id}`] = c.label;
  const errors = p.formError ? { _form: p.formError } : p.review?.errors;
  return (
    <>
      <h1>
        {a.number || '(番号なし)'} {a.fullName}
      </h1>
      <ProgrammeNav programmeId={programme.id} current={null} templates={allowed.templates} />
      {p.done ? <Notice kind="success">{p.done}</Notice> : null}
      <ErrorSummary errors={errors} labels={labels} />
      <dl class="summary-list">
        <Row label="プログラム" value={programme.title} />
        <Row label="状況" value={`${a.statusLabel}${a.waitlistRank ? `(補欠 ${a.waitlistRank}番目)` : ''}`} />
        <Row label="氏名" value={a.fullName} />
        <Row label="ふりがな" value={a.furigana} />
        <Row label="メールアドレス" value={a.email} />
        <Row label="都道府県" value={a.prefecture} />
        <Row label="学生・社会人" value={a.occupation} />
        <Row label="学校名・勤務先" value={a.affiliation} />
        <Row label="申込日時" value={formatJst(a.submittedAt)} />
        <Row label="決定日時" value={formatJst(a.decidedAt)} />
        <Row label="受講確定日時" value={formatJst(a.enrolledAt)} />
        <Row label="受講にあたっての誓約" value={a.pledgeAccepted ? '同意済み' : '—'} />
        <Row
          label="個人情報の取扱いへの同意"
          value={
            a.consentedAt ? `${formatJst(a.consentedAt)}(通知の版: ${a.consentNoticeVersion ?? '—'})` : ''
          }
        />
      </dl>

      <h2>回答</h2>
      {p.d.answers.length ? (
        <dl class="answers">
          {p.d.answers.map((x) => (
            <>
              <dt>{x.label}</dt>
              <dd class={x.multiline ? 'answer-text' : undefined}>{x.text}</dd>
            </>
          ))}
        </dl>
      ) : (
        <p>このプログラムには追加の質問はありません。</p>
      )}

      {allowed.decide && targets.length && !a.anonymised ? (
        <>
          <h2>状況を変更する</h2>
          <PostForm
            action={`${programmePath(programme.id)}/decisions/preview`}
            csrf={p.csrf}
            submit="確認へ進む"
          >
            <input type="hidden" name="ids" value={a.id} />
            <SelectField
              name="to"
              label="変更後の状況"
              hint="次の画面で内容と通知先を確認してから確定します。"
              options={targets.map((t) => ({ value: t, label: TARGET_LABEL[t] }))}
              placeholder="選択してください"
            />
          </PostForm>
        </>
      ) : null}

      <ReviewSection applicationId={a.id} panel={p.d.reviews} csrf={p.csrf} form={p.review} />

      <h2>状況の履歴</h2>
      <div class="table-scroll">
        <table class="data-table">
          <caption>状況の変更(古い順)</caption>
          <thead>
            <tr>
              <th scope="col">日時</th>
              <th scope="col">変更前</th>
              <th scope="col">変更後</th>
              <th scope="col">操作した人</th>
              <th scope="col">メモ</th>
            </tr>
          </thead>
          <tbody>
            {p.d.history.map((h) => (
              <tr>
                <th scope="row">{formatJst(h.at)}</th>
                <td>{h.from || '—'}</td>
                <td>{h.to}</td>
                <td>{h.by}</td>
                <td>{h.note || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>
        <a href={programmePath(programme.id)}>申込み一覧へ戻る</a> ・ <a href={DESK_BASE}>プログラムの一覧</a>
      </p>
    </>
  );
}
