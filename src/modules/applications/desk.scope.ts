import { type Deps, transaction } from '../../deps.js';
import type { Actor, StaffActor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { audit, type Subject } from '../audit/audit.service.js';
import { authorize, type DeskAction, isForeign, requireStaff } from './desk.policy.js';
import { applicationOwners, type DeskScope, programmeOwner } from './desk.repository.js';

/**
 * Turns "this actor wants to do `action` on programme/application `id`" into the scope the repositories
 * take, or refuses (SECURITY.md IPA #11). The order matters:
 *   1. learners and anonymous visitors are refused before any record is looked up;
 *   2. a malformed or unknown id is "not found";
 *   3. an id of another organisation's record is "not found" too (the id is neither confirmed nor denied) and
 *      the attempt is audited as `security.cross_org_denied`, in its own transaction since the refused use
 *      case writes nothing — whatever the actor's role;
 *   4. then the role: FORBIDDEN.
 * The scope's organisation is always the actor's own, from the session.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (s: string) => UUID.test(s);
export const notFound = () => new AppError('NOT_FOUND', '申込みが見つかりません');

async function refuseForeign(deps: Deps, actor: Actor, subject: Subject, action: DeskAction): Promise<never> {
  await transaction(deps, (tx) =>
    audit(deps, tx, actor, 'security.cross_org_denied', subject, { attempted: action }),
  );
  throw notFound();
}

export type StaffScope = DeskScope & { actor: StaffActor };

export async function programmeScope(
  deps: Deps,
  actor: Actor,
  action: DeskAction,
  programmeId: string,
): Promise<StaffScope> {
  const staff = requireStaff(actor);
  if (!isUuid(programmeId)) throw notFound();
  const owner = await programmeOwner(deps.db, programmeId);
  if (!owner) throw notFound();
  const subject = { orgId: owner.organisation_id };
  if (isForeign(staff, subject))
    await refuseForeign(deps, actor, { type: 'programme', id: programmeId }, action);
  authorize(staff, action, subject);
  return { orgId: staff.org.id, programmeId, actor: staff };
}

export type ApplicationScope = StaffScope & { applicationId: string };

export async function applicationScope(
  deps: Deps,
  actor: Actor,
  action: DeskAction,
  applicationId: string,
): Promise<ApplicationScope> {
  const staff = requireStaff(actor);
  if (!isUuid(applicationId)) throw notFound();
  const [owner] = await applicationOwners(deps.db, [applicationId]);
  if (!owner) throw notFound();
  const subject = { orgId: owner.organisation_id };
  if (isForeign(staff, subject))
    await refuseForeign(deps, actor, { type: 'application', id: applicationId }, action);
  if (owner.status === 'draft') throw notFound();
  authorize(staff, action, subject);
  return { orgId: staff.org.id, programmeId: owner.programme_id, applicationId, actor: staff };
}

/**
 * Application ids carried by a form (bulk selections, the expected next on the waitlist) must all be
 * submitted applications of the programme in scope. One that is not refuses the whole request: a form the
 * page did not produce is not half-executed. Another organisation's ids are audited.
 */
export async function checkFormIds(
  deps: Deps,
  scope: StaffScope,
  action: DeskAction,
  ids: readonly string[],
): Promise<void> {
  if (ids.some((id) => !isUuid(id))) throw notFound();
  const owners = await applicationOwners(deps.db, ids);
  const foreign = owners.filter((o) => isForeign(scope.actor, { orgId: o.organisation_id }));
  if (foreign.length) {
    await transaction(deps, (tx) =>
      audit(
        deps,
        tx,
        scope.actor,
        'security.cross_org_denied',
        { type: 'application', id: foreign[0]?.id ?? '' },
        { attempted: action, applicationIds: foreign.map((o) => o.id), programmeId: scope.programmeId },
      ),
    );
    throw notFound();
  }
  const ok = new Set(
    owners.filter((o) => o.programme_id === scope.programmeId && o.status !== 'draft').map((o) => o.id),
  );
  if (ids.some((id) => !ok.has(id))) throw notFound();
}
