import type { Handlers, Schedule } from '../../jobs/runner.js';
import { CLOSE_EXPIRED_JOB, closeExpiredProgrammes } from './programme.service.js';

/** Jobs carry no payload here: the handler looks up what is due by the clock (idempotent, STYLE.md 7). */
export const programmeHandlers: Handlers = {
  [CLOSE_EXPIRED_JOB]: async (deps) => {
    await closeExpiredProgrammes(deps);
  },
};

/** Every minute: a programme shows 募集終了 within a minute of its closing time on every page. */
export const programmeSchedules: Schedule[] = [{ name: CLOSE_EXPIRED_JOB, everyMs: 60_000 }];
