/**
 * The Gamma-Gamma model of spend per purchase (P. S. Fader and B. G. S. Hardie, "The Gamma-Gamma
 * model of monetary value", note 025, 2013, after R. Colombo and W. Jiang, "A stochastic RFM model",
 * Journal of Interactive Marketing 13(3), 1999; also FHL, "RFM and CLV: using iso-value curves for
 * customer base analysis", Journal of Marketing Research 42, 2005). A client's purchases are
 * z_j ~ Gamma(p, ν), its scale ν ~ Gamma(q, v) across clients, independent of the purchase process.
 * The data of a client are x, its number of repeat purchases, and zbar, their mean value.
 */
import { minimiseFromStarts } from './optimise.ts';
import { digamma, logGamma } from './special-functions.ts';

export type GammaGammaParams = { p: number; q: number; v: number };
export type GammaGammaFit = { params: GammaGammaParams; logLikelihood: number; converged: boolean; iterations: number };

/**
 * The data with each distinct x indexed, and per distinct x its client count and the sums Σ ln zbar
 * and Σ x ln zbar that the gradient's constant terms need. Rows are not grouped by (x, zbar): zbar
 * is a mean of amounts, nearly always distinct, so grouping would cost more (a map of 10^5 doubles)
 * than the one log per row it could save; `weight` stays, all ones, for data that carry counts.
 */
type Grouped = {
  weight: Float64Array;
  xIndex: Int32Array;
  xValues: Float64Array;
  zbar: Float64Array;
  lnZbar: Float64Array;
  lnX: Float64Array;
  clients: number;
  weightPerX: Float64Array;
  /** Σ w ln zbar and Σ w x ln zbar over all rows. */
  sumLnZbar: number;
  sumXLnZbar: number;
};

function group(x: Float64Array, zbar: Float64Array): Grouped {
  if (x.length !== zbar.length) throw new RangeError(`Gamma-Gamma data: x and zbar must have the same length (${x.length}, ${zbar.length})`);
  const xLookup = new Map<number, number>();
  const xValues: number[] = [];
  const xIndex = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const zi = zbar[i]!;
    if (!(Number.isInteger(xi) && xi > 0)) throw new RangeError(`Gamma-Gamma data: x[${i}] must be a whole number from 1 (repeat buyers only), got ${xi}`);
    if (!(zi > 0 && Number.isFinite(zi))) throw new RangeError(`Gamma-Gamma data: zbar[${i}] must be positive and finite, got ${zi}`);
    let k = xLookup.get(xi);
    if (k === undefined) {
      k = xValues.length;
      xValues.push(xi);
      xLookup.set(xi, k);
    }
    xIndex[i] = k;
  }
  const weight = new Float64Array(x.length).fill(1);
  const z = Float64Array.from(zbar);
  const lnZbar = Float64Array.from(z, Math.log);
  const weightPerX = new Float64Array(xValues.length);
  let sumLnZbar = 0;
  let sumXLnZbar = 0;
  for (let g = 0; g < weight.length; g++) {
    const w = weight[g]!;
    weightPerX[xIndex[g]!]! += w;
    sumLnZbar += w * lnZbar[g]!;
    sumXLnZbar += w * xValues[xIndex[g]!]! * lnZbar[g]!;
  }
  return {
    weight,
    xIndex,
    xValues: Float64Array.from(xValues),
    zbar: z,
    lnZbar,
    lnX: Float64Array.from(xValues, Math.log),
    clients: x.length,
    weightPerX,
    sumLnZbar,
    sumXLnZbar,
  };
}

/**
 * Σ ln f(zbar | x; p, q, v), the marginal density of a client's mean spend (note 025, the likelihood
 * maximised in its section 4; FHL 2005 JMR, appendix):
 *
 *   ln f = ln Γ(px + q) − ln Γ(px) − ln Γ(q) + q ln v + px ln x + (px − 1) ln zbar − (px + q) ln(v + x·zbar).
 *
 * NaN for non-positive parameters (the optimiser treats it as the worst cost).
 */
