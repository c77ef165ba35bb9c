import type { Deps } from '../deps.js';
import { purgeExpiredIdentityData } from '../modules/identity/session.service.js';
import { pruneFinishedJobs } from './queue.js';
import type { Handlers, Schedule } from './runner.js';

const DAY = 24 * 3_600_000;

/** Housekeeping: expired sessions, used/expired one-time tokens, old rate-limit windows, finished jobs. */
export const maintenanceHandlers: Handlers = {
  'maintenance.cleanup': async (deps: Deps) => {
    await purgeExpiredIdentityData(deps);
    await pruneFinishedJobs(deps.db, new Date(deps.clock.now().getTime() - 30 * DAY));
  },
};

export const maintenanceSchedules: Schedule[] = [{ name: 'maintenance.cleanup', everyMs: 3_600_000 }];
