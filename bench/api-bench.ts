/**
 * The API benchmark of issue 3 (`npm run bench -- --suite api`): `GET /api/v1/accounts`, filtered and
 * paged, under 20 connections for 30 s (autocannon), as a director and as a KAM, beside the same SQL
 * sent straight through `pg` under the same load. Target: the API's p99 at most 3x the bare query's.
 * docs/performance.md explains the method and records the figures.
 *
 * The shape of a run:
 * - The database is a fresh one on the embedded PostgreSQL, in a data folder under the temp folder,
 *   loaded with set-based SQL (100k accounts, 300k contacts, codes, teams; about 11 s) and vacuumed.
 *   A later run reuses it when it was loaded by the same version of this loader.
 * - The server runs in a child process (this file, run with `serve`), built by `buildApp` and logging
 *   as `kamerton serve` does (at info, to /dev/null here), with the app's own pool of 10 connections.
 *   autocannon runs in this process: had it shared the server's event loop, the work of sending 20
 *   connections' requests and reading their 54 kB answers would be counted as the server's latency.
 * - The bare peer is the SQL the use-case sends, captured from drizzle's logger while `listAccounts`
 *   answers the same query, sent through a `pg.Pool` of the same 10 connections by 20 workers that
 *   each send the next query as soon as the last one is answered: autocannon's closed loop, with a
 *   query in place of a request.
 * - Both sides walk pages 1 to 5 of the same filter in turn, measure the latency of each request (or
 *   each set of queries) from the send to the last byte, and run alternately, in the same run.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { buildApp } from '../src/api/app.ts';
import { SESSION_COOKIE } from '../src/api/plugins/auth.plugin.ts';
import type { Actor } from '../src/app/actor.ts';
import { listAccounts, type AccountListQuery } from '../src/app/accounts.ts';
import { createSession, resolveSession } from '../src/app/sessions.ts';
import { toUserView } from '../src/app/users.ts';
import { loadConfig } from '../src/config.ts';
import { connect, ensureDatabase, quoteIdentifier, type Database } from '../src/db/client.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from '../src/db/embedded-postgres.ts';
import { MIGRATIONS_FOLDER } from '../src/db/migrate.ts';
import * as schema from '../src/db/schema/index.ts';
import { findPostmaster, postgresCpuMs, processCpuMs } from './proc-cpu.ts';

// ---------------------------------------------------------------------------------------------------
// What is measured

/**
 * Bumped whenever the loader's data changes, so that a database loaded by an older loader is dropped
 * and loaded again rather than measured as if it were the current one.
 */
export const LOADER_VERSION = 1;

export const ACCOUNTS = 100_000;
/** Three contacts an account: a decision-maker and two people reporting to them. */
export const CONTACTS = 3 * ACCOUNTS;
/** Owners of the accounts; the first (kam01) is the benchmarked KAM. */
export const KAMS = 20;

/** The app's pool (src/db/client.ts) has 10 connections; the peer's pool has as many. */
export const POOL_SIZE = 10;
export const CONNECTIONS = 20;
/** Pages 1 to PAGES of the filter, requested in turn by every connection. */
export const PAGES = 5;
export const PAGE_SIZE = 50;
/** The issue's target: the API's p99 at most this many times the bare query's. */
export const TARGET_RATIO = 3;

/**
 * The filter: active accounts of the commonest industry, by name, 50 a page. The director's filter
 * matches 8,633 accounts, the KAM's 456 (of the 5,432 they see): both have more than 5 pages.
 * Industry is compared without case, as a user types it.
 */
export const LIST_QUERY = { status: 'active', industry: 'budownictwo', sort: 'name', pageSize: PAGE_SIZE } as const;

export type User = 'director' | 'kam';
export const USERS: readonly User[] = ['director', 'kam'];

/**
 * - api: the request through the HTTP server;
 * - sql: the list's own SQL, the count and the page, one after the other as the use-case sends them;
 * - sql-all: every query the request sends (the session, the count, the page, the page's ERP codes,
 *   teams and owners' names), for context: the database's share of a request.
 */
export type Program = 'api' | 'sql' | 'sql-all';
export const PROGRAMS: readonly Program[] = ['api', 'sql', 'sql-all'];

export type ApiBenchOptions = {
  /** Seconds each measurement lasts (30 in the issue). */
  duration: number;
  /** Rounds of measurements; each round measures every program for every user. */
  runs: number;
  programs: readonly Program[];
  log: (line: string) => void;
};

// ---------------------------------------------------------------------------------------------------
// Figures

/**
 * CPU time (user and system) spent during a measurement, in milliseconds: by the Node server (null
 * for the bare SQL, which has none), by PostgreSQL (every process of the server), and by this process
 * (autocannon, or the pg client); null where the system does not tell (no /proc).
 */
export type CpuSpent = { server: number | null; postgres: number | null; client: number };

/** One measurement: requests (or sets of queries) answered, over how long, their latencies, the CPU spent. */
export type Sample = { user: User; program: Program; count: number; seconds: number; errors: number; latenciesMs: number[]; cpu: CpuSpent };

/** The rate, the latencies, and the CPU milliseconds spent per request (or set of queries) answered. */
export type Summary = { perSecond: number; p50: number; p99: number; serverCpu: number | null; postgresCpu: number | null; clientCpu: number };

