import { formatJst } from '../../../lib/clock.js';
import { Notice, SelectField } from '../../../web/components/form.js';
import { FilterForm } from '../../../web/components/form-shells.js';
import { Pagination } from '../../../web/components/pagination.js';
import type { AchievementView } from '../achievement.presenter.js';
import {
  ISSUED_PAGE_SIZE,
  type IssuedBadgeDetail,
  type IssuedBadgeList,
  type IssuedFilterInput,
} from '../badge-list.service.js';
import {
  BADGE_STATUS_CLASS,
  BADGE_STATUS_LABEL,
  BadgeNav,
  FORMAT_LABEL,
  IssuerLine,
  type OrgContext,
  staffPaths,
} from './staff-shared.js';

// /admin/badges/credentials…: the organisation's issued badges (filtered, paged) and one badge with its
// recipient, its files and links to its two actions (staff-credential-actions.page.tsx).

export const CREDENTIAL_DONE: Record<string, string> = {
  issued: 'バッジを発行し、受領者に受け取り用のリンクをメールで送りました。',
  existing:
    'この受領者には同じ版のバッジが発行済みのため、新たには発行していません。発行済みのバッジを表示しています。',
  revoked: 'バッジを取り消しました。検証すると「失効」と表示されます。',
  corrected:
    '訂正したバッジを発行し、元のバッジを取り消しました。受領者に新しい受け取り用のリンクをメールで送りました。',
};

const STATUS_OPTIONS = (['valid', 'revoked', 'expired'] as const).map((s) => ({
  value: s,
  label: BADGE_STATUS_LABEL[s],
}));

function Status(p: { status: IssuedBadgeDetail['status']; corrected?: boolean }) {
  return (
    <span class={BADGE_STATUS_CLASS[p.status]}>
      {p.corrected ? '訂正により取り消し' : BADGE_STATUS_LABEL[p.status]}
    </span>
  );
}

