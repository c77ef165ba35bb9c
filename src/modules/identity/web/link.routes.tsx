import { Hono } from 'hono';
import { z } from 'zod';
import { isAppError } from '../../../lib/errors.js';
import { CsrfField, ErrorSummary, Notice, TextField } from '../../../web/components/form.js';
import type { AppContext, AppEnv } from '../../../web/context.js';
import { parseForm } from '../../../web/forms.js';
import { redirect, render, safeLocalPath } from '../../../web/render.js';
import { emailOnlySchema, setPasswordSchema } from '../identity.schema.js';
import {
  consumeMagicLink,
  magicLinkIsValid,
  passwordResetIsValid,
  requestMagicLink,
  requestPasswordReset,
  resetPassword,
} from '../identity.service.js';
import { clientOf, setSessionCookie } from './helpers.js';
import { NEW_PASSWORD_LABELS, NewPasswordFields } from './password-fields.js';

function emailRequestPage(
  c: AppContext,
  kind: 'link' | 'reset',
  opts: { errors?: Record<string, string>; values?: Record<string, string> } = {},
  status: 200 | 422 | 429 = 200,
) {
  const link = kind === 'link';
  const next = safeLocalPath(opts.values?.next ?? c.req.query('next'), '');
  const title = link ? 'ログイン用リンクの請求' : 'パスワードの再設定';
  return render(
    c,
    title,
    <>
      <h1>{title}</h1>
      {c.req.query('done') === 'logout' ? <Notice kind="success">ログアウトしました。</Notice> : null}
      <ErrorSummary errors={opts.errors} labels={{ email: 'メールアドレス' }} />
      <p>
        {link
          ? '受講生・修了生の方は、メールアドレスを入力してください。ログイン用のリンクをお送りします(パスワードは不要です)。初めての方は、このリンクからアカウントが作成されます。'
          : '職員アカウントのメールアドレスを入力してください。パスワード再設定用のリンクをお送りします。再設定後も、ログインには認証アプリの確認コードが必要です。'}
      </p>
      <form method="post" action={link ? '/login/link' : '/password/forgot'} novalidate>
        <CsrfField token={c.get('csrfToken')} />
        {link && next ? <input type="hidden" name="next" value={next} /> : null}
        <TextField
          name="email"
          label="メールアドレス"
          type="email"
          autocomplete="email"
          required
          maxLength={254}
          value={opts.values?.email}
          error={opts.errors?.email}
        />
        <button type="submit" class="button">
          {link ? 'ログイン用リンクを送る' : '再設定用リンクを送る'}
        </button>
      </form>
    </>,
    status,
  );
}

function sentPage(c: AppContext, kind: 'link' | 'reset') {
  const minutes = Math.round(c.get('deps').config.magicLinkMs / 60_000);
  return render(
    c,
    'メールを確認してください',
    <>
      <h1>メールを確認してください</h1>
      <Notice kind="success">
        入力されたメールアドレスが利用できる場合、
        {kind === 'link'
          ? `ログイン用のリンク(有効期限${minutes}分、1回限り)`
          : 'パスワード再設定用のリンク(有効期限30分)'}
        をお送りしました。
      </Notice>
      <p>
        メールが届かない場合は、迷惑メールフォルダを確認するか、しばらく待ってからもう一度お試しください。
      </p>
    </>,
  );
}

function invalidLinkPage(c: AppContext, again: string) {
  return render(
    c,
    'リンクが無効です',
    <>
      <h1>リンクが無効です</h1>
      <p>このリンクは既に使われたか、有効期限が切れています。</p>
      <p>
        <a href={again}>もう一度請求する</a>
      </p>
    </>,
    404,
  );
}

function resetForm(c: AppContext, token: string, errors?: Record<string, string>) {
  return render(
    c,
    '新しいパスワードの設定',
    <>
      <h1>新しいパスワードの設定</h1>
      <ErrorSummary errors={errors} labels={NEW_PASSWORD_LABELS} />
      <form method="post" action={`/password/reset/${token}`} novalidate>
        <CsrfField token={c.get('csrfToken')} />
        <NewPasswordFields errors={errors} />
        <button type="submit" class="button">
          パスワードを設定する
        </button>
      </form>
    </>,
    errors ? 422 : 200,
  );
}

