/**
 * `npm run bench`: times `kamerton analyze --xyz-mode cv --format json` against DuckDB on seeded
 * synthetic ledgers of 1M and 10M lines, checks that both give every client the same ABC and XYZ
 * classes, and prints a markdown table (also written to bench/.data/results.md). docs/performance.md
 * explains the method and records the figures.
 *
 * Flags: `--sizes 1m,10m` (which ledgers), `--runs N` (timed runs of each program per ledger, default 3),
 * `--tools floor,startup,kamerton,duckdb` (which programs; the class check needs the last two).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnalysisDocument } from '../src/app/analysis-document.ts';
import { parsePeerOutput, type PeerClient } from './duckdb-peer.ts';
import { ensureLedger, type LedgerSpec } from './generate-ledger.ts';
import { countLines } from './count-lines.ts';
import { checkGnuTime, measureCommand, median, type Measurement } from './measure.ts';

type Size = '1m' | '10m';
type Tool = 'kamerton' | 'duckdb' | 'floor' | 'startup';
const TOOLS: readonly Tool[] = ['floor', 'startup', 'kamerton', 'duckdb'];

const SEED = 20251231;
const SPECS: Record<Size, LedgerSpec> = {
  '1m': { lines: 1_000_000, clients: 20_000, seed: SEED, from: '2023-01-01', to: '2025-12-31' },
  '10m': { lines: 10_000_000, clients: 100_000, seed: SEED, from: '2023-01-01', to: '2025-12-31' },
};

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = join(root, 'bench', '.data');

type Options = { sizes: Size[]; runs: number; tools: Tool[] };

function parseOptions(argv: string[]): Options {
  const options: Options = { sizes: ['1m', '10m'], runs: 3, tools: [...TOOLS] };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag !== '--sizes' && flag !== '--runs' && flag !== '--tools') throw new Error(`unknown argument ${flag} (the flags are --sizes, --runs, --tools)`);
    if (value === undefined) throw new Error(`${flag} needs a value`);
    i++;
    if (flag === '--sizes') {
      options.sizes = value.split(',').map((size) => {
        if (size !== '1m' && size !== '10m') throw new Error(`--sizes takes 1m and 10m, got ${size}`);
        return size;
      });
    } else if (flag === '--runs') {
      options.runs = Number(value);
      if (!Number.isInteger(options.runs) || options.runs < 1) throw new Error(`--runs takes a whole number from 1, got ${value}`);
    } else {
      const named = value.split(',');
      for (const tool of named) if (!(TOOLS as readonly string[]).includes(tool)) throw new Error(`--tools takes ${TOOLS.join(', ')}, got ${tool}`);
      options.tools = TOOLS.filter((tool) => named.includes(tool));
    }
  }
  return options;
}

/** Every program runs through Node with tsx, as `bin/kamerton.js` does, so each pays the same start-up. */
function commandFor(tool: Tool, ledger: string, size: Size): { args: string[]; stdout: string | null } {
  switch (tool) {
    case 'kamerton':
      return {
        args: [join(root, 'bin', 'kamerton.js'), 'analyze', ledger, '--xyz-mode', 'cv', '--format', 'json'],
        stdout: join(dataDir, `kamerton-${size}.json`),
      };
    case 'duckdb':
      return { args: ['--import', 'tsx', join(root, 'bench', 'duckdb-peer.ts'), ledger, join(dataDir, `duckdb-${size}.jsonl`)], stdout: null };
    case 'floor':
      return { args: ['--import', 'tsx', join(root, 'bench', 'count-lines.ts'), ledger], stdout: null };
    case 'startup':
      // Node starting with tsx and doing nothing: the part of every figure that is not the work.
      return { args: ['--import', 'tsx', '--eval', '0'], stdout: null };
  }
}


/** Client by client, the classes Kamerton gave against DuckDB's; returns the number of disagreements. */
function compareClasses(size: Size, spec: LedgerSpec): number {
  const document = JSON.parse(readFileSync(join(dataDir, `kamerton-${size}.json`), 'utf8')) as AnalysisDocument;
  const peer = new Map<string, PeerClient>(parsePeerOutput(readFileSync(join(dataDir, `duckdb-${size}.jsonl`), 'utf8')).map((c) => [c.client, c]));
  const problems: string[] = [];
  if (document.totals.lines !== spec.lines || document.totals.rejectedLines !== 0) {
    problems.push(`Kamerton read ${document.totals.lines} lines with ${document.totals.rejectedLines} rejected; the ledger has ${spec.lines}, all good`);
  }
  const seen = new Set<string>();
  for (const mine of document.clients) {
    seen.add(mine.client);
    const theirs = peer.get(mine.client);
    if (theirs === undefined) {
      problems.push(`${mine.client}: only in Kamerton's result`);
    } else if (mine.abc !== theirs.abc || mine.xyz !== theirs.xyz) {
      problems.push(
        `${mine.client}: Kamerton ${mine.abc}${mine.xyz} (revenue ${mine.revenue}, cv ${mine.cv}), ` +
          `DuckDB ${theirs.abc}${theirs.xyz} (revenue ${theirs.revenue}, cv ${theirs.cv})`,
      );
    }
  }
  for (const client of peer.keys()) if (!seen.has(client)) problems.push(`${client}: only in DuckDB's result`);
  const count = problems.length;
  console.log(`  classes: ${peer.size} clients from DuckDB, ${document.clients.length} from Kamerton, ${count} mismatches`);
  for (const problem of problems.slice(0, 10)) console.log(`    ${problem}`);
  return count;
}

