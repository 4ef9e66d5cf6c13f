/**
 * The `model-check` use-case: how well the customer-alive model predicts, on the user's own ledger.
 * The ledger is split at the calibration end; BG/NBD is fitted on the calibration part, and each
 * client's expected repeat purchases over the holdout, E[Y(t) | x, t_x, T] (Fader, Hardie & Lee 2005),
 * is set against the purchase days the client actually had in the holdout. The
 * comparison is given in total and per calibration frequency (x = 0, 1, ..., 6, 7+), which is FHL's
 * check of the conditional expectations: a model that tracks the total but not the groups
 * gets the right answer for the wrong reason.
 *
 * Only the calibration cohort counts: the clients with a purchase day on or before the calibration
 * end. A client whose first purchase falls in the holdout has no calibration history to predict
 * from (the model says nothing about new clients), so it is left out and counted.
 */
import { formatDay, type DayNumber } from '../core/calendar.ts';
import { expectedRepeatPurchases } from '../core/bgnbd.ts';
import { countPurchaseDays, fitCustomerAlive, type ModelSummary, type TimeUnit } from '../core/customer-alive.ts';
import { KamertonError } from '../core/errors.ts';
import { releaseDailyLedger } from '../ingest/client-day-table.ts';
import { readDailyLedger } from '../ingest/read-ledger.ts';
import type { ReadInfo, ReadOptions } from '../ingest/types.ts';

export type ModelCheckOptions = {
  /** The last day of the calibration period: the model's as-of date. */
  calibrationEnd: DayNumber;
  /** The last day of the holdout; null means the ledger's last date. */
  holdoutEnd: DayNumber | null;
  timeUnit: TimeUnit;
};

/** One calibration-frequency group of the conditional-expectations table. */
export type FrequencyGroup = {
  /** `0` ... `6`, then `7+`. */
  label: string;
  /** The repeat purchases in the calibration period this group covers: from .. to, to null for "or more". */
  from: number;
  to: number | null;
  clients: number;
  /** Repeat purchase days in the holdout, summed over the group's clients. */
  actual: number;
  predicted: number;
  /** Per client; null for an empty group. */
  meanActual: number | null;
  meanPredicted: number | null;
};

export type ModelCheck = {
  model: Pick<ModelSummary, 'name' | 'params' | 'logLikelihood' | 'converged' | 'iterations' | 'timeUnit' | 'clients' | 'repeatBuyers'>;
  calibration: {
    /** The ledger's first date. */
    from: string;
    to: string;
    /** The calibration cohort: clients with a purchase day up to the calibration end. */
    clients: number;
    /** Clients whose first purchase day is after the calibration end: not predicted, not counted. */
    leftOut: number;
  };
  holdout: {
    /** The day after the calibration end. */
    from: string;
    to: string;
    days: number;
    /** The holdout's length t in the time unit (days / 7 in weeks), the horizon of the prediction. */
    length: number;
  };
  /** The cohort's repeat purchase days in the holdout; relativeError = (predicted - actual) / actual, null when actual is 0. */
  total: { actual: number; predicted: number; relativeError: number | null };
  groups: FrequencyGroup[];
};

/** The groups of the table: 0 to 6 repeat purchases one by one, then 7 or more, as FHL 2005 group them. */
const LAST_SINGLE_GROUP = 6;

