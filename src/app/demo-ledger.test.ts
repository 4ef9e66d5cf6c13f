import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeLedger } from '../core/analysis.ts';
import { addMonths, dayFromCivil, formatDay, weekday } from '../core/calendar.ts';
import { DEFAULT_ANALYSIS_PARAMS } from '../core/types.ts';
import { readDailyLedger, readLedgerLines } from '../ingest/read-ledger.ts';
import type { LedgerLine } from '../ingest/types.ts';
import {
  assignDemoProfiles,
  demoLedgerLines,
  writeDemoLedger,
  type DemoLedgerClient,
  type DemoLedgerOptions,
  type DemoSalesProfile,
} from './demo-ledger.ts';

const dir = mkdtempSync(join(tmpdir(), 'kamerton-demo-ledger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const END = { year: 2025, month: 6, day: 30 };
const END_DAY = dayFromCivil(2025, 6, 30);
const OPTIONS: DemoLedgerOptions = { seed: 1, end: END };

/** Sixty clients in the demo's shape; two names need quoting, as some company names do. */
function demoClients(count: number, seed: number): DemoLedgerClient[] {
  return assignDemoProfiles(count, seed).map((profile, i) => ({
    code: `K${String(1000 + i * 37).padStart(5, '0')}`,
    name: i === 0 ? 'Mleczarnia "Jantar" sp. z o.o.' : i === 1 ? 'Kowalski; Nowak sp. j.' : `Wartex ${i} sp. z o.o.`,
    profile,
  }));
}

const CLIENTS = demoClients(60, 1);

/** The fields of one CSV line (its CRLF removed): `;`-separated, `"` quoting with `""` inside. */
function splitLine(line: string): string[] {
  const text = line.replace(/\r\n$/, '');
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let value = '';
      i += 1;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote < 0) throw new Error(`unclosed quote in ${line}`);
        value += text.slice(i, quote);
        if (text[quote + 1] === '"') {
          value += '"';
          i = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
      fields.push(value);
    } else {
      const next = text.indexOf(';', i);
      fields.push(text.slice(i, next < 0 ? text.length : next));
      i = next < 0 ? text.length : next;
    }
    if (i >= text.length) return fields;
    if (text[i] !== ';') throw new Error(`text after a quoted field in ${line}`);
    i += 1;
  }
}

function parseDate(text: string): number {
  const m = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(text);
  if (m === null) throw new Error(`not a DD.MM.YYYY date: ${text}`);
  return dayFromCivil(Number(m[3]), Number(m[2]), Number(m[1]));
}

function parseMoney(text: string): number {
  if (!/^-?\d+,\d{2}$/.test(text)) throw new Error(`not an amount with a decimal comma: ${text}`);
  return Math.round(Number(text.replace(',', '.')) * 100);
}

type Row = {
  document: string; lp: number; date: number; code: string; name: string; product: string; group: string;
  quantity: number; value: number; cost: number; due: number; paid: number | null;
};

function rowsOf(lines: readonly string[]): Row[] {
  return lines.slice(1).map((line) => {
    const f = splitLine(line);
    return {
      document: f[0] as string,
      lp: Number(f[1]),
      date: parseDate(f[2] as string),
      code: f[3] as string,
      name: f[4] as string,
      product: f[5] as string,
      group: f[6] as string,
      quantity: Number(f[7]),
      value: parseMoney(f[8] as string),
      cost: parseMoney(f[9] as string),
      due: parseDate(f[10] as string),
      paid: f[11] === '' ? null : parseDate(f[11] as string),
    };
  });
}

let lines: string[] = [];
let rows: Row[] = [];
let path = '';
let written = { lines: 0, documents: 0 };

beforeAll(async () => {
  lines = [...demoLedgerLines(CLIENTS, OPTIONS)];
  rows = rowsOf(lines);
  path = join(dir, 'demo.csv');
  written = await writeDemoLedger(path, CLIENTS, OPTIONS);
});

