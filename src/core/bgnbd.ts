/**
 * The BG/NBD model of repeat buying (P. S. Fader, B. G. S. Hardie and K. L. Lee, "'Counting your
 * customers' the easy way: an alternative to the Pareto/NBD model", Marketing Science 24(2), 2005,
 * 275-284; "FHL" below). While active, a client buys as a Poisson process with rate λ; after each
 * purchase it drops out with probability p; λ ~ Gamma(r, α) and p ~ Beta(a, b) across clients.
 *
 * A client's history is (x, t_x, T): x repeat purchases (purchases after the first), the last at t_x
 * after the first, observed for T since the first, in one time unit (α is in the same unit).
 */
import { minimise } from './optimise.ts';
import { log1pExp, logBeta, logGamma, SERIES_TERM_CAP } from './special-functions.ts';

export type BgNbdParams = { r: number; alpha: number; a: number; b: number };
export type RepeatData = { x: Float64Array; tx: Float64Array; T: Float64Array };
export type BgNbdFit = { params: BgNbdParams; logLikelihood: number; converged: boolean; iterations: number };

/**
 * The data grouped by distinct (x, t_x, T), with each group's weight (how many clients share it), and
 * the distinct values of x, t_x and T indexed, so that one evaluation of the likelihood costs a
 * logarithm per distinct t_x and T, log-gammas per distinct x, and an exp and a log1p per group.
 */
type GroupedData = {
  weight: Float64Array;
  xIndex: Int32Array;
  txIndex: Int32Array;
  TIndex: Int32Array;
  xValues: Float64Array;
  txValues: Float64Array;
  TValues: Float64Array;
  clients: number;
};

function checkData(data: RepeatData): void {
  const n = data.x.length;
  if (data.tx.length !== n || data.T.length !== n) throw new RangeError(`BG/NBD data: x, tx and T must have the same length (${n}, ${data.tx.length}, ${data.T.length})`);
  for (let i = 0; i < n; i++) {
    const x = data.x[i]!;
    const tx = data.tx[i]!;
    const T = data.T[i]!;
    if (!(Number.isInteger(x) && x >= 0)) throw new RangeError(`BG/NBD data: x[${i}] must be a whole number from 0, got ${x}`);
    if (!(tx >= 0 && T >= tx && Number.isFinite(T))) throw new RangeError(`BG/NBD data: row ${i} needs 0 <= tx <= T (finite), got tx ${tx}, T ${T}`);
    if (x === 0 && tx !== 0) throw new RangeError(`BG/NBD data: row ${i} has no repeat purchase, so tx must be 0, got ${tx}`);
  }
}

function indexValues(values: Float64Array): { index: Int32Array; distinct: Float64Array } {
  const lookup = new Map<number, number>();
  const distinct: number[] = [];
  const index = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    let k = lookup.get(v);
    if (k === undefined) {
      k = distinct.length;
      distinct.push(v);
      lookup.set(v, k);
    }
    index[i] = k;
  }
  return { index, distinct: Float64Array.from(distinct) };
}

function groupData(data: RepeatData): GroupedData {
  const xs = indexValues(data.x);
  const txs = indexValues(data.tx);
  const Ts = indexValues(data.T);
  // Group on the three small indices; a numeric key is far cheaper than a string one.
  const nx = xs.distinct.length;
  const ntx = txs.distinct.length;
  const groups = new Map<number, number>();
  const weight: number[] = [];
  const xIndex: number[] = [];
  const txIndex: number[] = [];
  const TIndex: number[] = [];
  for (let i = 0; i < data.x.length; i++) {
    const key = (Ts.index[i]! * ntx + txs.index[i]!) * nx + xs.index[i]!;
    const g = groups.get(key);
    if (g === undefined) {
      groups.set(key, weight.length);
      weight.push(1);
      xIndex.push(xs.index[i]!);
      txIndex.push(txs.index[i]!);
      TIndex.push(Ts.index[i]!);
    } else {
      weight[g]! += 1;
    }
  }
  return {
    weight: Float64Array.from(weight),
    xIndex: Int32Array.from(xIndex),
    txIndex: Int32Array.from(txIndex),
    TIndex: Int32Array.from(TIndex),
    xValues: xs.distinct,
    txValues: txs.distinct,
    TValues: Ts.distinct,
    clients: data.x.length,
  };
}

