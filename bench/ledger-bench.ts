/**
 * The ledger benchmark (`npm run bench -- --suite ledger`): the stored ledger's two heavy commands,
 * each against the least work that does its job, on the embedded PostgreSQL and on an external
 * PostgreSQL server. docs/performance.md explains the method and records the figures.
 *
 * - `kamerton import LEDGER` into an empty database, against a bare COPY of the same CSV file into a
 *   fresh table of its shape with no index (bench/copy-peer.ts) on the same server. Target: at most
 *   3x the COPY's time. Then the same file imported again into the same database (every line
 *   unchanged), beside, against the same COPY.
 * - `kamerton analysis run --xyz-mode cv --format json` over the stored lines, against the DuckDB peer
 *   classing the clients from the CSV (bench/duckdb-peer.ts, run as the analysis suite runs it).
 *   Target: at most DuckDB's time. The run's classes must equal DuckDB's, client by client; the import
 *   records must say every line was added (then unchanged), none rejected. `kamerton analyze` of the
 *   CSV runs beside, for context: the same analysis from the file.
 *
 * The shape of a round, for each ledger size and database:
 * - a fresh database: on the embedded PostgreSQL a fresh data folder (initdb, not timed) with the
 *   server started by this process, which the CLI shares through the folder's server.json as it
 *   shares a running `kamerton serve`; on the external server, databases dropped and created afresh.
 *   Kamerton's database is created empty and the first import migrates it, as a user's first import
 *   does (about 0.06 s), so that the migrations are always those of the code the CLI runs;
 * - every program in a child process of its own, through Node (`bin/kamerton.js`, or tsx for the
 *   peers), measured from outside by bench/measure.ts (wall time, CPU time, peak RSS through GNU
 *   time), and PostgreSQL's CPU time over the same span from /proc where the server runs here;
 * - before each step that uses the database, it is settled as a day's pause would leave it (a VACUUM
 *   ANALYZE, which autovacuum would have done, then a CHECKPOINT), so that no step pays for the
 *   previous one's dirty pages or autovacuum's work;
 * - the COPY and the first import alternate who goes first from round to round, as do the analysis
 *   run, DuckDB and `analyze`.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { ImportRecord } from '../src/app/import-ledger.ts';
import { quoteIdentifier } from '../src/db/client.ts';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres.ts';
import { compareClassFiles } from './compare-classes.ts';
import { commandFor, DATA_DIR, describeLedger, describeMachine, KAMERTON_BIN, prepareLedger, ROOT, type Ledger, type Size } from './ledgers.ts';
import { checkGnuTime, measureCommand, median, type Measurement } from './measure.ts';
import { findPostmaster, postgresCpuMs } from './proc-cpu.ts';

// ---------------------------------------------------------------------------------------------------
// What is measured

export type DatabaseKind = 'embedded' | 'server';

/**
 * - copy: the import's peer; import: the first import into an empty database; reimport: the same
 *   file again into the same database;
 * - duckdb: the analysis run's peer; run: `kamerton analysis run`; analyze: `kamerton analyze` of the
 *   file, for context.
 */
export type Step = 'copy' | 'import' | 'reimport' | 'duckdb' | 'run' | 'analyze';
export const STEPS: readonly Step[] = ['copy', 'import', 'reimport', 'duckdb', 'run', 'analyze'];

/** Each step's peer: the row its ratio is taken against. */
export const PEER_OF: Record<Step, Step> = { copy: 'copy', import: 'copy', reimport: 'copy', duckdb: 'duckdb', run: 'duckdb', analyze: 'duckdb' };

/** The issue's targets: the first import at most 3x the bare COPY, the analysis run at most DuckDB's time. */
export const TARGETS: Partial<Record<Step, number>> = { import: 3, run: 1 };

const STEP_LABELS: Record<Step, string> = {
  copy: 'peer: bare COPY of the CSV',
  import: 'kamerton import, empty database',
  reimport: 'kamerton import again, all unchanged',
  duckdb: 'peer: DuckDB, ABC-XYZ from the CSV',
  run: 'kamerton analysis run',
  analyze: 'kamerton analyze of the CSV (context)',
};

