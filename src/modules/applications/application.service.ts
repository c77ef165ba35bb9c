import type { Database } from '../../db/client.js';
import { type Deps, transaction } from '../../deps.js';
import type { Actor, LearnerActor } from '../../lib/actor.js';
import { formatJst } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { audit } from '../audit/audit.service.js';
import { queueMail } from '../notifications/mail.service.js';
import { isOpen, type ProgrammeView } from '../programmes/programme.presenter.js';
import { getProgrammeForApplying, holdProgrammeForSubmission } from '../programmes/programme.read.service.js';
import { ineligibleReasons } from '../programmes/questions.js';
import { type FormValues, formValues } from './applicant.presenter.js';
import { canEdit, requireLearner } from './application.policy.js';
import * as repo from './application.repository.js';
import {
  applicationSchema,
  draftSchema,
  eligibilityAnswersOf,
  eligibilitySchema,
  idempotencyKey,
  PRIVACY_NOTICE_VERSION,
  validationError,
} from './application.schema.js';
import { moveStatus } from './application-status.repository.js';
import { trySubmitInOneStatement } from './submission.service.js';

// Applying (issue 3 §3, §7): eligibility → draft → submit, for learners only. Each use case: policy →
// programme open by the server's clock → one transaction → audit → mail. No HTTP, no SQL here.

export type SubmittedRef = {
  id: string;
  number: string | null;
  status: repo.ApplicationRow['status'];
  email: string | null;
  submittedAt: Date | null;
};

export type ApplyState =
  | { step: 'eligibility'; programme: ProgrammeView }
  | { step: 'form'; programme: ProgrammeView; applicationId: string; values: FormValues; savedAt: Date }
  | { step: 'closed'; programme: ProgrammeView; message: string; hasDraft: boolean }
  | { step: 'submitted'; programme: ProgrammeView; application: SubmittedRef };

/** DXQ-2026-000123: the programme's fiscal year and the shared sequence, zero-padded to six digits. */
export function formatApplicationNumber(fiscalYear: number, seq: number): string {
  return `DXQ-${fiscalYear}-${String(seq).padStart(6, '0')}`;
}

/** Why a programme takes no applications at `now`, in words the applicant can act on; null when open. */
export function closedMessage(p: ProgrammeView, now: Date): string | null {
  if (isOpen(p, now)) return null;
  if (p.status === 'published' && p.opensAt && now.getTime() < p.opensAt.getTime()) {
    return `このプログラムの申込み受付は ${formatJst(p.opensAt)}(日本時間)に始まります。受付開始後にお申し込みください。`;
  }
  if (p.closesAt) {
    return `このプログラムの申込み受付は ${formatJst(p.closesAt)}(日本時間)に締め切りました。締切後の申込みはお受けできません。`;
  }
  return 'このプログラムは現在、申込みを受け付けていません。';
}

function refuseIfClosed(p: ProgrammeView, now: Date): void {
  const message = closedMessage(p, now);
  if (message) throw new AppError('INVALID_STATE', message);
}

async function programmeFor(deps: Deps, programmeId: string): Promise<ProgrammeView> {
  return (await getProgrammeForApplying(deps, programmeId)).programme;
}

/** What /programmes/:id/apply shows this learner now. */
export async function getApplyState(deps: Deps, actor: Actor, programmeId: string): Promise<ApplyState> {
  const learner = requireLearner(actor);
  const programme = await programmeFor(deps, programmeId);
  const own = await repo.findOwnApplication(deps.db, learner.userId, programme.id);
  if (own && !canEdit(own.status)) {
    const application = {
      id: own.id,
      number: own.number,
      status: own.status,
      email: own.email,
      submittedAt: own.submitted_at,
    };
    return { step: 'submitted', programme, application };
  }
  const message = closedMessage(programme, deps.clock.now());
  if (message) return { step: 'closed', programme, message, hasDraft: !!own };
  if (!own) return { step: 'eligibility', programme };
  return {
    step: 'form',
    programme,
    applicationId: own.id,
    values: formValues(own, learner.email),
    savedAt: own.updated_at,
  };
}

/**
 * The eligibility step. An ineligible answer returns the programme's explanations and writes NOTHING — no
 * draft, no audit row naming the person (個人情報保護法 / SECURITY.md: an ineligible applicant leaves no
 * personal data). An eligible one starts the one draft of this person for this programme.
 */
export async function answerEligibility(
  deps: Deps,
  actor: Actor,
  programmeId: string,
  raw: Record<string, unknown>,
): Promise<{ eligible: false; reasons: string[] } | { eligible: true; applicationId: string }> {
  const learner = requireLearner(actor);
  const programme = await programmeFor(deps, programmeId);
  const now = deps.clock.now();
  refuseIfClosed(programme, now);
  const parsed = eligibilitySchema(programme.eligibilityQuestions).safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  const reasons = ineligibleReasons(programme.eligibilityQuestions, parsed.data);
  if (reasons.length > 0) return { eligible: false, reasons };
  return transaction(deps, async (tx) => {
    const draft = await repo.insertDraft(tx, {
      programmeId: programme.id,
      userId: learner.userId,
      eligibilityAnswers: eligibilityAnswersOf(parsed.data),
      now,
    });
    if (draft.created) {
      await repo.insertStartedHistory(tx, { applicationId: draft.id, at: now, actorUserId: learner.userId });
      await audit(deps, tx, learner, 'applications.started', subject(draft.id), {
        programmeId: programme.id,
      });
    }
    return { eligible: true, applicationId: draft.id };
  });
}