/**
 * The `p`th percentile (0 < p <= 100) of `values` by the nearest-rank method: the smallest value with at
 * least p% of the values at or below it. Both sides are summarised by this one function, from the
 * exact latencies (autocannon's own histogram rounds them down to whole milliseconds).
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('no values to take a percentile of');
  if (!(p > 0 && p <= 100)) throw new Error(`a percentile is above 0 and at most 100, got ${p}`);
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
}

export function summarise(sample: Pick<Sample, 'count' | 'seconds' | 'latenciesMs' | 'cpu'>): Summary {
  const each = (ms: number | null) => (ms === null ? null : ms / sample.count);
  return {
    perSecond: sample.count / sample.seconds,
    p50: percentile(sample.latenciesMs, 50),
    p99: percentile(sample.latenciesMs, 99),
    serverCpu: each(sample.cpu.server),
    postgresCpu: each(sample.cpu.postgres),
    clientCpu: sample.cpu.client / sample.count,
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const PROGRAM_LABELS: Record<Program, string> = {
  api: 'API: GET /api/v1/accounts',
  sql: 'bare SQL: count + page',
  'sql-all': 'bare SQL: all 7 queries of the request',
};

export type Verdict = { user: User; ratio: number; met: boolean };

/**
 * The table of the samples: per user and program the median over the runs of the rate, p50 and p99,
 * the range of p99, the errors, the CPU spent per request by each party, and the API's and the
 * other peer's p99 against the bare list SQL's.
 */
export function formatApiTable(samples: readonly Sample[]): { table: string; verdicts: Verdict[] } {
  const lines = [
    '| user | program | runs | per s | p50 ms | p99 ms | p99 min-max ms | errors | CPU ms a request: server, PostgreSQL, client | p99 vs bare SQL |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const verdicts: Verdict[] = [];
  for (const user of USERS) {
    const bareP99 = medianOf(samples, user, 'sql', 'p99');
    for (const program of PROGRAMS) {
      const runs = samples.filter((sample) => sample.user === user && sample.program === program);
      if (runs.length === 0) continue;
      const p99s = runs.map((run) => summarise(run).p99);
      const p99 = median(p99s);
      const ratio = bareP99 === null ? null : p99 / bareP99;
      if (program === 'api' && ratio !== null) verdicts.push({ user, ratio, met: ratio <= TARGET_RATIO });
      const cpu = (['serverCpu', 'postgresCpu', 'clientCpu'] as const).map((figure) => {
        const value = medianOf(samples, user, program, figure);
        return value === null ? '-' : value.toFixed(1);
      });
      lines.push(
        `| ${user === 'kam' ? 'KAM' : user} | ${PROGRAM_LABELS[program]} | ${runs.length} | ${medianOf(samples, user, program, 'perSecond')!.toFixed(0)} | ` +
          `${medianOf(samples, user, program, 'p50')!.toFixed(1)} | ${p99.toFixed(1)} | ${Math.min(...p99s).toFixed(1)}-${Math.max(...p99s).toFixed(1)} | ` +
          `${runs.reduce((sum, run) => sum + run.errors, 0)} | ${cpu.join(', ')} | ${ratio === null ? '' : `${ratio.toFixed(2)}x`} |`,
      );
    }
  }
  return { table: lines.join('\n'), verdicts };
}

/** The median over the runs of a figure; null when there are no runs or the figure is missing from any. */
function medianOf(samples: readonly Sample[], user: User, program: Program, figure: keyof Summary): number | null {
  const values = samples.filter((sample) => sample.user === user && sample.program === program).map((run) => summarise(run)[figure]);
  return values.length === 0 || values.some((value) => value === null) ? null : median(values as number[]);
}

export function formatVerdicts(verdicts: readonly Verdict[]): string {
  if (verdicts.length === 0) return `Target (API p99 at most ${TARGET_RATIO}x the bare SQL's): not judged (the API and the bare SQL were not both measured).`;
  const each = verdicts.map((verdict) => `${verdict.user === 'kam' ? 'KAM' : verdict.user} ${verdict.ratio.toFixed(2)}x, ${verdict.met ? 'met' : 'NOT met'}`);
  return `Target (API p99 at most ${TARGET_RATIO}x the bare SQL's): ${each.join('; ')}.`;
}

// ---------------------------------------------------------------------------------------------------
// The data

const DATABASE = 'kamerton_bench';
const MANIFEST = 'bench-data.json';

/** `schema`: a hash of the migrations, so that a cached database made under migrations since changed is rebuilt. */
type Manifest = { loader: number; accounts: number; contacts: number; schema: string };

/** The SHA-256 of every migration's SQL, in file order. */
export function migrationsHash(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(MIGRATIONS_FOLDER).filter((name) => name.endsWith('.sql')).sort()) {
    hash.update(readFileSync(join(MIGRATIONS_FOLDER, file)));
  }
  return hash.digest('hex');
}

/** Quotes a constant of ours as an SQL string literal. */
function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** One of `values`, uniformly, by the random number in column `r` (in [0, 1)). */
function uniform(r: string, values: readonly string[]): string {
  return `(array[${values.map(literal).join(', ')}])[1 + floor(${r} * ${values.length})::int]`;
}