function groupedLogLikelihood(params: GammaGammaParams, grouped: Grouped, perX: Float64Array): number {
  const { p, q, v } = params;
  if (!(p > 0 && q > 0 && v > 0)) return NaN;
  const lnGammaQ = logGamma(q);
  const qLnV = q * Math.log(v);
  const { xValues, lnX, weight, xIndex, zbar, lnZbar } = grouped;
  for (let k = 0; k < xValues.length; k++) {
    const px = p * xValues[k]!;
    perX[k] = logGamma(px + q) - logGamma(px) - lnGammaQ + qLnV + px * lnX[k]!;
  }
  let sum = 0;
  for (let g = 0; g < weight.length; g++) {
    const k = xIndex[g]!;
    const x = xValues[k]!;
    const px = p * x;
    sum += weight[g]! * (perX[k]! + (px - 1) * lnZbar[g]! - (px + q) * Math.log(v + x * zbar[g]!));
  }
  return sum;
}

/**
 * Σ ln f and its gradient with respect to (ln p, ln q, ln v), written into `gradient`; the same sum
 * as groupedLogLikelihood up to rounding. Derived here by differentiating ln f above (ψ the
 * digamma, L = ln(v + x·zbar)):
 *
 *   ∂ ln f/∂p = x [ψ(px + q) − ψ(px) + ln x + ln zbar − L]
 *   ∂ ln f/∂q = ψ(px + q) − ψ(q) + ln v − L
 *   ∂ ln f/∂v = q/v − (px + q)/(v + x·zbar)
 *
 * each times the parameter for its logarithm. Only L and 1/(v + x·zbar) depend on the group, so the
 * loop over groups costs one log and one division each, accumulated per distinct x; the ln zbar
 * terms are constants of the data (Grouped.sumLnZbar, sumXLnZbar), and the ψ per distinct x.
 */
function groupedLogLikelihoodAndGradient(params: GammaGammaParams, grouped: Grouped, scratch: Scratch, gradient: number[]): number {
  const { p, q, v } = params;
  if (!(p > 0 && q > 0 && v > 0)) return NaN;
  const { xValues, lnX, weightPerX, weight, xIndex, zbar } = grouped;
  const { sumLog, sumInverse } = scratch;
  sumLog.fill(0);
  sumInverse.fill(0);
  for (let g = 0; g < weight.length; g++) {
    const k = xIndex[g]!;
    const w = weight[g]!;
    const denominator = v + xValues[k]! * zbar[g]!;
    sumLog[k]! += w * Math.log(denominator);
    sumInverse[k]! += w / denominator;
  }
  const lnGammaQ = logGamma(q);
  const psiQ = digamma(q);
  const lnV = Math.log(v);
  let sum = p * grouped.sumXLnZbar - grouped.sumLnZbar;
  let dP = grouped.sumXLnZbar;
  let dQ = 0;
  let dV = 0;
  for (let k = 0; k < xValues.length; k++) {
    const x = xValues[k]!;
    const w = weightPerX[k]!;
    const px = p * x;
    const psiPxQ = digamma(px + q);
    sum += w * (logGamma(px + q) - logGamma(px) - lnGammaQ + q * lnV + px * lnX[k]!) - (px + q) * sumLog[k]!;
    dP += x * (w * (psiPxQ - digamma(px) + lnX[k]!) - sumLog[k]!);
    dQ += w * (psiPxQ - psiQ + lnV) - sumLog[k]!;
    dV += (w * q) / v - (px + q) * sumInverse[k]!;
  }
  gradient[0] = dP * p;
  gradient[1] = dQ * q;
  gradient[2] = dV * v;
  return sum;
}

type Scratch = { perX: Float64Array; sumLog: Float64Array; sumInverse: Float64Array };

function scratchFor(grouped: Grouped): Scratch {
  const n = grouped.xValues.length;
  return { perX: new Float64Array(n), sumLog: new Float64Array(n), sumInverse: new Float64Array(n) };
}

/** Σ ln f and its gradient with respect to (ln p, ln q, ln v); for the tests, which check it against finite differences. */
export function gammaGammaLogLikelihoodGradient(params: GammaGammaParams, x: Float64Array, zbar: Float64Array): { logLikelihood: number; gradient: number[] } {
  const grouped = group(x, zbar);
  const gradient = [0, 0, 0];
  const logLikelihood = groupedLogLikelihoodAndGradient(params, grouped, scratchFor(grouped), gradient);
  return { logLikelihood, gradient };
}

