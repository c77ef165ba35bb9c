import type { Actor, StaffActor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';

/**
 * Who may do what with organisations, memberships and the audit log. Pure functions: no database, no clock.
 *
 * - Secretariat (事務局) staff run the platform: they see every organisation; its admins create and edit them
 *   and manage anyone's memberships.
 * - METI (ministry) members may see the list of organisations (what exists), not other organisations' members.
 * - Everyone else sees only their own organisation; its admins manage its memberships.
 * - Learners and anonymous visitors: nothing here.
 * - The system actor (CLI, seed, jobs) may manage organisations and memberships, so that `dxq` can create the
 *   first secretariat organisation and invite its first admin before anyone can sign in. It may not search or
 *   export the audit log: that is a person's act and is audited against a person.
 */
export type OrganisationAction =
  | 'organisations.list'
  | 'organisations.create'
  | 'organisations.update'
  | 'organisations.view'
  | 'memberships.list'
  | 'memberships.invite'
  | 'memberships.changeRole'
  | 'memberships.remove'
  | 'audit.search'
  | 'audit.export';

/** The organisation an action is about; required for the org-scoped actions. */
export type OrgSubject = { orgId: string };

const SYSTEM_ALLOWED: ReadonlySet<OrganisationAction> = new Set([
  'organisations.list',
  'organisations.create',
  'organisations.update',
  'organisations.view',
  'memberships.list',
  'memberships.invite',
  'memberships.changeRole',
  'memberships.remove',
]);

const isSecretariat = (a: StaffActor) => a.org.kind === 'secretariat';
const isSecretariatAdmin = (a: StaffActor) => isSecretariat(a) && a.role === 'admin';
const ownOrg = (a: StaffActor, s: OrgSubject | undefined) => !!s && s.orgId === a.org.id;

export function can(actor: Actor, action: OrganisationAction, subject?: OrgSubject): boolean {
  if (actor.type === 'system') return SYSTEM_ALLOWED.has(action);
  if (actor.type !== 'staff') return false;
  switch (action) {
    case 'organisations.list':
      return isSecretariat(actor) || actor.org.kind === 'ministry';
    case 'organisations.create':
    case 'organisations.update':
      return isSecretariatAdmin(actor);
    case 'organisations.view':
    case 'memberships.list':
      return isSecretariat(actor) || ownOrg(actor, subject);
    case 'memberships.invite':
    case 'memberships.changeRole':
    case 'memberships.remove':
      return isSecretariatAdmin(actor) || (actor.role === 'admin' && ownOrg(actor, subject));
    case 'audit.search':
    case 'audit.export':
      return isSecretariat(actor) && (actor.role === 'admin' || actor.role === 'staff');
    default: {
      const never: never = action;
      return never;
    }
  }
}

/** Throws UNAUTHENTICATED for anonymous visitors (they should sign in), FORBIDDEN for everyone else refused. */
export function authorize(actor: Actor, action: OrganisationAction, subject?: OrgSubject): void {
  if (can(actor, action, subject)) return;
  if (actor.type === 'anonymous') throw new AppError('UNAUTHENTICATED', 'ログインしてください');
  throw new AppError('FORBIDDEN', 'この操作を行う権限がありません');
}

/**
 * A staff member of one organisation reaching for another organisation's records (edited ids in a URL or a
 * form). Such attempts are answered as "not found" (the id is not confirmed) and audited by the service.
 */
export function isCrossOrgAttempt(actor: Actor, subject: OrgSubject | undefined): boolean {
  return actor.type === 'staff' && !isSecretariat(actor) && !!subject && subject.orgId !== actor.org.id;
}
