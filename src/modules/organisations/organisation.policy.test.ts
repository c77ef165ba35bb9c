import { describe, expect, it } from 'vitest';
import type { OrganisationKind, Role } from '../../db/schema.js';
import { type Actor, anonymous, type StaffActor, systemActor } from '../../lib/actor.js';
import { isAppError } from '../../lib/errors.js';
import { authorize, can, isCrossOrgAttempt, type OrganisationAction } from './organisation.policy.js';

const OWN = 'org-own';
const OTHER = 'org-other';

function staff(kind: OrganisationKind, role: Role): StaffActor {
  return {
    type: 'staff',
    userId: 'u1',
    email: 'a@example.jp',
    displayName: 'テスト',
    org: { id: OWN, kind, name: 'テスト組織' },
    role,
    ip: null,
    requestId: null,
  };
}

const learner: Actor = {
  type: 'learner',
  userId: 'l1',
  email: 'l@example.jp',
  displayName: '受講生',
  ip: null,
  requestId: null,
};
const anon = anonymous();
const system = systemActor('cli');

function codeOf(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    return isAppError(e) ? e.code : 'not an AppError';
  }
}

const ALL: OrganisationAction[] = [
  'organisations.list',
  'organisations.create',
  'organisations.update',
  'organisations.view',
  'memberships.list',
  'memberships.invite',
  'memberships.changeRole',
  'memberships.remove',
  'audit.search',
  'audit.export',
];

describe('organisation policy', () => {
  it('refuses learners and anonymous visitors everything', () => {
    for (const action of ALL) {
      expect(can(learner, action, { orgId: OWN })).toBe(false);
      expect(can(anon, action, { orgId: OWN })).toBe(false);
    }
  });

  it('lets the system actor manage organisations and memberships but not read the audit log', () => {
    expect(can(system, 'organisations.create')).toBe(true);
    expect(can(system, 'memberships.invite', { orgId: OTHER })).toBe(true);
    expect(can(system, 'audit.search')).toBe(false);
    expect(can(system, 'audit.export')).toBe(false);
  });

  it('lets secretariat staff of any role list and view every organisation', () => {
    for (const role of ['admin', 'staff', 'reviewer', 'viewer'] as const) {
      const a = staff('secretariat', role);
      expect(can(a, 'organisations.list')).toBe(true);
      expect(can(a, 'organisations.view', { orgId: OTHER })).toBe(true);
      expect(can(a, 'memberships.list', { orgId: OTHER })).toBe(true);
    }
  });

  it('lets ministry members list organisations but view only their own', () => {
    const a = staff('ministry', 'viewer');
    expect(can(a, 'organisations.list')).toBe(true);
    expect(can(a, 'organisations.view', { orgId: OWN })).toBe(true);
    expect(can(a, 'organisations.view', { orgId: OTHER })).toBe(false);
    expect(can(a, 'organisations.create')).toBe(false);
  });

  it('keeps hub and operator staff to their own organisation', () => {
    for (const kind of ['regional_hub', 'case_study_operator'] as const) {
      const a = staff(kind, 'admin');
      expect(can(a, 'organisations.list')).toBe(false);
      expect(can(a, 'organisations.view', { orgId: OWN })).toBe(true);
      expect(can(a, 'organisations.view', { orgId: OTHER })).toBe(false);
      expect(can(a, 'memberships.list', { orgId: OTHER })).toBe(false);
      expect(can(a, 'organisations.view')).toBe(false); // no subject: no access
    }
  });

  it('allows creating and editing organisations to secretariat admins only', () => {
    expect(can(staff('secretariat', 'admin'), 'organisations.create')).toBe(true);
    expect(can(staff('secretariat', 'admin'), 'organisations.update', { orgId: OTHER })).toBe(true);
    expect(can(staff('secretariat', 'staff'), 'organisations.create')).toBe(false);
    expect(can(staff('regional_hub', 'admin'), 'organisations.update', { orgId: OWN })).toBe(false);
    expect(can(staff('ministry', 'admin'), 'organisations.create')).toBe(false);
  });

  it('allows membership changes to secretariat admins anywhere and org admins in their own org', () => {
    for (const action of ['memberships.invite', 'memberships.changeRole', 'memberships.remove'] as const) {
      expect(can(staff('secretariat', 'admin'), action, { orgId: OTHER })).toBe(true);
      expect(can(staff('secretariat', 'staff'), action, { orgId: OTHER })).toBe(false);
      expect(can(staff('regional_hub', 'admin'), action, { orgId: OWN })).toBe(true);
      expect(can(staff('regional_hub', 'admin'), action, { orgId: OTHER })).toBe(false);
      expect(can(staff('regional_hub', 'staff'), action, { orgId: OWN })).toBe(false);
      expect(can(staff('ministry', 'viewer'), action, { orgId: OWN })).toBe(false);
    }
  });

  it('allows the audit log to secretariat admins and staff only', () => {
    for (const action of ['audit.search', 'audit.export'] as const) {
      expect(can(staff('secretariat', 'admin'), action)).toBe(true);
      expect(can(staff('secretariat', 'staff'), action)).toBe(true);
      expect(can(staff('secretariat', 'reviewer'), action)).toBe(false);
      expect(can(staff('secretariat', 'viewer'), action)).toBe(false);
      expect(can(staff('ministry', 'admin'), action)).toBe(false);
      expect(can(staff('regional_hub', 'admin'), action)).toBe(false);
    }
  });

  it('authorize throws UNAUTHENTICATED for anonymous and FORBIDDEN for others', () => {
    expect(codeOf(() => authorize(anon, 'organisations.list'))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => authorize(learner, 'organisations.list'))).toBe('FORBIDDEN');
    expect(codeOf(() => authorize(staff('regional_hub', 'admin'), 'audit.search'))).toBe('FORBIDDEN');
    expect(codeOf(() => authorize(staff('secretariat', 'viewer'), 'organisations.list'))).toBeNull();
  });

  it('recognises cross-organisation attempts by non-secretariat staff only', () => {
    expect(isCrossOrgAttempt(staff('regional_hub', 'admin'), { orgId: OTHER })).toBe(true);
    expect(isCrossOrgAttempt(staff('regional_hub', 'admin'), { orgId: OWN })).toBe(false);
    expect(isCrossOrgAttempt(staff('secretariat', 'viewer'), { orgId: OTHER })).toBe(false);
    expect(isCrossOrgAttempt(learner, { orgId: OTHER })).toBe(false);
  });
});