const TOOL_LABELS: Record<Tool, string> = {
  floor: 'floor: count lines',
  startup: 'start-up: node + tsx',
  kamerton: 'kamerton',
  duckdb: 'duckdb',
};

type Row = { size: Size; spec: LedgerSpec; bytes: number; tool: Tool; runs: Measurement[] };

function formatTable(rows: Row[]): string {
  const lines = [
    '| ledger | tool | runs | median s | min-max s | CPU s | peak RSS MB | time vs DuckDB |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const seconds = row.runs.map((run) => run.seconds);
    const duck = rows.find((other) => other.size === row.size && other.tool === 'duckdb');
    const ratio = duck === undefined ? '' : `${(median(seconds) / median(duck.runs.map((run) => run.seconds))).toFixed(2)}x`;
    const ledger = `${row.spec.lines / 1e6}M lines, ${row.spec.clients / 1e3}k clients, ${(row.bytes / 1e6).toFixed(0)} MB`;
    lines.push(
      `| ${ledger} | ${TOOL_LABELS[row.tool]} | ${seconds.length} | ${median(seconds).toFixed(2)} | ` +
        `${Math.min(...seconds).toFixed(2)}-${Math.max(...seconds).toFixed(2)} | ${median(row.runs.map((run) => run.cpuSeconds)).toFixed(2)} | ${Math.max(...row.runs.map((run) => run.peakRssMb)).toFixed(0)} | ${ratio} |`,
    );
  }
  return lines.join('\n');
}

function describeMachine(): string {
  const duckdbVersion = (JSON.parse(readFileSync(join(root, 'node_modules', '@duckdb', 'node-api', 'package.json'), 'utf8')) as { version: string }).version;
  const cpu = cpus();
  // The load average tells whether something else was running: on a shared machine it moves the figures.
  return (
    `${cpu.length} cores (${cpu[0]?.model ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory, ` +
    `Node ${process.version}, @duckdb/node-api ${duckdbVersion}; load average ${loadavg().map((load) => load.toFixed(2)).join(' ')}`
  );
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  checkGnuTime();
  const machine = describeMachine();
  const rows: Row[] = [];
  let mismatches = 0;
  for (const size of options.sizes) {
    const spec = SPECS[size];
    const started = performance.now();
    const ledger = ensureLedger(dataDir, `ledger-${size}`, spec);
    console.log(
      `${relative(root, ledger.path)}: ${ledger.generated ? `generated in ${((performance.now() - started) / 1000).toFixed(1)} s` : 'cached'}, ` +
        `${(ledger.bytes / 1e6).toFixed(0)} MB`,
    );
    // Reading the whole file once brings it into the page cache, so no program pays for the disk; the count
    // also proves the file whole.
    const counted = countLines(ledger.path);
    if (counted !== spec.lines + 1) throw new Error(`counted ${counted} lines in ${ledger.path}, expected ${spec.lines + 1}`);
    const order = options.tools;
    const measured = new Map<Tool, Measurement[]>(order.map((tool) => [tool, []]));
    const rss = join(dataDir, 'rss.txt');
    for (let run = 0; run < options.runs; run++) {
      // Alternate who goes first, so that neither always runs on a machine just warmed (or heated) by the other.
      const round = run % 2 === 0 ? order : [...order].reverse();
      for (const tool of round) {
        const { args, stdout } = commandFor(tool, ledger.path, size);
        const result = await measureCommand(process.execPath, args, stdout, rss);
        measured.get(tool)!.push(result);
        console.log(`  ${tool} run ${run + 1}: ${result.seconds.toFixed(2)} s (CPU ${result.cpuSeconds.toFixed(2)} s), ${result.peakRssMb.toFixed(0)} MB`);
      }
    }
    for (const tool of order) rows.push({ size, spec, bytes: ledger.bytes, tool, runs: measured.get(tool)! });
    if (options.tools.includes('kamerton') && options.tools.includes('duckdb')) mismatches += compareClasses(size, spec);
  }
  const table = formatTable(rows);
  const report = `Machine: ${machine} (at the start).\n\n${table}\n\nClass mismatches between Kamerton and DuckDB: ${
    options.tools.includes('kamerton') && options.tools.includes('duckdb') ? mismatches : 'not checked'
  }.\n`;
  console.log(`\n${report}`);
  writeFileSync(join(dataDir, 'results.md'), report);
  return mismatches === 0 ? 0 : 1;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
