import { Hono } from 'hono';
import type { Child } from 'hono/jsx';
import { isAppError } from '../../../lib/errors.js';
import { CsrfField, ErrorSummary, Notice, TextField } from '../../../web/components/form.js';
import type { AppContext, AppEnv } from '../../../web/context.js';
import { parseForm } from '../../../web/forms.js';
import { redirect, render } from '../../../web/render.js';
import { acceptInvitation, type InvitationPage, viewInvitation } from '../invitation.service.js';
import { ORG_KIND_LABEL, ROLE_LABEL } from '../organisation.labels.js';
import { type AcceptInvitationInput, acceptInvitationSchema } from '../organisation.schema.js';
import type { FormState } from './organisation.pages.js';

// Mounted at / (app.tsx): /invitations/:token, the link in the invitation mail. The token is the credential;
// it never appears in a log line, an audit row or a redirect we make, only in the path the invitee opened.

const LABELS = { displayName: '氏名', password: 'パスワード', confirm: 'パスワード(確認)' };

const GONE: Record<Exclude<InvitationPage['state'], 'pending'>, string> = {
  accepted:
    'この招待は既に承諾されています。アカウントをお持ちの方は、職員ログインからログインしてください。',
  revoked: 'この招待は取り消されました。必要な場合は、招待した組織の管理者に再度の招待を依頼してください。',
  expired: 'この招待の有効期限(7日間)が切れています。招待した組織の管理者に再度の招待を依頼してください。',
};

function notFound(c: AppContext) {
  return render(
    c,
    '招待が見つかりません',
    <>
      <h1>招待が見つかりません</h1>
      <p>
        リンクが正しくないか、招待が存在しません。メールに記載されたリンクを、途中で切れていないか確認して開き直してください。
      </p>
    </>,
    404,
  );
}

function gone(c: AppContext, state: keyof typeof GONE) {
  return render(
    c,
    'この招待は使用できません',
    <>
      <h1>この招待は使用できません</h1>
      <p>{GONE[state]}</p>
      <p>
        <a href="/login/staff">職員ログイン</a>
      </p>
    </>,
    410,
  );
}

function Summary(p: { v: InvitationPage }) {
  return (
    <dl class="summary-list">
      <dt>組織</dt>
      <dd>
        {p.v.orgName}({ORG_KIND_LABEL[p.v.orgKind]})
      </dd>
      <dt>役割</dt>
      <dd>{ROLE_LABEL[p.v.role]}</dd>
      <dt>メールアドレス</dt>
      <dd>{p.v.email}</dd>
    </dl>
  );
}

function page(c: AppContext, v: InvitationPage, body: Child, status: 200 | 409 | 422 = 200) {
  return render(
    c,
    '招待の承諾',
    <>
      <h1>招待の承諾</h1>
      <p>マナビDX Quest 事務局システムに、次の内容で招待されています。</p>
      <Summary v={v} />
      {body}
    </>,
    status,
  );
}

function invitationPage(
  c: AppContext,
  token: string,
  v: InvitationPage,
  form: FormState = {},
  status: 200 | 409 | 422 = 200,
) {
  const action = `/invitations/${token}`;
  if (v.viewer === 'someone_else') {
    return page(
      c,
      v,
      <Notice kind="warning">
        別のアカウントでログインしています。ログアウトしてから、もう一度招待のリンクを開いてください。
      </Notice>,
      status,
    );
  }
  if (v.account === 'other') {
    return page(
      c,
      v,
      <Notice kind="warning">
        このメールアドレスは職員アカウントとして使えない状態のため、招待を承諾できません。事務局にお問い合わせください。
      </Notice>,
      status,
    );
  }
  if (v.account === 'staff' && v.viewer === 'invitee') {
    return page(
      c,
      v,
      <form method="post" action={action}>
        <CsrfField token={c.get('csrfToken')} />
        <button type="submit" class="button">
          招待を承諾する
        </button>
      </form>,
      status,
    );
  }
  if (v.account === 'staff') {
    return page(
      c,
      v,
      <>
        <p>
          このメールアドレスのアカウントは既にあります。職員ログインでログインした後、このページに戻って招待を承諾してください。
        </p>
        <p>
          <a class="button" href={`/login/staff?next=${encodeURIComponent(action)}`}>
            職員ログイン
          </a>
        </p>
      </>,
      status,
    );
  }
  return page(
    c,
    v,
    <>
      <ErrorSummary errors={form.errors} labels={LABELS} />
      <p>
        承諾すると、このメールアドレスで職員アカウントを作成します。初回ログイン時に、認証アプリ(2段階認証)を登録していただきます。
      </p>
      <form method="post" action={action} novalidate>
        <CsrfField token={c.get('csrfToken')} />
        <TextField
          name="displayName"
          label={LABELS.displayName}
          required
          maxLength={100}
          autocomplete="name"
          value={form.values?.displayName}
          error={form.errors?.displayName}
        />
        <TextField
          name="password"
          label={LABELS.password}
          type="password"
          required
          minLength={8}
          maxLength={128}
          autocomplete="new-password"
          hint="8文字以上128文字以内(15文字以上を推奨します)。よく使われているパスワードは使えません。"
          error={form.errors?.password}
        />
        <TextField
          name="confirm"
          label={LABELS.confirm}
          type="password"
          required
          maxLength={128}
          autocomplete="new-password"
          error={form.errors?.confirm}
        />
        <button type="submit" class="button">
          承諾してアカウントを作成する
        </button>
      </form>
    </>,
    status,
  );
}

export function invitationRoutes() {
  const app = new Hono<AppEnv>();

  app.get('/invitations/accepted', (c) =>
    render(
      c,
      '招待を承諾しました',
      <>
        <h1>招待を承諾しました</h1>
        <p>招待された組織のメンバーとして登録されました。</p>
        <p>
          <a href="/dashboard">ダッシュボードへ</a>
        </p>
      </>,
    ),
  );

  app.get('/invitations/:token', async (c) => {
    const token = c.req.param('token');
    const v = await viewInvitation(c.get('deps'), c.get('actor'), token);
    if (!v) return notFound(c);
    if (v.state !== 'pending') return gone(c, v.state);
    return invitationPage(c, token, v);
  });

  app.post('/invitations/:token', async (c) => {
    const token = c.req.param('token');
    const deps = c.get('deps');
    const actor = c.get('actor');
    const v = await viewInvitation(deps, actor, token);
    if (!v) return notFound(c);
    if (v.state !== 'pending') return gone(c, v.state);
    let input: AcceptInvitationInput | null = null;
    if (v.viewer !== 'invitee') {
      if (v.account !== 'none' || v.viewer === 'someone_else') return invitationPage(c, token, v, {}, 409);
      const form = await parseForm(c, acceptInvitationSchema);
      if (!form.ok) return invitationPage(c, token, v, form, 422);
      input = form.data;
    }
    try {
      const r = await acceptInvitation(deps, actor, token, input);
      return redirect(c, r.newAccount ? '/login/staff?done=invited' : '/invitations/accepted');
    } catch (e) {
      if (isAppError(e, 'INVALID_STATE')) return gone(c, 'accepted');
      if (isAppError(e, 'NOT_FOUND')) return notFound(c);
      if (isAppError(e, 'VALIDATION') && e.fields)
        return invitationPage(c, token, v, { errors: e.fields }, 422);
      if (isAppError(e, 'CONFLICT') || isAppError(e, 'FORBIDDEN')) {
        const now = await viewInvitation(deps, actor, token);
        return now ? invitationPage(c, token, now, {}, 409) : notFound(c);
      }
      throw e;
    }
  });

  return app;
}
