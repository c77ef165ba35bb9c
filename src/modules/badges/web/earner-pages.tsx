import { formatJst } from '../../../lib/clock.js';
import { CsrfField, Notice } from '../../../web/components/form.js';
import type { BadgeStatus, BadgeView } from '../badge.presenter.js';
import type { EarnerBadgeView } from '../earner.service.js';

// The public page of one badge (routes: earner-badges.routes.tsx) and what earner-my-badges.tsx shares
// with it. Names, descriptions and criteria come from the signed credential and go through JSX
// text only, so markup in them is shown as typed, never run (IPA #5). Nothing here names the earner: the
// credential holds only a salted hash of their address, and the services offer no "show my name" choice.

export const STATUS_LABEL: Record<BadgeStatus, string> = {
  valid: '有効',
  revoked: '失効',
  expired: '有効期限切れ',
};

const STATUS_CLASS: Record<BadgeStatus, string> = {
  valid: 'badge badge-open',
  revoked: 'badge badge-closed',
  expired: 'badge badge-closed',
};

/** OB 3.0 AchievementType values (1EdTech OB 3.0 §B.1.2 AchievementType enumeration) in Japanese. */
const ACHIEVEMENT_TYPE_LABEL: Record<string, string> = {
  Achievement: '達成',
  Assessment: '評価',
  Assignment: '課題',
  Award: '表彰',
  Badge: 'バッジ',
  Certificate: '証明書',
  CertificateOfCompletion: '修了証',
  Certification: '資格',
  CommunityService: '地域貢献',
  Competency: '能力',
  Course: '講座',
  CoCurricular: '課外活動',
  License: '免許',
  Membership: '会員資格',
  MicroCredential: 'マイクロクレデンシャル',
};

export const achievementTypeLabel = (type: string): string => ACHIEVEMENT_TYPE_LABEL[type] ?? type;

const DATE = new Intl.DateTimeFormat('ja-JP', {
  timeZone: 'Asia/Tokyo',
  year: 'numeric',
  month: 'long',
  day: 'numeric',
});

/** 2026年4月1日, the day in Japan time. */
export const jstDate = (d: Date): string => DATE.format(d);

/**
 * A link target for one of our absolute URLs: the path on this site (so it works on whatever host the page
 * was reached by, and `download` stays same-origin), or the URL itself when it is another http(s) site.
 * Anything else is not linked.
 */
export function hrefOf(origin: string, url: string): string | null {
  if (!URL.canParse(url)) return null;
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  return u.origin === origin ? `${u.pathname}${u.search}${u.hash}` : url;
}

export function StatusTag(p: { status: BadgeStatus }) {
  return <span class={STATUS_CLASS[p.status]}>{STATUS_LABEL[p.status]}</span>;
}

/** Why a revoked badge is revoked, as far as the public may know (the issuer's own words stay internal). */
function revokedText(b: BadgeView): string {
  const when = b.revokedAt ? `${formatJst(b.revokedAt)}(日本時間)に` : '';
  return b.corrected
    ? `このバッジは、内容の訂正のため${when}失効しました。訂正後のバッジが改めて発行されています。`
    : `このバッジは、発行者により${when}取り消され、失効しています。`;
}

function StatusNotice(p: { badge: BadgeView }) {
  const b = p.badge;
  if (b.status === 'revoked') {
    return (
      <Notice kind="warning">
        <p>
          <strong>失効したバッジです。</strong>
          {revokedText(b)}
        </p>
      </Notice>
    );
  }
  if (b.status === 'expired') {
    return (
      <Notice kind="warning">
        <p>
          <strong>有効期限が切れたバッジです。</strong>
          {b.validUntil ? `有効期限は${formatJst(b.validUntil)}(日本時間)でした。` : null}
        </p>
      </Notice>
    );
  }
  return null;
}

/** What the page says to the person looking at it: the claim button, a failed claim, or "this is yours". */
export type ClaimState =
  | { kind: 'none' }
  | { kind: 'offer'; token: string; csrf: string }
  | { kind: 'wrong-link' }
  | { kind: 'staff' }
  | { kind: 'failed'; message: string };

