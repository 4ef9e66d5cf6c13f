import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hyp2f1, log1pExp, logBeta, logGamma } from './special-functions.ts';

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
