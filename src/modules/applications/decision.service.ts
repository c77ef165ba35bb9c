import type { Database } from '../../db/client.js';
import type { ApplicationStatus, DecisionKind } from '../../db/schema.js';
import { type Deps, transaction } from '../../deps.js';
import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { audit } from '../audit/audit.service.js';
import { queueMail } from '../notifications/mail.service.js';
import { getProgrammeForStaff } from '../programmes/programme.read.service.js';
import { APPLICATION_STATUS_LABEL, canMove } from './application.transitions.js';
import { moveStatus } from './application-status.repository.js';
import * as repo from './decision.repository.js';
import { DEFAULT_DECISION_TEXT } from './decision.templates.js';
import { ANONYMISED } from './desk.presenter.js';
import { findManyInScope, lockProgramme } from './desk.repository.js';
import type { DeskTarget, ExecuteInput, PreviewInput } from './desk.schema.js';
import { applicationScope, checkFormIds, notFound, programmeScope, type StaffScope } from './desk.scope.js';

// Decisions on applications (issue 3, item 4): single and bulk, waitlist promotion, enrolment. Each move is
// one transaction: lock the programme (waitlist places are read, then written), the guarded moveStatus
// (STYLE.md 5), the audit row, and the applicant's mail with the organisation's text — all or nothing.

/** Decisions the applicant is told about by mail. Moving to under_review or recording a decline is not. */
export const MAILED: ReadonlySet<ApplicationStatus> = new Set<DecisionKind>([
  'accepted',
  'waitlisted',
  'rejected',
  'enrolled',
]);

export type Moved = {
  id: string;
  number: string;
  fullName: string;
  from: ApplicationStatus;
  to: DeskTarget;
  mailedTo: string | null;
};
export type Reported = {
  id: string;
  number: string;
  fullName: string;
  expected: ApplicationStatus | null;
  current: ApplicationStatus;
  reason: string;
};
type Outcome = { ok: true; moved: Moved } | { ok: false; reported: Reported };

const nameOf = (r: { full_name: string | null; anonymised_at: Date | null }) =>
  r.anonymised_at ? ANONYMISED : (r.full_name ?? '');

/** One guarded move in the caller's transaction (which holds the programme lock). Writes nothing on failure. */
async function moveOne(
  deps: Deps,
  tx: Database,
  scope: StaffScope,
  input: {
    applicationId: string;
    to: DeskTarget;
    expected: ApplicationStatus | null;
    via: 'single' | 'bulk' | 'promote';
  },
): Promise<Outcome> {
  const row = await repo.findForDecision(tx, scope, input.applicationId);
  if (!row || row.status === 'draft') throw notFound();
  const base = {
    id: row.id,
    number: row.number ?? '',
    fullName: nameOf(row),
    expected: input.expected,
    current: row.status,
  };
  if (input.expected && row.status !== input.expected)
    return {
      ok: false,
      reported: { ...base, reason: `確認後に「${APPLICATION_STATUS_LABEL[row.status]}」に変わっていました` },
    };
  if (!canMove(row.status, input.to))
    return {
      ok: false,
      reported: {
        ...base,
        reason: `「${APPLICATION_STATUS_LABEL[row.status]}」から「${APPLICATION_STATUS_LABEL[input.to]}」には変更できません`,
      },
    };
  if (row.anonymised_at)
    return { ok: false, reported: { ...base, reason: '匿名化済みの申込みは変更できません' } };
  const mail = MAILED.has(input.to);
  if (mail && !row.email)
    return { ok: false, reported: { ...base, reason: 'メールアドレスがないため通知できません' } };

  const now = deps.clock.now();
  const set: Parameters<typeof moveStatus>[1]['set'] = {};
  if (input.to === 'accepted' || input.to === 'waitlisted' || input.to === 'rejected') set.decided_at = now;
  if (input.to === 'enrolled') set.enrolled_at = now;
  if (input.to === 'withdrawn') set.withdrawn_at = now;
  if (input.to === 'waitlisted') set.waitlist_position = await repo.nextWaitlistPosition(tx, scope);
  else if (row.status === 'waitlisted') set.waitlist_position = null;
  const moved = await moveStatus(tx, {
    applicationId: row.id,
    from: row.status,
    to: input.to,
    at: now,
    actorUserId: scope.actor.userId,
    note: input.via === 'promote' ? '補欠から繰り上げ' : null,
    set,
  });
  // Someone else (the applicant withdrawing, another tab) moved it between the read and the update.
  if (!moved)
    return { ok: false, reported: { ...base, reason: '他の操作と重なったため変更できませんでした' } };
  let mailedTo: string | null = null;
  if (mail && row.email) {
    const kind = input.to as DecisionKind;
    const text = (await repo.findTemplate(tx, scope.orgId, kind)) ?? DEFAULT_DECISION_TEXT[kind];
    await queueMail(deps, tx, {
      to: row.email,
      template: 'application_decision',
      data: {
        kind,
        text,
        values: {
          氏名: row.full_name ?? '',
          プログラム名: row.programme_title,
          申込番号: row.number ?? '',
          組織名: row.organisation_name,
        },
      },
    });
    mailedTo = row.email;
  }
  await audit(
    deps,
    tx,
    scope.actor,
    'applications.status_changed',
    { type: 'application', id: row.id },
    {
      programmeId: scope.programmeId,
      from: row.status,
      to: input.to,
      via: input.via,
      mailed: mailedTo !== null,
      ...(set.waitlist_position ? { waitlistPosition: set.waitlist_position } : {}),
    },
  );
  return {
    ok: true,
    moved: {
      id: row.id,
      number: base.number,
      fullName: base.fullName,
      from: row.status,
      to: input.to,
      mailedTo,
    },
  };
}

