import { Hono } from 'hono';
import { z } from 'zod';
import { AppError, isAppError } from '../../../lib/errors.js';
import { CsrfField, ErrorSummary, Notice, SelectField, TextField } from '../../../web/components/form.js';
import type { AppContext, AppEnv } from '../../../web/context.js';
import { parseForm } from '../../../web/forms.js';
import { redirect, render, safeLocalPath } from '../../../web/render.js';
import {
  changePassword,
  confirmEmailChange,
  getAccount,
  requestEmailChange,
  resetOwnMfa,
  switchOrganisation,
  updateProfile,
} from '../account.service.js';
import { email, profileSchema, reauthSchema, setPasswordSchema } from '../identity.schema.js';
import { reauthenticate, requestMagicLink } from '../identity.service.js';
import { clientOf } from './helpers.js';
import { NEW_PASSWORD_LABELS, NewPasswordFields } from './password-fields.js';

const DONE: Record<string, string> = {
  profile: '氏名を変更しました。',
  password: 'パスワードを変更しました。他の端末のログインは終了しました。',
  email_sent: '新しいメールアドレスに確認用のリンクを送りました。リンクを開くと変更が完了します。',
  email: 'メールアドレスを変更しました。',
  reauth_link:
    '本人確認用のリンクをメールで送りました。リンクからログインし直すと、変更できるようになります。',
};

function current(c: AppContext) {
  const s = c.get('session');
  const a = c.get('actor');
  if (!s || (a.type !== 'staff' && a.type !== 'learner'))
    throw new AppError('UNAUTHENTICATED', 'ログインしてください');
  return { token: s.token, reauth_at: s.reauth_at, id_hash: s.id_hash };
}

type Errors = Record<string, string> | undefined;

