import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareCodePoints } from './code-point-order.ts';
import type { Mover, RunEntry, Transitions } from './transitions.ts';
import { compareRuns } from './transitions.ts';
import type { Segment } from './types.ts';
import { SEGMENTS } from './types.ts';
import { thrown } from '../../test/fixtures/errors.ts';

function entry(account: string, segment: Segment, revenue: number, activePeriods: number, periods: number): RunEntry {
  return { account, segment, revenue, activePeriods, periods };
}


function matrixTotal(t: Transitions): number {
  let total = 0;
  for (const from of SEGMENTS) for (const to of SEGMENTS) total += t.matrix[from][to];
  return total;
}

function recordTotal(record: Record<Segment, number>): number {
  return SEGMENTS.reduce((sum, s) => sum + record[s], 0);
}

describe('compareRuns: a hand-computed pair of runs', () => {
  // The earlier run has 12 monthly periods, the later one 6: frequencies are taken against each
  // run's own window.
  const before = [
    entry('K1', 'AX', 1_000, 12, 12),
    entry('K2', 'AY', 500, 8, 12),
    entry('K3', 'BZ', 200, 3, 12),
    entry('K4', 'CZ', 50, 1, 12),
    entry('K6', 'BX', 300, 11, 12),
  ];
  const after = [
    entry('K5', 'CX', 900, 6, 6),
    entry('K6', 'BY', 100, 3, 6),
    entry('K3', 'AZ', 600, 2, 6),
    entry('K2', 'BY', 300, 3, 6),
    entry('K1', 'AX', 1_100, 6, 6),
  ];
  const t = compareRuns(before, after);

  it('counts the accounts of both runs by their earlier and later segments', () => {
    const nonZero = SEGMENTS.flatMap((from) => SEGMENTS.filter((to) => t.matrix[from][to] !== 0).map((to) => `${from}->${to}:${t.matrix[from][to]}`));
    expect(nonZero).toEqual(['AX->AX:1', 'AY->BY:1', 'BX->BY:1', 'BZ->AZ:1']);
    // Every cell is present, the empty ones as 0.
    expect(Object.keys(t.matrix)).toEqual([...SEGMENTS]);
    for (const from of SEGMENTS) expect(Object.keys(t.matrix[from])).toEqual([...SEGMENTS]);
    expect(t.stayed).toBe(1);
    expect(t.moved).toBe(3);
  });

  it('counts the entered and the left accounts by their segment in the run that has them', () => {
    expect(Object.entries(t.entered).filter(([, n]) => n !== 0)).toEqual([['CX', 1]]);
    expect(Object.entries(t.left).filter(([, n]) => n !== 0)).toEqual([['CZ', 1]]);
  });

  it('lists the movers by the size of their revenue change, ties by account, the entered and left last', () => {
    // K3 +400; K2 and K6 both -200 (K2 first by account); then K4 (left) and K5 (entered), by account.
    // K1 stayed in AX and is not a mover, though its revenue changed.
    expect(t.movers.map((m) => m.account)).toEqual(['K3', 'K2', 'K6', 'K4', 'K5']);
  });

  it('gives each mover its revenue and frequency before and after, and the changes', () => {
    const [k3, k2, , k4, k5] = t.movers;
    expect(k3).toMatchObject({ from: 'BZ', to: 'AZ', revenueBefore: 200, revenueAfter: 600, revenueChange: 400 });
    // 3 of 12 periods (0.25), then 2 of 6 (1/3): +1/12.
    expect(k3?.frequencyBefore).toBe(0.25);
    expect(k3?.frequencyAfter).toBeCloseTo(1 / 3, 15);
    expect(k3?.frequencyChange).toBeCloseTo(1 / 12, 15);
    // 8 of 12 (2/3), then 3 of 6 (0.5): -1/6.
    expect(k2).toMatchObject({ from: 'AY', to: 'BY', revenueChange: -200, frequencyAfter: 0.5 });
    expect(k2?.frequencyChange).toBeCloseTo(-1 / 6, 15);
    expect(k4).toEqual<Mover>({
      account: 'K4', from: 'CZ', to: null, revenueBefore: 50, revenueAfter: null, revenueChange: null,
      frequencyBefore: 1 / 12, frequencyAfter: null, frequencyChange: null,
    });
    expect(k5).toEqual<Mover>({
      account: 'K5', from: null, to: 'CX', revenueBefore: null, revenueAfter: 900, revenueChange: null,
      frequencyBefore: null, frequencyAfter: 1, frequencyChange: null,
    });
  });
});

