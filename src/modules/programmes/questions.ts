import { z } from 'zod';
import { hasControlChars, normalizeMultiline, normalizeText } from '../../lib/text.js';

/**
 * Questions a programme asks. Eligibility questions come first and hold no personal data: an answer outside
 * `acceptable` ends the application with the programme's explanation (個人情報保護法: collect only what is
 * needed). Extra questions are asked on the application form itself. Both are stored as JSON on the programme.
 */
const label = z.string().transform(normalizeText).pipe(z.string().min(1).max(200));
const help = z.string().transform(normalizeMultiline).pipe(z.string().max(500)).optional();
const option = z.string().transform(normalizeText).pipe(z.string().min(1).max(100));
const id = z.string().regex(/^[a-z0-9_]{1,30}$/);

export const eligibilityQuestionSchema = z
  .object({
    id,
    label,
    help,
    kind: z.enum(['yes_no', 'choice']),
    options: z.array(option).max(20).default([]),
    /** Answers that keep the applicant eligible ('yes' / 'no' for yes_no, option texts for choice). */
    acceptable: z.array(z.string().min(1).max(100)).min(1),
    ineligibleMessage: z.string().transform(normalizeMultiline).pipe(z.string().min(1).max(500)),
  })
  .superRefine((q, ctx) => {
    const allowed = q.kind === 'yes_no' ? ['yes', 'no'] : q.options;
    if (q.kind === 'choice' && q.options.length < 2)
      ctx.addIssue({ code: 'custom', message: '選択肢を2つ以上入力してください' });
    for (const a of q.acceptable)
      if (!allowed.includes(a)) ctx.addIssue({ code: 'custom', message: `「${a}」は選択肢にありません` });
  });

export const extraQuestionSchema = z
  .object({
    id,
    label,
    help,
    kind: z.enum(['short_text', 'long_text', 'choice', 'multi_choice', 'yes_no']),
    required: z.boolean().default(true),
    maxLength: z.number().int().min(1).max(4000).optional(),
    options: z.array(option).max(30).default([]),
    maxSelect: z.number().int().min(1).max(30).optional(),
  })
  .superRefine((q, ctx) => {
    if ((q.kind === 'choice' || q.kind === 'multi_choice') && q.options.length < 2) {
      ctx.addIssue({ code: 'custom', message: '選択肢を2つ以上入力してください' });
    }
  });

export type EligibilityQuestion = z.infer<typeof eligibilityQuestionSchema>;
export type ExtraQuestion = z.infer<typeof extraQuestionSchema>;
export type ExtraAnswer = string | string[];

export function maxLengthOf(q: ExtraQuestion): number {
  return q.maxLength ?? (q.kind === 'long_text' ? 2000 : 200);
}

/** Parses stored JSON defensively: a malformed entry is dropped rather than crashing a public page. */
export function parseEligibility(raw: unknown): EligibilityQuestion[] {
  const r = z.array(eligibilityQuestionSchema).safeParse(raw);
  return r.success ? r.data : [];
}

export function parseExtra(raw: unknown): ExtraQuestion[] {
  const r = z.array(extraQuestionSchema).safeParse(raw);
  return r.success ? r.data : [];
}

/** The zod schema for answers to a programme's extra questions (the form and the server share it). */
export function answersSchema(questions: ExtraQuestion[]) {
  const shape: Record<string, z.ZodType> = {};
  for (const q of questions) {
    const max = maxLengthOf(q);
    const text = z
      .string()
      .transform(q.kind === 'long_text' ? normalizeMultiline : normalizeText)
      .pipe(
        z
          .string()
          .max(max, `${max}文字以内で入力してください`)
          .refine((v) => !hasControlChars(v.replace(/\n/g, '')), '使用できない文字が含まれています'),
      );
    let s: z.ZodType;
    switch (q.kind) {
      case 'short_text':
      case 'long_text':
        s = q.required ? text.pipe(z.string().min(1, '入力してください')) : text.optional().default('');
        break;
      case 'yes_no':
        s = q.required
          ? z.enum(['yes', 'no'], { error: '「はい」か「いいえ」を選んでください' })
          : z.enum(['yes', 'no', '']).optional().default('');
        break;
      case 'choice':
        s = q.required
          ? z.enum(q.options as [string, ...string[]], { error: '選択肢から選んでください' })
          : z
              .enum(['', ...q.options] as [string, ...string[]])
              .optional()
              .default('');
        break;
      case 'multi_choice': {
        const arr = z
          .union([z.string(), z.array(z.string())])
          .transform((v) => (Array.isArray(v) ? v : v ? [v] : []))
          .pipe(
            z
              .array(z.enum(q.options as [string, ...string[]], { error: '選択肢から選んでください' }))
              .max(q.maxSelect ?? q.options.length, `${q.maxSelect ?? q.options.length}個まで選べます`),
          );
        s = q.required
          ? arr.pipe(z.array(z.string()).min(1, '1つ以上選んでください'))
          : arr.optional().default([]);
        break;
      }
    }
    shape[`q_${q.id}`] = s;
  }
  return z.object(shape);
}

/** Which eligibility answers fail, with the programme's explanation for each. */
export function ineligibleReasons(
  questions: EligibilityQuestion[],
  answers: Record<string, unknown>,
): string[] {
  return questions
    .filter((q) => !q.acceptable.includes(String(answers[`e_${q.id}`] ?? '')))
    .map((q) => q.ineligibleMessage);
}
