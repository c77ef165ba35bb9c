import { formatJst } from '../../../lib/clock.js';
import type { FieldErrors } from '../../../lib/errors.js';
import { ErrorSummary, fieldsOf, Notice, SelectField, TextField } from '../../../web/components/form.js';
import { PostForm, SmallPost } from '../../../web/components/form-shells.js';
import { ORG_KIND_LABEL, ROLE_LABEL, ROLES } from '../organisation.labels.js';
import type { OrganisationDetail } from '../organisation.service.js';
import { type FormState, INVITE_LABELS } from './organisation.pages.js';

// The organisation page: details, members (with role change / removal), open invitations, the invite form.

const roleOptions = ROLES.map((r) => ({ value: r, label: ROLE_LABEL[r] }));

export function DetailPage(p: {
  d: OrganisationDetail;
  csrf: string;
  done?: string | undefined;
  invite?: FormState;
  formError?: string | undefined;
}) {
  const { org, members, invitations, allowed } = p.d;
  const base = `/admin/organisations/${org.id}`;
  const errors: FieldErrors | undefined = p.formError ? { _form: p.formError } : p.invite?.errors;
  const manage = allowed.changeRole || allowed.remove;
  const inviteField = fieldsOf(INVITE_LABELS, p.invite?.values, p.invite?.errors);
  return (
    <>
      <h1>{org.name}</h1>
      {p.done ? <Notice kind="success">{p.done}</Notice> : null}
      <ErrorSummary errors={errors} labels={INVITE_LABELS} />
      <dl class="summary-list">
        <dt>種別</dt>
        <dd>{ORG_KIND_LABEL[org.kind]}</dd>
        <dt>地域</dt>
        <dd>{org.prefectureName || '—'}</dd>
        <dt>英語名</dt>
        <dd>{org.nameEn ?? '—'}</dd>
        {org.status === 'archived' ? (
          <>
            <dt>状態</dt>
            <dd>利用終了</dd>
          </>
        ) : null}
      </dl>
      {allowed.edit ? (
        <p>
          <a href={`${base}/edit`}>組織情報を編集する</a>
        </p>
      ) : null}

      <h2>メンバー</h2>
      <table class="data-table">
        <caption>メンバー({members.length}人)</caption>
        <thead>
          <tr>
            <th scope="col">氏名</th>
            <th scope="col">メールアドレス</th>
            <th scope="col">役割</th>
            {manage ? <th scope="col">操作</th> : null}
          </tr>
        </thead>
        <tbody>
          {members.map((m) => (
            <tr>
              <th scope="row">
                {m.displayName}
                {m.active ? null : '(利用停止中)'}
              </th>
              <td>{m.email}</td>
              <td>{ROLE_LABEL[m.role]}</td>
              {manage ? (
                <td>
                  {allowed.changeRole ? (
                    <SmallPost action={`${base}/members/${m.userId}/role`} csrf={p.csrf} label="役割を変更">
                      <select name="role" aria-label={`${m.displayName}さんの新しい役割`}>
                        {roleOptions.map((o) => (
                          <option value={o.value} selected={o.value === m.role}>
                            {o.label}
                          </option>
                        ))}
                      </select>
                    </SmallPost>
                  ) : null}
                  {allowed.remove ? (
                    <SmallPost
                      action={`${base}/members/${m.userId}/remove`}
                      csrf={p.csrf}
                      label="組織から外す"
                    />
                  ) : null}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>

      <h2>招待中</h2>
      {invitations.length === 0 ? (
        <p>承諾待ちの招待はありません。</p>
      ) : (
        <table class="data-table">
          <caption>承諾待ちの招待({invitations.length}件)</caption>
          <thead>
            <tr>
              <th scope="col">メールアドレス</th>
              <th scope="col">役割</th>
              <th scope="col">有効期限</th>
              {allowed.invite ? <th scope="col">操作</th> : null}
            </tr>
          </thead>
          <tbody>
            {invitations.map((i) => (
              <tr>
                <th scope="row">{i.email}</th>
                <td>{ROLE_LABEL[i.role]}</td>
                <td>{formatJst(i.expiresAt)}</td>
                {allowed.invite ? (
                  <td>
                    <SmallPost
                      action={`${base}/invitations/${i.id}/revoke`}
                      csrf={p.csrf}
                      label="招待を取り消す"
                    />
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {allowed.invite && org.status === 'active' ? (
        <section aria-labelledby="h-invite">
          <h2 id="h-invite">メンバーを招待する</h2>
          <p>招待した方に、承諾用のリンクをメールで送ります。リンクの有効期限は7日間です。</p>
          <PostForm action={`${base}/invitations`} csrf={p.csrf} submit="招待メールを送る">
            <TextField {...inviteField('email')} type="email" required maxLength={254} autocomplete="off" />
            <SelectField
              {...inviteField('role')}
              required
              options={roleOptions}
              placeholder="選択してください"
            />
          </PostForm>
        </section>
      ) : null}
    </>
  );
}
