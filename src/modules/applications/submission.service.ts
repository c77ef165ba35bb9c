import { randomBytes, randomUUID } from 'node:crypto';
import type { Deps } from '../../deps.js';
import type { LearnerActor } from '../../lib/actor.js';
import { auditRecord } from '../audit/audit.service.js';
import { MAIL_MAX_ATTEMPTS, MAIL_SEND_JOB, prepareMail } from '../notifications/mail.service.js';
import { isOpen } from '../programmes/programme.presenter.js';
import { PRIVACY_NOTICE_VERSION } from './application.schema.js';
import { forgetProgrammeSnapshot, programmeSnapshot } from './submission.cache.js';
import { isUniqueViolation, submitDraftInOneStatement } from './submission.repository.js';

// Tokens that stand for the application's id and number in the rendered mail until the statement fills them
// in (submission.repository.ts). Random per process: no programme title or organisation name can contain them.
const SLOTS = {
  applicationId: `dxq-id-slot-${randomBytes(16).toString('hex')}`,
  number: `dxq-number-slot-${randomBytes(16).toString('hex')}`,
};

/**
 * The common case of submitApplication, in one statement: an open programme, a valid form, the learner's draft,
 * a fresh idempotency key. Returns the submitted application, or null whenever anything is not so (closed,
 * invalid, no draft, already submitted, a key clash, the programme edited meanwhile) — then nothing was written
 * and submitApplication's transaction gives the precise answer. Writes exactly what that transaction writes.
 */
export async function trySubmitInOneStatement(
  deps: Deps,
  learner: LearnerActor,
  programmeId: string,
  raw: Record<string, unknown>,
  now: Date,
): Promise<{ applicationId: string; number: string } | null> {
  const snap = await programmeSnapshot(deps, programmeId).catch(() => null);
  if (!snap || !isOpen(snap.programme, now)) return null;
  const parsed = snap.schema.safeParse(raw);
  if (!parsed.success) return null;
  const input = parsed.data;
  const p = snap.programme;
  let mail: ReturnType<typeof prepareMail>;
  try {
    mail = prepareMail({
      to: input.email,
      template: 'application_received',
      data: {
        number: SLOTS.number,
        programmeTitle: p.title,
        organisationName: p.organisationName,
        submittedAt: now,
        detailUrl: `${deps.config.baseUrl}/my/applications/${SLOTS.applicationId}`,
      },
    });
  } catch {
    return null;
  }
  const mailId = randomUUID();
  try {
    const done = await submitDraftInOneStatement(deps.db, {
      programmeId: p.id,
      programmeRowVersion: snap.rowVersion,
      fiscalYear: p.fiscalYear,
      userId: learner.userId,
      fields: input,
      consent: { version: PRIVACY_NOTICE_VERSION, at: now },
      idempotencyKey: input.idempotencyKey,
      now,
      audit: auditRecord(
        deps,
        learner,
        'applications.submitted',
        { type: 'application', id: SLOTS.applicationId },
        {
          programmeId: p.id,
          organisationId: p.organisationId,
          number: SLOTS.number, // the statement sets the number (and the subject id)
          noticeVersion: PRIVACY_NOTICE_VERSION,
        },
      ),
      mail: { ...mail, id: mailId },
      job: { name: MAIL_SEND_JOB, payload: { mailId }, maxAttempts: MAIL_MAX_ATTEMPTS, runAt: new Date() },
      slots: SLOTS,
    });
    if (done) return { applicationId: done.id, number: done.number };
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
  }
  forgetProgrammeSnapshot(deps, programmeId);
  return null;
}
