import { Hono } from 'hono';
import { AppError } from '../../lib/errors.js';
import { ORG_KIND_LABEL, ROLE_LABEL } from '../../modules/organisations/organisation.labels.js';
import type { AppEnv } from '../context.js';
import { render } from '../render.js';

export function homeRoutes() {
  const app = new Hono<AppEnv>();

  app.get('/', (c) =>
    render(
      c,
      'トップ',
      <>
        <h1>マナビDX Quest</h1>
        <p class="lead">
          {
            'マナビDX Quest は、経済産業省のデジタル人材育成プラットフォームのうち、ケーススタディ教育プログラム(2層)と地域企業協働プログラム(3層)からなる実践的な DX 人材育成の取組です。'
          }
          {
            'このシステムは事務局が運営し、受講を希望する方、プログラムを運営する事業者・地域ハブ団体、事務局、経済産業省が利用します。'
          }
        </p>
        <section aria-labelledby="h-who">
          <h2 id="h-who">ご利用の方へ</h2>
          <ul class="card-list">
            <li class="card">
              <h3>受講生・修了生の方</h3>
              <p>メールアドレスに届くログイン用リンクでログインできます。パスワードは不要です。</p>
              <p>
                <a href="/login/link">ログイン用リンクを受け取る</a>
              </p>
            </li>
            <li class="card">
              <h3>事業者・地域ハブ団体・事務局・経済産業省の方</h3>
              <p>メールアドレスとパスワード、認証アプリの確認コードでログインします。</p>
              <p>
                <a href="/login/staff">職員ログイン</a>
              </p>
            </li>
          </ul>
        </section>
      </>,
    ),
  );

  app.get('/dashboard', (c) => {
    const a = c.get('actor');
    if (a.type === 'anonymous' || a.type === 'system')
      throw new AppError('UNAUTHENTICATED', 'ログインしてください');
    if (a.type === 'learner') {
      return render(
        c,
        'マイページ',
        <>
          <h1>マイページ</h1>
          <p>{a.displayName} さん、ようこそ。</p>
          <p>申込みや修了証は、各機能の公開後にこのページに表示されます。</p>
        </>,
      );
    }
    return render(
      c,
      'ダッシュボード',
      <>
        <h1>ダッシュボード</h1>
        <dl class="summary-list">
          <dt>氏名</dt>
          <dd>{a.displayName}</dd>
          <dt>所属組織</dt>
          <dd>
            <a href={`/admin/organisations/${a.org.id}`}>{a.org.name}</a>({ORG_KIND_LABEL[a.org.kind]})
          </dd>
          <dt>役割</dt>
          <dd>{ROLE_LABEL[a.role]}</dd>
        </dl>
      </>,
    );
  });

  app.get('/privacy', (c) =>
    render(
      c,
      'プライバシーポリシー',
      <>
        <h1>プライバシーポリシー</h1>
        <p>
          マナビDX Quest
          事務局は、個人情報の保護に関する法律に基づき、本システムで取り扱う個人情報を適切に管理します。
        </p>
        <h2>利用目的</h2>
        <p>
          アカウントの管理、ログイン時の本人確認、システムからのお知らせの送信、不正利用の防止のために利用します。
        </p>
        <h2>安全管理</h2>
        <p>
          通信の暗号化、アクセス権限の管理、操作記録(監査ログ)の保存などの措置を講じます。外部のサーバーへの自動的な送信は行いません。
        </p>
        <h2>開示・訂正・利用停止・削除の請求</h2>
        <p>ご本人からの請求には、本人確認のうえ、法令に従って対応します。事務局までお問い合わせください。</p>
      </>,
    ),
  );

  app.get('/accessibility', (c) =>
    render(
      c,
      'アクセシビリティ方針',
      <>
        <h1>アクセシビリティ方針</h1>
        <p>
          本システムは、JIS X 8341-3:2016 の適合レベル AA
          に準拠することを目標とします。すべての画面は自動検査(axe-core)で
          達成基準の違反がないことを確認し、キーボードだけで操作できるように作られています。
        </p>
      </>,
    ),
  );

  return app;
}