/** One of the weighted `choices`, by the random number in column `r`. */
function weighted(r: string, choices: readonly (readonly [string, number])[]): string {
  const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
  let cumulative = 0;
  const branches = choices.slice(0, -1).map(([value, weight]) => {
    cumulative += weight;
    return `when ${r} < ${(cumulative / total).toFixed(6)} then ${literal(value)}`;
  });
  return `case ${branches.join(' ')} else ${literal(choices[choices.length - 1]![0])} end`;
}

/**
 * A version-4-shaped uuid made from `kind` and the number `n`, so that the loader can name an account
 * (or a contact) it inserted by its number without reading it back. The response schema checks the
 * version and variant digits, hence the overlays.
 */
function uuidOf(kind: string, n: string): string {
  return `overlay(overlay(md5(${literal(`${kind}-`)} || ${n}) placing '4' from 13) placing '8' from 17)::uuid`;
}

/** The industries with their weights: the first is the benchmark's filter (about 16% of accounts). */
const INDUSTRIES = [
  ['Budownictwo', 16], ['Handel hurtowy', 13], ['Produkcja spożywcza', 11], ['Logistyka', 10], ['Motoryzacja', 9],
  ['Metalurgia', 8], ['Chemia', 7], ['Meble', 6], ['Energetyka', 5], ['Farmacja', 5], ['Opakowania', 5], ['IT', 5],
] as const;
const REGIONS = [
  'mazowieckie', 'śląskie', 'wielkopolskie', 'małopolskie', 'dolnośląskie', 'łódzkie', 'pomorskie', 'kujawsko-pomorskie',
  'lubelskie', 'podkarpackie', 'zachodniopomorskie', 'warmińsko-mazurskie', 'świętokrzyskie', 'podlaskie', 'lubuskie', 'opolskie',
];
const CITIES = ['Warszawa', 'Kraków', 'Łódź', 'Wrocław', 'Poznań', 'Gdańsk', 'Katowice', 'Lublin', 'Bydgoszcz', 'Rzeszów', 'Kielce', 'Opole'];
const NAME_PREFIXES = ['Pol', 'Euro', 'Inter', 'Trans', 'Agro', 'Bud', 'Tech', 'Eko', 'Metal', 'Chem', 'Drew', 'Elektro', 'Hydro', 'Term', 'Mega'];
const NAME_STEMS = ['mex', 'pol', 'bud', 'stal', 'plast', 'tex', 'kom', 'tron', 'gaz', 'rol', 'met', 'lux', 'sped', 'pak'];
const SURNAMES = [
  'Nowak', 'Wójcik', 'Mazur', 'Krawczyk', 'Kaczmarek', 'Zając', 'Król', 'Wieczorek', 'Wróbel', 'Dudek', 'Adamczyk', 'Walczak',
  'Sikora', 'Baran', 'Szewczyk', 'Michalak', 'Pawlak', 'Kubiak', 'Górecki', 'Jasiński',
];
const FIRST_NAMES = [
  'Anna', 'Piotr', 'Katarzyna', 'Krzysztof', 'Małgorzata', 'Tomasz', 'Agnieszka', 'Paweł', 'Joanna', 'Marcin', 'Ewa', 'Michał',
  'Magdalena', 'Łukasz', 'Monika', 'Grzegorz', 'Barbara', 'Jakub', 'Aleksandra', 'Wojciech',
];
const LEGAL_FORMS = ['sp. z o.o.', 'S.A.', 'sp.j.', 'sp.k.', 's.c.'];
const SENTENCES = [
  'Producent z wieloletnią obecnością na rynku krajowym i eksportem do Niemiec i Czech.',
  'Zakupy prowadzone centralnie przez dział zaopatrzenia w siedzibie spółki.',
  'Klient porównuje oferty co kwartał i negocjuje rabaty wolumenowe.',
  'Rozbudowa zakładu planowana na przyszły rok, budżet inwestycyjny zatwierdzony przez zarząd.',
  'Decyzje zakupowe podejmuje zarząd po rekomendacji działu technicznego.',
  'Współpraca od kilku lat, zamówienia regularne, płatności zwykle w terminie.',
  'Silna pozycja w regionie, sieć własnych oddziałów i magazynów.',
  'Klient wymaga certyfikatów jakości i audytu dostawcy raz w roku.',
  'Konkurencja oferuje krótsze terminy dostaw, ale wyższe ceny.',
  'Nowy dyrektor zakupów od początku roku, relacja do zbudowania.',
  'Sezonowość zamówień: szczyt wiosną i jesienią.',
  'Spółka należy do międzynarodowej grupy, część decyzji zapada w centrali.',
];
const POSITIONS = [
  'Prezes zarządu', 'Dyrektor zakupów', 'Kierownik zaopatrzenia', 'Główny technolog', 'Dyrektor finansowy', 'Specjalista ds. zakupów',
  'Kierownik produkcji', 'Asystentka zarządu', 'Dyrektor operacyjny', 'Inżynier procesu',
];
const DEPARTMENTS = ['Zarząd', 'Zakupy', 'Produkcja', 'Finanse', 'Logistyka', 'Jakość', 'IT'];