export type LedgerBenchOptions = {
  sizes: readonly Size[];
  runs: number;
  /** `--server-url` as given (`none` leaves the server out), or null: then the environment's. */
  serverUrl: string | null;
  /** Where TEST_DATABASE_URL and DATABASE_URL are read, and what the programs inherit. */
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
};

// ---------------------------------------------------------------------------------------------------
// Pure helpers

export type ServerChoice = { url: string; from: string } | { url: null; reason: string };

/** The external server to measure: `--server-url`, else TEST_DATABASE_URL, else DATABASE_URL; or why none. */
export function resolveServerUrl(flag: string | null, env: Readonly<Record<string, string | undefined>>): ServerChoice {
  const chosen = (url: string, from: string): ServerChoice => {
    if (!/^postgres(ql)?:\/\//.test(url)) throw new Error(`${from} must be a postgres:// URL (or none), got ${redactUrl(url)}`);
    return { url, from };
  };
  if (flag === 'none') return { url: null, reason: '--server-url none' };
  if (flag !== null) return chosen(flag, '--server-url');
  for (const name of ['TEST_DATABASE_URL', 'DATABASE_URL']) {
    const value = env[name]?.trim();
    if (value !== undefined && value !== '') return chosen(value, name);
  }
  return { url: null, reason: 'no --server-url, and neither TEST_DATABASE_URL nor DATABASE_URL is set' };
}

/** The URL with its password masked, for printing. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(a URL that does not parse)';
  }
}

/** The URL of database `name` on the server of `url`. */
export function databaseUrl(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(name)}`;
  return parsed.toString();
}

export type ImportFigures = Pick<ImportRecord, 'lines' | 'accepted' | 'rejected' | 'added' | 'unchanged' | 'removed'>;

/**
 * What an import record must say about the benchmark's ledger of `lines` lines, all good: the first
 * import adds every line, the second finds every line unchanged. Returns the differences, in words.
 */
export function checkImportRecord(record: ImportFigures, lines: number, kind: 'first' | 'again'): string[] {
  const expected: ImportFigures = kind === 'first'
    ? { lines, accepted: lines, rejected: 0, added: lines, unchanged: 0, removed: 0 }
    : { lines, accepted: lines, rejected: 0, added: 0, unchanged: lines, removed: 0 };
  return (Object.keys(expected) as (keyof ImportFigures)[])
    .filter((key) => record[key] !== expected[key])
    .map((key) => `${kind === 'first' ? 'the import' : 'the second import'}: ${key} ${String(record[key])}, expected ${expected[key]}`);
}

/** A measurement, with PostgreSQL's CPU seconds over the same span (null: not known, or no database work). */
export type Timing = Measurement & { postgresCpuSeconds: number | null };

/** The runs of one step on one database and ledger. */
export type Cell = { database: string; ledger: string; step: Step; runs: Timing[] };

function medianOf(runs: readonly Timing[], pick: (run: Timing) => number | null): number | null {
  const values = runs.map(pick);
  return values.length === 0 || values.some((value) => value === null) ? null : median(values as number[]);
}

/** The median time of `cell` against its peer's in the same database and ledger; null without the peer. */
export function ratioToPeer(cells: readonly Cell[], cell: Cell): number | null {
  const peer = cells.find((other) => other.database === cell.database && other.ledger === cell.ledger && other.step === PEER_OF[cell.step]);
  if (peer === undefined || peer.runs.length === 0 || cell.runs.length === 0) return null;
  return median(cell.runs.map((run) => run.seconds)) / median(peer.runs.map((run) => run.seconds));
}

export function formatLedgerTable(cells: readonly Cell[]): string {
  const lines = [
    '| database | ledger | program | runs | median s | min-max s | CPU s | PostgreSQL CPU s | peak RSS MB | time vs peer |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const cell of cells) {
    if (cell.runs.length === 0) continue;
    const seconds = cell.runs.map((run) => run.seconds);
    const ratio = ratioToPeer(cells, cell);
    const postgres = medianOf(cell.runs, (run) => run.postgresCpuSeconds);
    lines.push(
      `| ${cell.database} | ${cell.ledger} | ${STEP_LABELS[cell.step]} | ${seconds.length} | ${median(seconds).toFixed(2)} | ` +
        `${Math.min(...seconds).toFixed(2)}-${Math.max(...seconds).toFixed(2)} | ${medianOf(cell.runs, (run) => run.cpuSeconds)!.toFixed(2)} | ` +
        `${postgres === null ? '-' : postgres.toFixed(2)} | ${Math.max(...cell.runs.map((run) => run.peakRssMb)).toFixed(0)} | ` +
        `${ratio === null ? '' : `${ratio.toFixed(2)}x`} |`,
    );
  }
  return lines.join('\n');
}

/** The targets, judged for each database and ledger measured. */
export function formatTargets(cells: readonly Cell[]): string {
  const parts: string[] = [];
  for (const step of ['import', 'run'] as const) {
    const target = TARGETS[step]!;
    const judged = cells.filter((cell) => cell.step === step).map((cell) => {
      const ratio = ratioToPeer(cells, cell);
      return ratio === null ? `${cell.database}, ${cell.ledger}: not judged` : `${cell.database}, ${cell.ledger}: ${ratio.toFixed(2)}x, ${ratio <= target ? 'met' : 'NOT met'}`;
    });
    const what = step === 'import' ? `the import at most ${target}x the bare COPY's time` : `the analysis run at most ${target}x DuckDB's time`;
    parts.push(`Target, ${what}: ${judged.length === 0 ? 'not measured' : judged.join('; ')}.`);
  }
  return parts.join('\n');
}

// ---------------------------------------------------------------------------------------------------
// The databases

/** Kamerton's database in the embedded server (src/db/client.ts's EMBEDDED_DATABASE), and the benchmark's on an external one. */
const EMBEDDED_DATABASE = 'kamerton';
const SERVER_DATABASE = 'kamerton_bench_ledger';
/** The COPY peer's database, on either server. */
const COPY_DATABASE = 'kamerton_bench_copy';
/** The embedded server's data folder: under the temp folder, which the postgres user can reach when the benchmark runs as root. */
const EMBEDDED_DIR = join(tmpdir(), 'kamerton-bench-ledger');

/** A round's databases, empty, on a server that is running. */
type Prepared = {
  /** The programs' environment: where the CLI finds its database. */
  env: NodeJS.ProcessEnv;
  /** Kamerton's database and the peer's, both empty (the CLI migrates Kamerton's). */
  kamertonUrl: string;
  copyUrl: string;
  /** The postmaster's pid, for PostgreSQL's CPU time; null when the server runs elsewhere. */
  postmaster: number | null;
  version: string;
  /** Drops the peer's database once measured, so that its pages do not weigh on Kamerton's steps. */
  dropCopy(): Promise<void>;
  close(): Promise<void>;
};

/** Runs `work` on a client of its own, connected to `url`, and ends the client whatever happens. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function recreateDatabase(adminUrl: string, name: string): Promise<string> {
  await withClient(adminUrl, async (client) => {
    await client.query(`drop database if exists ${quoteIdentifier(name)} with (force)`);
    await client.query(`create database ${quoteIdentifier(name)}`);
  });
  return databaseUrl(adminUrl, name);
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, (client) => client.query(`drop database if exists ${quoteIdentifier(name)} with (force)`));
}

/** "17.10": the server's version without the packager's suffix ("15.18 (Debian 15.18-0+deb12u1)"). */
async function describeServer(url: string): Promise<string> {
  const version = await withClient(url, async (client) => String((await client.query<{ server_version: string }>('show server_version')).rows[0]?.server_version));
  return version.split(' ')[0]!;
}

/**
 * The code measured: the last commit, whether the working tree's src/ and bin/ differ from it (the
 * figures then belong to uncommitted code), and a fingerprint of both, to tell whether the code
 * changed while the benchmark ran. Read-only git; null outside a checkout.
 */
function codeState(): { description: string; fingerprint: string } | null {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 });
    const commit = git('log', '-1', '--format=%h "%s"').trim();
    const paths = ['src', 'bin', 'package.json'];
    const changed = git('status', '--porcelain', '--', ...paths).split('\n').filter((line) => line !== '').length;
    const fingerprint = createHash('sha256').update(commit).update(git('status', '--porcelain', '--', ...paths)).update(git('diff', 'HEAD', '--', ...paths)).digest('hex');
    const description = `commit ${commit.length > 100 ? `${commit.slice(0, 97)}..."` : commit}${changed === 0 ? '' : `, with uncommitted changes in ${changed} files of src/ and bin/`}`;
    return { description, fingerprint };
  } catch {
    return null;
  }
}

/**
 * Removes the embedded data folder of an earlier round, stopping a server a killed run left on it
 * (startEmbeddedPostgres stops a server whose owner has ended, then starts its own, which is stopped).
 */
async function removeEmbeddedDir(): Promise<void> {
  if (!existsSync(EMBEDDED_DIR)) return;
  if (existsSync(join(EMBEDDED_DIR, 'pg', 'postmaster.pid'))) await (await startEmbeddedPostgres({ dataDir: EMBEDDED_DIR })).stop();
  await rm(EMBEDDED_DIR, { recursive: true, force: true });
}

async function prepareEmbedded(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<Prepared> {
  await removeEmbeddedDir();
  await mkdir(EMBEDDED_DIR, { recursive: true });
  // As root, PostgreSQL runs as the postgres user, who must be able to enter the folder.
  await chmod(EMBEDDED_DIR, 0o755);
  const started = performance.now();
  const server = await startEmbeddedPostgres({ dataDir: EMBEDDED_DIR });
  try {
    const kamertonUrl = await recreateDatabase(server.url, EMBEDDED_DATABASE);
    const copyUrl = await recreateDatabase(server.url, COPY_DATABASE);
    log(`  embedded PostgreSQL: a fresh cluster in ${EMBEDDED_DIR}, started in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    // The CLI finds the running server through the folder's server.json; a DATABASE_URL would override it.
    const childEnv: NodeJS.ProcessEnv = { ...env, KAMERTON_DATA_DIR: EMBEDDED_DIR };
    delete childEnv.DATABASE_URL;
    return {
      env: childEnv,
      kamertonUrl,
      copyUrl,
      postmaster: await findPostmaster(server.url),
      version: await describeServer(server.url),
      dropCopy: () => dropDatabase(server.url, COPY_DATABASE),
      async close() {
        const stopping = performance.now();
        await server.stop();
        log(`  embedded PostgreSQL stopped in ${((performance.now() - stopping) / 1000).toFixed(1)} s (its shutdown checkpoint)`);
        await rm(EMBEDDED_DIR, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

async function prepareServer(adminUrl: string, env: NodeJS.ProcessEnv): Promise<Prepared> {
  const kamertonUrl = await recreateDatabase(adminUrl, SERVER_DATABASE);
  const copyUrl = await recreateDatabase(adminUrl, COPY_DATABASE);
  return {
    env: { ...env, DATABASE_URL: kamertonUrl },
    kamertonUrl,
    copyUrl,
    postmaster: await findPostmaster(adminUrl),
    version: await describeServer(adminUrl),
    dropCopy: () => dropDatabase(adminUrl, COPY_DATABASE),
    async close() {
      await dropDatabase(adminUrl, SERVER_DATABASE);
      await dropDatabase(adminUrl, COPY_DATABASE);
    },
  };
}

/** Said once a run: a server where the benchmark's role may not CHECKPOINT is measured without. */
let checkpointRefused = false;

/**
 * The database as a pause would leave it: vacuumed and analysed (autovacuum's work, which would
 * otherwise fall inside the next timed step; the first read of freshly copied rows also sets their
 * hint bits, which VACUUM does here), then a CHECKPOINT, so that the next step does not write out the
 * last one's dirty pages.
 */
async function settle(url: string, log: (line: string) => void): Promise<void> {
  await withClient(url, async (client) => {
    await client.query('vacuum (analyze)');
    try {
      await client.query('checkpoint');
    } catch (error) {
      if (!checkpointRefused) log(`  (no CHECKPOINT before the steps: ${error instanceof Error ? error.message : String(error)})`);
      checkpointRefused = true;
    }
  });
}

// ---------------------------------------------------------------------------------------------------
// The run

type Program = { args: string[]; stdout: string | null; env: NodeJS.ProcessEnv; postgres: boolean };

async function measure(program: Program, postmaster: number | null): Promise<Timing> {
  const watch = program.postgres ? postmaster : null;
  const before = watch === null ? null : postgresCpuMs(watch);
  const result = await measureCommand(process.execPath, program.args, program.stdout, join(DATA_DIR, 'rss.txt'), program.env);
  const after = watch === null ? null : postgresCpuMs(watch);
  return { ...result, postgresCpuSeconds: before === null || after === null ? null : (after - before) / 1000 };
}

/**
 * One round on one database and ledger: the COPY and the import (alternating which goes first), the
 * second import, then the analysis run, DuckDB and `analyze` (rotating). Pushes the timings into
 * `timings` and returns the problems found by the checks.
 */
async function measureRound(
  prepared: Prepared,
  kind: DatabaseKind,
  ledger: Ledger,
  round: number,
  timings: Map<Step, Timing[]>,
  log: (line: string) => void,
): Promise<string[]> {
  const problems: string[] = [];
  const out = (name: string) => join(DATA_DIR, `${name}-${kind}-${ledger.size}`);
  const importArgs = [KAMERTON_BIN, 'import', ledger.path, '--format', 'json'];
  // The file programs write where the analysis suite's do: the same commands give the same outputs.
  const peerClasses = join(DATA_DIR, `duckdb-${ledger.size}.jsonl`);
  const analyze = commandFor('kamerton', ledger.path, join(DATA_DIR, `kamerton-${ledger.size}.json`));
  const duckdb = commandFor('duckdb', ledger.path, peerClasses);
  const programs: Record<Step, Program> = {
    copy: {
      args: ['--import', 'tsx', join(ROOT, 'bench', 'copy-peer.ts'), ledger.path],
      stdout: `${out('copy')}.txt`,
      env: { ...prepared.env, KAMERTON_BENCH_COPY_URL: prepared.copyUrl },
      postgres: true,
    },
    import: { args: importArgs, stdout: `${out('import')}.json`, env: prepared.env, postgres: true },
    reimport: { args: importArgs, stdout: `${out('import-again')}.json`, env: prepared.env, postgres: true },
    run: { args: [KAMERTON_BIN, 'analysis', 'run', '--xyz-mode', 'cv', '--format', 'json'], stdout: `${out('kamerton-run')}.json`, env: prepared.env, postgres: true },
    duckdb: { ...duckdb, env: prepared.env, postgres: false },
    analyze: { ...analyze, env: prepared.env, postgres: false },
  };

  const step = async (name: Step): Promise<void> => {
    if (programs[name].postgres) await settle(prepared.kamertonUrl, log);
    const timing = await measure(programs[name], prepared.postmaster);
    timings.get(name)!.push(timing);
    const postgres = timing.postgresCpuSeconds === null ? '' : `, PostgreSQL ${timing.postgresCpuSeconds.toFixed(2)} s`;
    log(`  ${name} run ${round + 1}: ${timing.seconds.toFixed(2)} s (CPU ${timing.cpuSeconds.toFixed(2)} s${postgres}), ${timing.peakRssMb.toFixed(0)} MB`);
    if (name === 'copy') {
      const rows = Number(readFileSync(programs.copy.stdout!, 'utf8').trim());
      if (rows !== ledger.spec.lines) problems.push(`the COPY copied ${rows} rows, expected ${ledger.spec.lines}`);
      await prepared.dropCopy();
    } else if (name === 'import' || name === 'reimport') {
      const record = JSON.parse(readFileSync(programs[name].stdout!, 'utf8')) as ImportRecord;
      problems.push(...checkImportRecord(record, ledger.spec.lines, name === 'import' ? 'first' : 'again'));
    }
  };

  const loading: Step[] = round % 2 === 0 ? ['copy', 'import'] : ['import', 'copy'];
  for (const name of loading) await step(name);
  await step('reimport');
  const analysing: Step[] = round % 2 === 0 ? ['run', 'duckdb', 'analyze'] : ['analyze', 'duckdb', 'run'];
  for (const name of analysing) await step(name);
  const mismatches = compareClassFiles(programs.run.stdout!, peerClasses, ledger.spec.lines, log, 'the analysis run');
  if (mismatches > 0) problems.push(`${mismatches} class mismatches between the analysis run and DuckDB`);
  for (const problem of problems) log(`  PROBLEM: ${problem}`);
  return problems;
}

/**
 * Runs the ledger benchmark and returns its markdown report and the number of problems (failed
 * checks, failed programs), which must be 0.
 */
export async function runLedgerBench(options: LedgerBenchOptions): Promise<{ report: string; failures: number }> {
  const { log } = options;
  checkGnuTime();
  const machine = describeMachine();
  const code = codeState();
  const choice = resolveServerUrl(options.serverUrl, options.env);
  const kinds: DatabaseKind[] = choice.url === null ? ['embedded'] : ['embedded', 'server'];
  log(choice.url === null ? `  external server: skipped (${choice.reason})` : `  external server: ${redactUrl(choice.url)} (from ${choice.from})`);
  const labels = new Map<DatabaseKind, string>();
  const cells: Cell[] = [];
  const problems: string[] = [];
  for (const size of options.sizes) {
    const ledger = prepareLedger(size, log);
    for (const kind of kinds) {
      const timings = new Map<Step, Timing[]>(STEPS.map((step) => [step, []]));
      for (let round = 0; round < options.runs; round++) {
        log(`${kind === 'embedded' ? 'embedded PostgreSQL' : 'external server'}, ${describeLedger(ledger)}, round ${round + 1} of ${options.runs}`);
        try {
          const prepared = kind === 'embedded' ? await prepareEmbedded(options.env, log) : await prepareServer(choice.url!, options.env);
          labels.set(kind, kind === 'embedded' ? `embedded PostgreSQL ${prepared.version}` : `PostgreSQL ${prepared.version} server`);
          try {
            problems.push(...(await measureRound(prepared, kind, ledger, round, timings, log)));
          } finally {
            await prepared.close();
          }
        } catch (error) {
          // A failed round must not lose the other rounds' figures: it is reported, and fails the suite.
          const message = `${kind}, ${size}, round ${round + 1}: ${error instanceof Error ? error.message : String(error)}`;
          log(`  FAILED: ${message}`);
          problems.push(message);
        }
      }
      for (const step of STEPS) cells.push({ database: labels.get(kind) ?? kind, ledger: describeLedger(ledger), step, runs: timings.get(step)! });
    }
  }
  // A working tree can change while a long run goes on: the report says so when it did.
  const codeAtEnd = codeState();
  const drift = code !== null && codeAtEnd !== null && code.fingerprint !== codeAtEnd.fingerprint
    ? ` **The code changed during the run** (now ${codeAtEnd.description}): later rounds measured other code.`
    : '';
  const databases = [
    `${labels.get('embedded') ?? 'the embedded PostgreSQL'} (a fresh data folder each round, the server started by the benchmark and shared by the CLI)`,
    choice.url === null
      ? `no external server (${choice.reason})`
      : `${labels.get('server') ?? 'the external server'} at ${redactUrl(choice.url)} (from ${choice.from}; fresh databases each round)`,
  ];
  const report =
    `## Ledger: kamerton import against a bare COPY, kamerton analysis run against DuckDB\n\n` +
    `Machine: ${machine} (at the start).${code === null ? '' : ` Code: ${code.description}.`}${drift} Databases: ${databases.join('; ')}. ` +
    `${options.runs} round${options.runs === 1 ? '' : 's'} for each database and ledger.\n\n` +
    `${formatLedgerTable(cells)}\n\n${formatTargets(cells)}\n\n` +
    `Checks (import records, COPY row counts, classes of the analysis run against DuckDB's, failed programs): ` +
    `${problems.length === 0 ? 'all passed.' : `${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((problem) => `- ${problem}`).join('\n')}`}\n`;
  return { report, failures: problems.length };
}
