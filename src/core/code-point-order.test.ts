import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareCodePoints } from './code-point-order.ts';

/** The reference: compare arrays of code points. */
function byCodePoints(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0) as number);
  const y = [...b].map((c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x.length - y.length;
}

describe('compareCodePoints', () => {
  it('orders by code point, not by locale', () => {
    // 'B' is U+0042, 'a' U+0061, 'Ą' U+0104, 'ż' U+017C: locale order would give a, Ą, B, ż.
    expect(['ż', 'a', 'Ą', 'B'].sort(compareCodePoints)).toEqual(['B', 'a', 'Ą', 'ż']);
    expect(['K10', 'K2', 'K1'].sort(compareCodePoints)).toEqual(['K1', 'K10', 'K2']);
  });

  it('puts a character beyond the BMP after U+FFFD, unlike UTF-16 code units', () => {
    // U+1F600 is stored as the surrogates D83D DE00, which `<` puts before U+FFFD.
    expect('\u{1F600}' < '\uFFFD').toBe(true);
    expect(compareCodePoints('\u{1F600}', '\uFFFD')).toBeGreaterThan(0);
    expect(compareCodePoints('\uFFFD', '\u{1F600}')).toBeLessThan(0);
  });

  it('agrees in sign with the code-point reference on any strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
      expect(Math.sign(compareCodePoints(a, b))).toBe(Math.sign(byCodePoints(a, b)));
    }));
  });
});
