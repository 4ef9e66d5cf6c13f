/**
 * What the two suites that read ledger files share (the analysis suite, bench/run.ts, and the ledger
 * suite, bench/ledger-bench.ts): the seeded synthetic ledgers, made ready to read, and the command
 * lines of the programs that read them, so that both suites run `kamerton analyze` and the DuckDB
 * peer the same way.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countLines } from './count-lines.ts';
import { ensureLedger, type LedgerSpec } from './generate-ledger.ts';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The benchmark's files: the ledgers, the programs' outputs, results.md (git-ignored). */
export const DATA_DIR = join(ROOT, 'bench', '.data');
/** The CLI as a user runs it. */
export const KAMERTON_BIN = join(ROOT, 'bin', 'kamerton.js');

export type Size = '1m' | '10m';
export const SIZES: readonly Size[] = ['1m', '10m'];

const SEED = 20251231;
export const SPECS: Record<Size, LedgerSpec> = {
  '1m': { lines: 1_000_000, clients: 20_000, seed: SEED, from: '2023-01-01', to: '2025-12-31' },
  '10m': { lines: 10_000_000, clients: 100_000, seed: SEED, from: '2023-01-01', to: '2025-12-31' },
};

export type Ledger = { size: Size; spec: LedgerSpec; path: string; bytes: number };

/** "1M lines, 20k clients, 39 MB": a ledger as the tables name it. */
export function describeLedger(ledger: Pick<Ledger, 'spec' | 'bytes'>): string {
  return `${ledger.spec.lines / 1e6}M lines, ${ledger.spec.clients / 1e3}k clients, ${(ledger.bytes / 1e6).toFixed(0)} MB`;
}

/**
 * The ledger of `size`, generated when missing, then read once whole: that brings it into the page
 * cache, so that no program measured pays for the disk, and the count proves the file whole.
 */
export function prepareLedger(size: Size, log: (line: string) => void): Ledger {
  const spec = SPECS[size];
  const started = performance.now();
  const ledger = ensureLedger(DATA_DIR, `ledger-${size}`, spec);
  log(
    `${relative(ROOT, ledger.path)}: ${ledger.generated ? `generated in ${((performance.now() - started) / 1000).toFixed(1)} s` : 'cached'}, ` +
      `${(ledger.bytes / 1e6).toFixed(0)} MB`,
  );
  const counted = countLines(ledger.path);
  if (counted !== spec.lines + 1) throw new Error(`counted ${counted} lines in ${ledger.path}, expected ${spec.lines + 1}`);
  return { size, spec, path: ledger.path, bytes: ledger.bytes };
}

export type Tool = 'kamerton' | 'duckdb' | 'floor' | 'startup';

/**
 * The command line of `tool` on the ledger at `ledger` (run with Node: every program runs through Node
 * with tsx, as `bin/kamerton.js` does, so each pays the same start-up). `out` is where the result goes:
 * Kamerton's JSON on its standard output (returned as `stdout`), DuckDB's classes as its argument.
 */
export function commandFor(tool: Tool, ledger: string, out: string): { args: string[]; stdout: string | null } {
  switch (tool) {
    case 'kamerton':
      return { args: [KAMERTON_BIN, 'analyze', ledger, '--xyz-mode', 'cv', '--format', 'json'], stdout: out };
    case 'duckdb':
      return { args: ['--import', 'tsx', join(ROOT, 'bench', 'duckdb-peer.ts'), ledger, out], stdout: null };
    case 'floor':
      return { args: ['--import', 'tsx', join(ROOT, 'bench', 'count-lines.ts'), ledger], stdout: null };
    case 'startup':
      // Node starting with tsx and doing nothing: the part of every figure that is not the work.
      return { args: ['--import', 'tsx', '--eval', '0'], stdout: null };
  }
}

/** The machine, Node, DuckDB, and the load average now: on a shared machine, other work moves the figures. */
export function describeMachine(): string {
  const duckdbVersion = (JSON.parse(readFileSync(join(ROOT, 'node_modules', '@duckdb', 'node-api', 'package.json'), 'utf8')) as { version: string }).version;
  const cpu = cpus();
  return (
    `${cpu.length} cores (${cpu[0]?.model ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory, ` +
    `Node ${process.version}, @duckdb/node-api ${duckdbVersion}; load average ${loadavg().map((load) => load.toFixed(2)).join(' ')}`
  );
}
