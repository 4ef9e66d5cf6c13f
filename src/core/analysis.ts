/**
 * The analysis of a sales ledger: the window, ABC and XYZ classes, the 3x3 matrix, the key clients
 * and their band, activity (active, slipping, lost) and growth. Every definition is in
 * docs/analysis.md, with where it comes from; the semantics are those of the lead's decisions for
 * issue 2.
 *
 * The ledger arrives rolled up per client and per day (`DailyLedger`), and a benchmark runs this on
 * 100,000 clients with millions of (client, day) entries, so the work is one pass over the typed
 * arrays with per-client scalars and a few reused scratch arrays: no object per day, a table from
 * window day to period instead of calendar arithmetic per entry, and BigInt only where a float
 * comparison lands within a rounding error of a cut-off.
 */
import { classifyAbc, rankClients } from './abc.ts';
import { addMonths, formatDay, periodEnd, periodIndex, periodStart } from './calendar.ts';
import { KamertonError } from './errors.ts';
import { compareCodePoints } from './code-point-order.ts';
import { compareProducts } from './exact.ts';
import type {
  AbcClass, Activity, AnalysisParams, AnalysisResult, ClientResult, DailyLedger, DossierFacts, KeyBand, KeyClientType,
  MatrixCell, Segment, XyzClass,
} from './types.ts';
import { SEGMENTS } from './types.ts';
import { classifyCv, classifyFrequency, coefficientOfVariation } from './xyz.ts';

/** Promising: the first purchase at most this many days before the as-of date. */
export const PROMISING_DAYS = 180;

/** The share of revenue usual for key accounts, in percent, both bounds inclusive (Kamerton's KAM method). */
export const KEY_BAND_PERCENT: readonly [number, number] = [30, 55];

/**
 * The average month, 365.25 / 12 = 30.4375 days = 487 / 16, kept as a fraction so that the
 * promising rule can be decided in integers.
 */
const MONTH_DAYS_NUMERATOR = 487;
const MONTH_DAYS_DENOMINATOR = 16;

/** 365.25 days = 1461 / 4, the average year, kept as a fraction for the budget rule. */
const YEAR_DAYS_QUARTERS = 1461;

/** "No day": below every real day number. */
const NO_DAY = -2147483648;

const ACTIVE = 0;
const SLIPPING = 1;
const LOST = 2;
const ACTIVITIES: readonly Activity[] = ['active', 'slipping', 'lost'];
const XYZ_CLASSES: readonly XyzClass[] = ['X', 'Y', 'Z'];

/**
 * The analysis of `ledger`. With `dossier` (the server's analysis runs), the key-client types a ledger
 * cannot show are added from what the account dossiers record: image-maker and expert as the managers
 * marked them, and promising for a new account (no purchase more than 180 days before the as-of date)
 * whose yearly budget is at least the A clients' median yearly revenue. Dossier entries of clients
 * the ledger does not hold come back in `prospects` when they have a type.
 */
