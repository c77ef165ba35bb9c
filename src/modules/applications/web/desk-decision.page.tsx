import { CsrfField, Notice } from '../../../web/components/form.js';
import { APPLICATION_STATUS_LABEL } from '../application.transitions.js';
import type { Moved, Preview, Reported } from '../decision.service.js';
import { applicationPath, programmePath } from './desk-fields.js';

// The confirmation step of a decision (who is moved, who is e-mailed, who cannot be) and the report after
// it when some applications had changed in between.

export function ConfirmPage(p: { programmeId: string; title: string; preview: Preview; csrf: string }) {
  const { preview } = p;
  const to = APPLICATION_STATUS_LABEL[preview.to];
  const ok = preview.items.filter((i) => i.eligible);
  const not = preview.items.filter((i) => !i.eligible);
  return (
    <>
      <h1>変更内容の確認</h1>
      <p>
        {p.title}の申込み {ok.length}件を「{to}」にします。
        {preview.mail && ok.length ? '次の方に、決定通知メールを送信します。' : ''}
        {!preview.mail && ok.length ? 'メールは送信しません。' : ''}
      </p>
      {ok.length ? (
        <div class="table-scroll">
          <table class="data-table">
            <caption>
              「{to}」にする申込み({ok.length}件){preview.mail ? '・メールの送信先' : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">申込番号</th>
                <th scope="col">氏名</th>
                {preview.mail ? <th scope="col">送信先メールアドレス</th> : null}
                <th scope="col">現在の状況</th>
              </tr>
            </thead>
            <tbody>
              {ok.map((i) => (
                <tr>
                  <th scope="row">{i.number}</th>
                  <td>{i.fullName}</td>
                  {preview.mail ? <td>{i.email}</td> : null}
                  <td>{APPLICATION_STATUS_LABEL[i.status]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <Notice kind="warning">選択した申込みは、いずれも現在の状況から「{to}」にはできません。</Notice>
      )}
      {not.length ? (
        <div class="table-scroll">
          <table class="data-table">
            <caption>
              現在の状況から「{to}」にできないため対象外の申込み({not.length}件)
            </caption>
            <thead>
              <tr>
                <th scope="col">申込番号</th>
                <th scope="col">氏名</th>
                <th scope="col">現在の状況</th>
              </tr>
            </thead>
            <tbody>
              {not.map((i) => (
                <tr>
                  <th scope="row">{i.number}</th>
                  <td>{i.fullName}</td>
                  <td>{APPLICATION_STATUS_LABEL[i.status]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {ok.length ? (
        <form method="post" action={`${programmePath(p.programmeId)}/decisions`}>
          <CsrfField token={p.csrf} />
          <input type="hidden" name="to" value={preview.to} />
          {ok.map((i) => (
            <input type="hidden" name="items" value={`${i.id}:${i.status}`} />
          ))}
          <button type="submit" class="button">
            {ok.length}件を「{to}」にする{preview.mail ? '(メールを送信)' : ''}
          </button>
        </form>
      ) : null}
      <p>
        <a href={programmePath(p.programmeId)}>取りやめて申込み一覧へ戻る</a>
      </p>
    </>
  );
}

export function ResultPage(p: { programmeId: string; moved: Moved[]; reported: Reported[] }) {
  return (
    <>
      <h1>一部の申込みは変更できませんでした</h1>
      <p>
        {p.moved.length}件を変更しました。次の{p.reported.length}
        件は、確認の後に他の操作で状況が変わったなどの理由で変更していません(メールも送信していません)。
      </p>
      <div class="table-scroll">
        <table class="data-table">
          <caption>変更できなかった申込み({p.reported.length}件)</caption>
          <thead>
            <tr>
              <th scope="col">申込番号</th>
              <th scope="col">氏名</th>
              <th scope="col">現在の状況</th>
              <th scope="col">理由</th>
            </tr>
          </thead>
          <tbody>
            {p.reported.map((r) => (
              <tr>
                <th scope="row">
                  <a href={applicationPath(r.id)}>{r.number}</a>
                </th>
                <td>{r.fullName}</td>
                <td>{APPLICATION_STATUS_LABEL[r.current]}</td>
                <td>{r.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {p.moved.length ? (
        <ul>
          {p.moved.map((m) => (
            <li>
              {m.number} {m.fullName}: 「{APPLICATION_STATUS_LABEL[m.to]}」に変更
              {m.mailedTo ? '(メール送信)' : ''}
            </li>
          ))}
        </ul>
      ) : null}
      <p>
        <a href={programmePath(p.programmeId)}>申込み一覧へ戻る</a>
      </p>
    </>
  );
}
