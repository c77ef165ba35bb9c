import type { Deps } from '../deps.js';
import { deleteExpiredTokens } from '../modules/identity/identity.repository.js';
import { deleteStaleCounters } from '../modules/identity/rate-limit.repository.js';
import { deleteExpiredSessions } from '../modules/identity/session.repository.js';
import { pruneFinishedJobs } from './queue.js';
import type { Handlers, Schedule } from './runner.js';

const DAY = 24 * 3_600_000;

/** Housekeeping: expired sessions, used/expired one-time tokens, old rate-limit windows, finished jobs. */
export const maintenanceHandlers: Handlers = {
  'maintenance.cleanup': async (deps: Deps) => {
    const now = deps.clock.now();
    await deleteExpiredSessions(deps.db, now, new Date(now.getTime() - deps.config.sessionIdleMs));
    await deleteExpiredTokens(deps.db, new Date(now.getTime() - DAY));
    await deleteStaleCounters(deps.db, new Date(now.getTime() - DAY));
    await pruneFinishedJobs(deps.db, new Date(now.getTime() - 30 * DAY));
  },
};

export const maintenanceSchedules: Schedule[] = [{ name: 'maintenance.cleanup', everyMs: 3_600_000 }];
