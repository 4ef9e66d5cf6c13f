/**
 * Gamma-Gamma: the analytic gradient of the log-likelihood against finite differences, and the fit
 * at its maximum. The CDNOW fit itself is tested through the public path in customer-alive.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fitGammaGamma, gammaGammaLogLikelihood, gammaGammaLogLikelihoodGradient, type GammaGammaParams } from './gamma-gamma.ts';

/** Repeat buyers with a spread of x and zbar, some sharing both (a deterministic sample). */
function sample(): { x: Float64Array; zbar: Float64Array } {
  const x: number[] = [];
  const zbar: number[] = [];
  for (let i = 0; i < 400; i++) {
    x.push(1 + (i % 7) * ((i % 3) + 1));
    zbar.push(5 + ((i * 7919) % 997) / 10 + (i % 11 === 0 ? 200 : 0));
  }
  x.push(2, 2);
  zbar.push(30, 30);
  return { x: Float64Array.from(x), zbar: Float64Array.from(zbar) };
}

/** Central differences in the log-parameters, with Richardson extrapolation (error O(h^4)). */
function numericalGradient(params: GammaGammaParams, x: Float64Array, zbar: Float64Array): number[] {
  return (['p', 'q', 'v'] as const).map((key) => {
    const at = (step: number): number => gammaGammaLogLikelihood({ ...params, [key]: params[key] * Math.exp(step) }, x, zbar);
    const difference = (h: number): number => (at(h) - at(-h)) / (2 * h);
    return (4 * difference(5e-4) - difference(1e-3)) / 3;
  });
}

describe('Gamma-Gamma’s analytic gradient', () => {
  it('equals finite differences of the likelihood at several points', () => {
    const { x, zbar } = sample();
    for (const params of [
      { p: 6.25, q: 3.74, v: 15.44 },
      { p: 1, q: 2, v: 50 },
      { p: 0.3, q: 0.8, v: 2000 },
      { p: 40, q: 12, v: 3 },
    ]) {
      const { logLikelihood, gradient } = gammaGammaLogLikelihoodGradient(params, x, zbar);
      expect(logLikelihood).toBeCloseTo(gammaGammaLogLikelihood(params, x, zbar), 8);
      const numerical = numericalGradient(params, x, zbar);
      gradient.forEach((g, k) => expect(Math.abs(g - numerical[k]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(numerical[k]!))));
    }
  });

  it('vanishes at the fitted maximum, reached by BFGS in a few tens of iterations', () => {
    const { x, zbar } = sample();
    const fit = fitGammaGamma(x, zbar);
    expect(fit.converged).toBe(true);
    expect(fit.iterations).toBeLessThan(60);
    const { gradient } = gammaGammaLogLikelihoodGradient(fit.params, x, zbar);
    for (const g of gradient) expect(Math.abs(g)).toBeLessThan(1e-11 * x.length * 10);
    // And it is a maximum: nearby points are no better.
    for (const factor of [0.999, 1.001]) {
      expect(gammaGammaLogLikelihood({ ...fit.params, p: fit.params.p * factor }, x, zbar)).toBeLessThanOrEqual(fit.logLikelihood);
      expect(gammaGammaLogLikelihood({ ...fit.params, v: fit.params.v * factor }, x, zbar)).toBeLessThanOrEqual(fit.logLikelihood);
    }
  });

  it('is NaN for parameters that are not positive', () => {
    const { x, zbar } = sample();
    expect(gammaGammaLogLikelihoodGradient({ p: -1, q: 2, v: 3 }, x, zbar).logLikelihood).toBeNaN();
  });
});
