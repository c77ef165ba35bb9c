import { z } from 'zod';
import { hasControlChars, normalizeMultiline, normalizeText } from '../../lib/text.js';

// The "add a question" forms of the question editor (no JavaScript needed: one small POST per change).
// They produce the objects that questions.ts defines; questions.ts stays the one definition of a stored question.

export const QUESTION_LIMITS = {
  label: 200,
  help: 500,
  option: 100,
  eligibilityOptions: 20,
  extraOptions: 30,
  ineligibleMessage: 500,
  maxLength: 4000,
  /** How many questions a programme may ask: enough for any real form, small enough to stay a form. */
  eligibilityCount: 10,
  extraCount: 30,
} as const;

export const QUESTION_FORM_LABELS = {
  kind: '質問の種類',
  label: '質問文',
  help: '補足説明',
  required: '回答必須',
  maxLength: '最大文字数',
  options: '選択肢',
  maxSelect: '選べる数の上限',
  acceptable: '受け付ける回答',
  ineligibleMessage: '対象外の場合の説明',
} as const satisfies Record<string, string>;

const BAD = '使用できない文字が含まれています';
const label = z
  .string({ error: '質問文を入力してください' })
  .transform(normalizeText)
  .pipe(
    z
      .string()
      .min(1, '質問文を入力してください')
      .max(QUESTION_LIMITS.label, `質問文は${QUESTION_LIMITS.label}文字以内で入力してください`)
      .refine((v) => !hasControlChars(v), BAD),
  );
const help = z
  .string()
  .default('')
  .transform(normalizeMultiline)
  .pipe(
    z
      .string()
      .max(QUESTION_LIMITS.help, `補足説明は${QUESTION_LIMITS.help}文字以内で入力してください`)
      .refine((v) => !hasControlChars(v.replace(/\n/g, '')), BAD),
  )
  .transform((v) => v || undefined);

/** A textarea with one entry per line → distinct, non-empty, normalised lines. */
const lines = z
  .string()
  .default('')
  .transform((v) => [...new Set(normalizeMultiline(v).split('\n').map(normalizeText).filter(Boolean))]);

const optionalCount = (name: string, max: number) =>
  z
    .string()
    .default('')
    .transform((v) => v.normalize('NFKC').trim())
    .pipe(
      z
        .string()
        .regex(/^\d{0,4}$/, `${name}は1〜${max}の整数で入力してください`)
        .transform((v) => (v === '' ? undefined : Number(v)))
        .refine((n) => n === undefined || (n >= 1 && n <= max), `${name}は1〜${max}の整数で入力してください`),
    );

function checkOptions(options: string[], max: number, ctx: z.RefinementCtx) {
  if (options.length < 2)
    ctx.addIssue({ code: 'custom', path: ['options'], message: '選択肢を2つ以上入力してください' });
  if (options.length > max)
    ctx.addIssue({ code: 'custom', path: ['options'], message: `選択肢は${max}個までです` });
  if (options.some((o) => o.length > QUESTION_LIMITS.option)) {
    ctx.addIssue({
      code: 'custom',
      path: ['options'],
      message: `選択肢は1つ${QUESTION_LIMITS.option}文字以内で入力してください`,
    });
  }
}

const YES_NO: Record<string, 'yes' | 'no'> = { はい: 'yes', yes: 'yes', いいえ: 'no', no: 'no' };

export const eligibilityQuestionFormSchema = z
  .object({
    kind: z.enum(['yes_no', 'choice'], { error: '質問の種類を選択してください' }),
    label,
    help,
    options: lines,
    acceptable: lines,
    ineligibleMessage: z
      .string()
      .default('')
      .transform(normalizeMultiline)
      .pipe(
        z
          .string()
          .min(1, '対象外の場合の説明を入力してください')
          .max(
            QUESTION_LIMITS.ineligibleMessage,
            `説明は${QUESTION_LIMITS.ineligibleMessage}文字以内で入力してください`,
          )
          .refine((v) => !hasControlChars(v.replace(/\n/g, '')), BAD),
      ),
  })
  .superRefine((v, ctx) => {
    if (v.kind === 'choice') checkOptions(v.options, QUESTION_LIMITS.eligibilityOptions, ctx);
    const allowed = v.kind === 'yes_no' ? Object.keys(YES_NO) : v.options;
    if (v.acceptable.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['acceptable'],
        message: '受け付ける回答を1つ以上入力してください',
      });
    }
    for (const a of v.acceptable) {
      if (!allowed.includes(a)) {
        const hint = v.kind === 'yes_no' ? '「はい」か「いいえ」で' : '選択肢と同じ文言で';
        ctx.addIssue({
          code: 'custom',
          path: ['acceptable'],
          message: `受け付ける回答は${hint}入力してください`,
        });
        return;
      }
    }
  })
  .transform((v) => ({
    label: v.label,
    help: v.help,
    kind: v.kind,
    options: v.kind === 'choice' ? v.options : [],
    acceptable: [...new Set(v.kind === 'yes_no' ? v.acceptable.map((a) => YES_NO[a] ?? a) : v.acceptable)],
    ineligibleMessage: v.ineligibleMessage,
  }));

export const extraQuestionFormSchema = z
  .object({
    kind: z.enum(['short_text', 'long_text', 'choice', 'multi_choice', 'yes_no'], {
      error: '質問の種類を選択してください',
    }),
    label,
    help,
    required: z
      .unknown()
      .optional()
      .transform((v) => v === 'yes'),
    maxLength: optionalCount('最大文字数', QUESTION_LIMITS.maxLength),
    options: lines,
    maxSelect: optionalCount('選べる数の上限', QUESTION_LIMITS.extraOptions),
  })
  .superRefine((v, ctx) => {
    const choice = v.kind === 'choice' || v.kind === 'multi_choice';
    if (choice) checkOptions(v.options, QUESTION_LIMITS.extraOptions, ctx);
    if (v.kind === 'multi_choice' && v.maxSelect !== undefined && v.maxSelect > v.options.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxSelect'],
        message: '選べる数の上限は選択肢の数以下にしてください',
      });
    }
  })
  .transform((v) => {
    const text = v.kind === 'short_text' || v.kind === 'long_text';
    const choice = v.kind === 'choice' || v.kind === 'multi_choice';
    return {
      label: v.label,
      help: v.help,
      kind: v.kind,
      required: v.required,
      options: choice ? v.options : [],
      ...(text && v.maxLength !== undefined ? { maxLength: v.maxLength } : {}),
      ...(v.kind === 'multi_choice' && v.maxSelect !== undefined ? { maxSelect: v.maxSelect } : {}),
    };
  });

export type EligibilityQuestionForm = z.infer<typeof eligibilityQuestionFormSchema>;
export type ExtraQuestionForm = z.infer<typeof extraQuestionFormSchema>;

export const questionSetParam = z.enum(['eligibility', 'extra']);
export const questionIdParam = z.string().regex(/^[a-z0-9_]{1,30}$/);
export const moveSchema = z.object({
  direction: z.enum(['up', 'down'], { error: '移動の方向が正しくありません' }),
});
