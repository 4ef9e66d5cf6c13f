import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { digamma, hyp2f1, log1pExp, logBeta, logGamma } from './special-functions.ts';

/** |actual − expected| <= tolerance · max(1, |expected|). */
function expectClose(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected)));
}

describe('logGamma', () => {
  it('gives known values to about 1e-14', () => {
    expectClose(logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-14);
    expectClose(logGamma(1), 0, 1e-15);
    expectClose(logGamma(2), 0, 1e-15);
    expectClose(logGamma(3), Math.log(2), 1e-15);
    expectClose(logGamma(1.5), Math.log(Math.sqrt(Math.PI) / 2), 1e-14);
    // Γ(n) = (n − 1)! on both sides of the switch from Lanczos to Stirling at 10.
    let factorial = 1;
    for (let n = 2; n <= 30; n++) {
      factorial *= n - 1;
      expectClose(logGamma(n), Math.log(factorial), 1e-14);
    }
    // ln Γ(1e-10) = −ln(1e-10) − γ·1e-10 + O(1e-20) (γ the Euler-Mascheroni constant).
    expectClose(logGamma(1e-10), 23.02585092988273, 1e-14);
  });

  it('is accurate for large arguments (Stirling)', () => {
    // Reference values from mpmath.loggamma at 30 digits.
    expectClose(logGamma(100), 359.1342053695754, 1e-15);
    expectClose(logGamma(1e6), 12815504.56914761, 1e-15);
    expectClose(logGamma(1e15), 3.353877639491067e16, 1e-15);
  });

  it('satisfies the recurrence ln Γ(x + 1) = ln Γ(x) + ln x', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 1e4, noNaN: true }), (x) => {
        expectClose(logGamma(x + 1), logGamma(x) + Math.log(x), 2e-14);
      }),
    );
  });

  it('uses the reflection formula below 1/2 and is infinite at the poles', () => {
    // Γ(−0.5) = −2√π, so ln |Γ(−0.5)| = ln(2√π).
    expectClose(logGamma(-0.5), Math.log(2 * Math.sqrt(Math.PI)), 1e-14);
    expect(logGamma(0)).toBe(Infinity);
    expect(logGamma(-3)).toBe(Infinity);
    expect(logGamma(NaN)).toBeNaN();
  });
});

describe('digamma', () => {
  const EULER_GAMMA = 0.5772156649015329;

  it('gives ψ(1) = −γ, ψ(1/2) = −γ − 2 ln 2 and other known values', () => {
    expectClose(digamma(1), -EULER_GAMMA, 1e-15);
    expectClose(digamma(0.5), -EULER_GAMMA - 2 * Math.LN2, 1e-15);
    // ψ(n) = −γ + Σ_{k<n} 1/k (A&S 6.3.2), on both sides of the switch to the asymptotic series at 10.
    let harmonic = 0;
    for (let n = 1; n <= 30; n++) {
      expectClose(digamma(n), -EULER_GAMMA + harmonic, 1e-15);
      harmonic += 1 / n;
    }
    // Reference values from scipy.special.digamma; ψ(x0) = 0 at x0 ≈ 1.4616321449683622.
    expectClose(digamma(0.25), -4.2274535333762655, 1e-15);
    expectClose(digamma(3.7), 1.1671535393615113, 1e-15);
    expectClose(digamma(9.999), 2.251647417205735, 1e-15);
    expect(Math.abs(digamma(1.4616321449683622))).toBeLessThan(1e-15);
  });

  it('satisfies the recurrence ψ(x + 1) = ψ(x) + 1/x', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 1e4, noNaN: true }), (x) => {
        // Relative to the larger of the two terms: near ψ's zero the sum cancels them.
        const scale = Math.max(1, Math.abs(digamma(x)), 1 / x);
        expect(Math.abs(digamma(x + 1) - (digamma(x) + 1 / x))).toBeLessThanOrEqual(1e-15 * scale);
      }),
    );
  });

  it('follows its asymptotic expansion ln x − 1/(2x) − 1/(12x²) + 1/(120x⁴) for large x, and −1/x − γ near 0', () => {
    for (const x of [1e3, 1e6, 1e12]) expectClose(digamma(x), Math.log(x) - 1 / (2 * x) - 1 / (12 * x * x) + 1 / (120 * x ** 4), 1e-15);
    expectClose(digamma(1e-8), -1e8 - EULER_GAMMA, 1e-15);
  });

  it('is the derivative of logGamma', () => {
    for (const x of [0.3, 1.7, 12.5, 250]) {
      const h = 1e-5 * x;
      expect(Math.abs((logGamma(x + h) - logGamma(x - h)) / (2 * h) - digamma(x))).toBeLessThan(1e-7 * Math.max(1, Math.abs(digamma(x))));
    }
  });

  it('uses the reflection formula below 0 and is NaN at the poles', () => {
    // ψ(3/2) − ψ(−1/2) = π cot(−π/2) = 0 (A&S 6.3.7), so ψ(−1/2) = ψ(1/2) + 2 = 2 − γ − 2 ln 2 (A&S 6.3.5).
    expectClose(digamma(-0.5), 2 - EULER_GAMMA - 2 * Math.LN2, 1e-14);
    expect(digamma(0)).toBeNaN();
    expect(digamma(-2)).toBeNaN();
    expect(digamma(NaN)).toBeNaN();
    expect(digamma(Infinity)).toBe(Infinity);
  });
});

