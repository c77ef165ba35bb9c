import type { Database } from '../../db/client.js';
import type { Role } from '../../db/schema.js';
import { type Deps, transaction } from '../../deps.js';
import type { Actor, LearnerActor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { audit } from '../audit/audit.service.js';
import { queueMail, recipientSchema } from '../notifications/mail.service.js';
import type { MailTemplateData } from '../notifications/mail.templates.js';
import { listMemberEmailsByRole } from '../organisations/org-recipients.repository.js';
import {
  type MyApplicationDetail,
  type MyApplicationItem,
  presentDetail,
  presentItem,
} from './applicant.presenter.js';
import { canWithdraw, ownsApplication, requireLearner } from './application.policy.js';
import * as repo from './application.repository.js';
import { APPLICATION_STATUS_LABEL } from './application.transitions.js';
import { moveStatus } from './application-status.repository.js';
import { RUNNERS } from './desk.policy.js';
import { programmeOwner } from './desk.repository.js';

// The applicant's own page (/my/applications): list, detail with history, withdraw, download my data.
// Ownership comes from the session's user id; someone else's id is "not found" and audited (IPA #11).

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const notFound = () => new AppError('NOT_FOUND', '申込みが見つかりません');

/**
 * The application if it is the actor's own. Anyone else — another learner, staff, the system — gets
 * NOT_FOUND, so ids are neither confirmed nor denied; when the id does exist, the attempt is audited as
 * security.cross_user_denied in its own transaction (it must survive the refusal).
 */
async function ownedOrDenied(
  deps: Deps,
  actor: Actor,
  id: string,
  attempted: string,
): Promise<{ learner: LearnerActor; row: repo.ApplicationWithProgramme }> {
  if (actor.type === 'anonymous') throw new AppError('UNAUTHENTICATED', 'ログインしてください');
  if (!UUID.test(id)) throw notFound();
  const row = await repo.findApplicationWithProgramme(deps.db, id);
  if (row && actor.type === 'learner' && ownsApplication(actor, row)) return { learner: actor, row };
  if (row) {
    await transaction(deps, (tx) =>
      audit(deps, tx, actor, 'security.cross_user_denied', { type: 'application', id }, { attempted }),
    );
  }
  throw notFound();
}

export async function listMyApplications(deps: Deps, actor: Actor): Promise<MyApplicationItem[]> {
  const learner = requireLearner(actor);
  return (await repo.listApplicationsOfUser(deps.db, learner.userId)).map(presentItem);
}

export async function getMyApplication(deps: Deps, actor: Actor, id: string): Promise<MyApplicationDetail> {
  const { row } = await ownedOrDenied(deps, actor, id, 'view');
  return presentDetail(row, await repo.listStatusHistory(deps.db, [row.id]));
}

/** The withdraw confirmation page: the same ownership check, without changing anything. */
export async function getWithdrawal(deps: Deps, actor: Actor, id: string): Promise<MyApplicationDetail> {
  const { row } = await ownedOrDenied(deps, actor, id, 'withdraw');
  return presentDetail(row, []);
}

/**
 * Who on the running organisation's desk hears of a withdrawal: those who decide and promote from the
 * waitlist (desk.policy: admins and staff run the desk). Reviewers and viewers do not act on it.
 */
const WITHDRAWAL_RECIPIENT_ROLES: readonly Role[] = [...RUNNERS];

/**
 * Tells the running organisation's desk, in the withdrawal's transaction (the mails exist only if the
 * withdrawal commits). A draft was never provided to the organisation (consent to provision is given at
 * submission), so its withdrawal is not told. The mail carries no name or address of the applicant.
 */
async function notifyDesk(
  deps: Deps,
  tx: Database,
  row: repo.ApplicationWithProgramme,
  withdrawnAt: Date,
): Promise<void> {
  if (row.status === 'draft' || !row.number) return;
  const owner = await programmeOwner(tx, row.programme_id);
  if (!owner) return;
  const desk = `${deps.config.baseUrl}/admin/applications`;
  const effect: MailTemplateData['application_withdrawn']['effect'] =
    row.status === 'accepted'
      ? { kind: 'seat_freed', listUrl: `${desk}/programmes/${row.programme_id}` }
      : row.status === 'waitlisted'
        ? { kind: 'left_waitlist' }
        : { kind: 'none' };
  const data: MailTemplateData['application_withdrawn'] = {
    number: row.number,
    programmeTitle: row.programme_title,
    previousStatusLabel: APPLICATION_STATUS_LABEL[row.status],
    withdrawnAt,
    detailUrl: `${desk}/${row.id}`,
    effect,
  };
  const recipients = await listMemberEmailsByRole(
    tx,
    { orgId: owner.organisation_id },
    WITHDRAWAL_RECIPIENT_ROLES,
  );
  for (const to of recipients) {
    // A staff address that could not be a recipient must not take the applicant's withdrawal down with it.
    if (!recipientSchema.safeParse(to).success) {
      deps.log.warn('applications.withdrawn: a desk address was not a valid recipient', {
        organisationId: owner.organisation_id,
      });
      continue;
    }
    await queueMail(deps, tx, { to, template: 'application_withdrawn', data });
  }
}

/**
 * Withdraws (辞退・取下げ) from any WITHDRAWABLE status, through the guarded moveStatus: if the desk moved the
 * application in the meantime (e.g. to rejected), the move finds no row in the expected status and the
 * applicant is told to look again. The running organisation's desk is mailed in the same transaction.
 */
export async function withdrawApplication(deps: Deps, actor: Actor, id: string): Promise<void> {
  const { learner, row } = await ownedOrDenied(deps, actor, id, 'withdraw');
  if (!canWithdraw(row.status)) {
    throw new AppError('INVALID_STATE', 'この申込みは、現在の状態では取り下げできません。');
  }
  const now = deps.clock.now();
  await transaction(deps, async (tx) => {
    const moved = await moveStatus(tx, {
      applicationId: row.id,
      from: row.status,
      to: 'withdrawn',
      at: now,
      actorUserId: learner.userId,
      note: 'applicant',
      set: { withdrawn_at: now },
    });
    if (!moved) {
      throw new AppError(
        'INVALID_STATE',
        '申込みの状態が変わったため、取り下げできませんでした。最新の状態を確認してください。',
      );
    }
    await audit(
      deps,
      tx,
      learner,
      'applications.withdrawn',
      { type: 'application', id: row.id },
      {
        programmeId: row.programme_id,
        from: row.status,
        number: row.number,
      },
    );
    await notifyDesk(deps, tx, row, now);
  });
}

/** 2026-04-01 in Japan time, for the file name. */
function jstDate(d: Date): string {
  return new Date(d.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
}

/**
 * "Download my data" (個人情報保護法 33条 開示, SECURITY.md): every application of the account with its
 * answers and history, as UTF-8 JSON. Audited: it is personal data leaving the system.
 */
export async function exportMyData(deps: Deps, actor: Actor): Promise<{ filename: string; json: string }> {
  const learner = requireLearner(actor);
  const rows = await repo.listApplicationsOfUser(deps.db, learner.userId);
  const history = await repo.listStatusHistory(
    deps.db,
    rows.map((r) => r.id),
  );
  const now = deps.clock.now();
  const data = {
    format: 'dxq-applicant-data',
    version: 1,
    exportedAt: now.toISOString(),
    account: { email: learner.email, displayName: learner.displayName },
    applications: rows.map((r) => {
      const { canWithdraw: _omit, ...d } = presentDetail(r, history);
      return d;
    }),
  };
  await transaction(deps, (tx) =>
    audit(
      deps,
      tx,
      learner,
      'applications.personal_data_exported',
      { type: 'user', id: learner.userId },
      { count: rows.length },
    ),
  );
  return { filename: `dxq-my-data-${jstDate(now)}.json`, json: `${JSON.stringify(data, null, 2)}\n` };
}
