/**
 * The dashboard benchmark (`npm run bench -- --suite dashboard`): with 100k accounts and a 10M-line
 * ledger loaded, how long the dashboard takes to show its ABC-XYZ matrix in Chromium, and the account
 * list its first row, each beside the API calls the page makes, sent from Node with the same session
 * in the same waves. The ratio says how much the browser adds to what the server must do anyway; the
 * machine is shared and noisy, so the two are measured alternately in the same run and compared,
 * never timed against a fixed budget. docs/performance.md explains the method and records the figures.
 *
 * The shape of a run, for each ledger size (`--sizes`, 10m by default: 100,000 clients):
 * - The database is a fresh one (on the embedded PostgreSQL in a data folder under the temp folder, or
 *   on the server `--server-url` names), loaded as a company would load it: the benchmark's seeded
 *   ledger (bench/ledgers.ts) imported by `importLedger`, which creates an account for each client;
 *   an administrator, a director and 20 KAMs, the accounts spread over the KAMs by one UPDATE; two
 *   analysis runs (as of a month before the ledger's end, then the latest) so that accounts moved
 *   between segments; then a VACUUM ANALYZE. The load takes minutes at 10M, so the database is kept,
 *   with a manifest in its comment (loader, generator, ledger, migrations), and reused while the
 *   manifest matches.
 * - The server runs in a child process as in the API benchmark (bench/api-bench.ts: `buildApp` with
 *   `kamerton serve`'s configuration and logging), serving web/dist, built first when stale.
 * - For the director and for a KAM, for each view, a warm-up, then N rounds alternating which side
 *   goes first:
 *   - the page: a new tab in the user's browser context (the session cookie set, the bundle in its
 *     HTTP cache since the warm-up: a user who has opened Kamerton before), navigated to the view;
 *     the time is `performance.now()` in the page (whose origin is the navigation's start) when the
 *     awaited element is first in the document with a layout box, seen by a MutationObserver and an
 *     animation-frame poll. The wall clock in Node around the navigation and Playwright's wait for
 *     the element is kept beside it, as is the span of the page's API calls;
 *   - the peer: the /api/ calls the page made before its element showed, sent from Node (fetch, the
 *     same cookie) in the waves the page sent them (calls overlapping in the page go together, by
 *     Promise.all; a call sent after the earlier ones had all answered waits for them), timed from
 *     the first send to the last byte of the last answer.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { chmod, cp, mkdir, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, BrowserContext, Request } from 'playwright-core';
import { SESSION_COOKIE } from '../src/api/plugins/auth.plugin.ts';
import { SYSTEM_ACTOR } from '../src/app/actor.ts';
import { importLedger } from '../src/app/import-ledger.ts';
import { runAnalysis } from '../src/app/run-analysis.ts';
import { createSession } from '../src/app/sessions.ts';
import { toUserView } from '../src/app/users.ts';
import { ensureWebBuild } from '../src/cli/web-build.ts';
import { loadConfig } from '../src/config.ts';
import { addMonths, parseIsoDay } from '../src/core/calendar.ts';
import { DEFAULT_ANALYSIS_PARAMS } from '../src/core/types.ts';
import { connect, ensureDatabase, quoteIdentifier } from '../src/db/client.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from '../src/db/embedded-postgres.ts';
import { browserMissing, CHROMIUM, launchBrowser } from '../e2e/support.ts';
import { migrationsHash, startServer, type Server } from './api-bench.ts';
import { GENERATOR_VERSION, type LedgerSpec } from './generate-ledger.ts';
import { DATA_DIR, describeLedger, prepareLedger, ROOT, type Ledger, type Size } from './ledgers.ts';
import { databaseUrl, redactUrl, withClient } from './ledger-bench.ts';
import { median } from './measure.ts';

// ---------------------------------------------------------------------------------------------------
// What is measured

/**
 * Bumped whenever the loader's data change (users, owners, runs), so that a database loaded by an
 * older loader is dropped and loaded again rather than measured as if it were the current one.
 */
