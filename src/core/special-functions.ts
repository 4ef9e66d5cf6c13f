/**
 * The special functions the customer-alive model needs: log-gamma, digamma, log-beta and the Gauss
 * hypergeometric function 2F1 on [0, 1). Pure numerics, no dependencies, so that the model gives the
 * same figures wherever it runs.
 */

const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Lanczos's approximation with Godfrey's coefficients for g = 7, n = 9 (P. Godfrey, "A note on the
 * computation of the convergent Lanczos complex Gamma approximation", 2001; the set Numerical Recipes
 * and most libraries without a C runtime use). Relative error of Γ about 1e-15 for x >= 0.5.
 */
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/**
 * The coefficients B_2k / (2k (2k - 1)) of Stirling's series for ln Γ (Abramowitz & Stegun 6.1.40),
 * k = 1..7. From x = 10 the first omitted term is below 1e-17, so the series beats Lanczos there.
 */
const STIRLING = [1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156];

/**
 * ln |Γ(x)|, accurate to about 1e-15 (absolute near the zeros at 1 and 2, relative elsewhere).
 * Infinity at the poles (0 and the negative integers); NaN for NaN.
 */
export function logGamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return Infinity;
  if (x <= 0 && Number.isInteger(x)) return Infinity;
  if (x < 0.5) {
    // The reflection formula Γ(x) Γ(1 - x) = π / sin(πx) (A&S 6.1.17) brings x into Lanczos's range.
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  }
  if (x >= 10) {
    const inverse = 1 / x;
    const inverseSquare = inverse * inverse;
    let series = 0;
    for (let k = STIRLING.length - 1; k >= 0; k--) series = series * inverseSquare + STIRLING[k]!;
    return (x - 0.5) * Math.log(x) - x + LN_SQRT_2PI + series * inverse;
  }
  // Lanczos for Γ(z + 1) with z = x - 1.
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return LN_SQRT_2PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/**
 * The coefficients B_2k / (2k) of the asymptotic series of the digamma function (A&S 6.3.18),
 * k = 1..7: ψ(x) ~ ln x − 1/(2x) − Σ B_2k / (2k x^2k). From x = 10 the first omitted term,
 * B_16 / (16 x^16) ≈ 4.5e-17, is below the double's rounding of ln x.
 */
const DIGAMMA_ASYMPTOTIC = [1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12];

/**
 * The digamma function ψ(x) = d ln Γ(x) / dx, accurate to a few units in the 15th digit (absolute
 * near its zero at x ≈ 1.4616, relative elsewhere). The model fits need it for the analytic gradients
 * of their likelihoods, whose ln Γ and ln B terms differentiate to differences of ψ.
 *
 * Below 10 the recurrence ψ(x) = ψ(x + 1) − 1/x (A&S 6.3.5) carries x up to where the asymptotic
 * series is exact to the double; below 0 the reflection ψ(1 − x) − ψ(x) = π cot(πx) (A&S 6.3.7)
 * brings x into the positive range. NaN at the poles (0 and the negative integers) and for NaN.
 */
export function digamma(x: number): number {
  if (Number.isNaN(x) || x === -Infinity) return NaN;
  if (x === Infinity) return Infinity;
  if (x <= 0) {
    if (Number.isInteger(x)) return NaN;
    return digamma(1 - x) - Math.PI / Math.tan(Math.PI * x);
  }
  let shift = 0;
  while (x < 10) {
    shift += 1 / x;
    x += 1;
  }
  const inverseSquare = 1 / (x * x);
  let series = 0;
  for (let k = DIGAMMA_ASYMPTOTIC.length - 1; k >= 0; k--) series = series * inverseSquare + DIGAMMA_ASYMPTOTIC[k]!;
  return Math.log(x) - 0.5 / x - series * inverseSquare - shift;
}

/** ln B(a, b) = ln Γ(a) + ln Γ(b) - ln Γ(a + b), for a, b > 0. */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** ln(1 + e^d) without overflow for large d or loss of precision for very negative d. */
export function log1pExp(d: number): number {
  return d > 0 ? d + Math.log1p(Math.exp(-d)) : Math.log1p(Math.exp(d));
}

/** The largest number of terms any series here sums before it gives up (and throws). */
export const SERIES_TERM_CAP = 5_000_000;

/**
 * The Gauss hypergeometric function 2F1(a, b; c; z) for 0 <= z < 1 (c not zero or a negative
 * integer), by its defining power series (A&S 15.1.1), summed until the estimated tail is below
 * 1e-16 of the sum.
 *
 * Why no transformation for z near 1: Pfaff's 2F1(a, b; c; z) = (1 - z)^(-a) 2F1(a, c - b; c; z/(z - 1))
 * maps (0.5, 1) to z/(z - 1) < -1, outside the series' disc, so it only helps for z < 0; the
 * 1 - z transformation (A&S 15.3.6) breaks down when c - a - b is near an integer. The series itself
 * converges on all of [0, 1), geometrically at rate z, so near 1 it needs about 37 / (1 - z) terms:
 * z = 0.999 takes some tens of thousands, still well under a millisecond. Terms are rescaled when they
 * grow past 1e250, so large a and b do not overflow before the result does. Past SERIES_TERM_CAP terms
 * (z within about 1e-5 of 1) it throws instead of returning a truncated sum.
 */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  if (![a, b, c, z].every(Number.isFinite)) throw new RangeError(`hyp2f1: arguments must be finite (got ${a}, ${b}, ${c}, ${z})`);
  if (!(z >= 0 && z < 1)) throw new RangeError(`hyp2f1: z must be in [0, 1), got ${z}`);
  if (c <= 0 && Number.isInteger(c)) throw new RangeError(`hyp2f1: c must not be zero or a negative integer, got ${c}`);
  if (z === 0 || a === 0 || b === 0) return 1;
  let term = 1;
  // Neumaier's compensated sum: near z = 1 the series has hundreds of thousands of terms, whose
  // rounding errors would otherwise add up to about 1e-12.
  let sum = 1;
  let compensation = 0;
  // log of the common factor taken out of term and sum when they grew too large.
  let scale = 0;
  for (let k = 0; k < SERIES_TERM_CAP; k++) {
    const ratio = ((a + k) * (b + k) * z) / ((c + k) * (k + 1));
    term *= ratio;
    const next = sum + term;
    compensation += Math.abs(sum) >= Math.abs(term) ? sum - next + term : term - next + sum;
    sum = next;
    if (term === 0) return (sum + compensation) * Math.exp(scale);
    // A terminating series (a or b a negative integer) ends exactly.
    const following = Math.abs(((a + k + 1) * (b + k + 1) * z) / ((c + k + 1) * (k + 2)));
    // Once the ratios are below 1 and tend to z, the tail after this term is at most about
    // |term| * q / (1 - q) with q the larger of the current ratio and z (the ratios approach z from
    // either side); stop when that is below 1e-16 of the sum. While a + k or b + k is still negative
    // the terms change sign and the bound does not hold, hence the wait for k > −min(a, b).
    const q = Math.max(following, z);
    if (q < 1 && k > -Math.min(a, b) && Math.abs(term) * q <= 1e-16 * (1 - q) * Math.abs(sum)) return (sum + compensation) * Math.exp(scale);
    if (Math.abs(sum) > 1e250) {
      term *= 1e-250;
      sum *= 1e-250;
      compensation *= 1e-250;
      scale += 250 * Math.LN10;
    }
  }
  throw new RangeError(`hyp2f1(${a}, ${b}; ${c}; ${z}): the series did not converge in ${SERIES_TERM_CAP} terms (z too close to 1)`);
}
