/**
 * Invariants of the analysis on random small ledgers (fast-check): the classes partition the
 * clients, shares sum to 1, the order of the ledger lines changes nothing, and a larger metric is
 * never in a worse ABC class.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analyzeLedger } from './analysis.ts';
import { dayFromCivil, parseIsoDay } from './calendar.ts';
import { DailyLedgerBuilder, mergeDailyLedgers } from './daily-ledger.ts';
import type { AnalysisParams, DailyLedger } from './types.ts';
import { DEFAULT_ANALYSIS_PARAMS, SEGMENTS } from './types.ts';

type Line = { client: string; day: number; revenue: number; margin: number };

const start = dayFromCivil(2022, 1, 1);
const lineArb: fc.Arbitrary<Line> = fc.record({
  client: fc.constantFrom('K1', 'K2', 'K3', 'k1', 'Ą', 'B', '\u{1F600}', 'Z9', 'K10'),
  day: fc.integer({ min: start, max: start + 900 }),
  // Mostly purchases, some returns, and some large amounts for ties and cut-offs.
  revenue: fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: -20_000, max: 0 }), fc.constantFrom(0, 50_000, 100_000)),
  margin: fc.integer({ min: -10_000, max: 40_000 }),
});
const linesArb = fc.array(lineArb, { minLength: 1, maxLength: 60 });

const pairArb = (max: number) => fc.tuple(fc.integer({ min: 0, max }), fc.integer({ min: 0, max })).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as [number, number]);
const paramsArb: fc.Arbitrary<AnalysisParams> = fc.record({
  period: fc.constantFrom('week', 'month', 'quarter'),
  metric: fc.constantFrom('revenue', 'margin'),
  abc: pairArb(100),
  xyzMode: fc.constantFrom('frequency', 'cv'),
  xyzFreq: pairArb(100).map(([a, b]) => [b, a] as [number, number]),
  xyz: pairArb(200),
  breadwinner: fc.integer({ min: 0, max: 100 }),
  keySegments: fc.subarray([...SEGMENTS]),
  lostDays: fc.integer({ min: 0, max: 400 }),
  asOfOffset: fc.option(fc.integer({ min: 0, max: 900 }), { nil: null }),
  fromOffset: fc.option(fc.integer({ min: 0, max: 900 }), { nil: null }),
}).map(({ asOfOffset, fromOffset, ...rest }) => ({
  ...DEFAULT_ANALYSIS_PARAMS,
  ...rest,
  asOf: asOfOffset === null ? null : start + asOfOffset,
  from: fromOffset === null ? null : start + fromOffset,
}));

function build(lines: Line[]): DailyLedger {
  const builder = new DailyLedgerBuilder(true);
  for (const l of lines) builder.add(l.client, null, l.day, l.revenue, l.margin);
  return builder.build();
}

/** The analysis, or null when the parameters leave no line in the window (an invalid-input error). */
function analyse(ledger: DailyLedger, params: AnalysisParams) {
  try {
    return analyzeLedger(ledger, params);
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'invalid-input') return null;
    throw error;
  }
}

