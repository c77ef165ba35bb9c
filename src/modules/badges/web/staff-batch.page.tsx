import { formatJst } from '../../../lib/clock.js';
import { CheckboxField, ErrorSummary, Notice } from '../../../web/components/form.js';
import { PostForm } from '../../../web/components/form-shells.js';
import { Pagination } from '../../../web/components/pagination.js';
import type { IssuanceProgress, IssuanceReport } from '../issuance.service.js';
import {
  BATCH_STATUS_LABEL,
  BadgeNav,
  FORMAT_LABEL,
  IssuerLine,
  type OrgContext,
  ROW_STATUS_LABEL,
  staffPaths,
} from './staff-shared.js';

// /admin/badges/batches…: a bulk issuance's page, one page through its life — the dry run's report (every
// row with what will happen to it and why not, "発行する" only when some row can be issued), then the
// progress while the job runs (refreshing itself only when the person asked for it), then the final report —
// and the list of the organisation's batches.

export const BATCH_DONE: Record<string, string> = {
  started: '発行を開始しました。発行が終わると、受領者それぞれに受け取り用のリンクをメールで送ります。',
};

/** Rows of a report per page. */
export const ROW_PAGE = 100;
/** Seconds between automatic updates of a running batch's page (when the person chose them). */
export const REFRESH_SECONDS = 5;

function Counts(p: { b: IssuanceProgress }) {
  const { b } = p;
  return (
    <dl class="summary-list">
      <dt>行数</dt>
      <dd>{b.total}行</dd>
      <dt>{b.status === 'dry_run' ? '発行する行' : '発行待ち'}</dt>
      <dd>{b.pending}行</dd>
      <dt>発行済み</dt>
      <dd>{b.issued}行</dd>
      <dt>発行しない(既に発行済み)</dt>
      <dd>{b.skipped}行</dd>
      <dt>発行できない</dt>
      <dd>{b.failed}行</dd>
    </dl>
  );
}

function Source(p: { b: IssuanceProgress; programmeTitle: string | null }) {
  const { b } = p;
  return (
    <dl class="summary-list">
      <dt>元データ</dt>
      <dd>
        {b.source === 'upload'
          ? `ファイル「${b.filename ?? ''}」`
          : b.source === 'programme'
            ? `プログラム「${p.programmeTitle ?? b.programmeId ?? ''}」の受講確定者`
            : '1件の発行'}
      </dd>
      <dt>形式</dt>
      <dd>{FORMAT_LABEL[b.format]}</dd>
      <dt>状態</dt>
      <dd>{BATCH_STATUS_LABEL[b.status]}</dd>
      <dt>確認日時(日本時間)</dt>
      <dd>{formatJst(b.createdAt)}</dd>
      {b.startedAt ? (
        <>
          <dt>発行開始(日本時間)</dt>
          <dd>{formatJst(b.startedAt)}</dd>
        </>
      ) : null}
      {b.finishedAt ? (
        <>
          <dt>終了(日本時間)</dt>
          <dd>{formatJst(b.finishedAt)}</dd>
        </>
      ) : null}
    </dl>
  );
}

