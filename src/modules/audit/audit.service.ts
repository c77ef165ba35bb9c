import type { Database } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { type Actor, actorOrgId, actorUserId } from '../../lib/actor.js';
import { type AuditInsert, insertAudit } from './audit.repository.js';

/** Subject of an audited action: what was touched. */
export type Subject = { type: string; id: string } | null;

// Keys whose values must never be stored: passwords, tokens, secrets, one-time codes (not e.g. prefectureCode).
const SECRET_KEYS = /pass(word)?$|password|token|secret|totp|(^|_)(otp|code)$/i;

/**
 * Writes one audit row inside the caller's transaction (SECURITY.md: every state change, in the same
 * transaction). Passwords, tokens and codes are never written, even if a caller passes them by mistake.
 */
export async function audit(
  deps: Pick<Deps, 'clock'>,
  tx: Database,
  actor: Actor,
  action: string,
  subject: Subject,
  details: Record<string, unknown> = {},
): Promise<void> {
  await insertAudit(tx, auditRecord(deps, actor, action, subject, details));
}

/**
 * The audit row `audit` would write, for a statement that writes it itself (the one-statement submission):
 * the same redaction, actor and time.
 */
export function auditRecord(
  deps: Pick<Deps, 'clock'>,
  actor: Actor,
  action: string,
  subject: Subject,
  details: Record<string, unknown> = {},
): AuditInsert {
  const clean: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(details)) clean[k] = SECRET_KEYS.test(k) ? '[redacted]' : v;
  if (actor.type === 'system') clean.system = actor.label;
  return {
    at: deps.clock.now(),
    actorUserId: actorUserId(actor),
    actorOrganisationId: actorOrgId(actor),
    action,
    subjectType: subject?.type ?? null,
    subjectId: subject?.id ?? null,
    ip: actor.ip,
    requestId: actor.requestId,
    details: clean,
  };
}
