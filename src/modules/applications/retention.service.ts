import type { ApplicationStatus } from '../../db/schema.js';
import { type Deps, transaction } from '../../deps.js';
import { systemActor } from '../../lib/actor.js';
import { audit } from '../audit/audit.service.js';
import {
  anonymiseApplicationsOfProgramme,
  listProgrammesDueForAnonymisation,
} from './retention.repository.js';

/**
 * Applications that are never anonymised: accepted and enrolled learners are the programme's participants,
 * and their completion (修了) is the basis of the Open Badges the organisation issues and of the data sent to
 * IPA's skill platform, which must stay verifiable for years. Their records follow the credentials' own
 * retention, not the applicants'.
 */
export const RETAINED_STATUSES: readonly ApplicationStatus[] = ['accepted', 'enrolled'];

const DAY_MS = 24 * 3_600_000;

export type RetentionResult = { programmes: number; applications: number };

/**
 * Anonymises the applicants of every programme whose recruitment ended more than `retentionDays` ago, one programme per
 * transaction (a long backlog never holds one huge lock), audited as the system. Idempotent: a second run
 * changes nothing, so the daily job may run twice or be retried safely (STYLE.md 7).
 */
export async function anonymiseExpiredApplicants(
  deps: Deps,
  opts: { retentionDays?: number } = {},
): Promise<RetentionResult> {
  // RETENTION_DAYS (config.retentionDays), the period /privacy states; tests may pass another.
  const retentionDays = opts.retentionDays ?? deps.config.retentionDays;
  const now = deps.clock.now();
  const cutoff = new Date(now.getTime() - retentionDays * DAY_MS);
  const due = await listProgrammesDueForAnonymisation(deps.db, cutoff, RETAINED_STATUSES);
  const actor = systemActor('applications.retention');
  let applications = 0;
  for (const p of due) {
    applications += await transaction(deps, async (tx) => {
      const count = await anonymiseApplicationsOfProgramme(tx, p.id, RETAINED_STATUSES, now);
      if (count > 0) {
        await audit(
          deps,
          tx,
          actor,
          'applications.anonymised',
          { type: 'programme', id: p.id },
          {
            organisationId: p.organisation_id,
            count,
            retentionDays,
          },
        );
      }
      return count;
    });
  }
  return { programmes: due.length, applications };
}