export const LOADER_VERSION = 1;

/** Owners of the accounts; the first (kam01) is the benchmarked KAM. */
export const KAMS = 20;

export type User = 'director' | 'kam';
export const USERS: readonly User[] = ['director', 'kam'];

export type View = 'dashboard' | 'accounts';
export const VIEWS: readonly View[] = ['dashboard', 'accounts'];

/**
 * Where each view is and what says it is shown: the matrix, which the dashboard renders only once its
 * data are there; the account list's first row (the table is named by `accounts.title`, in English
 * since the browser's locale is set to it).
 */
export const VIEW_TARGETS: Record<View, { path: string; selector: string; label: string }> = {
  dashboard: { path: '/dashboard', selector: '[data-testid="abc-xyz-matrix"]', label: '/dashboard until the ABC-XYZ matrix' },
  accounts: { path: '/accounts', selector: 'table[aria-label="Accounts"] tbody tr', label: '/accounts until the first row' },
};

export type DashboardBenchOptions = {
  sizes: readonly Size[];
  /** Counted rounds of each user and view (a warm-up round comes first, not counted). */
  runs: number;
  /** `--pages`: the views measured (both by default). */
  views: readonly View[];
  /** `--server-url`: an external PostgreSQL server for the database; null or `none`: the embedded one. */
  serverUrl: string | null;
  log: (line: string) => void;
};

// ---------------------------------------------------------------------------------------------------
// Pure helpers

/** An /api/ call the page made: its path with the query, and when it was sent and answered, in ms from the navigation's start. */
export type ObservedCall = { path: string; startMs: number; endMs: number };

/**
 * The page's calls in the waves it sent them: in the order they were sent, a call joins the current
 * wave when it was sent before every call of that wave had answered (they overlapped, as calls sent
 * together by Promise.all do), and starts a new wave otherwise (it waited for the earlier ones, as a
 * query that needs the session does). The peer sends each wave at once and waits for it to end.
 */
export function groupIntoWaves(calls: readonly ObservedCall[]): string[][] {
  const waves: string[][] = [];
  let waveEnd = Number.NEGATIVE_INFINITY;
  for (const call of [...calls].sort((a, b) => a.startMs - b.startMs)) {
    if (!(call.endMs >= call.startMs)) throw new Error(`the call ${call.path} has no answer time (sent at ${call.startMs} ms, answered at ${call.endMs})`);
    if (waves.length > 0 && call.startMs < waveEnd) {
      waves[waves.length - 1]!.push(call.path);
      waveEnd = Math.max(waveEnd, call.endMs);
    } else {
      waves.push([call.path]);
      waveEnd = call.endMs;
    }
  }
  return waves;
}

/**
 * "/a + /b, then /c": the waves as the table prints them, without the /api/v1 prefix; within a wave in
 * alphabetical order, since the order of calls sent together is not the page's choice.
 */
export function describeWaves(waves: readonly (readonly string[])[]): string {
  return waves.map((wave) => wave.map((path) => path.replace(/^\/api\/v1/, '')).sort().join(' + ')).join(', then ');
}

/** One round of one user and view: the page's figures and its peer's, in milliseconds. */
export type Round = {
  user: User;
  view: View;
  /** performance.now() in the page when the element showed (the navigation's start is 0). */
  pageMs: number;
  /** Node's clock around page.goto and Playwright's wait for the element. */
  wallMs: number;
  /** When the page sent its first /api/ call: the document, the bundle and the app's start before it. */
  firstCallMs: number;
  /** From the first /api/ call the page sent to the last answer, of those sent before the element showed. */
  pageApiMs: number;
  /** The same calls from Node, in the same waves. */
  peerMs: number;
  /** Non-2xx answers, in the page and from Node. */
  errors: number;
};

