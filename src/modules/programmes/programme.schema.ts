import { z } from 'zod';
import { hasControlChars, normalizeMultiline, normalizeText } from '../../lib/text.js';
import { parseDateOnly, parseJstLocal } from './jst.js';

// zod contracts for the programme management forms (STYLE.md 2). The same LIMITS render maxlength on the page
// and match the CHECK constraints of 0002. Forms send strings; these turn them into typed values.
export const LIMITS = {
  title: 120,
  summary: 400,
  descriptionMd: 20000,
  venue: 200,
  scheduleNote: 2000,
  targetLearners: 2000,
  capacityMax: 100000,
  feeMax: 10_000_000,
  weeklyHoursMax: 80,
  comment: 2000,
} as const;

export const PROGRAMME_LABELS = {
  fiscalYear: '年度',
  title: 'プログラム名',
  summary: '概要',
  descriptionMd: '詳細説明',
  format: '実施形式',
  prefectureCodes: '実施地域(都道府県)',
  venue: '会場',
  startsOn: '実施期間(開始日)',
  endsOn: '実施期間(終了日)',
  scheduleNote: 'スケジュール',
  opensAt: '募集開始日時',
  closesAt: '募集締切日時',
  capacity: '定員',
  feeYen: '受講料',
  targetLearners: '対象者',
  weeklyHours: '1週間あたりの学習時間',
  commitmentRequired: '最後までやり遂げる誓約',
  dxStage: '協働先企業のDXの段階',
  skillCodes: '身につくスキル(DSS-P)',
  comment: '差し戻しの理由',
} as const satisfies Record<string, string>;

const noControl = (v: string) => !hasControlChars(v.replace(/\n/g, ''));
const BAD_CHARS = '使用できない文字が含まれています';

/** One line of text; `min1` makes it required. */
function line(label: string, max: number, min1 = false) {
  const inner = z
    .string()
    .max(max, `${label}は${max}文字以内で入力してください`)
    .refine(noControl, BAD_CHARS);
  return z
    .string({ error: `${label}を入力してください` })
    .default('')
    .transform(normalizeText)
    .pipe(min1 ? inner.min(1, `${label}を入力してください`) : inner);
}

/** Multi-line text (line breaks kept). */
function block(label: string, max: number) {
  return z
    .string()
    .default('')
    .transform(normalizeMultiline)
    .pipe(z.string().max(max, `${label}は${max}文字以内で入力してください`).refine(noControl, BAD_CHARS));
}

/** Digits only after NFKC (全角 → 半角) with thousands separators and a trailing unit dropped. */
const digits = (v: string) =>
  v
    .normalize('NFKC')
    .replace(/[,\s]/g, '')
    .replace(/(円|人|名|時間)$/, '');