/** The errors name the option; the command line puts its flag in their place (src/cli/model-check.command.ts). */
export async function checkModelOnFile(
  path: string,
  read: ReadOptions,
  options: ModelCheckOptions,
): Promise<ModelCheck & { info: ReadInfo }> {
  const { ledger, ...info } = await readDailyLedger(path, read);
  try {
    if (ledger.clients.length === 0) {
      throw new KamertonError('invalid-input', `${path}: the ledger has no usable lines`, { file: path });
    }
    let firstDay = Number.POSITIVE_INFINITY;
    let lastDay = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < ledger.clients.length; i++) {
      const s = ledger.offsets[i] as number;
      const e = ledger.offsets[i + 1] as number;
      if (e <= s) continue;
      firstDay = Math.min(firstDay, ledger.days[s] as number);
      lastDay = Math.max(lastDay, ledger.days[e - 1] as number);
    }
    const { calibrationEnd, timeUnit } = options;
    const range = `${formatDay(firstDay)} .. ${formatDay(lastDay)}`;
    if (calibrationEnd < firstDay || calibrationEnd >= lastDay) {
      throw new KamertonError(
        'invalid-input',
        `The calibration end ${formatDay(calibrationEnd)} must fall within the ledger's dates (${range}) and before the last, ` +
          'so that a holdout follows it.',
        { field: 'calibrationEnd', value: formatDay(calibrationEnd) },
      );
    }
    const holdoutEnd = options.holdoutEnd ?? lastDay;
    if (holdoutEnd <= calibrationEnd) {
      throw new KamertonError(
        'invalid-input',
        `The holdout end ${formatDay(holdoutEnd)} must come after the calibration end ${formatDay(calibrationEnd)}.`,
        { field: 'holdoutEnd', value: formatDay(holdoutEnd) },
      );
    }
    // Days after the ledger's last date would count as days without a purchase when the ledger
    // simply stops there, and the model would look worse than it is.
    if (holdoutEnd > lastDay) {
      throw new KamertonError(
        'invalid-input',
        `The holdout end ${formatDay(holdoutEnd)} is after the ledger's last date ${formatDay(lastDay)}: the ledger cannot show those days' purchases.`,
        { field: 'holdoutEnd', value: formatDay(holdoutEnd) },
      );
    }
    const days = holdoutEnd - calibrationEnd;
    const length = timeUnit === 'week' ? days / 7 : days;
    // The fit's own horizon is not used: the prediction below is for the holdout's exact length,
    // which need not be a whole number of weeks.
    const fitted = fitCustomerAlive(ledger, calibrationEnd, { timeUnit, horizon: Math.max(1, Math.ceil(length)) });
    const actualDays = countPurchaseDays(ledger, calibrationEnd, holdoutEnd);
    const groups: FrequencyGroup[] = [];
    for (let x = 0; x <= LAST_SINGLE_GROUP + 1; x++) {
      const last = x > LAST_SINGLE_GROUP;
      groups.push({ label: last ? `${x}+` : String(x), from: x, to: last ? null : x, clients: 0, actual: 0, predicted: 0, meanActual: null, meanPredicted: null });
    }
    let leftOut = 0;
    let cohort = 0;
    for (let i = 0; i < ledger.clients.length; i++) {
      const m = fitted.clients[i] ?? null;
      if (m === null) {
        if (hasPurchaseDay(ledger.purchaseLines, ledger.offsets[i] as number, ledger.offsets[i + 1] as number)) leftOut++;
        continue;
      }
      cohort++;
      const group = groups[Math.min(m.repeatPurchases, LAST_SINGLE_GROUP + 1)] as FrequencyGroup;
      group.clients++;
      group.actual += actualDays[i] as number;
      group.predicted += expectedRepeatPurchases(fitted.summary.params, length, m.repeatPurchases, m.recency, m.age);
    }
    for (const g of groups) {
      if (g.clients === 0) continue;
      g.meanActual = g.actual / g.clients;
      g.meanPredicted = g.predicted / g.clients;
    }
    const actual = groups.reduce((sum, g) => sum + g.actual, 0);
    const predicted = groups.reduce((sum, g) => sum + g.predicted, 0);
    const s = fitted.summary;
    return {
      model: {
        name: s.name,
        params: s.params,
        logLikelihood: s.logLikelihood,
        converged: s.converged,
        iterations: s.iterations,
        timeUnit: s.timeUnit,
        clients: s.clients,
        repeatBuyers: s.repeatBuyers,
      },
      calibration: { from: formatDay(firstDay), to: formatDay(calibrationEnd), clients: cohort, leftOut },
      holdout: { from: formatDay(calibrationEnd + 1), to: formatDay(holdoutEnd), days, length },
      total: { actual, predicted, relativeError: actual === 0 ? null : (predicted - actual) / actual },
      groups,
      info,
    };
  } finally {
    await releaseDailyLedger(ledger);
  }
}

function hasPurchaseDay(purchaseLines: Uint32Array, start: number, end: number): boolean {
  for (let k = start; k < end; k++) if ((purchaseLines[k] as number) > 0) return true;
  return false;
}
