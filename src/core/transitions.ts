/**
 * Comparing two analysis runs: which accounts moved between the nine ABC-XYZ segments, which entered
 * and which left, and how the movers' revenue and buying frequency changed. Any two runs can be
 * compared, whatever their windows and parameters; the comparison only reads each run's published
 * segments and figures, so a frequency is always taken against the run's own window.
 *
 * Definitions: docs/analysis.md, "Comparing two runs".
 */
import { compareCodePoints } from './code-point-order.ts';
import { KamertonError } from './errors.ts';
import type { Segment } from './types.ts';
import { SEGMENTS } from './types.ts';

/** One account of a run. `periods` is the number of periods of the run's window, so its frequency is activePeriods / periods. */
export type RunEntry = {
  account: string;
  segment: Segment;
  revenue: number;
  activePeriods: number;
  periods: number;
};

/**
 * An account whose segment changed, or that is in only one of the runs (then `from` or `to` is null,
 * and so are the figures of the run it is missing from and the changes).
 */
export type Mover = {
  account: string;
  from: Segment | null;
  to: Segment | null;
  revenueBefore: number | null;
  revenueAfter: number | null;
  /** revenueAfter - revenueBefore; null unless the account is in both runs. */
  revenueChange: number | null;
  frequencyBefore: number | null;
  frequencyAfter: number | null;
  /** frequencyAfter - frequencyBefore, in shares of each run's periods; null unless the account is in both runs. */
  frequencyChange: number | null;
};

/** A count per pair of segments: the first key is the earlier run's segment, the second the later run's. */
export type SegmentMatrix = Record<Segment, Record<Segment, number>>;

export type Transitions = {
  /** From (the earlier run) to (the later run): the number of accounts in both runs. */
  matrix: SegmentMatrix;
  /** Accounts only in the later run, by their segment there. */
  entered: Record<Segment, number>;
  /** Accounts only in the earlier run, by their segment there. */
  left: Record<Segment, number>;
  /** Accounts in both runs with the same segment. */
  stayed: number;
  /** Accounts in both runs whose segment changed. */
  moved: number;
  /**
   * Every account that moved, entered or left, by the size of its revenue change descending (those
   * without one, the entered and the left, last), ties by account in code-point order.
   */
  movers: Mover[];
};

/** Compares an earlier run (`before`) with a later one (`after`). Neither may list an account twice. */
export function compareRuns(before: readonly RunEntry[], after: readonly RunEntry[]): Transitions {
  const earlier = indexRun(before, 'before');
  const later = indexRun(after, 'after');

  const matrix = segmentRecord(() => segmentRecord(() => 0));
  const entered = segmentRecord(() => 0);
  const left = segmentRecord(() => 0);
  let stayed = 0;
  let moved = 0;
  const movers: Mover[] = [];

  for (const [account, b] of earlier) {
    const a = later.get(account);
    if (a === undefined) {
      left[b.segment]++;
      movers.push(mover(account, b, null));
      continue;
    }
    matrix[b.segment][a.segment]++;
    if (a.segment === b.segment) {
      stayed++;
    } else {
      moved++;
      movers.push(mover(account, b, a));
    }
  }
  for (const [account, a] of later) {
    if (earlier.has(account)) continue;
    entered[a.segment]++;
    movers.push(mover(account, null, a));
  }

  movers.sort(compareMovers);
  return { matrix, entered, left, stayed, moved, movers };
}

function mover(account: string, b: RunEntry | null, a: RunEntry | null): Mover {
  const frequencyBefore = b === null ? null : b.activePeriods / b.periods;
  const frequencyAfter = a === null ? null : a.activePeriods / a.periods;
  return {
    account,
    from: b === null ? null : b.segment,
    to: a === null ? null : a.segment,
    revenueBefore: b === null ? null : b.revenue,
    revenueAfter: a === null ? null : a.revenue,
    revenueChange: a === null || b === null ? null : a.revenue - b.revenue,
    frequencyBefore,
    frequencyAfter,
    frequencyChange: frequencyBefore === null || frequencyAfter === null ? null : frequencyAfter - frequencyBefore,
  };
}

/**
 * The biggest revenue swings first, because they are the moves a manager acts on. An account that
 * entered or left has no change to compare (it was not analysed in the other run, which is not the
 * same as having sold nothing), so those come after every account with a change. Accounts are unique
 * among the movers, so the code-point tie-break makes the order total and the same on every machine.
 */
function compareMovers(x: Mover, y: Mover): number {
  const cx = x.revenueChange;
  const cy = y.revenueChange;
  if (cx !== null || cy !== null) {
    if (cx === null) return 1;
    if (cy === null) return -1;
    const ax = Math.abs(cx);
    const ay = Math.abs(cy);
    if (ax !== ay) return ax > ay ? -1 : 1;
  }
  return compareCodePoints(x.account, y.account);
}

/**
 * Runs come from storage or from callers this module cannot see, so the entries are checked: a
 * duplicate account would be counted twice in the matrix, and a period count of zero would make a
 * frequency of NaN.
 */
function indexRun(run: readonly RunEntry[], side: 'before' | 'after'): Map<string, RunEntry> {
  const byAccount = new Map<string, RunEntry>();
  for (const entry of run) {
    const { account, segment, revenue, activePeriods, periods } = entry;
    const fail = (field: string, message: string, value: unknown): never => {
      throw new KamertonError('invalid-input', `The ${side} run: ${message}`, { field: `${side}.${field}`, account, value: String(value) });
    };
    if (typeof account !== 'string') fail('account', `an account identifier must be text (got ${String(account)}).`, account);
    if (byAccount.has(account)) fail('account', `account ${account} is listed twice.`, account);
    if (!SEGMENTS.includes(segment)) fail('segment', `account ${account} has no valid segment (got ${String(segment)}).`, segment);
    if (typeof revenue !== 'number' || !Number.isFinite(revenue)) {
      fail('revenue', `the revenue of account ${account} must be a finite number (got ${String(revenue)}).`, revenue);
    }
    if (!Number.isSafeInteger(periods) || periods < 1) {
      fail('periods', `the periods of account ${account}'s window must be a whole number, 1 or more (got ${String(periods)}).`, periods);
    }
    if (!Number.isSafeInteger(activePeriods) || activePeriods < 0 || activePeriods > periods) {
      fail(
        'activePeriods',
        `the active periods of account ${account} must be a whole number from 0 to ${periods} (got ${String(activePeriods)}).`,
        activePeriods,
      );
    }
    byAccount.set(account, entry);
  }
  return byAccount;
}

function segmentRecord<T>(make: () => T): Record<Segment, T> {
  const record = {} as Record<Segment, T>;
  for (const segment of SEGMENTS) record[segment] = make();
  return record;
}
