import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import { hasControlChars, normalizeEmail, normalizeText, toKatakana } from '../../lib/text.js';
import { email } from '../identity/identity.schema.js';
import type { ProgrammeView } from '../programmes/programme.presenter.js';
import { answersSchema, type EligibilityQuestion, type ExtraAnswer } from '../programmes/questions.js';

// zod contracts for the application form (STYLE.md 2). The same LIMITS render maxlength and the hints on the
// page; the database CHECKs in 0002 are the last line (full_name 100, furigana 100, email 254, affiliation 200).

export const LIMITS = { fullName: 100, furigana: 100, email: 254, affiliation: 200 } as const;

/**
 * The notice version stored with each consent (consent_notice_version) is the privacy policy's: the form
 * shows its summary (web/apply-notice.tsx) and links to /privacy, so both change together.
 */
export { PRIVACY_NOTICE_VERSION } from './privacy-notice.js';

export const OCCUPATIONS = ['student', 'worker'] as const;
export type Occupation = (typeof OCCUPATIONS)[number];
export const OCCUPATION_LABEL: Record<Occupation, string> = { student: '学生', worker: '社会人' };

export const FIELD_LABELS = {
  fullName: '氏名',
  furigana: 'ふりがな',
  email: 'メールアドレス',
  prefectureCode: '都道府県',
  occupation: '学生・社会人の別',
  affiliation: '学校名・勤務先',
  pledge: '受講にあたっての誓約',
  consentPurpose: '利用目的への同意',
  consentProvision: '運営団体への提供への同意',
} as const satisfies Record<string, string>;

/** A form value as parseBody gives it: a repeated name arrives as an array; only its first value counts. */
const one = (v: unknown): string => (Array.isArray(v) ? String(v[0] ?? '') : typeof v === 'string' ? v : '');

function text(label: string, max: number, normalize: (s: string) => string = normalizeText) {
  return z.preprocess(
    one,
    z
      .string()
      .transform(normalize)
      .pipe(
        z
          .string()
          .max(max, `${label}は${max}文字以内で入力してください`)
          .refine((v) => !hasControlChars(v), '使用できない文字が含まれています'),
      ),
  );
}

const required = (label: string, verb = '入力') => z.string().min(1, `${label}を${verb}してください`);

/** Katakana, the prolonged sound mark, middle dot and spaces: what ふりがな holds after toKatakana. */
const KATAKANA = /^[\u30A1-\u30FA\u30FB\u30FC\u30FD\u30FE ]+$/;

const prefectureCode = z.preprocess(
  (v) => one(v).normalize('NFKC').trim(),
  z.union([
    z.literal('').transform(() => null),
    z
      .string()
      .regex(/^\d{1,2}$/, '都道府県を一覧から選んでください')
      .transform(Number)
      .pipe(
        z
          .number()
          .int()
          .min(1, '都道府県を一覧から選んでください')
          .max(47, '都道府県を一覧から選んでください'),
      ),
  ]),
);

const occupation = z.preprocess(
  one,
  z.enum(['', ...OCCUPATIONS], { error: '学生か社会人かを選んでください' }).transform((v) => v || null),
);

/** A checkbox: present with value "yes" when ticked. */
const checkbox = z.preprocess(one, z.string()).transform((v) => v === 'yes');

/** The hidden key generated when the form was rendered; the same key twice is the same submission. */
export const idempotencyKey = z.preprocess(
  one,
  z
    .string()
    .regex(/^[A-Za-z0-9_-]{20,100}$/, 'フォームの有効期限が切れました。ページを再読み込みしてください'),
);

type Answers = Record<string, ExtraAnswer>;

/** Form keys q_<id> → stored keys <id> (the question ids of the programme). */
function collectAnswers(v: Record<string, unknown>): Answers {
  const out: Answers = {};
  for (const [k, a] of Object.entries(v)) if (k.startsWith('q_')) out[k.slice(2)] = a as ExtraAnswer;
  return out;
}

type Questions = Pick<ProgrammeView, 'extraQuestions' | 'commitmentRequired'>;

/**
 * Draft saving (autosave and the 一時保存 button): every limit is enforced, but nothing is required yet and
 * formats (e-mail, katakana) are left for submission, so a half-typed value can still be kept.
 */
