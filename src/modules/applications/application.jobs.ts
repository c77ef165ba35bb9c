import type { Handlers, Schedule } from '../../jobs/runner.js';
import { anonymiseExpiredApplicants } from './retention.service.js';

export const RETENTION_JOB = 'applications.retention';

/** Daily (a slot starts at 09:00 JST, jobs/runner.ts); the handler is idempotent, so a rerun is harmless. */
export const applicationHandlers: Handlers = {
  [RETENTION_JOB]: async (deps) => {
    const r = await anonymiseExpiredApplicants(deps);
    if (r.applications > 0) deps.log.info('applicants anonymised', { ...r });
  },
};

export const applicationSchedules: Schedule[] = [{ name: RETENTION_JOB, everyMs: 24 * 3_600_000 }];
