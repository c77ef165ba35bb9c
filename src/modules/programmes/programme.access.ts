import { type Deps, transaction } from '../../deps.js';
import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { audit } from '../audit/audit.service.js';
import { authorize, isCrossOrgAttempt, type ProgrammeAction } from './programme.policy.js';
import { findProgramme, findProgrammeInOrg, type ProgrammeRow } from './programme.repository.js';
import type { ProgrammeScope } from './programme-admin.repository.js';

export const programmeNotFound = () => new AppError('NOT_FOUND', 'プログラムが見つかりません');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The scope an actor's queries run in, from the session only (STYLE.md 6, SECURITY.md IPA #11): operators and
 * hubs see their own organisation; the secretariat, METI and the system see all.
 */
export function scopeOf(actor: Actor): ProgrammeScope {
  if (actor.type === 'staff' && actor.org.kind !== 'secretariat' && actor.org.kind !== 'ministry') {
    return { orgId: actor.org.id };
  }
  return { all: true };
}

/**
 * Loads one programme for `action`, or refuses. The lookup runs in the actor's scope, so another
 * organisation's programme is simply not found; when it does exist elsewhere, the attempt is audited as
 * `security.cross_org_denied` in its own transaction (the refused use case writes nothing). Someone who may
 * see the programme but not do `action` gets FORBIDDEN.
 */
export async function loadProgramme(
  deps: Deps,
  actor: Actor,
  id: string,
  action: ProgrammeAction,
): Promise<{ row: ProgrammeRow; scope: ProgrammeScope }> {
  if (actor.type === 'anonymous') throw new AppError('UNAUTHENTICATED', 'ログインしてください');
  if (actor.type === 'learner') throw new AppError('FORBIDDEN', 'この操作を行う権限がありません');
  if (!UUID.test(id)) throw programmeNotFound();
  const scope = scopeOf(actor);
  const row =
    'orgId' in scope ? await findProgrammeInOrg(deps.db, scope, id) : await findProgramme(deps.db, id);
  if (!row) {
    const elsewhere = 'orgId' in scope ? await findProgramme(deps.db, id) : undefined;
    if (elsewhere && isCrossOrgAttempt(actor, { orgId: elsewhere.organisation_id })) {
      await transaction(deps, (tx) =>
        audit(deps, tx, actor, 'security.cross_org_denied', { type: 'programme', id }, { attempted: action }),
      );
    }
    throw programmeNotFound();
  }
  authorize(actor, action, { orgId: row.organisation_id });
  return { row, scope };
}
