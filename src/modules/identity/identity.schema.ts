import { z } from 'zod';
import { hasControlChars, normalizeEmail, normalizeText } from '../../lib/text.js';
import { isCommonPassword, PASSWORD_MAX, PASSWORD_MIN } from './password.js';

export const email = z
  .string({ error: 'メールアドレスを入力してください' })
  .transform(normalizeEmail)
  .pipe(
    z
      .string()
      .min(1, 'メールアドレスを入力してください')
      .max(254, 'メールアドレスは254文字以内で入力してください')
      .refine((v) => !hasControlChars(v), '使用できない文字が含まれています')
      .pipe(z.email('メールアドレスの形式が正しくありません(例: taro@example.jp)')),
  );

export const displayName = z
  .string({ error: '氏名を入力してください' })
  .transform(normalizeText)
  .pipe(
    z
      .string()
      .min(1, '氏名を入力してください')
      .max(100, '氏名は100文字以内で入力してください')
      .refine((v) => !hasControlChars(v), '使用できない文字が含まれています'),
  );

/** A new password: 8–128 characters, not a common one. No composition rules (NIST SP 800-63B, ASVS). */
export const newPassword = z
  .string({ error: 'パスワードを入力してください' })
  .min(PASSWORD_MIN, `パスワードは${PASSWORD_MIN}文字以上にしてください(15文字以上を推奨します)`)
  .max(PASSWORD_MAX, `パスワードは${PASSWORD_MAX}文字以内にしてください`)
  .refine(
    (v) => !isCommonPassword(v),
    'よく使われていて推測されやすいパスワードです。別のパスワードにしてください',
  );

export const totpCode = z
  .string({ error: '確認コードを入力してください' })
  .transform((v) => v.normalize('NFKC').replace(/\s/g, ''))
  .pipe(z.string().regex(/^\d{6}$/, '確認コードは6桁の数字で入力してください'));

export const passwordLoginSchema = z.object({
  email,
  password: z
    .string({ error: 'パスワードを入力してください' })
    .min(1, 'パスワードを入力してください')
    .max(PASSWORD_MAX, 'パスワードが長すぎます'),
  next: z.string().max(500).optional(),
});

export const totpSchema = z.object({ code: totpCode, next: z.string().max(500).optional() });
export const emailOnlySchema = z.object({ email });

function confirmed<T extends { password: string; confirm: string }>(v: T, ctx: z.RefinementCtx) {
  if (v.password !== v.confirm)
    ctx.addIssue({ code: 'custom', path: ['confirm'], message: '確認用のパスワードが一致しません' });
}

export const setPasswordSchema = z
  .object({
    password: newPassword,
    confirm: z.string({ error: '確認用のパスワードを入力してください' }).max(PASSWORD_MAX),
  })
  .superRefine(confirmed);

export const reauthSchema = z.object({
  password: z
    .string({ error: 'パスワードを入力してください' })
    .min(1, 'パスワードを入力してください')
    .max(PASSWORD_MAX),
  code: totpCode,
  next: z.string().max(500).optional(),
});

export const profileSchema = z.object({ displayName });
