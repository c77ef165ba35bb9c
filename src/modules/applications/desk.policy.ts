import type { Role } from '../../db/schema.js';
import type { Actor, StaffActor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';

/**
 * Who may do what on the application desk (issue 3, items 4–6). Pure functions: no database, no clock.
 *
 * - The desk of a programme belongs to the organisation that runs it. The applicant consented to provision
 *   of their data to that organisation only (個人情報保護法 27条, the notice on the form), so no other
 *   organisation — not even the secretariat or METI — opens another organisation's desk.
 * - Within the organisation: admins and staff run the desk (rubric, decisions, mail templates, exports);
 *   reviewers read applications and score them; viewers (閲覧者) see no applicant's personal data.
 * - The secretariat's overview (counts, funnel, people who applied to several programmes) is for secretariat
 *   admins and staff, like the audit log.
 */
export type DeskAction =
  | 'desk.view'
  | 'desk.score'
  | 'desk.rubric'
  | 'desk.decide'
  | 'desk.export'
  | 'desk.templates'
  | 'applications.overview';

/** The organisation that runs the programme an action is about. */
export type DeskSubject = { orgId: string };

/** The roles that run an organisation's desk: decide, rank, export, and hear of withdrawals. */
export const RUNNERS: ReadonlySet<Role> = new Set(['admin', 'staff']);
const SCORERS: ReadonlySet<Role> = new Set(['admin', 'staff', 'reviewer']);

const ROLES_FOR: Record<Exclude<DeskAction, 'applications.overview'>, ReadonlySet<Role>> = {
  'desk.view': SCORERS,
  'desk.score': SCORERS,
  'desk.rubric': RUNNERS,
  'desk.decide': RUNNERS,
  'desk.export': RUNNERS,
  'desk.templates': RUNNERS,
};

export function can(actor: Actor, action: DeskAction, subject?: DeskSubject): boolean {
  if (actor.type !== 'staff') return false;
  // METI sees progress and outcomes (MISSION.md): the overview's figures, without the people behind them.
  if (action === 'applications.overview')
    return (actor.org.kind === 'secretariat' && RUNNERS.has(actor.role)) || actor.org.kind === 'ministry';
  return !!subject && subject.orgId === actor.org.id && ROLES_FOR[action].has(actor.role);
}

/** UNAUTHENTICATED for anonymous visitors (they should sign in), FORBIDDEN for everyone else refused. */
export function authorize(actor: Actor, action: DeskAction, subject?: DeskSubject): void {
  if (can(actor, action, subject)) return;
  if (actor.type === 'anonymous') throw new AppError('UNAUTHENTICATED', 'ログインしてください');
  throw new AppError('FORBIDDEN', 'この操作を行う権限がありません');
}

/** Only signed-in staff reach the desk at all; anyone else is refused before a record is looked up. */
export function requireStaff(actor: Actor): StaffActor {
  if (actor.type === 'staff') return actor;
  if (actor.type === 'anonymous') throw new AppError('UNAUTHENTICATED', 'ログインしてください');
  throw new AppError('FORBIDDEN', 'この操作を行う権限がありません');
}

/**
 * Staff naming a record of another organisation (an edited id in a URL or a form). Unlike the organisation
 * pages, the secretariat is no exception here: the desk is the running organisation's alone.
 */
export function isForeign(actor: Actor, subject: DeskSubject): boolean {
  return actor.type === 'staff' && subject.orgId !== actor.org.id;
}

/** Where the viewer stands on one application's review. */
export type OwnReview = 'none' | 'submitted' | 'conflict';

/**
 * Independence of scoring: another reviewer's scores and comments are shown only to someone who has
 * submitted their own review of that application. Someone with a declared conflict of interest has recused
 * themselves and sees none.
 */
export function seesOtherReviews(own: OwnReview): boolean {
  return own === 'submitted';
}

/**
 * The computed total of an application. Admins and staff decide, so they see every total (the ranking is
 * what they decide from); a reviewer sees a total only once their own review of it is in, so that the
 * ranking cannot anchor their score.
 */
export function seesTotal(role: Role, own: OwnReview): boolean {
  if (RUNNERS.has(role)) return true;
  return own === 'submitted';
}