export function analyzeLedger(ledger: DailyLedger, params: AnalysisParams, dossier?: ReadonlyMap<string, DossierFacts>): AnalysisResult {
  validateParams(params, ledger.hasMargin);
  checkShape(ledger);
  const { clients, names, offsets, days, purchaseLines, hasMargin } = ledger;
  const clientCount = clients.length;
  const { period, xyzMode } = params;

  let firstDay = Infinity;
  let lastDay = -Infinity;
  let maxEntries = 0;
  for (let i = 0; i < clientCount; i++) {
    const s = offsets[i] as number;
    const e = offsets[i + 1] as number;
    if (e > s) {
      firstDay = Math.min(firstDay, days[s] as number);
      lastDay = Math.max(lastDay, days[e - 1] as number);
      maxEntries = Math.max(maxEntries, e - s);
    }
  }
  if (maxEntries === 0) throw new KamertonError('invalid-input', 'The ledger has no usable lines.', { field: 'ledger' });

  // The window: from the start of the period holding --from (or the first line) to the end of the
  // period holding the as-of date; lines count when dated from `from` to the as-of date.
  const asOf = params.asOf ?? lastDay;
  if (params.from !== null && params.from > asOf) {
    throw new KamertonError(
      'invalid-input',
      `The window cannot start (--from ${formatDay(params.from)}) after the as-of date ${formatDay(asOf)}.`,
      { field: 'from', value: formatDay(params.from) },
    );
  }
  const fromIndex = periodIndex(params.from ?? firstDay, period);
  const from = periodStart(fromIndex, period);
  if (from > asOf) {
    throw new KamertonError(
      'invalid-input',
      `The as-of date ${formatDay(asOf)} is before the ledger's first ${period}, which starts ${formatDay(from)}.`,
      { field: 'asOf', value: formatDay(asOf) },
    );
  }
  const asOfIndex = periodIndex(asOf, period);
  const to = periodEnd(asOfIndex, period);
  const periods = asOfIndex - fromIndex + 1;
  // The ordinal (0 .. periods - 1) of the period of every day of the window, looked up per entry.
  const periodOf = new Int32Array(asOf - from + 1);
  for (let k = 0; k < periods; k++) {
    const start = periodStart(fromIndex + k, period) - from;
    const end = Math.min(periodEnd(fromIndex + k, period), asOf) - from + 1;
    periodOf.fill(k, start, end);
  }

  // Growth compares the 12 months up to the as-of date with the 12 before, by dates: the current
  // year is (asOf - 12 months, asOf], the previous one (asOf - 24 months, asOf - 12 months].
  const currentYearAfter = addMonths(asOf, -12);
  const previousYearAfter = addMonths(asOf, -24);
  const growthAvailable = firstDay <= previousYearAfter + 1;

  const windowRevenue = new Float64Array(clientCount);
  const windowMargin = new Float64Array(clientCount);
  const firstPurchase = new Int32Array(clientCount);
  const lastPurchase = new Int32Array(clientCount);
  const activePeriods = new Int32Array(clientCount);
  const cvs = new Float64Array(clientCount);
  const xyzCodes = new Uint8Array(clientCount);
  const revenueSinceFirst = new Float64Array(clientCount);
  const growths = new Float64Array(clientCount);
  const activities = new Uint8Array(clientCount);
  const memberBuffer = new Int32Array(clientCount);
  let members = 0;
  let linesInWindow = 0;
  let linesOutsideWindow = 0;
  let absoluteTotal = 0;

  const periodValues = new Float64Array(Math.min(periods, maxEntries));
  const gaps = new Int32Array(maxEntries);

  const scanWindow: ScanWindow = { from, asOf, currentYearAfter, previousYearAfter, periodOf };
  const sums = new Float64Array(SUM_SLOTS);
  for (let i = 0; i < clientCount; i++) {
    const s = offsets[i] as number;
    const e = offsets[i + 1] as number;
    scanClient(ledger, s, e, scanWindow, periodValues, sums);
    absoluteTotal += sums[S_ABSOLUTE] as number;
    linesInWindow += sums[S_LINES_IN] as number;
    linesOutsideWindow += sums[S_LINES_OUT] as number;
    const touched = sums[S_TOUCHED] as number;
    // Only clients with a line in the window are analysed.
    if (touched === 0) continue;
    const active = sums[S_ACTIVE] as number;
    const rev = sums[S_REVENUE] as number;
    const mar = sums[S_MARGIN] as number;
    const first = sums[S_FIRST] as number;
    const last = sums[S_LAST] as number;
    const purchaseDays = sums[S_PURCHASE_DAYS] as number;
    const minGap = sums[S_MIN_GAP] as number;
    const maxGap = sums[S_MAX_GAP] as number;
    const since = sums[S_SINCE_FIRST] as number;
    const currentYear = sums[S_CURRENT_YEAR] as number;
    const previousYear = sums[S_PREVIOUS_YEAR] as number;

    memberBuffer[members++] = i;
    windowRevenue[i] = rev;
    windowMargin[i] = mar;
    firstPurchase[i] = first;
    lastPurchase[i] = last;
    activePeriods[i] = active;
    revenueSinceFirst[i] = since;
    const cv = coefficientOfVariation(periodValues, touched, periods);
    cvs[i] = cv ?? NaN;
    const xyz = xyzMode === 'cv'
      ? classifyCv(cv, periodValues, touched, periods, params.xyz)
      : classifyFrequency(active, periods, params.xyzFreq);
    xyzCodes[i] = XYZ_CLASSES.indexOf(xyz);
    growths[i] = growthAvailable && previousYear > 0 ? currentYear / previousYear - 1 : NaN;

    if (last === NO_DAY || asOf - last > params.lostDays) {
      activities[i] = LOST;
    } else if (purchaseDays >= 3) {
      // Slipping when the time since the last purchase is more than twice the median gap between
      // purchase days. The median lies between the smallest and the largest gap, which settles most
      // clients without collecting their gaps.
      const idle = asOf - last;
      if (idle <= 2 * minGap) activities[i] = ACTIVE;
      else if (idle > 2 * maxGap) activities[i] = SLIPPING;
      else activities[i] = idle > twiceMedianGap(days, purchaseLines, s, e, asOf, gaps) ? SLIPPING : ACTIVE;
    } else {
      activities[i] = ACTIVE;
    }
  }
  if (absoluteTotal > Number.MAX_SAFE_INTEGER) {
    throw new KamertonError('invalid-input', 'The ledger\'s amounts are too large to be summed exactly in grosze.', { field: 'ledger' });
  }
  if (members === 0) {
    throw new KamertonError(
      'invalid-input',
      `No ledger line falls in the window ${formatDay(from)} to ${formatDay(asOf)}.`,
      { field: params.from !== null ? 'from' : 'asOf' },
    );
  }

  // ABC.
  const metric = params.metric === 'margin' ? windowMargin : windowRevenue;
  const ranked = rankClients(memberBuffer.subarray(0, members), metric, clients);
  const rankedMetric = new Float64Array(members);
  for (let r = 0; r < members; r++) rankedMetric[r] = metric[ranked[r] as number] as number;
  const abc = classifyAbc(rankedMetric, params.abc);
  const positiveTotal = abc.positiveTotal;

  // Breadwinner: a share of the total positive margin (revenue when the ledger has no margin).
  const profit = hasMargin ? windowMargin : windowRevenue;
  let positiveProfit = 0;
  for (let r = 0; r < members; r++) {
    const p = profit[ranked[r] as number] as number;
    if (p > 0) positiveProfit += p;
  }

  // Promising: compared with the median of the A clients' average monthly window revenue. All A
  // clients share the divisor (window days / 30.4375), so the median of their window revenue is
  // taken and the comparison is made in integers: with M the median revenue (as the sum of the two
  // middle values, M2 = 2M), a client whose first purchase f is d days before asOf is promising when
  //   since / max(1, d / 30.4375) >= M / (W / 30.4375)  <=>  2 * since * 16W >= M2 * max(487, 16d).
  const aRevenues: number[] = [];
  for (let r = 0; r < members; r++) if (abc.classes[r] === 'A') aRevenues.push(windowRevenue[ranked[r] as number] as number);
  aRevenues.sort((a, b) => a - b);
  const aCount = aRevenues.length;
  const medianTwice = aCount === 0 ? 0
    : aCount % 2 === 1 ? 2 * (aRevenues[(aCount - 1) / 2] as number)
    : (aRevenues[aCount / 2 - 1] as number) + (aRevenues[aCount / 2] as number);
  const windowDays16 = MONTH_DAYS_DENOMINATOR * (to - from + 1);
  // A dossier budget (minor units a year) against the A clients' median yearly revenue, their window
  // revenue scaled by 365.25 / W days: budget >= (M2 / 2) * 1461 / (4W)  <=>  budget * 8W >= M2 * 1461.
  const budgetPromising = (budget: number | null): boolean =>
    aCount > 0 && budget !== null && compareProducts(budget * 8, to - from + 1, medianTwice, YEAR_DAYS_QUARTERS) >= 0;

  const keySegments = new Set<Segment>(params.keySegments);
  const cellClients = new Float64Array(9);
  const cellRevenue = new Float64Array(9);
  const cellMargin = new Float64Array(9);
  let totalRevenue = 0;
  let totalMargin = 0;
  let keyCount = 0;
  let keyRevenue = 0;
  let keyMargin = 0;
  // Purchase dates repeat across clients: format each day once.
  const dayTexts = new Array<string | undefined>(asOf - firstDay + 1);
  const dayText = (d: number): string => (dayTexts[d - firstDay] ??= formatDay(d));
  const results = new Array<ClientResult>(members);
  for (let r = 0; r < members; r++) {
    const i = ranked[r] as number;
    const m = rankedMetric[r] as number;
    const abcClass = abc.classes[r] as AbcClass;
    const xyzCode = xyzCodes[i] as number;
    const cell = (abcClass === 'A' ? 0 : abcClass === 'B' ? 3 : 6) + xyzCode;
    const segment = SEGMENTS[cell] as Segment;
    const rev = windowRevenue[i] as number;
    const mar = windowMargin[i] as number;
    const first = firstPurchase[i] as number;
    const last = lastPurchase[i] as number;

    const types: KeyClientType[] = [];
    const p = profit[i] as number;
    if (p > 0 && compareProducts(p, 100, params.breadwinner, positiveProfit) >= 0) types.push('breadwinner');
    if (
      aCount > 0 && first !== NO_DAY && asOf - first <= PROMISING_DAYS &&
      compareProducts(
        2 * (revenueSinceFirst[i] as number), windowDays16,
        medianTwice, Math.max(MONTH_DAYS_NUMERATOR, MONTH_DAYS_DENOMINATOR * (asOf - first)),
      ) >= 0
    ) {
      types.push('promising');
    }
    const facts = dossier?.get(clients[i] as string);
    if (facts !== undefined) {
      if (!types.includes('promising') && first !== NO_DAY && asOf - first <= PROMISING_DAYS && budgetPromising(facts.budget)) {
        types.push('promising');
      }
      if (facts.imageMaker) types.push('image-maker');
      if (facts.expert) types.push('expert');
    }
    const isKey = keySegments.has(segment) || types.length > 0;

    totalRevenue += rev;
    totalMargin += mar;
    cellClients[cell] = (cellClients[cell] as number) + 1;
    cellRevenue[cell] = (cellRevenue[cell] as number) + rev;
    cellMargin[cell] = (cellMargin[cell] as number) + mar;
    if (isKey) {
      keyCount++;
      keyRevenue += rev;
      keyMargin += mar;
    }
    const cv = cvs[i] as number;
    const growth = growths[i] as number;
    results[r] = {
      client: clients[i] as string,
      name: names[i] ?? null,
      revenue: rev / 100,
      margin: hasMargin ? mar / 100 : null,
      share: m > 0 ? m / positiveTotal : 0,
      cumulativeShare: m > 0 ? ((abc.before[r] as number) + m) / positiveTotal : 0,
      abc: abcClass,
      cv: Number.isNaN(cv) ? null : cv,
      activePeriods: activePeriods[i] as number,
      xyz: XYZ_CLASSES[xyzCode] as XyzClass,
      segment,
      types,
      isKey,
      firstPurchase: first === NO_DAY ? null : dayText(first),
      lastPurchase: last === NO_DAY ? null : dayText(last),
      daysSinceLastPurchase: last === NO_DAY ? null : asOf - last,
      activity: ACTIVITIES[activities[i] as number] as Activity,
      growth: Number.isNaN(growth) ? null : growth,
    };
  }

  const matrix = {} as Record<Segment, MatrixCell>;
  SEGMENTS.forEach((segment, c) => {
    const cellRev = cellRevenue[c] as number;
    const cellMar = cellMargin[c] as number;
    matrix[segment] = {
      clients: cellClients[c] as number,
      revenue: cellRev / 100,
      margin: hasMargin ? cellMar / 100 : null,
      revenueShare: totalRevenue > 0 ? cellRev / totalRevenue : null,
      marginShare: hasMargin && totalMargin > 0 ? cellMar / totalMargin : null,
    };
  });

  return {
    window: { from: formatDay(from), to: formatDay(to), period, periods, asOf: formatDay(asOf) },
    totals: {
      clients: members,
      revenue: totalRevenue / 100,
      margin: hasMargin ? totalMargin / 100 : null,
      linesInWindow,
      linesOutsideWindow,
    },
    matrix,
    keyClients: {
      count: keyCount,
      revenueShare: totalRevenue > 0 ? keyRevenue / totalRevenue : null,
      marginShare: hasMargin && totalMargin > 0 ? keyMargin / totalMargin : null,
      band: totalRevenue > 0 ? judgeKeyBand(keyRevenue, totalRevenue) : null,
    },
    clients: results,
    prospects: dossierProspects(dossier, new Set(clients), budgetPromising),
  };
}

