import { z } from 'zod';
import type { ApplicationStatus } from '../../db/schema.js';
import { hasControlChars, normalizeText } from '../../lib/text.js';
import type { DeskFilter } from './desk.repository.js';

// zod contracts for the desk's filters and decision forms (STYLE.md 2). Messages in Japanese.

export const DESK_PAGE_SIZE = 100;
/** One bulk decision covers at most this many applications (a page of the list holds 100). */
export const BULK_MAX = 500;
export const LIMITS = { q: 100 } as const;

/** Statuses the desk shows (drafts are the applicant's own until submitted). */
export const DESK_STATUSES = [
  'submitted',
  'under_review',
  'accepted',
  'waitlisted',
  'rejected',
  'enrolled',
  'withdrawn',
] as const satisfies readonly ApplicationStatus[];

/** What the desk may move an application to. Each is still checked against the state machine. */
export const DESK_TARGETS = [
  'under_review',
  'accepted',
  'waitlisted',
  'rejected',
  'enrolled',
  'withdrawn',
] as const satisfies readonly ApplicationStatus[];
export type DeskTarget = (typeof DESK_TARGETS)[number];

const one = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);
const blankToUndefined = (v: unknown) => {
  const s = one(v);
  return typeof s === 'string' && s.trim() === '' ? undefined : s;
};

/**
 * The list's query string. Select boxes are forgiving (an unknown value means "all"); the keyword is
 * checked, so a too-long one says so instead of being silently cut.
 */
export const deskFilterSchema = z.object({
  status: z.preprocess(blankToUndefined, z.enum(DESK_STATUSES).optional()).catch(undefined),
  prefecture: z
    .preprocess(blankToUndefined, z.coerce.number().int().min(1).max(47).optional())
    .catch(undefined),
  occupation: z.preprocess(blankToUndefined, z.enum(['student', 'worker']).optional()).catch(undefined),
  q: z.preprocess(
    (v) => (typeof one(v) === 'string' ? one(v) : ''),
    z
      .string()
      .transform(normalizeText)
      .pipe(
        z
          .string()
          .max(LIMITS.q, `キーワードは${LIMITS.q}文字以内で入力してください`)
          .refine((s) => !hasControlChars(s), '使用できない文字が含まれています'),
      )
      .transform((s) => s || undefined),
  ),
  page: z.preprocess(one, z.coerce.number().int().min(1).max(100_000)).catch(1),
});
export type DeskQuery = z.infer<typeof deskFilterSchema>;

export function toFilter(q: DeskQuery): DeskFilter {
  return { status: q.status, prefecture: q.prefecture, occupation: q.occupation, q: q.q };
}

/** The filter back into a query string (for pagination and export links). */
export function toQuery(f: DeskFilter, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  if (f.status) p.set('status', f.status);
  if (f.prefecture) p.set('prefecture', String(f.prefecture));
  if (f.occupation) p.set('occupation', f.occupation);
  if (f.q) p.set('q', f.q);
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
const ids = z.preprocess(
  (v) => (Array.isArray(v) ? v : typeof v === 'string' && v ? [v] : []),
  z
    .array(uuid, { error: '申込みを選び直してください' })
    .min(1, '申込みを1件以上選択してください')
    .max(BULK_MAX, `一度に処理できるのは${BULK_MAX}件までです`),
);
const target = z.preprocess(one, z.enum(DESK_TARGETS, { error: '処理の内容を選択してください' }));

/** Step 1: rows ticked on the list (or the one application on its page) and what to do with them. */
export const previewSchema = z.object({ to: target, ids });
export type PreviewInput = z.infer<typeof previewSchema>;

/**
 * Step 2: the confirmation page sends back each application with the status it had when shown. That status
 * is the `from` of the guarded move, so an application changed in between is reported, not moved.
 */
const item = z
  .string()
  .regex(/^[0-9a-f-]{36}:[a-z_]{5,20}$/i, '申込みを選び直してください')
  .transform((s) => {
    const [id = '', from = ''] = s.split(':');
    return { id, from: from as ApplicationStatus };
  })
  .pipe(z.object({ id: uuid, from: z.enum(DESK_STATUSES, { error: '申込みを選び直してください' }) }));
export const executeSchema = z.object({
  to: target,
  items: z.preprocess(
    (v) => (Array.isArray(v) ? v : typeof v === 'string' && v ? [v] : []),
    z.array(item).min(1, '申込みを1件以上選択してください').max(BULK_MAX),
  ),
});
export type ExecuteInput = z.infer<typeof executeSchema>;

/** "Promote the next on the waitlist": the one the page showed as next, so a changed queue is reported. */
export const promoteSchema = z.object({ expected: z.preprocess(one, uuid) });

export const uuidParam = uuid;
