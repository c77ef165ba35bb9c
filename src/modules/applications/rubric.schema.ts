import { z } from 'zod';
import { hasControlChars, normalizeMultiline, normalizeText } from '../../lib/text.js';

// zod contracts for the rubric and scoring forms (STYLE.md 2). The limits match the CHECKs of 0002.
export const RUBRIC_LIMITS = {
  label: 100,
  description: 1000,
  comment: 4000,
  scaleMin: 1,
  scaleMax: 10,
} as const;

export const CRITERION_LABELS = {
  label: '評価項目',
  description: '説明',
  scaleMax: '段階(満点)',
  weight: '重み',
  direction: '移動',
} as const;

const one = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);

const plain = (label: string, max: number, multiline = false) =>
  z.preprocess(
    (v) => (typeof one(v) === 'string' ? one(v) : ''),
    z
      .string()
      .transform(multiline ? normalizeMultiline : normalizeText)
      .pipe(
        z
          .string()
          .max(max, `${label}は${max}文字以内で入力してください`)
          .refine((s) => !hasControlChars(s.replace(/\n/g, '')), '使用できない文字が含まれています'),
      ),
  );

/** Numbers typed with full-width digits (１０) are read after NFKC, like every other field. */
const numberText = (label: string) =>
  z.preprocess(
    (v) => (typeof one(v) === 'string' ? String(one(v)).normalize('NFKC').trim() : ''),
    z.string().min(1, `${label}を入力してください`),
  );

export const criterionSchema = z.object({
  label: plain(CRITERION_LABELS.label, RUBRIC_LIMITS.label).pipe(
    z.string().min(1, '評価項目を入力してください'),
  ),
  description: plain(CRITERION_LABELS.description, RUBRIC_LIMITS.description, true),
  scaleMax: numberText(CRITERION_LABELS.scaleMax)
    .pipe(z.string().regex(/^\d{1,2}$/, '段階は1から10の整数で入力してください'))
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(RUBRIC_LIMITS.scaleMin, '段階は1から10の整数で入力してください')
        .max(RUBRIC_LIMITS.scaleMax, '段階は1から10の整数で入力してください'),
    ),
  // numeric(5,2) in the database: up to two decimals, more than 0 and at most 100.
  weight: numberText(CRITERION_LABELS.weight)
    .pipe(
      z.string().regex(/^\d{1,3}(\.\d{1,2})?$/, '重みは0.01から100までの数(小数第2位まで)で入力してください'),
    )
    .transform(Number)
    .pipe(
      z
        .number()
        .min(0.01, '重みは0.01から100までの数(小数第2位まで)で入力してください')
        .max(100, '重みは0.01から100までの数(小数第2位まで)で入力してください'),
    ),
});
export type CriterionInput = z.infer<typeof criterionSchema>;

export const moveSchema = z.object({
  direction: z.preprocess(one, z.enum(['up', 'down'], { error: '移動の方向を選択してください' })),
});

/** Form field of one criterion's score. */
export const scoreField = (criterionId: string) => `s_${criterionId}`;

/**
 * The scoring form for a rubric: every criterion scored 0…its scale (a reviewer who cannot score declares a
 * conflict of interest instead), and a comment. Built from the criteria in the database, not from the form.
 */
export function reviewSchema(criteria: readonly { id: string; label: string; scale_max: number }[]) {
  const shape: Record<string, z.ZodType<number>> = {};
  for (const c of criteria) {
    const msg = `「${c.label}」を0から${c.scale_max}の中から選んでください`;
    shape[scoreField(c.id)] = z.preprocess(
      (v) => (typeof one(v) === 'string' ? String(one(v)).normalize('NFKC').trim() : ''),
      z
        .string()
        .regex(/^\d{1,2}$/, msg)
        .transform(Number)
        .pipe(z.number().int().min(0, msg).max(c.scale_max, msg)),
    );
  }
  return z.object({
    ...shape,
    comment: plain('コメント', RUBRIC_LIMITS.comment, true),
  });
}