/**
 * One application. `expected` is the status the person saw; without it the current status is taken.
 * Two decisions at once: the second waits for the programme lock, then finds the status moved and gets
 * INVALID_STATE (nothing written, no mail).
 */
export async function decideApplication(
  deps: Deps,
  actor: Actor,
  input: { applicationId: string; to: DeskTarget; expected?: ApplicationStatus },
): Promise<Moved> {
  const scope = await applicationScope(deps, actor, 'desk.decide', input.applicationId);
  const out = await transaction(deps, async (tx) => {
    if (!(await lockProgramme(tx, scope))) throw notFound();
    return moveOne(deps, tx, scope, {
      applicationId: input.applicationId,
      to: input.to,
      expected: input.expected ?? null,
      via: 'single',
    });
  });
  if (!out.ok) throw new AppError('INVALID_STATE', out.reported.reason);
  return out.moved;
}

export type Preview = {
  programmeTitle: string;
  to: DeskTarget;
  mail: boolean;
  items: {
    id: string;
    number: string;
    fullName: string;
    email: string;
    status: ApplicationStatus;
    eligible: boolean;
  }[];
};

/** The confirmation step: who will be moved (and e-mailed), and who cannot be from where they are. */
export async function previewDecision(
  deps: Deps,
  actor: Actor,
  programmeId: string,
  input: PreviewInput,
): Promise<Preview> {
  const scope = await programmeScope(deps, actor, 'desk.decide', programmeId);
  await checkFormIds(deps, scope, 'desk.decide', input.ids);
  const programme = await getProgrammeForStaff(deps, actor, programmeId);
  return transaction(deps, async (tx) => {
    const rows = await findManyInScope(tx, scope, input.ids);
    await audit(
      deps,
      tx,
      actor,
      'applications.decision_previewed',
      { type: 'programme', id: programmeId },
      {
        to: input.to,
        applicationIds: rows.map((r) => r.id),
      },
    );
    return {
      programmeTitle: programme.title,
      to: input.to,
      mail: MAILED.has(input.to),
      items: rows.map((r) => ({
        id: r.id,
        number: r.number ?? '',
        fullName: nameOf(r),
        email: r.anonymised_at ? '' : (r.email ?? ''),
        status: r.status,
        eligible: canMove(r.status, input.to) && !r.anonymised_at,
      })),
    };
  });
}

/**
 * The confirmed bulk decision: each application in its own transaction, so one that changed meanwhile is
 * reported while the others go ahead. The ids were on the confirmation page; they are checked again here.
 */
export async function decideApplications(
  deps: Deps,
  actor: Actor,
  programmeId: string,
  input: ExecuteInput,
): Promise<{ moved: Moved[]; reported: Reported[] }> {
  const scope = await programmeScope(deps, actor, 'desk.decide', programmeId);
  await checkFormIds(
    deps,
    scope,
    'desk.decide',
    input.items.map((i) => i.id),
  );
  const moved: Moved[] = [];
  const reported: Reported[] = [];
  const seen = new Set<string>();
  for (const item of input.items) {
    if (seen.has(item.id)) continue; // a repeated id in a hand-made form is one application
    seen.add(item.id);
    const out = await transaction(deps, async (tx) => {
      if (!(await lockProgramme(tx, scope))) throw notFound();
      return moveOne(deps, tx, scope, {
        applicationId: item.id,
        to: input.to,
        expected: item.from,
        via: 'bulk',
      });
    });
    if (out.ok) moved.push(out.moved);
    else reported.push(out.reported);
  }
  return { moved, reported };
}

/**
 * Promotes the next waitlisted applicant to accepted and mails them. `expectedId` is the one the page showed
 * as next: if the queue changed meanwhile, nobody is promoted and the desk is told.
 */
export async function promoteNextWaitlisted(
  deps: Deps,
  actor: Actor,
  programmeId: string,
  expectedId: string,
): Promise<Moved> {
  const scope = await programmeScope(deps, actor, 'desk.decide', programmeId);
  await checkFormIds(deps, scope, 'desk.decide', [expectedId]);
  const out = await transaction(deps, async (tx) => {
    if (!(await lockProgramme(tx, scope))) throw notFound();
    const next = await repo.firstWaitlisted(tx, scope);
    if (!next) throw new AppError('INVALID_STATE', '補欠の申込みはありません');
    if (next.id !== expectedId)
      throw new AppError('INVALID_STATE', '補欠の順番が変わりました。画面を更新して確認してください');
    return moveOne(deps, tx, scope, {
      applicationId: next.id,
      to: 'accepted',
      expected: 'waitlisted',
      via: 'promote',
    });
  });
  if (!out.ok) throw new AppError('INVALID_STATE', out.reported.reason);
  return out.moved;
}
