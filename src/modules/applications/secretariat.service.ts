import { z } from 'zod';
import type { ApplicationStatus } from '../../db/schema.js';
import { type Deps, transaction } from '../../deps.js';
import type { Actor } from '../../lib/actor.js';
import { audit } from '../audit/audit.service.js';
import { LAYER_SHORT, PROGRAMME_STATUS_LABEL } from '../programmes/programme.labels.js';
import { APPLICATION_STATUS_LABEL } from './application.transitions.js';
import { authorize } from './desk.policy.js';
import * as repo from './secretariat.repository.js';

// The secretariat's view of recruitment (issue 3, item 6): every programme's applications per programme and
// per day, the funnel started → submitted → accepted → enrolled, and people who applied to several
// programmes. It names applicant accounts, so each view is audited like a desk view.

/** The query string: forgiving, an unknown value means "all". */
export const overviewQuerySchema = z.object({
  year: z.coerce.number().int().min(2022).max(2100).optional().catch(undefined),
  programme: z
    .string()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i)
    .optional()
    .catch(undefined),
});

export type Funnel = { started: number; submitted: number; accepted: number; enrolled: number };

export type ProgrammeFunnel = Funnel & {
  id: string;
  title: string;
  organisationName: string;
  layer: string;
  fiscalYear: number;
  status: string;
  capacity: number | null;
  withdrawn: number;
};

export type DayRow = { day: string; total: number; byProgramme: { id: string; title: string; n: number }[] };

/** One day of the daily chart: oldest first, days without submissions included as 0. */
export type DayPoint = { day: string; n: number };

export type MultiApplicant = {
  email: string;
  displayName: string;
  count: number;
  applications: { title: string; organisation: string; status: string }[];
};

export type Overview = {
  years: number[];
  filter: repo.OverviewFilter;
  programmes: ProgrammeFunnel[];
  total: Funnel;
  days: DayRow[];
  /** The daily chart's series: the last DAILY_CHART_MAX_DAYS days with submissions, gaps filled. */
  daily: DayPoint[];
  /** Whether older days were left out of `daily` (the table still lists them). */
  dailyTruncated: boolean;
  /** People who applied to several programmes: named for the secretariat only, counted for METI. */
  multi: MultiApplicant[];
  multiCount: number;
  /** Whether `multi` names people (the secretariat) or is left empty (METI sees the count). */
  showsPeople: boolean;
};

/** At most a year of days in the chart: at that width a column is about 2 px. */
export const DAILY_CHART_MAX_DAYS = 366;
const DAY_MS = 86_400_000;

const rate = (n: number, of: number) => (of ? Math.round((1000 * n) / of) / 10 : null);
/** Conversion from one step of the funnel to the next, in per cent with one decimal (null: nothing before). */
export function conversions(f: Funnel) {
  return {
    submitted: rate(f.submitted, f.started),
    accepted: rate(f.accepted, f.submitted),
    enrolled: rate(f.enrolled, f.accepted),
  };
}

/**
 * The per-day rows (newest first, only days with submissions) as a time series for a chart: oldest first,
 * every calendar day between the first and the last, 0 where nobody submitted, the last `maxDays` days.
 * Days are JST calendar dates (YYYY-MM-DD); stepping them as UTC midnights is exact (no DST in Japan or UTC).
 */
export function dailySeries(
  days: Pick<DayRow, 'day' | 'total'>[],
  maxDays = DAILY_CHART_MAX_DAYS,
): { series: DayPoint[]; truncated: boolean } {
  if (days.length === 0) return { series: [], truncated: false };
  const counts = new Map(days.map((d) => [d.day, d.total]));
  const time = (day: string) => Date.parse(`${day}T00:00:00Z`);
  const sorted = [...counts.keys()].sort();
  const last = time(sorted.at(-1) ?? '');
  const first = Math.max(time(sorted[0] ?? ''), last - (maxDays - 1) * DAY_MS);
  const series: DayPoint[] = [];
  for (let t = first; t <= last; t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    series.push({ day, n: counts.get(day) ?? 0 });
  }
  return { series, truncated: time(sorted[0] ?? '') < first };
}

export async function getOverview(deps: Deps, actor: Actor, filter: repo.OverviewFilter): Promise<Overview> {
  authorize(actor, 'applications.overview');
  const secretariat = actor.type === 'staff' && actor.org.kind === 'secretariat';
  return transaction(deps, async (tx) => {
    const [years, funnels, perDay, multi] = await Promise.all([
      repo.fiscalYears(tx),
      repo.programmeFunnels(tx, filter),
      repo.submissionsPerDay(tx, filter),
      repo.multiApplicants(tx, filter),
    ]);
    await audit(deps, tx, actor, 'applications.overview_viewed', null, {
      ...(filter.fiscalYear ? { fiscalYear: filter.fiscalYear } : {}),
      ...(filter.programmeId ? { programmeId: filter.programmeId } : {}),
      multiApplicants: multi.length,
    });
    const programmes = funnels.map((r) => ({
      id: r.id,
      title: r.title,
      organisationName: r.organisation_name,
      layer: LAYER_SHORT[r.layer],
      fiscalYear: r.fiscal_year,
      status: PROGRAMME_STATUS_LABEL[r.status],
      capacity: r.capacity,
      started: r.started,
      submitted: r.submitted,
      accepted: r.accepted,
      enrolled: r.enrolled,
      withdrawn: r.withdrawn,
    }));
    const total = programmes.reduce(
      (t, p) => ({
        started: t.started + p.started,
        submitted: t.submitted + p.submitted,
        accepted: t.accepted + p.accepted,
        enrolled: t.enrolled + p.enrolled,
      }),
      { started: 0, submitted: 0, accepted: 0, enrolled: 0 },
    );
    const days: DayRow[] = [];
    for (const r of perDay) {
      let d = days.at(-1);
      if (d?.day !== r.day) {
        d = { day: r.day, total: 0, byProgramme: [] };
        days.push(d);
      }
      d.total += r.n;
      d.byProgramme.push({ id: r.programme_id, title: r.title, n: r.n });
    }
    const daily = dailySeries(days);
    return {
      years,
      filter,
      programmes,
      total,
      days,
      daily: daily.series,
      dailyTruncated: daily.truncated,
      multiCount: multi.length,
      showsPeople: secretariat,
      multi: (secretariat ? multi : []).map((m) => ({
        email: m.email,
        displayName: m.display_name,
        count: m.n,
        applications: m.applications.map((a) => ({
          title: a.title,
          organisation: a.organisation,
          status: APPLICATION_STATUS_LABEL[a.status as ApplicationStatus] ?? a.status,
        })),
      })),
    };
  });
}