/** A few sentences of dossier text, by the random numbers in columns `a` and `b`. */
function prose(a: string, b: string): string {
  return `${uniform(a, SENTENCES)} || ' ' || ${uniform(b, SENTENCES)}`;
}

/**
 * The loader's statements, in order. Random numbers come from PostgreSQL's random() after setseed, so
 * a load gives the same data each time (an INSERT ... SELECT runs on one process, in series). The
 * proportions aim at a company a few years into using Kamerton: 20 KAMs with about 4,800 accounts
 * each (4% unowned), a tenth of the accounts with a colleague on the team, most with ERP codes and a
 * dossier of a few sentences, and fuller fields on some.
 */
export function loaderStatements(): string[] {
  const kamEmail = (k: string) => `'kam' || lpad(${k}::text, 2, '0') || '@bench.kamerton.test'`;
  const account = (i: string) => uuidOf('account', i);
  const contact = (j: string) => uuidOf('contact', j);
  const accountColumns = Array.from({ length: 32 }, (_, n) => `random() as r${n}`).join(', ');
  const contactColumns = Array.from({ length: 10 }, (_, n) => `random() as r${n}`).join(', ');
  return [
    'select setseed(0.2025)',
    // The users never sign in (the benchmark makes their sessions directly): their password hash is a
    // marker no password verifies against.
    `insert into users (email, name, role, password_hash)
     select ${kamEmail('k')}, ${uniform('random()', FIRST_NAMES)} || ' ' || ${uniform('random()', SURNAMES)}, 'kam', '!bench'
     from generate_series(1, ${KAMS}) as k`,
    `insert into users (email, name, role, password_hash) values ('dyrektor@bench.kamerton.test', 'Dyrektor Sprzedaży', 'director', '!bench')`,
    `insert into accounts (id, name, tax_id, industry, region, website, employees, description, history, org_structure, environment,
       owner_id, image_maker, image_maker_reason, expert, expert_reason, annual_potential, long_term_plans, cooperation_horizon_months,
       reputation_influence, payment_days_late, private_notes, status, created_at, updated_at, version)
     select ${account('g.i')},
       case when g.r0 < 0.6 then ${uniform('g.r1', NAME_PREFIXES)} || ${uniform('g.r2', NAME_STEMS)}
            else ${uniform('g.r1', SURNAMES)} || ${uniform('g.r2', [' i Wspólnicy', ' i Synowie', ' Hurtownia', ' Zakłady', ' Serwis', ''])} end
         || case when g.r3 < 0.3 then ' ' || ${uniform('g.r4', CITIES)} else '' end || ' ' || ${uniform('g.r5', LEGAL_FORMS)},
       case when g.r6 < 0.9 then lpad(((g.i::bigint * 7919 + 1000000000) % 10000000000)::text, 10, '0') end,
       ${weighted('g.r7', INDUSTRIES)},
       ${uniform('g.r8', REGIONS)},
       case when g.r9 < 0.7 then 'https://k' || g.i || '.example.pl' end,
       floor(exp(g.r10 * ln(5000)))::int + 4,
       ${prose('g.r11', 'g.r12')},
       case when g.r13 < 0.3 then ${prose('g.r12', 'g.r11')} end,
       case when g.r14 < 0.2 then 'Zarząd, dział zakupów, dział techniczny; decyzje powyżej 100 tys. zł zatwierdza prezes.' end,
       case when g.r15 < 0.5 then ${prose('g.r31', 'g.r11')} end,
       case when g.r16 >= 0.04 then k.kams[1 + g.i % ${KAMS}] end,
       g.r17 < 0.05, case when g.r17 < 0.05 then 'Marka rozpoznawalna w branży; referencja dla innych klientów.' end,
       g.r18 < 0.04, case when g.r18 < 0.04 then 'Wymagający technicznie: uczy nas nowych zastosowań.' end,
       round(exp(ln(10000) + g.r19 * ln(1000))::numeric, -2),
       case when g.r20 < 0.3 then 'Plan: rozszerzenie współpracy na kolejne zakłady w ciągu dwóch lat.' end,
       case when g.r20 < 0.5 then (array[6, 12, 24, 36, 60])[1 + floor(g.r21 * 5)::int] end,
       case when g.r22 < 0.7 then 1 + floor(g.r23 * 5)::int end,
       case when g.r24 < 0.6 then round((g.r25 * 30 - 5)::numeric, 1) end,
       case when g.r26 < 0.4 then ${prose('g.r12', 'g.r31')} end,
       ${weighted('g.r27', [['active', 55], ['prospect', 25], ['lost', 12], ['won-back', 8]])},
       now() - g.r28 * interval '5 years', now() - g.r28 * g.r29 * interval '5 years', 1 + floor(g.r30 * 5)::int
     from (select i, ${accountColumns} from generate_series(1, ${ACCOUNTS}) as i) as g
     cross join (select array_agg(id order by email) as kams from users where role = 'kam') as k`,
    // ERP codes on three accounts in four, a second code on one in seven.
    `insert into account_codes (code, account_id)
     select 'K' || lpad(i::text, 6, '0'), ${account('i')} from generate_series(1, ${ACCOUNTS}) as i where i % 4 <> 0
     union all
     select 'K' || lpad(i::text, 6, '0') || '-2', ${account('i')} from generate_series(1, ${ACCOUNTS}) as i where i % 7 = 0`,
    // A colleague on the team of one account in ten, a second on one in fifty (among those ten). The
    // owner is kams[1 + i % 20]; the members are 1 to 19 places on from it, never the owner, each
    // KAM about as often as the others, the two members never the same (their offsets differ by 9).
    `insert into account_team (account_id, user_id)
     select ${account('i')}, k.kams[1 + (i + 1 + (i / 10) % 19) % ${KAMS}]
     from generate_series(1, ${ACCOUNTS}) as i cross join (select array_agg(id order by email) as kams from users where role = 'kam') as k
     where i % 10 = 3
     union all
     select ${account('i')}, k.kams[1 + (i + 1 + (i / 10 + 9) % 19) % ${KAMS}]
     from generate_series(1, ${ACCOUNTS}) as i cross join (select array_agg(id order by email) as kams from users where role = 'kam') as k
     where i % 50 = 3`,
    // Contact j belongs to account 1 + (j - 1) % N; the account's first contact is its decision-maker,
    // and the other two report to them (a self-reference inside one statement: PostgreSQL checks the
    // foreign key at the statement's end).
    `insert into contacts (id, account_id, name, position, department, email, phone, buying_role, influence, attitude, relationship,
       reports_to_id, left_company)
     select ${contact('c.j')}, ${account('c.i')},
       ${uniform('c.r0', FIRST_NAMES)} || ' ' || ${uniform('c.r1', SURNAMES)},
       ${uniform('c.r2', POSITIONS)}, ${uniform('c.r3', DEPARTMENTS)},
       'osoba' || c.j || '@k' || c.i || '.example.pl', '+48 ' || (500000000 + c.j)::text,
       case when c.j <= ${ACCOUNTS} then 'decision-maker'
            else ${weighted('c.r4', [['economic-buyer', 15], ['technical-buyer', 20], ['influencer', 20], ['champion', 8], ['user', 20], ['gatekeeper', 7], ['blocker', 3], ['other', 7]])} end,
       case when c.r5 < 0.8 then 1 + floor(c.r6 * 5)::int end,
       ${weighted('c.r7', [['mentor', 5], ['supporter', 25], ['neutral', 50], ['non-supporter', 15], ['opponent', 5]])},
       ${weighted('c.r8', [['none', 20], ['brief', 40], ['multiple', 30], ['in-depth', 10]])},
       case when c.j > ${ACCOUNTS} then ${contact('c.i')} end,
       c.r9 < 0.05
     from (select j, 1 + (j - 1) % ${ACCOUNTS} as i, ${contactColumns} from generate_series(1, ${CONTACTS}) as j) as c`,
  ];
}

