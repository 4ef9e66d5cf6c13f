/**
 * The customer-alive model of a ledger: BG/NBD for whether a client still buys and how often it will
 * (src/core/bgnbd.ts), and Gamma-Gamma for how much it spends per purchase (src/core/gamma-gamma.ts),
 * fitted by maximum likelihood on every client with a purchase up to the as-of date.
 *
 * Conventions (Fader, Hardie & Lee 2005; docs/analysis.md): a purchase is a distinct purchase day (a
 * day with at least one purchase line, so same-day lines count once); x = purchase days after the
 * first, up to asOf; t_x = last purchase day − first; T = asOf − first; in days, or in days / 7 for
 * weeks. zbar = the mean net revenue of the repeat purchase days, in złote.
 */
import type { DayNumber } from './calendar.ts';
import { formatDay } from './calendar.ts';
import { KamertonError } from './errors.ts';
import type { DailyLedger } from './types.ts';
import { fitBgNbd, forecastClients, type BgNbdParams } from './bgnbd.ts';
import { expectedAverageSpend, fitGammaGamma, type GammaGammaParams } from './gamma-gamma.ts';

export type { BgNbdParams } from './bgnbd.ts';
export type { GammaGammaParams } from './gamma-gamma.ts';

export type TimeUnit = 'day' | 'week';
export const TIME_UNITS: readonly TimeUnit[] = ['day', 'week'];
export const DEFAULT_HORIZON: Readonly<Record<TimeUnit, number>> = Object.freeze({ day: 365, week: 52 });
export type ModelOptions = { timeUnit: TimeUnit; horizon: number };

const DAYS_PER_UNIT: Record<TimeUnit, number> = { day: 1, week: 7 };

/** What the JSON document's `model` key holds (and analysis_runs.model). alpha and v are in the time unit / in złote. */
export type ModelSummary = {
  name: 'bgnbd';
  params: BgNbdParams;
  logLikelihood: number;
  converged: boolean;
  iterations: number;
  timeUnit: TimeUnit;
  horizon: number;
  /** Clients the model was fitted on (a purchase up to the as-of date), and how many had a repeat purchase. */
  clients: number;
  repeatBuyers: number;
  /** The Gamma-Gamma spend model on the repeat buyers with a positive average repeat spend; null when it could not be fitted (fewer than 2 such buyers, or no convergence to a finite q > 1). */
  spend: { name: 'gamma-gamma'; params: GammaGammaParams; logLikelihood: number; converged: boolean; clients: number } | null;
};

/** One client's figures; money in złote (major units). */
export type ClientModel = {
  /** x: purchase days after the first, up to asOf. */
  repeatPurchases: number;
  /** t_x in the time unit. */
  recency: number;
  /** T in the time unit. */
  age: number;
  /** P(alive | x, t_x, T), in [0, 1]. */
  pAlive: number;
  /** E[Y(horizon) | x, t_x, T] >= 0. */
  expectedPurchases: number;
  /**
   * expectedPurchases × E(M | x, zbar). Without a spend model, expectedPurchases × the client's own
   * mean revenue per repeat purchase day (its first purchase day's when it has no repeat purchase or
   * their mean is not positive); null when that is not positive.
   */
  expectedRevenue: number | null;
};

function checkOptions(asOf: DayNumber, options: ModelOptions): void {
  if (!(TIME_UNITS as readonly string[]).includes(options.timeUnit)) {
    throw new KamertonError('invalid-input', `The time unit must be one of ${TIME_UNITS.join(', ')}, got ${String(options.timeUnit)}`, { field: 'timeUnit', value: String(options.timeUnit) });
  }
  if (!(Number.isSafeInteger(options.horizon) && options.horizon > 0)) {
    throw new KamertonError('invalid-input', `The horizon must be a positive whole number of ${options.timeUnit}s, got ${String(options.horizon)}`, { field: 'horizon', value: String(options.horizon) });
  }
  if (!Number.isSafeInteger(asOf)) throw new KamertonError('invalid-input', `The as-of date must be a whole day number, got ${String(asOf)}`, { field: 'asOf', value: String(asOf) });
}

