import type { Child } from 'hono/jsx';
import { Notice } from '../../../web/components/form.js';
import type { BadgeView } from '../badge.presenter.js';
import { hrefOf, jstDate, StatusTag } from './earner-pages.js';

// The learner's /my/badges (routes: earner-badges.routes.tsx): every badge attached to them or issued to the
// address they signed in with, each linking to its public page.

export const MY_BADGES_DONE: Record<string, string> = {
  claimed: 'バッジを受け取りました。',
};

export function MyBadgesPage(p: { badges: BadgeView[]; origin: string; done?: string | undefined }) {
  return (
    <>
      <h1>バッジ</h1>
      {p.done ? <Notice kind="success">{p.done}</Notice> : null}
      <p>
        プログラムの修了などで発行された、あなたのデジタルバッジ(オープンバッジ)です。ログイン中のメールアドレス宛てに発行されたバッジと、受け取ったバッジが表示されます。
      </p>
      {p.badges.length === 0 ? (
        <p>
          バッジはまだありません。プログラムを修了すると運営団体からバッジが発行され、受け取り用のリンクがメールで届きます。
        </p>
      ) : (
        <ul class="card-list">
          {p.badges.map((b) => (
            <BadgeCard badge={b} origin={p.origin} />
          ))}
        </ul>
      )}
    </>
  );
}

function BadgeCard(p: { badge: BadgeView; origin: string }): Child {
  const b = p.badge;
  return (
    <li class="card">
      {/* The name beside it says what the picture shows: alt="" keeps it from being read twice (WCAG H67). */}
      <img src={hrefOf(p.origin, b.imageUrl) ?? b.imageUrl} alt="" width="96" />
      <h2>
        <a href={`/badges/${b.id}`}>{b.name}</a>
      </h2>
      <dl class="summary-list">
        <dt>発行者</dt>
        <dd>{b.issuer.name}</dd>
        <dt>授与日</dt>
        <dd>{jstDate(b.awardedAt)}</dd>
        <dt>状態</dt>
        <dd>
          <StatusTag status={b.status} />
        </dd>
      </dl>
    </li>
  );
}
