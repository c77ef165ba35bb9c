import { z } from 'zod';
import { hasControlChars, normalizeText } from '../../lib/text.js';
import { displayName, email, newPassword } from '../identity/identity.schema.js';
import { ORG_KINDS, ROLES } from './organisation.labels.js';

// zod contracts for the organisation forms (STYLE.md 2): the same limits render maxlength/※必須 on the page.
export const LIMITS = { name: 100, nameEn: 200 } as const;

const plainText = (label: string, max: number) =>
  z
    .string({ error: `${label}を入力してください` })
    .transform(normalizeText)
    .pipe(
      z
        .string()
        .max(max, `${label}は${max}文字以内で入力してください`)
        .refine((v) => !hasControlChars(v), '使用できない文字が含まれています'),
    );

const name = plainText('組織名', LIMITS.name).pipe(z.string().min(1, '組織名を入力してください'));

/** Optional: an empty field means "none" (stored as null). */
const nameEn = z
  .preprocess((v) => v ?? '', plainText('英語名', LIMITS.nameEn))
  .transform((v) => (v ? v : null));

const kind = z.enum(ORG_KINDS, { error: '組織の種別を選択してください' });

/** JIS X 0401 code from a <select>; "" means none. */
const prefectureCode = z
  .string()
  .default('')
  .transform((v) => v.normalize('NFKC').trim())
  .pipe(
    z.union([
      z.literal('').transform(() => null),
      z
        .string()
        .regex(/^\d{1,2}$/, '都道府県を一覧から選択してください')
        .transform(Number)
        .pipe(
          z
            .number()
            .int()
            .min(1, '都道府県を一覧から選択してください')
            .max(47, '都道府県を一覧から選択してください'),
        ),
    ]),
  );

export const organisationSchema = z.object({ name, nameEn, kind, prefectureCode }).superRefine((v, ctx) => {
  // A regional hub (地域ハブ団体) is defined by its region: the prefecture is what the list is sorted by.
  if (v.kind === 'regional_hub' && v.prefectureCode === null) {
    ctx.addIssue({
      code: 'custom',
      path: ['prefectureCode'],
      message: '地域ハブ団体は都道府県を選択してください',
    });
  }
});
export type OrganisationInput = z.infer<typeof organisationSchema>;

const role = z.enum(ROLES, { error: '役割を選択してください' });

export const invitationSchema = z.object({ email, role });
export type InvitationInput = z.infer<typeof invitationSchema>;

export const roleChangeSchema = z.object({ role });

export const acceptInvitationSchema = z
  .object({
    displayName,
    password: newPassword,
    confirm: z.string({ error: '確認用のパスワードを入力してください' }).max(128),
  })
  .superRefine((v, ctx) => {
    if (v.password !== v.confirm) {
      ctx.addIssue({ code: 'custom', path: ['confirm'], message: '確認用のパスワードが一致しません' });
    }
  })
  .transform(({ displayName, password }) => ({ displayName, password }));
export type AcceptInvitationInput = z.infer<typeof acceptInvitationSchema>;

/** Ids in URLs: anything else is "not found" before it reaches the database (a bad uuid would be a 500). */
export const uuidParam = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);

/** The list's ?kind= filter: anything unknown means "all". */
export const kindFilterSchema = kind.optional().catch(undefined);
