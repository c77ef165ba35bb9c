import type { Config } from '../../config.js';
import { PRIVACY_NOTICE_VERSION } from './privacy.js';
import type { PublicBuilder } from './public-page.js';

/**
 * 問い合わせ窓口 (個人情報保護法 32条: where requests and complaints go), from CONTACT_NAME and CONTACT_EMAIL.
 * Used by /privacy and /accessibility. Without CONTACT_EMAIL no address is shown, and none is made up.
 */
export function ContactSection(p: { contact: Config['contact'] }) {
  const { name, email } = p.contact;
  return (
    <>
      <h2 id="contact">問い合わせ窓口</h2>
      <dl class="summary-list">
        <dt>窓口</dt>
        <dd>{name}</dd>
        <dt>連絡先</dt>
        <dd>
          {email ? (
            <>
              メールアドレス: <a href={`mailto:${email}`}>{email}</a>
            </>
          ) : (
            <>連絡先は、各プログラムの案内メールに記載している{name}の窓口をご利用ください。</>
          )}
        </dd>
      </dl>
    </>
  );
}

/**
 * /privacy. 個人情報保護法: 利用目的 (17条, 21条), provision to third parties with consent (27条), safety
 * measures (23条), the contact for requests and complaints (32条), requests for disclosure, correction,
 * suspension and deletion (33条〜35条).
 */
export function buildPrivacyPage(config: Pick<Config, 'retentionDays' | 'contact'>): PublicBuilder {
  const { retentionDays, contact } = config;
  return async () => ({
    title: 'プライバシーポリシー',
    description:
      'マナビDX Quest 事務局システムにおける個人情報の利用目的、提供先、保存期間、開示等の請求の方法について説明します。',
    path: '/privacy',
    body: (
      <>
        <h1>プライバシーポリシー</h1>
        <p>
          マナビDX Quest 事務局(経済産業省
          委託事業。以下「事務局」)は、個人情報の保護に関する法律に基づき、本システムで取り扱う個人情報を次のとおり取り扱います。
        </p>
        <p>版: {PRIVACY_NOTICE_VERSION}</p>

        <h2>取得する情報</h2>
        <ul>
          <li>アカウントの情報: メールアドレス、氏名</li>
          <li>
            プログラムへの申込みの情報:
            氏名、ふりがな、メールアドレス、都道府県、学生・社会人の別、学校名または勤務先、申込み条件の確認への回答、プログラムごとの質問への回答、受講の誓約と同意の記録(同意した本ポリシーの版と日時)
          </li>
          <li>受講・修了の情報: 選考の結果、受講の状況、修了の記録と修了証(オープンバッジ)の発行記録</li>
          <li>利用の記録: ログインの日時、IPアドレス、主な操作の記録(監査ログ)</li>
        </ul>
        <p>
          申込み条件の確認は、氏名などの個人情報をお預かりする前に行います。条件に合わない場合、個人情報は保存しません。
        </p>

        <h2>利用目的</h2>
        <ol>
          <li>プログラムへの申込みの受付、選考、結果の連絡</li>
          <li>受講者の管理、修了の確認、修了証(オープンバッジ)の発行</li>
          <li>本人確認、ログインの管理、不正利用の防止、システムの安全な運用</li>
          <li>事業の効果の検証と経済産業省への報告(個人を特定できない統計の形に加工して利用します)</li>
          <li>修了生へのアンケート、イベント、コミュニティのご案内</li>
        </ol>
        <p>これらの目的の範囲を超えて利用することはありません。</p>

        <h2>提供先</h2>
        <p>申込みの情報は、申込みの際のご本人の同意に基づき、次の者に提供します。</p>
        <ul>
          <li>
            申し込んだプログラムを運営する事業者(ケーススタディ教育プログラムの補助事業者)または地域ハブ団体(地域企業協働プログラムの運営団体):
            選考、受講の管理、修了証の発行のため
          </li>
          <li>事務局: 本システムの運営、事業全体の管理、問い合わせへの対応のため</li>
          <li>経済産業省: 個人を特定できない統計の形でのみ(応募数、受講者数、修了者数など)</li>
        </ul>
        <p>
          法令に基づく場合を除き、これ以外の第三者に提供することはありません。ほかの運営団体が、申し込んでいないプログラムの申込み情報を見ることはできません。
        </p>

        <h2>保存期間</h2>
        <p>
          申込みの情報は、プログラムの募集が終了してから {retentionDays}
          日を経過した時点で、氏名、ふりがな、連絡先、回答などを消去し、個人を特定できない形に匿名化します。受講が決定した方の修了の記録と修了証の発行記録は、修了証を検証できるよう引き続き保存します。
        </p>
        <p>利用の記録(監査ログ)は、不正利用の調査のため1年以上保存します。</p>

        <h2>安全管理措置</h2>
        <p>
          通信の暗号化、運営団体ごとのアクセス権限の管理、職員の多要素認証、操作記録(監査ログ)の保存などの措置を講じます。外部のサーバーへの自動的な送信は行いません。
        </p>

        <h2>Cookie について</h2>
        <p>
          本システムは、ログイン状態の維持、不正な送信の防止、表示言語の記憶のためにだけ Cookie
          を使います。アクセス解析や広告のための Cookie や外部サービスは使いません。
        </p>

        <h2>開示・訂正・利用停止・削除の請求</h2>
        <p>
          ご本人は、保有個人データの開示、内容の訂正・追加・削除、利用の停止・消去、第三者への提供の停止を請求できます。
        </p>
        <ul>
          <li>
            ご自分の申込みの内容と状況は、ログイン後の<a href="/my/applications">申込み一覧</a>
            で確認でき、申込みの情報をダウンロードできます。
          </li>
          <li>
            そのほかの請求と、個人情報の取扱いに関する苦情は、<a href="#contact">問い合わせ窓口</a>
            までご連絡ください。ご本人であることを確認したうえで、法令に従い遅滞なく対応し、対応の経過を記録します。
          </li>
        </ul>

        <h2>改定</h2>
        <p>
          本ポリシーを改定した場合は、このページで版を更新してお知らせします。申込みの際には、その時点の版への同意をいただきます。
        </p>

        <ContactSection contact={contact} />
      </>
    ),
  });
}