const profileOf = new Map(CLIENTS.map((c) => [c.code, c.profile]));
const rowsOfProfile = (profile: DemoSalesProfile): Map<string, Row[]> => {
  const byClient = new Map<string, Row[]>();
  for (const row of rows) {
    if (profileOf.get(row.code) !== profile) continue;
    byClient.set(row.code, [...(byClient.get(row.code) ?? []), row]);
  }
  return byClient;
};

describe('assignDemoProfiles', () => {
  it('gives the same mix for the same seed, every profile, and three breadwinners among sixty', () => {
    const profiles = assignDemoProfiles(60, 1);
    expect(profiles).toEqual(assignDemoProfiles(60, 1));
    expect(profiles).toHaveLength(60);
    const count = (p: DemoSalesProfile) => profiles.filter((x) => x === p).length;
    expect(count('breadwinner')).toBe(3);
    for (const p of ['seasonal', 'occasional', 'slipping', 'lost', 'new'] as const) expect(count(p)).toBeGreaterThanOrEqual(3);
    expect(count('regular')).toBeGreaterThan(profiles.length / 3);
    expect(assignDemoProfiles(60, 2)).not.toEqual(profiles);
  });

  it('handles no client, one client and many', () => {
    expect(assignDemoProfiles(0, 1)).toEqual([]);
    expect(assignDemoProfiles(1, 1)).toEqual(['breadwinner']);
    expect(assignDemoProfiles(300, 1)).toHaveLength(300);
    expect(() => assignDemoProfiles(-1, 1)).toThrow(RangeError);
  });
});

