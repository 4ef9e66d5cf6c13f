/**
 * XYZ analysis of clients: how regularly they buy. Two definitions, chosen by `--xyz-mode`:
 *
 * - frequency (the default): the share of the window's periods holding a purchase day; X from 90%,
 *   Y from 50%, else Z.
 * - cv: the classic XYZ of demand variability, the coefficient of variation (population standard
 *   deviation / mean) of the client's net revenue per period over every period of the window,
 *   periods without lines counting as zero; X up to 10%, Y up to 25%, else Z (the thresholds
 *   conventional in practice; for the CV-based XYZ classification of demand see for instance
 *   Scholz-Reiter, Heger, Meinecke and Bergmann, "Integration of demand forecasts in ABC-XYZ
 *   analysis: practical investigation at an industrial company", International Journal of
 *   Productivity and Performance Management 61(4), 445-451, 2012, doi:10.1108/17410401211212689).
 *
 * Definitions: docs/analysis.md.
 */
import { compareProducts } from './exact.ts';
import type { XyzClass } from './types.ts';

/** X when activePeriods / periods >= xyzFreq[0] / 100, Y when >= xyzFreq[1] / 100, else Z; exact in integers. */
export function classifyFrequency(activePeriods: number, periods: number, xyzFreq: readonly [number, number]): XyzClass {
  if (compareProducts(activePeriods, 100, xyzFreq[0], periods) >= 0) return 'X';
  if (compareProducts(activePeriods, 100, xyzFreq[1], periods) >= 0) return 'Y';
  return 'Z';
}

/**
 * The coefficient of variation of a series of `periods` values of which the first `count` entries
 * of `values` are given (integer minor units) and the rest are zero: sqrt(SSD / n) / mean, with the
 * sum of squared deviations taken in two passes (mean first) to avoid the cancellation of
 * S2 - S1^2 / n. Null when the mean is zero or less.
 */
export function coefficientOfVariation(values: Float64Array, count: number, periods: number): number | null {
  let s1 = 0;
  for (let i = 0; i < count; i++) s1 += values[i] as number;
  if (s1 <= 0) return null;
  const mean = s1 / periods;
  let ssd = (periods - count) * mean * mean;
  for (let i = 0; i < count; i++) {
    const d = (values[i] as number) - mean;
    ssd += d * d;
  }
  return Math.sqrt(ssd / periods) / mean;
}

/**
 * The cv class: X when cv <= xyz[0] / 100, Y when cv <= xyz[1] / 100, else Z; Z when the mean is zero
 * or less (cv null). `values`, `count` and `periods` are the series `cv` was computed from; they are
 * needed only when the float cv is within a hair of a cut-off, where the exact test decides.
 */
export function classifyCv(
  cv: number | null, values: Float64Array, count: number, periods: number, xyz: readonly [number, number],
): XyzClass {
  if (cv === null) return 'Z';
  if (cvAtMost(cv, xyz[0], values, count, periods)) return 'X';
  if (cvAtMost(cv, xyz[1], values, count, periods)) return 'Y';
  return 'Z';
}

/** Relative distance from a cut-off inside which the float cv is not trusted to decide. */
const CV_HAIR = 1e-9;

function cvAtMost(cv: number, percent: number, values: Float64Array, count: number, periods: number): boolean {
  const t = percent / 100;
  const hair = CV_HAIR * Math.max(t, 1e-3);
  if (cv < t - hair) return true;
  if (cv > t + hair) return false;
  // cv <= t/100  <=>  sqrt(n*S2 - S1^2) / S1 <= t/100  <=>  (n*S2 - S1^2) * 100^2 <= t^2 * S1^2 (S1 > 0),
  // with S1 and S2 the sum and the sum of squares of the per-period values, all integers.
  let s1 = 0n;
  let s2 = 0n;
  for (let i = 0; i < count; i++) {
    const v = BigInt(values[i] as number);
    s1 += v;
    s2 += v * v;
  }
  const p = BigInt(percent);
  return (BigInt(periods) * s2 - s1 * s1) * 10000n <= p * p * s1 * s1;
}