describe('compareRuns: edge cases', () => {
  it('compares two empty runs', () => {
    const t = compareRuns([], []);
    expect(matrixTotal(t)).toBe(0);
    expect(recordTotal(t.entered) + recordTotal(t.left) + t.stayed + t.moved).toBe(0);
    expect(t.movers).toEqual([]);
  });

  it('counts every account as entered when the earlier run is empty, and as left in the reverse', () => {
    const run = [entry('a', 'AX', 5, 1, 2), entry('b', 'AX', 7, 2, 2), entry('c', 'CZ', 0, 0, 2)];
    const t = compareRuns([], run);
    expect(t.entered).toMatchObject({ AX: 2, CZ: 1 });
    expect(t.movers.map((m) => m.account)).toEqual(['a', 'b', 'c']);
    expect(compareRuns(run, []).left).toMatchObject({ AX: 2, CZ: 1 });
  });

  it('breaks ties by code point, not by UTF-16 unit or locale', () => {
    // U+FFFD comes before U+1F600 by code point, though its UTF-16 unit 0xFFFD is above the
    // surrogate 0xD83D; 'B' comes before 'a' though a locale would put 'a' first.
    const accounts = ['\u{1F600}', '\uFFFD', 'a', 'B'];
    const t = compareRuns([], accounts.map((a) => entry(a, 'BY', 1, 1, 1)));
    expect(t.movers.map((m) => m.account)).toEqual(['B', 'a', '\uFFFD', '\u{1F600}']);
  });

  it('puts a larger revenue fall before a smaller rise', () => {
    const t = compareRuns(
      [entry('up', 'CZ', 100, 1, 4), entry('down', 'AX', 1_000, 4, 4)],
      [entry('up', 'BZ', 250, 1, 4), entry('down', 'BX', 700, 4, 4)],
    );
    expect(t.movers.map((m) => [m.account, m.revenueChange])).toEqual([['down', -300], ['up', 150]]);
  });
});

describe('compareRuns: validation', () => {
  const good = entry('K1', 'AX', 10, 1, 2);

  it('rejects an account listed twice in one run and names the run', () => {
    const error = thrown(() => compareRuns([good, { ...good, segment: 'BY' }], []));
    expect(error.code).toBe('invalid-input');
    expect(error.details).toMatchObject({ field: 'before.account', account: 'K1' });
    expect(thrown(() => compareRuns([], [good, good])).details.field).toBe('after.account');
  });

  it('accepts the same account once in each run', () => {
    expect(compareRuns([good], [good]).stayed).toBe(1);
  });

  it('rejects an unknown segment, a revenue that is not finite, and impossible period counts', () => {
    const cases: [RunEntry, string][] = [
      [{ ...good, segment: 'DX' as Segment }, 'after.segment'],
      [{ ...good, revenue: Number.NaN }, 'after.revenue'],
      [{ ...good, revenue: Number.POSITIVE_INFINITY }, 'after.revenue'],
      [{ ...good, periods: 0 }, 'after.periods'],
      [{ ...good, periods: 1.5 }, 'after.periods'],
      [{ ...good, activePeriods: 3 }, 'after.activePeriods'],
      [{ ...good, activePeriods: -1 }, 'after.activePeriods'],
      [{ ...good, activePeriods: 0.5 }, 'after.activePeriods'],
    ];
    for (const [bad, field] of cases) {
      const error = thrown(() => compareRuns([good], [bad]));
      expect(error.code).toBe('invalid-input');
      expect(error.details.field).toBe(field);
    }
  });
});