/** Dossier entries the ledger does not hold, with the types their dossier gives them (none: left out). */
function dossierProspects(
  dossier: ReadonlyMap<string, DossierFacts> | undefined,
  inLedger: ReadonlySet<string>,
  budgetPromising: (budget: number | null) => boolean,
): AnalysisResult['prospects'] {
  const prospects: AnalysisResult['prospects'] = [];
  if (dossier === undefined) return prospects;
  for (const [client, facts] of dossier) {
    if (inLedger.has(client)) continue;
    const types: KeyClientType[] = [];
    // Without a purchase, an account is new by definition.
    if (budgetPromising(facts.budget)) types.push('promising');
    if (facts.imageMaker) types.push('image-maker');
    if (facts.expert) types.push('expert');
    if (types.length > 0) prospects.push({ client, types });
  }
  return prospects.sort((a, b) => compareCodePoints(a.client, b.client));
}

type ScanWindow = { from: number; asOf: number; currentYearAfter: number; previousYearAfter: number; periodOf: Int32Array };

// The slots of the per-client sums that scanClient writes.
const S_REVENUE = 0;
const S_MARGIN = 1;
const S_FIRST = 2;
const S_LAST = 3;
const S_PURCHASE_DAYS = 4;
const S_MIN_GAP = 5;
const S_MAX_GAP = 6;
const S_SINCE_FIRST = 7;
const S_CURRENT_YEAR = 8;
const S_PREVIOUS_YEAR = 9;
const S_TOUCHED = 10;
const S_ACTIVE = 11;
const S_LINES_IN = 12;
const S_LINES_OUT = 13;
const S_ABSOLUTE = 14;
const SUM_SLOTS = 15;