/**
 * Fits BG/NBD (and Gamma-Gamma) on every client of `ledger` with a purchase day (purchaseLines > 0)
 * on or before `asOf`; days after asOf are ignored. Result `clients[i]` belongs to ledger.clients[i]
 * (null: no purchase up to asOf). Throws KamertonError('invalid-input', ..., { field }) for bad options
 * (horizon not a positive whole number, unknown time unit) and when there is no client to fit.
 *
 * A client with no repeat purchase (x = 0) is fitted like every other: it tells the model about λ
 * (no purchase in T) and nothing about p. BG/NBD lets a client drop out only right after a purchase,
 * so such a client's P(alive) is 1; its expected purchases still fall with its age T. For spend it
 * gets the population mean p v / (q − 1), as does a repeat buyer whose mean repeat spend is not
 * positive (returns outweighing purchases), who is also left out of the Gamma-Gamma fit.
 */
export function fitCustomerAlive(ledger: DailyLedger, asOf: DayNumber, options: ModelOptions): { summary: ModelSummary; clients: (ClientModel | null)[] } {
  checkOptions(asOf, options);
  const unit = DAYS_PER_UNIT[options.timeUnit];
  // One pass over the ledger into typed arrays (the fit and the figures need nothing else): row k of
  // x, tx, T and repeatRevenue belongs to ledger client fittedClient[k].
  const count = ledger.clients.length;
  const fittedClient = new Int32Array(count);
  const xAll = new Float64Array(count);
  const txAll = new Float64Array(count);
  const TAll = new Float64Array(count);
  const revenueAll = new Float64Array(count);
  const firstRevenueAll = new Float64Array(count);
  let fitted = 0;
  let repeatBuyers = 0;
  const spendX: number[] = [];
  const spendZbar: number[] = [];
  for (let client = 0; client < count; client++) {
    let first = -1;
    let last = -1;
    let repeatDays = 0;
    let repeatRevenue = 0;
    let firstRevenue = 0;
    for (let j = ledger.offsets[client]!; j < ledger.offsets[client + 1]!; j++) {
      const day = ledger.days[j]!;
      // Days are ascending, so nothing after asOf can follow.
      if (day > asOf) break;
      if (ledger.purchaseLines[j]! === 0) continue;
      if (first < 0) {
        first = day;
        firstRevenue = ledger.revenue[j]!;
      } else {
        repeatDays++;
        repeatRevenue += ledger.revenue[j]!;
      }
      last = day;
    }
    if (first < 0) continue;
    fittedClient[fitted] = client;
    xAll[fitted] = repeatDays;
    txAll[fitted] = (last - first) / unit;
    TAll[fitted] = (asOf - first) / unit;
    revenueAll[fitted] = repeatRevenue;
    firstRevenueAll[fitted] = firstRevenue;
    fitted++;
    if (repeatDays > 0) repeatBuyers++;
    if (repeatDays > 0 && repeatRevenue > 0) {
      spendX.push(repeatDays);
      spendZbar.push(repeatRevenue / 100 / repeatDays);
    }
  }
  if (fitted === 0) {
    throw new KamertonError('invalid-input', `No client has a purchase on or before ${formatDay(asOf)}, so there is nothing to fit the model on`, { field: 'asOf', value: formatDay(asOf) });
  }
  const data = { x: xAll.subarray(0, fitted), tx: txAll.subarray(0, fitted), T: TAll.subarray(0, fitted) };
  const bgnbd = fitBgNbd(data);
  const spend = fitSpend(spendX, spendZbar);
  const summary: ModelSummary = {
    name: 'bgnbd',
    params: bgnbd.params,
    logLikelihood: bgnbd.logLikelihood,
    converged: bgnbd.converged,
    iterations: bgnbd.iterations,
    timeUnit: options.timeUnit,
    horizon: options.horizon,
    clients: fitted,
    repeatBuyers,
    spend,
  };
  const forecast = forecastClients(bgnbd.params, options.horizon, data);
  const populationMean = spend === null ? null : expectedAverageSpend(spend.params, 0, 0);
  const clients = new Array<ClientModel | null>(count).fill(null);
  for (let k = 0; k < fitted; k++) {
    const xi = data.x[k]!;
    const revenue = revenueAll[k]!;
    const expectedPurchases = forecast.expectedPurchases[k]!;
    let expectedRevenue: number | null = null;
    if (spend !== null) {
      expectedRevenue = expectedPurchases * (xi > 0 && revenue > 0 ? expectedAverageSpend(spend.params, xi, revenue / 100 / xi) : populationMean!);
    } else {
      // Without a spend model, the client's own mean: the limit of the Gamma-Gamma conditional mean
      // (v + x zbar) p / (px + q - 1) as p grows without bound, which is where the fit runs off to
      // when each client's spend barely varies from one purchase to the next (B2B ledgers of
      // regular orders do this). A client without a repeat purchase is valued at its first.
      const own = xi > 0 && revenue > 0 ? revenue / 100 / xi : firstRevenueAll[k]! / 100;
      if (own > 0) expectedRevenue = expectedPurchases * own;
    }
    clients[fittedClient[k]!] = { repeatPurchases: xi, recency: data.tx[k]!, age: data.T[k]!, pAlive: forecast.pAlive[k]!, expectedPurchases, expectedRevenue };
  }
  return { summary, clients };
}

