/**
 * The trend of a monthly count (refusals a month, say): which way it goes, and how strongly. Two
 * measures, read together:
 *
 * - the least-squares slope of the counts against the month's index (0, 1, ..., n-1): the change per
 *   month of the straight line that fits the months best, in counts a month per month;
 * - the last three months against the three before them, which a reader checks without a formula.
 *
 * The label is "rising" when the fitted line climbs, over the window, by at least half a typical
 * month (the window's mean count, taken as at least 1, so that a handful of events does not
 * swing it) and the last three months hold at least as many as the three before; "falling" is the
 * mirror image; anything else is "flat": a line that barely moves, or two measures that disagree.
 */

export const TREND_DIRECTIONS = ['rising', 'falling', 'flat'] as const;
export type TrendDirection = (typeof TREND_DIRECTIONS)[number];

/** The fitted change over the window, as a share of a typical month, at which a trend is no longer flat. */
export const TREND_THRESHOLD = 0.5;

/** How many months a trend looks at, and how many months each side of the recent comparison holds. */
export const TREND_MONTHS = 12;
export const TREND_RECENT_MONTHS = 3;

export type Trend = {
  /** The least-squares slope, in counts a month per month. */
  slope: number;
  /** The window's mean count a month. */
  mean: number;
  /** The sum of the last three months, and of the three before them. */
  recent: number;
  previous: number;
  direction: TrendDirection;
};

/**
 * The ordinary least-squares slope of `values` against their indexes 0..n-1:
 * Σ(x - x̄)(y - ȳ) / Σ(x - x̄)². Zero for fewer than two values, where no line is defined.
 */
export function leastSquaresSlope(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  const meanX = (n - 1) / 2;
  const meanY = values.reduce((sum, value) => sum + value, 0) / n;
  let covariance = 0;
  let variance = 0;
  values.forEach((value, x) => {
    covariance += (x - meanX) * (value - meanY);
    variance += (x - meanX) ** 2;
  });
  return covariance / variance;
}

/**
 * The trend of monthly `counts`, oldest first (usually the last twelve months, the current one last);
 * see the module comment for the label's rule.
 */
export function classifyTrend(counts: readonly number[]): Trend {
  const n = counts.length;
  const slope = leastSquaresSlope(counts);
  const mean = n === 0 ? 0 : counts.reduce((sum, value) => sum + value, 0) / n;
  const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
  const recent = sum(counts.slice(Math.max(0, n - TREND_RECENT_MONTHS)));
  const previous = sum(counts.slice(Math.max(0, n - 2 * TREND_RECENT_MONTHS), Math.max(0, n - TREND_RECENT_MONTHS)));
  // The fitted line's change from the first month of the window to the last, against a typical month.
  const relativeChange = n < 2 ? 0 : (slope * (n - 1)) / Math.max(mean, 1);
  const direction: TrendDirection = relativeChange >= TREND_THRESHOLD && recent >= previous
    ? 'rising'
    : relativeChange <= -TREND_THRESHOLD && recent <= previous ? 'falling' : 'flat';
  return { slope, mean, recent, previous, direction };
}
