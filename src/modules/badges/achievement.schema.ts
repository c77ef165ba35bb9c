import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import { normalizeMultiline, normalizeText } from '../../lib/text.js';

/**
 * The achievement form's contract (STYLE.md 2: one schema for the form's limits and the POST). Content fields
 * are optional in `achievementEditSchema` (an edit changes only what it names) and required on creation.
 */

const line = (max: number) =>
  z
    .string()
    .transform(normalizeText)
    .pipe(z.string().min(1, '必須です').max(max, `${max}文字以内で入力してください`));
const text = (max: number) =>
  z
    .string()
    .transform(normalizeMultiline)
    .pipe(z.string().min(1, '必須です').max(max, `${max}文字以内で入力してください`));

export const ACHIEVEMENT_KEY = /^[a-z0-9][a-z0-9._-]{0,39}$/;

export const achievementContentSchema = z.object({
  name: line(200),
  description: text(2000),
  criteriaNarrative: text(5000),
  /** OB 3.0 AchievementType (e.g. CertificateOfCompletion) or an `ext:` extension value. */
  achievementType: z
    .string()
    .trim()
    .regex(/^([A-Z][A-Za-z]{1,60}|ext:[A-Za-z0-9._-]{1,60})$/, '種類の形式が正しくありません'),
  /** Days a badge stays valid after issue; empty = does not expire. */
  validDays: z.number().int().min(1).max(36500).nullable(),
  /** The skill framework version the alignments use (a skill_frameworks id), or null for none. */
  frameworkId: z.uuid('スキル標準が見つかりません').nullable(),
  skillCodes: z.array(z.string().trim().min(1).max(40)).max(100, 'スキルは100項目まで選択できます'),
});

export const achievementCreateSchema = achievementContentSchema.extend({
  orgId: z.uuid(),
  key: z
    .string()
    .transform((s) => s.normalize('NFKC').trim().toLowerCase())
    .pipe(
      z
        .string()
        .regex(
          ACHIEVEMENT_KEY,
          '英小文字・数字・「-」「_」「.」の40文字以内で入力してください(例: regional-2026)',
        ),
    ),
  programmeId: z.uuid().nullable().default(null),
  achievementType: achievementContentSchema.shape.achievementType.default('CertificateOfCompletion'),
  validDays: achievementContentSchema.shape.validDays.default(null),
  frameworkId: achievementContentSchema.shape.frameworkId.default(null),
  skillCodes: achievementContentSchema.shape.skillCodes.default([]),
});

export const achievementEditSchema = achievementContentSchema.partial().extend({ achievementId: z.uuid() });

/** Uploaded images; undefined keeps what the version has. Publishing needs a PNG (the baked PNG's base). */
export type AchievementImages = { png?: Uint8Array; svg?: Uint8Array };

export type AchievementCreateInput = z.input<typeof achievementCreateSchema> & { images?: AchievementImages };
export type AchievementEditInput = z.input<typeof achievementEditSchema> & { images?: AchievementImages };

export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const fields = Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.'), i.message]));
  throw new AppError('VALIDATION', '入力内容を確認してください', { fields });
}
