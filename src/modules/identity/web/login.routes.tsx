import { Hono } from 'hono';
import { raw } from 'hono/html';
import { AppError, isAppError } from '../../../lib/errors.js';
import { CsrfField, ErrorSummary, Notice, TextField } from '../../../web/components/form.js';
import type { AppContext, AppEnv } from '../../../web/context.js';
import { clearCookie } from '../../../web/cookies.js';
import { parseForm } from '../../../web/forms.js';
import { redirect, render, safeLocalPath } from '../../../web/render.js';
import { passwordLoginSchema, totpSchema } from '../identity.schema.js';
import {
  beginTotpEnrolment,
  confirmTotpEnrolment,
  logout,
  passwordLogin,
  verifyLoginMfa,
} from '../identity.service.js';
import { groupSecret, qrSvg, totpUri } from '../totp.js';
import { clientOf, setSessionCookie } from './helpers.js';

const DONE: Record<string, string> = {
  invited: 'アカウントを作成しました。メールアドレスとパスワードでログインし、認証アプリを登録してください。',
  reset: 'パスワードを変更しました。新しいパスワードでログインしてください。',
  logout: 'ログアウトしました。',
  timeout: '一定時間操作がなかったため、ログアウトしました。',
};

const LOGIN_LABELS = { email: 'メールアドレス', password: 'パスワード' };

function staffLoginPage(
  c: AppContext,
  opts: { errors?: Record<string, string>; values?: Record<string, string> } = {},
  status: 200 | 401 | 422 | 429 = 200,
) {
  const done = DONE[c.req.query('done') ?? ''];
  const next = safeLocalPath(opts.values?.next ?? c.req.query('next'), '');
  return render(
    c,
    '職員ログイン',
    <>
      <h1>職員ログイン</h1>
      {done ? <Notice kind="success">{done}</Notice> : null}
      <ErrorSummary errors={opts.errors} labels={LOGIN_LABELS} />
      <p>
        事業者・地域ハブ団体・事務局・経済産業省の職員の方は、メールアドレスとパスワードでログインしてください。
      </p>
      <form method="post" action="/login/staff" novalidate>
        <CsrfField token={c.get('csrfToken')} />
        {next ? <input type="hidden" name="next" value={next} /> : null}
        <TextField
          name="email"
          label={LOGIN_LABELS.email}
          type="email"
          autocomplete="username"
          required
          maxLength={254}
          value={opts.values?.email}
          error={opts.errors?.email}
        />
        <TextField
          name="password"
          label={LOGIN_LABELS.password}
          type="password"
          autocomplete="current-password"
          required
          maxLength={128}
          error={opts.errors?.password}
        />
        <button type="submit" class="button">
          ログイン
        </button>
      </form>
      <p>
        <a href="/password/forgot">パスワードを忘れた方</a>
      </p>
      <p>
        受講生・修了生の方は <a href="/login/link">ログイン用リンク</a> をご利用ください。
      </p>
    </>,
    status,
  );
}

function mfaPage(c: AppContext, error?: string) {
  return render(
    c,
    '確認コードの入力',
    <>
      <h1>確認コードの入力</h1>
      <ErrorSummary errors={error ? { code: error } : undefined} labels={{ code: '確認コード' }} />
      <p>認証アプリに表示されている6桁の確認コードを入力してください。</p>
      <form method="post" action="/login/mfa" novalidate>
        <CsrfField token={c.get('csrfToken')} />
        <input type="hidden" name="next" value={safeLocalPath(c.req.query('next'), '')} />
        <TextField
          name="code"
          label="確認コード"
          required
          inputmode="numeric"
          autocomplete="one-time-code"
          maxLength={6}
          hint="半角数字6桁(例: 123456)"
          error={error}
        />
        <button type="submit" class="button">
          確認する
        </button>
      </form>
    </>,
    error ? 422 : 200,
  );
}

async function enrolPage(c: AppContext, secret: string, error?: string) {
  const s = c.get('session');
  const svg = await qrSvg(totpUri(secret, s?.email ?? ''));
  return render(
    c,
    '認証アプリの登録',
    <>
      <h1>認証アプリの登録(多要素認証)</h1>
      <ErrorSummary errors={error ? { code: error } : undefined} labels={{ code: '確認コード' }} />
      <p>
        職員アカウントは、パスワードに加えて認証アプリの確認コードでログインします。初回のみ登録が必要です。
      </p>
      <ol class="steps">
        <li>スマートフォンの認証アプリ(Google Authenticator、Microsoft Authenticator など)を開きます。</li>
        <li>
          次の QR コードを読み取ります。読み取れない場合は、下の登録キーを手入力してください。
          <figure class="qr">
            <div class="qr-image" role="img" aria-label="認証アプリ登録用の QR コード">
              {raw(svg)}
            </div>
            <figcaption>
              登録キー: <code class="secret">{groupSecret(secret)}</code>
            </figcaption>
          </figure>
        </li>
        <li>アプリに表示された6桁の確認コードを入力します。</li>
      </ol>
      <form method="post" action="/mfa/enrol" novalidate>
        <CsrfField token={c.get('csrfToken')} />
        <TextField
          name="code"
          label="確認コード"
          required
          inputmode="numeric"
          autocomplete="one-time-code"
          maxLength={6}
          hint="半角数字6桁"
          error={error}
        />
        <button type="submit" class="button">
          登録する
        </button>
      </form>
    </>,
    error ? 422 : 200,
  );
}

