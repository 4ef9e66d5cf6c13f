/**
 * Exact comparisons for the analysis's cut-offs. Money is summed in integer minor units, so every
 * cut-off ("the share before the client is under 80%") is a comparison of two products of integers.
 * A double decides it almost always; only when the two products are within a rounding error of each
 * other does the comparison fall back to BigInt, so that a client exactly at a cut-off is classed by
 * the rule and not by the rounding of a float.
 */

/** Relative gap above which the float products certainly order like the exact ones (each product and the difference round by at most 2^-53). */
const FLOAT_MARGIN = 1e-15;

/**
 * The sign of a*b - c*d for integers a, b, c, d (each a safe integer): -1, 0 or 1, exactly.
 */
export function compareProducts(a: number, b: number, c: number, d: number): -1 | 0 | 1 {
  const x = a * b;
  const y = c * d;
  const diff = x - y;
  if (Math.abs(diff) > (Math.abs(x) + Math.abs(y)) * FLOAT_MARGIN) return diff > 0 ? 1 : -1;
  // Both products below 2^53 are exact doubles, so their difference is exact too.
  if (Math.abs(x) <= Number.MAX_SAFE_INTEGER && Math.abs(y) <= Number.MAX_SAFE_INTEGER) return diff > 0 ? 1 : diff < 0 ? -1 : 0;
  const bx = BigInt(a) * BigInt(b);
  const by = BigInt(c) * BigInt(d);
  return bx > by ? 1 : bx < by ? -1 : 0;
}
