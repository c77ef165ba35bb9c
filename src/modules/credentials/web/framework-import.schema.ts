import { z } from 'zod';
import { hasControlChars, normalizeMultiline, normalizeText } from '../../../lib/text.js';
import type { MetaInput } from '../framework-import.check.js';
import { LIMITS, SLUG_PATTERN, VERSION_PATTERN } from '../framework-import.format.js';

// The import form's text fields (STYLE.md 2): the same limits render maxlength and validate the POST. Each is
// optional here, because a JSON file may carry the value itself; the dry run reports a value missing from
// both (framework-import.check.ts). The files are read from the multipart body by the route.

export const IMPORT_LABELS = {
  file: 'スキル項目のファイル(XLSX・CSV・JSON)',
  rolesFile: 'ロールのファイル(CSVのとき、任意)',
  slug: 'スキル標準の識別子',
  version: 'バージョン',
  name: 'スキル標準の名称',
  provenance: '出典・位置づけ',
  official: '公式版の確認',
} as const;

const BAD_CHARS = '使用できない文字が含まれています';

const pattern = (re: RegExp, message: string) =>
  z
    .string()
    .default('')
    .transform(normalizeText)
    .pipe(z.string().refine((v) => v === '' || re.test(v), message));

export const importFormSchema = z.object({
  slug: pattern(SLUG_PATTERN, '識別子は半角英小文字・数字・「-」の40文字以内で入力してください'),
  version: pattern(
    VERSION_PATTERN,
    'バージョンは半角英数字・「.」「-」の20文字以内で入力してください',
  ).refine((v) => !/\.json$/i.test(v), 'バージョンは「.json」で終わらないものにしてください'),
  name: z
    .string()
    .default('')
    .transform(normalizeText)
    .pipe(
      z
        .string()
        .max(LIMITS.frameworkName, `名称は${LIMITS.frameworkName}文字以内で入力してください`)
        .refine((v) => !hasControlChars(v), BAD_CHARS),
    ),
  provenance: z
    .string()
    .default('')
    .transform(normalizeMultiline)
    .pipe(
      z
        .string()
        .max(LIMITS.provenance, `出典・位置づけは${LIMITS.provenance}文字以内で入力してください`)
        .refine((v) => !hasControlChars(v.replace(/\n/g, '')), BAD_CHARS),
    ),
  official: z.literal('yes').optional(),
});

export type ImportForm = z.infer<typeof importFormSchema>;

export function toMetaInput(f: ImportForm): MetaInput {
  return {
    ...(f.slug ? { slug: f.slug } : {}),
    ...(f.version ? { version: f.version } : {}),
    ...(f.name ? { name: f.name } : {}),
    ...(f.provenance ? { provenance: f.provenance } : {}),
    official: f.official === 'yes',
  };
}
