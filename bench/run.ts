/**
 * `npm run bench`: five suites, run one after the other, whose reports are printed and written to
 * bench/.data/results.md (the file holds the last invocation's reports). docs/performance.md explains
 * the methods and records the figures.
 *
 * - analysis: times `kamerton analyze --xyz-mode cv --format json` against DuckDB on seeded synthetic
 *   ledgers of 1M and 10M lines, and checks that both give every client the same ABC and XYZ classes.
 * - api: `GET /api/v1/accounts` through the server against its bare SQL through `pg` (bench/api-bench.ts).
 * - ledger: `kamerton import` against a bare COPY of the same file, and `kamerton analysis run` against
 *   DuckDB, on the embedded PostgreSQL and on an external server (bench/ledger-bench.ts).
 * - dashboard: /dashboard until its ABC-XYZ matrix and /accounts until its first row in Chromium, against
 *   the API calls each page makes, sent from Node, on 100k accounts and the 10M-line ledger
 *   (bench/dashboard-bench.ts).
 *
 * - model: fitting the customer-alive model (BG/NBD, then Gamma-Gamma) to 100k simulated clients,
 *   against a SciPy fit of the same likelihood (bench/model-bench.ts; timed runs: --runs, default 3).
 *
 * Flags: `--suite analysis,api,ledger,dashboard,model` (which suites, default all), `--runs N` (timed runs of
 * each program per ledger, default 3 for the analysis and 1 for the ledger suite; rounds of the API's
 * measurements, default 1; rounds of each page, default 5), `--sizes 1m,10m` (which ledgers, for the
 * analysis and the ledger suites, default both; for the dashboard, default 10m).
 * For the analysis: `--tools floor,startup,kamerton,duckdb` (which programs; the class check needs the
 * last two). For the API: `--duration S` (seconds of each measurement, default 30). For the ledger:
 * `--server-url postgres://...` (the external server; default TEST_DATABASE_URL or DATABASE_URL, and
 * `none` leaves it out). For the dashboard: `--server-url postgres://...` loads and serves the data from
 * that server instead of the embedded PostgreSQL (the environment is not read: one database is enough
 * to compare a page with its API, and the 10M-line load is several GB); `--pages dashboard,accounts`
 * (which pages, default both).
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareClassFiles } from './compare-classes.ts';
import { commandFor, DATA_DIR, describeLedger, describeMachine, prepareLedger, SIZES, type Ledger, type Size, type Tool } from './ledgers.ts';
import { checkGnuTime, measureCommand, median, type Measurement } from './measure.ts';
import { PROGRAMS, runApiBench } from './api-bench.ts';
import { runDashboardBench, VIEWS, type View } from './dashboard-bench.ts';
import { runLedgerBench } from './ledger-bench.ts';
import { runModelBench } from './model-bench.ts';

const TOOLS: readonly Tool[] = ['floor', 'startup', 'kamerton', 'duckdb'];

type Suite = 'analysis' | 'api' | 'ledger' | 'dashboard' | 'model';
const SUITES: readonly Suite[] = ['analysis', 'api', 'ledger', 'dashboard', 'model'];

/** `runs` and `sizes` are null when not given: each suite then takes its own default. */
type Options = { suites: Suite[]; sizes: Size[] | null; runs: number | null; tools: Tool[]; duration: number; serverUrl: string | null; views: View[] };

/** The flags, and the suites each belongs to (null: all). */
const FLAGS: Record<string, readonly Suite[] | null> = {
  '--suite': null,
  '--runs': null,
  '--sizes': ['analysis', 'ledger', 'dashboard'],
  '--tools': ['analysis'],
  '--duration': ['api'],
  '--server-url': ['ledger', 'dashboard'],
  '--pages': ['dashboard'],
};

function parseOptions(argv: string[]): Options {
  const options: Options = { suites: [...SUITES], sizes: null, runs: null, tools: [...TOOLS], duration: 30, serverUrl: null, views: [...VIEWS] };
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
      const named = value.split(',');
      for (const size of named) if (!(SIZES as readonly string[]).includes(size)) throw new Error(`--sizes takes ${SIZES.join(', ')}, got ${size}`);
      options.sizes = SIZES.filter((size) => named.includes(size));
    } else if (flag === '--runs') {
      options.runs = Number(value);
      if (!Number.isInteger(options.runs) || options.runs < 1) throw new Error(`--runs takes a whole number from 1, got ${value}`);
    } else if (flag === '--pages') {
      const named = value.split(',');
      for (const view of named) if (!(VIEWS as readonly string[]).includes(view)) throw new Error(`--pages takes ${VIEWS.join(', ')}, got ${view}`);
      options.views = VIEWS.filter((view) => named.includes(view));
    } else if (flag === '--server-url') {
      options.serverUrl = value;
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
    const suites = FLAGS[flag];
    if (suites !== null && suites !== undefined && !suites.some((suite) => options.suites.includes(suite))) {
      throw new Error(`${flag} belongs to the ${suites.join(' and ')} suite${suites.length === 1 ? '' : 's'}, which --suite leaves out`);
    }
  }
  return options;
}

/** Where each program's result goes: Kamerton's JSON and DuckDB's classes are kept to look into a mismatch. */
function outputOf(tool: Tool, size: Size): string {
  return join(DATA_DIR, tool === 'duckdb' ? `duckdb-${size}.jsonl` : `kamerton-${size}.json`);
}

const TOOL_LABELS: Record<Tool, string> = {
  floor: 'floor: count lines',
  startup: 'start-up: node + tsx',
  kamerton: 'kamerton',
  duckdb: 'duckdb',
};

