import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareProducts } from './exact.ts';

describe('compareProducts', () => {
  it('finds equality exactly where the float products would differ by rounding', () => {
    // 2^53 + 1 is not a double, so 94906267 * 94906267 (= 9007199515875289, odd) and its neighbours
    // collide as floats; the BigInt fall-back tells them apart.
    const a = 94906267;
    expect(a * a).toBe(a * a - 1); // the doubles cannot tell a^2 from a^2 - 1
    expect(compareProducts(a, a, a - 1, a + 1)).toBe(1); // a^2 - (a^2 - 1) = 1
    expect(compareProducts(a - 1, a + 1, a, a)).toBe(-1);
    expect(compareProducts(3_000_000_000, 3_000_000_001, 3_000_000_001, 3_000_000_000)).toBe(0);
  });

  it('orders small products like plain arithmetic', () => {
    expect(compareProducts(800, 100, 80, 1000)).toBe(0); // 80,000 = 80,000
    expect(compareProducts(799, 100, 80, 1000)).toBe(-1);
    expect(compareProducts(-5, 3, 2, -7)).toBe(-1); // -15 < -14
  });

  it('agrees with BigInt on every pair of safe-integer products', () => {
    const int = fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.maxSafeInteger(), fc.integer({ min: 2 ** 40, max: 2 ** 45 }));
    fc.assert(fc.property(int, int, int, int, (a, b, c, d) => {
      const x = BigInt(a) * BigInt(b);
      const y = BigInt(c) * BigInt(d);
      expect(compareProducts(a, b, c, d)).toBe(x > y ? 1 : x < y ? -1 : 0);
    }));
  });
});