/** '' → null; anything else must parse (parse returns null when it does not), with one message. */
function optional<T>(prepare: (v: string) => string, parse: (s: string) => T | null, message: string) {
  return z
    .string()
    .default('')
    .transform((v, ctx) => {
      const s = prepare(v);
      if (s === '') return null;
      const out = parse(s);
      if (out === null) {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
      return out;
    });
}

const trimmed = (v: string) => v.normalize('NFKC').trim();

const intIn = (min: number, max: number) => (s: string) => {
  const n = /^\d{1,9}$/.test(s) ? Number(s) : Number.NaN;
  return n >= min && n <= max ? n : null;
};

function optionalInt(label: string, min: number, max: number) {
  return optional(
    digits,
    intIn(min, max),
    `${label}は${min}〜${max.toLocaleString('ja-JP')}の整数で入力してください`,
  );
}

const fee = z
  .string()
  .default('')
  .transform(digits)
  .pipe(
    z
      .string()
      .min(1, '受講料を入力してください(無料の場合は0)')
      .regex(/^\d{1,9}$/, '受講料は半角数字(円)で入力してください')
      .transform(Number)
      .pipe(
        z
          .number()
          .max(LIMITS.feeMax, `受講料は${LIMITS.feeMax.toLocaleString('ja-JP')}円以内で入力してください`),
      ),
  );

const weeklyHours = optional(
  digits,
  (s) => (/^\d{1,2}(\.\d)?$/.test(s) && Number(s) <= LIMITS.weeklyHoursMax ? Number(s) : null),
  '学習時間は0〜80の数(小数は1桁まで)で入力してください',
);

const dateOnly = (label: string) =>
  optional(trimmed, parseDateOnly, `${label}は正しい日付で入力してください`);

/** datetime-local, read as Japan time whatever the server's zone (jst.ts). */
const jstDateTime = (label: string) =>
  optional(trimmed, parseJstLocal, `${label}は正しい日時で入力してください`);

const DX_STAGES = ['pattern1', 'pattern2', 'pattern3'] as const;
const dxStage = optional(
  trimmed,
  (s) => DX_STAGES.find((x) => x === s) ?? null,
  'DXの段階を一覧から選択してください',
);

/** Checkbox groups arrive as one string or an array of strings, or not at all. */
const many = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

const prefectureCodes = many.pipe(
  z
    .array(
      z
        .string()
        .regex(/^\d{1,2}$/, '都道府県を一覧から選択してください')
        .transform(Number),
    )
    .max(47)
    .refine((a) => a.every((n) => n >= 1 && n <= 47), '都道府県を一覧から選択してください')
    .transform((a) => [...new Set(a)].sort((x, y) => x - y)),
);

const skillCodes = many.pipe(
  z.array(z.string().max(40, 'スキルを一覧から選択してください')).max(100, 'スキルの選択が多すぎます'),
);

/** The fields a published programme may still change (programme.policy.ts CONTENT_FIELDS). */
const contentShape = {
  title: line('プログラム名', LIMITS.title, true),
  summary: line('概要', LIMITS.summary),
  descriptionMd: block('詳細説明', LIMITS.descriptionMd),
  venue: line('会場', LIMITS.venue),
  startsOn: dateOnly('実施期間の開始日'),
  endsOn: dateOnly('実施期間の終了日'),
  scheduleNote: block('スケジュール', LIMITS.scheduleNote),
  capacity: optionalInt('定員', 1, LIMITS.capacityMax),
};

function checkDates(v: { startsOn: string | null; endsOn: string | null }, ctx: z.RefinementCtx) {
  if (v.startsOn && v.endsOn && v.endsOn < v.startsOn) {
    ctx.addIssue({ code: 'custom', path: ['endsOn'], message: '終了日は開始日以降の日付にしてください' });
  }
}

export const programmeContentSchema = z.object(contentShape).superRefine(checkDates);
export type ProgrammeContentInput = z.infer<typeof programmeContentSchema>;

export const programmeSchema = z
  .object({
    ...contentShape,
    fiscalYear: z
      .string({ error: '年度を選択してください' })
      .transform(digits)
      .pipe(
        z
          .string()
          .regex(/^\d{4}$/, '年度を選択してください')
          .transform(Number)
          .pipe(z.number().min(2022, '年度を選択してください').max(2100, '年度を選択してください')),
      ),
    format: z.enum(['venue', 'online', 'hybrid'], { error: '実施形式を選択してください' }),
    prefectureCodes,
    opensAt: jstDateTime('募集開始日時'),
    closesAt: jstDateTime('募集締切日時'),
    feeYen: fee,
    targetLearners: block('対象者', LIMITS.targetLearners),
    weeklyHours,
    commitmentRequired: z
      .unknown()
      .optional()
      .transform((v) => v === 'yes'),
    dxStage,
    skillCodes,
  })
  .superRefine((v, ctx) => {
    checkDates(v, ctx);
    if (v.opensAt && v.closesAt && v.closesAt.getTime() <= v.opensAt.getTime()) {
      ctx.addIssue({
        code: 'custom',
        path: ['closesAt'],
        message: '募集締切日時は募集開始日時より後にしてください',
      });
    }
  });
export type ProgrammeInput = z.infer<typeof programmeSchema>;

/** Sending a programme back needs a reason the organisation can act on (issue 3). */
export const returnSchema = z.object({
  comment: block('差し戻しの理由', LIMITS.comment).pipe(
    z.string().min(1, '差し戻しの理由を入力してください'),
  ),
});

/** Ids in URLs: anything else is "not found" before it reaches the database. */
export const uuidParam = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);

/** The list pages' query string: anything unknown means "all" (a shared URL never errors). */
export const listFilterSchema = z.object({
  status: z.enum(['draft', 'submitted', 'published', 'closed', 'archived']).optional().catch(undefined),
  layer: z
    .enum(['2', '3'])
    .transform((v) => Number(v) as 2 | 3)
    .optional()
    .catch(undefined),
  org: uuidParam.optional().catch(undefined),
  fy: z.coerce.number().int().min(2022).max(2100).optional().catch(undefined),
});
export type ListFilter = z.infer<typeof listFilterSchema>;
