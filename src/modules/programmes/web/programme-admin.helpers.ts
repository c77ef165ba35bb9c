import { AppError } from '../../../lib/errors.js';
import type { AppContext } from '../../../web/context.js';
import { formFields } from '../../../web/forms.js';
import { toJstLocal } from '../jst.js';
import type { ProgrammeView } from '../programme.presenter.js';
import { uuidParam } from '../programme.schema.js';

/** ?done=… → a fixed message (never text from the URL itself). */
export const DONE: Record<string, string> = {
  created: 'プログラムを下書きとして登録しました。内容を確認して、準備ができたら公開を申請してください。',
  updated: 'プログラムを更新しました。',
  submitted: '公開を申請しました。事務局の確認をお待ちください。',
  approved: '公開を承認しました。募集サイトに掲載され、組織の管理者にメールで知らせました。',
  returned: '差し戻しました。組織の管理者にコメントをメールで送りました。',
  closed: '募集を終了しました。',
  archived: 'アーカイブしました。',
  question_added: '質問を追加しました。',
  question_removed: '質問を削除しました。',
  question_moved: '質問の順序を変更しました。',
};

export const done = (c: AppContext) => DONE[c.req.query('done') ?? ''];

/** Path ids are checked before they reach a query: a malformed one is simply "not found". */
export function idParam(c: AppContext, name = 'id'): string {
  const r = uuidParam.safeParse(c.req.param(name));
  if (!r.success) throw new AppError('NOT_FOUND', 'プログラムが見つかりません');
  return r.data;
}

/** Checkbox groups: parseForm keeps only the first value of a repeated field, so re-read them all. */
export async function formArrays<K extends string>(
  c: AppContext,
  names: readonly K[],
): Promise<Record<K, string[]>> {
  const body = await formFields(c);
  const out = {} as Record<K, string[]>;
  for (const n of names) {
    const v = body[n];
    out[n] = (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter(
      (x): x is string => typeof x === 'string',
    );
  }
  return out;
}

/** A programme as the strings its edit form shows (dates and times in Japan time). */
export function formValues(p: ProgrammeView): Record<string, string> {
  return {
    fiscalYear: String(p.fiscalYear),
    title: p.title,
    summary: p.summary,
    descriptionMd: p.descriptionMd,
    format: p.format,
    venue: p.venue,
    startsOn: p.startsOn ?? '',
    endsOn: p.endsOn ?? '',
    scheduleNote: p.scheduleNote,
    opensAt: toJstLocal(p.opensAt),
    closesAt: toJstLocal(p.closesAt),
    capacity: p.capacity === null ? '' : String(p.capacity),
    feeYen: String(p.feeYen),
    targetLearners: p.targetLearners,
    weeklyHours: p.weeklyHours === null ? '' : String(p.weeklyHours),
    commitmentRequired: p.commitmentRequired ? 'yes' : '',
    dxStage: p.dxStage ?? '',
  };
}