function ClaimSection(p: { badge: EarnerBadgeView; claim: ClaimState }) {
  const { badge, claim } = p;
  switch (claim.kind) {
    case 'offer':
      return (
        <section class="card" aria-labelledby="claim-title">
          <h2 id="claim-title">バッジの受け取り</h2>
          <p>
            このバッジを、ログイン中のあなたのアカウントで受け取ります。受け取ったバッジは「バッジ」のページにいつでも表示されます。
          </p>
          <form method="post" action={`/badges/${badge.id}/claim`}>
            <CsrfField token={claim.csrf} />
            <input type="hidden" name="claim" value={claim.token} />
            <button type="submit" class="button">
              バッジを受け取る
            </button>
          </form>
        </section>
      );
    case 'wrong-link':
      return (
        <Notice kind="warning">
          <p>
            <strong>このリンクではバッジを受け取れません。</strong>
            受け取り用のリンクが正しくありません。バッジ発行のお知らせメールにあるリンクを、途中で切れないようにそのまま開いてください。
          </p>
        </Notice>
      );
    case 'staff':
      return (
        <Notice kind="warning">
          <p>
            <strong>職員のアカウントではバッジを受け取れません。</strong>
            ログアウトしてから、受講者としてメールアドレスでログインし、もう一度メールのリンクを開いてください。
          </p>
        </Notice>
      );
    case 'failed':
      return (
        <Notice kind="warning">
          <p>
            <strong>バッジを受け取れませんでした。</strong>
            {claim.message}
          </p>
          <p>ご不明な点は、このバッジを発行した団体にお問い合わせください。</p>
        </Notice>
      );
    case 'none':
      return badge.viewer === 'owner' ? (
        <Notice kind="info">
          <p>
            あなたのバッジです。このページのアドレスを共有すると、誰でもバッジの内容と有効性を確かめられます。
            <a href="/my/badges">あなたのバッジ一覧</a>
          </p>
        </Notice>
      ) : null;
  }
}

function Skills(p: { badge: BadgeView; origin: string }) {
  if (p.badge.skills.length === 0) return <p>このバッジに対応づけられたスキルはありません。</p>;
  return (
    <ul class="link-list">
      {p.badge.skills.map((s) => {
        const href = hrefOf(p.origin, s.url);
        const label = `${s.code} ${s.name}`;
        return (
          <li>
            {href ? <a href={href}>{label}</a> : label}
            {s.framework ? <>({s.framework})</> : null}
          </li>
        );
      })}
    </ul>
  );
}

type Download = { href: string; label: string; type: string; filename: string };

function downloadsOf(b: BadgeView, origin: string): Download[] {
  const local = (u: string) => hrefOf(origin, u) ?? u;
  const list: Download[] = [
    {
      href: local(b.downloads.png),
      label: 'バッジ画像(PNG、証明データ入り)',
      type: 'image/png',
      filename: `badge-${b.id}.png`,
    },
    {
      href: local(b.downloads.svg),
      label: 'バッジ画像(SVG、証明データ入り)',
      type: 'image/svg+xml',
      filename: `badge-${b.id}.svg`,
    },
    {
      href: local(b.downloads.json),
      label: '証明データ(JSON、Open Badges 3.0)',
      type: 'application/vc+ld+json',
      filename: `badge-${b.id}.json`,
    },
  ];
  if (b.downloads.jwt) {
    list.push({
      href: local(b.downloads.jwt),
      label: '証明データ(VC-JWT)',
      type: 'application/vc+jwt',
      filename: `badge-${b.id}.jwt`,
    });
  }
  return list;
}

/** Where the Open Badges 2.0 form of a badge is (ob2/): its hosted Assertion and the image with it baked in. */
export type Ob2Links = { assertionUrl: string; imageUrl: string };

/**
 * The Open Badges 2.0 form, for wallets that do not take 3.0 yet (issue 4 §8(c)). Below the 3.0 downloads and
 * labelled as the fallback it is, so nobody picks it by mistake. A revoked badge offers nothing to download:
 * its 2.0 address now answers that it is revoked (OB 2.0 §Revoking Hosted Assertions).
 */
