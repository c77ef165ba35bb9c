import { z } from 'zod';
import type { DecisionKind } from '../../db/schema.js';
import { hasControlChars, normalizeMultiline } from '../../lib/text.js';
import { DECISION_PLACEHOLDERS } from '../notifications/mail.templates.js';

/**
 * Decision mails: the organisation edits the body text per decision; the subject is fixed by the mail
 * template (IPA #8: no user text in a header). Placeholders such as {氏名} are filled server-side when the
 * mail is rendered (notifications/mail.templates.ts). Pure: defaults, labels and the form's schema.
 */
export const DECISION_KINDS = [
  'accepted',
  'waitlisted',
  'rejected',
  'enrolled',
] as const satisfies readonly DecisionKind[];

export const DECISION_KIND_LABEL: Record<DecisionKind, string> = {
  accepted: '合格',
  waitlisted: '補欠',
  rejected: '不合格',
  enrolled: '受講確定',
};

export const TEMPLATE_MAX = 5000;

/** The text an organisation starts from (and returns to with "reset"). */
export const DEFAULT_DECISION_TEXT: Record<DecisionKind, string> = {
  accepted: [
    '{氏名} 様',
    '',
    '「{プログラム名}」にお申し込みいただき、ありがとうございました。',
    '選考の結果、合格となりましたのでお知らせします。',
    '',
    '今後の手続きと日程は、{組織名}から改めてご案内します。',
    '受講を辞退される場合は、お早めにお申し込みページから取り下げてください。',
  ].join('\n'),
  waitlisted: [
    '{氏名} 様',
    '',
    '「{プログラム名}」にお申し込みいただき、ありがとうございました。',
    '選考の結果、補欠となりましたのでお知らせします。',
    '',
    '定員に空きが出た場合は、補欠の順に{組織名}からご連絡します。',
  ].join('\n'),
  rejected: [
    '{氏名} 様',
    '',
    '「{プログラム名}」にお申し込みいただき、ありがとうございました。',
    '慎重に選考いたしましたが、誠に残念ながら今回はご希望に添えない結果となりました。',
    '',
    'マナビDX Quest では、ほかのプログラムも募集しています。またのご応募をお待ちしております。',
  ].join('\n'),
  enrolled: [
    '{氏名} 様',
    '',
    '「{プログラム名}」の受講が確定しました。',
    '',
    '開始までの準備とご案内は、{組織名}からお送りします。',
  ].join('\n'),
};

const KNOWN = new Set<string>(DECISION_PLACEHOLDERS);

/** Placeholders in a text that the mail cannot fill: `{…}` with a name outside the list. */
export function unknownPlaceholders(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\{([^{}\n]{1,20})\}/g)) {
    const name = m[1] ?? '';
    if (!KNOWN.has(name) && !out.includes(name)) out.push(name);
  }
  return out;
}

export const templateSchema = z.object({
  body: z.preprocess(
    (v) => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : ''),
    z
      .string()
      .transform(normalizeMultiline)
      .pipe(
        z
          .string()
          .min(1, '本文を入力してください')
          .max(TEMPLATE_MAX, `本文は${TEMPLATE_MAX}文字以内で入力してください`)
          .refine((s) => !hasControlChars(s.replace(/\n/g, '')), '使用できない文字が含まれています')
          .superRefine((s, ctx) => {
            const bad = unknownPlaceholders(s);
            if (bad.length)
              ctx.addIssue({
                code: 'custom',
                message: `使用できない差し込み項目があります: ${bad.map((b) => `{${b}}`).join(' ')}`,
              });
          }),
      ),
  ),
});

export const kindParam = z.enum(DECISION_KINDS);
