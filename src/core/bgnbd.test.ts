/**
 * BG/NBD: the published CDNOW fit (Fader, Hardie & Lee 2005), the conditional expectation against
 * eq. (10) and against a direct integration, and the model's invariants (fast-check). The test reads
 * the CDNOW summary file; the core itself does no I/O.
 */
// eslint-disable-next-line no-restricted-imports -- a test may read its fixture; the rule keeps I/O out of the core's code.
import { readFileSync } from 'node:fs';
// eslint-disable-next-line no-restricted-imports -- as above.
import { dirname, join } from 'node:path';
// eslint-disable-next-line no-restricted-imports -- as above.
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bgnbdLogLikelihood, bgnbdLogLikelihoodGradient, expectedRepeatPurchases, fitBgNbd, forecastClients, probabilityAlive, type BgNbdParams, type RepeatData } from './bgnbd.ts';
import { hyp2f1, logBeta } from './special-functions.ts';

const CDNOW = join(dirname(fileURLToPath(import.meta.url)), '../../../shared/datasets/cdnow');

/** The calibration summary (ID, x, t_x, T, zbar), in weeks, as Fader & Hardie distribute it. */
function readSummary(): RepeatData & { zbar: Float64Array } {
  const rows = readFileSync(join(CDNOW, 'cdnow_customers_summary_with_transactions.csv'), 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((line) => line.split(',').map(Number));
  const column = (k: number): Float64Array => Float64Array.from(rows, (row) => row[k]!);
  return { x: column(1), tx: column(2), T: column(3), zbar: column(4) };
}

// The published values are rounded to 3 decimals, so the exact maximum lies within half a unit of the
// last digit of each: |fit − published| <= 0.0005, plus 1e-9 for the optimiser's own tolerance.
const HALF_UNIT_3 = 0.0005 + 1e-9;

describe('fitBgNbd on CDNOW (Fader, Hardie & Lee 2005)', () => {
  it('reproduces r = 0.243, α = 4.414, a = 0.793, b = 2.426 and LL = −9582.4 from the summary file', () => {
    const data = readSummary();
    const fit = fitBgNbd(data);
    expect(fit.converged).toBe(true);
    expect(Math.abs(fit.params.r - 0.243)).toBeLessThanOrEqual(HALF_UNIT_3);
    expect(Math.abs(fit.params.alpha - 4.414)).toBeLessThanOrEqual(HALF_UNIT_3);
    expect(Math.abs(fit.params.a - 0.793)).toBeLessThanOrEqual(HALF_UNIT_3);
    expect(Math.abs(fit.params.b - 2.426)).toBeLessThanOrEqual(HALF_UNIT_3);
    // LL to one decimal: within half a unit of −9582.4.
    expect(Math.abs(fit.logLikelihood - -9582.4)).toBeLessThanOrEqual(0.05);
    // The maximum is a maximum: the published (rounded) point is no better.
    expect(bgnbdLogLikelihood({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, data)).toBeLessThanOrEqual(fit.logLikelihood);
  });

  it('gives the same fit whatever the order of the clients (the grouping is exact)', () => {
    const data = readSummary();
    const order = Array.from(data.x, (_, i) => i).reverse();
    const shuffled: RepeatData = { x: Float64Array.from(order, (i) => data.x[i]!), tx: Float64Array.from(order, (i) => data.tx[i]!), T: Float64Array.from(order, (i) => data.T[i]!) };
    const a = fitBgNbd(data);
    const b = fitBgNbd(shuffled);
    expect(b.logLikelihood).toBeCloseTo(a.logLikelihood, 8);
    expect(b.params.r).toBeCloseTo(a.params.r, 6);
  });
});

describe('bgnbdLogLikelihood', () => {
  it('equals eq. (6) written out for one client, with and without repeat purchases', () => {
    const params = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    const { r, alpha, a, b } = params;
    // x = 2, t_x = 30.43, T = 38.86 (the summary's first client), straight from FHL eq. (6).
    const x = 2;
    const tx = 30.43;
    const T = 38.86;
    const gammaRatio = (r + 1) * r; // Γ(r + 2)/Γ(r)
    const direct =
      Math.exp(logBeta(a, b + x) - logBeta(a, b)) * gammaRatio * Math.pow(alpha, r) / Math.pow(alpha + T, r + x) +
      Math.exp(logBeta(a + 1, b + x - 1) - logBeta(a, b)) * gammaRatio * Math.pow(alpha, r) / Math.pow(alpha + tx, r + x);
    const one = (x: number, tx: number, T: number): RepeatData => ({ x: Float64Array.of(x), tx: Float64Array.of(tx), T: Float64Array.of(T) });
    expect(bgnbdLogLikelihood(params, one(x, tx, T))).toBeCloseTo(Math.log(direct), 12);
    expect(bgnbdLogLikelihood(params, one(0, 0, 20))).toBeCloseTo(r * Math.log(alpha / (alpha + 20)), 12);
  });

  it('stays finite for long histories where the powers of eq. (6) underflow', () => {
    const ll = bgnbdLogLikelihood({ r: 2, alpha: 0.01, a: 1, b: 1 }, { x: Float64Array.of(400), tx: Float64Array.of(1), T: Float64Array.of(5000) });
    expect(Number.isFinite(ll)).toBe(true);
  });

  it('rejects malformed data, naming the row', () => {
    const params = { r: 1, alpha: 1, a: 1, b: 1 };
    expect(() => bgnbdLogLikelihood(params, { x: Float64Array.of(1.5), tx: Float64Array.of(1), T: Float64Array.of(2) })).toThrow(/x\[0\] must be a whole number/);
    expect(() => bgnbdLogLikelihood(params, { x: Float64Array.of(1, 1), tx: Float64Array.of(1, 3), T: Float64Array.of(2, 2) })).toThrow(/row 1 needs 0 <= tx <= T/);
    expect(() => bgnbdLogLikelihood(params, { x: Float64Array.of(0), tx: Float64Array.of(1), T: Float64Array.of(2) })).toThrow(/row 0 has no repeat purchase/);
    expect(() => bgnbdLogLikelihood(params, { x: Float64Array.of(0), tx: Float64Array.of(), T: Float64Array.of(2) })).toThrow(/same length/);
    expect(() => fitBgNbd({ x: new Float64Array(), tx: new Float64Array(), T: new Float64Array() })).toThrow(/no client to fit/);
    expect(Number.isNaN(bgnbdLogLikelihood({ ...params, a: -1 }, { x: Float64Array.of(0), tx: Float64Array.of(0), T: Float64Array.of(2) }))).toBe(true);
  });
});

describe('the log-likelihood’s analytic gradient', () => {
  /** Central differences in the log-parameters, with Richardson extrapolation (error O(h^4)). */
  function numericalGradient(params: BgNbdParams, data: RepeatData): number[] {
    const keys = ['r', 'alpha', 'a', 'b'] as const;
    return keys.map((key) => {
      const at = (step: number): number => bgnbdLogLikelihood({ ...params, [key]: params[key] * Math.exp(step) }, data);
      const difference = (h: number): number => (at(h) - at(-h)) / (2 * h);
      const h = 1e-3;
      return (4 * difference(h / 2) - difference(h)) / 3;
    });
  }

  it('equals finite differences of the likelihood, at the CDNOW optimum and away from it', () => {
    const data = readSummary();
    for (const params of [
      { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 },
      { r: 1, alpha: 10, a: 1, b: 1 },
      { r: 5, alpha: 0.5, a: 0.1, b: 20 },
      { r: 0.05, alpha: 100, a: 30, b: 0.3 },
    ]) {
      const { logLikelihood, gradient } = bgnbdLogLikelihoodGradient(params, data);
      expect(logLikelihood).toBeCloseTo(bgnbdLogLikelihood(params, data), 8);
      const numerical = numericalGradient(params, data);
      gradient.forEach((g, k) => expect(Math.abs(g - numerical[k]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(numerical[k]!))));
    }
  });

  it('vanishes at the fitted maximum (the fit is converged to the gradient’s tolerance)', () => {
    const data = readSummary();
    const fit = fitBgNbd(data);
    const { gradient } = bgnbdLogLikelihoodGradient(fit.params, data);
    // The optimiser stops at a mean gradient below 1e-11 per client; the total is 2,357 times that.
    for (const g of gradient) expect(Math.abs(g)).toBeLessThan(1e-11 * 2357 * 10);
    // BFGS on the analytic gradient, not the Nelder-Mead fallback (hundreds of iterations).
    expect(fit.iterations).toBeLessThan(60);
  });
});

/** FHL eq. (10) as printed, with the hypergeometric series. */
function equation10(params: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  const { r, alpha, a, b } = params;
  const z = t / (alpha + T + t);
  const bracket = 1 - Math.pow((alpha + T) / (alpha + T + t), r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z);
  const denominator = 1 + (x > 0 ? (a / (b + x - 1)) * Math.pow((alpha + T) / (alpha + tx), r + x) : 0);
  return ((a + b + x - 1) / (a - 1)) * bracket / denominator;
}

/**
 * E[Y(t) | x, t_x, T] by integrating over the posterior of p directly: given alive, λ | data ~
 * Gamma(r + x, α + T) and p | data ~ Beta(a, b + x), and E[Y | λ, p] = (1 − e^(−λpt))/p, so
 * E[Y | alive] = ∫ (1 − (1 + p t/(α + T))^(−(r + x)))/p · Beta(p; a, b + x) dp. Tanh-sinh quadrature
 * (Takahasi & Mori 1974), which is exact to about 1e-12 despite the Beta density's endpoint singularities.
 */
function integrated(params: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  const { r, alpha, a, b } = params;
  const s = t / (alpha + T);
  const g = (p: number): number => -Math.expm1(-(r + x) * Math.log1p(p * s)) / p;
  const h = 1 / 128;
  let sum = 0;
  for (let k = -6 * 128; k <= 6 * 128; k++) {
    const tau = k * h;
    const u = (Math.PI / 2) * Math.sinh(tau);
    // p and 1 − p each computed without cancellation near their own end.
    const p = 1 / (1 + Math.exp(-2 * u));
    const q = 1 / (1 + Math.exp(2 * u));
    const weight = ((Math.PI / 2) * Math.cosh(tau)) / (2 * Math.cosh(u) ** 2);
    if (p === 0 || q === 0) continue;
    sum += weight * g(p) * Math.exp((a - 1) * Math.log(p) + (b + x - 1) * Math.log(q));
  }
  const alive = (sum * h) / Math.exp(logBeta(a, b + x));
  return probabilityAlive(params, x, tx, T) * alive;
}

describe('expectedRepeatPurchases', () => {
  const cases: [number, number, number, number][] = [
    [39, 0, 0, 38.86],
    [39, 2, 30.43, 38.86],
    [52, 1, 1.71, 38.86],
    [10, 7, 29.43, 35.71],
    [365, 40, 300, 700],
  ];

  it('equals eq. (10) with the hypergeometric function, for a on both sides of 1', () => {
    for (const a of [0.3, 0.793, 1.5, 4]) {
      const params = { r: 0.243, alpha: 4.414, a, b: 2.426 };
      for (const [t, x, tx, T] of cases) {
        const expected = equation10(params, t, x, tx, T);
        expect(Math.abs(expectedRepeatPurchases(params, t, x, tx, T) - expected)).toBeLessThanOrEqual(1e-10 * expected);
      }
    }
  });

  it('equals the direct integration over p, also at a = 1 where eq. (10) is 0/0', () => {
    for (const a of [0.5, 1, 1 + 1e-12, 2.5]) {
      const params = { r: 0.8, alpha: 6, a, b: 2.5 };
      for (const [t, x, tx, T] of cases.slice(0, 4)) {
        const expected = integrated(params, t, x, tx, T);
        expect(Math.abs(expectedRepeatPurchases(params, t, x, tx, T) - expected)).toBeLessThanOrEqual(1e-9 * expected);
      }
    }
  });

  it('stays right for a huge a (p near 1) and finite for a degenerate fit', () => {
    for (const a of [3e4, 1e6]) {
      const params = { r: 0.8, alpha: 6, a, b: 2.5 };
      const expected = integrated(params, 10, 2, 3, 4);
      expect(Math.abs(expectedRepeatPurchases(params, 10, 2, 3, 4) - expected)).toBeLessThanOrEqual(1e-9 * expected);
    }
    // A degenerate fit's parameters (4 clients: a = 1.9e15, b = 6e-6) give a finite answer at once.
    expect(Number.isFinite(expectedRepeatPurchases({ r: 1134.5, alpha: 22362.8, a: 1.87e15, b: 6.1e-6 }, 52, 1, 4.3, 8.6))).toBe(true);
  });

  it('handles a frequent buyer whose eq. (10) terms would overflow', () => {
    const params = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    const value = expectedRepeatPurchases(params, 52, 600, 150, 150);
    // Alive for sure (bought at T), rate about (r + x)/(α + T) = 3.9 a week, few dropouts: of the order of 150.
    expect(value).toBeGreaterThan(50);
    expect(value).toBeLessThan(210);
    expect(expectedRepeatPurchases(params, 0, 3, 2, 5)).toBe(0);
  });

  it('gives, in forecastClients, every client’s figures bit for bit as the one-client functions do', () => {
    const data = readSummary();
    const params = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    for (const t of [0, 39, 52]) {
      const forecast = forecastClients(params, t, data);
      for (let i = 0; i < data.x.length; i++) {
        expect(forecast.pAlive[i]).toBe(probabilityAlive(params, data.x[i]!, data.tx[i]!, data.T[i]!));
        expect(forecast.expectedPurchases[i]).toBe(expectedRepeatPurchases(params, t, data.x[i]!, data.tx[i]!, data.T[i]!));
      }
    }
    expect(() => forecastClients({ ...params, a: 0 }, 39, data)).toThrow(/parameters must be positive/);
    expect(() => forecastClients(params, -1, data)).toThrow(/horizon t must be finite/);
    expect(() => forecastClients(params, 1, { x: Float64Array.of(1), tx: Float64Array.of(3), T: Float64Array.of(2) })).toThrow(/0 <= tx <= T/);
  });

  it('rejects bad arguments', () => {
    const params = { r: 1, alpha: 1, a: 1, b: 1 };
    expect(() => expectedRepeatPurchases(params, -1, 0, 0, 1)).toThrow(/horizon t must be finite and from 0/);
    expect(() => expectedRepeatPurchases(params, 1, 1, 3, 2)).toThrow(/0 <= tx <= T/);
    expect(() => probabilityAlive({ ...params, b: 0 }, 1, 1, 2)).toThrow(/parameters must be positive/);
    expect(() => probabilityAlive(params, 0.5, 0, 2)).toThrow(/x must be a whole number/);
  });
});

const paramsArb = fc.record({
  r: fc.double({ min: 0.01, max: 20, noNaN: true }),
  alpha: fc.double({ min: 0.01, max: 200, noNaN: true }),
  a: fc.double({ min: 0.05, max: 20, noNaN: true }),
  b: fc.double({ min: 0.05, max: 20, noNaN: true }),
});

describe('the model’s invariants', () => {
  it('P(alive) falls as the time since the last purchase grows, x and t_x fixed (strictly when x > 0)', () => {
    fc.assert(
      fc.property(paramsArb, fc.integer({ min: 0, max: 60 }), fc.double({ min: 0, max: 500, noNaN: true }), fc.double({ min: 0, max: 500, noNaN: true }), fc.double({ min: 0.1, max: 500, noNaN: true }), (params, x, tx0, gap, step) => {
        const tx = x === 0 ? 0 : tx0;
        const T1 = tx + gap;
        const T2 = T1 + step;
        const p1 = probabilityAlive(params, x, tx, T1);
        const p2 = probabilityAlive(params, x, tx, T2);
        expect(p2).toBeLessThanOrEqual(p1);
        // Strictly, unless the doubles cannot tell the two apart (P within 1e-6 of 1, or underflowed).
        if (x > 0 && p1 > 1e-300 && p1 < 1 - 1e-6) expect(p2).toBeLessThan(p1);
      }),
    );
  });

  it('P(alive) is in [0, 1], and 1 for a client without a repeat purchase', () => {
    fc.assert(
      fc.property(paramsArb, fc.integer({ min: 0, max: 1000 }), fc.double({ min: 0, max: 1e4, noNaN: true }), fc.double({ min: 0, max: 1e4, noNaN: true }), (params, x, tx0, gap) => {
        const tx = x === 0 ? 0 : tx0;
        const p = probabilityAlive(params, x, tx, tx + gap);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
        if (x === 0) expect(p).toBe(1);
      }),
    );
  });

  it('expected purchases are finite, never negative, and do not fall as the horizon grows', () => {
    // Histories a ledger can give, in weeks: x distinct purchase days need t_x >= x/7; and a mean
    // purchase rate r/α of at most 10 a week.
    fc.assert(
      fc.property(paramsArb, fc.integer({ min: 0, max: 300 }), fc.double({ min: 0, max: 700, noNaN: true }), fc.double({ min: 0, max: 700, noNaN: true }), fc.double({ min: 0, max: 400, noNaN: true }), fc.double({ min: 0, max: 400, noNaN: true }), (params, x, extra, gap, t1, dt) => {
        fc.pre(params.r / params.alpha <= 10);
        const tx = x === 0 ? 0 : x / 7 + extra;
        const T = tx + gap;
        const e1 = expectedRepeatPurchases(params, t1, x, tx, T);
        const e2 = expectedRepeatPurchases(params, t1 + dt, x, tx, T);
        expect(Number.isFinite(e1) && Number.isFinite(e2)).toBe(true);
        expect(e1).toBeGreaterThanOrEqual(0);
        // Non-decreasing, up to rounding (relative 1e-12).
        expect(e2).toBeGreaterThanOrEqual(e1 * (1 - 1e-12));
      }),
    );
  });
});
