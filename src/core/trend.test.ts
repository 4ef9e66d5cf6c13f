import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyTrend, leastSquaresSlope } from './trend.ts';

describe('leastSquaresSlope', () => {
  it('finds the slope of an exact line', () => {
    expect(leastSquaresSlope([3, 5, 7, 9])).toBeCloseTo(2, 12);
    expect(leastSquaresSlope([10, 7, 4])).toBeCloseTo(-3, 12);
  });

  it('matches a slope computed by hand for noisy counts', () => {
    // x = 0..4, y = 1, 3, 2, 5, 4: x̄ = 2, ȳ = 3, Σ(x-x̄)(y-ȳ) = 8, Σ(x-x̄)² = 10, so 0.8.
    expect(leastSquaresSlope([1, 3, 2, 5, 4])).toBeCloseTo(0.8, 12);
  });

  it('is zero for a constant series and for fewer than two values', () => {
    expect(leastSquaresSlope([4, 4, 4, 4])).toBe(0);
    expect(leastSquaresSlope([7])).toBe(0);
    expect(leastSquaresSlope([])).toBe(0);
  });

  it('changes sign when the series is reversed, and ignores a constant added to every month', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 2, maxLength: 24 }), fc.integer({ min: 0, max: 100 }), (values, shift) => {
      const slope = leastSquaresSlope(values);
      expect(leastSquaresSlope([...values].reverse())).toBeCloseTo(-slope, 9);
      expect(leastSquaresSlope(values.map((value) => value + shift))).toBeCloseTo(slope, 9);
    }));
  });
});

describe('classifyTrend', () => {
  it('calls a steady climb rising and a steady decline falling', () => {
    const climb = classifyTrend([1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]);
    expect(climb.direction).toBe('rising');
    expect(climb.slope).toBeGreaterThan(0);
    expect(climb).toMatchObject({ recent: 17, previous: 13 });
    expect(classifyTrend([6, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1]).direction).toBe('falling');
  });

  it('calls an unchanging or barely moving series flat', () => {
    expect(classifyTrend(Array(12).fill(0)).direction).toBe('flat');
    expect(classifyTrend(Array(12).fill(5)).direction).toBe('flat');
    // One more refusal in the middle of a busy year moves the line by far less than half a month.
    expect(classifyTrend([20, 20, 20, 20, 20, 21, 20, 20, 20, 20, 20, 20]).direction).toBe('flat');
  });

  it('calls a few recent refusals of a quiet account rising', () => {
    const trend = classifyTrend([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
    expect(trend.direction).toBe('rising');
    expect(trend.mean).toBeCloseTo(0.25, 12);
  });

  it('is flat when the line and the last three months disagree', () => {
    // The line climbs (a busy second half), but the last three months are fewer than the three before.
    const trend = classifyTrend([0, 0, 0, 0, 0, 0, 4, 4, 4, 3, 1, 1]);
    expect(trend.slope).toBeGreaterThan(0);
    expect(trend.recent).toBeLessThan(trend.previous);
    expect(trend.direction).toBe('flat');
  });

  it('calls a sparse account flat when its line barely moves and the last months match the ones before', () => {
    // One refusal now and then: the fitted line falls by a sixth of a refusal over the year.
    const trend = classifyTrend([1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0]);
    expect(trend.slope).toBeLessThan(0);
    expect(trend.direction).toBe('flat');
  });

  it('handles series shorter than the comparison', () => {
    expect(classifyTrend([])).toEqual({ slope: 0, mean: 0, recent: 0, previous: 0, direction: 'flat' });
    expect(classifyTrend([2, 4])).toMatchObject({ recent: 6, previous: 0, direction: 'rising' });
  });
});
