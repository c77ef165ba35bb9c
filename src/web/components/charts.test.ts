import { describe, expect, it } from 'vitest';
import { displayWidth, niceScale, truncateLabel } from './charts.js';

describe('chart helpers', () => {
  it('measures Japanese as two half-width units and ASCII as one', () => {
    expect(displayWidth('DX')).toBe(2);
    expect(displayWidth('地域DX')).toBe(6);
    expect(displayWidth('ｶﾀｶﾅ')).toBe(4);
    expect(displayWidth('𠮷野家')).toBe(6);
  });

  it('shortens labels to a width with an ellipsis, never splitting a character', () => {
    expect(truncateLabel('地域DX', 6)).toBe('地域DX');
    expect(truncateLabel('とても長いプログラムの名前', 12)).toBe('とても長い…');
    expect(truncateLabel('𠮷𠮷𠮷𠮷𠮷𠮷', 8)).toBe('𠮷𠮷𠮷…');
    expect(displayWidth(truncateLabel('a'.repeat(50), 30))).toBeLessThanOrEqual(30);
  });

  it('picks a value axis of 1, 2 or 5 × 10ⁿ steps from 0 that covers the largest value', () => {
    expect(niceScale(0)).toEqual({ top: 1, step: 1 });
    expect(niceScale(2)).toEqual({ top: 2, step: 1 });
    expect(niceScale(7)).toEqual({ top: 8, step: 2 });
    expect(niceScale(37)).toEqual({ top: 40, step: 10 });
    expect(niceScale(1234)).toEqual({ top: 1500, step: 500 });
  });
});