/**
 * One pass over the entries s..e-1 of one client (its days ascending). It is a function of its own,
 * rather than the body of the caller's loop, so that V8 optimises this hot loop early and alone.
 * Writes the client's window sums, its purchase history up to asOf (first and last purchase day,
 * number of purchase days, smallest and largest gap), the growth years, and the net revenue of each
 * window period holding a line into `periodValues` (S_TOUCHED of them, in period order).
 */
function scanClient(
  ledger: DailyLedger, s: number, e: number, w: ScanWindow, periodValues: Float64Array, out: Float64Array,
): void {
  const { days, revenue, margin, lines, purchaseLines } = ledger;
  const { from, asOf, currentYearAfter, previousYearAfter, periodOf } = w;
  let rev = 0;
  let mar = 0;
  let first = NO_DAY;
  let last = NO_DAY;
  let purchaseDays = 0;
  let minGap = Infinity;
  let maxGap = 0;
  let since = 0;
  let currentYear = 0;
  let previousYear = 0;
  let currentPeriod = -1;
  let periodSum = 0;
  let periodBuys = false;
  let touched = 0;
  let active = 0;
  let linesIn = 0;
  let linesOut = 0;
  let absolute = 0;
  let j = s;
  for (; j < e; j++) {
    const day = days[j] as number;
    if (day > asOf) break;
    const r = revenue[j] as number;
    const m = margin[j] as number;
    absolute += Math.abs(r) + Math.abs(m);
    // The client's history (first and last purchase, gaps, growth) uses every day up to asOf.
    const buys = (purchaseLines[j] as number) > 0;
    if (buys) {
      if (last === NO_DAY) {
        first = day;
      } else {
        const gap = day - last;
        if (gap < minGap) minGap = gap;
        if (gap > maxGap) maxGap = gap;
      }
      last = day;
      purchaseDays++;
    }
    if (first !== NO_DAY) since += r;
    if (day > currentYearAfter) currentYear += r;
    else if (day > previousYearAfter) previousYear += r;
    if (day < from) {
      linesOut += lines[j] as number;
      continue;
    }
    linesIn += lines[j] as number;
    rev += r;
    mar += m;
    const k = periodOf[day - from] as number;
    if (k !== currentPeriod) {
      if (currentPeriod >= 0) {
        periodValues[touched++] = periodSum;
        if (periodBuys) active++;
      }
      currentPeriod = k;
      periodSum = 0;
      periodBuys = false;
    }
    periodSum += r;
    if (buys) periodBuys = true;
  }
  for (; j < e; j++) linesOut += lines[j] as number;
  if (currentPeriod >= 0) {
    periodValues[touched++] = periodSum;
    if (periodBuys) active++;
  }
  out[S_REVENUE] = rev;
  out[S_MARGIN] = mar;
  out[S_FIRST] = first;
  out[S_LAST] = last;
  out[S_PURCHASE_DAYS] = purchaseDays;
  out[S_MIN_GAP] = minGap;
  out[S_MAX_GAP] = maxGap;
  out[S_SINCE_FIRST] = since;
  out[S_CURRENT_YEAR] = currentYear;
  out[S_PREVIOUS_YEAR] = previousYear;
  out[S_TOUCHED] = touched;
  out[S_ACTIVE] = active;
  out[S_LINES_IN] = linesIn;
  out[S_LINES_OUT] = linesOut;
  out[S_ABSOLUTE] = absolute;
}

