import { type Deps, transaction } from '../../deps.js';
import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { normalizeEmail } from '../../lib/text.js';
import { hashToken, safeEqual } from '../../lib/tokens.js';
import { audit } from '../audit/audit.service.js';
import { type BadgeView, presentBadge } from './badge.presenter.js';
import * as badges from './badge.repository.js';
import { isUuid } from './urls.js';

/**
 * Earners (issue 4 §5): a badge's page is public — it is the badge's verification link and LinkedIn's
 * certificate URL — and shows what the badge certifies, never who holds it. The claim link in the issuance
 * mail (`?claim=<token>`) lets the signed-in earner attach the badge to their account; a learner sees every
 * badge attached to them or issued to the address they signed in with.
 */

export type EarnerBadgeView = BadgeView & {
  /** owner: the signed-in learner holds it; claimable: the claim link was given and is right; else public. */
  viewer: 'owner' | 'claimable' | 'public';
};

const badgeNotFound = () => new AppError('NOT_FOUND', 'バッジが見つかりません');

function claimMatches(row: badges.BadgeRow, claimToken: string | undefined): boolean {
  return !!claimToken && !!row.claim_token_hash && safeEqual(hashToken(claimToken), row.claim_token_hash);
}

function holds(actor: Actor, row: badges.BadgeRow): boolean {
  return (
    actor.type === 'learner' &&
    (row.recipient_user_id === actor.userId || row.recipient_email === normalizeEmail(actor.email))
  );
}

/** The badge page's view for anyone (NOT_FOUND for unknown ids); `claimToken` from the mail's link. */
export async function getCredentialForEarner(
  deps: Deps,
  actor: Actor,
  input: { credentialId: string; claimToken?: string },
): Promise<EarnerBadgeView> {
  if (!isUuid(input.credentialId)) throw badgeNotFound();
  const row = await badges.findBadge(deps.db, input.credentialId.toLowerCase());
  if (!row) throw badgeNotFound();
  const viewer = holds(actor, row) ? 'owner' : claimMatches(row, input.claimToken) ? 'claimable' : 'public';
  return { ...presentBadge(deps.config.baseUrl, row, deps.clock.now()), viewer };
}

/**
 * Attaches a badge to the signed-in learner, with the claim token from its mail. The first learner to claim
 * it keeps it (claiming again is a no-op); the token only proves the mail was received.
 */
export async function claimBadge(
  deps: Deps,
  actor: Actor,
  input: { credentialId: string; claimToken: string },
): Promise<EarnerBadgeView> {
  if (actor.type === 'anonymous') throw new AppError('UNAUTHENTICATED', 'ログインしてください');
  if (actor.type !== 'learner')
    throw new AppError('FORBIDDEN', 'バッジは受講者のアカウントで受け取ってください');
  if (!isUuid(input.credentialId)) throw badgeNotFound();
  const row = await badges.findBadge(deps.db, input.credentialId.toLowerCase());
  if (!row) throw badgeNotFound();
  if (!claimMatches(row, input.claimToken)) {
    throw new AppError(
      'FORBIDDEN',
      '受け取り用のリンクが正しくありません。メールのリンクをもう一度開いてください',
    );
  }
  await transaction(deps, async (tx) => {
    if (!(await badges.claim(tx, row.id, actor.userId, deps.clock.now()))) {
      throw new AppError('CONFLICT', 'このバッジは別のアカウントで受け取られています');
    }
    await audit(deps, tx, actor, 'badges.credential.claimed', { type: 'credential', id: row.id });
  });
  return getCredentialForEarner(deps, actor, { credentialId: row.id });
}

/** A learner's badges, newest first (corrected ones replaced by their correction). */
export async function listMyBadges(deps: Deps, actor: Actor): Promise<BadgeView[]> {
  if (actor.type === 'anonymous') throw new AppError('UNAUTHENTICATED', 'ログインしてください');
  if (actor.type !== 'learner') throw new AppError('FORBIDDEN', 'この操作を行う権限がありません');
  const rows = await badges.listForLearner(deps.db, actor.userId, normalizeEmail(actor.email));
  const now = deps.clock.now();
  return rows.map((r) => presentBadge(deps.config.baseUrl, r, now));
}
