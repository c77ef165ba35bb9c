import { formatJst } from '../../../lib/clock.js';
import type { FieldErrors } from '../../../lib/errors.js';
import { CsrfField, Notice, SelectField, TextAreaField } from '../../../web/components/form.js';
import { RUBRIC_LIMITS, scoreField } from '../rubric.schema.js';
import { formatTotal } from '../rubric.scoring.js';
import type { ReviewPanel } from '../rubric.service.js';
import { applicationPath } from './desk-fields.js';

// The review section of an application's page: the viewer's own scoring form (or their conflict of
// interest), and — only as far as desk.policy.ts allows — the totals and the other reviewers' scores.

export const REVIEW_FORM_LABELS = { comment: 'コメント' };

const mean = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : (Math.round(v * 10) / 10).toFixed(1);

export function ReviewSection(p: {
  applicationId: string;
  panel: ReviewPanel;
  csrf: string;
  form?: { errors?: FieldErrors | undefined; values?: Record<string, string> | undefined } | undefined;
}) {
  const { panel } = p;
  const base = applicationPath(p.applicationId);
  const errors = p.form?.errors ?? {};
  const own = panel.ownReview;
  const value = (k: string, fallback: string) => p.form?.values?.[k] ?? fallback;
  return (
    <>
      <h2>評価</h2>
      {panel.criteria.length === 0 ? <p>このプログラムには評価基準がまだ設定されていません。</p> : null}
      {panel.aggregate ? (
        <p class="total-score">
          合計点: {panel.aggregate.total === null ? '未算出' : `${formatTotal(panel.aggregate.total)} / 100`}
          (評価者 {panel.aggregate.counted}人・利益相反 {panel.aggregate.conflicts}人
          {panel.aggregate.incomplete ? `・要再採点 ${panel.aggregate.incomplete}人` : ''})
        </p>
      ) : null}
      {panel.others === null && panel.othersCount > 0 ? (
        <Notice>
          {panel.own === 'conflict'
            ? '利益相反を申告しているため、他の評価者の採点は表示されません。'
            : `他の評価者 ${panel.othersCount}人の採点は、ご自身の採点を送信すると表示されます(評価の独立性のため)。`}
        </Notice>
      ) : null}

      {panel.canScore && panel.scoringOpen && panel.own !== 'conflict' ? (
        <form method="post" action={`${base}/review`} novalidate class="review-form">
          <CsrfField token={p.csrf} />
          <h3>{own ? 'あなたの採点(送信済み・更新できます)' : 'あなたの採点'}</h3>
          {panel.criteria.map((c) => (
            <SelectField
              name={scoreField(c.id)}
              label={`${c.label}(0〜${c.scaleMax}点・重み ${c.weight})`}
              required
              hint={c.description || undefined}
              options={Array.from({ length: c.scaleMax + 1 }, (_, i) => ({
                value: String(i),
                label: String(i),
              }))}
              placeholder="選択してください"
              value={value(scoreField(c.id), own ? String(own.scores[c.id] ?? '') : '')}
              error={errors[scoreField(c.id)]}
            />
          ))}
          <TextAreaField
            name="comment"
            label={REVIEW_FORM_LABELS.comment}
            hint={`任意。${RUBRIC_LIMITS.comment}文字以内。他の評価者にも、その人が採点を送信した後に表示されます。`}
            maxLength={RUBRIC_LIMITS.comment}
            value={value('comment', own?.comment ?? '')}
            error={errors.comment}
          />
          <button type="submit" class="button">
            {own ? '採点を更新する' : '採点を送信する'}
          </button>
        </form>
      ) : null}
      {panel.canScore && !panel.scoringOpen && panel.criteria.length ? (
        <p>採点は「申込み済み」「選考中」の申込みについてのみ行えます。</p>
      ) : null}
      {panel.canScore && panel.scoringOpen ? (
        panel.own === 'conflict' ? (
          <form method="post" action={`${base}/conflict/withdraw`} class="conflict-form">
            <CsrfField token={p.csrf} />
            <p>この申込みについて利益相反を申告しています。採点には加わりません。</p>
            <button type="submit" class="button button-secondary">
              利益相反の申告を取り下げる
            </button>
          </form>
        ) : (
          <form method="post" action={`${base}/conflict`} class="conflict-form">
            <CsrfField token={p.csrf} />
            <p>
              申込者と利害関係がある場合は、利益相反を申告してください。あなたの採点は削除され、合計点から除かれます。
            </p>
            <button type="submit" class="button button-secondary">
              利益相反を申告する
            </button>
          </form>
        )
      ) : null}

      {panel.aggregate && panel.criteria.length ? (
        <div class="table-scroll">
          <table class="data-table">
            <caption>評価項目ごとの平均点</caption>
            <thead>
              <tr>
                <th scope="col">評価項目</th>
                <th scope="col" class="number">
                  平均点
                </th>
                <th scope="col" class="number">
                  満点
                </th>
                <th scope="col" class="number">
                  重み
                </th>
              </tr>
            </thead>
            <tbody>
              {panel.criteria.map((c) => (
                <tr>
                  <th scope="row">{c.label}</th>
                  <td class="number">{mean(panel.aggregate?.means[c.id])}</td>
                  <td class="number">{c.scaleMax}</td>
                  <td class="number">{c.weight}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}

      {panel.others?.length ? (
        <div class="table-scroll">
          <table class="data-table">
            <caption>他の評価者の採点</caption>
            <thead>
              <tr>
                <th scope="col">評価者</th>
                {panel.criteria.map((c) => (
                  <th scope="col" class="number">
                    {c.label}
                  </th>
                ))}
                <th scope="col" class="number">
                  合計
                </th>
                <th scope="col">コメント</th>
                <th scope="col">更新日時</th>
              </tr>
            </thead>
            <tbody>
              {panel.others.map((o) => (
                <tr>
                  <th scope="row">{o.reviewerName}</th>
                  {panel.criteria.map((c) => (
                    <td class="number">{o.conflict ? '—' : (o.scores[c.id] ?? '—')}</td>
                  ))}
                  <td class="number">{o.conflict ? '利益相反' : formatTotal(o.total) || '要再採点'}</td>
                  <td class="answer-text">{o.comment || '—'}</td>
                  <td>{formatJst(o.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
