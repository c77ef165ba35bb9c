import type { Deps } from '../../../deps.js';
import type { PublicBuilder } from '../../../web/pages/public-page.js';
import { getOperatorGuide } from '../operator-guide.service.js';

export const GUIDE_PATH = '/open-badges/guide';
export const PACKAGE_PATH = '/open-badges/guide/package.zip';

/** The public hand-over page for the case-study operators (issue 4 §8a). */
export function buildOperatorGuidePage(deps: Deps): PublicBuilder {
  return async () => {
    const g = await getOperatorGuide(deps);
    return {
      title: 'オープンバッジ発行手順(ケーススタディ運営事業者向け)',
      description:
        'マナビDX Quest の修了証を Open Badges 3.0 で発行するための手順、達成のテンプレート、DSS-P の項目コード、署名済みのサンプルと検証の手順。',
      path: GUIDE_PATH,
      ogType: 'article',
      body: (
        <>
          <h1>オープンバッジ発行手順(ケーススタディ運営事業者向け)</h1>
          <p>
            マナビDX Quest の修了証は、国際標準の Open Badges 3.0(1EdTech)で発行します。これは W3C Verifiable
            Credentials 2.0
            に沿ったデジタル証明で、身につくスキルをデジタルスキル標準(DSS-P)の項目に対応付けます。
            ケーススタディ教育プログラムの修了者には、各事業者が自社の名義で発行してください。このページの内容は、
            まとめてダウンロードできます。
          </p>
          <p>
            <a class="button" href={PACKAGE_PATH} download>
              発行手順パッケージをダウンロード(ZIP)
            </a>
          </p>
          <nav aria-labelledby="h-toc">
            <h2 id="h-toc">目次</h2>
            <ol>
              <li>
                <a href="#fields">クレデンシャルの必須項目</a>
              </li>
              <li>
                <a href="#template">達成(Achievement)のテンプレート</a>
              </li>
              <li>
                <a href="#codes">DSS-P の項目コード</a>
              </li>
              <li>
                <a href="#sample">署名済みのサンプル</a>
              </li>
              <li>
                <a href="#verify">検証の手順</a>
              </li>
              <li>
                <a href="#dxq">dxq から自社の名義で発行する</a>
              </li>
            </ol>
          </nav>

          <h2 id="fields">1. クレデンシャルの必須項目</h2>
          <p>
            署名は <code>eddsa-rdfc-2022</code>(Ed25519)のデータインテグリティ証明を標準とします。1EdTech の
            AchievementCredential JSON Schema に適合すること(type は配列、image はオブジェクト、proof
            は配列)を、 発行前に確認してください。1件は 16KB 以内にします。
          </p>
          <div class="table-scroll">
            <table class="data-table">
              <caption>必須項目と書き方</caption>
              <thead>
                <tr>
                  <th scope="col">項目</th>
                  <th scope="col">値の例</th>
                  <th scope="col">注意</th>
                </tr>
              </thead>
              <tbody>
                {g.fields.map((f) => (
                  <tr>
                    <th scope="row">
                      <code>{f.path}</code>
                    </th>
                    <td>
                      <code>{f.value}</code>
                    </td>
                    <td>{f.note}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>

          <h2 id="template">2. 達成(Achievement)のテンプレート</h2>
          <p>
            プログラムの版ごとに1つ作り、<code>id</code> は何年も変わらない URL
            にします。〈〉の部分を書き換えてください。
          </p>
          <section class="code-block" tabindex={0} aria-label="達成のテンプレート(JSON)">
            <pre>
              <code>{JSON.stringify(g.template, null, 2)}</code>
            </pre>
          </section>

          <h2 id="codes">3. DSS-P の項目コード</h2>
          <p>
            {g.framework.name} ver.{g.framework.version}(全{g.alignments.length}項目)。alignment の{' '}
            <code>targetCode</code> にコードを、<code>targetUrl</code> に各項目のページの URL を、
            <code>targetFramework</code> に「{g.framework.name} ver.{g.framework.version}」を記載します。
          </p>
          <p class="note">{g.framework.provenance}</p>
          <div class="table-scroll">
            <table class="data-table">
              <caption>DSS-P の項目コードと対応付けに使うページ</caption>
              <thead>
                <tr>
                  <th scope="col">コード</th>
                  <th scope="col">項目</th>
                  <th scope="col">分類</th>
                </tr>
              </thead>
              <tbody>
                {g.alignments.map((a) => (
                  <tr>
                    <th scope="row" class="nowrap">
                      {a.code}
                    </th>
                    <td>
                      <a href={a.url}>{a.name}</a>
                    </td>
                    <td>{a.category}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>

          <h2 id="sample">4. 署名済みのサンプル</h2>
          <p>
            サンプル用に作った鍵(<code>did:key</code>
            )で署名しているため、ネットワークに接続せずに検証できます。 失効リストの URL
            は例示用のため、失効の確認は「確認できない」となります。
          </p>
          <details>
            <summary>サンプルのクレデンシャル(JSON)を表示</summary>
            <section class="code-block" tabindex={0} aria-label="署名済みのサンプル(JSON)">
              <pre>
                <code>{JSON.stringify(g.sample, null, 2)}</code>
              </pre>
            </section>
          </details>

          <h2 id="verify">5. 検証の手順</h2>
          <ol>
            {g.steps.map((s) => (
              <li>{s}</li>
            ))}
          </ol>

          <h2 id="dxq">6. dxq から自社の名義で発行する</h2>
          <p>
            自社で署名の仕組みを持たなくても、dxq
            の「バッジ発行」から、貴社の発行者プロフィールと貴社専用の鍵で発行できます。 修了者の一覧(CSV
            または XLSX)を取り込み、確認(ドライラン)で行ごとの結果を確かめてから発行すると、
            修了者それぞれに受け取りのメールが届きます。利用を希望する場合は事務局にご連絡ください。
          </p>
        </>
      ),
    };
  };
}
