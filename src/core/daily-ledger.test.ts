import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DailyLedgerBuilder, mergeDailyLedgers } from './daily-ledger.ts';
import type { DailyLedger } from './types.ts';

type Line = { client: string; name: string | null; day: number; revenue: number; margin: number };

function build(lines: Line[], hasMargin = true): DailyLedger {
  const builder = new DailyLedgerBuilder(hasMargin);
  for (const l of lines) builder.add(l.client, l.name, l.day, l.revenue, l.margin);
  return builder.build();
}

/** The ledger as a plain map, independent of the order of its clients. */
function entriesOf(ledger: DailyLedger): Map<string, unknown[]> {
  const map = new Map<string, unknown[]>();
  ledger.clients.forEach((client, i) => {
    const rows: unknown[] = [ledger.names[i]];
    for (let j = ledger.offsets[i] as number; j < (ledger.offsets[i + 1] as number); j++) {
      rows.push([ledger.days[j], ledger.revenue[j], ledger.margin[j], ledger.lines[j], ledger.purchaseLines[j]]);
    }
    map.set(client, rows);
  });
  return map;
}

const lineArb = fc.record({
  client: fc.constantFrom('K1', 'K2', 'k1', 'Łódź', '\u{1F600}'),
  name: fc.option(fc.constantFrom('Alfa', 'Beta'), { nil: null }),
  day: fc.integer({ min: 19_000, max: 19_040 }),
  revenue: fc.integer({ min: -5_000, max: 50_000 }),
  margin: fc.integer({ min: -2_000, max: 9_000 }),
});

describe('DailyLedgerBuilder', () => {
  it('sums lines per client and day, counting purchases (revenue zero or more) apart from returns', () => {
    const ledger = build([
      { client: 'K2', name: null, day: 10, revenue: 1_000, margin: 300 },
      { client: 'K1', name: 'Alfa sp. z o.o.', day: 12, revenue: 500, margin: 100 },
      { client: 'K2', name: 'Beta', day: 10, revenue: -200, margin: -60 }, // a return on the same day
      { client: 'K2', name: 'Gamma', day: 5, revenue: 0, margin: 0 }, // a zero line is a purchase
      { client: 'K2', name: null, day: 11, revenue: -50, margin: -10 }, // a day with a return only
    ]);
    // Clients in code-point order, days ascending within each.
    expect(ledger.clients).toEqual(['K1', 'K2']);
    expect(ledger.names).toEqual(['Alfa sp. z o.o.', 'Beta']);
    expect([...ledger.offsets]).toEqual([0, 1, 4]);
    expect([...ledger.days]).toEqual([12, 5, 10, 11]);
    // K2 on day 10: 1000 - 200 = 800 revenue, 300 - 60 = 240 margin, two lines of which one purchase.
    expect([...ledger.revenue]).toEqual([500, 0, 800, -50]);
    expect([...ledger.margin]).toEqual([100, 0, 240, -10]);
    expect([...ledger.lines]).toEqual([1, 1, 2, 1]);
    expect([...ledger.purchaseLines]).toEqual([1, 1, 1, 0]);
    expect(ledger.hasMargin).toBe(true);
  });

  it('keeps margin at zero when the ledger has no cost or margin column', () => {
    const ledger = build([{ client: 'K1', name: null, day: 1, revenue: 100, margin: 40 }], false);
    expect([...ledger.margin]).toEqual([0]);
    expect(ledger.hasMargin).toBe(false);
  });

  it('refuses amounts that are not whole minor units', () => {
    const builder = new DailyLedgerBuilder(true);
    expect(() => builder.add('K1', null, 1, 10.5, 0)).toThrow(RangeError);
    expect(() => builder.add('', null, 1, 10, 0)).toThrow(RangeError);
  });

  it('builds the same ledger from the lines in any order (names aside)', () => {
    const linesAndShuffle = fc.array(lineArb.map((l) => ({ ...l, name: null })), { maxLength: 40 })
      .chain((lines) => fc.tuple(fc.constant(lines), fc.shuffledSubarray(lines, { minLength: lines.length })));
    fc.assert(fc.property(linesAndShuffle, ([lines, shuffled]) => {
      expect(build(shuffled)).toEqual(build(lines));
    }));
  });
});

describe('mergeDailyLedgers', () => {
  it('sums shared client days and takes the first part\'s name', () => {
    const a = build([
      { client: 'K2', name: null, day: 3, revenue: 100, margin: 10 },
      { client: 'K1', name: 'One', day: 1, revenue: 50, margin: 5 },
    ]);
    const b = build([
      { client: 'K2', name: 'Two', day: 3, revenue: -30, margin: -3 },
      { client: 'K2', name: null, day: 2, revenue: 70, margin: 7 },
      { client: 'K3', name: 'Three', day: 9, revenue: 1, margin: 0 },
      { client: 'K1', name: 'Uno', day: 1, revenue: 0, margin: 0 },
    ]);
    const merged = mergeDailyLedgers([a, b]);
    // First appearance: a's clients (K1, K2 in a's order), then b's new K3.
    expect(merged.clients).toEqual(['K1', 'K2', 'K3']);
    expect(merged.names).toEqual(['One', 'Two', 'Three']);
    expect([...merged.offsets]).toEqual([0, 1, 3, 4]);
    expect([...merged.days]).toEqual([1, 2, 3, 9]);
    // K1 day 1: 50 + 0; K2 day 3: 100 - 30 = 70 over two lines, one of them a purchase.
    expect([...merged.revenue]).toEqual([50, 70, 70, 1]);
    expect([...merged.margin]).toEqual([5, 7, 7, 0]);
    expect([...merged.lines]).toEqual([2, 1, 2, 1]);
    expect([...merged.purchaseLines]).toEqual([2, 1, 1, 1]);
  });

  it('gives what the builder gives for all the lines, however they are split', () => {
    fc.assert(fc.property(fc.array(lineArb, { maxLength: 40 }), fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 3 }), (lines, cuts) => {
      const bounds = [0, ...cuts.map((c) => Math.min(c, lines.length)).sort((x, y) => x - y), lines.length];
      const parts = bounds.slice(1).map((end, k) => build(lines.slice(bounds[k], end)));
      const merged = mergeDailyLedgers(parts);
      const whole = build(lines);
      // Names: the builder keeps the first non-empty name in line order, and so does the merge of parts in line order.
      expect(entriesOf(merged)).toEqual(entriesOf(whole));
      expect(merged.days.length).toBe(whole.days.length);
    }));
  });

  it('refuses parts that disagree on the margin column', () => {
    const a = build([{ client: 'K1', name: null, day: 1, revenue: 1, margin: 0 }], true);
    const b = build([{ client: 'K1', name: null, day: 1, revenue: 1, margin: 0 }], false);
    expect(() => mergeDailyLedgers([a, b])).toThrow(RangeError);
  });
});