export function gammaGammaLogLikelihood(params: GammaGammaParams, x: Float64Array, zbar: Float64Array): number {
  const grouped = group(x, zbar);
  return groupedLogLikelihood(params, grouped, new Float64Array(grouped.xValues.length));
}

/**
 * Maximum-likelihood fit on the repeat buyers: every x a whole number from 1 and every zbar positive
 * (the model says nothing about a client without a repeat purchase; throws RangeError otherwise).
 * The optimiser works on ln p, ln q, ln v. Start values: p = 1 and q = 2 (a finite population mean),
 * with v chosen so that the population mean p v / (q − 1) equals the mean zbar; then wider starts
 * if that one does not converge.
 */
export function fitGammaGamma(x: Float64Array, zbar: Float64Array): GammaGammaFit {
  const grouped = group(x, zbar);
  if (grouped.clients === 0) throw new RangeError('Gamma-Gamma data: there is no repeat buyer to fit');
  const perX = new Float64Array(grouped.xValues.length);
  const n = grouped.clients;
  let mean = 0;
  for (let i = 0; i < zbar.length; i++) mean += zbar[i]! / n;
  const starts: GammaGammaParams[] = [
    { p: 1, q: 2, v: mean },
    { p: 5, q: 5, v: (mean * 4) / 5 },
    { p: 0.5, q: 1.5, v: mean },
  ];
  const paramsOf = (theta: readonly number[]): GammaGammaParams => ({ p: Math.exp(theta[0]!), q: Math.exp(theta[1]!), v: Math.exp(theta[2]!) });
  const cost = (theta: readonly number[]): number => -groupedLogLikelihood(paramsOf(theta), grouped, perX) / n;
  const scratch = scratchFor(grouped);
  const costWithGradient = (theta: readonly number[], gradient: number[]): number => {
    const value = -groupedLogLikelihoodAndGradient(paramsOf(theta), grouped, scratch, gradient) / n;
    for (let k = 0; k < 3; k++) gradient[k] = -gradient[k]! / n;
    return value;
  };
  const thetas = starts.map((start) => [Math.log(start.p), Math.log(start.q), Math.log(start.v)]);
  const { best, iterations } = minimiseFromStarts(cost, costWithGradient, thetas);
  if (best === null) throw new RangeError('Gamma-Gamma data: the likelihood cannot be evaluated at any start value');
  const [p, q, v] = best.x.map(Math.exp) as [number, number, number];
  const params = { p, q, v };
  return { params, logLikelihood: groupedLogLikelihood(params, grouped, perX), converged: best.converged, iterations };
}

/**
 * E(M | x, zbar) = (v + x·zbar) · p / (px + q − 1) (note 025, the conditional expectation of a client's
 * mean spend; a weighted mean of the population mean p v/(q − 1) and the client's own zbar, with weight
 * px/(px + q − 1) on zbar). With x = 0 it is the population mean. Needs q > 1 when x = 0 (the
 * population mean is infinite otherwise).
 */
export function expectedAverageSpend(params: GammaGammaParams, x: number, zbar: number): number {
  const { p, q, v } = params;
  if (!(p > 0 && q > 0 && v > 0 && [p, q, v].every(Number.isFinite))) throw new RangeError(`Gamma-Gamma: parameters must be positive and finite, got p ${p}, q ${q}, v ${v}`);
  if (!(Number.isFinite(x) && x >= 0)) throw new RangeError(`Gamma-Gamma: x must be finite and from 0, got ${x}`);
  if (!Number.isFinite(zbar)) throw new RangeError(`Gamma-Gamma: zbar must be finite, got ${zbar}`);
  const denominator = p * x + q - 1;
  if (!(denominator > 0)) throw new RangeError(`Gamma-Gamma: E(M) is infinite when p x + q <= 1 (p ${p}, x ${x}, q ${q})`);
  return ((v + x * zbar) * p) / denominator;
}

/** The population mean spend per purchase, p v / (q − 1): E(M) for a client with no usable zbar. Needs q > 1. */
export function populationAverageSpend(params: GammaGammaParams): number {
  return expectedAverageSpend(params, 0, 0);
}
