import { formatJst } from '../../../lib/clock.js';
import type { FieldErrors } from '../../../lib/errors.js';
import { ErrorSummary, Notice, TextAreaField } from '../../../web/components/form.js';
import { PostForm, SmallPost } from '../../../web/components/form-shells.js';
import { prefectureName } from '../../organisations/prefectures.js';
import {
  DX_STAGE_LABEL,
  FORMAT_LABEL,
  feeLabel,
  LAYER_LABEL,
  PROGRAMME_STATUS_LABEL,
  QUESTION_KIND_LABEL,
} from '../programme.labels.js';
import { LIMITS, PROGRAMME_LABELS } from '../programme.schema.js';
import type { ProgrammeAdminView } from '../programme-admin.service.js';

// One programme for its organisation and the secretariat: what it says, what publication still needs, and
// the buttons for the moves the actor may make now (each a small POST with the CSRF token).

/** User text with its line breaks, as text nodes (never HTML). */
export function Lines(p: { text: string }) {
  const lines = p.text.split('\n');
  return <>{lines.map((l, i) => (i === 0 ? l : [<br />, l]))}</>;
}

const dash = (s: string | number | null | undefined) => (s === null || s === undefined || s === '' ? '—' : s);

function Facts(p: { d: ProgrammeAdminView }) {
  const g = p.d.programme;
  return (
    <dl class="summary-list">
      <dt>状態</dt>
      <dd>{PROGRAMME_STATUS_LABEL[g.status]}</dd>
      <dt>運営団体</dt>
      <dd>{g.organisationName}</dd>
      <dt>区分</dt>
      <dd>{LAYER_LABEL[g.layer]}</dd>
      <dt>{PROGRAMME_LABELS.fiscalYear}</dt>
      <dd>{g.fiscalYear}年度</dd>
      <dt>{PROGRAMME_LABELS.summary}</dt>
      <dd>{dash(g.summary)}</dd>
      <dt>{PROGRAMME_LABELS.format}</dt>
      <dd>{FORMAT_LABEL[g.format]}</dd>
      <dt>{PROGRAMME_LABELS.prefectureCodes}</dt>
      <dd>{g.prefectureCodes.length ? g.prefectureCodes.map(prefectureName).join('、') : '—'}</dd>
      <dt>{PROGRAMME_LABELS.venue}</dt>
      <dd>{dash(g.venue)}</dd>
      <dt>実施期間</dt>
      <dd>{g.startsOn || g.endsOn ? `${g.startsOn ?? '未定'} 〜 ${g.endsOn ?? '未定'}` : '—'}</dd>
      <dt>{PROGRAMME_LABELS.scheduleNote}</dt>
      <dd>{g.scheduleNote ? <Lines text={g.scheduleNote} /> : '—'}</dd>
      <dt>募集期間(日本時間)</dt>
      <dd>
        {g.opensAt || g.closesAt
          ? `${formatJst(g.opensAt) || '未定'} 〜 ${formatJst(g.closesAt) || '未定'}`
          : '—'}
      </dd>
      <dt>{PROGRAMME_LABELS.capacity}</dt>
      <dd>{g.capacity === null ? '—' : `${g.capacity}人`}</dd>
      <dt>{PROGRAMME_LABELS.feeYen}</dt>
      <dd>{feeLabel(g.feeYen)}</dd>
      <dt>{PROGRAMME_LABELS.targetLearners}</dt>
      <dd>{g.targetLearners ? <Lines text={g.targetLearners} /> : '—'}</dd>
      <dt>{PROGRAMME_LABELS.weeklyHours}</dt>
      <dd>{g.weeklyHours === null ? '—' : `週${g.weeklyHours}時間`}</dd>
      <dt>誓約</dt>
      <dd>{g.commitmentRequired ? '最後までやり遂げる誓約を求める' : '求めない'}</dd>
      {g.layer === 3 ? (
        <>
          <dt>{PROGRAMME_LABELS.dxStage}</dt>
          <dd>{g.dxStage ? DX_STAGE_LABEL[g.dxStage] : '—'}</dd>
        </>
      ) : null}
      {g.publishedAt ? (
        <>
          <dt>公開日時</dt>
          <dd>{formatJst(g.publishedAt)}</dd>
        </>
      ) : null}
    </dl>
  );
}