export type RowSummary = {
  user: User;
  view: View;
  runs: number;
  page: { median: number; min: number; max: number };
  wall: number;
  firstCall: number;
  pageApi: number;
  peer: { median: number; min: number; max: number };
  /** The median page time over the median peer time. */
  ratio: number;
  /** The lowest and highest ratio of a round's page to the same round's peer. */
  roundRatios: { min: number; max: number };
  errors: number;
};

function spread(values: readonly number[]): { median: number; min: number; max: number } {
  if (values.length === 0) throw new Error('no rounds to summarise');
  return { median: median([...values]), min: Math.min(...values), max: Math.max(...values) };
}

/** Each user and view's rounds summarised, in the order of USERS and VIEWS; those not measured are left out. */
export function summariseRounds(rounds: readonly Round[]): RowSummary[] {
  const rows: RowSummary[] = [];
  for (const user of USERS) {
    for (const view of VIEWS) {
      const mine = rounds.filter((round) => round.user === user && round.view === view);
      if (mine.length === 0) continue;
      const page = spread(mine.map((round) => round.pageMs));
      const peer = spread(mine.map((round) => round.peerMs));
      const ratios = mine.map((round) => round.pageMs / round.peerMs);
      rows.push({
        user,
        view,
        runs: mine.length,
        page,
        wall: median(mine.map((round) => round.wallMs)),
        firstCall: median(mine.map((round) => round.firstCallMs)),
        pageApi: median(mine.map((round) => round.pageApiMs)),
        peer,
        ratio: page.median / peer.median,
        roundRatios: { min: Math.min(...ratios), max: Math.max(...ratios) },
        errors: mine.reduce((sum, round) => sum + round.errors, 0),
      });
    }
  }
  return rows;
}

/** The markdown table of the rows; `calls` is each user and view's waves of API calls, described. */
export function formatDashboardTable(rows: readonly RowSummary[], calls: ReadonlyMap<string, string>): string {
  const ms = (value: number) => value.toFixed(0);
  const lines = [
    '| user | page | API calls (waves) | runs | page ms | min-max | wall clock ms | first API call at ms | API in the page ms | API from Node ms | min-max | page vs API | round ratios |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.user === 'kam' ? 'KAM' : row.user} | ${VIEW_TARGETS[row.view].label} | ${calls.get(`${row.user}/${row.view}`) ?? ''} | ${row.runs} | ` +
        `${ms(row.page.median)} | ${ms(row.page.min)}-${ms(row.page.max)} | ${ms(row.wall)} | ${ms(row.firstCall)} | ${ms(row.pageApi)} | ` +
        `${ms(row.peer.median)} | ${ms(row.peer.min)}-${ms(row.peer.max)} | ${row.ratio.toFixed(2)}x | ` +
        `${row.roundRatios.min.toFixed(2)}-${row.roundRatios.max.toFixed(2)}x |`,
    );
  }
  return lines.join('\n');
}

/** What a loaded database's comment records; a database is reused only when every field matches. */
export type Manifest = { loader: number; generator: number; ledger: LedgerSpec; kams: number; schema: string };

