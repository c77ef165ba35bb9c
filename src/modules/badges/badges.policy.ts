import type { OrganisationKind, Role } from '../../db/schema.js';
import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';

/**
 * Who may do what with badges (issue 4 §2, §4, §7, §8). Pure functions: no database, no clock.
 *
 * - Each issuing organisation (secretariat, hub, operator) issues under its own name: its admins and staff
 *   manage its issuer profile, keys and achievements, issue, revoke and correct its badges, and export them.
 *   Reviewers and viewers may look (badges.view) but change nothing.
 * - The secretariat's admins and staff may do the same for any organisation (it runs the platform and helps
 *   organisations issue); the rest of the secretariat may look.
 * - METI (the ministry) oversees outcomes and issues nothing: it may read the overview (badges.overview: counts
 *   per organisation, achievement and fiscal year, no person and no single badge) and nothing else here, even
 *   of its own organisation. The secretariat may read the overview too.
 * - Learners have no part here; they see their own badges through earner.service.ts.
 * - The system actor (jobs, CLI, seed) may do everything: the issuing job runs as it, after a person started
 *   the batch (which is audited against that person).
 */
export type BadgeAction =
  | 'badges.view'
  | 'badges.manage' // issuer profile, keys, achievements
  | 'badges.issue'
  | 'badges.revoke'
  | 'badges.export'
  | 'badges.overview'; // figures across organisations, no personal data

/** The issuing organisation an action is about. */
export type BadgeSubject = { orgId: string };

const RUNNERS: ReadonlySet<Role> = new Set(['admin', 'staff']);
const ANY_ROLE: ReadonlySet<Role> = new Set(['admin', 'staff', 'reviewer', 'viewer']);

const ROLES_FOR: Record<BadgeAction, ReadonlySet<Role>> = {
  'badges.view': ANY_ROLE,
  'badges.manage': RUNNERS,
  'badges.issue': RUNNERS,
  'badges.revoke': RUNNERS,
  'badges.export': RUNNERS,
  'badges.overview': ANY_ROLE,
};

/** Who oversees rather than issues: the overview across organisations is theirs. */
const OVERSEERS: ReadonlySet<OrganisationKind> = new Set(['secretariat', 'ministry']);

/** Issuing organisations: every kind but the ministry, which oversees and does not issue. */
export function canIssueAs(kind: string): boolean {
  return kind === 'secretariat' || kind === 'regional_hub' || kind === 'case_study_operator';
}

export function can(actor: Actor, action: BadgeAction, subject?: BadgeSubject): boolean {
  if (actor.type === 'system') return true;
  if (actor.type !== 'staff' || !ROLES_FOR[action].has(actor.role)) return false;
  if (action === 'badges.overview') return OVERSEERS.has(actor.org.kind);
  if (actor.org.kind === 'ministry') return false;
  if (actor.org.kind === 'secretariat') return true;
  return !!subject && subject.orgId === actor.org.id;
}

/** UNAUTHENTICATED for anonymous visitors (they should sign in), FORBIDDEN for everyone else refused. */
export function authorize(actor: Actor, action: BadgeAction, subject?: BadgeSubject): void {
  if (can(actor, action, subject)) return;
  if (actor.type === 'anonymous') throw new AppError('UNAUTHENTICATED', 'ログインしてください');
  throw new AppError('FORBIDDEN', 'この操作を行う権限がありません');
}

/**
 * Staff of one organisation naming another organisation's badge records (an edited id): answered as "not
 * found" and audited, like the organisation pages. The secretariat is not foreign anywhere.
 */
export function isForeign(actor: Actor, subject: BadgeSubject): boolean {
  return actor.type === 'staff' && actor.org.kind !== 'secretariat' && subject.orgId !== actor.org.id;
}
