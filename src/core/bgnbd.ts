/**
 * The BG/NBD model of repeat buying (P. S. Fader, B. G. S. Hardie and K. L. Lee, "'Counting your
 * customers' the easy way: an alternative to the Pareto/NBD model", Marketing Science 24(2), 2005,
 * 275-284; "FHL" below). While active, a client buys as a Poisson process with rate λ; after each
 * purchase it drops out with probability p; λ ~ Gamma(r, α) and p ~ Beta(a, b) across clients.
 *
 * A client's history is (x, t_x, T): x repeat purchases (purchases after the first), the last at t_x
 * after the first, observed for T since the first, in one time unit (α is in the same unit).
 */
import { minimiseFromStarts } from './optimise.ts';
import { digamma, log1pExp, logBeta, logGamma, SERIES_TERM_CAP } from './special-functions.ts';

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
  /**
   * For the gradient (groupedLogLikelihoodAndGradient): the clients per distinct x, per distinct T,
   * and Σ x per distinct T, which make every term of eq. (6) but the last a sum over distinct values;
   * and the groups with x > 0, the only ones with that last term, as their own arrays.
   */
  weightPerX: Float64Array;
  weightPerT: Float64Array;
  xSumPerT: Float64Array;
  repeat: { weight: Float64Array; xIndex: Int32Array; txIndex: Int32Array; TIndex: Int32Array };
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
  // Number the distinct values in ascending order, so that the groups, and so the order of the
  // likelihood's sum, do not depend on the order of the clients.
  const sorted = Float64Array.from(distinct).sort();
  const rank = new Int32Array(distinct.length);
  for (let k = 0; k < sorted.length; k++) rank[lookup.get(sorted[k]!)!] = k;
  for (let i = 0; i < index.length; i++) index[i] = rank[index[i]!]!;
  return { index, distinct: sorted };
}

