import type { Database } from '../../db/client.js';
import type { SessionStage } from '../../db/schema.js';
import type { Deps } from '../../deps.js';
import { hashToken, newToken } from '../../lib/tokens.js';
import { deleteExpiredTokens } from './identity.repository.js';
import { deleteStaleCounters } from './rate-limit.repository.js';
import {
  deleteExpiredSessions,
  deleteSession,
  findSession,
  insertSession,
  listMemberships,
  type MembershipView,
  type SessionRow,
  touchSession,
  updateSession,
} from './session.repository.js';

export type NewSession = { token: string; expiresAt: Date };

/**
 * Starts a session with a fresh 256-bit id, replacing the one the browser had (IPA #4: a new id at every
 * sign-in step, so a fixed or stolen pre-login id is worth nothing).
 */
export async function startSession(
  deps: Deps,
  tx: Database,
  input: {
    userId: string;
    stage: SessionStage;
    activeOrganisationId: string | null;
    replacesToken?: string | undefined;
    ip: string | null;
    userAgent: string | null;
    reauth?: boolean;
  },
): Promise<NewSession> {
  if (input.replacesToken) await deleteSession(tx, hashToken(input.replacesToken));
  const token = newToken();
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + deps.config.sessionAbsoluteMs);
  await insertSession(tx, {
    idHash: hashToken(token),
    userId: input.userId,
    stage: input.stage,
    activeOrganisationId: input.activeOrganisationId,
    now,
    expiresAt,
    ip: input.ip,
    userAgent: input.userAgent?.slice(0, 300) ?? null,
  });
  if (input.reauth) {
    await updateSession(tx, hashToken(token), { reauth_at: now });
  }
  return { token, expiresAt };
}

const TOUCH_EVERY_MS = 60_000;

export type ResolvedSession =
  | { status: 'none' }
  | { status: 'ended' }
  | { status: 'ok'; row: SessionRow; memberships: MembershipView[] };

/**
 * The session named by a cookie token. Sessions past their idle (SESSION_IDLE_MINUTES) or absolute timeout,
 * or of a disabled account, are deleted here and reported as ended.
 */
export async function resolveSession(deps: Deps, token: string): Promise<ResolvedSession> {
  if (token.length > 128) return { status: 'none' };
  const idHash = hashToken(token);
  const row = await findSession(deps.db, idHash);
  if (!row) return { status: 'none' };
  const now = deps.clock.now().getTime();
  const idle = now - row.last_seen_at.getTime();
  if (idle > deps.config.sessionIdleMs || now >= row.expires_at.getTime() || row.user_status !== 'active') {
    await deleteSession(deps.db, idHash);
    return { status: 'ended' };
  }
  if (idle > TOUCH_EVERY_MS) await touchSession(deps.db, idHash, deps.clock.now());
  const memberships = row.kind === 'staff' ? await listMemberships(deps.db, row.user_id) : [];
  return { status: 'ok', row, memberships };
}

/** Housekeeping (hourly job): expired sessions, old one-time tokens, stale rate-limit windows. */
export async function purgeExpiredIdentityData(deps: Deps): Promise<void> {
  const now = deps.clock.now();
  const day = 24 * 3_600_000;
  await deleteExpiredSessions(deps.db, now, new Date(now.getTime() - deps.config.sessionIdleMs));
  await deleteExpiredTokens(deps.db, new Date(now.getTime() - day));
  await deleteStaleCounters(deps.db, new Date(now.getTime() - day));
}