export function CredentialListPage(p: {
  org: OrgContext;
  list: IssuedBadgeList;
  filter: IssuedFilterInput;
  achievements: AchievementView[];
}) {
  const base = '/admin/badges/credentials';
  const query = (page: number) => {
    const q = new URLSearchParams({ org: p.org.orgId });
    if (p.filter.achievement) q.set('achievement', p.filter.achievement);
    if (p.filter.status) q.set('status', p.filter.status);
    if (page > 1) q.set('page', String(page));
    return `${base}?${q.toString()}`;
  };
  const { list } = p;
  const first = (list.page - 1) * ISSUED_PAGE_SIZE + 1;
  return (
    <>
      <h1>発行済みバッジ</h1>
      <IssuerLine org={p.org} />
      <BadgeNav org={p.org} current="credentials" />
      <FilterForm action={base}>
        <input type="hidden" name="org" value={p.org.orgId} />
        <SelectField
          name="achievement"
          label="バッジ"
          value={p.filter.achievement}
          options={p.achievements.map((a) => ({
            value: a.id,
            label: a.published?.name ?? a.versions[0]?.name ?? a.key,
          }))}
          placeholder="すべて"
        />
        <SelectField
          name="status"
          label="状態"
          value={p.filter.status}
          options={STATUS_OPTIONS}
          placeholder="すべて"
        />
      </FilterForm>
      {list.total === 0 ? (
        <p>条件に合う発行済みバッジはありません。</p>
      ) : (
        <div class="table-scroll">
          <table class="data-table">
            <caption>
              発行済みバッジ(全{list.total}件中 {first}〜{first + list.items.length - 1}件)
            </caption>
            <thead>
              <tr>
                <th scope="col">発行日時(日本時間)</th>
                <th scope="col">受領者</th>
                <th scope="col">メールアドレス</th>
                <th scope="col">バッジ</th>
                <th scope="col">状態</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((b) => (
                <tr>
                  <th scope="row">
                    <a href={staffPaths.credential(b.id)}>{formatJst(b.issuedAt)}</a>
                  </th>
                  <td>{b.recipientName}</td>
                  <td>{b.recipientEmail}</td>
                  <td>{`${b.achievementName}(第${b.version}版)`}</td>
                  <td>
                    <Status status={b.status} corrected={b.corrected} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination
        page={list.page}
        pages={list.pages}
        pageSize={ISSUED_PAGE_SIZE}
        label="発行済みバッジのページ"
        href={query}
      />
    </>
  );
}

function Facts(p: { b: IssuedBadgeDetail }) {
  const { b } = p;
  return (
    <dl class="summary-list">
      <dt>状態</dt>
      <dd>
        <Status status={b.status} corrected={b.corrected} />
        {b.revokedAt ? ` ${formatJst(b.revokedAt)}${b.revokedBy ? `(${b.revokedBy})` : ''}` : ''}
      </dd>
      {b.revocationReason && !b.corrected ? (
        <>
          <dt>取り消しの理由</dt>
          <dd class="prose-text">{b.revocationReason}</dd>
        </>
      ) : null}
      {b.replacedById ? (
        <>
          <dt>訂正後のバッジ</dt>
          <dd>
            <a href={staffPaths.credential(b.replacedById)}>訂正後のバッジを表示する</a>
          </dd>
        </>
      ) : null}
      {b.replacesId ? (
        <>
          <dt>訂正前のバッジ</dt>
          <dd>
            <a href={staffPaths.credential(b.replacesId)}>訂正前のバッジを表示する</a>
          </dd>
        </>
      ) : null}
      <dt>受領者</dt>
      <dd>
        {b.recipientName}({b.recipientEmail}){b.claimed ? '・受け取り済み' : '・未受け取り'}
      </dd>
      <dt>バッジ</dt>
      <dd>
        <a href={staffPaths.achievement(b.achievementId)}>{`${b.achievementName}(第${b.version}版)`}</a>
      </dd>
      <dt>形式</dt>
      <dd>{FORMAT_LABEL[b.format]}</dd>
      <dt>授与日</dt>
      <dd>{formatJst(b.awardedAt)}</dd>
      <dt>有効期間</dt>
      <dd>
        {formatJst(b.validFrom)}〜{b.validUntil ? formatJst(b.validUntil) : '(期限なし)'}
      </dd>
      <dt>発行</dt>
      <dd>
        {formatJst(b.issuedAt)}
        {b.issuedBy ? `(${b.issuedBy})` : ''}
        {b.batchId ? (
          <>
            ・<a href={staffPaths.batch(b.batchId)}>一括発行の記録</a>
          </>
        ) : null}
      </dd>
      <dt>根拠 URL</dt>
      <dd>{b.evidenceUrl ?? '—'}</dd>
      <dt>所見</dt>
      <dd class="prose-text">{b.narrative ?? '—'}</dd>
      <dt>証明データ ID</dt>
      <dd>
        <code>urn:uuid:{b.id}</code>
      </dd>
    </dl>
  );
}

export function CredentialDetailPage(p: {
  org: OrgContext;
  b: IssuedBadgeDetail;
  done?: string | undefined;
}) {
  const { b } = p;
  const live = !b.revokedAt;
  return (
    <>
      <h1>
        発行済みバッジ: {b.achievementName}({b.recipientName})
      </h1>
      <IssuerLine org={p.org} />
      <BadgeNav org={p.org} current="credentials" />
      {p.done ? <Notice kind="success">{p.done}</Notice> : null}
      <Facts b={b} />
      <section aria-labelledby="h-files">
        <h2 id="h-files">公開ページとダウンロード</h2>
        <ul class="link-list">
          <li>
            <a href={b.links.page}>バッジの公開ページ</a>
          </li>
          <li>
            <a href={b.links.png} download={`badge-${b.id}.png`}>
              バッジ画像(PNG、証明データ入り)
            </a>
          </li>
          <li>
            <a href={b.links.svg} download={`badge-${b.id}.svg`}>
              バッジ画像(SVG、証明データ入り)
            </a>
          </li>
          <li>
            <a href={b.links.json} download={`badge-${b.id}.json`}>
              証明データ(JSON)
            </a>
          </li>
          {b.links.jwt ? (
            <li>
              <a href={b.links.jwt} download={`badge-${b.id}.jwt`}>
                証明データ(JWT)
              </a>
            </li>
          ) : null}
        </ul>
      </section>
      {live && p.org.can('badges.revoke') ? (
        <section aria-labelledby="h-actions">
          <h2 id="h-actions">取り消し・訂正</h2>
          <ul class="desk-links">
            <li>
              <a href={`${staffPaths.credential(b.id)}/correct`}>訂正して発行し直す</a>
            </li>
            <li>
              <a href={`${staffPaths.credential(b.id)}/revoke`}>このバッジを取り消す</a>
            </li>
          </ul>
        </section>
      ) : null}
    </>
  );
}
