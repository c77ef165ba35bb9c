import { sql } from 'kysely';
import type { Database } from '../../db/client.js';
import type { DeskScope } from './desk.repository.js';

/**
 * SQL for the review rubric (criteria per programme), reviews and scores. Criteria are read through the
 * programme in scope (its organisation is the actor's); reviews and scores through applications of it.
 */
export type CriterionRow = {
  id: string;
  label: string;
  description: string;
  scale_max: number;
  weight: string;
  position: number;
};

function criteriaInScope(db: Database, scope: DeskScope) {
  return db
    .selectFrom('rubric_criteria as c')
    .innerJoin('programmes as p', 'p.id', 'c.programme_id')
    .where('p.organisation_id', '=', scope.orgId)
    .where('c.programme_id', '=', scope.programmeId);
}

export function listCriteria(db: Database, scope: DeskScope): Promise<CriterionRow[]> {
  return criteriaInScope(db, scope)
    .select(['c.id', 'c.label', 'c.description', 'c.scale_max', 'c.weight', 'c.position'])
    .orderBy('c.position')
    .orderBy('c.id')
    .execute();
}

export function findCriterion(db: Database, scope: DeskScope, id: string): Promise<CriterionRow | undefined> {
  return criteriaInScope(db, scope)
    .select(['c.id', 'c.label', 'c.description', 'c.scale_max', 'c.weight', 'c.position'])
    .where('c.id', '=', id)
    .executeTakeFirst();
}

/** Who owns a criterion, unscoped: to tell "not found" from "another organisation's" (audited). */
export function criterionOwner(db: Database, id: string) {
  return db
    .selectFrom('rubric_criteria as c')
    .innerJoin('programmes as p', 'p.id', 'c.programme_id')
    .select(['c.programme_id', 'p.organisation_id'])
    .where('c.id', '=', id)
    .executeTakeFirst();
}

export type CriterionValues = { label: string; description: string; scaleMax: number; weight: number };

