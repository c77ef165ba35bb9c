import type { ApplicationStatus } from '../../db/schema.js';
import { prefectureName } from '../organisations/prefectures.js';
import { type ExtraQuestion, parseExtra } from '../programmes/questions.js';
import { canWithdraw } from './application.policy.js';
import type { ApplicationRow, ApplicationWithProgramme, StatusHistoryRow } from './application.repository.js';
import { OCCUPATION_LABEL } from './application.schema.js';
import { APPLICATION_STATUS_LABEL } from './application.transitions.js';

// View models of the applicant's side (STYLE.md 8: rows never reach a page). The desk may reuse answerItems.

/** Form values as the page renders them: a multiple-choice answer is a list. */
export type FormValues = Record<string, string | string[]>;

const asRecord = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** A draft row back into the form; the e-mail starts as the account's address until the applicant edits it. */
export function formValues(row: ApplicationRow, accountEmail: string): FormValues {
  const v: FormValues = {
    fullName: row.full_name ?? '',
    furigana: row.furigana ?? '',
    email: row.email ?? accountEmail,
    prefectureCode: row.prefecture_code ? String(row.prefecture_code) : '',
    occupation: row.occupation ?? '',
    affiliation: row.affiliation ?? '',
    pledge: row.pledge_accepted ? 'yes' : '',
  };
  for (const [id, a] of Object.entries(asRecord(row.answers))) {
    v[`q_${id}`] = Array.isArray(a) ? a.map(String) : String(a ?? '');
  }
  return v;
}

export type AnswerItem = { questionId: string; label: string; value: string };

const YES_NO: Record<string, string> = { yes: 'はい', no: 'いいえ' };

/** Stored answers with their questions' labels, in the programme's order; answers to removed questions last. */
export function answerItems(questions: ExtraQuestion[], answers: unknown): AnswerItem[] {
  const a = asRecord(answers);
  const text = (q: ExtraQuestion | undefined, v: unknown): string => {
    if (Array.isArray(v)) return v.map(String).join('、');
    const s = String(v ?? '');
    return q?.kind === 'yes_no' ? (YES_NO[s] ?? s) : s;
  };
  const items = questions.map((q) => ({ questionId: q.id, label: q.label, value: text(q, a[q.id]) }));
  const known = new Set(questions.map((q) => q.id));
  for (const [id, v] of Object.entries(a)) {
    if (!known.has(id)) items.push({ questionId: id, label: id, value: text(undefined, v) });
  }
  return items;
}

export type MyApplicationItem = {
  id: string;
  programmeId: string;
  programmeTitle: string;
  organisationName: string;
  number: string | null;
  status: ApplicationStatus;
  statusLabel: string;
  createdAt: Date;
  updatedAt: Date;
  submittedAt: Date | null;
  decidedAt: Date | null;
  withdrawnAt: Date | null;
};

export function presentItem(r: ApplicationWithProgramme): MyApplicationItem {
  return {
    id: r.id,
    programmeId: r.programme_id,
    programmeTitle: r.programme_title,
    organisationName: r.organisation_name,
    number: r.number,
    status: r.status,
    statusLabel: APPLICATION_STATUS_LABEL[r.status],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    submittedAt: r.submitted_at,
    decidedAt: r.decided_at,
    withdrawnAt: r.withdrawn_at,
  };
}

export type HistoryItem = {
  from: ApplicationStatus | null;
  to: ApplicationStatus;
  fromLabel: string | null;
  toLabel: string;
  at: Date;
};

export type MyApplicationDetail = MyApplicationItem & {
  fullName: string;
  furigana: string;
  email: string;
  prefectureName: string;
  occupationLabel: string;
  affiliation: string;
  pledgeAccepted: boolean;
  consentNoticeVersion: string | null;
  consentedAt: Date | null;
  eligibilityAnswers: Record<string, unknown>;
  answers: AnswerItem[];
  history: HistoryItem[];
  canWithdraw: boolean;
};

export function presentHistory(h: StatusHistoryRow): HistoryItem {
  return {
    from: h.from_status,
    to: h.to_status,
    fromLabel: h.from_status ? APPLICATION_STATUS_LABEL[h.from_status] : null,
    toLabel: APPLICATION_STATUS_LABEL[h.to_status],
    at: h.at,
  };
}

export function presentDetail(r: ApplicationWithProgramme, history: StatusHistoryRow[]): MyApplicationDetail {
  return {
    ...presentItem(r),
    fullName: r.full_name ?? '',
    furigana: r.furigana ?? '',
    email: r.email ?? '',
    prefectureName: prefectureName(r.prefecture_code),
    occupationLabel: r.occupation ? OCCUPATION_LABEL[r.occupation] : '',
    affiliation: r.affiliation ?? '',
    pledgeAccepted: r.pledge_accepted,
    consentNoticeVersion: r.consent_notice_version,
    consentedAt: r.consented_at,
    eligibilityAnswers: asRecord(r.eligibility_answers),
    answers: answerItems(parseExtra(r.programme_extra_questions), r.answers),
    history: history.filter((h) => h.application_id === r.id).map(presentHistory),
    canWithdraw: canWithdraw(r.status),
  };
}
