import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { classifyAbc, rankClients } from './abc.ts';

describe('rankClients', () => {
  it('ranks by metric descending, ties by client code in code-point order', () => {
    const clients = ['b', 'B', 'a', 'Ä', 'z'];
    const metric = Float64Array.from([5, 5, 5, 5, 9]);
    // z has the most; the four at 5 go B (U+0042), a (U+0061), b (U+0062), Ä (U+00C4).
    const ranked = rankClients(Int32Array.from([0, 1, 2, 3, 4]), metric, clients);
    expect([...ranked].map((i) => clients[i])).toEqual(['z', 'B', 'a', 'b', 'Ä']);
  });
});

describe('classifyAbc', () => {
  it('classes a client whose predecessors hold exactly 80% (or 95%) as B (or C)', () => {
    // Metrics 700, 100, 100, 50, 50, 0, -30: P = 1000 (positives only).
    // before:   0 (0%)   -> A;  700 (70%) -> A;  800 (80%, not under 80) -> B;
    //         900 (90%)  -> B;  950 (95%, not under 95) -> C;  0 and -30 -> C.
    // Summing float shares instead would give 0.7 + 0.1 = 0.7999999999999999 and a wrong A.
    const result = classifyAbc([700, 100, 100, 50, 50, 0, -30], [80, 95]);
    expect(result.classes).toEqual(['A', 'A', 'B', 'B', 'C', 'C', 'C']);
    expect(result.positiveTotal).toBe(1000);
    expect([...result.before]).toEqual([0, 700, 800, 900, 950, 1000, 1000]);
  });

  it('gives no A with a 0% cut-off and every positive client A or B with 100%', () => {
    expect(classifyAbc([5, 3, 2], [0, 100]).classes).toEqual(['B', 'B', 'B']);
    expect(classifyAbc([5, 3, 2, 0], [100, 100]).classes).toEqual(['A', 'A', 'A', 'C']);
  });

  it('never puts a larger metric in a worse class', () => {
    const metrics = fc.array(fc.integer({ min: -1_000, max: 1_000_000 }), { maxLength: 60 }).map((a) => a.sort((x, y) => y - x));
    const cut = fc.tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 })).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as [number, number]);
    fc.assert(fc.property(metrics, cut, (ranked, abc) => {
      const { classes } = classifyAbc(ranked, abc);
      for (let r = 1; r < ranked.length; r++) expect((classes[r] as string) >= (classes[r - 1] as string)).toBe(true);
    }));
  });
});
