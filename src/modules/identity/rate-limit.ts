import type { Deps } from '../../deps.js';
import { AppError } from '../../lib/errors.js';
import { hitCounter, peekCounter, resetCounter } from './rate-limit.repository.js';

export type Limit = { name: string; max: number; windowMs: number };

export const LIMITS = {
  /** Every state-changing request from one address without a session. */
  postPerIp: { name: 'post-ip', max: 300, windowMs: 60_000 },
  /** Every state-changing request of one signed-in account (autosaves included). */
  postPerAccount: { name: 'post-user', max: 300, windowMs: 60_000 },
  /** Sign-in attempts (password or TOTP) from one address. */
  loginPerIp: { name: 'login-ip', max: 30, windowMs: 15 * 60_000 },
  /** Failed sign-ins against one account: after this the account answers "try later" (lock-out delay). */
  loginFailuresPerAccount: { name: 'login-fail', max: 5, windowMs: 15 * 60_000 },
  /** Magic-link, reset and invitation mails to one address, and requests from one IP. */
  mailPerAddress: { name: 'mail-addr', max: 5, windowMs: 60 * 60_000 },
  mailPerIp: { name: 'mail-ip', max: 30, windowMs: 60 * 60_000 },
} satisfies Record<string, Limit>;

export const rateLimited = () =>
  new AppError(
    'RATE_LIMITED',
    '短時間に多くの操作が行われました。しばらく待ってからもう一度お試しください。',
  );

/** Counts a hit; throws RATE_LIMITED when over the limit. */
export async function hit(deps: Deps, limit: Limit, subject: string): Promise<void> {
  const n = await hitCounter(deps.db, `${limit.name}:${subject}`, deps.clock.now(), limit.windowMs);
  if (n > limit.max) throw rateLimited();
}

export async function isOver(deps: Deps, limit: Limit, subject: string): Promise<boolean> {
  return (
    (await peekCounter(deps.db, `${limit.name}:${subject}`, deps.clock.now(), limit.windowMs)) >= limit.max
  );
}

export async function count(deps: Deps, limit: Limit, subject: string): Promise<void> {
  await hitCounter(deps.db, `${limit.name}:${subject}`, deps.clock.now(), limit.windowMs);
}

export async function reset(deps: Deps, limit: Limit, subject: string): Promise<void> {
  await resetCounter(deps.db, `${limit.name}:${subject}`);
}
