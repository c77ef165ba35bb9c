import { formatJst } from '../../../lib/clock.js';
import { CsrfField, Notice } from '../../../web/components/form.js';
import type { MyApplicationDetail, MyApplicationItem } from '../applicant.presenter.js';

// Views of /my/applications (routes: my-applications.routes.tsx). Everything the applicant typed is
// rendered through JSX text, so markup in a name or an answer is shown as typed, never run (IPA #5).

export const DONE: Record<string, string> = {
  withdrawn: '申込みを取り下げました。',
};

const dash = (d: Date | null) => (d ? formatJst(d) : '—');
const continueHref = (a: MyApplicationItem) => `/programmes/${a.programmeId}/apply`;

export function MyApplicationsPage(p: { items: MyApplicationItem[]; done?: string | undefined }) {
  return (
    <>
      <h1>申込み一覧</h1>
      {p.done ? <Notice kind="success">{p.done}</Notice> : null}
      {p.items.length === 0 ? (
        <p>
          申込みはまだありません。<a href="/programmes">プログラムを探す</a>
        </p>
      ) : (
        <div class="table-scroll">
          <table class="data-table">
            <caption>あなたの申込み({p.items.length}件)</caption>
            <thead>
              <tr>
                <th scope="col">プログラム</th>
                <th scope="col">運営団体</th>
                <th scope="col">申込番号</th>
                <th scope="col">状況</th>
                <th scope="col">申込日時</th>
                <th scope="col">最終更新</th>
              </tr>
            </thead>
            <tbody>
              {p.items.map((a) => (
                <tr>
                  <th scope="row">
                    <a href={`/my/applications/${a.id}`}>{a.programmeTitle}</a>
                  </th>
                  <td>{a.organisationName}</td>
                  <td class="nowrap">{a.number ?? '—'}</td>
                  <td class="nowrap">
                    {a.statusLabel}
                    {a.status === 'draft' ? (
                      <>
                        {' '}
                        (<a href={continueHref(a)}>続きを入力する</a>)
                      </>
                    ) : null}
                  </td>
                  <td>{dash(a.submittedAt)}</td>
                  <td>{formatJst(a.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>ご自身のデータのダウンロード</h2>
      <p>
        このシステムがお預かりしている、あなたの申込みの内容(設問への回答と状況の履歴を含む)を、JSON
        形式のファイルでダウンロードできます。
      </p>
      <p>
        <a class="button button-secondary" href="/my/applications/export" download>
          自分のデータをダウンロードする(JSON)
        </a>
      </p>
    </>
  );
}

function Summary(p: { a: MyApplicationDetail }) {
  const { a } = p;
  return (
    <dl class="summary-list">
      <dt>申込番号</dt>
      <dd>{a.number ?? '—(未送信)'}</dd>
      <dt>プログラム</dt>
      <dd>{a.programmeTitle}</dd>
      <dt>運営団体</dt>
      <dd>{a.organisationName}</dd>
      <dt>状況</dt>
      <dd>{a.statusLabel}</dd>
      <dt>申込み開始</dt>
      <dd>{formatJst(a.createdAt)}</dd>
      <dt>申込日時</dt>
      <dd>{dash(a.submittedAt)}</dd>
      {a.withdrawnAt ? (
        <>
          <dt>取り下げ日時</dt>
          <dd>{formatJst(a.withdrawnAt)}</dd>
        </>
      ) : null}
    </dl>
  );
}

export function MyApplicationPage(p: { a: MyApplicationDetail; done?: string | undefined }) {
  const { a } = p;
  return (
    <>
      <h1>申込みの詳細</h1>
      {p.done ? <Notice kind="success">{p.done}</Notice> : null}
      <Summary a={a} />
      {a.status === 'draft' ? (
        <p>
          この申込みはまだ送信されていません。<a href={continueHref(a)}>続きを入力する</a>
        </p>
      ) : null}
      <h2>申込み内容</h2>
      <dl class="summary-list">
        <dt>氏名</dt>
        <dd>{a.fullName || '—'}</dd>
        <dt>ふりがな</dt>
        <dd>{a.furigana || '—'}</dd>
        <dt>メールアドレス</dt>
        <dd>{a.email || '—'}</dd>
        <dt>都道府県</dt>
        <dd>{a.prefectureName || '—'}</dd>
        <dt>学生・社会人の別</dt>
        <dd>{a.occupationLabel || '—'}</dd>
        <dt>学校名・勤務先</dt>
        <dd>{a.affiliation || '—'}</dd>
        {a.answers.map((x) => (
          <>
            <dt>{x.label}</dt>
            <dd class="answer">{x.value || '—'}</dd>
          </>
        ))}
        <dt>個人情報の取扱いへの同意</dt>
        <dd>
          {a.consentedAt ? `${formatJst(a.consentedAt)}(説明の版: ${a.consentNoticeVersion ?? '—'})` : '—'}
        </dd>
      </dl>
      <h2>状況の履歴</h2>
      <table class="data-table">
        <caption>状況の変化(古い順)</caption>
        <thead>
          <tr>
            <th scope="col">日時</th>
            <th scope="col">変更前</th>
            <th scope="col">変更後</th>
          </tr>
        </thead>
        <tbody>
          {a.history.map((h) => (
            <tr>
              <td>{formatJst(h.at)}</td>
              <td>{h.fromLabel ?? '—'}</td>
              <td>{h.toLabel}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {a.canWithdraw ? (
        <p>
          <a class="button button-secondary" href={`/my/applications/${a.id}/withdraw`}>
            この申込みを取り下げる
          </a>
        </p>
      ) : null}
      <p>
        <a href="/my/applications">申込み一覧へ戻る</a>
      </p>
    </>
  );
}

export function WithdrawPage(p: { a: MyApplicationDetail; csrf: string }) {
  const { a } = p;
  return (
    <>
      <h1>申込みの取り下げ</h1>
      <Summary a={a} />
      <Notice kind="warning">
        取り下げると元に戻せません。同じプログラムに再度申し込むこともできません。よろしければ「取り下げる」を押してください。
      </Notice>
      <form method="post" action={`/my/applications/${a.id}/withdraw`} class="actions">
        <CsrfField token={p.csrf} />
        <button type="submit" class="button button-danger">
          取り下げる
        </button>
        <a href={`/my/applications/${a.id}`}>取り下げずに戻る</a>
      </form>
    </>
  );
}
