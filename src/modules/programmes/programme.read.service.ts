import type { Database } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { isOpen, type ProgrammeView, presentProgramme } from './programme.presenter.js';
import {
  findProgramme,
  findProgrammeForShare,
  findProgrammeInOrg,
  findProgrammeVersioned,
  listPublicProgrammes,
  type PublicFilter,
} from './programme.repository.js';

/**
 * Read use cases other modules call (applications, public pages). Management use cases (create, edit,
 * submit, approve, close) live in programme.service.ts.
 */

/** A programme the public may see (published or closed); anything else is NOT_FOUND. */
export async function getPublicProgramme(deps: Deps, id: string): Promise<ProgrammeView> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AppError('NOT_FOUND', 'プログラムが見つかりません');
  const row = await findProgramme(deps.db, id);
  if (!row || (row.status !== 'published' && row.status !== 'closed')) {
    throw new AppError('NOT_FOUND', 'プログラムが見つかりません');
  }
  return presentProgramme(row);
}

/** For applying: the programme and whether the server's clock says it is open right now. */
export async function getProgrammeForApplying(
  deps: Deps,
  id: string,
): Promise<{ programme: ProgrammeView; open: boolean }> {
  const programme = await getPublicProgramme(deps, id);
  return { programme, open: isOpen(programme, deps.clock.now()) };
}

/**
 * A public programme with its row version, for a statement that must only act on the programme as it was read
 * (the one-statement submission). NOT_FOUND as getPublicProgramme.
 */
export async function getPublicProgrammeVersioned(
  deps: Pick<Deps, 'db'>,
  id: string,
): Promise<{ programme: ProgrammeView; rowVersion: string }> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AppError('NOT_FOUND', 'プログラムが見つかりません');
  const row = await findProgrammeVersioned(deps.db, id);
  if (!row || (row.status !== 'published' && row.status !== 'closed')) {
    throw new AppError('NOT_FOUND', 'プログラムが見つかりません');
  }
  return { programme: presentProgramme(row), rowVersion: row.row_version };
}

/**
 * Inside an application's submit transaction: the programme as it stands under a share lock, so its questions
 * cannot change between validating the answers and storing them.
 */
export async function holdProgrammeForSubmission(tx: Database, id: string): Promise<ProgrammeView> {
  const row = await findProgrammeForShare(tx, id);
  if (!row || (row.status !== 'published' && row.status !== 'closed')) {
    throw new AppError('NOT_FOUND', 'プログラムが見つかりません');
  }
  return presentProgramme(row);
}

export async function searchPublicProgrammes(deps: Deps, filter: PublicFilter): Promise<ProgrammeView[]> {
  return (await listPublicProgrammes(deps.db, filter)).map(presentProgramme);
}

/**
 * A programme as its own organisation's staff (or the secretariat) sees it, whatever its status. Other
 * organisations get NOT_FOUND, so ids are neither confirmed nor denied.
 */
export async function getProgrammeForStaff(deps: Deps, actor: Actor, id: string): Promise<ProgrammeView> {
  if (actor.type === 'anonymous') throw new AppError('UNAUTHENTICATED', 'ログインしてください');
  if (actor.type !== 'staff') throw new AppError('FORBIDDEN', 'この操作はできません');
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AppError('NOT_FOUND', 'プログラムが見つかりません');
  const row =
    actor.org.kind === 'secretariat' || actor.org.kind === 'ministry'
      ? await findProgramme(deps.db, id)
      : await findProgrammeInOrg(deps.db, { orgId: actor.org.id }, id);
  if (!row) throw new AppError('NOT_FOUND', 'プログラムが見つかりません');
  return presentProgramme(row);
}
