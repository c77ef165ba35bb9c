import { describe, expect, it } from 'vitest';
import type { OrganisationKind, ProgrammeStatus, Role } from '../../db/schema.js';
import { type Actor, anonymous, type StaffActor, systemActor } from '../../lib/actor.js';
import { isAppError } from '../../lib/errors.js';
import {
  allowedActions,
  authorize,
  CONTENT_FIELDS,
  can,
  canMove,
  editScope,
  isCrossOrgAttempt,
  layerOf,
  type ProgrammeAction,
  questionsEditable,
  TRANSITIONS,
} from './programme.policy.js';
import type { ProgrammeView } from './programme.presenter.js';
import { publicationProblems } from './programme.readiness.js';

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
  userId: 'l',
  email: 'l@example.jp',
  displayName: 'x',
  ip: null,
  requestId: null,
};
const ALL: ProgrammeAction[] = [
  'programmes.list',
  'programmes.listAll',
  'programmes.view',
  'programmes.create',
  'programmes.edit',
  'programmes.submit',
  'programmes.review',
  'programmes.close',
  'programmes.archive',
];
const own = { orgId: OWN };
const other = { orgId: OTHER };

describe('programme policy', () => {
  it('fixes the layer by organisation kind', () => {
    expect(layerOf('case_study_operator')).toBe(2);
    expect(layerOf('regional_hub')).toBe(3);
    expect(layerOf('secretariat')).toBeNull();
    expect(layerOf('ministry')).toBeNull();
  });

  it('refuses learners and anonymous visitors everything', () => {
    for (const a of ALL) {
      expect(can(learner, a, own)).toBe(false);
      expect(can(anonymous(), a, own)).toBe(false);
    }
  });

  it('lets the system actor close programmes only', () => {
    for (const a of ALL) expect(can(systemActor('job'), a, own)).toBe(a === 'programmes.close');
  });

  it('lets operator and hub admins/staff manage their own programmes and nobody else’s', () => {
    for (const kind of ['regional_hub', 'case_study_operator'] as const) {
      for (const role of ['admin', 'staff'] as const) {
        const a = staff(kind, role);
        for (const act of [
          'programmes.edit',
          'programmes.submit',
          'programmes.close',
          'programmes.archive',
        ] as const) {
          expect(can(a, act, own), `${kind} ${role} ${act}`).toBe(true);
          expect(can(a, act, other), `${kind} ${role} ${act} other`).toBe(false);
        }
        expect(can(a, 'programmes.create')).toBe(true);
        expect(can(a, 'programmes.list')).toBe(true);
        expect(can(a, 'programmes.view', own)).toBe(true);
        expect(can(a, 'programmes.view', other)).toBe(false);
        expect(can(a, 'programmes.listAll')).toBe(false);
        expect(can(a, 'programmes.review', own)).toBe(false); // no approving one's own programme
      }
    }
  });

  it('lets reviewers and viewers of a hub look but not change', () => {
    for (const role of ['reviewer', 'viewer'] as const) {
      const a = staff('regional_hub', role);
      expect(can(a, 'programmes.view', own)).toBe(true);
      expect(can(a, 'programmes.list')).toBe(true);
      for (const act of [
        'programmes.create',
        'programmes.edit',
        'programmes.submit',
        'programmes.close',
      ] as const) {
        expect(can(a, act, own)).toBe(false);
      }
    }
  });

  it('gives review, close and archive to secretariat admins/staff, sight to every secretariat member and METI', () => {
    for (const role of ['admin', 'staff'] as const) {
      const a = staff('secretariat', role);
      for (const act of ['programmes.review', 'programmes.close', 'programmes.archive'] as const) {
        expect(can(a, act, other)).toBe(true);
      }
      expect(can(a, 'programmes.edit', other)).toBe(false); // the organisation edits, the secretariat reviews
      expect(can(a, 'programmes.create')).toBe(false);
    }
    for (const a of [
      staff('secretariat', 'viewer'),
      staff('secretariat', 'reviewer'),
      staff('ministry', 'viewer'),
    ]) {
      expect(can(a, 'programmes.listAll')).toBe(true);
      expect(can(a, 'programmes.view', other)).toBe(true);
      expect(can(a, 'programmes.review', other)).toBe(false);
      expect(can(a, 'programmes.close', other)).toBe(false);
    }
  });

  it('authorize throws UNAUTHENTICATED for anonymous and FORBIDDEN for others', () => {
    const code = (fn: () => void) => {
      try {
        fn();
        return null;
      } catch (e) {
        return isAppError(e) ? e.code : 'other';
      }
    };
    expect(code(() => authorize(anonymous(), 'programmes.list'))).toBe('UNAUTHENTICATED');
    expect(code(() => authorize(learner, 'programmes.list'))).toBe('FORBIDDEN');
    expect(code(() => authorize(staff('regional_hub', 'admin'), 'programmes.review', own))).toBe('FORBIDDEN');
    expect(code(() => authorize(staff('regional_hub', 'admin'), 'programmes.edit', own))).toBeNull();
  });

  it('recognises cross-organisation attempts by operator/hub staff only', () => {
    expect(isCrossOrgAttempt(staff('regional_hub', 'viewer'), other)).toBe(true);
    expect(isCrossOrgAttempt(staff('regional_hub', 'admin'), own)).toBe(false);
    expect(isCrossOrgAttempt(staff('secretariat', 'admin'), other)).toBe(false);
    expect(isCrossOrgAttempt(staff('ministry', 'viewer'), other)).toBe(false);
    expect(isCrossOrgAttempt(learner, other)).toBe(false);
  });
});

