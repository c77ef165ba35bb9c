import { describe, expect, it } from 'vitest';
import type { OrganisationKind, Role } from '../../db/schema.js';
import { type Actor, anonymous, type StaffActor, systemActor } from '../../lib/actor.js';
import { isAppError } from '../../lib/errors.js';
import {
  authorize,
  can,
  type DeskAction,
  isForeign,
  requireStaff,
  seesOtherReviews,
  seesTotal,
} from './desk.policy.js';

const OWN = 'org-own';
const OTHER = 'org-other';

function staff(kind: OrganisationKind, role: Role): StaffActor {
  return {
    type: 'staff',
    userId: 'u1',
    email: 's@example.jp',
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

const DESK: DeskAction[] = [
  'desk.view',
  'desk.score',
  'desk.rubric',
  'desk.decide',
  'desk.export',
  'desk.templates',
];

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    return isAppError(e) ? e.code : 'not an AppError';
  }
}

describe('desk policy', () => {
  it('refuses learners, anonymous visitors and the system actor everything', () => {
    for (const a of [learner, anonymous(), systemActor('cli')])
      for (const action of [...DESK, 'applications.overview' as const])
        expect(can(a, action, { orgId: OWN })).toBe(false);
  });

  it('lets admins and staff of the running organisation do everything on its desk', () => {
    for (const kind of ['regional_hub', 'case_study_operator'] as const)
      for (const role of ['admin', 'staff'] as const)
        for (const action of DESK) expect(can(staff(kind, role), action, { orgId: OWN })).toBe(true);
  });

  it('lets reviewers read and score, and nothing else; viewers nothing', () => {
    const r = staff('regional_hub', 'reviewer');
    expect(can(r, 'desk.view', { orgId: OWN })).toBe(true);
    expect(can(r, 'desk.score', { orgId: OWN })).toBe(true);
    for (const action of ['desk.rubric', 'desk.decide', 'desk.export', 'desk.templates'] as const)
      expect(can(r, action, { orgId: OWN })).toBe(false);
    for (const action of DESK)
      expect(can(staff('regional_hub', 'viewer'), action, { orgId: OWN })).toBe(false);
  });

  it("refuses every organisation another organisation's desk, the secretariat and METI included", () => {
    for (const kind of ['regional_hub', 'case_study_operator', 'secretariat', 'ministry'] as const)
      for (const action of DESK) {
        expect(can(staff(kind, 'admin'), action, { orgId: OTHER })).toBe(false);
        expect(can(staff(kind, 'admin'), action)).toBe(false); // no subject: no access
      }
    expect(isForeign(staff('secretariat', 'admin'), { orgId: OTHER })).toBe(true);
    expect(isForeign(staff('regional_hub', 'admin'), { orgId: OWN })).toBe(false);
    expect(isForeign(learner, { orgId: OTHER })).toBe(false);
  });

  it('gives the overview to secretariat admins and staff, and to METI (figures only, see the service)', () => {
    expect(can(staff('secretariat', 'admin'), 'applications.overview')).toBe(true);
    expect(can(staff('secretariat', 'staff'), 'applications.overview')).toBe(true);
    expect(can(staff('secretariat', 'reviewer'), 'applications.overview')).toBe(false);
    expect(can(staff('ministry', 'admin'), 'applications.overview')).toBe(true);
    expect(can(staff('ministry', 'viewer'), 'applications.overview')).toBe(true);
    expect(can(staff('regional_hub', 'admin'), 'applications.overview')).toBe(false);
  });

  it('answers UNAUTHENTICATED to anonymous visitors and FORBIDDEN to the rest', () => {
    expect(codeOf(() => authorize(anonymous(), 'desk.view', { orgId: OWN }))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => authorize(learner, 'desk.view', { orgId: OWN }))).toBe('FORBIDDEN');
    expect(codeOf(() => authorize(staff('regional_hub', 'reviewer'), 'desk.decide', { orgId: OWN }))).toBe(
      'FORBIDDEN',
    );
    expect(codeOf(() => authorize(staff('regional_hub', 'staff'), 'desk.decide', { orgId: OWN }))).toBeNull();
    expect(codeOf(() => requireStaff(anonymous()))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => requireStaff(learner))).toBe('FORBIDDEN');
  });

  it('keeps scoring independent: others’ reviews after one’s own, totals for reviewers likewise', () => {
    expect(seesOtherReviews('none')).toBe(false);
    expect(seesOtherReviews('conflict')).toBe(false);
    expect(seesOtherReviews('submitted')).toBe(true);
    expect(seesTotal('reviewer', 'none')).toBe(false);
    expect(seesTotal('reviewer', 'conflict')).toBe(false);
    expect(seesTotal('reviewer', 'submitted')).toBe(true);
    expect(seesTotal('admin', 'none')).toBe(true);
    expect(seesTotal('staff', 'conflict')).toBe(true);
  });
});
