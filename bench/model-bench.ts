/**
 * The model benchmark (`npm run bench -- --suite model`): fitting the customer-alive model to 100,000
 * clients, against a Python/SciPy fit of the same likelihood on the same data.
 *
 * - The data: 100,000 clients simulated from BG/NBD with known parameters (a seeded PRNG, so every run
 *   fits the same data), first purchases spread over the first year of a two-year window, purchases as
 *   whole days (so that a purchase is a purchase day, as in a ledger), and each purchase's amount from
 *   Gamma-Gamma.
 * - Kamerton: fitBgNbd on the clients' (x, t_x, T) in days, timed in this process (grouping included);
 *   then fitCustomerAlive, the public path, on a DailyLedger of the same purchases: both fits and
 *   every client's P(alive), expected purchases and revenue over 365 days; and again in weeks
 *   (horizon 52), the other time unit a run can use.
 * - The peer: bench/bgnbd_peer.py, the way the `lifetimes` package fits BG/NBD (NumPy over one row per
 *   client, scipy.optimize.minimize with Nelder-Mead on the log-parameters), timed by itself around
 *   the fit only. Skipped, with the reason, when python3, NumPy or SciPy is missing.
 *
 * The report gives each fit's seconds (median of the runs), the recovered parameters and
 * log-likelihood beside the true ones, and the time against SciPy's.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fitBgNbd, type BgNbdParams, type RepeatData } from '../src/core/bgnbd.ts';
import { fitCustomerAlive } from '../src/core/customer-alive.ts';
import type { GammaGammaParams } from '../src/core/gamma-gamma.ts';
import type { DailyLedger } from '../src/core/types.ts';
import { DATA_DIR, ROOT } from './ledgers.ts';
import { median } from './measure.ts';

export const MODEL_CLIENTS = 100_000;
/** Days: first purchases in [0, 365), observed up to day 730. */
export const WINDOW_DAYS = 730;
/** About three purchases a year on average (r/α = 1/120 a day), with most clients dropping out within a few. */
export const TRUE_PARAMS: BgNbdParams = { r: 0.25, alpha: 30, a: 0.8, b: 2.5 };
export const TRUE_SPEND: GammaGammaParams = { p: 6, q: 4, v: 150 };
const SEED = 20250601;

/** Mulberry32: a small, fast, seeded PRNG (uniform in [0, 1)). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Gamma(shape, 1) by Marsaglia & Tsang (2000), with the U^(1/shape) boost below shape 1. */
function gamma(random: () => number, shape: number): number {
  if (shape < 1) return gamma(random, shape + 1) * Math.pow(random() || Number.MIN_VALUE, 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      // Box-Muller for a standard normal.
      x = Math.sqrt(-2 * Math.log(random() || Number.MIN_VALUE)) * Math.cos(2 * Math.PI * random());
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random();
    if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

export type Simulation = { data: RepeatData; ledger: DailyLedger; asOf: number; purchaseDays: number };

/**
 * Simulates `clients` clients: λ ~ Gamma(r, α), p ~ Beta(a, b); purchases a Poisson process of rate λ
 * from the first purchase; after each repeat purchase the client drops out with probability p
 * (FHL 2005, assumptions i-v). A purchase's amount is Gamma(p, ν) with ν ~ Gamma(q, v) per client.
 * Times are whole days, so two purchases on one day are one purchase day, as in a ledger.
 */
export function simulate(clients: number, seed = SEED, params = TRUE_PARAMS, spend = TRUE_SPEND): Simulation {
  const random = seededRandom(seed);
  const x = new Float64Array(clients);
  const tx = new Float64Array(clients);
  const T = new Float64Array(clients);
  const offsets = new Int32Array(clients + 1);
  const days: number[] = [];
  const revenue: number[] = [];
  for (let i = 0; i < clients; i++) {
    const first = Math.floor(random() * 365);
    const lambda = gamma(random, params.r) / params.alpha;
    const ga = gamma(random, params.a);
    const p = ga / (ga + gamma(random, params.b));
    const nu = gamma(random, spend.q) / spend.v;
    const amount = (): number => Math.max(1, Math.round((gamma(random, spend.p) / nu) * 100));
    offsets[i] = days.length;
    days.push(first);
    revenue.push(amount());
    let time = first;
    for (;;) {
      time += -Math.log(1 - random()) / lambda;
      const day = Math.floor(time);
      if (!(day < WINDOW_DAYS)) break;
      if (day !== days[days.length - 1]) {
        days.push(day);
        revenue.push(amount());
      } else {
        revenue[revenue.length - 1]! += amount();
      }
      if (random() < p) break;
    }
    const count = days.length - offsets[i]!;
    x[i] = count - 1;
    tx[i] = days[days.length - 1]! - first;
    T[i] = WINDOW_DAYS - 1 - first;
  }
  offsets[clients] = days.length;
  const n = days.length;
  const ledger: DailyLedger = {
    clients: Array.from({ length: clients }, (_, i) => `K${String(i).padStart(6, '0')}`),
    names: new Array<string | null>(clients).fill(null),
    offsets,
    days: Int32Array.from(days),
    revenue: Float64Array.from(revenue),
    margin: new Float64Array(n),
    lines: new Uint32Array(n).fill(1),
    purchaseLines: new Uint32Array(n).fill(1),
    hasMargin: false,
  };
  return { data: { x, tx, T }, ledger, asOf: WINDOW_DAYS - 1, purchaseDays: n };
}

export type PeerResult = { seconds: number; r: number; alpha: number; a: number; b: number; logLikelihood: number; converged: boolean; iterations: number; evaluations: number };

/** The peer's one line of JSON, checked field by field. */
export function parsePeerOutput(text: string): PeerResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.trim());
  } catch {
    throw new Error(`the SciPy peer printed no JSON: ${text.slice(0, 200)}`);
  }
  const record = parsed as Record<string, unknown>;
  for (const key of ['seconds', 'r', 'alpha', 'a', 'b', 'logLikelihood', 'iterations', 'evaluations']) {
    if (typeof record[key] !== 'number' || !Number.isFinite(record[key])) throw new Error(`the SciPy peer's ${key} is not a finite number: ${String(record[key])}`);
  }
  if (typeof record.converged !== 'boolean') throw new Error('the SciPy peer did not say whether it converged');
  return record as PeerResult;
}

