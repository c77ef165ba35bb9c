import { sql } from 'kysely';
import type { Database } from '../../db/client.js';
import type { ApplicationStatus } from '../../db/schema.js';

/**
 * The SQL of the retention job. Retention counts from the end of recruitment, as the privacy policy says
 * (/privacy: 募集が終了してから): the application deadline (closes_at), or the programme's closing by staff
 * (closed_at) if that came first. A programme with neither has not ended recruitment and is never touched.
 */
const recruitmentEnd = sql<Date | null>`least(p.closes_at, p.closed_at)`;

export async function listProgrammesDueForAnonymisation(
  db: Database,
  cutoff: Date,
  kept: readonly ApplicationStatus[],
): Promise<{ id: string; organisation_id: string }[]> {
  return db
    .selectFrom('programmes as p')
    .select(['p.id', 'p.organisation_id'])
    .where(recruitmentEnd, '<', cutoff)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('applications as a')
          .select('a.id')
          .whereRef('a.programme_id', '=', 'p.id')
          .where('a.anonymised_at', 'is', null)
          .where('a.status', 'not in', kept),
      ),
    )
    .orderBy('p.id')
    .execute();
}

/**
 * Clears what identifies a person and keeps what statistics need (status, number, dates, prefecture,
 * occupation). The status history loses the applicant's own user id too, or it would name them still.
 * Returns how many applications were anonymised; a second run finds none (anonymised_at is set).
 */
export async function anonymiseApplicationsOfProgramme(
  db: Database,
  programmeId: string,
  kept: readonly ApplicationStatus[],
  now: Date,
): Promise<number> {
  await db
    .updateTable('application_status_history as h')
    .from('applications as a')
    .set({ actor_user_id: null })
    .whereRef('h.application_id', '=', 'a.id')
    .whereRef('h.actor_user_id', '=', 'a.applicant_user_id')
    .where('a.programme_id', '=', programmeId)
    .where('a.anonymised_at', 'is', null)
    .where('a.status', 'not in', kept)
    .execute();
  const rows = await db
    .updateTable('applications')
    .set({
      full_name: null,
      furigana: null,
      email: null,
      affiliation: null,
      answers: '{}',
      eligibility_answers: '{}',
      applicant_user_id: null,
      anonymised_at: now,
    })
    .where('programme_id', '=', programmeId)
    .where('anonymised_at', 'is', null)
    .where('status', 'not in', kept)
    .returning('id')
    .execute();
  return rows.length;
}
