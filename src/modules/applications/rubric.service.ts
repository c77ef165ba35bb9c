import type { Database } from '../../db/client.js';
import type { ApplicationStatus } from '../../db/schema.js';
import { type Deps, transaction } from '../../deps.js';
import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { audit } from '../audit/audit.service.js';
import { type OwnReview, seesOtherReviews, seesTotal } from './desk.policy.js';
import { type ApplicationScope, applicationScope, notFound } from './desk.scope.js';
import * as repo from './rubric.repository.js';
import { reviewSchema, scoreField } from './rubric.schema.js';
import { applicationScore, criterionMeans, reviewerTotal, type ScoringReview } from './rubric.scoring.js';

// Independent scoring against the programme's rubric. Criteria management: rubric.criteria.service.ts;
// the ranking: rubric.ranking.service.ts.

/** Scores are taken while the desk is still choosing; after a decision they are the record of it. */
export const SCORING_STATUSES: readonly ApplicationStatus[] = ['submitted', 'under_review'];

export type CriterionView = {
  id: string;
  label: string;
  description: string;
  scaleMax: number;
  weight: number;
  position: number;
};

export function presentCriterion(r: repo.CriterionRow): CriterionView {
  return {
    id: r.id,
    label: r.label,
    description: r.description,
    scaleMax: Number(r.scale_max),
    weight: Number(r.weight),
    position: r.position,
  };
}

export const toScoring = (c: CriterionView) => ({ id: c.id, scaleMax: c.scaleMax, weight: c.weight });

/** Reviews and scores of one programme, grouped per application for the maths. */
export function groupReviews(reviews: repo.ReviewRow[], scores: repo.ScoreRow[]) {
  const byKey = new Map<string, Map<string, number>>();
  for (const s of scores) {
    const k = `${s.application_id}/${s.reviewer_user_id}`;
    const m = byKey.get(k) ?? new Map<string, number>();
    m.set(s.criterion_id, Number(s.score));
    byKey.set(k, m);
  }
  const byApp = new Map<string, (ScoringReview & { row: repo.ReviewRow })[]>();
  for (const r of reviews) {
    const list = byApp.get(r.application_id) ?? [];
    list.push({
      reviewerId: r.reviewer_user_id,
      conflict: r.conflict_of_interest,
      scores: byKey.get(`${r.application_id}/${r.reviewer_user_id}`) ?? new Map(),
      row: r,
    });
    byApp.set(r.application_id, list);
  }
  return byApp;
}

export function ownState(reviews: readonly ScoringReview[], userId: string): OwnReview {
  const mine = reviews.find((r) => r.reviewerId === userId);
  return !mine ? 'none' : mine.conflict ? 'conflict' : 'submitted';
}

export type ReviewView = {
  reviewerName: string;
  conflict: boolean;
  comment: string;
  scores: Record<string, number>;
  total: number | null;
  updatedAt: Date;
};

export type ReviewPanel = {
  criteria: CriterionView[];
  own: OwnReview;
  ownReview: ReviewView | null;
  /** Other reviewers' reviews, or null while independence hides them from this viewer. */
  others: ReviewView[] | null;
  othersCount: number;
  aggregate: ({ means: Record<string, number | null> } & ReturnType<typeof applicationScore>) | null;
  canScore: boolean;
  scoringOpen: boolean;
};

/** The review section of an application's page, as far as the viewer may see it (desk.policy.ts). */
export async function reviewPanel(
  db: Database,
  scope: ApplicationScope,
  status: ApplicationStatus,
): Promise<ReviewPanel> {
  const [criteriaRows, reviews, scores] = await Promise.all([
    repo.listCriteria(db, scope),
    repo.listReviews(db, scope, scope.applicationId),
    repo.listScores(db, scope, scope.applicationId),
  ]);
  const criteria = criteriaRows.map(presentCriterion);
  const scoring = criteria.map(toScoring);
  const list = groupReviews(reviews, scores).get(scope.applicationId) ?? [];
  const me = scope.actor;
  const own = ownState(list, me.userId);
  const view = (r: (typeof list)[number]): ReviewView => ({
    reviewerName: r.row.reviewer_name,
    conflict: r.conflict,
    comment: r.row.comment,
    scores: Object.fromEntries(r.scores),
    total: r.conflict ? null : reviewerTotal(scoring, r.scores),
    updatedAt: r.row.updated_at,
  });
  const mine = list.find((r) => r.reviewerId === me.userId);
  const others = list.filter((r) => r.reviewerId !== me.userId);
  const canScore = ['admin', 'staff', 'reviewer'].includes(me.role);
  return {
    criteria,
    own,
    ownReview: mine ? view(mine) : null,
    others: seesOtherReviews(own) ? others.map(view) : null,
    othersCount: others.length,
    aggregate: seesTotal(me.role, own)
      ? { ...applicationScore(scoring, list), means: Object.fromEntries(criterionMeans(scoring, list)) }
      : null,
    canScore,
    scoringOpen: SCORING_STATUSES.includes(status) && criteria.length > 0,
  };
}

