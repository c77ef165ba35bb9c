import type { FieldErrors } from '../../lib/errors.js';
import type { ProgrammeView } from './programme.presenter.js';

/** 3層 地域企業協働プログラム: learners commit at least 6 hours a week (issue 3; マナビDX Quest の募集要件). */
export const MIN_WEEKLY_HOURS_LAYER3 = 6;

type Checked = Pick<
  ProgrammeView,
  | 'layer'
  | 'summary'
  | 'descriptionMd'
  | 'format'
  | 'prefectureCodes'
  | 'venue'
  | 'startsOn'
  | 'endsOn'
  | 'opensAt'
  | 'closesAt'
  | 'capacity'
  | 'targetLearners'
  | 'weeklyHours'
  | 'dxStage'
  | 'skillCodes'
>;

/**
 * What a programme still lacks before it may be published, per form field, in Japanese. A draft may be saved
 * half-done; this runs when the organisation submits it and again when the secretariat approves (the
 * closing time may have passed in between). Empty = ready. Pure: `now` is passed in.
 */
export function publicationProblems(p: Checked, now: Date): FieldErrors {
  const e: FieldErrors = {};
  if (!p.summary) e.summary = '概要を入力してください';
  if (!p.descriptionMd) e.descriptionMd = '詳細説明を入力してください';
  // An online programme may take learners from anywhere (全国); one with a venue says where it is.
  if (p.format !== 'online') {
    if (p.prefectureCodes.length === 0) e.prefectureCodes = '実施地域の都道府県を選択してください';
    if (!p.venue) e.venue = '会場を入力してください';
  }
  if (!p.startsOn) e.startsOn = '実施期間の開始日を入力してください';
  if (!p.endsOn) e.endsOn = '実施期間の終了日を入力してください';
  if (!p.opensAt) e.opensAt = '募集開始日時を入力してください';
  if (!p.closesAt) e.closesAt = '募集締切日時を入力してください';
  else if (p.closesAt.getTime() <= now.getTime()) e.closesAt = '募集締切日時は現在より後の日時にしてください';
  if (p.capacity === null) e.capacity = '定員を入力してください';
  if (!p.targetLearners) e.targetLearners = '対象者を入力してください';
  if (p.weeklyHours === null) e.weeklyHours = '1週間あたりの学習時間の目安を入力してください';
  if (p.layer === 3) {
    if (p.weeklyHours !== null && p.weeklyHours < MIN_WEEKLY_HOURS_LAYER3) {
      e.weeklyHours = `地域企業協働プログラム(3層)は週${MIN_WEEKLY_HOURS_LAYER3}時間以上にしてください`;
    }
    if (!p.dxStage) e.dxStage = '協働先企業のDXの段階を選択してください';
  }
  if (p.skillCodes.length === 0) e.skillCodes = '身につくスキル(DSS-P)を1つ以上選択してください';
  return e;
}
