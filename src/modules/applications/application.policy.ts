import type { ApplicationStatus } from '../../db/schema.js';
import type { Actor, LearnerActor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { WITHDRAWABLE } from './application.transitions.js';

/**
 * Who may do what with their own applications. Pure functions: no database, no clock.
 * - Only learner accounts apply: staff (operators, hubs, secretariat, METI) hold applicants' data on the desk
 *   side and must not appear among the applicants; the system actor never applies on anyone's behalf.
 * - An applicant sees and changes only applications whose applicant_user_id is their own account.
 */
export function canApply(actor: Actor): actor is LearnerActor {
  return actor.type === 'learner';
}

/** The refusal for anyone but a learner: sign in (anonymous) or "not with this account" (staff, system). */
export function requireLearner(actor: Actor): LearnerActor {
  if (canApply(actor)) return actor;
  if (actor.type === 'anonymous') throw new AppError('UNAUTHENTICATED', 'ログインしてください');
  throw new AppError(
    'FORBIDDEN',
    '職員アカウントでは申し込めません。受講生としての申込みは、ログアウトしてからメールのログイン用リンクでログインしてください。',
  );
}

export function ownsApplication(actor: Actor, row: { applicant_user_id: string | null }): boolean {
  return actor.type === 'learner' && row.applicant_user_id !== null && row.applicant_user_id === actor.userId;
}

export function canWithdraw(status: ApplicationStatus): boolean {
  return WITHDRAWABLE.includes(status);
}

/** The applicant may change the form only while it is a draft; afterwards it belongs to the desk's review. */
export function canEdit(status: ApplicationStatus): boolean {
  return status === 'draft';
}