/** Tables the loader fills, vacuumed and analysed after it: a settled database, as autovacuum leaves one. */
const LOADED_TABLES = ['users', 'accounts', 'account_codes', 'account_team', 'contacts'];

/**
 * The benchmark's database on `server`, loaded: reused when the manifest in `folder` says the current
 * loader filled it, else dropped, created, migrated and loaded. Returns it connected with the app's
 * pool size, and whether it was loaded now.
 */
async function ensureBenchDatabase(server: EmbeddedServer, folder: string, log: (line: string) => void): Promise<{ database: Database; url: string; loadedSeconds: number | null }> {
  const wanted: Manifest = { loader: LOADER_VERSION, accounts: ACCOUNTS, contacts: CONTACTS, schema: migrationsHash() };
  const manifestPath = join(folder, MANIFEST);
  const manifest = existsSync(manifestPath) ? (JSON.parse(await readFile(manifestPath, 'utf8')) as Manifest) : null;
  const reusable = manifest !== null && (Object.keys(wanted) as (keyof Manifest)[]).every((key) => manifest[key] === wanted[key]);
  if (!reusable) {
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    try {
      await admin.query(`drop database if exists ${quoteIdentifier(DATABASE)} with (force)`);
    } finally {
      await admin.end();
    }
  }
  const url = await ensureDatabase(server.url, DATABASE);
  // Migrations are applied either way: a database loaded before a new migration gets it, as production would.
  const database = await connect(url, null, { poolSize: POOL_SIZE });
  if (reusable) return { database, url, loadedSeconds: null };
  const started = performance.now();
  log(`  loading ${ACCOUNTS.toLocaleString('en')} accounts and ${CONTACTS.toLocaleString('en')} contacts...`);
  const client = await database.pool.connect();
  try {
    await client.query('begin');
    for (const statement of loaderStatements()) await client.query(statement);
    await client.query('commit');
    // VACUUM cannot run inside a transaction; it sets the visibility map as autovacuum would have.
    await client.query(`vacuum (analyze) ${LOADED_TABLES.join(', ')}`);
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
  await writeFile(manifestPath, `${JSON.stringify(wanted, null, 2)}\n`);
  return { database, url, loadedSeconds: (performance.now() - started) / 1000 };
}

/** What the loaded data looks like from where the benchmark stands: checked, and printed with the figures. */
type DataShape = { accounts: number; contacts: number; kamOwns: number; kamSees: number; directorMatches: number; kamMatches: number };

// ---------------------------------------------------------------------------------------------------
// The server, in a child process

/**
 * Runs the app on `KAMERTON_BENCH_DATABASE_URL` (sent by the parent in the environment, never in argv),
 * serving the web app from `KAMERTON_BENCH_WEB_DIR` when set (web/dist otherwise).
 */
async function serveForBench(): Promise<void> {
  const url = process.env.KAMERTON_BENCH_DATABASE_URL;
  if (url === undefined) throw new Error('KAMERTON_BENCH_DATABASE_URL is not set: this mode is started by bench/api-bench.ts');
  // As `kamerton serve` runs: the app's configuration defaults, its pool, its logger at info (on
  // standard output, which the parent sends to /dev/null: the log's cost is counted, not a terminal's).
  const config = await loadConfig({ DATABASE_URL: url });
  const database = await connect(url, null, { migrate: false });
  const app = await buildApp({ database, config, logger: { level: config.logLevel }, webDir: process.env.KAMERTON_BENCH_WEB_DIR });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void app.close().then(() => database.close()).then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  // A parent that dies without stopping the server closes the channel: the server goes with it.
  process.once('disconnect', stop);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the server has no TCP address');
  process.send?.({ port: address.port });
}

export type Server = { port: number; pid: number; stop(): Promise<void> };

/** The server in a child process on the database at `url`; `webDir`: the web app's build it serves (web/dist by default). */
export async function startServer(url: string, webDir?: string): Promise<Server> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['serve'], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, KAMERTON_BENCH_DATABASE_URL: url, ...(webDir === undefined ? {} : { KAMERTON_BENCH_WEB_DIR: webDir }) },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    stderr = (stderr + text).slice(-4000);
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const port = await new Promise<number>((done, fail) => {
    child.once('message', (message: { port: number }) => done(message.port));
    void exited.then((code) => fail(new Error(`the benchmark's server exited with ${code} before listening:\n${stderr.trim()}`)));
  });
  return {
    port,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// The two loads

/** autocannon 8's programmatic interface, as far as this benchmark uses it (the package ships no types). */
type AutocannonResult = { duration: number; errors: number; timeouts: number; non2xx: number; '2xx': number };
type AutocannonInstance = {
  on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTime: number) => void): void;
};
type Autocannon = (options: object, done: (error: Error | null, result: AutocannonResult) => void) => AutocannonInstance;