describe('logBeta and log1pExp', () => {
  it('give B(a, b) = Γ(a)Γ(b)/Γ(a + b) and ln(1 + e^d) without overflow', () => {
    expectClose(logBeta(1, 1), 0, 5e-15);
    expectClose(logBeta(2, 3), Math.log(1 / 12), 1e-14);
    expectClose(logBeta(0.5, 0.5), Math.log(Math.PI), 1e-14);
    expect(log1pExp(1000)).toBe(1000);
    expectClose(log1pExp(-1000), 0, 1e-300);
    expectClose(log1pExp(0), Math.LN2, 1e-16);
  });
});

describe('hyp2f1', () => {
  it('matches 2F1(1, 1; 2; z) = −ln(1 − z)/z, also close to 1', () => {
    for (const z of [1e-8, 0.1, 0.5, 0.7, 0.9, 0.99, 0.999, 0.9999]) {
      expectClose(hyp2f1(1, 1, 2, z), -Math.log1p(-z) / z, 1e-13);
    }
  });

  it('matches 2F1(a, b; b; z) = (1 − z)^(−a)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 20, noNaN: true }), fc.double({ min: 0.01, max: 20, noNaN: true }), fc.double({ min: 0, max: 0.99, noNaN: true }), (a, b, z) => {
        const expected = Math.pow(1 - z, -a);
        expect(Math.abs(hyp2f1(a, b, b, z) - expected)).toBeLessThanOrEqual(1e-12 * expected);
      }),
    );
  });

  it('matches other closed forms: arcsin and a terminating series', () => {
    // 2F1(1/2, 1/2; 3/2; z²) = arcsin(z)/z (A&S 15.1.6).
    for (const z of [0.3, 0.8, 0.99]) expectClose(hyp2f1(0.5, 0.5, 1.5, z * z), Math.asin(z) / z, 1e-13);
    // 2F1(−2, b; c; z) = 1 − 2bz/c + b(b + 1)z²/(c(c + 1)).
    expectClose(hyp2f1(-2, 3, 4, 0.5), 1 - (2 * 3 * 0.5) / 4 + (3 * 4 * 0.25) / (4 * 5), 1e-15);
    expect(hyp2f1(2, 3, 4, 0)).toBe(1);
  });

  it('rejects arguments outside its domain', () => {
    expect(() => hyp2f1(1, 1, 2, 1)).toThrow(/z must be in \[0, 1\)/);
    expect(() => hyp2f1(1, 1, 2, -0.5)).toThrow(/z must be in \[0, 1\)/);
    expect(() => hyp2f1(1, 1, -2, 0.5)).toThrow(/c must not be zero or a negative integer/);
    expect(() => hyp2f1(NaN, 1, 2, 0.5)).toThrow(/finite/);
    expect(() => hyp2f1(1, 1, 2, 1 - 1e-9)).toThrow(/did not converge/);
  });
});
