import { describe, expect, it } from 'vitest';
import { canMove, TRANSITIONS, WITHDRAWABLE } from './application.transitions.js';

describe('application transitions', () => {
  it('follow draft → submitted → under_review → decision → enrolled | withdrawn', () => {
    expect(canMove('draft', 'submitted')).toBe(true);
    expect(canMove('submitted', 'under_review')).toBe(true);
    expect(canMove('under_review', 'accepted')).toBe(true);
    expect(canMove('waitlisted', 'accepted')).toBe(true);
    expect(canMove('accepted', 'enrolled')).toBe(true);
    expect(canMove('accepted', 'withdrawn')).toBe(true);
  });
  it('never leave a final state and never skip backwards', () => {
    for (const final of ['rejected', 'enrolled', 'withdrawn'] as const)
      expect(TRANSITIONS[final]).toEqual([]);
    expect(canMove('accepted', 'submitted')).toBe(false);
    expect(canMove('draft', 'accepted')).toBe(false);
    expect(canMove('rejected', 'accepted')).toBe(false);
    for (const s of WITHDRAWABLE) expect(canMove(s, 'withdrawn')).toBe(true);
  });
});