/**
 * The log-likelihood of the grouped data: FHL eq. (6), summed over clients (FHL eq. 7), in the
 * rearrangement of Fader & Hardie's note "Implementing the BG/NBD model in Excel" (2005):
 *
 *   ln L_i = ln Γ(r + x) − ln Γ(r) + r ln α + ln B(a, b + x) − ln B(a, b)
 *            − (r + x) ln(α + T) + ln[1 + δ(x > 0) · a/(b + x − 1) · ((α + T)/(α + t_x))^(r + x)]
 *
 * using B(a + 1, b + x − 1) / B(a, b + x) = a / (b + x − 1). The last term is a log-sum-exp,
 * ln(1 + e^d), so neither power under- or overflows however long T is. NaN or -Infinity for
 * parameters where it cannot be evaluated (the optimiser treats them as the worst cost).
 */
function groupedLogLikelihood(params: BgNbdParams, grouped: GroupedData, scratch: Scratch): number {
  const { r, alpha, a, b } = params;
  if (!(r > 0 && alpha > 0 && a > 0 && b > 0)) return NaN;
  const { xValues, txValues, TValues } = grouped;
  const lnAlpha = Math.log(alpha);
  const lnGammaR = logGamma(r);
  const lnBetaAB = logBeta(a, b);
  const lnA = Math.log(a);
  // The parts that depend only on x, only on t_x, or only on T.
  for (let k = 0; k < xValues.length; k++) {
    const x = xValues[k]!;
    scratch.constant[k] = logGamma(r + x) - lnGammaR + r * lnAlpha + logBeta(a, b + x) - lnBetaAB;
    scratch.lnOdds[k] = x > 0 ? lnA - Math.log(b + x - 1) : -Infinity;
  }
  for (let k = 0; k < txValues.length; k++) scratch.lnAlphaTx[k] = Math.log(alpha + txValues[k]!);
  for (let k = 0; k < TValues.length; k++) scratch.lnAlphaT[k] = Math.log(alpha + TValues[k]!);
  const { weight, xIndex, txIndex, TIndex } = grouped;
  let sum = 0;
  for (let g = 0; g < weight.length; g++) {
    const xk = xIndex[g]!;
    const x = xValues[xk]!;
    const lnAT = scratch.lnAlphaT[TIndex[g]!]!;
    let ll = scratch.constant[xk]! - (r + x) * lnAT;
    if (x > 0) ll += log1pExp(scratch.lnOdds[xk]! + (r + x) * (lnAT - scratch.lnAlphaTx[txIndex[g]!]!));
    sum += weight[g]! * ll;
  }
  return sum;
}

type Scratch = { constant: Float64Array; lnOdds: Float64Array; lnAlphaTx: Float64Array; lnAlphaT: Float64Array };

function scratchFor(grouped: GroupedData): Scratch {
  return {
    constant: new Float64Array(grouped.xValues.length),
    lnOdds: new Float64Array(grouped.xValues.length),
    lnAlphaTx: new Float64Array(grouped.txValues.length),
    lnAlphaT: new Float64Array(grouped.TValues.length),
  };
}

/** The BG/NBD log-likelihood of `data` under `params` (FHL eqs. 6 and 7); NaN for non-positive parameters. */
export function bgnbdLogLikelihood(params: BgNbdParams, data: RepeatData): number {
  checkData(data);
  const grouped = groupData(data);
  return groupedLogLikelihood(params, grouped, scratchFor(grouped));
}

/**
 * Start values. r = 1 and b = 1 put no strong prior shape on λ and p; α is chosen so that the mean
 * purchase rate r/α matches the pooled rate Σx / ΣT (a method-of-moments guess that ignores dropout),
 * and a = 1 gives a mean dropout probability of 1/2. The other starts cover slower or faster dropout
 * and a more dispersed λ, for data where the first does not converge.
 */
function startValues(data: RepeatData): BgNbdParams[] {
  let sumX = 0;
  let sumT = 0;
  for (let i = 0; i < data.x.length; i++) {
    sumX += data.x[i]!;
    sumT += data.T[i]!;
  }
  const meanT = sumT / Math.max(1, data.x.length);
  const alpha = sumX > 0 ? sumT / sumX : Math.max(1, meanT);
  const scale = Number.isFinite(alpha) && alpha > 0 ? alpha : 1;
  return [
    { r: 1, alpha: scale, a: 1, b: 1 },
    { r: 0.5, alpha: scale / 2, a: 0.5, b: 5 },
    { r: 2, alpha: scale * 2, a: 2, b: 2 },
    { r: 0.25, alpha: Math.max(1e-3, meanT / 10), a: 1, b: 3 },
  ];
}

