/**
 * The analysis's vocabulary, shared by the CLI, the server and the reports. Money is kept in integer
 * minor units (grosze) wherever it is summed, so the order of ledger lines never changes a result;
 * it is turned into major units (złote) only in `AnalysisResult`, the published shape.
 */
import type { DayNumber, Period } from './calendar.ts';

export type AbcClass = 'A' | 'B' | 'C';
export type XyzClass = 'X' | 'Y' | 'Z';
export type Segment = 'AX' | 'AY' | 'AZ' | 'BX' | 'BY' | 'BZ' | 'CX' | 'CY' | 'CZ';
export const SEGMENTS: readonly Segment[] = ['AX', 'AY', 'AZ', 'BX', 'BY', 'BZ', 'CX', 'CY', 'CZ'];

export type KeyClientType = 'breadwinner' | 'promising' | 'image-maker' | 'expert';
export const KEY_CLIENT_TYPES: readonly KeyClientType[] = ['breadwinner', 'promising', 'image-maker', 'expert'];
export type Activity = 'active' | 'slipping' | 'lost';
export const ACTIVITIES: readonly Activity[] = ['active', 'slipping', 'lost'];
export type KeyBand = 'below' | 'within' | 'above';

/**
 * The ledger rolled up per client and per day: what every analysis needs, and all it needs. Memory
 * grows with clients and their days with lines, never with lines. The server's per-account, per-day
 * rollup has the same shape, which is why the file and the database give the same analysis.
 *
 * Column-oriented (CSR): the days of client `i` are the entries `offsets[i]` to `offsets[i + 1] - 1`,
 * in ascending day order with no day repeated.
 */
export type DailyLedger = {
  /** Client identifiers as the ledger spells them (the ERP's client code). */
  clients: string[];
  /** A display name per client (the first non-empty one the ledger gave), or null. */
  names: (string | null)[];
  offsets: Int32Array;
  days: Int32Array;
  /** Net revenue of the day's lines, returns and corrections included, in minor units. */
  revenue: Float64Array;
  /** Net margin of the day's lines (revenue minus cost, or the margin column), in minor units; 0 when unknown. */
  margin: Float64Array;
  /** How many ledger lines the day had. */
  lines: Uint32Array;
  /** How many of them were purchases (revenue zero or more); a day with one is a purchase day. */
  purchaseLines: Uint32Array;
  /** Whether the ledger had a cost or a margin column. */
  hasMargin: boolean;
};

export type AnalysisParams = {
  period: Period;
  /** The analysis date; null means the last date in the ledger. */
  asOf: DayNumber | null;
  /** The first day of the window (snapped to the start of its period); null means the first line's. */
  from: DayNumber | null;
  metric: 'revenue' | 'margin';
  /** ABC cut-offs in percent of the cumulative share: [A below, B below]. */
  abc: [number, number];
  xyzMode: 'frequency' | 'cv';
  /** Frequency mode: share of periods with a purchase, in percent: [X from, Y from]. */
  xyzFreq: [number, number];
  /** CV mode: coefficient of variation in percent: [X up to, Y up to]. */
  xyz: [number, number];
  /** Breadwinner: share of the total positive margin, in percent. */
  breadwinner: number;
  keySegments: Segment[];
  lostDays: number;
};

const defaults: AnalysisParams = {
  period: 'month',
  asOf: null,
  from: null,
  metric: 'revenue',
  abc: [80, 95],
  xyzMode: 'frequency',
  xyzFreq: [90, 50],
  xyz: [10, 25],
  breadwinner: 10,
  keySegments: ['AX', 'AY', 'BX'],
  lostDays: 180,
};

/** The defaults of every analysis flag; copy before changing (`{ ...DEFAULT_ANALYSIS_PARAMS, period: 'week' }`). */
export const DEFAULT_ANALYSIS_PARAMS: Readonly<AnalysisParams> = Object.freeze(defaults);

export type MatrixCell = {
  clients: number;
  revenue: number;
  /** Null when the ledger has no cost or margin column. */
  margin: number | null;
  revenueShare: number | null;
  marginShare: number | null;
};

export type ClientResult = {
  client: string;
  name: string | null;
  revenue: number;
  margin: number | null;
  /** Share of the ABC metric in the sum of its positive values; 0 for a client at zero or below. */
  share: number;
  cumulativeShare: number;
  abc: AbcClass;
  cv: number | null;
  activePeriods: number;
  xyz: XyzClass;
  segment: Segment;
  types: KeyClientType[];
  isKey: boolean;
  firstPurchase: string | null;
  lastPurchase: string | null;
  daysSinceLastPurchase: number | null;
  activity: Activity;
  growth: number | null;
};

/** What an account's dossier tells the analysis: the key-client types a ledger cannot show. */
export type DossierFacts = {
  imageMaker: boolean;
  expert: boolean;
  /** The client's yearly budget or potential for us, in minor units; null when unknown. */
  budget: number | null;
};

/** The analysis of one ledger: the published JSON shape less what only the reader knows (lines read, errors). */
export type AnalysisResult = {
  window: { from: string; to: string; period: Period; periods: number; asOf: string };
  totals: { clients: number; revenue: number; margin: number | null; linesInWindow: number; linesOutsideWindow: number };
  matrix: Record<Segment, MatrixCell>;
  keyClients: { count: number; revenueShare: number | null; marginShare: number | null; band: KeyBand | null };
  /** In ABC rank order: the metric descending, ties by client in code-point order. */
  clients: ClientResult[];
  /** Dossier entries without ledger lines that have a key-client type (only with a dossier), by client. */
  prospects: { client: string; types: KeyClientType[] }[];
};
