import { type Deps, transaction } from '../../deps.js';
import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { audit } from '../audit/audit.service.js';
import { authorize, can, isCrossOrgAttempt, type OrganisationAction } from './organisation.policy.js';
import type { OrgScope } from './organisation.repository.js';

/**
 * Turns "this actor wants to do `action` on organisation `orgId`" into the scope the repository takes, or
 * refuses. The scope comes from the session (STYLE.md 6, SECURITY.md IPA #11): for anyone but secretariat
 * staff it is their own organisation, whatever id the URL named. A staff member of one organisation naming
 * another's id gets "not found" (the id is neither confirmed nor denied) and the attempt is audited as
 * `security.cross_org_denied` in its own transaction, since the refused use case writes nothing.
 */
export async function orgScope(
  deps: Deps,
  actor: Actor,
  action: OrganisationAction,
  orgId: string,
): Promise<OrgScope> {
  if (can(actor, action, { orgId })) {
    return actor.type === 'staff' && actor.org.kind !== 'secretariat' ? { orgId: actor.org.id } : { orgId };
  }
  if (isCrossOrgAttempt(actor, { orgId })) {
    await transaction(deps, (tx) =>
      audit(
        deps,
        tx,
        actor,
        'security.cross_org_denied',
        { type: 'organisation', id: orgId },
        { attempted: action },
      ),
    );
    throw new AppError('NOT_FOUND', '組織が見つかりません');
  }
  authorize(actor, action, { orgId });
  throw new AppError('FORBIDDEN', 'この操作を行う権限がありません'); // not reached: authorize threw
}

export const orgNotFound = () => new AppError('NOT_FOUND', '組織が見つかりません');