/** The key clients' revenue K against the total T > 0: below 30%, within 30-55% (inclusive), above 55%; exact. */
function judgeKeyBand(keyRevenue: number, totalRevenue: number): KeyBand {
  if (compareProducts(keyRevenue, 100, KEY_BAND_PERCENT[0], totalRevenue) < 0) return 'below';
  if (compareProducts(keyRevenue, 100, KEY_BAND_PERCENT[1], totalRevenue) <= 0) return 'within';
  return 'above';
}

/**
 * Twice the median of the gaps in days between consecutive purchase days (up to asOf) of the
 * client whose entries are s..e-1, so that an even count's median (the mean of the two middle
 * gaps) stays an integer. `scratch` has room for every gap.
 */
function twiceMedianGap(
  days: Int32Array, purchaseLines: Uint32Array, s: number, e: number, asOf: number, scratch: Int32Array,
): number {
  let count = 0;
  let previous = NO_DAY;
  for (let j = s; j < e; j++) {
    const day = days[j] as number;
    if (day > asOf) break;
    if ((purchaseLines[j] as number) === 0) continue;
    if (previous !== NO_DAY) scratch[count++] = day - previous;
    previous = day;
  }
  if (count % 2 === 1) return 2 * selectKth(scratch, count, (count - 1) / 2);
  return selectKth(scratch, count, count / 2 - 1) + selectKth(scratch, count, count / 2);
}

