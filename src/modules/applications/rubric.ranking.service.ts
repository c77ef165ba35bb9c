import type { ApplicationStatus } from '../../db/schema.js';
import { type Deps, transaction } from '../../deps.js';
import type { Actor } from '../../lib/actor.js';
import { audit } from '../audit/audit.service.js';
import { type OwnReview, seesTotal } from './desk.policy.js';
import { presentListItem } from './desk.presenter.js';
import * as desk from './desk.repository.js';
import { programmeScope } from './desk.scope.js';
import * as repo from './rubric.repository.js';
import { applicationScore, rank } from './rubric.scoring.js';
import { groupReviews, ownState, presentCriterion, toScoring } from './rubric.service.js';

// The ranking of a programme's applications by computed total (rubric.scoring.ts), as far as the viewer
// may see totals (desk.policy.ts seesTotal). Viewing it is audited like the list: it names applicants.

/** A programme's ranking covers at most this many applications (far above any cohort's size). */
export const RANKING_MAX = 5000;

export type RankingItem = {
  id: string;
  number: string;
  fullName: string;
  status: ApplicationStatus;
  statusLabel: string;
  total: number | null;
  /** The total exists but independence hides it from this viewer until they have scored. */
  hidden: boolean;
  counted: number;
  conflicts: number;
  incomplete: number;
  own: OwnReview;
  rank: number | null;
};

export type Ranking = { items: RankingItem[]; criteria: number; reviewerOnly: boolean };

export async function getRanking(
  deps: Deps,
  actor: Actor,
  programmeId: string,
  filter: desk.DeskFilter = {},
): Promise<Ranking> {
  const scope = await programmeScope(deps, actor, 'desk.view', programmeId);
  const me = scope.actor;
  return transaction(deps, async (tx) => {
    const [rows, criteriaRows, reviews, scores] = await Promise.all([
      desk.listApplications(tx, scope, filter, RANKING_MAX, 0),
      repo.listCriteria(tx, scope),
      repo.listReviews(tx, scope),
      repo.listScores(tx, scope),
    ]);
    const criteria = criteriaRows.map(presentCriterion).map(toScoring);
    const grouped = groupReviews(reviews, scores);
    const items = rows.map((r) => {
      const list = grouped.get(r.id) ?? [];
      const s = applicationScore(criteria, list);
      const own = ownState(list, me.userId);
      const visible = seesTotal(me.role, own);
      const v = presentListItem(r);
      return {
        id: v.id,
        number: v.number,
        fullName: v.fullName,
        status: v.status,
        statusLabel: v.statusLabel,
        total: visible ? s.total : null,
        hidden: !visible && s.total !== null,
        counted: visible ? s.counted : 0,
        conflicts: visible ? s.conflicts : 0,
        incomplete: visible ? s.incomplete : 0,
        own,
      };
    });
    await audit(
      deps,
      tx,
      actor,
      'applications.ranking_viewed',
      { type: 'programme', id: programmeId },
      { shown: items.length },
    );
    return { items: rank(items), criteria: criteria.length, reviewerOnly: me.role === 'reviewer' };
  });
}