describe('demoLedgerLines and writeDemoLedger', () => {
  it('writes the same bytes for the same seed, and other bytes for another seed', async () => {
    const again = join(dir, 'again.csv');
    const other = join(dir, 'other.csv');
    await writeDemoLedger(again, CLIENTS, OPTIONS);
    await writeDemoLedger(other, CLIENTS, { ...OPTIONS, seed: 2 });
    const bytes = readFileSync(path);
    expect(readFileSync(again).equals(bytes)).toBe(true);
    expect(readFileSync(other).equals(bytes)).toBe(false);
  });

  it('writes a byte-order mark, then exactly the lines the generator yields', () => {
    const bytes = readFileSync(path);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8')).toBe(lines.join(''));
    expect(written.lines).toBe(lines.length - 1);
    expect(written.documents).toBe(new Set(rows.map((r) => r.document)).size);
  });

  it('ends every line in CRLF and gives every line the 12 columns of the Polish header', () => {
    expect(lines[0]).toBe('Nr dokumentu;Lp;Data sprzedaży;Kod kontrahenta;Nazwa kontrahenta;Indeks;Grupa towarowa;Ilość;' +
      'Wartość netto;Koszt zakupu;Termin płatności;Data zapłaty\r\n');
    const bad = lines.filter((line) => !line.endsWith('\r\n') || /[\r\n]/.test(line.slice(0, -2)) || splitLine(line).length !== 12);
    expect(bad).toEqual([]);
  });

  it('quotes only the fields that hold a semicolon or a quote', () => {
    const quoted = lines.slice(1).filter((line) => line.includes('"'));
    expect(quoted.length).toBeGreaterThan(0);
    for (const line of quoted) expect(line).toMatch(/;("Mleczarnia ""Jantar"" sp\. z o\.o\."|"Kowalski; Nowak sp\. j\.");/);
    expect(rows.filter((r) => r.code === CLIENTS[0]?.code).every((r) => r.name === 'Mleczarnia "Jantar" sp. z o.o.')).toBe(true);
  });

  it('has about 15 000 to 40 000 lines for sixty clients over three years', () => {
    expect(rows.length).toBeGreaterThanOrEqual(15_000);
    expect(rows.length).toBeLessThanOrEqual(40_000);
  });

  it('dates every sale within the three years before the end, and pays on or after the sale, by the end', () => {
    const start = addMonths(END_DAY, -36);
    const bad = rows.filter((row) => row.date <= start || row.date > END_DAY || ![14, 30, 60].includes(row.due - row.date) ||
      (row.paid !== null && (row.paid < row.date || row.paid > END_DAY)) ||
      // Sales and payments fall on working days (Monday to Friday).
      weekday(row.date) >= 5 || (row.paid !== null && weekday(row.paid) >= 5));
    expect(bad).toEqual([]);
    expect(formatDay(Math.min(...rows.map((r) => r.date)))).toMatch(/^2022-07/);
  });

  it('numbers documents uniquely by type, year and month, with lines 1..n that share the header fields', () => {
    const seen = new Set<string>();
    const bad: Row[] = [];
    let current: Row | null = null;
    let expected = 0;
    for (const row of rows) {
      if (current === null || row.document !== current.document) {
        // A document seen before, not just above, would be a number used twice (or a document split up).
        if (seen.has(row.document)) bad.push(row);
        seen.add(row.document);
        current = row;
        expected = 1;
        const m = /^(FV|FK)\/(\d{4})\/(\d{2})\/(\d{5})$/.exec(row.document);
        if (m === null || `${m[2]}-${m[3]}` !== formatDay(row.date).slice(0, 7)) bad.push(row);
      } else {
        expected += 1;
        const header = current;
        if ((['date', 'code', 'name', 'due', 'paid'] as const).some((key) => row[key] !== header[key])) bad.push(row);
      }
      if (row.lp !== expected || row.lp > 8) bad.push(row);
    }
    expect(bad).toEqual([]);
    // The numbers of a month run 1..n with no gap.
    const counts = new Map<string, number[]>();
    for (const document of seen) {
      const prefix = document.slice(0, -5);
      counts.set(prefix, [...(counts.get(prefix) ?? []), Number(document.slice(-5))]);
    }
    for (const numbers of counts.values()) expect(numbers.sort((a, b) => a - b)).toEqual(numbers.map((_, i) => i + 1));
  });

  it('sells products of about eight groups at margins of 12-35%, and corrects a few invoices with returns', () => {
    expect(new Set(rows.map((r) => r.group)).size).toBe(8);
    const products = new Set(rows.map((r) => r.product));
    expect(products.size).toBeGreaterThanOrEqual(55);
    const bad = rows.filter((row) => {
      const sign = row.document.startsWith('FV/') ? 1 : -1;
      const margin = (row.value - row.cost) / row.value;
      return !Number.isInteger(row.quantity) || Math.sign(row.quantity) !== sign || Math.sign(row.value) !== sign ||
        Math.sign(row.cost) !== sign || margin < 0.12 || margin > 0.35;
    });
    expect(bad).toEqual([]);
    const documents = new Set(rows.map((r) => r.document));
    const corrections = [...documents].filter((d) => d.startsWith('FK/')).length;
    expect(corrections).toBeGreaterThan(documents.size * 0.005);
    expect(corrections).toBeLessThan(documents.size * 0.04);
    // Clients buy different breadths of the assortment.
    const groups = new Map<string, Set<string>>();
    for (const row of rows) groups.set(row.code, (groups.get(row.code) ?? new Set()).add(row.group));
    const breadths = [...groups.values()].map((g) => g.size);
    expect(Math.min(...breadths)).toBeLessThanOrEqual(2);
    expect(Math.max(...breadths)).toBeGreaterThanOrEqual(6);
  });

  it('leaves a few recent invoices unpaid, and has clients who habitually pay late', () => {
    const unpaid = new Set(rows.filter((r) => r.paid === null).map((r) => r.document));
    const documents = new Set(rows.map((r) => r.document));
    expect(unpaid.size).toBeGreaterThan(0);
    expect(unpaid.size).toBeLessThan(documents.size * 0.08);
    expect(rows.filter((r) => r.paid === null && r.date <= addMonths(END_DAY, -6))).toEqual([]);
    const lateness = new Map<string, number[]>();
    for (const row of rows) {
      if (row.paid !== null && row.lp === 1) lateness.set(row.code, [...(lateness.get(row.code) ?? []), row.paid - row.due]);
    }
    const medians = [...lateness.values()].map((days) => days.sort((a, b) => a - b)[days.length >> 1] as number);
    expect(medians.filter((m) => m >= 10).length).toBeGreaterThanOrEqual(3);
    expect(medians.filter((m) => m <= 5).length).toBeGreaterThan(medians.length / 2);
  });

  it('gives a lost client no line in its last 8 months and a new one none before its last 5', () => {
    // Several seeds, for more lost and new clients than one ledger has.
    for (const seed of [1, 2, 3, 4]) {
      const clients = demoClients(60, seed);
      const seedRows = seed === 1 ? rows : rowsOf([...demoLedgerLines(clients, { seed, end: END })]);
      const lastSale = new Map<string, number>();
      const firstSale = new Map<string, number>();
      for (const row of seedRows) {
        lastSale.set(row.code, Math.max(lastSale.get(row.code) ?? -Infinity, row.date));
        firstSale.set(row.code, Math.min(firstSale.get(row.code) ?? Infinity, row.date));
      }
      const lost = clients.filter((c) => c.profile === 'lost').map((c) => c.code);
      const fresh = clients.filter((c) => c.profile === 'new').map((c) => c.code);
      expect(lost.length).toBeGreaterThan(0);
      expect(fresh.length).toBeGreaterThan(0);
      for (const code of lost) {
        expect(lastSale.get(code), `${code}, seed ${seed}`).toBeLessThan(addMonths(END_DAY, -8));
        expect(lastSale.get(code), `${code}, seed ${seed}`).toBeGreaterThanOrEqual(addMonths(END_DAY, -14));
      }
      for (const code of fresh) expect(firstSale.get(code), `${code}, seed ${seed}`).toBeGreaterThan(addMonths(END_DAY, -5));
    }
  });

  it('thins out a slipping client\'s purchases over the last year', () => {
    const slipping = rowsOfProfile('slipping');
    expect(slipping.size).toBeGreaterThan(0);
    for (const clientRows of slipping.values()) {
      const invoices = (from: number, to: number) =>
        new Set(clientRows.filter((r) => r.document.startsWith('FV/') && r.date > from && r.date <= to).map((r) => r.document)).size;
      const lastYear = invoices(addMonths(END_DAY, -12), END_DAY);
      const yearBefore = invoices(addMonths(END_DAY, -24), addMonths(END_DAY, -12));
      expect(lastYear).toBeLessThan(yearBefore * 0.75);
    }
  });

  it('keeps seasonal clients to their season', () => {
    for (const clientRows of rowsOfProfile('seasonal').values()) {
      const months = new Set(clientRows.filter((r) => r.document.startsWith('FV/')).map((r) => formatDay(r.date).slice(5, 7)));
      expect(months.size).toBeLessThanOrEqual(5);
    }
  });

  it('gives the top fifth of the clients most of the revenue', () => {
    const revenue = new Map<string, number>();
    for (const row of rows) revenue.set(row.code, (revenue.get(row.code) ?? 0) + row.value);
    const sorted = [...revenue.values()].sort((a, b) => b - a);
    const total = sorted.reduce((a, b) => a + b, 0);
    const top = sorted.slice(0, Math.round(sorted.length / 5)).reduce((a, b) => a + b, 0);
    expect(top / total).toBeGreaterThan(0.6);
  });

  it('refuses a client code given twice, an end that is no date and years below one', () => {
    const twice = [CLIENTS[0] as DemoLedgerClient, { ...(CLIENTS[1] as DemoLedgerClient), code: CLIENTS[0]?.code as string }];
    expect(() => demoLedgerLines(twice, OPTIONS)).toThrow(RangeError);
    expect(() => demoLedgerLines(CLIENTS, { seed: 1, end: { year: 2025, month: 2, day: 29 } })).toThrow(RangeError);
    expect(() => demoLedgerLines(CLIENTS, { ...OPTIONS, years: 0 })).toThrow(RangeError);
  });

  it('reaches back as many years as asked, to a weekend or leap-day end', () => {
    const end = { year: 2024, month: 2, day: 29 };
    const short = rowsOf([...demoLedgerLines(CLIENTS.slice(0, 20), { seed: 3, end, years: 1 })]);
    const endDay = dayFromCivil(2024, 2, 29);
    expect(Math.min(...short.map((r) => r.date))).toBeGreaterThan(addMonths(endDay, -12));
    expect(Math.max(...short.map((r) => r.date))).toBeLessThanOrEqual(endDay);
    const sunday = rowsOf([...demoLedgerLines(CLIENTS.slice(0, 10), { seed: 3, end: { year: 2025, month: 6, day: 29 } })]);
    expect(Math.max(...sunday.map((r) => r.date))).toBeLessThanOrEqual(dayFromCivil(2025, 6, 27));
  });
});