export function accountRoutes() {
  const app = new Hono<AppEnv>();

  const accountPage = async (c: AppContext, errors?: Errors, values?: Record<string, string>) => {
    current(c);
    const acc = await getAccount(c.get('deps'), c.get('actor'));
    const memberships = c.get('session')?.memberships ?? [];
    const actor = c.get('actor');
    const activeOrg = actor.type === 'staff' ? actor.org.id : undefined;
    const done = DONE[c.req.query('done') ?? ''];
    return render(
      c,
      'アカウント',
      <>
        <h1>アカウント</h1>
        {done ? <Notice kind="success">{done}</Notice> : null}
        <ErrorSummary errors={errors} labels={{ displayName: '氏名' }} />
        <dl class="summary-list">
          <dt>メールアドレス</dt>
          <dd>{acc.email}</dd>
          <dt>多要素認証</dt>
          <dd>
            {acc.kind === 'staff'
              ? acc.mfaEnrolled
                ? '登録済み(認証アプリ)'
                : '未登録'
              : 'メールのログイン用リンク'}
          </dd>
        </dl>
        {memberships.length > 1 ? (
          <>
            <h2>所属組織の切り替え</h2>
            <form method="post" action="/account/organisation">
              <CsrfField token={c.get('csrfToken')} />
              <SelectField
                name="organisationId"
                label="操作する組織"
                required
                value={activeOrg}
                options={memberships.map((m) => ({ value: m.organisation_id, label: m.org_name }))}
              />
              <button type="submit" class="button button-secondary">
                切り替える
              </button>
            </form>
          </>
        ) : null}
        <h2>氏名</h2>
        <form method="post" action="/account/profile" novalidate>
          <CsrfField token={c.get('csrfToken')} />
          <TextField
            name="displayName"
            label="氏名"
            required
            maxLength={100}
            autocomplete="name"
            value={values?.displayName ?? acc.displayName}
            error={errors?.displayName}
          />
          <button type="submit" class="button">
            変更する
          </button>
        </form>
        <h2>ログイン情報の変更</h2>
        <p>変更の前に、もう一度本人確認をお願いします。変更すると登録メールアドレスにお知らせが届きます。</p>
        <ul>
          <li>
            <a href="/account/email">メールアドレスを変更する</a>
          </li>
          {acc.kind === 'staff' ? (
            <>
              <li>
                <a href="/account/password">パスワードを変更する</a>
              </li>
              <li>
                <a href="/account/mfa">認証アプリを登録し直す</a>
              </li>
            </>
          ) : null}
        </ul>
      </>,
      errors ? 422 : 200,
    );
  };

  app.get('/account', (c) => accountPage(c));
  app.post('/account/organisation', async (c) => {
    const cur = current(c);
    const form = await parseForm(c, z.object({ organisationId: z.uuid('組織を選んでください') }));
    if (!form.ok) return accountPage(c, form.errors);
    await switchOrganisation(c.get('deps'), c.get('actor'), cur, form.data.organisationId);
    return redirect(c, '/dashboard');
  });
  app.post('/account/profile', async (c) => {
    current(c);
    const form = await parseForm(c, profileSchema);
    if (!form.ok) return accountPage(c, form.errors, form.values);
    await updateProfile(c.get('deps'), c.get('actor'), form.data);
    return redirect(c, '/account?done=profile');
  });

  const reauthPage = (c: AppContext, errors?: Errors) => {
    current(c);
    const next = safeLocalPath(c.req.query('next'), '/account');
    const staff = c.get('actor').type === 'staff';
    return render(
      c,
      '本人確認',
      <>
        <h1>本人確認</h1>
        <ErrorSummary errors={errors} labels={{ password: 'パスワード', code: '確認コード' }} />
        {staff ? (
          <form method="post" action={`/account/reauth?next=${encodeURIComponent(next)}`} novalidate>
            <p>続けるには、パスワードと認証アプリの確認コードを入力してください。</p>
            <CsrfField token={c.get('csrfToken')} />
            <TextField
              name="password"
              label="パスワード"
              type="password"
              autocomplete="current-password"
              required
              maxLength={128}
              error={errors?.password}
            />
            <TextField
              name="code"
              label="確認コード"
              required
              inputmode="numeric"
              autocomplete="one-time-code"
              maxLength={6}
              error={errors?.code}
            />
            <button type="submit" class="button">
              確認する
            </button>
          </form>
        ) : (
          <form method="post" action="/account/reauth" novalidate>
            <p>
              登録メールアドレスに本人確認用のリンクを送ります。リンクからログインし直すと、5分間変更できます。
            </p>
            <CsrfField token={c.get('csrfToken')} />
            <button type="submit" class="button">
              本人確認用のリンクを送る
            </button>
          </form>
        )}
      </>,
      errors ? 422 : 200,
    );
  };

  app.get('/account/reauth', (c) => reauthPage(c));
  app.post('/account/reauth', async (c) => {
    const cur = current(c);
    const actor = c.get('actor');
    const deps = c.get('deps');
    if (actor.type === 'learner') {
      await requestMagicLink(deps, clientOf(c), actor.email, { reauth: true });
      return redirect(c, '/account?done=reauth_link');
    }
    const form = await parseForm(c, reauthSchema);
    if (!form.ok) return reauthPage(c, form.errors);
    try {
      await reauthenticate(deps, actor, { ...clientOf(c), currentToken: cur.token }, form.data);
    } catch (e) {
      if (isAppError(e, 'VALIDATION')) return reauthPage(c, e.fields);
      throw e;
    }
    return redirect(c, safeLocalPath(c.req.query('next'), '/account'));
  });

  const passwordPage = (c: AppContext, errors?: Errors) =>
    render(
      c,
      'パスワードの変更',
      <>
        <h1>パスワードの変更</h1>
        <ErrorSummary errors={errors} labels={NEW_PASSWORD_LABELS} />
        <form method="post" action="/account/password" novalidate>
          <CsrfField token={c.get('csrfToken')} />
          <NewPasswordFields errors={errors} />
          <button type="submit" class="button">
            変更する
          </button>
        </form>
      </>,
      errors ? 422 : 200,
    );

  const withReauth = (c: AppContext, fn: () => Response | Promise<Response>) => {
    const cur = current(c);
    const at = cur.reauth_at?.getTime() ?? 0;
    if (c.get('deps').clock.now().getTime() - at > 5 * 60_000)
      throw new AppError('REAUTH_REQUIRED', '本人確認が必要です');
    return fn();
  };

  app.get('/account/password', (c) => {
    current(c);
    if (c.get('actor').type !== 'staff') throw new AppError('FORBIDDEN', 'この操作はできません');
    return withReauth(c, () => passwordPage(c));
  });
  app.post('/account/password', async (c) => {
    const cur = current(c);
    const form = await parseForm(c, setPasswordSchema);
    if (!form.ok) return passwordPage(c, form.errors);
    await changePassword(c.get('deps'), c.get('actor'), cur, form.data);
    return redirect(c, '/account?done=password');
  });

  const emailPage = (c: AppContext, errors?: Errors, values?: Record<string, string>) =>
    render(
      c,
      'メールアドレスの変更',
      <>
        <h1>メールアドレスの変更</h1>
        <ErrorSummary errors={errors} labels={{ email: '新しいメールアドレス' }} />
        <form method="post" action="/account/email" novalidate>
          <CsrfField token={c.get('csrfToken')} />
          <TextField
            name="email"
            label="新しいメールアドレス"
            type="email"
            autocomplete="email"
            required
            maxLength={254}
            value={values?.email}
            error={errors?.email}
          />
          <button type="submit" class="button">
            確認メールを送る
          </button>
        </form>
      </>,
      errors ? 422 : 200,
    );

  app.get('/account/email', (c) => withReauth(c, () => emailPage(c)));
  app.post('/account/email', async (c) => {
    const cur = current(c);
    const form = await parseForm(c, z.object({ email }));
    if (!form.ok) return emailPage(c, form.errors, form.values);
    try {
      await requestEmailChange(c.get('deps'), c.get('actor'), cur, form.data);
    } catch (e) {
      if (isAppError(e, 'VALIDATION') || isAppError(e, 'RATE_LIMITED')) {
        return emailPage(c, e.fields ?? { _form: e.messageJa }, form.values);
      }
      throw e;
    }
    return redirect(c, '/account?done=email_sent');
  });
  app.get('/account/email/confirm/:token', (c) => {
    current(c);
    return render(
      c,
      'メールアドレス変更の確認',
      <>
        <h1>メールアドレス変更の確認</h1>
        <form method="post" action={`/account/email/confirm/${encodeURIComponent(c.req.param('token'))}`}>
          <CsrfField token={c.get('csrfToken')} />
          <button type="submit" class="button">
            メールアドレスを変更する
          </button>
        </form>
      </>,
    );
  });
  app.post('/account/email/confirm/:token', async (c) => {
    current(c);
    await confirmEmailChange(c.get('deps'), c.get('actor'), c.req.param('token').slice(0, 100));
    return redirect(c, '/account?done=email');
  });

  app.get('/account/mfa', (c) => {
    current(c);
    if (c.get('actor').type !== 'staff') throw new AppError('FORBIDDEN', 'この操作はできません');
    return withReauth(c, () =>
      render(
        c,
        '認証アプリの再登録',
        <>
          <h1>認証アプリの再登録</h1>
          <p>機種変更などで認証アプリを登録し直します。今の登録は無効になり、次の画面で新しく登録します。</p>
          <form method="post" action="/account/mfa/reset">
            <CsrfField token={c.get('csrfToken')} />
            <button type="submit" class="button">
              登録し直す
            </button>
          </form>
        </>,
      ),
    );
  });
  app.post('/account/mfa/reset', async (c) => {
    const cur = current(c);
    await resetOwnMfa(c.get('deps'), c.get('actor'), cur);
    return redirect(c, '/mfa/enrol');
  });

  return app;
}