/** Null when the peer can run, else why not. */
export function peerUnavailable(python = 'python3'): string | null {
  const probe = spawnSync(python, ['-c', 'import numpy, scipy'], { encoding: 'utf8' });
  if (probe.error !== undefined) return `${python} is not installed (${probe.error.message})`;
  if (probe.status !== 0) return `${python} lacks NumPy or SciPy: ${probe.stderr.trim().split('\n').pop() ?? ''}`;
  return null;
}

export type ModelRow = { label: string; seconds: number[]; params: BgNbdParams | null; logLikelihood: number | null; converged: boolean | null; note: string };

const fmt = (v: number, digits = 4): string => v.toFixed(digits);

export function formatModelTable(rows: ModelRow[], peerLabel: string): string {
  const peer = rows.find((row) => row.label === peerLabel);
  const lines = [
    '| fit | runs | median s | r | α (days) | a | b | log-likelihood | converged | time vs SciPy |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|---:|',
  ];
  for (const row of rows) {
    const seconds = row.seconds.length === 0 ? '' : fmt(median(row.seconds), 3);
    const ratio = peer === undefined || row.seconds.length === 0 || peer.seconds.length === 0 ? '' : `${(median(row.seconds) / median(peer.seconds)).toFixed(3)}x`;
    const p = row.params;
    lines.push(
      `| ${row.label}${row.note === '' ? '' : ` (${row.note})`} | ${row.seconds.length} | ${seconds} | ${p === null ? '' : fmt(p.r)} | ${p === null ? '' : fmt(p.alpha, 3)} | ${p === null ? '' : fmt(p.a)} | ${p === null ? '' : fmt(p.b)} | ${row.logLikelihood === null ? '' : row.logLikelihood.toFixed(2)} | ${row.converged === null ? '' : row.converged ? 'yes' : 'NO'} | ${ratio} |`,
    );
  }
  return lines.join('\n');
}

export type ModelBenchOptions = { runs: number; clients?: number; log: (line: string) => void };