describe('analyzeLedger properties', () => {
  it('partitions the clients into ABC classes, XYZ classes and segments', () => {
    fc.assert(fc.property(linesArb, paramsArb, (lines, params) => {
      const result = analyse(build(lines), params);
      if (result === null) return;
      const codes = result.clients.map((c) => c.client);
      expect(new Set(codes).size).toBe(codes.length);
      expect(result.totals.clients).toBe(codes.length);
      let inCells = 0;
      for (const segment of SEGMENTS) {
        const members = result.clients.filter((c) => c.segment === segment);
        expect(result.matrix[segment].clients).toBe(members.length);
        inCells += members.length;
      }
      expect(inCells).toBe(codes.length);
      for (const c of result.clients) expect(c.segment).toBe(`${c.abc}${c.xyz}`);
    }));
  });

  it('has matrix revenue shares summing to 1 and positive ABC shares summing to 1', () => {
    fc.assert(fc.property(linesArb, paramsArb, (lines, params) => {
      const result = analyse(build(lines), params);
      if (result === null) return;
      if (result.totals.revenue > 0) {
        const sum = SEGMENTS.reduce((s, seg) => s + (result.matrix[seg].revenueShare as number), 0);
        expect(Math.abs(sum - 1)).toBeLessThan(1e-9);
      }
      const positive = result.clients.filter((c) => c.share > 0);
      if (positive.length > 0) {
        expect(Math.abs(positive.reduce((s, c) => s + c.share, 0) - 1)).toBeLessThan(1e-9);
        expect(Math.abs((positive.at(-1)?.cumulativeShare ?? 0) - 1)).toBeLessThan(1e-9);
      }
    }));
  });

  it('gives the same result whatever the order of the lines, and whatever their split into merged parts', () => {
    const arb = linesArb.chain((lines) => fc.tuple(
      fc.constant(lines), fc.shuffledSubarray(lines, { minLength: lines.length }), fc.integer({ min: 0, max: lines.length }),
    ));
    fc.assert(fc.property(arb, paramsArb, ([lines, shuffled, cut], params) => {
      const expected = analyse(build(lines), params);
      expect(analyse(build(shuffled), params)).toEqual(expected);
      const merged = mergeDailyLedgers([build(shuffled.slice(0, cut)), build(shuffled.slice(cut))]);
      expect(analyse(merged, params)).toEqual(expected);
    }));
  });

  it('never puts a client with a larger metric in a worse ABC class', () => {
    fc.assert(fc.property(linesArb, paramsArb, (lines, params) => {
      const result = analyse(build(lines), params);
      if (result === null) return;
      const metric = (c: (typeof result.clients)[number]) => (params.metric === 'margin' ? (c.margin as number) : c.revenue);
      for (const a of result.clients) {
        for (const b of result.clients) {
          if (metric(a) > metric(b)) expect(a.abc <= b.abc).toBe(true);
        }
      }
    }));
  });

  it('classes activity as a direct reading of the rules would', () => {
    // Clients with a handful of purchase days close to the as-of date, so that the median gap decides.
    const activityLines = fc.array(fc.record({
      client: fc.constantFrom('K1', 'K2', 'K3'),
      day: fc.integer({ min: start, max: start + 120 }),
      revenue: fc.oneof(fc.constant(100), fc.constant(0), fc.constant(-100)),
      margin: fc.constant(0),
    }), { minLength: 1, maxLength: 40 });
    const activityParams = fc.record({ asOf: fc.integer({ min: start + 120, max: start + 200 }), lostDays: fc.integer({ min: 20, max: 400 }) })
      .map((p) => ({ ...DEFAULT_ANALYSIS_PARAMS, ...p }));
    fc.assert(fc.property(fc.oneof(linesArb, activityLines), fc.oneof(paramsArb, activityParams), (lines, params) => {
      const result = analyse(build(lines), params);
      if (result === null) return;
      const asOf = parseIsoDay(result.window.asOf) as number;
      for (const c of result.clients) {
        const purchaseDays = [...new Set(lines.filter((l) => l.client === c.client && l.revenue >= 0 && l.day <= asOf).map((l) => l.day))]
          .sort((a, b) => a - b);
        const last = purchaseDays.at(-1);
        let expected: string;
        if (last === undefined || asOf - last > params.lostDays) {
          expected = 'lost';
        } else if (purchaseDays.length >= 3) {
          const gaps = purchaseDays.slice(1).map((d, k) => d - (purchaseDays[k] as number)).sort((a, b) => a - b);
          const mid = gaps.length / 2;
          const median = gaps.length % 2 === 1 ? (gaps[Math.floor(mid)] as number) : ((gaps[mid - 1] as number) + (gaps[mid] as number)) / 2;
          expected = asOf - last > 2 * median ? 'slipping' : 'active';
        } else {
          expected = 'active';
        }
        expect(c.activity).toBe(expected);
      }
    }), { numRuns: 500 });
  });
});
