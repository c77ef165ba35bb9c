import type { Database } from '../../db/client.js';
import { type Deps, transaction } from '../../deps.js';
import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { audit, type Subject } from '../audit/audit.service.js';
import { authorize, type BadgeAction, canIssueAs, isForeign } from './badges.policy.js';
import { findOrganisation } from './issuer.repository.js';
import { isUuid } from './urls.js';

/**
 * Turns "this actor wants to do `action` on a badge record of organisation X" into the scope the services
 * use, or refuses (SECURITY.md IPA #11, as desk.scope.ts does for applications):
 *   1. anonymous visitors and learners are refused before any record is looked up;
 *   2. a malformed or unknown id is "not found";
 *   3. a record of another organisation is "not found" too (neither confirmed nor denied), and the attempt is
 *      audited as `security.cross_org_denied` in its own transaction (the refused use case writes nothing);
 *   4. then the role: FORBIDDEN.
 * The organisation comes from the record (or, for creating, from the session's own organisation unless the
 * actor is the secretariat); never from a form field the actor could point elsewhere.
 */
export type BadgeScope = { orgId: string; actor: Actor };

export const notFound = (what = 'バッジ') => new AppError('NOT_FOUND', `${what}が見つかりません`);

function refuseEarly(actor: Actor, action: BadgeAction): void {
  if (actor.type === 'anonymous' || actor.type === 'learner') authorize(actor, action);
}

async function refuseForeign(deps: Deps, actor: Actor, subject: Subject, action: BadgeAction, what: string) {
  await transaction(deps, (tx) =>
    audit(deps, tx, actor, 'security.cross_org_denied', subject, { attempted: action }),
  );
  throw notFound(what);
}

/**
 * The scope for a record (achievement, credential, batch, organisation) once its owning organisation is
 * known; `owner` undefined means the id named nothing.
 */
export async function recordScope(
  deps: Deps,
  actor: Actor,
  action: BadgeAction,
  subject: { type: string; id: string; what: string },
  owner: string | undefined,
): Promise<BadgeScope> {
  refuseEarly(actor, action);
  if (!owner) throw notFound(subject.what);
  if (isForeign(actor, { orgId: owner })) {
    await refuseForeign(deps, actor, { type: subject.type, id: subject.id }, action, subject.what);
  }
  authorize(actor, action, { orgId: owner });
  return { orgId: owner, actor };
}

/**
 * A badge record (achievement, batch, credential) named by an id from the request, once the actor may do
 * `action` on it: the preamble every use case on an existing record starts with. Steps 1–4 above: learners and
 * visitors are refused before the lookup, a malformed or unknown id is "not found", another organisation's
 * record is "not found" and audited, then the role. `find` is the repository's lookup (it needs only the
 * owning organisation's id); the row it found is returned for the use case to go on with.
 */
export async function findScoped<T extends { organisation_id: string }>(
  deps: Deps,
  actor: Actor,
  action: BadgeAction,
  subject: { type: string; id: string; what: string },
  find: (db: Database, id: string) => Promise<T | undefined>,
): Promise<T> {
  refuseEarly(actor, action);
  const row = isUuid(subject.id) ? await find(deps.db, subject.id.toLowerCase()) : undefined;
  await recordScope(deps, actor, action, subject, row?.organisation_id);
  return row as T; // recordScope refused an unknown id
}

/**
 * The scope for acting as issuer `orgId` (a staff member's own organisation, or any for the secretariat).
 * The organisation must be active and of a kind that issues badges (not the ministry).
 */
export async function issuerScope(
  deps: Deps,
  actor: Actor,
  action: BadgeAction,
  orgId: string,
): Promise<BadgeScope> {
  refuseEarly(actor, action);
  if (!isUuid(orgId)) throw notFound('組織');
  const org = await findOrganisation(deps.db, orgId);
  const scope = await recordScope(
    deps,
    actor,
    action,
    { type: 'organisation', id: orgId, what: '組織' },
    org?.id,
  );
  if (org && (org.status !== 'active' || !canIssueAs(org.kind))) {
    throw new AppError('INVALID_STATE', 'この組織はバッジを発行できません');
  }
  return scope;
}
