import { z } from 'zod';
import { normalizeEmail, normalizeText } from '../../../lib/text.js';
import type { AuditFilter } from '../audit.repository.js';

// The audit search form (a GET form: its values are in the query string, so a search can be bookmarked).
export const AUDIT_SEARCH_LABELS = {
  from: '期間(開始日)',
  to: '期間(終了日)',
  action: '操作',
  actor: '操作者のメールアドレス',
  org: '操作者の組織',
  subject: '対象ID',
} as const;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date in Japan (the office's day), as the instant it starts: 2026-04-01 → 2026-03-31T15:00Z. */
export function jstDayStart(ymd: string): Date | null {
  const m = DAY.exec(ymd);
  if (!m) return null;
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T00:00:00+09:00`);
  if (Number.isNaN(d.getTime())) return null;
  // Rejects 2026-02-30 and the like: the date must survive the round trip.
  const back = new Date(d.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
  return back === ymd ? d : null;
}

const optionalText = (max: number, normalise: (s: string) => string, tooLong: string) =>
  z.string().default('').transform(normalise).pipe(z.string().max(max, tooLong));

const day = (label: string) =>
  z
    .string()
    .default('')
    .transform((v) => v.trim())
    .refine(
      (v) => v === '' || jstDayStart(v) !== null,
      `${label}は 2026-04-01 の形式の日付で入力してください`,
    );

export const auditSearchSchema = z
  .object({
    from: day(AUDIT_SEARCH_LABELS.from),
    to: day(AUDIT_SEARCH_LABELS.to),
    action: optionalText(100, normalizeText, '操作は100文字以内で入力してください'),
    actor: optionalText(254, normalizeEmail, 'メールアドレスは254文字以内で入力してください'),
    org: z
      .string()
      .default('')
      .refine(
        (v) => v === '' || /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
        '組織を一覧から選択してください',
      ),
    subject: optionalText(200, normalizeText, '対象IDは200文字以内で入力してください'),
    page: z.coerce.number().int().min(1).max(100_000).default(1).catch(1),
  })
  .superRefine((v, ctx) => {
    if (v.from && v.to && v.from > v.to) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: '終了日は開始日と同じか、それより後の日付にしてください',
      });
    }
  });

export type AuditSearch = z.infer<typeof auditSearchSchema>;

/** Form values → repository filter. The end date is inclusive: up to the start of the next day in Japan. */
export function toFilter(s: AuditSearch): AuditFilter {
  const to = s.to ? jstDayStart(s.to) : null;
  return {
    from: (s.from ? jstDayStart(s.from) : null) ?? undefined,
    to: to ? new Date(to.getTime() + 24 * 3_600_000) : undefined,
    action: s.action || undefined,
    actorEmail: s.actor || undefined,
    organisationId: s.org || undefined,
    subjectId: s.subject || undefined,
  };
}

/** The search as a query string (paging links, the CSV link), without empty fields. */
export function toQuery(s: AuditSearch, page?: number): string {
  const p = new URLSearchParams();
  for (const k of ['from', 'to', 'action', 'actor', 'org', 'subject'] as const) if (s[k]) p.set(k, s[k]);
  if (page && page > 1) p.set('page', String(page));
  const q = p.toString();
  return q ? `?${q}` : '';
}