function RowTable(p: { r: IssuanceReport; caption: string }) {
  return (
    <div class="table-scroll">
      <table class="data-table">
        <caption>{p.caption}</caption>
        <thead>
          <tr>
            <th scope="col">行</th>
            <th scope="col">メールアドレス</th>
            <th scope="col">氏名</th>
            <th scope="col">バッジ</th>
            <th scope="col">結果</th>
            <th scope="col">問題点</th>
          </tr>
        </thead>
        <tbody>
          {p.r.rows.map((row) => (
            <tr>
              <th scope="row">{row.rowNumber}行目</th>
              <td>{row.email || '—'}</td>
              <td>{row.name || '—'}</td>
              <td>
                {row.achievementName
                  ? `${row.achievementName}(第${row.achievementVersion}版)`
                  : row.achievementRef || '—'}
              </td>
              <td>
                {row.credentialId ? (
                  <a href={staffPaths.credential(row.credentialId)}>{ROW_STATUS_LABEL[row.status]}</a>
                ) : (
                  ROW_STATUS_LABEL[row.status]
                )}
              </td>
              <td>
                {row.problems.length === 0 && !row.error ? (
                  '—'
                ) : (
                  <ul class="plain-list">
                    {row.problems.map((x) => (
                      <li>{x.message}</li>
                    ))}
                    {row.error ? <li>{row.error}</li> : null}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function BatchPage(p: {
  org: OrgContext;
  csrf: string;
  r: IssuanceReport;
  programmeTitle: string | null;
  page: number;
  onlyProblems: boolean;
  auto: boolean;
  done?: string | undefined;
  error?: string | undefined;
}) {
  const { r } = p;
  const path = staffPaths.batch(r.batchId);
  const running = r.status === 'queued' || r.status === 'running';
  const canStart =
    r.status === 'dry_run' && r.pending > 0 && r.fileErrors.length === 0 && p.org.can('badges.issue');
  const heading =
    r.status === 'dry_run' ? '一括発行の確認結果' : running ? '一括発行の進み具合' : '一括発行の結果';
  const listed = p.onlyProblems ? r.failed : r.total;
  const pages = Math.max(1, Math.ceil(listed / ROW_PAGE));
  const query = (page: number, auto = p.auto) =>
    [p.onlyProblems ? 'rows=problems' : '', page > 1 ? `page=${page}` : '', auto ? 'auto=1' : '']
      .filter(Boolean)
      .join('&');
  const href = (page: number, auto = p.auto) => {
    const q = query(page, auto);
    return q ? `${path}?${q}` : path;
  };
  return (
    <>
      {running && p.auto ? (
        // Only when the person chose automatic updates (the start form's checkbox or the link below), and with
        // a link to stop them (WCAG 2.2.1 "turn off"; axe's meta-refresh rule flags any refresh under 20 h).
        // In <main>, as the layout has no slot in <head>: browsers act on a refresh <meta> wherever it is.
        <meta http-equiv="refresh" content={`${REFRESH_SECONDS};url=${href(p.page, true)}`} />
      ) : null}
      <h1>{heading}</h1>
      <IssuerLine org={p.org} />
      <BadgeNav org={p.org} current="batches" />
      {p.done ? <Notice kind="success">{p.done}</Notice> : null}
      <ErrorSummary errors={p.error ? { _form: p.error } : undefined} labels={{}} />
      {running ? (
        <Notice>
          <p>
            {BATCH_STATUS_LABEL[r.status]}です。{r.total}行のうち、発行済み{r.issued}行・発行待ち{r.pending}
            行・発行しない{r.skipped}行・発行できない{r.failed}行です。
          </p>
          <p>
            {p.auto ? (
              <>
                このページは{REFRESH_SECONDS}秒ごとに自動で更新されます。
                <a href={href(p.page, false)}>自動更新を止める</a>
              </>
            ) : (
              <>
                <a href={href(p.page, false)}>最新の状況を表示する</a>・
                <a href={href(p.page, true)}>{REFRESH_SECONDS}秒ごとに自動で更新する</a>
              </>
            )}
          </p>
        </Notice>
      ) : null}
      {r.status === 'done' ? (
        <Notice kind="success">
          発行が終わりました。発行済み{r.issued}件、発行しなかった行{r.skipped}件、発行できなかった行
          {r.failed}件です。 発行したバッジの受領者には、受け取り用のリンクをメールで送りました。
        </Notice>
      ) : null}
      {r.status === 'failed' ? (
        <Notice kind="warning">
          発行が途中で止まりました{r.lastError ? `(${r.lastError})` : ''}。発行済みの行はそのままです。
        </Notice>
      ) : null}
      {r.fileErrors.length > 0 ? (
        <Notice kind="warning">
          <p>ファイルに問題があるため、発行できません。直してから、もう一度確認してください。</p>
          <ul>
            {r.fileErrors.map((x) => (
              <li>{x.message}</li>
            ))}
          </ul>
        </Notice>
      ) : null}
      {r.notices.length > 0 ? (
        <Notice>
          <ul>
            {r.notices.map((x) => (
              <li>{x.message}</li>
            ))}
          </ul>
        </Notice>
      ) : null}
      <Source b={r} programmeTitle={p.programmeTitle} />
      <Counts b={r} />
      {canStart ? (
        <PostForm action={`${path}/start`} csrf={p.csrf} submit="発行する">
          <p>
            「発行する行」の{r.pending}件を発行し、受領者それぞれにメールを送ります。
            {r.failed > 0 ? `問題のある${r.failed}行は発行しません。` : ''}
          </p>
          <CheckboxField
            name="auto"
            label={`発行中は、このページを${REFRESH_SECONDS}秒ごとに自動で更新する`}
            hint="チェックを外すと、進み具合は「最新の状況を表示する」で確かめられます。"
            checked
          />
        </PostForm>
      ) : null}
      {r.status === 'dry_run' && r.pending === 0 && r.fileErrors.length === 0 ? (
        <Notice kind="warning">発行できる行がありません。一覧を直して、もう一度確認してください。</Notice>
      ) : null}
      {r.total > 0 ? (
        <section aria-labelledby="h-rows">
          <h2 id="h-rows">行ごとの結果</h2>
          <ul class="desk-links">
            <li>
              <a href={path} aria-current={p.onlyProblems ? undefined : 'page'}>
                すべての行({r.total}行)
              </a>
            </li>
            <li>
              <a href={`${path}?rows=problems`} aria-current={p.onlyProblems ? 'page' : undefined}>
                発行できない行だけ({r.failed}行)
              </a>
            </li>
          </ul>
          <RowTable
            r={r}
            caption={`${p.onlyProblems ? '発行できない行' : 'すべての行'}(${p.page} / ${pages} ページ)`}
          />
          <Pagination
            page={p.page}
            pages={pages}
            pageSize={ROW_PAGE}
            label="行の一覧のページ"
            href={(n) => href(n)}
          />
        </section>
      ) : null}
      <p>
        <a href={staffPaths.bulk(p.org.orgId)}>別の一覧を確認する</a>・
        <a href={staffPaths.batches(p.org.orgId)}>一括発行の記録</a>
      </p>
    </>
  );
}

export function BatchListPage(p: { org: OrgContext; batches: IssuanceProgress[] }) {
  return (
    <>
      <h1>一括発行の記録</h1>
      <IssuerLine org={p.org} />
      <BadgeNav org={p.org} current="batches" />
      {p.batches.length === 0 ? (
        <p>一括発行の記録はまだありません。</p>
      ) : (
        <div class="table-scroll">
          <table class="data-table">
            <caption>一括発行(新しい順、最大50件)</caption>
            <thead>
              <tr>
                <th scope="col">確認日時(日本時間)</th>
                <th scope="col">元データ</th>
                <th scope="col">状態</th>
                <th scope="col">行数</th>
                <th scope="col">発行済み</th>
                <th scope="col">発行できない</th>
              </tr>
            </thead>
            <tbody>
              {p.batches.map((b) => (
                <tr>
                  <th scope="row">
                    <a href={staffPaths.batch(b.batchId)}>{formatJst(b.createdAt)}</a>
                  </th>
                  <td>{b.source === 'upload' ? (b.filename ?? 'ファイル') : 'プログラムの受講確定者'}</td>
                  <td>{BATCH_STATUS_LABEL[b.status]}</td>
                  <td>{b.total}</td>
                  <td>{b.issued}</td>
                  <td>{b.failed}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
