/**
 * Building the per-client, per-day rollup (`DailyLedger`) line by line, and merging rollups built
 * from parts of one ledger. The builder is the simple reference: the XLSX reader, the tests and
 * later the database use it, and the fast CSV path, which keeps its own table, is tested against it.
 */
import { compareCodePoints } from './code-point-order.ts';
import type { DailyLedger } from './types.ts';

type DayTotals = { revenue: number; margin: number; lines: number; purchaseLines: number };
type ClientDays = { name: string | null; days: Map<number, DayTotals> };

export class DailyLedgerBuilder {
  private readonly hasMargin: boolean;
  private readonly byClient = new Map<string, ClientDays>();

  constructor(hasMargin: boolean) {
    this.hasMargin = hasMargin;
  }

  /**
   * Adds one ledger line. Money is in integer minor units (grosze); `marginMinor` is ignored (kept as
   * 0) when the ledger has no cost or margin column. A line with revenue zero or more is a purchase;
   * a negative one is a return or correction, which lowers the day's revenue but makes no purchase day.
   */
  add(client: string, name: string | null, day: number, revenueMinor: number, marginMinor: number): void {
    // These are the caller's contract (the readers validate every value first), so a breach is a bug.
    if (client === '') throw new RangeError('DailyLedgerBuilder.add: empty client');
    if (!Number.isSafeInteger(day)) throw new RangeError(`DailyLedgerBuilder.add: day ${day} is not a whole day number`);
    if (!Number.isSafeInteger(revenueMinor) || !Number.isSafeInteger(marginMinor)) {
      throw new RangeError(`DailyLedgerBuilder.add: money must be whole minor units (got ${revenueMinor}, ${marginMinor})`);
    }
    let entry = this.byClient.get(client);
    if (entry === undefined) {
      entry = { name: null, days: new Map() };
      this.byClient.set(client, entry);
    }
    if (entry.name === null && name !== null && name !== '') entry.name = name;
    let totals = entry.days.get(day);
    if (totals === undefined) {
      totals = { revenue: 0, margin: 0, lines: 0, purchaseLines: 0 };
      entry.days.set(day, totals);
    }
    totals.revenue += revenueMinor;
    if (this.hasMargin) totals.margin += marginMinor;
    totals.lines += 1;
    if (revenueMinor >= 0) totals.purchaseLines += 1;
  }

  /** The rollup: clients in code-point order, each client's days ascending, so equal line sets build equal ledgers. */
  build(): DailyLedger {
    const clients = [...this.byClient.keys()].sort(compareCodePoints);
    let total = 0;
    for (const entry of this.byClient.values()) total += entry.days.size;
    const ledger = allocateLedger(clients.length, total, this.hasMargin);
    ledger.clients = clients;
    let w = 0;
    clients.forEach((client, i) => {
      const entry = this.byClient.get(client) as ClientDays;
      ledger.names[i] = entry.name;
      ledger.offsets[i] = w;
      const days = [...entry.days.keys()].sort((a, b) => a - b);
      for (const day of days) {
        const t = entry.days.get(day) as DayTotals;
        ledger.days[w] = day;
        ledger.revenue[w] = t.revenue;
        ledger.margin[w] = t.margin;
        ledger.lines[w] = t.lines;
        ledger.purchaseLines[w] = t.purchaseLines;
        w++;
      }
    });
    ledger.offsets[clients.length] = w;
    return ledger;
  }
}

/**
 * Merges rollups of parts of one ledger (for instance the chunks that worker threads read): entries
 * of the same client and day are summed, a client's name is the first part's non-null one. Clients
 * come in order of first appearance (the first part's, then the new ones of the next part...); the
 * analysis does not depend on that order. Every part must agree on `hasMargin`.
 */
export function mergeDailyLedgers(parts: DailyLedger[]): DailyLedger {
  const first = parts[0];
  if (first === undefined) return allocateLedger(0, 0, false);
  if (parts.length === 1) return first;
  const hasMargin = first.hasMargin;
  if (parts.some((p) => p.hasMargin !== hasMargin)) {
    throw new RangeError('mergeDailyLedgers: the parts disagree on whether the ledger has a cost or margin column');
  }

  const indexOf = new Map<string, number>();
  const clients: string[] = [];
  const names: (string | null)[] = [];
  let upperBound = 0;
  for (const part of parts) {
    upperBound += part.days.length;
    part.clients.forEach((client, i) => {
      const o = indexOf.get(client);
      if (o === undefined) {
        indexOf.set(client, clients.length);
        clients.push(client);
        names.push(part.names[i] ?? null);
      } else if (names[o] === null) {
        names[o] = part.names[i] ?? null;
      }
    });
  }
  // For each part, the part's client index of every output client (-1 when it has none).
  const local = parts.map((part) => {
    const map = new Int32Array(clients.length).fill(-1);
    part.clients.forEach((client, i) => {
      map[indexOf.get(client) as number] = i;
    });
    return map;
  });

  const out = allocateLedger(clients.length, upperBound, hasMargin);
  out.clients = clients;
  out.names = names;
  const k = parts.length;
  const pos = new Int32Array(k);
  const end = new Int32Array(k);
  let w = 0;
  for (let o = 0; o < clients.length; o++) {
    out.offsets[o] = w;
    for (let p = 0; p < k; p++) {
      const i = (local[p] as Int32Array)[o] as number;
      const part = parts[p] as DailyLedger;
      pos[p] = i < 0 ? 0 : (part.offsets[i] as number);
      end[p] = i < 0 ? 0 : (part.offsets[i + 1] as number);
    }
    // A k-way merge of the parts' ascending day lists; k is small (the number of parts).
    for (;;) {
      let day = Infinity;
      for (let p = 0; p < k; p++) {
        if ((pos[p] as number) < (end[p] as number)) day = Math.min(day, (parts[p] as DailyLedger).days[pos[p] as number] as number);
      }
      if (day === Infinity) break;
      let revenue = 0;
      let margin = 0;
      let lines = 0;
      let purchaseLines = 0;
      for (let p = 0; p < k; p++) {
        const part = parts[p] as DailyLedger;
        const j = pos[p] as number;
        if (j < (end[p] as number) && part.days[j] === day) {
          revenue += part.revenue[j] as number;
          margin += part.margin[j] as number;
          lines += part.lines[j] as number;
          purchaseLines += part.purchaseLines[j] as number;
          pos[p] = j + 1;
        }
      }
      out.days[w] = day;
      out.revenue[w] = revenue;
      out.margin[w] = margin;
      out.lines[w] = lines;
      out.purchaseLines[w] = purchaseLines;
      w++;
    }
  }
  out.offsets[clients.length] = w;
  if (w === upperBound) return out;
  // Shared days made the merge shorter than the sum of the parts: trim the arrays to their content.
  return {
    ...out,
    days: out.days.slice(0, w),
    revenue: out.revenue.slice(0, w),
    margin: out.margin.slice(0, w),
    lines: out.lines.slice(0, w),
    purchaseLines: out.purchaseLines.slice(0, w),
  };
}

function allocateLedger(clientCount: number, entries: number, hasMargin: boolean): DailyLedger {
  return {
    clients: [],
    names: new Array<string | null>(clientCount).fill(null),
    offsets: new Int32Array(clientCount + 1),
    days: new Int32Array(entries),
    revenue: new Float64Array(entries),
    margin: new Float64Array(entries),
    lines: new Uint32Array(entries),
    purchaseLines: new Uint32Array(entries),
    hasMargin,
  };
}
