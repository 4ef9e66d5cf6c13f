import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRandom, ensureLedger, generateLedger, LEDGER_HEADER, type LedgerSpec } from './generate-ledger.ts';

const directory = mkdtempSync(join(tmpdir(), 'kamerton-ledger-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const spec: LedgerSpec = { lines: 30_000, clients: 600, seed: 42, from: '2023-01-01', to: '2025-12-31' };

describe('the ledger generator', () => {
  it('writes the same bytes for the same seed and other bytes for another', () => {
    const first = join(directory, 'first.csv');
    const second = join(directory, 'second.csv');
    const other = join(directory, 'other.csv');
    generateLedger(first, spec);
    generateLedger(second, spec);
    generateLedger(other, { ...spec, seed: 43 });
    expect(readFileSync(second).equals(readFileSync(first))).toBe(true);
    expect(readFileSync(other).equals(readFileSync(first))).toBe(false);
  });

  it('writes exactly the lines and clients asked for, in date order within the dates asked for', () => {
    const path = join(directory, 'shape.csv');
    const bytes = generateLedger(path, spec);
    const text = readFileSync(path, 'utf8');
    expect(statSync(path).size).toBe(bytes);
    expect(text.startsWith(LEDGER_HEADER)).toBe(true);
    const lines = text.slice(LEDGER_HEADER.length).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(spec.lines);
    const clients = new Set<string>();
    let previous = '';
    let returns = 0;
    for (const line of lines) {
      expect(line).toMatch(/^\d{4}-\d{2}-\d{2},C\d+,P\d{5},-?\d+,-?\d+\.\d{2},-?\d+\.\d{2}$/);
      const [date, client, , , revenue] = line.split(',') as [string, string, string, string, string];
      expect(date >= previous).toBe(true);
      previous = date;
      clients.add(client);
      if (revenue.startsWith('-')) returns++;
    }
    expect(clients.size).toBe(spec.clients);
    expect(lines[0]!.slice(0, 10) >= spec.from).toBe(true);
    expect(previous <= spec.to).toBe(true);
    // Returns are occasional: some, but well under 2% of the lines.
    expect(returns).toBeGreaterThan(0);
    expect(returns).toBeLessThan(spec.lines * 0.02);
  });

  it('reuses a cached ledger with the same parameters and regenerates it otherwise', () => {
    const made = ensureLedger(directory, 'cached', spec);
    expect(made.generated).toBe(true);
    expect(ensureLedger(directory, 'cached', spec).generated).toBe(false);
    expect(ensureLedger(directory, 'cached', { ...spec, seed: 1 }).generated).toBe(true);
    // A file that no longer has the size its manifest recorded (an interrupted copy) is made again.
    writeFileSync(join(directory, 'cached.csv'), LEDGER_HEADER);
    expect(ensureLedger(directory, 'cached', { ...spec, seed: 1 }).generated).toBe(true);
  });

  it('draws uniform numbers in [0, 1) reproducibly from a seed', () => {
    const a = createRandom(5);
    const b = createRandom(5);
    const draws = Array.from({ length: 10_000 }, () => a());
    expect(Array.from({ length: 10_000 }, () => b())).toEqual(draws);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    const mean = draws.reduce((sum, x) => sum + x, 0) / draws.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });
});
