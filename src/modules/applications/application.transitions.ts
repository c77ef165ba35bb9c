import type { ApplicationStatus } from '../../db/schema.js';

/**
 * The application state machine (STYLE.md 5), written down once. Who may make each move is the policy's
 * business; this map says only which moves exist.
 *   draft → submitted → under_review → accepted | waitlisted | rejected → enrolled | withdrawn
 * A waitlisted applicant can be promoted (→ accepted) when someone declines; an applicant can withdraw at any
 * point before enrolment; an accepted applicant who declines is withdrawn.
 */
export const TRANSITIONS: Record<ApplicationStatus, readonly ApplicationStatus[]> = {
  draft: ['submitted', 'withdrawn'],
  submitted: ['under_review', 'accepted', 'waitlisted', 'rejected', 'withdrawn'],
  under_review: ['accepted', 'waitlisted', 'rejected', 'withdrawn'],
  waitlisted: ['accepted', 'rejected', 'withdrawn'],
  accepted: ['enrolled', 'withdrawn'],
  rejected: [],
  enrolled: [],
  withdrawn: [],
};

export function canMove(from: ApplicationStatus, to: ApplicationStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Statuses an applicant can withdraw from. */
export const WITHDRAWABLE: readonly ApplicationStatus[] = [
  'draft',
  'submitted',
  'under_review',
  'waitlisted',
  'accepted',
];

export const APPLICATION_STATUS_LABEL: Record<ApplicationStatus, string> = {
  draft: '下書き',
  submitted: '申込み済み',
  under_review: '選考中',
  accepted: '合格',
  waitlisted: '補欠',
  rejected: '不合格',
  enrolled: '受講確定',
  withdrawn: '辞退・取下げ',
};