const TOKEN = /^[A-Za-z0-9_-]{20,100}$/;

export function linkRoutes() {
  const app = new Hono<AppEnv>();

  app.get('/login/link', (c) => emailRequestPage(c, 'link'));
  app.post('/login/link', async (c) => {
    const form = await parseForm(c, emailOnlySchema.extend({ next: z.string().max(500).optional() }));
    if (!form.ok) return emailRequestPage(c, 'link', form, 422);
    try {
      const next = safeLocalPath(form.data.next, '') || undefined;
      await requestMagicLink(c.get('deps'), clientOf(c), form.data.email, { next });
    } catch (e) {
      if (isAppError(e, 'RATE_LIMITED'))
        return emailRequestPage(c, 'link', { errors: { _form: e.messageJa }, values: form.values }, 429);
      throw e;
    }
    return redirect(c, '/login/link/sent');
  });
  app.get('/login/link/sent', (c) => sentPage(c, 'link'));

  // GET only shows a button: mail scanners that follow links must not use up the single-use token.
  app.get('/login/link/:token', async (c) => {
    const token = c.req.param('token');
    if (!TOKEN.test(token) || !(await magicLinkIsValid(c.get('deps'), token)))
      return invalidLinkPage(c, '/login/link');
    return render(
      c,
      'ログインの確認',
      <>
        <h1>ログインの確認</h1>
        <p>下のボタンを押すとログインします。</p>
        <form method="post" action={`/login/link/${token}`}>
          <CsrfField token={c.get('csrfToken')} />
          <button type="submit" class="button">
            ログインする
          </button>
        </form>
      </>,
    );
  });
  app.post('/login/link/:token', async (c) => {
    const token = c.req.param('token');
    if (!TOKEN.test(token)) return invalidLinkPage(c, '/login/link');
    try {
      const s = await consumeMagicLink(c.get('deps'), clientOf(c), token);
      setSessionCookie(c, s);
      return redirect(c, safeLocalPath(s.next, '/dashboard'));
    } catch (e) {
      if (isAppError(e, 'NOT_FOUND')) return invalidLinkPage(c, '/login/link');
      throw e;
    }
  });

  app.get('/password/forgot', (c) => emailRequestPage(c, 'reset'));
  app.post('/password/forgot', async (c) => {
    const form = await parseForm(c, emailOnlySchema);
    if (!form.ok) return emailRequestPage(c, 'reset', form, 422);
    try {
      await requestPasswordReset(c.get('deps'), clientOf(c), form.data.email);
    } catch (e) {
      if (isAppError(e, 'RATE_LIMITED'))
        return emailRequestPage(c, 'reset', { errors: { _form: e.messageJa }, values: form.values }, 429);
      throw e;
    }
    return redirect(c, '/password/sent');
  });
  app.get('/password/sent', (c) => sentPage(c, 'reset'));

  app.get('/password/reset/:token', async (c) => {
    const token = c.req.param('token');
    if (!TOKEN.test(token) || !(await passwordResetIsValid(c.get('deps'), token)))
      return invalidLinkPage(c, '/password/forgot');
    return resetForm(c, token);
  });
  app.post('/password/reset/:token', async (c) => {
    const token = c.req.param('token');
    if (!TOKEN.test(token)) return invalidLinkPage(c, '/password/forgot');
    const form = await parseForm(c, setPasswordSchema);
    if (!form.ok) return resetForm(c, token, form.errors);
    try {
      await resetPassword(c.get('deps'), clientOf(c), token, form.data.password);
    } catch (e) {
      if (isAppError(e, 'NOT_FOUND')) return invalidLinkPage(c, '/password/forgot');
      throw e;
    }
    return redirect(c, '/login/staff?done=reset');
  });

  return app;
}
