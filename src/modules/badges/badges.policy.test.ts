import { describe, expect, it } from 'vitest';
import type { OrganisationKind, Role } from '../../db/schema.js';
import { anonymous, type StaffActor, systemActor } from '../../lib/actor.js';
import { type BadgeAction, can, isForeign } from './badges.policy.js';

/** Who may do what with badges (badges.policy.ts): pure, no database. */

const staff = (kind: OrganisationKind, role: Role = 'admin', orgId = `${kind}-org`): StaffActor => ({
  type: 'staff',
  userId: 'u',
  email: 'u@example.jp',
  displayName: 'u',
  org: { id: orgId, kind, name: kind },
  role,
  ip: null,
  requestId: null,
});

const RECORD_ACTIONS: BadgeAction[] = [
  'badges.view',
  'badges.manage',
  'badges.issue',
  'badges.revoke',
  'badges.export',
];

describe('badges.policy', () => {
  it('gives METI the overview, in every role, and nothing else, not even for its own organisation', () => {
    for (const role of ['admin', 'staff', 'reviewer', 'viewer'] as const) {
      const meti = staff('ministry', role);
      expect(can(meti, 'badges.overview')).toBe(true);
      for (const action of RECORD_ACTIONS) {
        expect(can(meti, action, { orgId: meti.org.id }), action).toBe(false);
        expect(can(meti, action, { orgId: 'hub-org' }), action).toBe(false);
      }
    }
  });

  it('gives the overview to the secretariat but not to issuing organisations or learners', () => {
    expect(can(staff('secretariat', 'viewer'), 'badges.overview')).toBe(true);
    expect(can(staff('regional_hub'), 'badges.overview')).toBe(false);
    expect(can(staff('case_study_operator'), 'badges.overview')).toBe(false);
    expect(can(anonymous(), 'badges.overview')).toBe(false);
    expect(can(systemActor('test'), 'badges.overview')).toBe(true);
  });

  it('keeps issuing organisations to their own records, runners to the changes', () => {
    const hub = staff('regional_hub', 'staff', 'hub-org');
    for (const action of RECORD_ACTIONS) {
      expect(can(hub, action, { orgId: 'hub-org' }), action).toBe(true);
      expect(can(hub, action, { orgId: 'other-org' }), action).toBe(false);
    }
    const viewer = staff('regional_hub', 'viewer', 'hub-org');
    expect(can(viewer, 'badges.view', { orgId: 'hub-org' })).toBe(true);
    expect(can(viewer, 'badges.issue', { orgId: 'hub-org' })).toBe(false);
    expect(can(staff('secretariat', 'staff'), 'badges.issue', { orgId: 'hub-org' })).toBe(true);
  });

  it('treats another organisation’s records as foreign for everyone but the secretariat', () => {
    expect(isForeign(staff('ministry'), { orgId: 'hub-org' })).toBe(true);
    expect(isForeign(staff('regional_hub', 'admin', 'hub-org'), { orgId: 'hub-org' })).toBe(false);
    expect(isForeign(staff('secretariat'), { orgId: 'hub-org' })).toBe(false);
  });
});