type Row = { ledger: Ledger; tool: Tool; runs: Measurement[] };

function formatTable(rows: Row[]): string {
  const lines = [
    '| ledger | tool | runs | median s | min-max s | CPU s | peak RSS MB | time vs DuckDB |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const seconds = row.runs.map((run) => run.seconds);
    const duck = rows.find((other) => other.ledger.size === row.ledger.size && other.tool === 'duckdb');
    const ratio = duck === undefined ? '' : `${(median(seconds) / median(duck.runs.map((run) => run.seconds))).toFixed(2)}x`;
    const ledger = describeLedger(row.ledger);
    lines.push(
      `| ${ledger} | ${TOOL_LABELS[row.tool]} | ${seconds.length} | ${median(seconds).toFixed(2)} | ` +
        `${Math.min(...seconds).toFixed(2)}-${Math.max(...seconds).toFixed(2)} | ${median(row.runs.map((run) => run.cpuSeconds)).toFixed(2)} | ${Math.max(...row.runs.map((run) => run.peakRssMb)).toFixed(0)} | ${ratio} |`,
    );
  }
  return lines.join('\n');
}

/** The analysis suite: its report, and the number of class mismatches. */
async function runAnalysis(options: Options): Promise<{ report: string; mismatches: number }> {
  checkGnuTime();
  const machine = describeMachine();
  const runs = options.runs ?? 3;
  const rows: Row[] = [];
  let mismatches = 0;
  for (const size of options.sizes ?? SIZES) {
    const ledger = prepareLedger(size, (line) => console.log(line));
    const order = options.tools;
    const measured = new Map<Tool, Measurement[]>(order.map((tool) => [tool, []]));
    const rss = join(DATA_DIR, 'rss.txt');
    for (let run = 0; run < runs; run++) {
      // Alternate who goes first, so that neither always runs on a machine just warmed (or heated) by the other.
      const round = run % 2 === 0 ? order : [...order].reverse();
      for (const tool of round) {
        const { args, stdout } = commandFor(tool, ledger.path, outputOf(tool, size));
        const result = await measureCommand(process.execPath, args, stdout, rss);
        measured.get(tool)!.push(result);
        console.log(`  ${tool} run ${run + 1}: ${result.seconds.toFixed(2)} s (CPU ${result.cpuSeconds.toFixed(2)} s), ${result.peakRssMb.toFixed(0)} MB`);
      }
    }
    for (const tool of order) rows.push({ ledger, tool, runs: measured.get(tool)! });
    if (options.tools.includes('kamerton') && options.tools.includes('duckdb')) {
      mismatches += compareClassFiles(outputOf('kamerton', size), outputOf('duckdb', size), ledger.spec.lines, (line) => console.log(line));
    }
  }
  const table = formatTable(rows);
  const report = `Machine: ${machine} (at the start).\n\n${table}\n\nClass mismatches between Kamerton and DuckDB: ${
    options.tools.includes('kamerton') && options.tools.includes('duckdb') ? mismatches : 'not checked'
  }.\n`;
  return { report, mismatches };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  mkdirSync(DATA_DIR, { recursive: true });
  const results = join(DATA_DIR, 'results.md');
  let written = false;
  // Each suite's report is written as soon as it is done, so that a failure in the next keeps it.
  const record = (report: string): void => {
    console.log(`\n${report}`);
    if (written) appendFileSync(results, `\n${report}`);
    else writeFileSync(results, report);
    written = true;
  };
  let failed = false;
  // A suite that throws (a program that fails, a benchmark that no longer matches the code) is reported
  // and fails the run, but does not keep the suites after it from running.
  const suite = async (name: Suite, run: () => Promise<{ report: string; problems: number }>): Promise<void> => {
    if (!options.suites.includes(name)) return;
    try {
      const { report, problems } = await run();
      record(report);
      if (problems > 0) failed = true;
    } catch (error) {
      console.error(`The ${name} suite failed: ${error instanceof Error ? error.message : String(error)}`);
      failed = true;
    }
  };
  await suite('analysis', async () => {
    const { report, mismatches } = await runAnalysis(options);
    return { report, problems: mismatches };
  });
  await suite('api', async () => {
    console.log('API: GET /api/v1/accounts against its bare SQL');
    const { report, errors } = await runApiBench({ duration: options.duration, runs: options.runs ?? 1, programs: PROGRAMS, log: (line) => console.log(line) });
    return { report, problems: errors };
  });
  await suite('ledger', async () => {
    console.log('Ledger: kamerton import against a bare COPY, kamerton analysis run against DuckDB');
    const { report, failures } = await runLedgerBench({
      sizes: options.sizes ?? SIZES,
      runs: options.runs ?? 1,
      serverUrl: options.serverUrl,
      env: process.env,
      log: (line) => console.log(line),
    });
    return { report, problems: failures };
  });
  await suite('dashboard', async () => {
    console.log('Dashboard: /dashboard and /accounts in Chromium against their API calls');
    const { report, errors } = await runDashboardBench({
      sizes: options.sizes ?? ['10m'],
      runs: options.runs ?? 5,
      views: options.views,
      serverUrl: options.serverUrl,
      log: (line) => console.log(line),
    });
    return { report, problems: errors };
  });
  await suite('model', async () => {
    console.log('Model: BG/NBD on 100k simulated clients against SciPy');
    return runModelBench({ runs: options.runs ?? 3, log: (line) => console.log(line) });
  });
  return failed ? 1 : 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
