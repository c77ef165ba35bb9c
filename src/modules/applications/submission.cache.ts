import { performance } from 'node:perf_hooks';
import type { Database } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import type { ProgrammeView } from '../programmes/programme.presenter.js';
import { getPublicProgrammeVersioned } from '../programmes/programme.read.service.js';
import { applicationSchema } from './application.schema.js';

/**
 * What a submission needs of its programme — the programme, its row version and the zod schema of its form —
 * kept for a second per process, so that at a deadline the thousands of submissions to one programme neither
 * read the programme nor build its schema each time. Staleness cannot do harm: the one-statement submission
 * acts only while the programme row is still the version read here, and otherwise the usual path answers.
 */
export type ProgrammeSnapshot = {
  programme: ProgrammeView;
  rowVersion: string;
  schema: ReturnType<typeof applicationSchema>;
};

const TTL_MS = 1000;
const MAX_ENTRIES = 500;

type Entry = { at: number; snapshot: Promise<ProgrammeSnapshot> };
const caches = new WeakMap<Database, Map<string, Entry>>();

function cacheOf(db: Database): Map<string, Entry> {
  let c = caches.get(db);
  if (!c) {
    c = new Map();
    caches.set(db, c);
  }
  return c;
}

/** The programme's snapshot, read at most once a second per process (concurrent misses share one read). */
export function programmeSnapshot(deps: Pick<Deps, 'db'>, programmeId: string): Promise<ProgrammeSnapshot> {
  const cache = cacheOf(deps.db);
  const now = performance.now();
  const hit = cache.get(programmeId);
  if (hit && now - hit.at < TTL_MS) return hit.snapshot;
  const snapshot = getPublicProgrammeVersioned(deps, programmeId).then(({ programme, rowVersion }) => ({
    programme,
    rowVersion,
    schema: applicationSchema(programme),
  }));
  cache.delete(programmeId);
  cache.set(programmeId, { at: now, snapshot });
  while (cache.size > MAX_ENTRIES) {
    const oldest = cache.keys().next();
    if (oldest.done) break;
    cache.delete(oldest.value);
  }
  snapshot.catch(() => forgetProgrammeSnapshot(deps, programmeId));
  return snapshot;
}

/** Drops the snapshot (it turned out stale, or the programme is gone): the next submission reads again. */
export function forgetProgrammeSnapshot(deps: Pick<Deps, 'db'>, programmeId: string): void {
  cacheOf(deps.db).delete(programmeId);
}
