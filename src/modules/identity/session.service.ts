import type { Database } from '../../db/client.js';
import type { SessionStage } from '../../db/schema.js';
import type { Deps } from '../../deps.js';
import { hashToken, newToken } from '../../lib/tokens.js';
import { deleteSession, insertSession, updateSession } from './session.repository.js';

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
