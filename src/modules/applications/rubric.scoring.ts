/**
 * Scoring maths for the review rubric. Pure functions.
 *
 * Each criterion c has a scale 0…max_c and a weight w_c. One reviewer's total for an application is
 *     100 × Σ w_c · (s_c / max_c) / Σ w_c
 * so every total lies on 0–100 whatever the scales and weights. The application's total is the mean of the
 * totals of the reviewers who count: not those who declared a conflict of interest (they cannot score), and
 * not those whose review misses a criterion (one added to the rubric after they scored): a partial review
 * would be compared on different terms from a complete one, so it waits for the reviewer to re-score.
 */
export type ScoringCriterion = { id: string; scaleMax: number; weight: number };
export type ScoringReview = {
  reviewerId: string;
  conflict: boolean;
  scores: ReadonlyMap<string, number>;
};

export type ApplicationScore = {
  /** 0–100, or null when no reviewer counts yet. */
  total: number | null;
  /** Reviewers whose complete review went into the total. */
  counted: number;
  conflicts: number;
  /** Reviews that miss a criterion of the current rubric. */
  incomplete: number;
};

/** One reviewer's weighted total on 0–100, or null when a criterion is unscored (or there are none). */
export function reviewerTotal(
  criteria: readonly ScoringCriterion[],
  scores: ReadonlyMap<string, number>,
): number | null {
  if (criteria.length === 0) return null;
  let weighted = 0;
  let weights = 0;
  for (const c of criteria) {
    const s = scores.get(c.id);
    if (s === undefined || c.scaleMax <= 0 || c.weight <= 0) return null;
    const clamped = Math.min(Math.max(s, 0), c.scaleMax); // the database and the form keep 0…max; be safe
    weighted += c.weight * (clamped / c.scaleMax);
    weights += c.weight;
  }
  return (100 * weighted) / weights;
}

export function applicationScore(
  criteria: readonly ScoringCriterion[],
  reviews: readonly ScoringReview[],
): ApplicationScore {
  const totals: number[] = [];
  let conflicts = 0;
  let incomplete = 0;
  for (const r of reviews) {
    if (r.conflict) {
      conflicts++;
      continue;
    }
    const t = reviewerTotal(criteria, r.scores);
    if (t === null) incomplete++;
    else totals.push(t);
  }
  const total = totals.length ? totals.reduce((a, b) => a + b, 0) / totals.length : null;
  return { total, counted: totals.length, conflicts, incomplete };
}

/** Per-criterion mean over counted reviewers (for the detail page), on the criterion's own scale. */
export function criterionMeans(
  criteria: readonly ScoringCriterion[],
  reviews: readonly ScoringReview[],
): Map<string, number | null> {
  const counted = reviews.filter((r) => !r.conflict && reviewerTotal(criteria, r.scores) !== null);
  const out = new Map<string, number | null>();
  for (const c of criteria) {
    const xs = counted.map((r) => r.scores.get(c.id) ?? 0);
    out.set(c.id, xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  }
  return out;
}

/**
 * Ranks by total, highest first, with standard competition ranking (1, 2, 2, 4): equal totals share a rank.
 * Items without a total come last, unranked. Totals are compared after rounding to 0.01 so that floating
 * point noise does not split a tie. The input order breaks ties in the listing (callers pass a stable order).
 */
export function rank<T extends { total: number | null }>(
  items: readonly T[],
): (T & { rank: number | null })[] {
  const key = (t: number) => Math.round(t * 100);
  const scored = items
    .map((item, i) => ({ item, i }))
    .filter((x) => x.item.total !== null)
    .sort((a, b) => key(b.item.total as number) - key(a.item.total as number) || a.i - b.i);
  const out: (T & { rank: number | null })[] = [];
  let prevKey: number | null = null;
  let prevRank = 0;
  scored.forEach((x, idx) => {
    const k = key(x.item.total as number);
    const r = k === prevKey ? prevRank : idx + 1;
    prevKey = k;
    prevRank = r;
    out.push({ ...x.item, rank: r });
  });
  for (const item of items) if (item.total === null) out.push({ ...item, rank: null });
  return out;
}

/** 0–100 with one decimal, as shown on pages and in exports. */
export function formatTotal(t: number | null): string {
  return t === null ? '' : (Math.round(t * 10) / 10).toFixed(1);
}
