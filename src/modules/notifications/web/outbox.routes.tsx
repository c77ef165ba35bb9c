import { Hono } from 'hono';
import { formatJst } from '../../../lib/clock.js';
import { AppError } from '../../../lib/errors.js';
import type { AppContext, AppEnv } from '../../../web/context.js';
import { render } from '../../../web/render.js';
import { getOutboxMail, listOutbox } from '../mail.service.js';

const STATUS_LABEL = {
  queued: '送信待ち',
  sent: '送信済み',
  stored: '保存(未送信)',
  failed: '送信失敗',
} as const;

function signedIn(c: AppContext) {
  const a = c.get('actor');
  if (a.type === 'anonymous') throw new AppError('UNAUTHENTICATED', 'ログインしてください');
  return a;
}

/** Secretariat staff read what dxq sent (or, without SMTP_URL, kept): the outbox. */
export function outboxRoutes() {
  const app = new Hono<AppEnv>();

  app.get('/', async (c) => {
    const page = await listOutbox(c.get('deps'), signedIn(c), {
      page: c.req.query('page'),
      q: c.req.query('q'),
    });
    const q = c.req.query('q') ?? '';
    const link = (p: number) => `/admin/outbox?page=${p}${q ? `&q=${encodeURIComponent(q)}` : ''}`;
    return render(
      c,
      '送信メール',
      <>
        <h1>送信メール</h1>
        <p>
          システムが送ったメールの一覧です。SMTP
          が設定されていない環境では、メールは送信されずここに保存されます。本文の閲覧は監査ログに記録されます。
        </p>
        <form method="get" action="/admin/outbox" class="filters">
          <div class="field">
            <label for="f-q">宛先・件名で検索</label>
            <input id="f-q" name="q" type="search" value={q} maxlength={100} />
          </div>
          <div class="field">
            <button type="submit" class="button button-secondary">
              検索
            </button>
          </div>
        </form>
        <p>{page.total}件</p>
        {page.items.length === 0 ? (
          <p>該当するメールはありません。</p>
        ) : (
          <div class="table-scroll">
            <table>
              <caption>送信メール一覧(新しい順)</caption>
              <thead>
                <tr>
                  <th scope="col">作成日時</th>
                  <th scope="col">宛先</th>
                  <th scope="col">件名</th>
                  <th scope="col">状態</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((m) => (
                  <tr>
                    <td>{formatJst(m.createdAt)}</td>
                    <td>{m.to}</td>
                    <td>
                      <a href={`/admin/outbox/${m.id}`}>{m.subject}</a>
                    </td>
                    <td>{STATUS_LABEL[m.status]}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {page.pageCount > 1 ? (
          <nav aria-label="ページ送り">
            <ul class="pagination">
              {page.page > 1 ? (
                <li>
                  <a href={link(page.page - 1)}>前のページ</a>
                </li>
              ) : null}
              <li>
                {page.page} / {page.pageCount} ページ
              </li>
              {page.page < page.pageCount ? (
                <li>
                  <a href={link(page.page + 1)}>次のページ</a>
                </li>
              ) : null}
            </ul>
          </nav>
        ) : null}
      </>,
    );
  });

  app.get('/:id', async (c) => {
    const m = await getOutboxMail(c.get('deps'), signedIn(c), c.req.param('id'));
    return render(
      c,
      m.subject,
      <>
        <h1>{m.subject}</h1>
        <dl class="summary-list">
          <dt>宛先</dt>
          <dd>{m.to}</dd>
          <dt>作成日時</dt>
          <dd>{formatJst(m.createdAt)}</dd>
          <dt>状態</dt>
          <dd>
            {STATUS_LABEL[m.status]}
            {m.sentAt ? `(${formatJst(m.sentAt)})` : ''}
          </dd>
          {m.lastError ? (
            <>
              <dt>エラー</dt>
              <dd>{m.lastError}</dd>
            </>
          ) : null}
        </dl>
        <h2>本文</h2>
        <pre class="mail-body">{m.body}</pre>
        <p>
          <a href="/admin/outbox">一覧へ戻る</a>
        </p>
      </>,
    );
  });

  return app;
}