/**
 * Maximum-likelihood fit of BG/NBD on `data`. The optimiser works on ln r, ln α, ln a, ln b (every
 * parameter positive, and scale-free steps), minimising the mean negative log-likelihood per client
 * so that its tolerances do not depend on how many clients there are. It tries the starts in turn
 * until one converges, and keeps the best. `logLikelihood` is the total over the clients.
 */
export function fitBgNbd(data: RepeatData): BgNbdFit {
  checkData(data);
  if (data.x.length === 0) throw new RangeError('BG/NBD data: there is no client to fit');
  const grouped = groupData(data);
  const scratch = scratchFor(grouped);
  const n = grouped.clients;
  const cost = (theta: readonly number[]): number =>
    -groupedLogLikelihood({ r: Math.exp(theta[0]!), alpha: Math.exp(theta[1]!), a: Math.exp(theta[2]!), b: Math.exp(theta[3]!) }, grouped, scratch) / n;
  let best: { theta: number[]; value: number; converged: boolean } | null = null;
  let iterations = 0;
  for (const start of startValues(data)) {
    const theta0 = [Math.log(start.r), Math.log(start.alpha), Math.log(start.a), Math.log(start.b)];
    if (!Number.isFinite(cost(theta0))) continue;
    const result = minimise(cost, theta0);
    iterations += result.iterations;
    if (best === null || result.value < best.value - 1e-12 || (result.converged && !best.converged && result.value <= best.value + 1e-9)) {
      best = { theta: result.x, value: result.value, converged: result.converged };
    }
    if (best.converged) break;
  }
  if (best === null) throw new RangeError('BG/NBD data: the likelihood cannot be evaluated at any start value');
  const [r, alpha, a, b] = best.theta.map(Math.exp) as [number, number, number, number];
  const params = { r, alpha, a, b };
  return { params, logLikelihood: groupedLogLikelihood(params, grouped, scratch), converged: best.converged, iterations };
}

/**
 * ln of the odds of having dropped out against being alive, for x > 0: the P(alive) expression of
 * Fader, Hardie & Lee, "Computing P(alive) using the BG/NBD model" (2008, note 021):
 * P(alive | x, t_x, T) = 1 / (1 + δ(x > 0) · a/(b + x − 1) · ((α + T)/(α + t_x))^(r + x)).
 */
function logOddsDead(params: BgNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, a, b } = params;
  return Math.log(a / (b + x - 1)) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
}

function checkClient(params: BgNbdParams, x: number, tx: number, T: number): void {
  const { r, alpha, a, b } = params;
  if (!(r > 0 && alpha > 0 && a > 0 && b > 0 && [r, alpha, a, b].every(Number.isFinite))) {
    throw new RangeError(`BG/NBD: parameters must be positive and finite, got r ${r}, alpha ${alpha}, a ${a}, b ${b}`);
  }
  if (!(Number.isSafeInteger(x) && x >= 0)) throw new RangeError(`BG/NBD: x must be a whole number from 0, got ${x}`);
  if (!(tx >= 0 && T >= tx && Number.isFinite(T))) throw new RangeError(`BG/NBD: needs 0 <= tx <= T (finite), got tx ${tx}, T ${T}`);
}

/** P(alive | x, t_x, T), in [0, 1]: 1 for a client with no repeat purchase (x = 0), who cannot have dropped out. */
export function probabilityAlive(params: BgNbdParams, x: number, tx: number, T: number): number {
  checkClient(params, x, tx, T);
  if (x === 0) return 1;
  const d = logOddsDead(params, x, tx, T);
  // The logistic 1 / (1 + e^d), in the form that cannot overflow.
  if (d > 0) {
    const e = Math.exp(-d);
    return e / (1 + e);
  }
  return 1 / (1 + Math.exp(d));
}

