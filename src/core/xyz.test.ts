import { describe, expect, it } from 'vitest';
import { classifyCv, classifyFrequency, coefficientOfVariation } from './xyz.ts';

describe('classifyFrequency', () => {
  it('counts a share of periods exactly at a cut-off as reaching it', () => {
    // 9 of 10 periods = 90% -> X; 5 of 10 = 50% -> Y; 4 of 10 -> Z.
    expect(classifyFrequency(9, 10, [90, 50])).toBe('X');
    expect(classifyFrequency(8, 10, [90, 50])).toBe('Y');
    expect(classifyFrequency(5, 10, [90, 50])).toBe('Y');
    expect(classifyFrequency(4, 10, [90, 50])).toBe('Z');
    // One period: bought in it (100%) or not (0%).
    expect(classifyFrequency(1, 1, [90, 50])).toBe('X');
    expect(classifyFrequency(0, 1, [90, 50])).toBe('Z');
  });
});

describe('coefficientOfVariation', () => {
  it('takes the population SD over every period, the missing ones as zero', () => {
    // 1100 and 900 over 2 periods: mean 1000, SD sqrt((100^2 + 100^2) / 2) = 100, cv 0.1.
    expect(coefficientOfVariation(Float64Array.from([1100, 900]), 2, 2)).toBeCloseTo(0.1, 15);
    // 300 in one of 3 periods: mean 100, SD sqrt((200^2 + 100^2 + 100^2) / 3) = sqrt(20000), cv = sqrt(2).
    expect(coefficientOfVariation(Float64Array.from([300]), 1, 3)).toBeCloseTo(Math.SQRT2, 14);
    // Constant series: cv 0.
    expect(coefficientOfVariation(Float64Array.from([7, 7, 7]), 3, 3)).toBe(0);
  });

  it('is null when the mean is zero or less', () => {
    expect(coefficientOfVariation(Float64Array.from([100, -100]), 2, 2)).toBeNull();
    expect(coefficientOfVariation(Float64Array.from([-5]), 1, 4)).toBeNull();
  });
});

describe('classifyCv', () => {
  it('counts a cv exactly at a cut-off as within it', () => {
    // 1100, 900 -> cv 2/20 = 10% -> X; 1250, 750 -> cv 500/2000 = 25% -> Y; 1300, 700 -> 30% -> Z.
    const cases: [number[], string][] = [[[1100, 900], 'X'], [[1250, 750], 'Y'], [[1300, 700], 'Z']];
    for (const [values, expected] of cases) {
      const v = Float64Array.from(values);
      expect(classifyCv(coefficientOfVariation(v, 2, 2), v, 2, 2, [10, 25])).toBe(expected);
    }
    expect(classifyCv(null, new Float64Array(0), 0, 3, [10, 25])).toBe('Z');
  });

  it('decides in integers when the float cv is within a hair of the cut-off', () => {
    // The exact cv of 1100, 900 is 10%: a float a hair above still classes X.
    const atCut = Float64Array.from([1100, 900]);
    expect(classifyCv(0.1 + 1e-12, atCut, 2, 2, [10, 25])).toBe('X');
    // 11e9 + 1 and 9e9: cv = (2e9 + 1) / (20e9 + 1), about 0.1 + 4.5e-11, above 10% by less than a hair.
    const justAbove = Float64Array.from([11e9 + 1, 9e9]);
    expect(classifyCv(0.1, justAbove, 2, 2, [10, 25])).toBe('Y');
    // A 0% cut-off: only a constant series is X.
    expect(classifyCv(0, Float64Array.from([5, 5]), 2, 2, [0, 25])).toBe('X');
    expect(classifyCv(1e-13, Float64Array.from([5_000_000_000_001, 5_000_000_000_000]), 2, 2, [0, 25])).toBe('Y');
  });
});
