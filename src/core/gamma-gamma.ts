/**
 * The Gamma-Gamma model of spend per purchase (P. S. Fader and B. G. S. Hardie, "The Gamma-Gamma
 * model of monetary value", note 025, 2013, after R. Colombo and W. Jiang, "A stochastic RFM model",
 * Journal of Interactive Marketing 13(3), 1999; also FHL, "RFM and CLV: using iso-value curves for
 * customer base analysis", Journal of Marketing Research 42, 2005). A client's purchases are
 * z_j ~ Gamma(p, ν), its scale ν ~ Gamma(q, v) across clients, independent of the purchase process.
 * The data of a client are x, its number of repeat purchases, and zbar, their mean value.
 */
import { minimise } from './optimise.ts';
import { logGamma } from './special-functions.ts';

export type GammaGammaParams = { p: number; q: number; v: number };
export type GammaGammaFit = { params: GammaGammaParams; logLikelihood: number; converged: boolean; iterations: number };

type Grouped = { weight: Float64Array; xIndex: Int32Array; xValues: Float64Array; zbar: Float64Array; lnZbar: Float64Array; lnX: Float64Array; clients: number };

function group(x: Float64Array, zbar: Float64Array): Grouped {
  if (x.length !== zbar.length) throw new RangeError(`Gamma-Gamma data: x and zbar must have the same length (${x.length}, ${zbar.length})`);
  const xLookup = new Map<number, number>();
  const xValues: number[] = [];
  const rows = new Map<string, number>();
  const weight: number[] = [];
  const xIndex: number[] = [];
  const z: number[] = [];
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
    const key = `${xi} ${zi}`;
    const g = rows.get(key);
    if (g === undefined) {
      rows.set(key, weight.length);
      weight.push(1);
      xIndex.push(k);
      z.push(zi);
    } else {
      weight[g]! += 1;
    }
  }
  return {
    weight: Float64Array.from(weight),
    xIndex: Int32Array.from(xIndex),
    xValues: Float64Array.from(xValues),
    zbar: Float64Array.from(z),
    lnZbar: Float64Array.from(z, Math.log),
    lnX: Float64Array.from(xValues, Math.log),
    clients: x.length,
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
  const cost = (theta: readonly number[]): number => -groupedLogLikelihood({ p: Math.exp(theta[0]!), q: Math.exp(theta[1]!), v: Math.exp(theta[2]!) }, grouped, perX) / n;
  let best: { theta: number[]; value: number; converged: boolean } | null = null;
  let iterations = 0;
  for (const start of starts) {
    const theta0 = [Math.log(start.p), Math.log(start.q), Math.log(start.v)];
    if (!Number.isFinite(cost(theta0))) continue;
    const result = minimise(cost, theta0);
    iterations += result.iterations;
    if (best === null || result.value < best.value - 1e-12 || (result.converged && !best.converged && result.value <= best.value + 1e-9)) {
      best = { theta: result.x, value: result.value, converged: result.converged };
    }
    if (best.converged) break;
  }
  if (best === null) throw new RangeError('Gamma-Gamma data: the likelihood cannot be evaluated at any start value');
  const [p, q, v] = best.theta.map(Math.exp) as [number, number, number];
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
