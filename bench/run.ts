/**
 * `npm run bench`: two suites, run one after the other, whose reports are printed and written to
 * bench/.data/results.md (the file holds the last invocation's reports). docs/performance.md explains
 * the methods and records the figures.
 *
 * - analysis: times `kamerton analyze --xyz-mode cv --format json` against DuckDB on seeded synthetic
 *   ledgers of 1M and 10M lines, and checks that both give every client the same ABC and XYZ classes.
 * - api: `GET /api/v1/accounts` through the server against its bare SQL through `pg` (bench/api-bench.ts).
 *
 * Flags: `--suite analysis,api` (which suites, default both), `--runs N` (timed runs of each program
 * per ledger, default 3; rounds of the API's measurements, default 1). For the analysis: `--sizes 1m,10m`
 * (which ledgers), `--tools floor,startup,kamerton,duckdb` (which programs; the class check needs the
 * last two). For the API: `--duration S` (seconds of each measurement, default 30).
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnalysisDocument } from '../src/app/analysis-document.ts';
import { parsePeerOutput, type PeerClient } from './duckdb-peer.ts';
import { ensureLedger, type LedgerSpec } from './generate-ledger.ts';
import { countLines } from './count-lines.ts';
import { checkGnuTime, measureCommand, median, type Measurement } from './measure.ts';
import { PROGRAMS, runApiBench } from './api-bench.ts';

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

type Suite = 'analysis' | 'api';
const SUITES: readonly Suite[] = ['analysis', 'api'];

/** `runs` is null when not given: each suite then takes its own default. */
type Options = { suites: Suite[]; sizes: Size[]; runs: number | null; tools: Tool[]; duration: number };

/** The flags, and the suite each belongs to (null: both). */
const FLAGS: Record<string, Suite | null> = { '--suite': null, '--runs': null, '--sizes': 'analysis', '--tools': 'analysis', '--duration': 'api' };

function parseOptions(argv: string[]): Options {
  const options: Options = { suites: [...SUITES], sizes: ['1m', '10m'], runs: null, tools: [...TOOLS], duration: 30 };
  const given: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    if (!(flag in FLAGS)) throw new Error(`unknown argument ${flag} (the flags are ${Object.keys(FLAGS).join(', ')})`);
    if (value === undefined) throw new Error(`${flag} needs a value`);
    given.push(flag);
    i++;
    if (flag === '--suite') {
      const named = value.split(',');
      for (const suite of named) if (!(SUITES as readonly string[]).includes(suite)) throw new Error(`--suite takes ${SUITES.join(', ')}, got ${suite}`);
      options.suites = SUITES.filter((suite) => named.includes(suite));
    } else if (flag === '--sizes') {
      options.sizes = value.split(',').map((size) => {
        if (size !== '1m' && size !== '10m') throw new Error(`--sizes takes 1m and 10m, got ${size}`);
        return size;
      });
    } else if (flag === '--runs') {
      options.runs = Number(value);
      if (!Number.isInteger(options.runs) || options.runs < 1) throw new Error(`--runs takes a whole number from 1, got ${value}`);
    } else if (flag === '--duration') {
      options.duration = Number(value);
      if (!Number.isInteger(options.duration) || options.duration < 1) throw new Error(`--duration takes whole seconds from 1, got ${value}`);
    } else {
      const named = value.split(',');
      for (const tool of named) if (!(TOOLS as readonly string[]).includes(tool)) throw new Error(`--tools takes ${TOOLS.join(', ')}, got ${tool}`);
      options.tools = TOOLS.filter((tool) => named.includes(tool));
    }
  }
  // A flag of a suite that does not run would be silently ignored: say so instead.
  for (const flag of given) {
    const suite = FLAGS[flag];
    if (suite !== null && suite !== undefined && !options.suites.includes(suite)) throw new Error(`${flag} belongs to the ${suite} suite, which --suite leaves out`);
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

/** The analysis suite: its report, and the number of class mismatches. */
async function runAnalysis(options: Options): Promise<{ report: string; mismatches: number }> {
  checkGnuTime();
  const machine = describeMachine();
  const runs = options.runs ?? 3;
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
    for (let run = 0; run < runs; run++) {
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
  return { report, mismatches };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  mkdirSync(dataDir, { recursive: true });
  const results = join(dataDir, 'results.md');
  let written = false;
  // Each suite's report is written as soon as it is done, so that a failure in the next keeps it.
  const record = (report: string): void => {
    console.log(`\n${report}`);
    if (written) appendFileSync(results, `\n${report}`);
    else writeFileSync(results, report);
    written = true;
  };
  let failed = false;
  if (options.suites.includes('analysis')) {
    const { report, mismatches } = await runAnalysis(options);
    record(report);
    if (mismatches > 0) failed = true;
  }
  if (options.suites.includes('api')) {
    console.log('API: GET /api/v1/accounts against its bare SQL');
    const { report, errors } = await runApiBench({ duration: options.duration, runs: options.runs ?? 1, programs: PROGRAMS, log: (line) => console.log(line) });
    record(report);
    if (errors > 0) failed = true;
  }
  return failed ? 1 : 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
