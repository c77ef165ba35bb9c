import { z } from 'zod';
import type { OrganisationKind } from '../../db/schema.js';
import type { Deps } from '../../deps.js';
import type { Actor } from '../../lib/actor.js';
import * as repo from './badge-overview.repository.js';
import { authorize } from './badges.policy.js';
import { fiscalYearRange } from './export.service.js';

/**
 * The overview of badges issued across every organisation (MISSION.md: METI "see progress and outcomes";
 * tender (1)④): how many badges were issued and how many revoked, per organisation, per achievement and per
 * fiscal year. For METI, which oversees and issues nothing, and for the secretariat. Figures only: no earner,
 * no single badge, no link to a record (the repository reads no recipient column), so viewing it is not
 * audited as a view of personal data. See badge-overview.repository.ts for what is counted.
 */

/** The query string: forgiving, an unknown value means "every fiscal year". */
export const badgeOverviewQuerySchema = z.object({
  fy: z.coerce.number().int().min(2022).max(2100).optional().catch(undefined),
});
export type BadgeOverviewQuery = z.input<typeof badgeOverviewQuerySchema>;

export type BadgeCounts = { issued: number; revoked: number };

export type BadgeOverview = {
  /** The fiscal year the per-organisation and per-achievement figures are for, or null for all. */
  fiscalYear: number | null;
  /** The fiscal years to choose from (those with badges, and the chosen one). */
  years: number[];
  total: BadgeCounts;
  byOrganisation: (BadgeCounts & { orgId: string; name: string; kind: OrganisationKind })[];
  byAchievement: (BadgeCounts & { achievementId: string; name: string; organisationName: string })[];
  /** Every fiscal year with badges, newest first (whatever the chosen year). */
  byFiscalYear: (BadgeCounts & { fiscalYear: number })[];
};

const counts = (r: { issued: number | string; revoked: number | string }): BadgeCounts => ({
  issued: Number(r.issued),
  revoked: Number(r.revoked),
});

export async function getBadgeOverview(
  deps: Deps,
  actor: Actor,
  input: BadgeOverviewQuery,
): Promise<BadgeOverview> {
  authorize(actor, 'badges.overview');
  const fiscalYear = badgeOverviewQuerySchema.parse(input).fy ?? null;
  const range = fiscalYear ? fiscalYearRange(fiscalYear) : null;
  const [orgs, achievements, years] = await Promise.all([
    repo.countByOrganisation(deps.db, range),
    repo.countByAchievement(deps.db, range),
    repo.countByFiscalYear(deps.db),
  ]);
  const byOrganisation = orgs.map((r) => ({ orgId: r.id, name: r.name, kind: r.kind, ...counts(r) }));
  const total = byOrganisation.reduce(
    (t, r) => ({ issued: t.issued + r.issued, revoked: t.revoked + r.revoked }),
    { issued: 0, revoked: 0 },
  );
  const byFiscalYear = years.map((r) => ({ fiscalYear: Number(r.fiscal_year), ...counts(r) }));
  const yearList = new Set(byFiscalYear.map((y) => y.fiscalYear));
  if (fiscalYear) yearList.add(fiscalYear);
  return {
    fiscalYear,
    years: [...yearList].sort((a, b) => b - a),
    total,
    byOrganisation,
    byAchievement: achievements.map((r) => ({
      achievementId: r.achievement_id,
      name: r.name,
      organisationName: r.organisation_name,
      ...counts(r),
    })),
    byFiscalYear,
  };
}