describe('programme state machine', () => {
  it('has exactly the moves of issue 3', () => {
    expect(TRANSITIONS).toEqual({
      draft: ['submitted'],
      submitted: ['published', 'draft'],
      published: ['closed'],
      closed: ['archived'],
      archived: [],
    });
    expect(canMove('draft', 'published')).toBe(false); // never past the secretariat
    expect(canMove('published', 'draft')).toBe(false);
    expect(canMove('archived', 'published')).toBe(false);
  });

  it('says what an edit may change in each status', () => {
    const scopes = (['draft', 'submitted', 'published', 'closed', 'archived'] as ProgrammeStatus[]).map(
      editScope,
    );
    expect(scopes).toEqual(['all', 'none', 'content', 'none', 'none']);
    expect(CONTENT_FIELDS).toEqual([
      'title',
      'summary',
      'descriptionMd',
      'startsOn',
      'endsOn',
      'scheduleNote',
      'venue',
      'capacity',
    ]);
    expect(questionsEditable('draft', false)).toBe(true);
    expect(questionsEditable('published', false)).toBe(true);
    expect(questionsEditable('published', true)).toBe(false);
    expect(questionsEditable('submitted', false)).toBe(false);
  });

  it('combines rights and status into the buttons a page shows', () => {
    const hub = staff('regional_hub', 'admin');
    const sec = staff('secretariat', 'staff');
    const p = (status: ProgrammeStatus) => ({ organisationId: OWN, status });
    expect(allowedActions(hub, p('draft'), false)).toEqual({
      edit: 'all',
      editQuestions: true,
      submit: true,
      review: false,
      close: false,
      archive: false,
    });
    expect(allowedActions(sec, p('submitted'), false)).toMatchObject({
      edit: 'none',
      review: true,
      submit: false,
    });
    expect(allowedActions(hub, p('published'), true)).toMatchObject({
      edit: 'content',
      editQuestions: false,
      close: true,
    });
    expect(allowedActions(hub, p('closed'), true)).toMatchObject({
      edit: 'none',
      archive: true,
      close: false,
    });
    expect(allowedActions(staff('regional_hub', 'viewer'), p('draft'), false)).toMatchObject({
      edit: 'none',
      editQuestions: false,
      submit: false,
    });
  });
});

describe('publication readiness', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  const ready: Parameters<typeof publicationProblems>[0] = {
    layer: 3,
    summary: '概要',
    descriptionMd: '説明',
    format: 'hybrid',
    prefectureCodes: [13],
    venue: '千代田区',
    startsOn: '2026-08-01',
    endsOn: '2026-10-31',
    opensAt: new Date('2026-06-01T00:00:00Z'),
    closesAt: new Date('2026-07-01T00:00:00Z'),
    capacity: 30,
    targetLearners: '社会人',
    weeklyHours: 6,
    dxStage: 'pattern2',
    skillCodes: ['1.1.1'],
  } satisfies Partial<ProgrammeView>;

  it('accepts a complete programme', () => {
    expect(publicationProblems(ready, now)).toEqual({});
  });

  it('holds 3層 programmes to 6 hours a week and a DX stage', () => {
    expect(publicationProblems({ ...ready, weeklyHours: 5.5 }, now)).toHaveProperty('weeklyHours');
    expect(publicationProblems({ ...ready, dxStage: null }, now)).toHaveProperty('dxStage');
    expect(publicationProblems({ ...ready, layer: 2, weeklyHours: 3, dxStage: null }, now)).toEqual({});
  });

  it('needs a window that closes in the future, to the millisecond', () => {
    expect(publicationProblems({ ...ready, closesAt: now }, now).closesAt).toBe(
      '募集締切日時は現在より後の日時にしてください',
    );
    expect(publicationProblems({ ...ready, opensAt: null, closesAt: null }, now)).toMatchObject({
      opensAt: '募集開始日時を入力してください',
      closesAt: '募集締切日時を入力してください',
    });
  });

  it('lets online programmes be nationwide, but asks the others where they are', () => {
    const where = { prefectureCodes: [], venue: '' };
    expect(publicationProblems({ ...ready, ...where, format: 'online' }, now)).toEqual({});
    expect(Object.keys(publicationProblems({ ...ready, ...where, format: 'venue' }, now))).toEqual([
      'prefectureCodes',
      'venue',
    ]);
  });

  it('lists every missing field of an empty draft', () => {
    const empty = {
      ...ready,
      summary: '',
      descriptionMd: '',
      startsOn: null,
      endsOn: null,
      capacity: null,
      targetLearners: '',
      weeklyHours: null,
      skillCodes: [],
    };
    expect(Object.keys(publicationProblems(empty, now)).sort()).toEqual(
      [
        'capacity',
        'descriptionMd',
        'endsOn',
        'skillCodes',
        'startsOn',
        'summary',
        'targetLearners',
        'weeklyHours',
      ].sort(),
    );
  });
});
