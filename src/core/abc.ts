/**
 * ABC analysis of clients: the Pareto principle (Juran's "vital few and trivial many") applied to a
 * customer base, with the cumulative-share rule used in inventory and customer ABC analysis: rank
 * the clients by the metric, descending, and cut the ranking where the cumulative share of the
 * metric passes the cut-offs (80% and 95% by default). Definitions: docs/analysis.md.
 */
import { compareCodePoints } from './code-point-order.ts';
import { compareProducts } from './exact.ts';
import type { AbcClass } from './types.ts';

/**
 * The client indices `members` in ABC rank order: metric descending, ties by client code in
 * code-point order. Returns a new array.
 */
export function rankClients(members: Int32Array, metric: Float64Array, clients: readonly string[]): Int32Array {
  return members.slice().sort((a, b) => {
    const ma = metric[a] as number;
    const mb = metric[b] as number;
    if (ma !== mb) return mb > ma ? 1 : -1;
    return compareCodePoints(clients[a] as string, clients[b] as string);
  });
}

export type AbcClassification = {
  classes: AbcClass[];
  /** Per rank: the sum of the metrics of the clients ranked before it (minor units). */
  before: Float64Array;
  /** The sum of the positive metrics, P (minor units). */
  positiveTotal: number;
};

/**
 * Classes clients already in rank order (`ranked` holds their metrics, integer minor units,
 * descending). With P the sum of the positive metrics and `before` the sum of the metrics ranked
 * before a client: A when before / P < abc[0] / 100, B when < abc[1] / 100, otherwise C; a metric of
 * zero or less is always C. The comparisons are exact (before * 100 < abc * P in integers), so a
 * client whose predecessors hold exactly 80% is B.
 */
export function classifyAbc(ranked: ArrayLike<number>, abc: readonly [number, number]): AbcClassification {
  const n = ranked.length;
  let positiveTotal = 0;
  for (let r = 0; r < n; r++) {
    const m = ranked[r] as number;
    if (m > 0) positiveTotal += m;
  }
  const classes = new Array<AbcClass>(n);
  const before = new Float64Array(n);
  let sum = 0;
  for (let r = 0; r < n; r++) {
    const m = ranked[r] as number;
    before[r] = sum;
    if (m <= 0) {
      classes[r] = 'C';
    } else if (compareProducts(sum, 100, abc[0], positiveTotal) < 0) {
      classes[r] = 'A';
    } else if (compareProducts(sum, 100, abc[1], positiveTotal) < 0) {
      classes[r] = 'B';
    } else {
      classes[r] = 'C';
    }
    sum += m;
  }
  return { classes, before, positiveTotal };
}