describe('the demo ledger read back and analysed', () => {
  it('reads with the importer\'s reader without a rejected line, every field present', async () => {
    const read: LedgerLine[] = [];
    const info = await readLedgerLines(path, {}, (line) => read.push(line));
    expect(info.rejectedLines).toBe(0);
    expect(info.errors).toEqual([]);
    expect(info.delimiter).toBe(';');
    expect(info.decimal).toBe(',');
    expect(info.encoding).toBe('utf-8');
    expect(Object.keys(info.columns).sort()).toEqual(
      ['client', 'clientName', 'cost', 'date', 'document', 'dueDate', 'group', 'line', 'paidDate', 'product', 'quantity', 'revenue'].sort(),
    );
    expect(read).toHaveLength(written.lines);
    const fields = ['document', 'documentLine', 'product', 'group', 'cost', 'dueDate', 'clientName', 'quantity'] as const;
    expect(read.filter((line) => fields.some((field) => line[field] === null))).toEqual([]);
    expect(read.filter((line) => line.paidDate !== null).length).toBeGreaterThan(read.length * 0.9);
    expect(new Set(read.map((line) => line.document)).size).toBe(written.documents);
    expect(read.find((line) => line.client === CLIENTS[1]?.code)?.clientName).toBe('Kowalski; Nowak sp. j.');
    const row = rows[0] as Row;
    expect(read[0]).toMatchObject({
      date: row.date, client: row.code, revenue: row.value, cost: row.cost, dueDate: row.due, paidDate: row.paid,
      document: row.document, documentLine: '1', product: row.product, group: row.group, quantity: row.quantity,
    });
  });

  it('shows the analysis what each profile means: breadwinners, key accounts within 30-55%, lost, slipping, promising', async () => {
    const { ledger } = await readDailyLedger(path);
    const result = analyzeLedger(ledger, { ...DEFAULT_ANALYSIS_PARAMS });
    expect(result.window.asOf).toBe('2025-06-30');
    expect(result.keyClients.band).toBe('within');
    const byProfile = (profile: DemoSalesProfile) => result.clients.filter((c) => profileOf.get(c.client) === profile);
    const breadwinners = result.clients.filter((c) => c.types.includes('breadwinner'));
    expect(breadwinners.map((c) => profileOf.get(c.client))).toEqual(['breadwinner', 'breadwinner', 'breadwinner']);
    expect(breadwinners.every((c) => c.abc === 'A' && c.isKey)).toBe(true);
    for (const client of byProfile('lost')) expect(client.activity).toBe('lost');
    for (const client of byProfile('slipping')) expect(client.activity).toBe('slipping');
    for (const client of byProfile('regular')) expect(client.activity).toBe('active');
    const promising = result.clients.filter((c) => c.types.includes('promising'));
    expect(promising.length).toBeGreaterThanOrEqual(1);
    expect(promising.every((c) => profileOf.get(c.client) === 'new')).toBe(true);
  });

  it('keeps the key accounts within 30-55% of the revenue for other seeds and sizes too', async () => {
    for (const [count, seed] of [[40, 5], [100, 9]] as const) {
      const file = join(dir, `analysed-${count}-${seed}.csv`);
      await writeDemoLedger(file, demoClients(count, seed), { seed, end: END });
      const { ledger } = await readDailyLedger(file);
      const result = analyzeLedger(ledger, { ...DEFAULT_ANALYSIS_PARAMS });
      expect(result.keyClients.band, `${count} clients, seed ${seed}`).toBe('within');
    }
  });
});
