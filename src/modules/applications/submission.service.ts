import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import type { LearnerActor } from '../../lib/actor.js';
import { coalesce, coalescedPer } from '../../lib/coalesce.js';
import { auditRecord } from '../audit/audit.service.js';
import { MAIL_MAX_ATTEMPTS, MAIL_SEND_JOB, prepareMail } from '../notifications/mail.service.js';
import { isOpen } from '../programmes/programme.presenter.js';
import { PRIVACY_NOTICE_VERSION } from './application.schema.js';
import { forgetProgrammeSnapshot, programmeSnapshot } from './submission.cache.js';
import {
  isUniqueViolation,
  type OneStatementSubmission,
  submitDraftsInOneStatement,
} from './submission.repository.js';

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
  // A key clash (23505) comes back as undefined from submitOne, like any other reason to decline.
  const done = await submitCoalesced(deps.db)({
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
  forgetProgrammeSnapshot(deps, programmeId);
  return null;
}

type Outcome = { id: string; number: string } | undefined;

/** One submission alone: undefined on a key clash (23505), as for any other reason to decline. */
async function submitOne(db: Database, item: OneStatementSubmission): Promise<Outcome> {
  try {
    return (await submitDraftsInOneStatement(db, [item]))[0];
  } catch (e) {
    if (isUniqueViolation(e)) return undefined;
    throw e;
  }
}

/**
 * Submissions that arrive while the database is busy go in one statement (src/lib/coalesce.ts): at most
 * MAX_IN_FLIGHT statements per process at once, each with up to MAX_BATCH submissions. If a batch fails (a key
 * clash, or anything one item could cause), its items are tried one by one, so that one item's failure is
 * only that item's: the others are written or declined exactly as on their own.
 */
const MAX_BATCH = 64;
const MAX_IN_FLIGHT = 2;

const submitCoalesced = coalescedPer((db: Database) =>
  coalesce<OneStatementSubmission, Outcome>(
    async (items) => {
      if (items.length === 1) return [await submitOne(db, items[0] as OneStatementSubmission)];
      try {
        return await submitDraftsInOneStatement(db, items);
      } catch {
        return Promise.all(
          items.map((item) =>
            submitOne(db, item).then(
              (r) => r,
              // One item's error is that item's: it declines here, and the usual path gives its answer.
              () => undefined,
            ),
          ),
        );
      }
    },
    { maxBatch: MAX_BATCH, maxInFlight: MAX_IN_FLIGHT },
  ),
);
