import { Hono } from 'hono';
import { AppError } from '../../lib/errors.js';
import { ORG_KIND_LABEL, ROLE_LABEL } from '../../modules/organisations/organisation.labels.js';
import type { PublicCache } from '../../modules/programmes/public-cache.js';
import type { AppEnv } from '../context.js';
import { render } from '../render.js';
import { servePublic } from './public-page.js';
import { buildTopPage } from './top.page.js';

export function homeRoutes(cache: PublicCache) {
  const app = new Hono<AppEnv>();

  app.get('/', (c) => servePublic(c, cache, '/', buildTopPage(c.get('deps'))));

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
          <ul class="card-list">
            <li class="card">
              <h2>申込み状況</h2>
              <p>
                申し込んだプログラムと選考の状況を確認できます。申込みの取下げや、登録データのダウンロードもここから行えます。
              </p>
              <p>
                <a href="/my/applications">申込み状況を見る</a>
              </p>
            </li>
            <li class="card">
              <h2>プログラムを探す</h2>
              <p>募集中のケーススタディ教育プログラム(2層)と地域企業協働プログラム(3層)を探せます。</p>
              <p>
                <a href="/programmes?open=1">募集中のプログラム</a>
              </p>
            </li>
          </ul>
          <p>修了証(オープンバッジ)は、発行されるとこのページに表示されます。</p>
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

  return app;
}