/**
 * Saves the draft as typed (autosave and the 一時保存 button). Limits are checked, required-ness is not.
 * Not audited, by design: an autosave every few seconds is the applicant editing their own unsent form, and
 * would bury the audit log; the row's updated_at records it, and submission is audited.
 */
export async function saveDraft(
  deps: Deps,
  actor: Actor,
  programmeId: string,
  raw: Record<string, unknown>,
): Promise<{ savedAt: Date }> {
  const learner = requireLearner(actor);
  const programme = await programmeFor(deps, programmeId);
  const now = deps.clock.now();
  refuseIfClosed(programme, now);
  const parsed = draftSchema(programme).safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  await transaction(deps, async (tx) => {
    const own = await ownDraft(tx, learner, programme.id);
    if (!(await repo.updateDraftFields(tx, own.id, parsed.data, now))) throw alreadySubmitted();
  });
  return { savedAt: now };
}

export type SubmitOutcome = {
  /** submitted: this request did it; repeat: the same form (idempotency key) again; already: another one. */
  outcome: 'submitted' | 'repeat' | 'already';
  applicationId: string;
  number: string | null;
};

/**
 * Submits the draft, once. One transaction holds the application row (FOR UPDATE), so concurrent submits of
 * one draft (two tabs, a double click, a retry after a timeout) run one after another: the first moves
 * draft → submitted with a number; a later one with the same idempotency key answers 'repeat' (the same
 * success page), any other 'already' — never a second row, number or mail. The deadline is the server's
 * clock to the second: at closes_at exactly the draft is refused and kept as it was.
 *
 * The common case (a valid first submission of an open programme's draft) is done in one statement by
 * trySubmitInOneStatement, which writes the same rows; whenever it declines, this transaction decides.
 */
export async function submitApplication(
  deps: Deps,
  actor: Actor,
  programmeId: string,
  raw: Record<string, unknown>,
): Promise<SubmitOutcome> {
  const learner = requireLearner(actor);
  const now = deps.clock.now();
  const quick = await trySubmitInOneStatement(deps, learner, programmeId, raw, now);
  if (quick) return { outcome: 'submitted', ...quick };
  await programmeFor(deps, programmeId); // NOT_FOUND before any transaction for unknown or unpublished ids
  const key = idempotencyKey.safeParse(raw.idempotencyKey);
  return transaction(deps, async (tx) => {
    const programme = await holdProgrammeForSubmission(tx, programmeId);
    const own = await repo.findOwnApplication(tx, learner.userId, programme.id, { lock: true });
    if (!own) throw noDraft();
    if (!canEdit(own.status)) {
      const repeat = key.success && own.idempotency_key === key.data;
      return { outcome: repeat ? 'repeat' : 'already', applicationId: own.id, number: own.number };
    }
    refuseIfClosed(programme, now);
    const parsed = applicationSchema(programme).safeParse(raw);
    if (!parsed.success) throw validationError(parsed.error);
    const input = parsed.data;
    const clash = await repo.findApplicationByIdempotencyKey(tx, input.idempotencyKey);
    if (clash && clash.id !== own.id) {
      const message = 'フォームの有効期限が切れました。ページを再読み込みしてから送信してください';
      throw new AppError('VALIDATION', message, { fields: { _form: message } });
    }
    const number = formatApplicationNumber(programme.fiscalYear, await repo.nextApplicationSeq(tx));
    await repo.updateDraftFields(tx, own.id, input, now, { version: PRIVACY_NOTICE_VERSION, at: now });
    const moved = await moveStatus(tx, {
      applicationId: own.id,
      from: 'draft',
      to: 'submitted',
      at: now,
      actorUserId: learner.userId,
      set: { submitted_at: now, number, idempotency_key: input.idempotencyKey },
    });
    if (!moved) throw alreadySubmitted(); // not reached while the row lock is held; kept as the guard
    await audit(deps, tx, learner, 'applications.submitted', subject(own.id), {
      programmeId: programme.id,
      organisationId: programme.organisationId,
      number,
      noticeVersion: PRIVACY_NOTICE_VERSION,
    });
    await queueMail(deps, tx, {
      to: input.email,
      template: 'application_received',
      data: {
        number,
        programmeTitle: programme.title,
        organisationName: programme.organisationName,
        submittedAt: now,
        detailUrl: `${deps.config.baseUrl}/my/applications/${own.id}`,
      },
    });
    return { outcome: 'submitted', applicationId: own.id, number };
  });
}

async function ownDraft(tx: Database, learner: LearnerActor, programmeId: string) {
  const own = await repo.findOwnApplication(tx, learner.userId, programmeId, { lock: true });
  if (!own) throw noDraft();
  if (!canEdit(own.status)) throw alreadySubmitted();
  return own;
}

const subject = (id: string) => ({ type: 'application', id });
const noDraft = () =>
  new AppError('NOT_FOUND', '申込みの下書きがありません。応募資格の確認から始めてください。');
const alreadySubmitted = () => new AppError('CONFLICT', '既に申し込み済みです。');