export function draftSchema(p: Questions) {
  const answers = answersSchema(p.extraQuestions.map((q) => ({ ...q, required: false })));
  return z
    .object({
      fullName: text('氏名', LIMITS.fullName),
      furigana: text('ふりがな', LIMITS.furigana, toKatakana),
      email: text('メールアドレス', LIMITS.email, normalizeEmail),
      prefectureCode,
      occupation,
      affiliation: text('学校名・勤務先', LIMITS.affiliation),
      pledge: checkbox,
      ...answers.shape,
    })
    .transform((v) => ({
      fullName: v.fullName || null,
      furigana: v.furigana || null,
      email: v.email || null,
      prefectureCode: v.prefectureCode,
      occupation: v.occupation,
      affiliation: v.affiliation || null,
      pledge: v.pledge,
      answers: collectAnswers(v),
    }));
}
export type DraftInput = z.output<ReturnType<typeof draftSchema>>;

/** Submission: everything the programme needs, with consent to the notice shown above the button. */
export function applicationSchema(p: Questions) {
  const answers = answersSchema(p.extraQuestions);
  return z
    .object({
      fullName: text('氏名', LIMITS.fullName).pipe(required('氏名')),
      furigana: text('ふりがな', LIMITS.furigana, toKatakana)
        .pipe(required('ふりがな'))
        .pipe(z.string().regex(KATAKANA, 'ふりがなは、ひらがなかカタカナで入力してください')),
      email: z.preprocess(one, email),
      prefectureCode: prefectureCode.pipe(z.number({ error: '都道府県を選んでください' })),
      occupation: occupation.pipe(z.enum(OCCUPATIONS, { error: '学生か社会人かを選んでください' })),
      affiliation: text('学校名・勤務先', LIMITS.affiliation).pipe(required('学校名・勤務先')),
      pledge: p.commitmentRequired
        ? checkbox.refine((v) => v, '受講にあたっての誓約に同意してください')
        : checkbox,
      // 個人情報保護法 21条 (purpose) and 27条 (provision to a third party): two separate, explicit consents.
      consentPurpose: checkbox.refine((v) => v, '個人情報の利用目的に同意してください'),
      consentProvision: checkbox.refine((v) => v, '運営団体への個人情報の提供に同意してください'),
      idempotencyKey,
      ...answers.shape,
    })
    .transform((v) => ({
      fullName: v.fullName,
      furigana: v.furigana,
      email: v.email,
      prefectureCode: v.prefectureCode,
      occupation: v.occupation,
      affiliation: v.affiliation,
      pledge: v.pledge,
      idempotencyKey: v.idempotencyKey,
      answers: collectAnswers(v),
    }));
}
export type ApplicationInput = z.output<ReturnType<typeof applicationSchema>>;

/** Eligibility step: one answer per question (e_<id>), from the question's own choices. */
export function eligibilitySchema(questions: EligibilityQuestion[]) {
  const shape: Record<string, z.ZodType<string>> = {};
  for (const q of questions) {
    const allowed = (q.kind === 'yes_no' ? ['yes', 'no'] : q.options) as [string, ...string[]];
    shape[`e_${q.id}`] = z.preprocess(one, z.enum(allowed, { error: '回答を選んでください' }));
  }
  return z.object(shape);
}

/** Stored eligibility answers are keyed by question id, like the extra answers. */
export function eligibilityAnswersOf(v: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, a] of Object.entries(v)) if (k.startsWith('e_')) out[k.slice(2)] = a;
  return out;
}

/** A failed parse as the AppError routes turn into a 422 form: the first message per field (as web/forms.ts). */
export function validationError(error: z.ZodError): AppError {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    // The idempotency key is a hidden field: its problem is the form's, not a field the applicant can fix.
    const field = issue.path.length ? String(issue.path[0]) : '_form';
    const key = field === 'idempotencyKey' ? '_form' : field;
    if (!(key in fields)) fields[key] = issue.message;
  }
  return new AppError('VALIDATION', Object.values(fields)[0] ?? '入力内容を確認してください', { fields });
}