export async function insertCriterion(db: Database, scope: DeskScope, v: CriterionValues): Promise<string> {
  const r = await db
    .insertInto('rubric_criteria')
    .values({
      programme_id: scope.programmeId,
      label: v.label,
      description: v.description,
      scale_max: v.scaleMax,
      weight: v.weight,
      position: sql<number>`(select coalesce(max(position), 0) + 1 from rubric_criteria where programme_id = ${scope.programmeId})`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function updateCriterion(db: Database, scope: DeskScope, id: string, v: CriterionValues) {
  await db
    .updateTable('rubric_criteria')
    .set({ label: v.label, description: v.description, scale_max: v.scaleMax, weight: v.weight })
    .where('id', '=', id)
    .where('programme_id', '=', scope.programmeId)
    .execute();
}

export async function setPosition(db: Database, scope: DeskScope, id: string, position: number) {
  await db
    .updateTable('rubric_criteria')
    .set({ position })
    .where('id', '=', id)
    .where('programme_id', '=', scope.programmeId)
    .execute();
}

/** Deletes the criterion; its scores go with it (ON DELETE CASCADE). Returns how many scores went. */
export async function deleteCriterion(db: Database, scope: DeskScope, id: string): Promise<number> {
  const n = await countScores(db, id);
  await db
    .deleteFrom('rubric_criteria')
    .where('id', '=', id)
    .where('programme_id', '=', scope.programmeId)
    .execute();
  return n;
}

/** Scores given per criterion of the programme (criteria without scores are absent). */
export async function countScoresByCriterion(db: Database, scope: DeskScope): Promise<Map<string, number>> {
  const rows = await criteriaInScope(db, scope)
    .innerJoin('application_scores as s', 's.criterion_id', 'c.id')
    .select(['c.id', sql<number>`count(*)::int`.as('n')])
    .groupBy('c.id')
    .execute();
  return new Map(rows.map((r) => [r.id, Number(r.n)]));
}

export async function countScores(db: Database, criterionId: string): Promise<number> {
  const r = await db
    .selectFrom('application_scores')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('criterion_id', '=', criterionId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export type ReviewRow = {
  application_id: string;
  reviewer_user_id: string;
  reviewer_name: string;
  conflict_of_interest: boolean;
  comment: string;
  updated_at: Date;
};
export type ScoreRow = {
  application_id: string;
  reviewer_user_id: string;
  criterion_id: string;
  score: number;
};

/** Reviews of the programme's applications (one application when `applicationId` is given). */
export function listReviews(db: Database, scope: DeskScope, applicationId?: string): Promise<ReviewRow[]> {
  let q = db
    .selectFrom('application_reviews as r')
    .innerJoin('applications as a', 'a.id', 'r.application_id')
    .innerJoin('programmes as p', 'p.id', 'a.programme_id')
    .innerJoin('users as u', 'u.id', 'r.reviewer_user_id')
    .select([
      'r.application_id',
      'r.reviewer_user_id',
      'u.display_name as reviewer_name',
      'r.conflict_of_interest',
      'r.comment',
      'r.updated_at',
    ])
    .where('p.organisation_id', '=', scope.orgId)
    .where('a.programme_id', '=', scope.programmeId);
  if (applicationId) q = q.where('r.application_id', '=', applicationId);
  return q.orderBy('r.updated_at').orderBy('r.reviewer_user_id').execute();
}

export function listScores(db: Database, scope: DeskScope, applicationId?: string): Promise<ScoreRow[]> {
  let q = db
    .selectFrom('application_scores as s')
    .innerJoin('applications as a', 'a.id', 's.application_id')
    .innerJoin('programmes as p', 'p.id', 'a.programme_id')
    .select(['s.application_id', 's.reviewer_user_id', 's.criterion_id', 's.score'])
    .where('p.organisation_id', '=', scope.orgId)
    .where('a.programme_id', '=', scope.programmeId);
  if (applicationId) q = q.where('s.application_id', '=', applicationId);
  return q.execute();
}

export function findReview(db: Database, applicationId: string, reviewerId: string) {
  return db
    .selectFrom('application_reviews')
    .select(['conflict_of_interest', 'comment'])
    .where('application_id', '=', applicationId)
    .where('reviewer_user_id', '=', reviewerId)
    .forUpdate()
    .executeTakeFirst();
}

/** Writes one reviewer's review of one application: the review row, and their scores replaced. */
export async function saveReview(
  db: Database,
  v: {
    applicationId: string;
    reviewerId: string;
    conflict: boolean;
    comment: string;
    scores: { criterionId: string; score: number }[];
    at: Date;
  },
): Promise<void> {
  await db
    .insertInto('application_reviews')
    .values({
      application_id: v.applicationId,
      reviewer_user_id: v.reviewerId,
      conflict_of_interest: v.conflict,
      comment: v.comment,
      updated_at: v.at,
    })
    .onConflict((oc) =>
      oc.columns(['application_id', 'reviewer_user_id']).doUpdateSet({
        conflict_of_interest: v.conflict,
        comment: v.comment,
        updated_at: v.at,
      }),
    )
    .execute();
  await db
    .deleteFrom('application_scores')
    .where('application_id', '=', v.applicationId)
    .where('reviewer_user_id', '=', v.reviewerId)
    .execute();
  if (v.scores.length) {
    await db
      .insertInto('application_scores')
      .values(
        v.scores.map((s) => ({
          application_id: v.applicationId,
          reviewer_user_id: v.reviewerId,
          criterion_id: s.criterionId,
          score: s.score,
        })),
      )
      .execute();
  }
}

export async function deleteReview(db: Database, applicationId: string, reviewerId: string): Promise<void> {
  await db
    .deleteFrom('application_scores')
    .where('application_id', '=', applicationId)
    .where('reviewer_user_id', '=', reviewerId)
    .execute();
  await db
    .deleteFrom('application_reviews')
    .where('application_id', '=', applicationId)
    .where('reviewer_user_id', '=', reviewerId)
    .execute();
}
