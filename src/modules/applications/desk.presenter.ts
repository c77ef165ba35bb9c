import type { ApplicationStatus } from '../../db/schema.js';
import { prefectureName } from '../organisations/prefectures.js';
import type { ExtraQuestion } from '../programmes/questions.js';
import { OCCUPATION_LABEL } from './application.schema.js';
import { APPLICATION_STATUS_LABEL } from './application.transitions.js';
import type { DeskApplicationRow, DeskListRow } from './desk.repository.js';

// Rows → view models for the desk pages and exports (STYLE.md 8: a row never reaches a template).

export type DeskListItem = {
  id: string;
  number: string;
  status: ApplicationStatus;
  statusLabel: string;
  fullName: string;
  furigana: string;
  email: string;
  prefecture: string;
  occupation: string;
  affiliation: string;
  submittedAt: Date | null;
  decidedAt: Date | null;
  /** 1, 2, 3 … along the programme's waitlist; null when not waitlisted. */
  waitlistRank: number | null;
  anonymised: boolean;
  answers: Record<string, unknown>;
};

/** Anonymised applicants (retention job) keep their row for the statistics; pages say so. */
export const ANONYMISED = '(匿名化済み)';

export function presentListItem(r: DeskListRow): DeskListItem {
  const anonymised = !!r.anonymised_at;
  return {
    id: r.id,
    number: r.number ?? '',
    status: r.status,
    statusLabel: APPLICATION_STATUS_LABEL[r.status],
    fullName: anonymised ? ANONYMISED : (r.full_name ?? ''),
    furigana: anonymised ? '' : (r.furigana ?? ''),
    email: anonymised ? '' : (r.email ?? ''),
    prefecture: prefectureName(r.prefecture_code),
    occupation: r.occupation ? OCCUPATION_LABEL[r.occupation] : '',
    affiliation: anonymised ? '' : (r.affiliation ?? ''),
    submittedAt: r.submitted_at,
    decidedAt: r.decided_at,
    waitlistRank: r.waitlist_rank === null ? null : Number(r.waitlist_rank),
    anonymised,
    answers: asRecord(r.answers),
  };
}

export type DeskApplication = DeskListItem & {
  programmeId: string;
  pledgeAccepted: boolean;
  consentNoticeVersion: string | null;
  consentedAt: Date | null;
  enrolledAt: Date | null;
  withdrawnAt: Date | null;
};

export function presentApplication(r: DeskApplicationRow): DeskApplication {
  return {
    ...presentListItem(r),
    programmeId: r.programme_id,
    pledgeAccepted: r.pledge_accepted,
    consentNoticeVersion: r.consent_notice_version,
    consentedAt: r.consented_at,
    enrolledAt: r.enrolled_at,
    withdrawnAt: r.withdrawn_at,
  };
}

function asRecord(v: unknown): Record<string, unknown> {
  if (typeof v === 'string') {
    try {
      return asRecord(JSON.parse(v));
    } catch {
      return {};
    }
  }
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/**
 * One answer as text. Answers are stored under the question's id (application.schema.ts); a question added
 * after the applicant submitted has no answer and says so.
 */
export function answerText(q: ExtraQuestion, answers: Record<string, unknown>): string {
  const a = answers[q.id];
  if (a === undefined || a === null || a === '' || (Array.isArray(a) && a.length === 0)) return '';
  if (q.kind === 'yes_no') return a === 'yes' ? 'はい' : a === 'no' ? 'いいえ' : String(a);
  if (Array.isArray(a)) return a.map(String).join('、');
  return String(a);
}

export const NO_ANSWER = '(回答なし)';

export type AnswerView = { label: string; text: string; multiline: boolean };

export function presentAnswers(
  questions: readonly ExtraQuestion[],
  answers: Record<string, unknown>,
): AnswerView[] {
  return questions.map((q) => ({
    label: q.label,
    text: answerText(q, answers) || NO_ANSWER,
    multiline: q.kind === 'long_text',
  }));
}