function Ob2Section(p: { badge: BadgeView; links: Ob2Links; origin: string }) {
  const { badge: b, links, origin } = p;
  return (
    <section aria-labelledby="ob2-title">
      <h2 id="ob2-title">Open Badges 2.0 形式(2.0にのみ対応するウォレット向け)</h2>
      {b.status === 'revoked' ? (
        <p>
          このバッジは失効しているため、Open Badges 2.0
          形式では提供していません。2.0形式の証明データのアドレスは、失効したことを返します。
        </p>
      ) : (
        <>
          <p>
            お使いのウォレットやサービスが Open Badges 3.0 に対応していない場合に使います。上の 3.0
            形式と同じバッジで、内容は変わりません。2.0
            形式の証明データはこのサイトに置かれ、受け取った側はこのサイトに問い合わせて有効性を確かめます。
          </p>
          <ul class="link-list">
            <li>
              <a
                href={hrefOf(origin, links.imageUrl) ?? links.imageUrl}
                type="image/png"
                download={`badge-${b.id}-ob2.png`}
              >
                バッジ画像(PNG、Open Badges 2.0 の証明データ入り)
              </a>
            </li>
            <li>
              <a
                href={hrefOf(origin, links.assertionUrl) ?? links.assertionUrl}
                type="application/ld+json"
                download={`badge-${b.id}-ob2.json`}
              >
                証明データ(JSON、Open Badges 2.0)
              </a>
            </li>
          </ul>
          <p>
            アドレス(URL)で取り込むウォレットには、次のアドレスを入力してください:{' '}
            <code>{links.assertionUrl}</code>
          </p>
        </>
      )}
    </section>
  );
}

function IssuerLink(p: { badge: BadgeView; origin: string }) {
  const href = hrefOf(p.origin, p.badge.issuer.url);
  if (!href) return <>{p.badge.issuer.name}</>;
  const outside = !href.startsWith('/');
  return (
    <a href={href} rel={outside ? 'noopener noreferrer' : undefined}>
      {p.badge.issuer.name}
      {outside ? '(外部サイト)' : null}
    </a>
  );
}

export function BadgePage(p: {
  badge: EarnerBadgeView;
  claim: ClaimState;
  origin: string;
  /** The Open Badges 2.0 form; the section is left out without it. */
  ob2?: Ob2Links;
}) {
  const { badge: b, origin } = p;
  const verifyHref = hrefOf(origin, b.verifyUrl) ?? b.verifyUrl;
  return (
    <>
      <h1>{b.name}</h1>
      <StatusNotice badge={b} />
      <ClaimSection badge={b} claim={p.claim} />
      <p>
        <img src={hrefOf(origin, b.imageUrl) ?? b.imageUrl} alt={`バッジ画像「${b.name}」`} width="200" />
      </p>
      <dl class="summary-list">
        <dt>状態</dt>
        <dd>
          <StatusTag status={b.status} />
          {b.status === 'revoked' && b.revokedAt ? ` ${formatJst(b.revokedAt)}(日本時間)に失効` : null}
        </dd>
        <dt>種類</dt>
        <dd>{achievementTypeLabel(b.achievementType)}</dd>
        <dt>発行者</dt>
        <dd>
          <IssuerLink badge={b} origin={origin} />
        </dd>
        <dt>授与日</dt>
        <dd>{jstDate(b.awardedAt)}</dd>
        <dt>有効期間の開始</dt>
        <dd>{formatJst(b.validFrom)}(日本時間)</dd>
        <dt>有効期限</dt>
        <dd>{b.validUntil ? `${formatJst(b.validUntil)}(日本時間)` : 'なし(無期限)'}</dd>
        <dt>バッジID</dt>
        <dd>
          <code>{b.credentialId}</code>
        </dd>
      </dl>

      <h2>このバッジが証明すること</h2>
      <p class="prose-text">{b.description}</p>
      <h3>取得の基準</h3>
      <p class="prose-text">{b.criteria}</p>

      <h2>身につけたスキル(デジタルスキル標準)</h2>
      <Skills badge={b} origin={origin} />

      <h2>ダウンロード</h2>
      <p>
        画像ファイルには、バッジの証明データ(Open Badges
        3.0)が埋め込まれています。対応するウォレットやサービスに取り込めます。
      </p>
      <ul class="link-list">
        {downloadsOf(b, origin).map((d) => (
          <li>
            <a href={d.href} type={d.type} download={d.filename}>
              {d.label}
            </a>
          </li>
        ))}
      </ul>

      {p.ob2 ? <Ob2Section badge={b} links={p.ob2} origin={origin} /> : null}

      <h2>このバッジの検証</h2>
      <p>
        署名、失効の有無、有効期間を、誰でも確かめられます。
        <a href={verifyHref}>このバッジを検証する</a>
      </p>

      <h2>共有</h2>
      <p>
        このページのアドレス: <code>{b.publicUrl}</code>
      </p>
      {b.status !== 'revoked' ? (
        <p>
          {/* A plain link the person follows (SECURITY.md: nothing from LinkedIn is loaded by this page). */}
          <a href={b.linkedInUrl} rel="noopener noreferrer">
            LinkedIn のプロフィールに資格として追加する(外部サイト)
          </a>
        </p>
      ) : null}
    </>
  );
}