/** Runs the suite; `problems` counts fits that did not converge (a benchmark whose fit fails is no benchmark). */
export async function runModelBench(options: ModelBenchOptions): Promise<{ report: string; problems: number }> {
  const clients = options.clients ?? MODEL_CLIENTS;
  const { log } = options;
  log(`Model: simulating ${clients.toLocaleString('en')} clients from BG/NBD r ${TRUE_PARAMS.r}, α ${TRUE_PARAMS.alpha}, a ${TRUE_PARAMS.a}, b ${TRUE_PARAMS.b} (days)`);
  const simulation = simulate(clients);
  let problems = 0;

  const ours: ModelRow = { label: 'Kamerton fitBgNbd', seconds: [], params: null, logLikelihood: null, converged: null, note: '' };
  const publicPath: ModelRow = { label: 'Kamerton fitCustomerAlive', seconds: [], params: null, logLikelihood: null, converged: null, note: 'BG/NBD + Gamma-Gamma + 3 figures per client' };
  const inWeeks: ModelRow = { label: 'Kamerton fitCustomerAlive', seconds: [], params: null, logLikelihood: null, converged: null, note: 'in weeks, horizon 52; α shown in days, LL in weeks' };
  for (let run = 0; run < options.runs; run++) {
    let started = performance.now();
    const fit = fitBgNbd(simulation.data);
    ours.seconds.push((performance.now() - started) / 1000);
    ours.params = fit.params;
    ours.logLikelihood = fit.logLikelihood;
    ours.converged = fit.converged;
    log(`  fitBgNbd run ${run + 1}: ${ours.seconds[run]!.toFixed(3)} s, ${fit.iterations} iterations`);
    started = performance.now();
    const model = fitCustomerAlive(simulation.ledger, simulation.asOf, { timeUnit: 'day', horizon: 365 });
    publicPath.seconds.push((performance.now() - started) / 1000);
    publicPath.params = model.summary.params;
    publicPath.logLikelihood = model.summary.logLikelihood;
    publicPath.converged = model.summary.converged && model.summary.spend !== null;
    log(`  fitCustomerAlive run ${run + 1}: ${publicPath.seconds[run]!.toFixed(3)} s, ${model.summary.iterations} iterations; spend ${JSON.stringify(model.summary.spend?.params ?? null)}`);
    // The same clients in weeks (the server's other time unit): the same fit with α scaled by 7.
    started = performance.now();
    const weekly = fitCustomerAlive(simulation.ledger, simulation.asOf, { timeUnit: 'week', horizon: 52 });
    inWeeks.seconds.push((performance.now() - started) / 1000);
    inWeeks.params = { ...weekly.summary.params, alpha: weekly.summary.params.alpha * 7 };
    inWeeks.logLikelihood = weekly.summary.logLikelihood;
    inWeeks.converged = weekly.summary.converged && weekly.summary.spend !== null;
    log(`  fitCustomerAlive in weeks run ${run + 1}: ${inWeeks.seconds[run]!.toFixed(3)} s, ${weekly.summary.iterations} iterations`);
  }
  if (ours.converged !== true) problems++;
  if (publicPath.converged !== true) problems++;
  if (inWeeks.converged !== true) problems++;

  const truth: ModelRow = { label: 'true parameters', seconds: [], params: TRUE_PARAMS, logLikelihood: null, converged: null, note: '' };
  const peerLabel = 'SciPy Nelder-Mead (lifetimes-style)';
  const peer: ModelRow = { label: peerLabel, seconds: [], params: null, logLikelihood: null, converged: null, note: '' };
  const unavailable = peerUnavailable();
  let peerNote = '';
  if (unavailable !== null) {
    peerNote = `The SciPy peer was skipped: ${unavailable}.`;
    log(`  ${peerNote}`);
  } else {
    mkdirSync(DATA_DIR, { recursive: true });
    const rowsPath = join(DATA_DIR, 'model-rows.csv');
    const { x, tx, T } = simulation.data;
    let csv = '';
    for (let i = 0; i < x.length; i++) csv += `${x[i]},${tx[i]},${T[i]}\n`;
    writeFileSync(rowsPath, csv);
    for (let run = 0; run < options.runs; run++) {
      const result = spawnSync('python3', [join(ROOT, 'bench', 'bgnbd_peer.py'), rowsPath], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (result.status !== 0) throw new Error(`the SciPy peer failed (${result.status}): ${result.stderr.trim().slice(-2000)}`);
      const parsed = parsePeerOutput(result.stdout);
      peer.seconds.push(parsed.seconds);
      peer.params = { r: parsed.r, alpha: parsed.alpha, a: parsed.a, b: parsed.b };
      peer.logLikelihood = parsed.logLikelihood;
      peer.converged = parsed.converged;
      peer.note = `${parsed.evaluations} evaluations`;
      log(`  SciPy run ${run + 1}: ${parsed.seconds.toFixed(3)} s, ${parsed.iterations} iterations, ${parsed.evaluations} evaluations`);
    }
  }
  const table = formatModelTable([truth, ours, publicPath, inWeeks, ...(unavailable === null ? [peer] : [])], peerLabel);
  const report =
    `Model: BG/NBD on ${clients.toLocaleString('en')} simulated clients (${simulation.purchaseDays.toLocaleString('en')} purchase days, ` +
    `${Array.from(simulation.data.x).filter((v) => v > 0).length.toLocaleString('en')} repeat buyers), in days.\n\n${table}\n` +
    (peerNote === '' ? '' : `\n${peerNote}\n`);
  return { report, problems };
}