function requirePending(c: AppContext, stage: 'mfa_required' | 'mfa_enrol') {
  const s = c.get('session');
  if (!s || s.stage !== stage) throw new AppError('UNAUTHENTICATED', 'ログインしてください');
  return s;
}

export function loginRoutes() {
  const app = new Hono<AppEnv>();

  app.get('/login', (c) =>
    render(
      c,
      'ログイン',
      <>
        <h1>ログイン</h1>
        <ul class="card-list">
          <li class="card">
            <h2>受講生・修了生の方</h2>
            <p>メールアドレスに届くログイン用リンクでログインします(パスワードは不要です)。</p>
            <p>
              <a
                href={`/login/link${c.req.query('next') ? `?next=${encodeURIComponent(safeLocalPath(c.req.query('next')))}` : ''}`}
              >
                ログイン用リンクを受け取る
              </a>
            </p>
          </li>
          <li class="card">
            <h2>職員の方</h2>
            <p>事業者・地域ハブ団体・事務局・経済産業省の方はこちら。</p>
            <p>
              <a
                href={`/login/staff${c.req.query('next') ? `?next=${encodeURIComponent(safeLocalPath(c.req.query('next')))}` : ''}`}
              >
                職員ログイン
              </a>
            </p>
          </li>
        </ul>
      </>,
    ),
  );

  app.get('/login/staff', (c) => staffLoginPage(c));
  app.post('/login/staff', async (c) => {
    const form = await parseForm(c, passwordLoginSchema);
    if (!form.ok) return staffLoginPage(c, { errors: form.errors, values: form.values }, 422);
    try {
      const s = await passwordLogin(c.get('deps'), clientOf(c), form.data);
      setSessionCookie(c, s);
      const next = safeLocalPath(form.data.next, '');
      const q = next ? `?next=${encodeURIComponent(next)}` : '';
      return redirect(c, s.stage === 'mfa_enrol' ? '/mfa/enrol' : `/login/mfa${q}`);
    } catch (e) {
      if (isAppError(e, 'UNAUTHENTICATED'))
        return staffLoginPage(c, { errors: e.fields ?? {}, values: { email: form.data.email } }, 401);
      if (isAppError(e, 'RATE_LIMITED'))
        return staffLoginPage(c, { errors: { _form: e.messageJa }, values: { email: form.data.email } }, 429);
      throw e;
    }
  });

  app.get('/login/mfa', (c) => {
    requirePending(c, 'mfa_required');
    return mfaPage(c);
  });
  app.post('/login/mfa', async (c) => {
    const s = requirePending(c, 'mfa_required');
    const form = await parseForm(c, totpSchema);
    if (!form.ok) return mfaPage(c, form.errors.code);
    try {
      const ns = await verifyLoginMfa(
        c.get('deps'),
        { ...clientOf(c), currentToken: s.token },
        s,
        form.data.code,
      );
      setSessionCookie(c, ns);
      return redirect(c, safeLocalPath(form.data.next, '/dashboard') || '/dashboard');
    } catch (e) {
      if (isAppError(e, 'VALIDATION')) return mfaPage(c, e.fields?.code);
      throw e;
    }
  });

  app.get('/mfa/enrol', async (c) => {
    const s = requirePending(c, 'mfa_enrol');
    return enrolPage(c, await beginTotpEnrolment(c.get('deps'), s));
  });
  app.post('/mfa/enrol', async (c) => {
    const s = requirePending(c, 'mfa_enrol');
    const deps = c.get('deps');
    const form = await parseForm(c, totpSchema);
    if (!form.ok) return enrolPage(c, await beginTotpEnrolment(deps, s), form.errors.code);
    try {
      const ns = await confirmTotpEnrolment(
        deps,
        { ...clientOf(c), currentToken: s.token },
        s,
        form.data.code,
      );
      setSessionCookie(c, ns);
      return redirect(c, '/dashboard?done=mfa');
    } catch (e) {
      if (isAppError(e, 'VALIDATION')) return enrolPage(c, await beginTotpEnrolment(deps, s), e.fields?.code);
      throw e;
    }
  });

  app.post('/logout', async (c) => {
    const s = c.get('session');
    if (s) await logout(c.get('deps'), c.get('actor'), s.token, s.user_id);
    clearCookie(c, c.get('deps').config, 'session');
    return redirect(c, s?.kind === 'learner' ? '/login/link?done=logout' : '/login/staff?done=logout');
  });

  return app;
}
