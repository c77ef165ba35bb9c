import type { DxStage, ProgrammeFormat, ProgrammeStatus } from '../../db/schema.js';
import type { ProgrammeRow } from './programme.repository.js';
import { type EligibilityQuestion, type ExtraQuestion, parseEligibility, parseExtra } from './questions.js';

/** What pages and other modules see of a programme (STYLE.md 8: rows never reach a page). */
export type ProgrammeView = {
  id: string;
  organisationId: string;
  organisationName: string;
  fiscalYear: number;
  layer: 2 | 3;
  title: string;
  summary: string;
  descriptionMd: string;
  format: ProgrammeFormat;
  prefectureCodes: number[];
  venue: string;
  startsOn: string | null;
  endsOn: string | null;
  scheduleNote: string;
  opensAt: Date | null;
  closesAt: Date | null;
  capacity: number | null;
  feeYen: number;
  targetLearners: string;
  weeklyHours: number | null;
  commitmentRequired: boolean;
  dxStage: DxStage | null;
  skillFrameworkId: string | null;
  skillCodes: string[];
  eligibilityQuestions: EligibilityQuestion[];
  extraQuestions: ExtraQuestion[];
  status: ProgrammeStatus;
  reviewComment: string | null;
  publishedAt: Date | null;
  updatedAt: Date;
};

function dateOnly(v: unknown): string | null {
  if (!v) return null;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return String(v).slice(0, 10);
}

export function presentProgramme(r: ProgrammeRow): ProgrammeView {
  return {
    id: r.id,
    organisationId: r.organisation_id,
    organisationName: r.organisation_name,
    fiscalYear: r.fiscal_year,
    layer: r.layer,
    title: r.title,
    summary: r.summary,
    descriptionMd: r.description_md,
    format: r.format,
    prefectureCodes: (r.prefecture_codes ?? []).map(Number),
    venue: r.venue,
    startsOn: dateOnly(r.starts_on),
    endsOn: dateOnly(r.ends_on),
    scheduleNote: r.schedule_note,
    opensAt: r.opens_at,
    closesAt: r.closes_at,
    capacity: r.capacity,
    feeYen: r.fee_yen,
    targetLearners: r.target_learners,
    weeklyHours: r.weekly_hours === null ? null : Number(r.weekly_hours),
    commitmentRequired: r.commitment_required,
    dxStage: r.dx_stage,
    skillFrameworkId: r.skill_framework_id,
    skillCodes: r.skill_codes ?? [],
    eligibilityQuestions: parseEligibility(r.eligibility_questions),
    extraQuestions: parseExtra(r.extra_questions),
    status: r.status,
    reviewComment: r.review_comment,
    publishedAt: r.published_at,
    updatedAt: r.updated_at,
  };
}

/** Open for applications at `now`: published, and inside [opensAt, closesAt) — to the second, in any zone. */
export function isOpen(p: Pick<ProgrammeView, 'status' | 'opensAt' | 'closesAt'>, now: Date): boolean {
  return (
    p.status === 'published' &&
    !!p.opensAt &&
    !!p.closesAt &&
    p.opensAt.getTime() <= now.getTime() &&
    now.getTime() < p.closesAt.getTime()
  );
}
