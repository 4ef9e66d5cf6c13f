import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyWithDuckDb, parsePeerOutput, type PeerClient } from './duckdb-peer.ts';
import { generateLedger, LEDGER_HEADER } from './generate-ledger.ts';

const directory = mkdtempSync(join(tmpdir(), 'kamerton-peer-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function classify(name: string, csv: string): Promise<PeerClient[]> {
  const ledger = join(directory, `${name}.csv`);
  const out = join(directory, `${name}.jsonl`);
  writeFileSync(ledger, csv);
  await classifyWithDuckDb(ledger, out);
  return parsePeerOutput(readFileSync(out, 'utf8'));
}

/** `client: [month 1, month 2, ...]` as ledger lines, each month's amount split over two lines and days. */
function ledgerOf(months: Record<string, string[][]>): string {
  let csv = LEDGER_HEADER;
  for (const [client, amounts] of Object.entries(months)) {
    amounts.forEach((lines, month) => {
      lines.forEach((amount, line) => {
        csv += `2024-0${month + 1}-${String(5 + 10 * line).padStart(2, '0')},${client},P1,1,${amount},0.00\n`;
      });
    });
  }
  return csv;
}

describe('the DuckDB peer', () => {
  it('classes hand-worked clients at ties and exactly at every cut-off', async () => {
    // Four months (January to April 2024). Positive revenue P = 1000.00.
    const clients = await classify(
      'known',
      ledgerOf({
        // 600, flat: first, A; cv 0, X.
        p: [['100.10', '49.90'], ['150.00'], ['75.05', '74.95'], ['150.00']],
        // 100 each, tied: ranked by code point, Z10 < a1 < m (locale order would put a1 first).
        // m has 800 ranked before it: exactly at the 80% cut-off, so B.
        m: [['27.51'], ['22.49'], ['27.51'], ['22.49']], // cv 0.1004: just over 10%, Y
        a1: [['40.00', '-8.75'], ['18.75'], ['31.25'], ['18.75']], // cv exactly 0.25 with a return: Y
        Z10: [['27.50'], ['22.50'], ['27.50'], ['22.50']], // cv exactly 0.10: X
        // 50 each, tied: n has 900 before it (B), q 950, exactly at the 95% cut-off (C).
        n: [[], [], [], ['25.00', '25.00']], // one month of four: Z
        q: [['15.63'], ['9.37'], ['15.63'], ['9.37']], // cv 0.2504: just over 25%, Z
        // Net zero, net negative, and free goods only: C and Z whatever their months.
        e: [['10.00'], ['-10.00'], [], []],
        r: [[], ['-20.00'], [], []],
        w: [['0.00'], ['0.00'], ['0.00'], ['0.00']],
      }),
    );
    expect(clients.map((c) => `${c.client} ${c.abc}${c.xyz}`)).toEqual([
      'p AX', 'Z10 AX', 'a1 AY', 'm BY', 'n BZ', 'q CZ', 'e CZ', 'w CZ', 'r CZ',
    ]);
    expect(clients.find((c) => c.client === 'a1')?.revenue).toBe(100);
    expect(clients.find((c) => c.client === 'e')?.cv).toBeNull();
  });

  it('counts the months from the first line to the last, also months nobody bought in', async () => {
    // February has no lines at all; a steady client over January, March and April still has a zero.
    const csv = `${LEDGER_HEADER}2024-01-10,s,P1,1,10.00,0\n2024-03-10,s,P1,1,10.00,0\n2024-04-10,s,P1,1,10.00,0\n`;
    const [client] = await classify('gap', csv);
    // Months 10, 0, 10, 10: mean 7.5, population SD sqrt(18.75).
    expect(client?.cv).toBeCloseTo(Math.sqrt(18.75) / 7.5, 12);
    expect(client?.xyz).toBe('Z');
  });

  it('agrees with a direct computation on a generated ledger', async () => {
    const path = join(directory, 'generated.csv');
    generateLedger(path, { lines: 20_000, clients: 400, seed: 7, from: '2023-01-01', to: '2025-12-31' });
    const out = join(directory, 'generated.jsonl');
    await classifyWithDuckDb(path, out);
    const peer = parsePeerOutput(readFileSync(out, 'utf8'));
    const expected = classifyDirectly(readFileSync(path, 'utf8'));
    expect(peer.map((c) => [c.client, c.abc, c.xyz])).toEqual(expected);
    // The generated ledger has clients in every ABC class and more than one XYZ class.
    expect(new Set(peer.map((c) => c.abc)).size).toBe(3);
    expect(new Set(peer.map((c) => c.xyz)).size).toBeGreaterThan(1);
  });
});

/**
 * ABC by revenue and XYZ by the monthly coefficient of variation, straight from docs/analysis.md in
 * BigInt minor units: [client, abc, xyz] in rank order.
 */
function classifyDirectly(csv: string): [string, string, string][] {
  const monthly = new Map<string, Map<number, bigint>>();
  let first = Infinity;
  let last = -Infinity;
  for (const line of csv.split('\n').slice(1)) {
    if (line === '') continue;
    const [date, client, , , revenue] = line.split(',') as [string, string, string, string, string];
    const month = Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7));
    first = Math.min(first, month);
    last = Math.max(last, month);
    const minor = BigInt(revenue.replace('.', ''));
    const months = monthly.get(client) ?? new Map<number, bigint>();
    months.set(month, (months.get(month) ?? 0n) + minor);
    monthly.set(client, months);
  }
  const n = BigInt(last - first + 1);
  const clients = [...monthly].map(([client, months]) => {
    let s1 = 0n;
    let s2 = 0n;
    for (const value of months.values()) {
      s1 += value;
      s2 += value * value;
    }
    return { client, s1, s2 };
  });
  clients.sort((a, b) => (a.s1 !== b.s1 ? (a.s1 > b.s1 ? -1 : 1) : a.client < b.client ? -1 : 1));
  const positive = clients.reduce((sum, c) => (c.s1 > 0n ? sum + c.s1 : sum), 0n);
  let before = 0n;
  return clients.map(({ client, s1, s2 }) => {
    const abc = s1 <= 0n ? 'C' : before * 100n < 80n * positive ? 'A' : before * 100n < 95n * positive ? 'B' : 'C';
    before += s1;
    const spread = (n * s2 - s1 * s1) * 10_000n;
    const xyz = s1 <= 0n ? 'Z' : spread <= 100n * s1 * s1 ? 'X' : spread <= 625n * s1 * s1 ? 'Y' : 'Z';
    return [client, abc, xyz];
  });
}
