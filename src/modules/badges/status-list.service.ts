import type { Database } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { signDataIntegrity } from './credential.js';
import { findActiveKey } from './issuer.repository.js';
import { signingKeyOf } from './issuer.service.js';
import {
  allocateStatusIndex,
  buildStatusListCredential,
  MIN_STATUS_LIST_SIZE,
  type StatusListCredential,
  secureRandomInt,
} from './status-list.js';
import * as repo from './status-list.repository.js';
import { issuerDid, isUuid, paths, siteUrl } from './urls.js';

/**
 * Status lists in the database (OPEN-BADGES.md §Status and lifecycle): one or more revocation lists per
 * issuing organisation, indexes drawn at random and never reused (unique per list), the signed
 * BitstringStatusListCredential served from its permanent URL and re-signed lazily after a change.
 */

/**
 * A list takes new entries until it is half full: random draws then rarely collide, and every list keeps a
 * large crowd of unused entries (herd privacy); the next issuance opens a new list.
 */
export const STATUS_LIST_MAX_FILL = 0.5;
const RANDOM_TRIES = 16;

export type StatusEntry = { listId: string; index: number; listUrl: string };

export const statusListUrl = (deps: Pick<Deps, 'config'>, listId: string) =>
  siteUrl(deps.config.baseUrl, paths.statusList(listId));

/** Draws a fresh random index in the organisation's open revocation list, in the caller's transaction. */
export async function allocateStatusEntry(deps: Deps, tx: Database, orgId: string): Promise<StatusEntry> {
  const list =
    (await repo.lockOpenList(tx, orgId, 'revocation', STATUS_LIST_MAX_FILL)) ??
    (await repo.insertList(tx, orgId, 'revocation', MIN_STATUS_LIST_SIZE));
  let index: number | null = null;
  for (let i = 0; i < RANDOM_TRIES && index === null; i++) {
    const candidate = secureRandomInt(list.size);
    if (!(await repo.isIndexUsed(tx, list.id, candidate))) index = candidate;
  }
  // Unlucky draws (or a list fuller than planned): the pure allocator over the used set never fails early.
  index ??= allocateStatusIndex(await repo.usedIndexes(tx, list.id), list.size);
  await repo.countUsed(tx, list.id);
  return { listId: list.id, index, listUrl: statusListUrl(deps, list.id) };
}

/** Marks entry `index` revoked (bumps the list's version, so its signed credential is renewed when served). */
export async function setStatus(tx: Database, listId: string, index: number): Promise<void> {
  await repo.setBit(tx, listId, index, true);
}

/**
 * The signed BitstringStatusListCredential of a list (GET /status-lists/:id), or null for an unknown id.
 * Signed with the organisation's active key on the first request after a change, and cached by list version,
 * so a revocation shows at once and an unchanged list is not signed again.
 */
export async function getStatusListCredential(
  deps: Deps,
  listId: string,
): Promise<{ credential: StatusListCredential; version: number } | null> {
  if (!isUuid(listId)) return null;
  const row = await repo.findList(deps.db, listId);
  if (!row) return null;
  if (row.signed_credential && row.signed_version === row.version) {
    return { credential: row.signed_credential as StatusListCredential, version: row.version };
  }
  const keyRow = await findActiveKey(deps.db, row.organisation_id);
  if (!keyRow) throw new Error(`status list ${listId}: its organisation has no active signing key`);
  const key = await signingKeyOf(deps, keyRow);
  const now = deps.clock.now();
  const unsigned = buildStatusListCredential({
    id: statusListUrl(deps, row.id),
    issuer: issuerDid(deps.config.baseUrl, row.organisation_id),
    list: row.bits,
    validFrom: now,
    statusPurpose: row.purpose,
  });
  const signed = await signDataIntegrity(unsigned, key, { created: now });
  await repo.storeSigned(deps.db, row.id, row.version, signed, now);
  return { credential: signed, version: row.version };
}