/**
 * E[Y(t) | x, t_x, T], the expected number of repeat purchases in the next t (FHL eq. 10):
 *
 *   E = (a + b + x − 1)/(a − 1) · [1 − ((α + T)/(α + T + t))^(r + x) · 2F1(r + x, b + x; a + b + x − 1; z)]
 *       / [1 + δ(x > 0) · a/(b + x − 1) · ((α + T)/(α + t_x))^(r + x)],   z = t/(α + T + t).
 *
 * The denominator is 1 / P(alive). Eq. (10) as printed divides by a − 1, and its derivation goes
 * through E[1/p], which is infinite for a <= 1, yet CDNOW's own fit has a = 0.793. The expectation is
 * finite for every a > 0, and eq. (10) is analytic in a, so it stays right for a < 1 by continuation;
 * but at a = 1 it is 0/0, near a = 1 it loses digits to cancellation, for a large x its 2F1 overflows
 * while (1 − z)^(r + x) underflows, and for a large a the series' terms grow like (1 − z)^(−a) before
 * they cancel. So we compute the same expectation from the model's definition, as a series of
 * positive terms that needs none of that:
 *
 * Given alive, λ | data ~ Gamma(r + x, α + T) and p | data ~ Beta(a, b + x) (the posteriors behind
 * FHL's eq. 10), and E[Y(t) | λ, p] = (1 − e^(−λpt))/p, so with A = r + x and s = t/(α + T),
 * E[Y | alive] = E_p[(1 − (1 + ps)^(−A))/p]. Write q = 1 − p ~ Beta(b + x, a): then 1 + ps =
 * (1 + s)(1 − qz), and expanding (1 − qz)^(−A) and 1/(1 − q) = Σ q^i in powers of q gives
 *
 *   E[Y(t) | alive, x, t_x, T] = Σ_{m>=0} E[q^m] · P(N > m),
 *   E[q^m] = (b + x)_m / (a + b + x)_m,   N ~ NegBin(A, z): P(N = j) = (A)_j z^j (1 − z)^A / j!,
 *
 * every term positive (Tonelli allows the exchange of sum and expectation), so there is no
 * cancellation and a − 1 appears nowhere. The terms fall at least as fast as P(N > m), geometrically
 * at rate z, and at once when a is large. The tests check it against eq. (10) with hyp2f1 and against
 * a direct numerical integration over p, for a on both sides of 1 and up to a = 1e6.
 */
export function expectedRepeatPurchases(params: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  checkClient(params, x, tx, T);
  if (!(t >= 0 && Number.isFinite(t))) throw new RangeError(`BG/NBD: the horizon t must be finite and from 0, got ${t}`);
  if (t === 0) return 0;
  const { r, alpha, a, b } = params;
  const alive = expectationGivenAlive(r + x, a, b + x, t / (alpha + T + t));
  return probabilityAlive(params, x, tx, T) * alive;
}

/** Scratch for the negative binomial's weights, grown as needed (the core is single-threaded). */
let weights = new Float64Array(1024);

/** Σ_{m>=0} E[q^m] P(N > m) with q ~ Beta(beta, a) and N ~ NegBin(A, z); see expectedRepeatPurchases. */
function expectationGivenAlive(A: number, a: number, beta: number, z: number): number {
  // Forward: w_j ∝ P(N = j), from w_0 = 1 by w_j = w_{j−1} (A + j − 1) z / j, rescaled when large, so
  // that neither (1 − z)^A's underflow nor the mode's size matters; normalised by their sum at the end.
  let total = 1;
  weights[0] = 1;
  let j = 1;
  for (; ; j++) {
    if (j >= SERIES_TERM_CAP) throw new RangeError(`BG/NBD: the expectation's series did not converge (z = ${z} too close to 1)`);
    if (j >= weights.length) {
      const grown = new Float64Array(Math.min(SERIES_TERM_CAP, weights.length * 2));
      grown.set(weights);
      weights = grown;
    }
    const ratio = ((A + j - 1) * z) / j;
    const w = weights[j - 1]! * ratio;
    weights[j] = w;
    total += w;
    if (w > 1e250) {
      for (let k = 0; k <= j; k++) weights[k]! *= 1e-250;
      total *= 1e-250;
    }
    // Past the mode the ratios fall towards z, so the weights after w_j sum to at most w q/(1 − q)
    // with q the next ratio; stop when that is below 1e-17 of the total.
    const next = ((A + j) * z) / (j + 1);
    if (next < 1 && ratio < 1 && weights[j]! * next <= 1e-17 * (1 - next) * total) break;
  }
  // Backward: turn the weights into P(N > m) = Σ_{i>m} w_i / total, summed from the small end.
  let tail = 0;
  for (let m = j; m >= 0; m--) {
    const w = weights[m]!;
    weights[m] = tail / total;
    tail += w;
  }
  // Forward again: Σ E[q^m] P(N > m), with E[q^m] = Π_{i<m} (beta + i)/(a + beta + i).
  let moment = 1;
  let sum = 0;
  for (let m = 0; m <= j; m++) {
    sum += moment * weights[m]!;
    moment *= (beta + m) / (a + beta + m);
    if (moment === 0) break;
  }
  return sum;
}