/** Whether the comment of a database (null: none) is the manifest wanted. */
export function manifestMatches(comment: string | null, wanted: Manifest): boolean {
  if (comment === null) return false;
  try {
    return JSON.stringify(JSON.parse(comment)) === JSON.stringify(wanted);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------
// The data

const BENCH_EMAIL = '@bench.kamerton.test';
const DIRECTOR_EMAIL = `dyrektor${BENCH_EMAIL}`;
const KAM_EMAIL = `kam01${BENCH_EMAIL}`;
/** The embedded server's data folder, kept between runs: the loaded databases live in it. */
const EMBEDDED_DIR = join(tmpdir(), 'kamerton-bench-dashboard');
/** The copy of web/dist the benchmark's server serves. */
const WEB_COPY_DIR = join(tmpdir(), 'kamerton-bench-dashboard-web');

/** Quotes a constant of ours as an SQL string literal. */
function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}


/**
 * The users, in one statement: an administrator (without one the app offers the first-run setup
 * instead of the pages), the director and the KAMs. They never sign in (the benchmark makes their
 * sessions directly): their password hash is a marker no password verifies against.
 */
function usersStatement(): string {
  return `insert into users (email, name, role, password_hash)
    select 'kam' || lpad(k::text, 2, '0') || ${literal(BENCH_EMAIL)}, 'KAM ' || k, 'kam', '!bench' from generate_series(1, ${KAMS}) as k
    union all select ${literal(`admin${BENCH_EMAIL}`)}, 'Administrator', 'admin', '!bench'
    union all select ${literal(DIRECTOR_EMAIL)}, 'Dyrektor Sprzedaży', 'director', '!bench'`;
}

/** Every account to one of the KAMs in turn, by name (then id), so each KAM has a twentieth of them. */
function ownersStatement(): string {
  return `update accounts a set owner_id = k.kams[1 + (n.n % ${KAMS})::int]
    from (select id, row_number() over (order by name, id) as n from accounts) as n,
         (select array_agg(id order by email) as kams from users where role = 'kam') as k
    where a.id = n.id`;
}

/**
 * The benchmark's database for `ledger` on the server at `adminUrl`: reused when its comment holds
 * the manifest wanted, else dropped, created, migrated and loaded. Returns its URL and the seconds the
 * load took (null: reused).
 */
async function ensureDashboardDatabase(adminUrl: string, ledger: Ledger, log: (line: string) => void): Promise<{ url: string; loadedSeconds: number | null }> {
  const name = `kamerton_bench_dashboard_${ledger.size}`;
  const wanted: Manifest = { loader: LOADER_VERSION, generator: GENERATOR_VERSION, ledger: ledger.spec, kams: KAMS, schema: migrationsHash() };
  const comment = await withClient(adminUrl, async (client) => {
    const { rows } = await client.query<{ comment: string | null }>(
      `select shobj_description(oid, 'pg_database') as comment from pg_database where datname = $1`, [name],
    );
    return rows[0]?.comment ?? null;
  });
  const url = databaseUrl(adminUrl, name);
  if (manifestMatches(comment, wanted)) return { url, loadedSeconds: null };

  const started = performance.now();
  await withClient(adminUrl, (client) => client.query(`drop database if exists ${quoteIdentifier(name)} with (force)`));
  await ensureDatabase(adminUrl, name);
  const database = await connect(url, null);
  try {
    const { pool } = database;
    await pool.query(usersStatement());
    log(`  importing ${describeLedger(ledger)}...`);
    const record = await importLedger(pool, SYSTEM_ACTOR, { path: ledger.path });
    if (record.accepted !== ledger.spec.lines || record.rejected !== 0) {
      throw new Error(`the import accepted ${record.accepted} of ${ledger.spec.lines} lines and rejected ${record.rejected}`);
    }
    const lastDay = record.lastDay === null ? null : parseIsoDay(record.lastDay);
    if (lastDay === null) throw new Error(`the import gave no last day (${String(record.lastDay)})`);
    await pool.query(ownersStatement());
    log(`  imported in ${((performance.now() - started) / 1000).toFixed(1)} s; two analysis runs...`);
    // As the demo company does: a run a month before the ledger's end, then the latest, so that the
    // dashboard has accounts that moved between segments to show.
    await runAnalysis(pool, SYSTEM_ACTOR, { ...DEFAULT_ANALYSIS_PARAMS, asOf: addMonths(lastDay, -1) });
    await runAnalysis(pool, SYSTEM_ACTOR, { ...DEFAULT_ANALYSIS_PARAMS });
    // The state a day's pause leaves: autovacuum's visibility map and statistics.
    await pool.query('vacuum (analyze)');
  } finally {
    await database.close();
  }
  // Last, so that a load cut short is never reused.
  await withClient(adminUrl, (client) => client.query(`comment on database ${quoteIdentifier(name)} is ${literal(JSON.stringify(wanted))}`));
  return { url, loadedSeconds: (performance.now() - started) / 1000 };
}

type DataShape = { accounts: number; lines: number; runs: number; kamOwns: number };

async function describeData(url: string, kamId: string): Promise<DataShape> {
  return withClient(url, async (client) => {
    const count = async (sql: string, values: unknown[] = []) => Number((await client.query<{ n: string }>(sql, values)).rows[0]!.n);
    return {
      accounts: await count('select count(*) as n from accounts'),
      lines: await count('select count(*) as n from ledger_lines'),
      runs: await count('select count(*) as n from analysis_runs'),
      kamOwns: await count('select count(*) as n from accounts where owner_id = $1', [kamId]),
    };
  });
}

/** Sessions for the director and the KAM, made directly (api-bench does the same); earlier runs' are cleared. */
async function signIn(url: string): Promise<Map<User, { token: string; userId: string }>> {
  const config = await loadConfig({ DATABASE_URL: url });
  const database = await connect(url, null, { migrate: false });
  try {
    const { db, pool } = database;
    await pool.query(`delete from sessions`);
    const sessions = new Map<User, { token: string; userId: string }>();
    for (const user of USERS) {
      const email = user === 'director' ? DIRECTOR_EMAIL : KAM_EMAIL;
      const row = await db.query.users.findFirst({ where: (users, { eq }) => eq(users.email, email) });
      if (row === undefined) throw new Error(`the benchmark's user ${email} is missing: the database's manifest no longer describes it`);
      const { token } = await createSession(db, toUserView(row), { hours: config.sessionHours });
      sessions.set(user, { token, userId: row.id });
    }
    return sessions;
  } finally {
    await database.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// The two sides

/**
 * Set in every page before its scripts run: records in `window.__kamertonBenchShown` the page's clock
 * when the view's element is first in the document with a layout box (no box: it, or a parent, is
 * not displayed). A MutationObserver sees it as soon as React commits it; the animation-frame poll
 * catches an element shown by a change of style alone. A string: this file is compiled for Node,
 * without the browser's types.
 */
function shownScript(): string {
  const selectors = Object.fromEntries(VIEWS.map((view) => [VIEW_TARGETS[view].path, VIEW_TARGETS[view].selector]));
  return `(() => {
    const selector = ${JSON.stringify(selectors)}[location.pathname];
    if (selector === undefined) return;
    let done = false;
    const check = () => {
      if (done) return;
      const element = document.querySelector(selector);
      if (element !== null && element.getClientRects().length > 0) {
        done = true;
        window.__kamertonBenchShown = performance.now();
        observer.disconnect();
      }
    };
    const observer = new MutationObserver(check);
    observer.observe(document, { childList: true, subtree: true, attributes: true });
    const poll = () => { check(); if (!done) requestAnimationFrame(poll); };
    requestAnimationFrame(poll);
  })();`;
}

/** A view's load can take a while with 10M lines behind it; past this it is a failure, not a figure. */
const SHOW_TIMEOUT_MS = 300_000;

type PageResult = {
  pageMs: number;
  wallMs: number;
  firstCallMs: number;
  pageApiMs: number;
  calls: ObservedCall[];
  /** Calls the page cancelled, or that were still unanswered SETTLE_TIMEOUT_MS after the element showed: left out. */
  leftOut: string[];
  errors: number;
};

/** How long after the element showed the page's calls are given to end (answered or cancelled). */
const SETTLE_TIMEOUT_MS = 60_000;

async function measurePage(context: BrowserContext, base: string, view: View): Promise<PageResult> {
  const { path, selector } = VIEW_TARGETS[view];
  const page = await context.newPage();
  try {
    const requests: Request[] = [];
    // Each call's end, from the page's events: awaiting request.response() instead can wait for good
    // on a call that Chromium ends without an event.
    const settled = new Map<Request, 'answered' | 'cancelled'>();
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/api/')) requests.push(request);
    });
    page.on('requestfinished', (request) => settled.set(request, 'answered'));
    page.on('requestfailed', (request) => settled.set(request, 'cancelled'));
    const started = performance.now();
    await page.goto(`${base}${path}`, { waitUntil: 'commit' });
    await page.locator(selector).first().waitFor({ state: 'visible', timeout: SHOW_TIMEOUT_MS });
    const wallMs = performance.now() - started;
    const { shown, origin } = await page.evaluate<{ shown: number | null; origin: number }>(
      '({ shown: window.__kamertonBenchShown ?? null, origin: performance.timeOrigin })',
    );
    if (shown === null) throw new Error(`${path}: Playwright saw ${selector}, but the page's own watch did not`);
    const deadline = performance.now() + SETTLE_TIMEOUT_MS;
    while (requests.some((request) => !settled.has(request)) && performance.now() < deadline) await sleep(20);

    // The calls sent before the element showed are the page's load.
    const calls: ObservedCall[] = [];
    const leftOut: string[] = [];
    let errors = 0;
    for (const request of requests) {
      const url = new URL(request.url());
      const callPath = `${url.pathname}${url.search}`;
      // Cancelled: a query's AbortSignal, when what it asked for changed before the answer came. The
      // server may have done the work, but the page did not wait for it.
      if (settled.get(request) !== 'answered') {
        leftOut.push(`${callPath} (${settled.get(request) ?? 'unanswered'})`);
        continue;
      }
      const timing = request.timing();
      const startMs = timing.startTime - origin;
      if (startMs > shown) continue;
      if (request.method() !== 'GET') throw new Error(`${path} sent ${request.method()} ${request.url()}: the peer replays GETs only`);
      // Answered, so the response is there: this resolves at once.
      const response = await request.response();
      if (response === null || response.status() < 200 || response.status() >= 300) errors += 1;
      calls.push({ path: callPath, startMs, endMs: timing.responseEnd < 0 ? Number.NaN : startMs + timing.responseEnd });
    }
    if (calls.length === 0) throw new Error(`${path} showed ${selector} without calling the API`);
    const firstCallMs = Math.min(...calls.map((call) => call.startMs));
    const pageApiMs = Math.max(...calls.map((call) => call.endMs)) - firstCallMs;
    return { pageMs: shown, wallMs, firstCallMs, pageApiMs, calls, leftOut, errors };
  } finally {
    await page.close();
  }
}

/** The waves of calls from Node with the session's cookie: the time from the first send to the last byte, and the non-2xx answers. */
async function measurePeer(base: string, token: string, waves: readonly (readonly string[])[]): Promise<{ peerMs: number; errors: number }> {
  let errors = 0;
  const started = performance.now();
  for (const wave of waves) {
    await Promise.all(wave.map(async (path) => {
      const response = await fetch(`${base}${path}`, {
        headers: { cookie: `${SESSION_COOKIE}=${token}`, 'accept-language': 'en' },
        signal: AbortSignal.timeout(SHOW_TIMEOUT_MS),
      });
      await response.arrayBuffer();
      if (!response.ok) errors += 1;
    }));
  }
  return { peerMs: performance.now() - started, errors };
}

// ---------------------------------------------------------------------------------------------------
// The run

function describeMachine(postgres: string, chromium: string, where: string): string {
  const cpu = cpus();
  return (
    `${cpu.length} cores (${cpu[0]?.model ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory, Node ${process.version}, ` +
    `PostgreSQL ${postgres} (${where}), Chromium ${chromium}; load average ${loadavg().map((load) => load.toFixed(2)).join(' ')}`
  );
}

/** What one size's measurement leaves: its report section, and the JSON written beside results.md. */
type SizeResult = { report: string; errors: number };

/**
 * web/dist, built when stale, copied to a folder of the benchmark's own: in a checkout being worked on,
 * a `kamerton serve` started meanwhile rebuilds web/dist when its sources changed, and a page loaded
 * while the folder is emptied and refilled would wait for a bundle that is not there. The copy must
 * hold every asset its index.html names (a copy taken in the middle of such a build would not).
 */
async function copyWebBuild(log: (line: string) => void): Promise<string> {
  await ensureWebBuild({ log: (line) => log(`  ${line}`) });
  await rm(WEB_COPY_DIR, { recursive: true, force: true });
  await cp(join(ROOT, 'web', 'dist'), WEB_COPY_DIR, { recursive: true });
  const index = await readFile(join(WEB_COPY_DIR, 'index.html'), 'utf8');
  const missing = [...index.matchAll(/"\/(assets\/[^"]+)"/g)].map((match) => match[1]!).filter((asset) => !existsSync(join(WEB_COPY_DIR, asset)));
  if (missing.length > 0) throw new Error(`web/dist was being rebuilt while it was copied (missing ${missing.join(', ')}): run again`);
  return WEB_COPY_DIR;
}

async function benchSize(adminUrl: string, where: string, size: Size, browser: Browser, webDir: string, options: DashboardBenchOptions): Promise<SizeResult> {
  const { log } = options;
  const ledger = prepareLedger(size, log);
  const started = performance.now();
  const { url, loadedSeconds } = await ensureDashboardDatabase(adminUrl, ledger, log);
  log(`  database ${loadedSeconds === null ? 'loaded by an earlier run' : `loaded in ${loadedSeconds.toFixed(1)} s`} (${((performance.now() - started) / 1000).toFixed(1)} s in all)`);
  const sessions = await signIn(url);
  const shape = await describeData(url, sessions.get('kam')!.userId);
  const postgres = await withClient(url, async (client) => String((await client.query<{ server_version: string }>('show server_version')).rows[0]?.server_version).split(' ')[0]!);
  const machine = describeMachine(postgres, browser.version(), where);

  let server: Server | null = null;
  const contexts: BrowserContext[] = [];
  try {
    server = await startServer(url, webDir);
    const base = `http://127.0.0.1:${server.port}`;
    const rounds: Round[] = [];
    const calls = new Map<string, string>();
    for (const user of USERS) {
      const { token } = sessions.get(user)!;
      // English, so that the account list's table has the name the selector expects.
      const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
      contexts.push(context);
      await context.addCookies([{ name: SESSION_COOKIE, value: token, url: base }]);
      await context.addInitScript({ content: shownScript() });
      for (const view of options.views) {
        // The warm-up: the bundle into the context's cache, the server's and PostgreSQL's caches warm,
        // and the calls the peer will replay.
        const warm = await measurePage(context, base, view);
        const waves = groupIntoWaves(warm.calls);
        calls.set(`${user}/${view}`, describeWaves(waves));
        await measurePeer(base, token, waves);
        log(`  ${user} ${view}: warm-up ${warm.pageMs.toFixed(0)} ms; the page's calls: ${describeWaves(waves)}${warm.leftOut.length === 0 ? '' : `; left out: ${warm.leftOut.join(', ')}`}`);
        for (let round = 0; round < options.runs; round++) {
          // Alternate who goes first, so that neither side always runs on a machine just warmed by the other.
          let page: PageResult;
          let peer: { peerMs: number; errors: number };
          if (round % 2 === 0) {
            page = await measurePage(context, base, view);
            peer = await measurePeer(base, token, waves);
          } else {
            peer = await measurePeer(base, token, waves);
            page = await measurePage(context, base, view);
          }
          const described = describeWaves(groupIntoWaves(page.calls));
          if (described !== describeWaves(waves)) log(`    round ${round + 1}: the page's calls were ${described}`);
          if (page.leftOut.length > 0) log(`    round ${round + 1}: left out: ${page.leftOut.join(', ')}`);
          rounds.push({ user, view, pageMs: page.pageMs, wallMs: page.wallMs, firstCallMs: page.firstCallMs, pageApiMs: page.pageApiMs, peerMs: peer.peerMs, errors: page.errors + peer.errors });
          log(
            `  ${user} ${view} round ${round + 1}: page ${page.pageMs.toFixed(0)} ms (wall ${page.wallMs.toFixed(0)}, first call at ${page.firstCallMs.toFixed(0)}, API in the page ${page.pageApiMs.toFixed(0)}), ` +
              `API from Node ${peer.peerMs.toFixed(0)} ms: ${(page.pageMs / peer.peerMs).toFixed(2)}x`,
          );
        }
      }
    }

    const rows = summariseRounds(rounds);
    const errors = rounds.reduce((sum, round) => sum + round.errors, 0);
    const data =
      `${shape.accounts.toLocaleString('en')} accounts, ${shape.lines.toLocaleString('en')} ledger lines (${describeLedger(ledger)}), ` +
      `${shape.runs} analysis runs; ${KAMS} KAMs, the benchmarked one owning ${shape.kamOwns.toLocaleString('en')} accounts (loader version ${LOADER_VERSION}).`;
    const report =
      `### ${describeLedger(ledger)}\n\n` +
      `Machine: ${machine} (at the start).\n\nData: ${data} ${options.runs} round${options.runs === 1 ? '' : 's'} after a warm-up, page and API alternating.\n\n` +
      `${formatDashboardTable(rows, calls)}\n\nNon-2xx answers: ${errors}.\n`;
    const json = join(DATA_DIR, `dashboard-${size}.json`);
    writeFileSync(json, `${JSON.stringify({ machine, data: shape, ledger: ledger.spec, runs: options.runs, calls: Object.fromEntries(calls), rows, rounds }, null, 2)}\n`);
    log(`  written: ${json}`);
    return { report, errors };
  } finally {
    for (const context of contexts) await context.close();
    await server?.stop();
  }
}

/**
 * Runs the dashboard benchmark for each size and returns its markdown report, and the number of
 * failed answers (which must be 0).
 */
export async function runDashboardBench(options: DashboardBenchOptions): Promise<{ report: string; errors: number }> {
  const { log } = options;
  const missing = browserMissing();
  if (missing !== null) throw new Error(missing);
  const webDir = await copyWebBuild(log);

  const external = options.serverUrl !== null && options.serverUrl !== 'none' ? options.serverUrl : null;
  if (external !== null && !/^postgres(ql)?:\/\//.test(external)) throw new Error(`--server-url must be a postgres:// URL (or none), got ${redactUrl(external)}`);
  let embedded: EmbeddedServer | null = null;
  let browser: Browser | null = null;
  try {
    let adminUrl: string;
    let where: string;
    if (external === null) {
      await mkdir(EMBEDDED_DIR, { recursive: true });
      // As root, PostgreSQL runs as the postgres user, who must be able to enter the folder.
      await chmod(EMBEDDED_DIR, 0o755);
      embedded = await startEmbeddedPostgres({ dataDir: EMBEDDED_DIR });
      adminUrl = embedded.url;
      where = `embedded, ${EMBEDDED_DIR}`;
    } else {
      adminUrl = external;
      where = `server at ${redactUrl(external)}`;
    }
    browser = await launchBrowser();
    log(`  ${CHROMIUM} ${browser.version()}; PostgreSQL: ${where}`);
    const sections: string[] = [];
    let errors = 0;
    for (const size of options.sizes) {
      const result = await benchSize(adminUrl, where, size, browser, webDir, options);
      sections.push(result.report);
      errors += result.errors;
    }
    const report = `## Dashboard: the pages in Chromium against their API calls\n\n${sections.join('\n')}`;
    return { report, errors };
  } finally {
    await browser?.close();
    await embedded?.stop();
  }
}