function loadAutocannon(): Autocannon {
  // Loaded only when the API suite runs: the analysis suite must not need the dev dependency.
  return createRequire(import.meta.url)('autocannon') as Autocannon;
}

function listPath(page: number): string {
  return `/api/v1/accounts?${new URLSearchParams({ ...LIST_QUERY, pageSize: String(PAGE_SIZE), page: String(page) }).toString()}`;
}

/**
 * autocannon against the server: each connection sends pages 1 to 5 in turn. The latency of each
 * 2xx answer is taken from autocannon's response event, exact (its histogram keeps whole milliseconds).
 */
async function measureApi(autocannon: Autocannon, port: number, token: string, seconds: number): Promise<Omit<Sample, 'user' | 'program' | 'cpu'>> {
  const latenciesMs: number[] = [];
  const result = await new Promise<AutocannonResult>((done, fail) => {
    const instance = autocannon({
      url: `http://127.0.0.1:${port}`,
      connections: CONNECTIONS,
      duration: seconds,
      headers: { cookie: `${SESSION_COOKIE}=${token}` },
      requests: Array.from({ length: PAGES }, (_, page) => ({ method: 'GET', path: listPath(page + 1) })),
    }, (error, outcome) => (error === null ? done(outcome) : fail(error)));
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latenciesMs.push(responseTime);
    });
  });
  return { count: result['2xx'], seconds: result.duration, errors: result.errors + result.timeouts + result.non2xx, latenciesMs };
}

type Statement = { text: string; values: unknown[] };

/**
 * The closed loop of autocannon with queries: `CONNECTIONS` workers share a pool of `POOL_SIZE`, each
 * sending its next page's statements (one after the other, as the use-case does) as soon as the last
 * are answered, until `seconds` have passed. Rows come back as arrays with drizzle's type parsers
 * left out, which is the least the driver does for an answer.
 */