/**
 * The k-th smallest (0-based) of a[0..length-1], by quickselect with a three-way partition (Hoare's
 * FIND with Dijkstra's "Dutch national flag" partition, which keeps runs of equal gaps, common for
 * regular buyers, linear). Reorders a.
 */
function selectKth(a: Int32Array, length: number, k: number): number {
  let lo = 0;
  let hi = length - 1;
  while (lo < hi) {
    const x = a[lo] as number;
    const y = a[(lo + hi) >> 1] as number;
    const z = a[hi] as number;
    const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    let lt = lo;
    let i = lo;
    let gt = hi;
    while (i <= gt) {
      const v = a[i] as number;
      if (v < pivot) {
        a[i++] = a[lt] as number;
        a[lt++] = v;
      } else if (v > pivot) {
        a[i] = a[gt] as number;
        a[gt--] = v;
      } else {
        i++;
      }
    }
    if (k < lt) hi = lt - 1;
    else if (k > gt) lo = gt + 1;
    else return pivot;
  }
  return a[lo] as number;
}

function fail(field: string, message: string): never {
  throw new KamertonError('invalid-input', message, { field });
}

function isWhole(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/** A pair of whole percentages; `max` null means no upper bound (a coefficient of variation can pass 100%). */
function checkPercentPair(field: string, flag: string, pair: unknown, max: number | null): [number, number] {
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((v) => isWhole(v) && v >= 0 && (max === null || v <= max))) {
    fail(field, `${flag} takes two whole percentages${max === null ? '' : ` from 0 to ${max}`} (got ${JSON.stringify(pair)}).`);
  }
  return pair as [number, number];
}

