import { describe, expect, it } from 'vitest';
import {
  applicationScore,
  criterionMeans,
  formatTotal,
  rank,
  reviewerTotal,
  type ScoringCriterion,
  type ScoringReview,
} from './rubric.scoring.js';

const A: ScoringCriterion = { id: 'a', scaleMax: 5, weight: 1 };
const B: ScoringCriterion = { id: 'b', scaleMax: 10, weight: 3 };

const review = (reviewerId: string, scores: Record<string, number>, conflict = false): ScoringReview => ({
  reviewerId,
  conflict,
  scores: new Map(Object.entries(scores)),
});

describe('rubric scoring', () => {
  it('normalises one reviewer to 0–100 with weights', () => {
    expect(
      reviewerTotal(
        [A, B],
        new Map([
          ['a', 5],
          ['b', 10],
        ]),
      ),
    ).toBe(100);
    expect(
      reviewerTotal(
        [A, B],
        new Map([
          ['a', 0],
          ['b', 0],
        ]),
      ),
    ).toBe(0);
    // (1 × 5/5 + 3 × 0/10) / 4 = 25
    expect(
      reviewerTotal(
        [A, B],
        new Map([
          ['a', 5],
          ['b', 0],
        ]),
      ),
    ).toBe(25);
    // (1 × 0/5 + 3 × 10/10) / 4 = 75: the heavier criterion counts three times as much
    expect(
      reviewerTotal(
        [A, B],
        new Map([
          ['a', 0],
          ['b', 10],
        ]),
      ),
    ).toBe(75);
    // scales differ: 3/5 and 6/10 are both 60 %
    expect(
      reviewerTotal(
        [A, B],
        new Map([
          ['a', 3],
          ['b', 6],
        ]),
      ),
    ).toBeCloseTo(60, 10);
  });

  it('treats fractional weights and a one-point scale correctly', () => {
    const yesNo: ScoringCriterion = { id: 'y', scaleMax: 1, weight: 0.5 };
    const c: ScoringCriterion = { id: 'c', scaleMax: 4, weight: 1.5 };
    // (0.5 × 1 + 1.5 × 2/4) / 2 = 0.625
    expect(
      reviewerTotal(
        [yesNo, c],
        new Map([
          ['y', 1],
          ['c', 2],
        ]),
      ),
    ).toBeCloseTo(62.5, 10);
  });

  it('gives no total for a review missing a criterion, or for an empty rubric', () => {
    expect(reviewerTotal([A, B], new Map([['a', 5]]))).toBeNull();
    expect(reviewerTotal([], new Map())).toBeNull();
  });

  it('averages over non-conflicted, complete reviews only', () => {
    const s = applicationScore(
      [A, B],
      [
        review('r1', { a: 5, b: 10 }), // 100
        review('r2', { a: 0, b: 10 }), // 75
        review('r3', {}, true), // conflict: excluded
        review('r4', { a: 5 }), // incomplete: excluded
      ],
    );
    expect(s).toEqual({ total: 87.5, counted: 2, conflicts: 1, incomplete: 1 });
    // a conflicted reviewer's stale scores never count
    expect(applicationScore([A], [review('r1', { a: 5 }, true)])).toEqual({
      total: null,
      counted: 0,
      conflicts: 1,
      incomplete: 0,
    });
    expect(applicationScore([A], [])).toMatchObject({ total: null, counted: 0 });
  });

  it('gives per-criterion means over the counted reviews', () => {
    const m = criterionMeans(
      [A, B],
      [review('r1', { a: 4, b: 10 }), review('r2', { a: 2, b: 5 }), review('r3', { a: 0 }, true)],
    );
    expect(m.get('a')).toBe(3);
    expect(m.get('b')).toBe(7.5);
    expect(criterionMeans([A], []).get('a')).toBeNull();
  });

  it('ranks with shared ranks for ties and unscored items last', () => {
    const r = rank([
      { id: 'x', total: 50 },
      { id: 'y', total: null },
      { id: 'z', total: 80 },
      { id: 'w', total: 50.000000001 },
      { id: 'v', total: 20 },
    ]);
    expect(r.map((i) => [i.id, i.rank])).toEqual([
      ['z', 1],
      ['x', 2],
      ['w', 2],
      ['v', 4],
      ['y', null],
    ]);
  });

  it('formats totals with one decimal', () => {
    expect(formatTotal(87.54)).toBe('87.5');
    expect(formatTotal(100)).toBe('100.0');
    expect(formatTotal(null)).toBe('');
  });
});
