import { z } from 'zod';
import { type Deps, transaction } from '../../deps.js';
import type { Actor } from '../../lib/actor.js';
import { audit } from '../audit/audit.service.js';
import { type BadgeStatus, badgeStatus } from './badge.presenter.js';
import * as repo from './badge-list.repository.js';
import { findScoped, issuerScope } from './badges.scope.js';
import { paths } from './urls.js';

/**
 * The staff view of an organisation's issued badges (issue 4 §7): a filtered, paged list and one badge with
 * its recipient. Unlike the public badge page these show who holds a badge (name and address), so they are
 * for the issuing organisation's staff (and the secretariat) only, and opening one badge is audited like a
 * view of an application (SECURITY.md: every view of a person's record by staff).
 */

export const ISSUED_PAGE_SIZE = 50;

export const issuedFilterSchema = z.object({
  achievement: z.uuid().optional().catch(undefined),
  status: z.enum(['valid', 'revoked', 'expired']).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1),
});
export type IssuedFilterInput = z.infer<typeof issuedFilterSchema>;

export type IssuedBadgeItem = {
  id: string;
  recipientName: string;
  recipientEmail: string;
  achievementId: string;
  achievementName: string;
  version: number;
  format: 'ldp' | 'jwt';
  issuedAt: Date;
  status: BadgeStatus;
  revokedAt: Date | null;
  corrected: boolean;
  replacesId: string | null;
  replacedById: string | null;
};

export type IssuedBadgeList = {
  items: IssuedBadgeItem[];
  total: number;
  page: number;
  pages: number;
};

function item(r: repo.IssuedRow, now: Date): IssuedBadgeItem {
  return {
    id: r.id,
    recipientName: r.recipient_name,
    recipientEmail: r.recipient_email,
    achievementId: r.achievement_id,
    achievementName: r.achievement_name,
    version: r.version,
    format: r.format,
    issuedAt: r.issued_at,
    status: badgeStatus(r, now),
    revokedAt: r.revoked_at,
    corrected: r.revocation_reason === 'corrected',
    replacesId: r.replaces_id,
    replacedById: r.replaced_by_id,
  };
}

/** An organisation's issued badges, newest first, a page at a time. */
export async function listIssuedBadges(
  deps: Deps,
  actor: Actor,
  input: { orgId: string } & IssuedFilterInput,
): Promise<IssuedBadgeList> {
  const scope = await issuerScope(deps, actor, 'badges.view', input.orgId);
  const now = deps.clock.now();
  const filter: repo.IssuedFilter = {
    orgId: scope.orgId,
    achievementId: input.achievement,
    status: input.status,
    now,
  };
  const total = await repo.countIssued(deps.db, filter);
  const pages = Math.max(1, Math.ceil(total / ISSUED_PAGE_SIZE));
  const page = Math.min(input.page, pages);
  const rows = await repo.listIssued(deps.db, filter, (page - 1) * ISSUED_PAGE_SIZE, ISSUED_PAGE_SIZE);
  return { items: rows.map((r) => item(r, now)), total, page, pages };
}

export type IssuedBadgeDetail = IssuedBadgeItem & {
  orgId: string;
  claimed: boolean;
  evidenceUrl: string | null;
  narrative: string | null;
  awardedAt: Date;
  validFrom: Date;
  validUntil: Date | null;
  revocationReason: string | null;
  issuedBy: string | null;
  revokedBy: string | null;
  batchId: string | null;
  /** This site's public documents of the badge (its page, the downloads). */
  links: { page: string; png: string; svg: string; json: string; jwt: string | null };
};

/** One issued badge as its organisation's staff see it; the view is audited (it shows a person). */
export async function getIssuedBadge(
  deps: Deps,
  actor: Actor,
  credentialId: string,
): Promise<IssuedBadgeDetail> {
  const r = await findScoped(
    deps,
    actor,
    'badges.view',
    { type: 'credential', id: credentialId, what: 'バッジ' },
    repo.findIssued,
  );
  await transaction(deps, (tx) =>
    audit(deps, tx, actor, 'badges.credential.viewed', { type: 'credential', id: r.id }),
  );
  const now = deps.clock.now();
  return {
    ...item(r, now),
    orgId: r.organisation_id,
    claimed: !!r.claimed_at,
    evidenceUrl: r.evidence_url,
    narrative: r.narrative,
    awardedAt: r.awarded_at,
    validFrom: r.valid_from,
    validUntil: r.valid_until,
    revocationReason: r.revocation_reason,
    issuedBy: r.issued_by_name,
    revokedBy: r.revoked_by_name,
    batchId: r.batch_id,
    links: {
      page: paths.badge(r.id),
      png: paths.badgeFile(r.id, 'png'),
      svg: paths.badgeFile(r.id, 'svg'),
      json: paths.badgeFile(r.id, 'json'),
      jwt: r.format === 'jwt' ? paths.badgeFile(r.id, 'jwt') : null,
    },
  };
}