/**
 * The parameters are checked here as well as by the CLI, because the server and other callers
 * reach the analysis without the CLI's parsers. Percentages are whole numbers, as the CLI reads
 * them, which keeps every cut-off an integer comparison.
 */
function validateParams(params: AnalysisParams, hasMargin: boolean): void {
  if (params.period !== 'week' && params.period !== 'month' && params.period !== 'quarter') {
    fail('period', `--period must be week, month or quarter (got ${String(params.period)}).`);
  }
  if (params.asOf !== null && !isWhole(params.asOf)) fail('asOf', `--as-of must be a day (got ${String(params.asOf)}).`);
  if (params.from !== null && !isWhole(params.from)) fail('from', `--from must be a day (got ${String(params.from)}).`);
  if (params.metric !== 'revenue' && params.metric !== 'margin') {
    fail('metric', `--metric must be revenue or margin (got ${String(params.metric)}).`);
  }
  if (params.metric === 'margin' && !hasMargin) {
    fail('metric', 'ABC by margin needs a cost or margin column, and the ledger has neither; use --metric revenue.');
  }
  const abc = checkPercentPair('abc', '--abc', params.abc, 100);
  if (abc[0] > abc[1]) fail('abc', `--abc: the A cut-off (${abc[0]}) cannot be above the B cut-off (${abc[1]}).`);
  if (params.xyzMode !== 'frequency' && params.xyzMode !== 'cv') {
    fail('xyzMode', `--xyz-mode must be frequency or cv (got ${String(params.xyzMode)}).`);
  }
  const freq = checkPercentPair('xyzFreq', '--xyz-freq', params.xyzFreq, 100);
  if (freq[0] < freq[1]) fail('xyzFreq', `--xyz-freq: X (${freq[0]}) needs at least the share of periods Y needs (${freq[1]}).`);
  const cv = checkPercentPair('xyz', '--xyz', params.xyz, null);
  if (cv[0] > cv[1]) fail('xyz', `--xyz: the X limit (${cv[0]}) cannot be above the Y limit (${cv[1]}).`);
  if (!isWhole(params.breadwinner) || params.breadwinner < 0 || params.breadwinner > 100) {
    fail('breadwinner', `--breadwinner takes a whole percentage from 0 to 100 (got ${String(params.breadwinner)}).`);
  }
  if (!Array.isArray(params.keySegments) || !params.keySegments.every((s) => SEGMENTS.includes(s))) {
    fail('keySegments', `--key-segments takes segments among ${SEGMENTS.join(', ')} (got ${JSON.stringify(params.keySegments)}).`);
  }
  if (!isWhole(params.lostDays) || params.lostDays < 0) {
    fail('lostDays', `--lost-days takes a whole number of days (got ${String(params.lostDays)}).`);
  }
}

/** The rollup's arrays must agree with each other; a mismatch is a bug in the code that built it. */
function checkShape(ledger: DailyLedger): void {
  const n = ledger.days.length;
  if (
    ledger.offsets.length !== ledger.clients.length + 1 || ledger.names.length !== ledger.clients.length ||
    ledger.offsets[ledger.clients.length] !== n || ledger.revenue.length !== n || ledger.margin.length !== n ||
    ledger.lines.length !== n || ledger.purchaseLines.length !== n
  ) {
    throw new RangeError('analyzeLedger: the DailyLedger arrays do not agree in length');
  }
}
