/**
 * Client codes are ordered by Unicode code point wherever order matters (ties in the ABC ranking, the
 * order of a built ledger), never by locale: the same ledger must rank the same way on every machine,
 * and the code-point order is also the byte order of UTF-8, which databases such as PostgreSQL (with
 * the C collation) and DuckDB use.
 *
 * JavaScript's `<` compares UTF-16 code units, which agrees with code-point order except between a
 * character outside the Basic Multilingual Plane (stored as a surrogate pair, 0xD800-0xDFFF) and one
 * in 0xE000-0xFFFF; the fix-up below is the one ICU uses for "code point order" comparison of UTF-16.
 */

/** Negative when a comes first in code-point order, positive when b does, 0 when equal. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x - y;
    }
  }
  return a.length - b.length;
}