/** Gamma-Gamma on the repeat buyers with a positive mean spend, or null when it cannot give a finite population mean. */
function fitSpend(x: number[], zbar: number[]): ModelSummary['spend'] {
  if (x.length < 2) return null;
  // In (x, zbar) order, so that the sums, and so the fit's last digits, do not depend on the order the
  // clients come in (a file and the stored ledger list them differently).
  const order = x.map((_, i) => i).sort((i, j) => x[i]! - x[j]! || zbar[i]! - zbar[j]!);
  const fit = fitGammaGamma(Float64Array.from(order, (i) => x[i]!), Float64Array.from(order, (i) => zbar[i]!));
  const { p, q, v } = fit.params;
  if (!fit.converged || !(q > 1) || ![p, q, v].every(Number.isFinite)) return null;
  return { name: 'gamma-gamma', params: fit.params, logLikelihood: fit.logLikelihood, converged: fit.converged, clients: x.length };
}

/**
 * Actual repeat purchase days of each ledger client in (after, upTo] (both DayNumbers), for the holdout
 * of model-check. A client's first purchase day ever is not a repeat purchase, so it is not counted
 * even when it falls in the interval.
 */
export function countPurchaseDays(ledger: DailyLedger, after: DayNumber, upTo: DayNumber): Int32Array {
  if (!Number.isSafeInteger(after)) throw new KamertonError('invalid-input', `The start of the holdout must be a whole day number, got ${String(after)}`, { field: 'after', value: String(after) });
  if (!Number.isSafeInteger(upTo)) throw new KamertonError('invalid-input', `The end of the holdout must be a whole day number, got ${String(upTo)}`, { field: 'upTo', value: String(upTo) });
  const counts = new Int32Array(ledger.clients.length);
  for (let i = 0; i < ledger.clients.length; i++) {
    let seenFirst = false;
    let count = 0;
    for (let j = ledger.offsets[i]!; j < ledger.offsets[i + 1]!; j++) {
      if (ledger.purchaseLines[j]! === 0) continue;
      const day = ledger.days[j]!;
      if (!seenFirst) {
        seenFirst = true;
        continue;
      }
      if (day > upTo) break;
      if (day > after) count++;
    }
    counts[i] = count;
  }
  return counts;
}