function Actions(p: { d: ProgrammeAdminView; csrf: string; returnForm?: ReturnFormState | undefined }) {
  const { allowed, programme: g } = p.d;
  const base = `/admin/programmes/${g.id}`;
  return (
    <>
      <div class="actions">
        {allowed.edit !== 'none' ? (
          <a class="button button-secondary" href={`${base}/edit`}>
            {allowed.edit === 'content' ? '掲載内容を修正する' : '編集する'}
          </a>
        ) : null}
        <a class="button button-secondary" href={`${base}/questions`}>
          {allowed.editQuestions ? '質問を編集する' : '質問を見る'}
        </a>
        {allowed.submit ? <SmallPost action={`${base}/submit`} csrf={p.csrf} label="公開を申請する" /> : null}
        {allowed.close ? (
          <SmallPost action={`${base}/close`} csrf={p.csrf} label="募集を終了する" variant="danger" />
        ) : null}
        {allowed.archive ? (
          <SmallPost action={`${base}/archive`} csrf={p.csrf} label="アーカイブする" />
        ) : null}
      </div>
      {allowed.review ? (
        <section aria-labelledby="h-review">
          <h2 id="h-review">事務局の確認</h2>
          <p>内容を確認し、公開を承認するか、コメントを付けて差し戻してください。</p>
          <SmallPost action={`${base}/approve`} csrf={p.csrf} label="公開を承認する" />
          <PostForm action={`${base}/return`} csrf={p.csrf} submit="差し戻す" secondary>
            <TextAreaField
              name="comment"
              label={PROGRAMME_LABELS.comment}
              required
              rows={4}
              maxLength={LIMITS.comment}
              hint="組織の管理者にメールで送られ、プログラムの管理ページにも表示されます。"
              value={p.returnForm?.values?.comment}
              error={p.returnForm?.errors?.comment}
            />
          </PostForm>
        </section>
      ) : null}
    </>
  );
}

/** Errors about this page itself (a refused move); field errors of a refused submission are listed below. */
function pageErrors(errors: FieldErrors | undefined): FieldErrors | undefined {
  return errors?._form ? { _form: errors._form } : undefined;
}

/**
 * A submission refused for missing fields: the same error summary pattern, but each entry links to the field
 * on the edit form (the fields are not on this page).
 */
function MissingForSubmission(p: { id: string; errors: FieldErrors | undefined }) {
  const entries = Object.entries(p.errors ?? {}).filter(([k]) => k !== '_form');
  if (entries.length === 0) return null;
  return (
    <div class="error-summary" role="alert" tabindex={-1} aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">公開を申請できません。次の項目を入力してください({entries.length}件)</h2>
      <ul>
        {entries.map(([field, msg]) => (
          <li>
            <a href={`/admin/programmes/${p.id}/edit#f-${field}`}>
              {PROGRAMME_LABELS[field as keyof typeof PROGRAMME_LABELS] ?? field}: {msg}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

export type ReturnFormState = { values?: Record<string, string>; errors?: FieldErrors };

export function ProgrammeDetailPage(p: {
  d: ProgrammeAdminView;
  csrf: string;
  done?: string | undefined;
  errors?: FieldErrors | undefined;
  returnForm?: ReturnFormState | undefined;
}) {
  const g = p.d.programme;
  const problems = Object.entries(p.d.problems);
  return (
    <>
      <h1>{g.title}</h1>
      {p.done ? <Notice kind="success">{p.done}</Notice> : null}
      <ErrorSummary errors={pageErrors(p.errors) ?? p.returnForm?.errors} labels={PROGRAMME_LABELS} />
      <MissingForSubmission id={g.id} errors={p.errors} />
      {g.status === 'draft' && g.reviewComment ? (
        <Notice kind="warning">
          <strong>事務局からのコメント(差し戻し)</strong>
          <br />
          <Lines text={g.reviewComment} />
        </Notice>
      ) : null}
      {g.status === 'submitted' ? (
        <Notice>事務局が公開の申請を確認しています。確認が終わるまで編集できません。</Notice>
      ) : null}
      <Actions d={p.d} csrf={p.csrf} returnForm={p.returnForm} />
      {problems.length > 0 ? (
        <section aria-labelledby="h-problems">
          <h2 id="h-problems">公開の申請までに必要なこと</h2>
          <ul>
            {problems.map(([field, msg]) => (
              <li>
                {PROGRAMME_LABELS[field as keyof typeof PROGRAMME_LABELS] ?? field}: {msg}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <h2>募集要項</h2>
      <Facts d={p.d} />
      <h2>{PROGRAMME_LABELS.descriptionMd}(Markdown)</h2>
      {g.descriptionMd ? <pre class="mail-body markdown-source">{g.descriptionMd}</pre> : <p>未入力です。</p>}
      <h2>{PROGRAMME_LABELS.skillCodes}</h2>
      {p.d.skills.length ? (
        <ul>
          {p.d.skills.map((s) => (
            <li>
              {s.code} {s.name}({s.categoryName})
            </li>
          ))}
        </ul>
      ) : (
        <p>未選択です。</p>
      )}
      <h2>申込みの質問</h2>
      <p>
        参加条件の確認: {g.eligibilityQuestions.length}問 / 追加の質問: {g.extraQuestions.length}問
      </p>
      <ul>
        {[...g.eligibilityQuestions, ...g.extraQuestions].map((q) => (
          <li>
            {q.label}({QUESTION_KIND_LABEL[q.kind]})
          </li>
        ))}
      </ul>
      <p>
        <a href="/admin/programmes">プログラム一覧へ戻る</a>
      </p>
    </>
  );
}
