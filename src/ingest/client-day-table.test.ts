import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DailyLedgerBuilder } from '../core/daily-ledger.ts';
import { buildDailyLedger, ClientDayTable } from './client-day-table.ts';
import { createTextDecoder } from './encoding.ts';

type Line = { client: string; name: string; day: number; revenue: number; margin: number };

const decode = createTextDecoder('utf-8');

/** Folds the lines into one table per part (the parts split the lines in order) and merges them. */
function viaTables(lines: Line[], cuts: number[], hasMargin: boolean) {
  const bounds = [0, ...cuts.map((c) => Math.min(c, lines.length)).sort((a, b) => a - b), lines.length];
  const parts = [];
  for (let p = 0; p + 1 < bounds.length; p++) {
    const table = new ClientDayTable(hasMargin, decode);
    for (const line of lines.slice(bounds[p], bounds[p + 1])) {
      // Each line in its own buffer with padding around the fields, as a reader's buffer would hold it.
      const buf = Buffer.from(`;${line.client};${line.name};`);
      const clientEnd = 1 + Buffer.byteLength(line.client);
      const nameEnd = clientEnd + 1 + Buffer.byteLength(line.name);
      table.add(buf, 1, clientEnd, clientEnd + 1, nameEnd, line.day, line.revenue, line.margin);
    }
    parts.push(table.export());
  }
  return buildDailyLedger(parts, hasMargin);
}

function viaBuilder(lines: Line[], hasMargin: boolean) {
  const builder = new DailyLedgerBuilder(hasMargin);
  for (const line of lines) builder.add(line.client, line.name === '' ? null : line.name, line.day, line.revenue, line.margin);
  return builder.build();
}

const client = fc.constantFrom('C1', 'C2', 'C10', 'c1', 'Łódź', 'Ab', 'A', '𝔸1', '\ue000x', 'ZZZ', 'C000123');
const line: fc.Arbitrary<Line> = fc.record({
  client,
  name: fc.constantFrom('', '', 'Firma A', 'Hurtownia Żak'),
  day: fc.integer({ min: 19000, max: 19030 }),
  revenue: fc.integer({ min: -50_000, max: 500_000 }),
  margin: fc.integer({ min: -10_000, max: 100_000 }),
});

describe('the (client, day) table', () => {
  it('builds the same DailyLedger as DailyLedgerBuilder from random lines split into parts', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 200 }), fc.array(fc.nat(200), { maxLength: 3 }), fc.boolean(), (lines, cuts, hasMargin) => {
        expect(viaTables(lines, cuts, hasMargin)).toEqual(viaBuilder(lines, hasMargin));
      }),
      { numRuns: 300 },
    );
  });

  it('builds the same DailyLedger from lines sorted by date, as ERPs export them, and from the same lines reversed', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 300 }), (lines) => {
        const sorted = [...lines].sort((a, b) => a.day - b.day);
        const expected = viaBuilder(sorted, true);
        expect(viaTables(sorted, [], true)).toEqual(expected);
        // Reversed, the names may differ (the first non-empty one wins), so compare the figures alone.
        const reversed = viaTables([...sorted].reverse(), [], true);
        expect({ ...reversed, names: null }).toEqual({ ...expected, names: null });
      }),
      { numRuns: 200 },
    );
  });

  it('keeps many clients and records apart through the hash tables\' growth', () => {
    const lines: Line[] = [];
    for (let i = 0; i < 30_000; i++) {
      const c = (i * 7919) % 5000;
      lines.push({ client: `K${c}`, name: c % 3 === 0 ? `Name ${c}` : '', day: 19000 + ((i * 31) % 400), revenue: (i % 97) - 10, margin: i % 13 });
    }
    const ledger = viaTables(lines, [10_000, 20_000], true);
    expect(ledger).toEqual(viaBuilder(lines, true));
    expect(ledger.clients.length).toBe(5000);
  });
});
