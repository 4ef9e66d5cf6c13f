import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDailyLedger } from './client-day-table.ts';
import { readDailyChunk, type DailyChunkResult } from './csv-daily-chunk.ts';
import { detectLayout } from './csv-layout.ts';
import type { ReadOptions } from './types.ts';

const dir = mkdtempSync(join(tmpdir(), 'kamerton-kernel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileNumber = 0;
function write(content: string | Uint8Array): string {
  const path = join(dir, `ledger${fileNumber++}.csv`);
  writeFileSync(path, content);
  return path;
}

type Read = { ledger: ReturnType<typeof buildDailyLedger>; result: Omit<DailyChunkResult, 'parts'> };

/** One file read whole by readDailyChunk, with or without the kernel, merged as readDailyLedger merges. */
function read(path: string, useKernel: boolean, bufferSize: number, options: ReadOptions = {}): Read {
  const size = statSync(path).size;
  const head = readFileSync(path).subarray(0, 64 * 1024);
  const layout = detectLayout(path, head, head.length >= size, options);
  const fd = openSync(path, 'r');
  try {
    const { parts, ...result } = readDailyChunk(fd, layout.dataStart, size, layout, undefined, bufferSize, useKernel);
    return { ledger: buildDailyLedger(parts, layout.hasMargin), result };
  } finally {
    closeSync(fd);
  }
}

/** The kernel must change nothing a reader sees: the rollup, the counts and the errors. */
function expectSameWithKernel(path: string, bufferSize: number, options: ReadOptions = {}): Read {
  const withKernel = read(path, true, bufferSize, options);
  const without = read(path, false, bufferSize, options);
  expect(withKernel).toEqual(without);
  return withKernel;
}

// Values a ledger's cells take, the awkward ones among them: what the kernel reads itself, what it
// leaves to parseDate and parseMoney, and what it declines.
const dates = ['2024-01-02', '2024-01-03', '2024-02-29', '2023-12-31', '2024-01-01', '02.01.2024', '2024-02-30', '', ' 2024-01-05 ', '20240106'];
const clients = ['C1', 'C2', ' C3 ', 'C1\t', '', 'KLIENT-Z-BARDZO-DŁUGIM-KODEM-0001', 'Łódź', 'C"4"', '"C5"', 'C6'];
const amounts = ['100', '100.5', '100.50', '-20.00', '-0.00', '0', '1 234.56', '12.345', 'abc', '', '"7,5"', '99999999999999', '.5', '1e3', '3.', 'PLN 12'];
const names = ['', 'Alfa sp. z o.o.', ' Beta ', 'Gamma, "S.A."'];

const line = fc.record({
  date: fc.constantFrom(...dates),
  client: fc.constantFrom(...clients),
  revenue: fc.constantFrom(...amounts),
  cost: fc.constantFrom(...amounts),
  name: fc.constantFrom(...names),
  extra: fc.constantFrom('', ',x', ',,'),
  shape: fc.constantFrom('full', 'full', 'full', 'short', 'blank', 'crlf'),
});

type Row = typeof line extends fc.Arbitrary<infer T> ? T : never;

function render(rows: Row[], withName: boolean): string {
  const quote = (cell: string): string => (cell.includes(',') ? `"${cell.replaceAll('"', '""')}"` : cell);
  const header = withName ? 'date,client,revenue,cost,client name\n' : 'date,client,revenue,cost\n';
  return header + rows.map((r) => {
    if (r.shape === 'blank') return '\n';
    const cells = [r.date, r.client, quote(r.revenue), quote(r.cost)];
    if (withName) cells.push(quote(r.name));
    if (r.shape === 'short') cells.pop();
    return cells.join(',') + r.extra + (r.shape === 'crlf' ? '\r\n' : '\n');
  }).join('');
}

describe('the rollup kernel', () => {
  it('reads generated ledgers of good, odd and bad lines exactly as the JavaScript path does', () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 60 }), fc.boolean(), fc.constantFrom(64, 200, 4096), (rows, withName, bufferSize) => {
        const path = write(render(rows, withName));
        // Many of these lines are bad, far over the 5% a whole read allows: the chunk reader reports
        // them all, and only the comparison matters here.
        expectSameWithKernel(path, bufferSize, { decimal: '.' });
      }),
      { numRuns: 300 },
    );
  });

  it('takes the plain lines itself and leaves the others to the JavaScript path', () => {
    const path = write('date,client,revenue,cost\n2024-01-02,C1,10.00,4\n2024-01-02,"C2",5,1\n2024-01-03,C1,1 000,1\n');
    const { ledger, result } = expectSameWithKernel(path, 4096);
    expect(result.dataLines).toBe(3);
    const size = statSync(path).size;
    const layout = detectLayout(path, readFileSync(path), true, {});
    const fd = openSync(path, 'r');
    const { parts } = readDailyChunk(fd, layout.dataStart, size, layout);
    closeSync(fd);
    // The kernel's part first: C1's two days; the JavaScript table's: C2, whose code is quoted.
    expect(parts.map((part) => [part.clients, part.records])).toEqual([[['C1'], 2], [['C2'], 1]]);
    expect(ledger.clients).toEqual(['C1', 'C2']);
    expect(Array.from(ledger.revenue)).toEqual([1000, 100000, 500]);
  });

  it('keeps a client\'s first name, in file order, whichever path reads its lines', () => {
    const path = write(
      'date,client,revenue,client name\n' +
        '2024-01-02,C1,10,\n2024-01-03,C1,10,Alfa\n2024-01-04,C1,10,Alfa Bis\n2024-01-05,"C2",1,Beta\n2024-01-06,C2,1,Beta Bis\n',
    );
    const { ledger } = expectSameWithKernel(path, 4096);
    expect(ledger.names).toEqual(['Alfa', 'Beta']);
  });

  it('hands days that go back to the JavaScript table and sums each client and day once', () => {
    const days = ['2024-01-05', '2024-01-02', '2024-01-05', '2024-01-03', '2024-01-02'];
    const path = write('date,client,revenue\n' + days.map((d, i) => `${d},C1,${i + 1}\n`).join(''));
    const { ledger } = expectSameWithKernel(path, 4096);
    expect(Array.from(ledger.revenue)).toEqual([(2 + 5) * 100, 4 * 100, (1 + 3) * 100]);
    expect(Array.from(ledger.lines)).toEqual([2, 1, 2]);
  });

  it('fills and empties its output page and grows its client table and arena on a large ledger', () => {
    // 3,000 clients with long codes (kept in the arena) over 40 days: 120,000 client-days, more than
    // the 65,536 records of one output page, and a client table grown several times.
    const rows: string[] = ['data;kontrahent;wartość netto;koszt'];
    for (let d = 1; d <= 40; d++) {
      const date = `${String(((d - 1) % 28) + 1).padStart(2, '0')}.${d <= 28 ? '01' : '02'}.2024`;
      for (let c = 0; c < 3000; c++) rows.push(`${date};KONTRAHENT-O-DŁUGIM-KODZIE-${c};${c},${d % 10}0;${d}`);
    }
    const path = write(rows.join('\r\n') + '\r\n');
    const { ledger, result } = expectSameWithKernel(path, 2 * 1024 * 1024);
    expect(result.errorCount).toBe(0);
    expect(ledger.clients).toHaveLength(3000);
    expect(ledger.days).toHaveLength(120_000);
  });

  it('stops before a line that is not UTF-8 exactly where the JavaScript path stops', () => {
    const good = 'date,client,revenue\n' + '2024-01-02,C1,10\n'.repeat(50);
    const bytes = Buffer.concat([Buffer.from(good), Buffer.from([0x32, 0x30, 0x32, 0x34, 0x2d, 0x30, 0x31, 0x2d, 0x30, 0x32, 0x2c, 0xff, 0x2c, 0x31, 0x0a]), Buffer.from('2024-01-02,C2,1\n')]);
    const { result } = expectSameWithKernel(write(bytes), 128, { encoding: 'utf-8' });
    expect(result.invalidUtf8Line).toBe(51);
  });

  it('is built from its source: rollup.wasm is what `npm run build:kernel` makes of rollup.as.ts', () => {
    // The compiler runs as `npm run build:kernel` runs it (its types are not imported: they declare
    // AssemblyScript's own globals over Node's).
    const compiler = new URL('../../node_modules/assemblyscript/bin/asc.js', import.meta.url).pathname;
    const source = new URL('./kernel/rollup.as.ts', import.meta.url).pathname;
    const config = new URL('./kernel/asconfig.json', import.meta.url).pathname;
    const built = join(dir, 'rollup.wasm');
    execFileSync(process.execPath, [compiler, source, '--config', config, '--outFile', built]);
    const committed = readFileSync(new URL('./kernel/rollup.wasm', import.meta.url));
    expect(readFileSync(built).equals(committed), 'rollup.wasm is stale: run `npm run build:kernel`').toBe(true);
  });
});
