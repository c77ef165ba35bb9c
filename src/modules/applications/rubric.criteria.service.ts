import { type Deps, transaction } from '../../deps.js';
import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { audit } from '../audit/audit.service.js';
import { can, isForeign } from './desk.policy.js';
import { lockProgramme } from './desk.repository.js';
import { isUuid, notFound, programmeScope, type StaffScope } from './desk.scope.js';
import * as repo from './rubric.repository.js';
import type { CriterionInput } from './rubric.schema.js';
import { type CriterionView, presentCriterion } from './rubric.service.js';

// The rubric of a programme: criteria with a scale and a weight, in an order. Admins and staff of the
// running organisation edit it; everyone who scores reads it. Each change is audited with what changed.

export type RubricView = { criteria: (CriterionView & { scored: number })[]; canEdit: boolean };

export async function getRubric(deps: Deps, actor: Actor, programmeId: string): Promise<RubricView> {
  const scope = await programmeScope(deps, actor, 'desk.view', programmeId);
  const [rows, scored] = await Promise.all([
    repo.listCriteria(deps.db, scope),
    repo.countScoresByCriterion(deps.db, scope),
  ]);
  return {
    criteria: rows.map((r) => ({ ...presentCriterion(r), scored: scored.get(r.id) ?? 0 })),
    canEdit: can(actor, 'desk.rubric', scope),
  };
}

/**
 * A criterion id from the URL: one of the programme in scope. Another organisation's criterion is audited
 * like an application id would be.
 */
async function criterionInScope(deps: Deps, scope: StaffScope, criterionId: string) {
  if (!isUuid(criterionId)) throw notFound();
  const owner = await repo.criterionOwner(deps.db, criterionId);
  if (owner && isForeign(scope.actor, { orgId: owner.organisation_id })) {
    await transaction(deps, (tx) =>
      audit(
        deps,
        tx,
        scope.actor,
        'security.cross_org_denied',
        { type: 'rubric_criterion', id: criterionId },
        {
          attempted: 'desk.rubric',
          programmeId: scope.programmeId,
        },
      ),
    );
    throw notFound();
  }
  if (!owner || owner.programme_id !== scope.programmeId) throw notFound();
}

/** One criterion for its edit page (admins and staff of the running organisation). */
export async function getCriterion(
  deps: Deps,
  actor: Actor,
  programmeId: string,
  criterionId: string,
): Promise<CriterionView> {
  const scope = await programmeScope(deps, actor, 'desk.rubric', programmeId);
  await criterionInScope(deps, scope, criterionId);
  const row = await repo.findCriterion(deps.db, scope, criterionId);
  if (!row) throw notFound();
  return presentCriterion(row);
}

const valuesOf = (v: CriterionInput) => ({
  label: v.label,
  description: v.description,
  scaleMax: v.scaleMax,
  weight: v.weight,
});

export async function addCriterion(deps: Deps, actor: Actor, programmeId: string, input: CriterionInput) {
  const scope = await programmeScope(deps, actor, 'desk.rubric', programmeId);
  return transaction(deps, async (tx) => {
    if (!(await lockProgramme(tx, scope))) throw notFound();
    const id = await repo.insertCriterion(tx, scope, valuesOf(input));
    await audit(
      deps,
      tx,
      actor,
      'applications.rubric.criterion_added',
      { type: 'rubric_criterion', id },
      {
        programmeId,
        ...valuesOf(input),
      },
    );
    return id;
  });
}

export async function updateCriterion(
  deps: Deps,
  actor: Actor,
  programmeId: string,
  criterionId: string,
  input: CriterionInput,
): Promise<void> {
  const scope = await programmeScope(deps, actor, 'desk.rubric', programmeId);
  await criterionInScope(deps, scope, criterionId);
  await transaction(deps, async (tx) => {
    if (!(await lockProgramme(tx, scope))) throw notFound();
    const before = await repo.findCriterion(tx, scope, criterionId);
    if (!before) throw notFound();
    // Scores given on the old scale would mean something else on a new one (4 of 5 is not 4 of 10).
    if (Number(before.scale_max) !== input.scaleMax && (await repo.countScores(tx, criterionId)) > 0) {
      const msg = '採点済みの評価項目は段階を変更できません。新しい評価項目として追加してください';
      throw new AppError('VALIDATION', msg, { fields: { scaleMax: msg } });
    }
    await repo.updateCriterion(tx, scope, criterionId, valuesOf(input));
    const was = {
      label: before.label,
      description: before.description,
      scaleMax: Number(before.scale_max),
      weight: Number(before.weight),
    };
    const now = valuesOf(input);
    const changed: Record<string, { from: unknown; to: unknown }> = {};
    for (const k of Object.keys(was) as (keyof typeof was)[])
      if (was[k] !== now[k]) changed[k] = { from: was[k], to: now[k] };
    await audit(
      deps,
      tx,
      actor,
      'applications.rubric.criterion_updated',
      {
        type: 'rubric_criterion',
        id: criterionId,
      },
      { programmeId, changed },
    );
  });
}

/** Removes a criterion and, with it, the scores given on it (the audit row counts them). */
export async function removeCriterion(deps: Deps, actor: Actor, programmeId: string, criterionId: string) {
  const scope = await programmeScope(deps, actor, 'desk.rubric', programmeId);
  await criterionInScope(deps, scope, criterionId);
  await transaction(deps, async (tx) => {
    if (!(await lockProgramme(tx, scope))) throw notFound();
    const before = await repo.findCriterion(tx, scope, criterionId);
    if (!before) throw notFound();
    const scoresRemoved = await repo.deleteCriterion(tx, scope, criterionId);
    await audit(
      deps,
      tx,
      actor,
      'applications.rubric.criterion_removed',
      {
        type: 'rubric_criterion',
        id: criterionId,
      },
      { programmeId, label: before.label, scoresRemoved },
    );
  });
}

/** Swaps a criterion with its neighbour above or below; at either end nothing moves. */
export async function moveCriterion(
  deps: Deps,
  actor: Actor,
  programmeId: string,
  criterionId: string,
  direction: 'up' | 'down',
): Promise<void> {
  const scope = await programmeScope(deps, actor, 'desk.rubric', programmeId);
  await criterionInScope(deps, scope, criterionId);
  await transaction(deps, async (tx) => {
    if (!(await lockProgramme(tx, scope))) throw notFound();
    const list = await repo.listCriteria(tx, scope);
    const i = list.findIndex((c) => c.id === criterionId);
    if (i < 0) throw notFound();
    const j = direction === 'up' ? i - 1 : i + 1;
    const other = list[j];
    const self = list[i];
    if (!other || !self) return;
    // Positions are renumbered 1…n on the way, so duplicates left by older data cannot block a move.
    const order = list.map((c) => c.id);
    order[i] = other.id;
    order[j] = self.id;
    for (const [k, id] of order.entries()) await repo.setPosition(tx, scope, id, k + 1);
    await audit(
      deps,
      tx,
      actor,
      'applications.rubric.criterion_moved',
      {
        type: 'rubric_criterion',
        id: criterionId,
      },
      { programmeId, direction, position: j + 1 },
    );
  });
}