async function measureSql(pool: pg.Pool, pages: readonly Statement[][], seconds: number): Promise<Omit<Sample, 'user' | 'program' | 'cpu'>> {
  const latenciesMs: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async (): Promise<void> => {
    for (let n = 0; performance.now() < deadline; n++) {
      const statements = pages[n % pages.length]!;
      const sent = performance.now();
      try {
        for (const statement of statements) await pool.query({ text: statement.text, values: statement.values, rowMode: 'array' });
        if (performance.now() <= deadline) latenciesMs.push(performance.now() - sent);
      } catch {
        errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  return { count: latenciesMs.length, seconds, errors, latenciesMs };
}

/**
 * The statements `listAccounts` sends for each page (and, first, the one `resolveSession` sends for
 * the token), captured from drizzle's logger: the peer sends exactly what the use-case sends.
 */
async function captureStatements(pool: pg.Pool, actor: Actor, token: string, hours: number): Promise<{ session: Statement; pages: Statement[][] }> {
  let captured: Statement[] = [];
  const db = drizzle({ client: pool, schema, logger: { logQuery: (text, values) => captured.push({ text, values }) } });
  await resolveSession(db, token, { hours });
  const [session] = captured;
  if (session === undefined || captured.length !== 1) throw new Error(`resolving a session sent ${captured.length} statements, expected 1`);
  const pages: Statement[][] = [];
  for (let page = 1; page <= PAGES; page++) {
    captured = [];
    await listAccounts(db, actor, { ...LIST_QUERY, page } satisfies AccountListQuery);
    if (captured.length !== 6 || !/count\(\*\)/.test(captured[0]!.text) || !/ limit /.test(captured[1]!.text)) {
      throw new Error(`listAccounts sent ${captured.length} statements, not the count, the page and the four lookups (codes, team, owners, latest analysis) this benchmark expects: update bench/api-bench.ts`);
    }
    pages.push(captured);
  }
  return { session, pages };
}

/**
 * Checks that the API answers page 1 with the same total and the same accounts, in the same order,
 * as the captured SQL: a fast wrong answer does not count. Returns the total.
 */
async function checkAnswer(port: number, token: string, pool: pg.Pool, statements: Statement[], user: User): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}${listPath(1)}`, { headers: { cookie: `${SESSION_COOKIE}=${token}` } });
  if (response.status !== 200) throw new Error(`GET ${listPath(1)} as the ${user}: status ${response.status}: ${await response.text()}`);
  const body = (await response.json()) as { items: { id: string }[]; total: number };
  const [count, page] = [statements[0]!, statements[1]!];
  const total = Number((await pool.query({ text: count.text, values: count.values, rowMode: 'array' })).rows[0]?.[0]);
  const ids = (await pool.query({ text: page.text, values: page.values })).rows.map((row: { id: string }) => row.id);
  if (body.total !== total || body.items.map((item) => item.id).join() !== ids.join()) {
    throw new Error(`as the ${user}, the API's page 1 (total ${body.total}) differs from the bare SQL's (total ${total})`);
  }
  if (ids.length !== PAGE_SIZE || total < PAGES * PAGE_SIZE) throw new Error(`as the ${user}, the filter matches ${total} accounts: fewer than ${PAGES} pages`);
  return total;
}

// ---------------------------------------------------------------------------------------------------
// CPU time, from Linux's /proc (bench/proc-cpu.ts)

/** CPU spent by each party while `work` runs. */
async function withCpu<T>(server: number | null, postmaster: number | null, work: () => Promise<T>): Promise<T & { cpu: CpuSpent }> {
  const serverBefore = server === null ? null : processCpuMs(server);
  const postgresBefore = postmaster === null ? null : postgresCpuMs(postmaster);
  const clientBefore = process.cpuUsage();
  const result = await work();
  const client = process.cpuUsage(clientBefore);
  const serverAfter = server === null ? null : processCpuMs(server);
  const postgresAfter = postmaster === null ? null : postgresCpuMs(postmaster);
  return {
    ...result,
    cpu: {
      server: serverBefore === null || serverAfter === null ? null : serverAfter - serverBefore,
      postgres: postgresBefore === null || postgresAfter === null ? null : postgresAfter - postgresBefore,
      client: (client.user + client.system) / 1000,
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// The run

/** Seconds of each program for each user before the first round, not counted: the JIT and the caches warm. */
const WARM_UP_SECONDS = 3;

function describeMachine(postgres: string): string {
  const root = join(fileURLToPath(import.meta.url), '..', '..');
  const autocannonVersion = (JSON.parse(readFileSync(join(root, 'node_modules', 'autocannon', 'package.json'), 'utf8')) as { version: string }).version;
  const cpu = cpus();
  return (
    `${cpu.length} cores (${cpu[0]?.model ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory, Node ${process.version}, ` +
    `PostgreSQL ${postgres} (embedded), autocannon ${autocannonVersion}; load average ${loadavg().map((load) => load.toFixed(2)).join(' ')}`
  );
}

/**
 * Runs the API benchmark and returns its markdown report, and the number of failed requests or
 * queries (which must be 0).
 */
export async function runApiBench(options: ApiBenchOptions): Promise<{ report: string; errors: number }> {
  const { log } = options;
  const autocannon = loadAutocannon();
  const folder = join(tmpdir(), 'kamerton-bench-api');
  if (!existsSync(folder)) {
    await mkdir(folder, { recursive: true });
    // As root, PostgreSQL runs as the postgres user, who must be able to enter the folder.
    await chmod(folder, 0o755);
  }
  const started = performance.now();
  const server = await startEmbeddedPostgres({ dataDir: folder });
  let database: Database | null = null;
  let app: Server | null = null;
  let peer: pg.Pool | null = null;
  try {
    const ensured = await ensureBenchDatabase(server, folder, log);
    database = ensured.database;
    log(`${folder}: PostgreSQL started, ${ensured.loadedSeconds === null ? 'data loaded by an earlier run' : `data loaded in ${ensured.loadedSeconds.toFixed(1)} s`} (${((performance.now() - started) / 1000).toFixed(1)} s in all)`);
    const { db, pool } = database;
    const machine = describeMachine(String((await pool.query('show server_version')).rows[0].server_version));

    const config = await loadConfig({ DATABASE_URL: ensured.url });
    // Sessions of earlier runs are left-overs: each run signs its users in afresh.
    await pool.query(`delete from sessions`);
    const actors = new Map<User, { actor: Actor; token: string; statements: { session: Statement; pages: Statement[][] } }>();
    for (const user of USERS) {
      const email = user === 'director' ? 'dyrektor@bench.kamerton.test' : 'kam01@bench.kamerton.test';
      const row = await db.query.users.findFirst({ where: (users, { eq }) => eq(users.email, email) });
      if (row === undefined) throw new Error(`the benchmark's user ${email} is missing: remove ${folder} and run again`);
      const { token } = await createSession(db, toUserView(row), { hours: config.sessionHours });
      const actor: Actor = { userId: row.id, role: row.role };
      actors.set(user, { actor, token, statements: await captureStatements(pool, actor, token, config.sessionHours) });
    }

    const kamId = actors.get('kam')!.actor.userId!;
    const shape: DataShape = {
      accounts: Number((await pool.query('select count(*) from accounts')).rows[0].count),
      contacts: Number((await pool.query('select count(*) from contacts')).rows[0].count),
      kamOwns: Number((await pool.query('select count(*) from accounts where owner_id = $1', [kamId])).rows[0].count),
      kamSees: Number((await pool.query(
        'select count(*) from accounts a where a.owner_id = $1 or exists (select 1 from account_team t where t.account_id = a.id and t.user_id = $1)', [kamId],
      )).rows[0].count),
      directorMatches: 0,
      kamMatches: 0,
    };

    app = await startServer(ensured.url);
    peer = new pg.Pool({ connectionString: ensured.url, max: POOL_SIZE });
    peer.on('error', () => {});
    const postmaster = await findPostmaster(ensured.url);
    for (const user of USERS) {
      const { token, statements } = actors.get(user)!;
      const total = await checkAnswer(app.port, token, peer, statements.pages[0]!, user);
      if (user === 'director') shape.directorMatches = total;
      else shape.kamMatches = total;
    }

    const run = async (user: User, program: Program, seconds: number): Promise<Sample> => {
      const { token, statements } = actors.get(user)!;
      if (program === 'api') return { user, program, ...(await withCpu(app!.pid, postmaster, () => measureApi(autocannon, app!.port, token, seconds))) };
      const pages = program === 'sql'
        ? statements.pages.map((page) => page.slice(0, 2))
        : statements.pages.map((page) => [statements.session, ...page]);
      return { user, program, ...(await withCpu(null, postmaster, () => measureSql(peer!, pages, seconds))) };
    };

    const order = USERS.flatMap((user) => options.programs.map((program) => [user, program] as const));
    log(`  warming up: ${WARM_UP_SECONDS} s of each program for each user`);
    for (const [user, program] of order) await run(user, program, WARM_UP_SECONDS);
    const samples: Sample[] = [];
    for (let round = 0; round < options.runs; round++) {
      // Alternate who goes first, so that neither side always runs on a machine just warmed by the other.
      const sequence = round % 2 === 0 ? order : [...order].reverse();
      for (const [user, program] of sequence) {
        const sample = await run(user, program, options.duration);
        samples.push(sample);
        const summary = summarise(sample);
        const cpu = `CPU ms each: ${summary.serverCpu === null ? '' : `server ${summary.serverCpu.toFixed(1)}, `}PostgreSQL ${summary.postgresCpu?.toFixed(1) ?? '?'}, client ${summary.clientCpu.toFixed(1)}`;
        log(`  ${user} ${program} run ${round + 1}: ${summary.perSecond.toFixed(0)}/s, p50 ${summary.p50.toFixed(1)} ms, p99 ${summary.p99.toFixed(1)} ms, ${sample.errors} errors; ${cpu}`);
      }
    }

    const { table, verdicts } = formatApiTable(samples);
    const errors = samples.reduce((sum, sample) => sum + sample.errors, 0);
    const report =
      `## API: GET /api/v1/accounts against its bare SQL\n\n` +
      `Machine: ${machine} (at the start).\n\n` +
      `Data: ${shape.accounts.toLocaleString('en')} accounts, ${shape.contacts.toLocaleString('en')} contacts (loader version ${LOADER_VERSION}); ` +
      `the KAM owns ${shape.kamOwns.toLocaleString('en')} accounts and sees ${shape.kamSees.toLocaleString('en')}. ` +
      `Filter \`${new URLSearchParams({ ...LIST_QUERY, pageSize: String(PAGE_SIZE) }).toString()}\`, pages 1-${PAGES} in turn: ` +
      `${shape.directorMatches.toLocaleString('en')} matches for the director, ${shape.kamMatches.toLocaleString('en')} for the KAM. ` +
      `${CONNECTIONS} connections (workers) for ${options.duration} s each, ${options.runs} run${options.runs === 1 ? '' : 's'}; pools of ${POOL_SIZE}.\n\n` +
      `${table}\n\n${formatVerdicts(verdicts)} Errors and non-2xx answers: ${errors}.\n`;
    return { report, errors };
  } finally {
    await app?.stop();
    await peer?.end();
    await database?.close();
    await server.stop();
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url) && process.argv[2] === 'serve') {
  await serveForBench();
}
