import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';

/**
 * Who may do what with skill frameworks. Pure functions. Reading a framework needs no policy: versions are
 * public reference data (/frameworks). The staff list of versions is for any staff member (hubs and
 * operators align programmes to them); importing a version, and the import records (who uploaded what), are
 * the secretariat's (its admins and staff): a version, once imported, is what badges point to for years.
 */
export type FrameworkAction = 'frameworks.list' | 'frameworks.import';

export function can(actor: Actor, action: FrameworkAction): boolean {
  if (actor.type !== 'staff') return false;
  switch (action) {
    case 'frameworks.list':
      return true;
    case 'frameworks.import':
      return actor.org.kind === 'secretariat' && (actor.role === 'admin' || actor.role === 'staff');
    default: {
      const never: never = action;
      return never;
    }
  }
}

/** UNAUTHENTICATED for anonymous visitors (they should sign in), FORBIDDEN for everyone else refused. */
export function authorize(actor: Actor, action: FrameworkAction): void {
  if (can(actor, action)) return;
  if (actor.type === 'anonymous') throw new AppError('UNAUTHENTICATED', 'ログインしてください');
  throw new AppError('FORBIDDEN', 'この操作を行う権限がありません');
}
