import { PRIVACY_NOTICE_VERSION } from '../application.schema.js';

/**
 * 個人情報保護法 21条: the purpose of use is shown before the data is collected; 27条: provision to a third
 * party (the organisation running the programme) needs the person's consent. This text is shown above the
 * consent boxes and the submit button; it summarises /privacy, whose version (PRIVACY_NOTICE_VERSION) is
 * stored with each consent, so a change of meaning here needs a new version there too.
 */
export function PrivacyNotice(p: { organisationName: string; retentionDays: number }) {
  return (
    <section class="privacy-notice" aria-labelledby="privacy-notice-title">
      <h2 id="privacy-notice-title">個人情報の取扱いについて</h2>
      <dl class="summary-list">
        <dt>お預かりする情報</dt>
        <dd>氏名、ふりがな、メールアドレス、都道府県、学生・社会人の別、学校名・勤務先、設問への回答</dd>
        <dt>利用目的</dt>
        <dd>
          <ol>
            <li>このプログラムの選考、受講者との連絡、受講の管理</li>
            <li>修了証(オープンバッジ)の発行</li>
            <li>個人が特定されない形に集計した統計の作成と、経済産業省への事業報告</li>
          </ol>
        </dd>
        <dt>提供先</dt>
        <dd>
          このプログラムを運営する「{p.organisationName}」に提供します。マナビDX Quest
          事務局(経済産業省の委託先)が、このシステムで管理します。
        </dd>
        <dt>保存期間</dt>
        <dd>
          募集の終了から{p.retentionDays}
          日を経過した後、個人を特定できる情報を消去して匿名化します(受講が決定した方の修了の記録を除きます)。
        </dd>
        <dt>開示・訂正・削除など</dt>
        <dd>
          ご自身のデータは「申込み一覧」からダウンロードできます。開示・訂正・利用停止・削除のご請求は、
          <a href="/privacy">プライバシーポリシー</a>に記載の窓口で受け付けます。
        </dd>
      </dl>
      <p class="hint">この説明の版: {PRIVACY_NOTICE_VERSION}</p>
    </section>
  );
}
