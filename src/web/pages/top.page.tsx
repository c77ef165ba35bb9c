import type { Child } from 'hono/jsx';
import type { Deps } from '../../deps.js';
import { formatJst } from '../../lib/clock.js';
import { LAYER_SHORT } from '../../modules/programmes/programme.labels.js';
import type { ProgrammeView } from '../../modules/programmes/programme.presenter.js';
import { searchPublicProgrammes } from '../../modules/programmes/programme.read.service.js';
import { nextWindowChange } from '../../modules/programmes/public-cache.js';
import { windowState } from '../../modules/programmes/web/public-components.js';
import type { PublicBuilder } from './public-page.js';

const SHOW_DEADLINES = 5;
const SHOW_UPCOMING = 3;

function DeadlineTable(props: { caption: string; rows: ProgrammeView[]; when: 'closes' | 'opens' }) {
  return (
    <div class="table-scroll">
      <table>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">プログラム</th>
            <th scope="col">区分</th>
            <th scope="col">運営</th>
            <th scope="col">{props.when === 'closes' ? '締切(日本時間)' : '募集開始(日本時間)'}</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((p) => (
            <tr>
              <td>
                <a href={`/programmes/${p.id}`}>{p.title}</a>
              </td>
              <td>{LAYER_SHORT[p.layer]}</td>
              <td>{p.organisationName}</td>
              <td>{formatJst(props.when === 'closes' ? p.closesAt : p.opensAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function LayerCard(props: { layer: 2 | 3; open: number; title: string; children: Child }) {
  return (
    <li class="card">
      <h3>{props.title}</h3>
      {props.children}
      <p>
        <a href={`/programmes?layer=${props.layer}`}>{LAYER_SHORT[props.layer]}のプログラムを探す</a>
        (募集中 {props.open}件)
      </p>
    </li>
  );
}

/** `/`: what マナビDX Quest is, what is open now and the next deadlines, and the ways to sign in. */
export function buildTopPage(deps: Deps): PublicBuilder {
  return async (now) => {
    const all = await searchPublicProgrammes(deps, {});
    // The list comes ordered by closing time, so the open ones are already nearest deadline first.
    const open = all.filter((p) => windowState(p, now) === 'open');
    const upcoming = all
      .filter((p) => windowState(p, now) === 'upcoming')
      .sort((a, b) => (a.opensAt?.getTime() ?? 0) - (b.opensAt?.getTime() ?? 0));
    const openIn = (layer: 2 | 3) => open.filter((p) => p.layer === layer).length;
    return {
      title: 'トップ',
      description:
        'マナビDX Quest は、経済産業省のデジタル人材育成プラットフォームの実践的な学びの場です。ケーススタディ教育プログラム(2層)と地域企業協働プログラム(3層)を一つの窓口で探し、申し込めます。',
      path: '/',
      validUntil: nextWindowChange(all, now),
      body: (
        <>
          <h1>マナビDX Quest</h1>
          <p class="lead">
            マナビDX Quest
            は、経済産業省の「デジタル人材育成プラットフォーム」のうち、企業の実際の課題やデータを題材に、受講生どうしが学び合いながらデジタルトランスフォーメーション(DX)を実践的に学ぶプログラムです。このサイトでは、全国のプログラムを一つの窓口で探し、申し込めます。
          </p>

          <section aria-labelledby="h-layers">
            <h2 id="h-layers">2つのプログラム</h2>
            <ul class="card-list">
              <LayerCard layer={2} open={openIn(2)} title="ケーススタディ教育プログラム(2層)">
                <p>
                  約3か月間、オンラインで、企業の実データをもとにしたケーススタディに取り組む課題解決型の学習(PBL)です。受講生どうしが教え合い、学び合います。経済産業省の補助を受けた事業者(2層補助事業者)が運営します。
                </p>
              </LayerCard>
              <LayerCard layer={3} open={openIn(3)} title="地域企業協働プログラム(3層)">
                <p>
                  受講生がチームを組み、約2か月間、地域の中小企業とともに、その企業が抱えるDXの課題に取り組みます。各地の地域ハブ団体が運営します。1週間あたり6時間以上の学習時間の確保が必要です。
                </p>
              </LayerCard>
            </ul>
            <p>
              事業全体は、経済産業省の委託を受けた マナビDX Quest
              事務局が運営しています。修了した方にはオープンバッジ形式の修了証を発行します。
            </p>
          </section>

          <section aria-labelledby="h-open">
            <h2 id="h-open">募集中のプログラム</h2>
            <p>
              {open.length > 0
                ? `現在 ${open.length}件のプログラムが募集中です。`
                : '現在募集中のプログラムはありません。'}
            </p>
            {open.length > 0 ? (
              <DeadlineTable
                caption="締切が近いプログラム"
                rows={open.slice(0, SHOW_DEADLINES)}
                when="closes"
              />
            ) : null}
            {upcoming.length > 0 ? (
              <DeadlineTable
                caption="まもなく募集を始めるプログラム"
                rows={upcoming.slice(0, SHOW_UPCOMING)}
                when="opens"
              />
            ) : null}
            <ul class="link-list">
              <li>
                <a href="/programmes?open=1">募集中のプログラムをすべて見る</a>
              </li>
              <li>
                <a href="/programmes">すべてのプログラムを条件で探す</a>
              </li>
              <li>
                <a href="/faq">申込みについてのよくある質問</a>
              </li>
            </ul>
          </section>

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
        </>
      ),
    };
  };
}