describe('compareRuns: properties', () => {
  const ACCOUNTS = ['K1', 'K2', 'K3', 'K4', 'K5', 'K6', 'K7', 'K8', 'k1', 'Ą', '\u{1F600}', '\uFFFD'];
  const runArb: fc.Arbitrary<RunEntry[]> = fc.integer({ min: 1, max: 24 }).chain((periods) =>
    fc.uniqueArray(
      fc.record({
        account: fc.constantFrom(...ACCOUNTS),
        segment: fc.constantFrom(...SEGMENTS),
        // Small integers make equal revenue changes, and so the account tie-break, common.
        revenue: fc.oneof(fc.integer({ min: -50, max: 50 }), fc.double({ min: -1e7, max: 1e7, noNaN: true })),
        activePeriods: fc.integer({ min: 0, max: periods }),
        periods: fc.constant(periods),
      }),
      { selector: (e) => e.account, maxLength: ACCOUNTS.length },
    ));

  it('sums the matrix to the accounts in both runs, and accounts for every account once', () => {
    fc.assert(fc.property(runArb, runArb, (before, after) => {
      const t = compareRuns(before, after);
      const inBefore = new Set(before.map((e) => e.account));
      const common = after.filter((e) => inBefore.has(e.account)).length;
      expect(matrixTotal(t)).toBe(common);
      expect(t.stayed + t.moved).toBe(common);
      expect(SEGMENTS.reduce((sum, s) => sum + t.matrix[s][s], 0)).toBe(t.stayed);
      expect(recordTotal(t.entered)).toBe(after.length - common);
      expect(recordTotal(t.left)).toBe(before.length - common);
      expect(t.movers.length).toBe(t.moved + recordTotal(t.entered) + recordTotal(t.left));
      expect(new Set(t.movers.map((m) => m.account)).size).toBe(t.movers.length);
      for (const m of t.movers) expect(m.from).not.toBe(m.to);
    }));
  });

  it('keeps the movers sorted by |revenue change| descending, the unchanged-less last, ties by account', () => {
    fc.assert(fc.property(runArb, runArb, (before, after) => {
      const { movers } = compareRuns(before, after);
      for (let i = 1; i < movers.length; i++) {
        const x = movers[i - 1] as Mover;
        const y = movers[i] as Mover;
        const ax = x.revenueChange === null ? -1 : Math.abs(x.revenueChange);
        const ay = y.revenueChange === null ? -1 : Math.abs(y.revenueChange);
        expect(ax).toBeGreaterThanOrEqual(ay);
        if (ax === ay) expect(compareCodePoints(x.account, y.account)).toBeLessThan(0);
      }
    }));
  });

  it('gives a diagonal matrix and no movers when a run is compared with itself', () => {
    fc.assert(fc.property(runArb, (run) => {
      const t = compareRuns(run, run);
      for (const from of SEGMENTS) {
        for (const to of SEGMENTS) {
          if (from !== to) expect(t.matrix[from][to]).toBe(0);
        }
        expect(t.matrix[from][from]).toBe(run.filter((e) => e.segment === from).length);
      }
      expect(t.movers).toEqual([]);
      expect(t.stayed).toBe(run.length);
      expect(t.moved).toBe(0);
      expect(recordTotal(t.entered) + recordTotal(t.left)).toBe(0);
    }));
  });

  it('transposes the matrix, swaps entered and left, and reverses every change when the runs are swapped', () => {
    fc.assert(fc.property(runArb, runArb, (before, after) => {
      const forward = compareRuns(before, after);
      const backward = compareRuns(after, before);
      for (const from of SEGMENTS) {
        for (const to of SEGMENTS) expect(backward.matrix[to][from]).toBe(forward.matrix[from][to]);
      }
      expect(backward.entered).toEqual(forward.left);
      expect(backward.left).toEqual(forward.entered);
      expect([backward.stayed, backward.moved]).toEqual([forward.stayed, forward.moved]);
      // The same movers in the same order (|change| is symmetric), each seen from the other side.
      expect(backward.movers.map((m) => m.account)).toEqual(forward.movers.map((m) => m.account));
      backward.movers.forEach((m, i) => {
        const f = forward.movers[i] as Mover;
        expect([m.from, m.to, m.revenueBefore, m.revenueAfter]).toEqual([f.to, f.from, f.revenueAfter, f.revenueBefore]);
        expect([m.frequencyBefore, m.frequencyAfter]).toEqual([f.frequencyAfter, f.frequencyBefore]);
        if (f.revenueChange === null) expect(m.revenueChange).toBeNull();
        else expect(m.revenueChange).toBe(0 - f.revenueChange);
      });
    }));
  });

  it('does not depend on the order of the entries in either run', () => {
    const shuffled = (arb: fc.Arbitrary<RunEntry[]>) => arb.chain((run) => fc.tuple(fc.constant(run), fc.shuffledSubarray(run, { minLength: run.length })));
    fc.assert(fc.property(shuffled(runArb), shuffled(runArb), ([b, b2], [a, a2]) => {
      expect(compareRuns(b2, a2)).toEqual(compareRuns(b, a));
    }));
  });
});