function groupData(data: RepeatData): GroupedData {
  const xs = indexValues(data.x);
  const txs = indexValues(data.tx);
  const Ts = indexValues(data.T);
  // Group on the three small indices, by sorting one number per client that encodes them: a typed
  // array's numeric sort of 10^5 keys takes milliseconds, a Map of them ten times as long. The key
  // and its decoding by floor division are exact while the product of the three counts stays below
  // 2^52, which holds for any ledger (each count is at most the number of days or of purchases);
  // beyond it, a comparison sort on the indices gives the same groups in the same order.
  const nx = xs.distinct.length;
  const ntx = txs.distinct.length;
  const n = data.x.length;
  const groupWeight = new Float64Array(n);
  const groupX = new Int32Array(n);
  const groupTx = new Int32Array(n);
  const groupT = new Int32Array(n);
  let groups = 0;
  if (nx * ntx * Ts.distinct.length < 2 ** 52) {
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = (Ts.index[i]! * ntx + txs.index[i]!) * nx + xs.index[i]!;
    keys.sort();
    let previous = -1;
    for (let i = 0; i < n; i++) {
      const key = keys[i]!;
      if (key === previous) {
        groupWeight[groups - 1]! += 1;
        continue;
      }
      previous = key;
      const rest = Math.floor(key / nx);
      const T = Math.floor(rest / ntx);
      groupWeight[groups] = 1;
      groupX[groups] = key - rest * nx;
      groupTx[groups] = rest - T * ntx;
      groupT[groups] = T;
      groups++;
    }
  } else {
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((i, j) => Ts.index[i]! - Ts.index[j]! || txs.index[i]! - txs.index[j]! || xs.index[i]! - xs.index[j]!);
    for (const i of order) {
      const g = groups - 1;
      if (g >= 0 && groupX[g] === xs.index[i] && groupTx[g] === txs.index[i] && groupT[g] === Ts.index[i]) {
        groupWeight[g]! += 1;
        continue;
      }
      groupWeight[groups] = 1;
      groupX[groups] = xs.index[i]!;
      groupTx[groups] = txs.index[i]!;
      groupT[groups] = Ts.index[i]!;
      groups++;
    }
  }
  const weight = groupWeight.slice(0, groups);
  const xIndex = groupX.slice(0, groups);
  const txIndex = groupTx.slice(0, groups);
  const TIndex = groupT.slice(0, groups);
  const weightPerX = new Float64Array(nx);
  const weightPerT = new Float64Array(Ts.distinct.length);
  const xSumPerT = new Float64Array(Ts.distinct.length);
  const repeat = { weight: new Float64Array(groups), xIndex: new Int32Array(groups), txIndex: new Int32Array(groups), TIndex: new Int32Array(groups) };
  let repeatGroups = 0;
  for (let g = 0; g < groups; g++) {
    const w = weight[g]!;
    const x = xs.distinct[xIndex[g]!]!;
    weightPerX[xIndex[g]!]! += w;
    weightPerT[TIndex[g]!]! += w;
    xSumPerT[TIndex[g]!]! += w * x;
    if (x > 0) {
      repeat.weight[repeatGroups] = w;
      repeat.xIndex[repeatGroups] = xIndex[g]!;
      repeat.txIndex[repeatGroups] = txIndex[g]!;
      repeat.TIndex[repeatGroups] = TIndex[g]!;
      repeatGroups++;
    }
  }
  return {
    weight,
    xIndex,
    txIndex,
    TIndex,
    xValues: xs.distinct,
    txValues: txs.distinct,
    TValues: Ts.distinct,
    clients: data.x.length,
    weightPerX,
    weightPerT,
    xSumPerT,
    repeat: {
      weight: repeat.weight.subarray(0, repeatGroups),
      xIndex: repeat.xIndex.subarray(0, repeatGroups),
      txIndex: repeat.txIndex.subarray(0, repeatGroups),
      TIndex: repeat.TIndex.subarray(0, repeatGroups),
    },
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

/**
 * ln L and its gradient with respect to (ln r, ln α, ln a, ln b), written into `gradient`; the same
 * sum as groupedLogLikelihood (equal up to rounding), arranged for speed. Derived here from the
 * per-client form above (the BTYD literature gives the same partial derivatives); with
 * σ = 1 − P(alive) = e^d / (1 + e^d) the logistic of the log-sum-exp's argument
 * d = ln(a/(b + x − 1)) + (r + x) [ln(α + T) − ln(α + t_x)] (zero for x = 0), and ψ the digamma:
 *
 *   ∂ ln L_i/∂r = ψ(r + x) − ψ(r) + ln α − ln(α + T) + σ [ln(α + T) − ln(α + t_x)]
 *   ∂ ln L_i/∂α = r/α − (r + x)/(α + T) + σ (r + x) [1/(α + T) − 1/(α + t_x)]
 *   ∂ ln L_i/∂a = ψ(a + b) − ψ(a + b + x) + σ/a
 *   ∂ ln L_i/∂b = ψ(b + x) − ψ(b) + ψ(a + b) − ψ(a + b + x) − σ/(b + x − 1)
 *
 * (from ∂ ln B(a, b)/∂a = ψ(a) − ψ(a + b), and d ln(1 + e^d) = σ dd), each times the parameter for
 * its logarithm. Everything but the σ terms depends on x alone or on T alone, so it is summed over
 * the distinct values with their client counts; only the groups with x > 0 have a σ, and each of them
 * costs one exp and one log1p. The ψ differences are per distinct x, as are lnΓ and lnB.
 */
function groupedLogLikelihoodAndGradient(params: BgNbdParams, grouped: GroupedData, scratch: Scratch, gradient: number[]): number {
  const { r, alpha, a, b } = params;
  if (!(r > 0 && alpha > 0 && a > 0 && b > 0)) return NaN;
  const { xValues, txValues, TValues, weightPerX, weightPerT, xSumPerT } = grouped;
  const lnAlpha = Math.log(alpha);
  const lnGammaR = logGamma(r);
  const lnBetaAB = logBeta(a, b);
  const lnA = Math.log(a);
  const psiR = digamma(r);
  const psiB = digamma(b);
  const psiAB = digamma(a + b);
  let sum = 0;
  let dR = 0;
  let dAlpha = 0;
  let dA = 0;
  let dB = 0;
  const { lnOdds, sigmaPerX, inverseB } = scratch;
  for (let k = 0; k < xValues.length; k++) {
    const x = xValues[k]!;
    const w = weightPerX[k]!;
    const psiABX = digamma(a + b + x);
    sum += w * (logGamma(r + x) - lnGammaR + r * lnAlpha + logBeta(a, b + x) - lnBetaAB);
    dR += w * (digamma(r + x) - psiR + lnAlpha);
    dAlpha += (w * r) / alpha;
    dA += w * (psiAB - psiABX);
    dB += w * (digamma(b + x) - psiB + psiAB - psiABX);
    lnOdds[k] = x > 0 ? lnA - Math.log(b + x - 1) : -Infinity;
    inverseB[k] = x > 0 ? 1 / (b + x - 1) : 0;
    sigmaPerX[k] = 0;
  }
  const { lnAlphaT, lnAlphaTx, inverseT, inverseTx } = scratch;
  for (let k = 0; k < TValues.length; k++) {
    const lnAT = Math.log(alpha + TValues[k]!);
    const inverse = 1 / (alpha + TValues[k]!);
    lnAlphaT[k] = lnAT;
    inverseT[k] = inverse;
    // −(r + x) ln(α + T), summed over the clients with this T.
    const weightedA = r * weightPerT[k]! + xSumPerT[k]!;
    sum -= weightedA * lnAT;
    dR -= weightPerT[k]! * lnAT;
    dAlpha -= weightedA * inverse;
  }
  for (let k = 0; k < txValues.length; k++) {
    lnAlphaTx[k] = Math.log(alpha + txValues[k]!);
    inverseTx[k] = 1 / (alpha + txValues[k]!);
  }
  const { weight, xIndex, txIndex, TIndex } = grouped.repeat;
  for (let g = 0; g < weight.length; g++) {
    const xk = xIndex[g]!;
    const A = r + xValues[xk]!;
    const Tk = TIndex[g]!;
    const txk = txIndex[g]!;
    const gap = lnAlphaT[Tk]! - lnAlphaTx[txk]!;
    const d = lnOdds[xk]! + A * gap;
    // ln(1 + e^d) and σ = e^d/(1 + e^d) from one exp of −|d|, which cannot overflow.
    const e = Math.exp(-Math.abs(d));
    const w = weight[g]!;
    sum += w * ((d > 0 ? d : 0) + Math.log1p(e));
    const ws = (w * (d > 0 ? 1 : e)) / (1 + e);
    dR += ws * gap;
    dAlpha += ws * A * (inverseT[Tk]! - inverseTx[txk]!);
    sigmaPerX[xk]! += ws;
  }
  for (let k = 0; k < xValues.length; k++) {
    dA += sigmaPerX[k]! / a;
    dB -= sigmaPerX[k]! * inverseB[k]!;
  }
  gradient[0] = dR * r;
  gradient[1] = dAlpha * alpha;
  gradient[2] = dA * a;
  gradient[3] = dB * b;
  return sum;
}

type Scratch = {
  constant: Float64Array;
  lnOdds: Float64Array;
  lnAlphaTx: Float64Array;
  lnAlphaT: Float64Array;
  sigmaPerX: Float64Array;
  inverseB: Float64Array;
  inverseTx: Float64Array;
  inverseT: Float64Array;
};

function scratchFor(grouped: GroupedData): Scratch {
  return {
    constant: new Float64Array(grouped.xValues.length),
    lnOdds: new Float64Array(grouped.xValues.length),
    lnAlphaTx: new Float64Array(grouped.txValues.length),
    lnAlphaT: new Float64Array(grouped.TValues.length),
    sigmaPerX: new Float64Array(grouped.xValues.length),
    inverseB: new Float64Array(grouped.xValues.length),
    inverseTx: new Float64Array(grouped.txValues.length),
    inverseT: new Float64Array(grouped.TValues.length),
  };
}

/**
 * The BG/NBD log-likelihood of `data` and its gradient with respect to (ln r, ln α, ln a, ln b)
 * (see groupedLogLikelihoodAndGradient). For the tests, which check it against finite differences.
 */
export function bgnbdLogLikelihoodGradient(params: BgNbdParams, data: RepeatData): { logLikelihood: number; gradient: number[] } {
  checkData(data);
  const grouped = groupData(data);
  const gradient = [0, 0, 0, 0];
  const logLikelihood = groupedLogLikelihoodAndGradient(params, grouped, scratchFor(grouped), gradient);
  return { logLikelihood, gradient };
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
  // T summed in ascending order, so that the start (and so the last digits of the fit) does not
  // depend on the order the clients come in: a file and the stored ledger list them differently.
  const ages = Float64Array.from(data.T).sort();
  for (let i = 0; i < data.x.length; i++) {
    sumX += data.x[i]!;
    sumT += ages[i]!;
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
  const paramsOf = (theta: readonly number[]): BgNbdParams => ({ r: Math.exp(theta[0]!), alpha: Math.exp(theta[1]!), a: Math.exp(theta[2]!), b: Math.exp(theta[3]!) });
  const cost = (theta: readonly number[]): number => -groupedLogLikelihood(paramsOf(theta), grouped, scratch) / n;
  const costWithGradient = (theta: readonly number[], gradient: number[]): number => {
    const value = -groupedLogLikelihoodAndGradient(paramsOf(theta), grouped, scratch, gradient) / n;
    for (let k = 0; k < 4; k++) gradient[k] = -gradient[k]! / n;
    return value;
  };
  const starts = startValues(data).map((start) => [Math.log(start.r), Math.log(start.alpha), Math.log(start.a), Math.log(start.b)]);
  const { best, iterations } = minimiseFromStarts(cost, costWithGradient, starts);
  if (best === null) throw new RangeError('BG/NBD data: the likelihood cannot be evaluated at any start value');
  const [r, alpha, a, b] = best.x.map(Math.exp) as [number, number, number, number];
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

function checkParams(params: BgNbdParams): void {
  const { r, alpha, a, b } = params;
  if (!(r > 0 && alpha > 0 && a > 0 && b > 0 && [r, alpha, a, b].every(Number.isFinite))) {
    throw new RangeError(`BG/NBD: parameters must be positive and finite, got r ${r}, alpha ${alpha}, a ${a}, b ${b}`);
  }
}

function checkHistory(x: number, tx: number, T: number): void {
  if (!(Number.isSafeInteger(x) && x >= 0)) throw new RangeError(`BG/NBD: x must be a whole number from 0, got ${x}`);
  if (!(tx >= 0 && T >= tx && Number.isFinite(T))) throw new RangeError(`BG/NBD: needs 0 <= tx <= T (finite), got tx ${tx}, T ${T}`);
}

function checkClient(params: BgNbdParams, x: number, tx: number, T: number): void {
  checkParams(params);
  checkHistory(x, tx, T);
}

/** P(alive | x, t_x, T), in [0, 1]: 1 for a client with no repeat purchase (x = 0), who cannot have dropped out. */
export function probabilityAlive(params: BgNbdParams, x: number, tx: number, T: number): number {
  checkClient(params, x, tx, T);
  if (x === 0) return 1;
  return logistic(logOddsDead(params, x, tx, T));
}

/** The logistic 1 / (1 + e^d), in the form that cannot overflow. */
function logistic(d: number): number {
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

/**
 * P(alive) and E[Y(t) | x, t_x, T] for every client of `data`, equal to probabilityAlive and
 * expectedRepeatPurchases client by client (the same arithmetic, so bit for bit), but with the
 * parameters checked once and the series of E[Y | alive] summed once per distinct (x, T): it depends
 * on x through r + x and b + x and on T through z = t/(α + T + t), not on t_x, and a ledger's clients
 * share far fewer (x, T) pairs than there are clients (about a quarter, on the benchmark's 100,000).
 */
export function forecastClients(params: BgNbdParams, t: number, data: RepeatData): { pAlive: Float64Array; expectedPurchases: Float64Array } {
  const n = data.x.length;
  if (data.tx.length !== n || data.T.length !== n) throw new RangeError(`BG/NBD data: x, tx and T must have the same length (${n}, ${data.tx.length}, ${data.T.length})`);
  checkParams(params);
  if (!(t >= 0 && Number.isFinite(t))) throw new RangeError(`BG/NBD: the horizon t must be finite and from 0, got ${t}`);
  const { r, alpha, a, b } = params;
  const pAlive = new Float64Array(n);
  const expectedPurchases = new Float64Array(n);
  const cache = new Map<number, Map<number, number>>();
  for (let i = 0; i < n; i++) {
    const x = data.x[i]!;
    const tx = data.tx[i]!;
    const T = data.T[i]!;
    checkHistory(x, tx, T);
    const alive = x === 0 ? 1 : logistic(logOddsDead(params, x, tx, T));
    pAlive[i] = alive;
    if (t === 0) continue;
    let byT = cache.get(x);
    if (byT === undefined) {
      byT = new Map();
      cache.set(x, byT);
    }
    let givenAlive = byT.get(T);
    if (givenAlive === undefined) {
      givenAlive = expectationGivenAlive(r + x, a, b + x, t / (alpha + T + t));
      byT.set(T, givenAlive);
    }
    expectedPurchases[i] = alive * givenAlive;
  }
  return { pAlive, expectedPurchases };
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