async function openForScoring(tx: Database, scope: ApplicationScope): Promise<void> {
  const r = await tx
    .selectFrom('applications')
    .select('status')
    .where('id', '=', scope.applicationId)
    .forUpdate()
    .executeTakeFirst();
  if (!r) throw notFound();
  if (!SCORING_STATUSES.includes(r.status))
    throw new AppError('INVALID_STATE', '選考が終わった申込みは採点できません');
}

/**
 * Submits (or revises) the actor's own scores and comment. Every criterion of the current rubric must be
 * scored; a reviewer who declared a conflict of interest must withdraw it first.
 */
export async function submitReview(
  deps: Deps,
  actor: Actor,
  applicationId: string,
  form: Record<string, unknown>,
): Promise<void> {
  const scope = await applicationScope(deps, actor, 'desk.score', applicationId);
  await transaction(deps, async (tx) => {
    await openForScoring(tx, scope);
    const criteria = await repo.listCriteria(tx, scope);
    if (criteria.length === 0) throw new AppError('INVALID_STATE', '評価項目が設定されていません');
    const parsed = reviewSchema(criteria).safeParse(form);
    if (!parsed.success) {
      const fields: Record<string, string> = {};
      for (const i of parsed.error.issues) {
        const k = String(i.path[0] ?? '_form');
        fields[k] ??= i.message;
      }
      throw new AppError('VALIDATION', '入力内容に誤りがあります', { fields });
    }
    const data = parsed.data as Record<string, unknown>;
    const before = await repo.findReview(tx, applicationId, scope.actor.userId);
    if (before?.conflict_of_interest)
      throw new AppError('INVALID_STATE', '利益相反を申告しているため採点できません');
    const scores = criteria.map((c) => ({ criterionId: c.id, score: Number(data[scoreField(c.id)]) }));
    await repo.saveReview(tx, {
      applicationId,
      reviewerId: scope.actor.userId,
      conflict: false,
      comment: String(data.comment ?? ''),
      scores,
      at: deps.clock.now(),
    });
    // The comment stays out of the log (it is an opinion about a person); its length shows it changed.
    await audit(
      deps,
      tx,
      actor,
      before ? 'applications.review_updated' : 'applications.review_submitted',
      { type: 'application', id: applicationId },
      {
        programmeId: scope.programmeId,
        scores: Object.fromEntries(scores.map((s) => [s.criterionId, s.score])),
        commentLength: String(data.comment ?? '').length,
      },
    );
  });
}

/** Declares a conflict of interest: the actor's scores are removed and they are left out of the totals. */
export async function declareConflict(deps: Deps, actor: Actor, applicationId: string): Promise<void> {
  const scope = await applicationScope(deps, actor, 'desk.score', applicationId);
  await transaction(deps, async (tx) => {
    await openForScoring(tx, scope);
    const before = await repo.findReview(tx, applicationId, scope.actor.userId);
    if (before?.conflict_of_interest) return; // already declared: nothing changes
    await repo.saveReview(tx, {
      applicationId,
      reviewerId: scope.actor.userId,
      conflict: true,
      comment: '',
      scores: [],
      at: deps.clock.now(),
    });
    await audit(
      deps,
      tx,
      actor,
      'applications.conflict_declared',
      { type: 'application', id: applicationId },
      { programmeId: scope.programmeId, scoresRemoved: !!before },
    );
  });
}

/** Withdraws a declared conflict (declared by mistake): the reviewer may then score like anyone else. */
export async function withdrawConflict(deps: Deps, actor: Actor, applicationId: string): Promise<void> {
  const scope = await applicationScope(deps, actor, 'desk.score', applicationId);
  await transaction(deps, async (tx) => {
    await openForScoring(tx, scope);
    const before = await repo.findReview(tx, applicationId, scope.actor.userId);
    if (!before?.conflict_of_interest) throw new AppError('INVALID_STATE', '利益相反は申告されていません');
    await repo.deleteReview(tx, applicationId, scope.actor.userId);
    await audit(
      deps,
      tx,
      actor,
      'applications.conflict_withdrawn',
      { type: 'application', id: applicationId },
      { programmeId: scope.programmeId },
    );
  });
}
