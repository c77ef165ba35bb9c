import type { Database } from '../../db/client.js';
import type { ProgrammeStatus } from '../../db/schema.js';
import { type Deps, transaction } from '../../deps.js';
import { type Actor, actorUserId, systemActor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { audit } from '../audit/audit.service.js';
import { getDefaultFramework, validateSkillCodes } from '../credentials/skill-framework.service.js';
import { queueMail } from '../notifications/mail.service.js';
import { loadProgramme } from './programme.access.js';
import { authorize, CONTENT_FIELDS, canMove, editScope, layerOf } from './programme.policy.js';
import { type ProgrammeView, presentProgramme } from './programme.presenter.js';
import { publicationProblems } from './programme.readiness.js';
import { bumpContentVersion, type ProgrammeRow } from './programme.repository.js';
import type { ProgrammeContentInput, ProgrammeInput } from './programme.schema.js';
import * as admin from './programme-admin.repository.js';

// Managing programmes (issue 3 item 1): each use case authorises → one transaction → guarded update → audit
// → mail, and bumps the public content version whenever something the public sees changed (the public pages
// cache on it). Questions: programme-questions.service.ts. Lists and the edit page: programme-admin.service.ts.

const movedAway = () =>
  new AppError(
    'INVALID_STATE',
    'このプログラムの状態が変わったため、操作できませんでした。最新の状態を確認してください。',
  );
const stateError = (message: string) => new AppError('INVALID_STATE', message);
/** One audit row about one programme, `programmes.<action>` (in the caller's transaction). */
const logged = (
  deps: Deps,
  tx: Database,
  actor: Actor,
  action: string,
  id: string,
  details: Record<string, unknown>,
) => audit(deps, tx, actor, `programmes.${action}`, { type: 'programme', id }, details);
const notReady = (fields: Record<string, string>) =>
  new AppError('VALIDATION', '公開に必要な項目が不足しています', { fields });

/** Field values from the full form; 2層 programmes have no DX stage (it describes a 3層 partner company). */
async function valuesFrom(
  deps: Deps,
  layer: 2 | 3,
  frameworkId: string,
  input: ProgrammeInput,
): Promise<admin.ProgrammeValues> {
  const skillCodes = await validateSkillCodes(deps, frameworkId, input.skillCodes);
  return {
    fiscalYear: input.fiscalYear,
    title: input.title,
    summary: input.summary,
    descriptionMd: input.descriptionMd,
    format: input.format,
    prefectureCodes: input.prefectureCodes,
    venue: input.venue,
    startsOn: input.startsOn,
    endsOn: input.endsOn,
    scheduleNote: input.scheduleNote,
    opensAt: input.opensAt,
    closesAt: input.closesAt,
    capacity: input.capacity,
    feeYen: input.feeYen,
    targetLearners: input.targetLearners,
    weeklyHours: input.weeklyHours,
    commitmentRequired: input.commitmentRequired,
    dxStage: layer === 3 ? input.dxStage : null,
    skillFrameworkId: frameworkId,
    skillCodes,
  };
}

/** Names of the fields whose values differ, for the audit row (values stay in the programme itself). */
function changedFields(before: ProgrammeView, after: Partial<admin.ProgrammeValues>): string[] {
  const was = before as unknown as Record<string, unknown>;
  return Object.entries(after)
    .filter(([k, v]) => JSON.stringify(was[k] ?? null) !== JSON.stringify(v ?? null))
    .map(([k]) => k);
}

export async function createProgramme(deps: Deps, actor: Actor, input: ProgrammeInput): Promise<string> {
  authorize(actor, 'programmes.create');
  if (actor.type !== 'staff') throw new AppError('FORBIDDEN', 'この操作を行う権限がありません');
  const layer = layerOf(actor.org.kind);
  if (!layer) throw new AppError('FORBIDDEN', 'この操作を行う権限がありません');
  const framework = await getDefaultFramework(deps);
  const values = await valuesFrom(deps, layer, framework.id, input);
  return transaction(deps, async (tx) => {
    const id = await admin.insertProgramme(tx, { orgId: actor.org.id }, layer, values, actorUserId(actor));
    await logged(deps, tx, actor, 'created', id, { title: values.title, layer });
    return id;
  });
}

/**
 * Saves an edit. A draft takes the whole form; a published programme only its content fields (and stays
 * published). The update is guarded by the status the edit was made for, so an edit that raced a submission
 * or a close is refused rather than changing what the secretariat is reviewing.
 */
export async function updateProgramme(
  deps: Deps,
  actor: Actor,
  id: string,
  input: { kind: 'all'; values: ProgrammeInput } | { kind: 'content'; values: ProgrammeContentInput },
): Promise<void> {
  const { row, scope } = await loadProgramme(deps, actor, id, 'programmes.edit');
  const before = presentProgramme(row);
  const allowed = editScope(before.status);
  if (allowed === 'none') throw stateError('このプログラムは現在の状態では編集できません');
  if (allowed !== input.kind) throw movedAway();
  let values: Partial<admin.ProgrammeValues>;
  if (input.kind === 'all') {
    const frameworkId = before.skillFrameworkId ?? (await getDefaultFramework(deps)).id;
    values = await valuesFrom(deps, before.layer, frameworkId, input.values);
  } else {
    values = Object.fromEntries(CONTENT_FIELDS.map((k) => [k, input.values[k]]));
  }
  await transaction(deps, async (tx) => {
    if (!(await admin.updateProgrammeFields(tx, scope, id, before.status, values, deps.clock.now()))) {
      throw movedAway();
    }
    await logged(deps, tx, actor, 'updated', id, {
      status: before.status,
      changed: changedFields(before, values),
    });
    if (before.status === 'published') await bumpContentVersion(tx);
  });
}

/** The organisation asks the secretariat to publish: everything the public page needs must be there. */
export async function submitProgramme(deps: Deps, actor: Actor, id: string): Promise<void> {
  const { row, scope } = await loadProgramme(deps, actor, id, 'programmes.submit');
  if (!canMove(row.status, 'submitted')) throw stateError('下書きのプログラムだけが公開を申請できます');
  const now = deps.clock.now();
  const problems = publicationProblems(presentProgramme(row), now);
  if (Object.keys(problems).length > 0) throw notReady(problems);
  await transaction(deps, async (tx) => {
    if (!(await admin.transitionProgramme(tx, scope, id, 'draft', 'submitted', { submittedAt: now }, now))) {
      throw movedAway();
    }
    await logged(deps, tx, actor, 'submitted', id, { title: row.title });
  });
}

async function mailAdmins(
  deps: Deps,
  tx: Database,
  row: ProgrammeRow,
  mail: { template: 'programme_approved' } | { template: 'programme_returned'; comment: string },
): Promise<void> {
  const url = `${deps.config.baseUrl}/admin/programmes/${row.id}`;
  const base = { orgName: row.organisation_name, programmeTitle: row.title, url };
  for (const to of await admin.listOrganisationAdminEmails(tx, row.organisation_id)) {
    if (mail.template === 'programme_approved') {
      await queueMail(deps, tx, { to, template: 'programme_approved', data: base });
    } else {
      await queueMail(deps, tx, {
        to,
        template: 'programme_returned',
        data: { ...base, comment: mail.comment },
      });
    }
  }
}

/** The secretariat approves publication (sets published_at); readiness is checked again at this moment. */
export async function approveProgramme(deps: Deps, actor: Actor, id: string): Promise<void> {
  const { row, scope } = await loadProgramme(deps, actor, id, 'programmes.review');
  if (row.status !== 'submitted') throw stateError('公開申請中のプログラムではありません');
  const now = deps.clock.now();
  const problems = publicationProblems(presentProgramme(row), now);
  if (Object.keys(problems).length > 0) {
    throw stateError(
      `公開の条件を満たしていません(${Object.values(problems).join('、')})。差し戻してください。`,
    );
  }
  await transaction(deps, async (tx) => {
    const moved = await admin.transitionProgramme(
      tx,
      scope,
      id,
      'submitted',
      'published',
      {
        publishedAt: now,
        reviewComment: null,
      },
      now,
    );
    if (!moved) throw stateError('公開申請中のプログラムではありません');
    await logged(deps, tx, actor, 'approved', id, { organisationId: row.organisation_id, title: row.title });
    await bumpContentVersion(tx);
    await mailAdmins(deps, tx, row, { template: 'programme_approved' });
  });
}

/** The secretariat sends a submission back to draft with a comment the organisation sees and is mailed. */
export async function returnProgramme(
  deps: Deps,
  actor: Actor,
  id: string,
  input: { comment: string },
): Promise<void> {
  const { row, scope } = await loadProgramme(deps, actor, id, 'programmes.review');
  if (row.status !== 'submitted') throw stateError('公開申請中のプログラムではありません');
  const now = deps.clock.now();
  await transaction(deps, async (tx) => {
    const moved = await admin.transitionProgramme(
      tx,
      scope,
      id,
      'submitted',
      'draft',
      {
        reviewComment: input.comment,
      },
      now,
    );
    if (!moved) throw stateError('公開申請中のプログラムではありません');
    await logged(deps, tx, actor, 'returned', id, {
      organisationId: row.organisation_id,
      comment: input.comment,
    });
    await mailAdmins(deps, tx, row, { template: 'programme_returned', comment: input.comment });
  });
}

async function simpleMove(
  deps: Deps,
  actor: Actor,
  id: string,
  move: { action: 'programmes.close' | 'programmes.archive'; from: ProgrammeStatus; to: ProgrammeStatus },
  message: string,
): Promise<void> {
  const { row, scope } = await loadProgramme(deps, actor, id, move.action);
  if (row.status !== move.from) throw stateError(message);
  const now = deps.clock.now();
  await transaction(deps, async (tx) => {
    const extra = move.to === 'closed' ? { closedAt: now } : {};
    if (!(await admin.transitionProgramme(tx, scope, id, move.from, move.to, extra, now))) {
      throw stateError(message);
    }
    await logged(deps, tx, actor, move.to, id, { title: row.title });
    await bumpContentVersion(tx);
  });
}

/** Ends recruitment early (the organisation or the secretariat); the public page shows 募集終了. */
export function closeProgramme(deps: Deps, actor: Actor, id: string): Promise<void> {
  const move = { action: 'programmes.close', from: 'published', to: 'closed' } as const;
  return simpleMove(deps, actor, id, move, '公開中のプログラムだけが募集を終了できます');
}

/** Takes a closed programme off the public site; its applications and records stay. */
export function archiveProgramme(deps: Deps, actor: Actor, id: string): Promise<void> {
  const move = { action: 'programmes.archive', from: 'closed', to: 'archived' } as const;
  return simpleMove(deps, actor, id, move, '募集終了したプログラムだけがアーカイブできます');
}

export const CLOSE_EXPIRED_JOB = 'programmes.close-expired';

/**
 * The scheduled job: published programmes whose closing time has passed become closed, audited as the system.
 * Idempotent (STYLE.md 7): the guarded UPDATE finds nothing the second time. Applying is refused at the
 * closing second by the applications module whatever this job's timing; this keeps lists and pages honest.
 */
export async function closeExpiredProgrammes(deps: Deps): Promise<number> {
  const actor = systemActor(CLOSE_EXPIRED_JOB);
  authorize(actor, 'programmes.close');
  return transaction(deps, async (tx) => {
    const closed = await admin.closeExpired(tx, deps.clock.now());
    for (const p of closed) {
      await logged(deps, tx, actor, 'closed', p.id, { title: p.title, reason: 'closes_at passed' });
    }
    if (closed.length > 0) await bumpContentVersion(tx);
    return closed.length;
  });
}
