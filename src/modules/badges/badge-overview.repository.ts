import { sql } from 'kysely';
import type { Database } from '../../db/client.js';

/**
 * SQL for the overview of issued badges across every organisation (METI and the secretariat): counts only.
 * Unscoped by design (the service authorises); no query reads a recipient column, so nothing here can carry
 * personal data out.
 *
 * What is counted: one badge per earner and achievement version as it stands now. A correction revokes the
 * credential it replaces and issues a new one; the replaced credential (`replaced_by_id` set) is left out, so
 * a correction neither counts twice as issued nor as revoked. `revoked` is the rest of the revoked ones.
 * The fiscal year is that of the award (awarded_at), April to March in Japan time, as the IPA export's filter.
 */

export type AwardRange = { from: Date; to: Date } | null;

const issued = sql<number>`count(*)::int`;
const revoked = sql<number>`(count(*) filter (where c.revoked_at is not null))::int`;
/** 年度: the award's Japan date, three months back, gives the calendar year the fiscal year starts in. */
const fiscalYear = sql<number>`extract(year from (c.awarded_at at time zone 'Asia/Tokyo') - interval '3 months')::int`;

function counted(db: Database, range: AwardRange) {
  return db
    .selectFrom('credentials as c')
    .where('c.replaced_by_id', 'is', null)
    .$if(range !== null, (q) =>
      q
        .where('c.awarded_at', '>=', (range as { from: Date }).from)
        .where('c.awarded_at', '<', (range as { to: Date }).to),
    );
}

export function countByOrganisation(db: Database, range: AwardRange) {
  return counted(db, range)
    .innerJoin('organisations as o', 'o.id', 'c.organisation_id')
    .select(['o.id', 'o.name', 'o.kind', issued.as('issued'), revoked.as('revoked')])
    .groupBy(['o.id', 'o.name', 'o.kind'])
    .orderBy('o.name')
    .orderBy('o.id')
    .execute();
}

/** Per achievement, named by its latest published (or retired) version: drafts are not public yet. */
export function countByAchievement(db: Database, range: AwardRange) {
  return counted(db, range)
    .innerJoin('achievement_versions as v', 'v.id', 'c.achievement_version_id')
    .innerJoin('organisations as o', 'o.id', 'c.organisation_id')
    .select([
      'v.achievement_id',
      'o.name as organisation_name',
      sql<string>`(select lv.name from achievement_versions lv where lv.achievement_id = v.achievement_id
        and lv.status <> 'draft' order by lv.version desc limit 1)`.as('name'),
      issued.as('issued'),
      revoked.as('revoked'),
    ])
    .groupBy(['v.achievement_id', 'o.name'])
    .orderBy('o.name')
    .orderBy('name')
    .orderBy('v.achievement_id')
    .execute();
}

/** Every fiscal year with a badge, newest first (not narrowed by a range: it is the series over the years). */
export function countByFiscalYear(db: Database) {
  return counted(db, null)
    .select([fiscalYear.as('fiscal_year'), issued.as('issued'), revoked.as('revoked')])
    .groupBy(fiscalYear)
    .orderBy(fiscalYear, 'desc')
    .execute();
}
