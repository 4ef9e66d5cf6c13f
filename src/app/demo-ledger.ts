/**
 * The demo company's sales ledger (`kamerton demo`): three years of invoices to the demo accounts,
 * written as a Polish ERP exports them (semicolon-delimited UTF-8 with a byte-order mark, Polish
 * headers, decimal commas, DD.MM.YYYY dates), so that the demo loads it through the ordinary ledger
 * import and shows what a real file would.
 *
 * The ledger follows from the seed alone: the end date is a parameter, never today's, and every
 * choice comes from a seeded generator, so the same clients, seed and end give the same bytes on every
 * machine. Each client draws from its own stream (the seed mixed with its code), so its invoices do
 * not depend on the clients listed before it; only the shares of the revenue (and which new client
 * starts fast), the document numbers and the order of the lines are decided across clients.
 *
 * What the clients buy is an assortment of 65 products in 8 groups that fits the demo's company, a
 * distributor of packaging, technical chemicals and workwear (see demo-data.ts). How they buy follows
 * their sales profile, chosen so that the analysis has something to find: a few breadwinners that
 * carry the key accounts, regular buyers, seasonal and occasional ones, clients slipping away, lost
 * ones to win back and new ones. Profiles are defined on the analysis's own terms (docs/analysis.md):
 * a lost client's last purchase is 8 to 14 months before the end, past the 180 days that make a
 * client lost; a slipping client's last gap is more than twice its median gap; a new client's first
 * purchase is in the last 5 months, within the 180 days of the promising rule.
 */
import { open } from 'node:fs/promises';
import { addMonths, civilFromDay, dayFromCivil, daysInMonth, weekday, type DayNumber } from '../core/calendar.ts';
import { createRandom, type Random } from './demo-random.ts';

export type DemoSalesProfile = 'breadwinner' | 'regular' | 'seasonal' | 'occasional' | 'slipping' | 'lost' | 'new';

export type DemoLedgerClient = { code: string; name: string; profile: DemoSalesProfile };

export type DemoLedgerOptions = {
  seed: number;
  /** The last day of the ledger (its lines end on the last working day up to it). */
  end: { year: number; month: number; day: number };
  /** How many years back from `end` the ledger reaches; 3 when absent. */
  years?: number;
};

// ---------------------------------------------------------------------------------------------------
// The seeded generator (demo-random.ts), one stream per client.

/** The seed of one client's stream: the ledger's seed mixed with an FNV-1a hash of the client code. */
function clientSeed(seed: number, code: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < code.length; i++) hash = Math.imul(hash ^ code.charCodeAt(i), 0x01000193);
  return (Math.imul(seed >>> 0, 0x9e3779b1) ^ hash) >>> 0;
}

// ---------------------------------------------------------------------------------------------------
// The assortment.

type Product = {
  index: string;
  group: string;
  /** List price at the end year's price list, in grosze. */
  price: number;
  /** The list price's margin over the purchase cost, a fraction. */
  margin: number;
  /** Sold in multiples of this many units (a carton of 25 boxes, a case of 36 tapes). */
  pack: number;
};

/**
 * The groups, how widely the clients buy each (weight), and their products:
 * [index, list price in zł, list margin in %, pack]. List margins are 22-33%: with a client's
 * discount of up to 5% and the purchase cost varying by 1.5% from batch to batch, every line's margin
 * stays within 16-35%, the range of a distributor of this kind.
 */
const ASSORTMENT: readonly { group: string; weight: number; products: readonly (readonly [string, number, number, number])[] }[] = [
  {
    group: 'Folie i taśmy',
    weight: 10,
    products: [
      ['FOL-STR-R500-17', 28.9, 23, 6], ['FOL-STR-M500-23', 89, 22, 1], ['FOL-STR-PRE-500', 36.5, 25, 6],
      ['FOL-KAPT-1500', 4.2, 27, 50], ['FOL-BAB-1000', 119, 28, 1], ['FOL-BUD-02-4X25', 145, 26, 1],
      ['TAS-PAK-48X66', 4.1, 30, 36], ['TAS-NADR-48X66', 6.8, 33, 36], ['TAS-STAL-16', 189, 24, 1],
    ],
  },
  {
    group: 'Kartony i wypełniacze',
    weight: 8,
    products: [
      ['KAR-KL-300-3W', 1.85, 26, 25], ['KAR-KL-400-3W', 2.7, 26, 25], ['KAR-KL-600-5W', 6.4, 25, 20],
      ['KAR-WYS-NADR', 3.95, 31, 50], ['PRZ-TEK-1200', 2.35, 24, 50], ['NAR-OCHR-35', 0.95, 30, 100],
      ['WYP-PAP-ROL', 79, 29, 1], ['WYP-PIAN-500L', 89, 28, 1],
    ],
  },
  {
    group: 'Opakowania przemysłowe',
    weight: 5,
    products: [
      ['BB-90X90X120', 38.5, 24, 10], ['BB-LEJ-90', 46, 25, 10], ['WOR-PP-50KG', 1.15, 27, 100],
      ['KAN-HDPE-10L', 9.8, 29, 10], ['KAN-HDPE-20L', 14.6, 28, 10], ['BEC-STAL-220', 189, 23, 1],
      ['IBC-1000L', 690, 22, 1], ['OPAK-TERMO-BOX', 48, 30, 5],
    ],
  },
  {
    group: 'Chemia myjąca i dezynfekcja',
    weight: 6,
    products: [
      ['CIP-ALK-20KG', 168, 29, 1], ['CIP-KWAS-20KG', 185, 29, 1], ['DEZ-POW-5L', 64, 31, 1],
      ['DEZ-RAK-1L', 21.5, 33, 6], ['MYJ-POS-10L', 92, 30, 1], ['ZMYW-PROF-10L', 118, 31, 1],
      ['ODTL-PRZEM-20L', 245, 28, 1], ['PIAN-MYJ-20KG', 210, 29, 1],
    ],
  },
  {
    group: 'Smary i oleje',
    weight: 4,
    products: [
      ['OL-HYD-HL46-20', 289, 24, 1], ['OL-PRZEKL-220-20', 365, 24, 1], ['SM-LOZ-LT2-18', 410, 26, 1],
      ['SM-SPRAY-400', 26, 32, 12], ['CHLODZ-EMUL-20', 420, 25, 1], ['PENETR-500', 19.9, 33, 12],
      ['OL-SPOZ-H1-5L', 198, 27, 1],
    ],
  },
  {
    group: 'Sorbenty i czyściwa',
    weight: 5,
    products: [
      ['CZYSC-BAW-10KG', 82, 29, 1], ['CZYSC-PAP-ROL', 39, 28, 2], ['SORB-GRAN-20KG', 74, 30, 1],
      ['SORB-MATA-100', 169, 30, 1], ['SORB-REKAW-10', 310, 31, 1], ['ZEST-AWAR-240L', 890, 32, 1],
      ['RECZ-ZZ-KART', 62, 27, 1],
    ],
  },
  {
    group: 'Odzież i obuwie robocze',
    weight: 8,
    products: [
      ['ODZ-OGROD-SPOD', 89, 32, 5], ['ODZ-BLUZA-ROB', 79, 32, 5], ['ODZ-KAM-ODBL', 6.9, 33, 10],
      ['ODZ-KURT-OSTRZ', 189, 30, 2], ['ODZ-KOMB-TRUDN', 420, 28, 1], ['ODZ-HACCP-BIAL', 69, 31, 5],
      ['OB-S3-TREK', 219, 30, 1], ['OB-S2-BIAL', 159, 30, 1], ['OB-KAL-S5', 69, 29, 2],
    ],
  },
  {
    group: 'Rękawice i ochrona osobista',
    weight: 10,
    products: [
      ['REK-NITR-100', 24.9, 27, 10], ['REK-POWL-NITR', 3.2, 31, 12], ['REK-ANTYPRZ-C', 16.5, 32, 12],
      ['REK-SPAW', 14.9, 31, 12], ['OKUL-OCHR', 9.8, 33, 10], ['POLM-FFP2-20', 64, 30, 1],
      ['OCHR-SLUCH', 39, 32, 5], ['KASK-OCHR', 29, 31, 5], ['SZEL-BEZP', 389, 29, 1],
    ],
  },
];

const PRODUCTS_BY_GROUP: readonly (readonly Product[])[] = ASSORTMENT.map(({ group, products }) =>
  products.map(([index, price, margin, pack]) => ({ index, group, price: Math.round(price * 100), margin: margin / 100, pack })));

/** Price lists rise each January by this factor: both the list prices and the purchase costs. */
const YEARLY_PRICE_RISE = 1.05;

/** Sales by month (January first): the winter and August lulls, the spring and autumn peaks. */
const MONTH_FACTORS = [0.85, 0.92, 1.05, 1.1, 1.05, 1, 0.9, 0.88, 1.05, 1.1, 1.05, 0.95];

/** The months a seasonal client buys in: spring, harvest, spring and autumn, before winter, summer. */
const SEASONS: readonly (readonly number[])[] = [[3, 4, 5, 6], [8, 9, 10], [4, 5, 9, 10], [10, 11, 12], [5, 6, 7, 8]];

// ---------------------------------------------------------------------------------------------------
// Profiles.

/**
 * A realistic mix of `count` sales profiles, shuffled by `seed`: three breadwinners from 40 clients
 * (two from 15, one below), and of the rest about 7% new, 8% lost, 8% slipping, 10% seasonal, 15%
 * occasional and the others regular. Breadwinners stay few whatever the count: each carries 11-14% of
 * the revenue, which is what makes the analysis call it one (10% of the margin), and three of them hold
 * about a third of it, the core of the 30-55% the key accounts usually bring.
 */
export function assignDemoProfiles(count: number, seed: number): DemoSalesProfile[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`assignDemoProfiles: count ${count} is not a whole number`);
  if (count === 0) return [];
  const breadwinners = count >= 40 ? 3 : count >= 15 ? 2 : 1;
  const rest = count - breadwinners;
  const counts: [DemoSalesProfile, number][] = [
    ['new', Math.round(rest * 0.07)],
    ['lost', Math.round(rest * 0.08)],
    ['slipping', Math.round(rest * 0.08)],
    ['seasonal', Math.round(rest * 0.1)],
    ['occasional', Math.round(rest * 0.15)],
  ];
  const profiles: DemoSalesProfile[] = Array.from({ length: breadwinners }, () => 'breadwinner');
  for (const [profile, n] of counts) for (let i = 0; i < n; i++) profiles.push(profile);
  while (profiles.length < count) profiles.push('regular');
  profiles.length = count;
  const random = createRandom(seed ^ 0x5bd1e995);
  for (let i = profiles.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [profiles[i], profiles[j]] = [profiles[j] as DemoSalesProfile, profiles[i] as DemoSalesProfile];
  }
  return profiles;
}

/**
 * The weight of a client's revenue over the whole ledger, by profile, beside a Pareto draw. Seasonal
 * and occasional clients are large on average: a fruit grower's big-bags at harvest, a contractor's
 * workwear for a won tender. They buy in fewer than half of the months, so however large they are they
 * are not among the key segments (AX, AY, BX), which keeps the key accounts near the usual 30-55% of
 * revenue. A lost client bought for only part of the time, a new one for a few months.
 */
const PROFILE_WEIGHT: Record<Exclude<DemoSalesProfile, 'breadwinner'>, number> = {
  regular: 0.3,
  seasonal: 2.4,
  occasional: 1.7,
  slipping: 0.5,
  lost: 0.6,
  new: 0.04,
};

/** Lines per invoice, by profile: the large clients' orders are broader. */
const LINES_PER_DOCUMENT: Record<DemoSalesProfile, readonly (readonly [number, number])[]> = {
  breadwinner: [[2, 1], [3, 2], [4, 3], [5, 3], [6, 3], [7, 2], [8, 1]],
  regular: [[1, 2], [2, 3], [3, 4], [4, 4], [5, 3], [6, 2], [7, 1]],
  seasonal: [[1, 2], [2, 3], [3, 3], [4, 2], [5, 1]],
  occasional: [[1, 2], [2, 3], [3, 3], [4, 2], [5, 1], [6, 1]],
  slipping: [[1, 2], [2, 3], [3, 4], [4, 3], [5, 2], [6, 1]],
  lost: [[1, 2], [2, 3], [3, 4], [4, 3], [5, 2], [6, 1]],
  new: [[1, 2], [2, 3], [3, 3], [4, 2], [5, 1]],
};

/** How many product groups a client buys, by profile. */
const GROUPS_BOUGHT: Record<DemoSalesProfile, readonly [number, number]> = {
  breadwinner: [5, 8],
  regular: [2, 5],
  seasonal: [1, 3],
  occasional: [1, 3],
  slipping: [2, 5],
  lost: [2, 4],
  new: [1, 4],
};

/** Payment terms in days, by profile: trade credit grows with the relationship. */
const TERMS: Record<DemoSalesProfile, readonly (readonly [number, number])[]> = {
  breadwinner: [[60, 3], [30, 2]],
  regular: [[14, 2], [30, 5], [60, 1]],
  seasonal: [[14, 2], [30, 3], [60, 1]],
  occasional: [[14, 3], [30, 2]],
  slipping: [[14, 2], [30, 5], [60, 1]],
  lost: [[14, 2], [30, 5], [60, 1]],
  new: [[14, 3], [30, 1]],
};

/** The whole ledger's yearly revenue per client, in grosze: about 350 000 zł. */
const YEARLY_REVENUE_PER_CLIENT = 35_000_000;

// ---------------------------------------------------------------------------------------------------
// The plan.

type PlannedLine = { product: Product; quantity: number; unitPrice: number; unitCost: number; value: number; cost: number };

type PlannedDocument = {
  kind: 'FV' | 'FK';
  day: DayNumber;
  client: DemoLedgerClient;
  due: DayNumber;
  paid: DayNumber | null;
  lines: PlannedLine[];
  /** Orders the documents of one day: drawn, so that a day's invoices are not grouped by client. */
  tieBreak: number;
  number: string;
};

type ClientPlan = {
  client: DemoLedgerClient;
  random: Random;
  /** A share of the revenue set apart (a breadwinner's, a fast-starting new client's), else null. */
  fixedShare: number | null;
  /** Otherwise the weight by which the client takes part in the revenue left. */
  weight: number;
  /** Share of the ledger's revenue. */
  share: number;
  discount: number;
  terms: number;
  /** Habitual days late beyond the due date; 0 for a client who pays on time. */
  lateDays: number;
  returnRate: number;
  assortment: { product: Product; weight: number }[];
  /** The first and last day the client may have a line. */
  first: DayNumber;
  last: DayNumber;
  /** Order days, ascending, distinct, working days. */
  orders: DayNumber[];
  /** Relative size of each order, before scaling to the client's revenue. */
  sizes: number[];
};

type Window = { start: DayNumber; end: DayNumber; endYear: number };

function windowOf(options: DemoLedgerOptions): Window {
  const { year, month, day } = options.end;
  const years = options.years ?? 3;
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day) || month < 1 || month > 12 ||
    day < 1 || day > daysInMonth(year, month)) {
    throw new RangeError(`demo ledger: the end ${year}-${month}-${day} is not a date`);
  }
  if (!Number.isInteger(years) || years < 1 || years > 20) throw new RangeError(`demo ledger: years ${years} is not 1 to 20`);
  const end = dayFromCivil(year, month, day);
  return { start: addMonths(end, -12 * years) + 1, end, endYear: year };
}

/**
 * The day itself when a working day, else the Monday after, or the Friday before when the Monday is
 * past `hi`; null when neither is within [lo, hi].
 */
function workingDay(day: DayNumber, lo: DayNumber, hi: DayNumber): DayNumber | null {
  const w = weekday(day);
  let result = day;
  if (w >= 5) {
    result = day + (7 - w);
    if (result > hi) result = day - (w - 4);
  }
  return result >= lo && result <= hi ? result : null;
}

/** Days from `from` to `to` with gaps of `gap(day)` times 0.5 to 1.5, the first within one gap of `from`. */
function renewal(random: Random, from: DayNumber, to: DayNumber, gap: (day: DayNumber) => number): DayNumber[] {
  const days: DayNumber[] = [];
  let day = from + Math.floor(random.next() * gap(from));
  while (day <= to) {
    days.push(day);
    day += Math.max(1, Math.round(gap(day) * random.uniform(0.5, 1.5)));
  }
  return days;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] as number : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function planClient(client: DemoLedgerClient, seed: number, window: Window): ClientPlan {
  const random = createRandom(clientSeed(seed, client.code));
  const { profile } = client;
  const { start, end } = window;
  let first = start;
  let last = end;
  let days: DayNumber[];
  switch (profile) {
    case 'breadwinner': {
      const gap = random.uniform(1.2, 2.2);
      days = renewal(random, start, end, () => gap);
      break;
    }
    case 'regular': {
      const gap = random.weighted([[[5, 12], 25], [[12, 25], 45], [[25, 50], 30]] as const);
      const mean = random.uniform(gap[0], gap[1]);
      // Some regular clients started buying within the ledger's years.
      if (random.chance(0.15)) first = start + random.int(60, Math.max(60, Math.round((end - start) * 0.5)));
      days = renewal(random, first, end, () => mean);
      break;
    }
    case 'seasonal': {
      const months = SEASONS[random.int(0, SEASONS.length - 1)] as readonly number[];
      const gap = random.uniform(4, 12);
      days = renewal(random, start, end, () => gap).filter((day) => months.includes(civilFromDay(day).month));
      break;
    }
    case 'occasional': {
      const count = Math.max(2, Math.round(((end - start + 1) / 365) * random.uniform(2, 6)));
      days = Array.from({ length: count }, () => random.int(start, end));
      break;
    }
    case 'slipping': {
      // Regular until a year before the end, then the gaps grow to four times their size.
      const mean = random.uniform(10, 30);
      const thinning = end - 365;
      days = renewal(random, start, end, (day) => (day < thinning ? mean : mean * (1 + (3 * (day - thinning)) / 365)));
      break;
    }
    case 'lost': {
      const mean = random.uniform(10, 40);
      // The last purchase is the day it stopped (a working day, hence the 3 days' room), within the
      // ledger even when it reaches back only a year.
      last = random.int(Math.max(addMonths(end, -14) + 3, start + 60), addMonths(end, -8) - 1);
      if (random.chance(0.2)) first = Math.min(start + random.int(30, 200), last - 60);
      days = [...renewal(random, first, last - 1, () => mean), last];
      break;
    }
    case 'new': {
      first = random.int(addMonths(end, -5) + 1, end - 21);
      const mean = random.uniform(7, 25);
      days = [first, ...renewal(random, first + 1, end, () => mean)];
      break;
    }
  }
  const orders = [...new Set(days.map((day) => workingDay(day, first, last)).filter((day): day is DayNumber => day !== null))]
    .sort((a, b) => a - b);
  if (profile === 'slipping') settleSlipping(orders, end);
  if (orders.length === 0) orders.push(workingDay(last, first, last) ?? workingDay(first, first, last) ?? first);

  const sizes = orders.map((day) => {
    const { month } = civilFromDay(day);
    // A lognormal-like spread of order sizes: most near the client's usual order, a few far larger.
    const spread = Math.exp(0.45 * (random.next() + random.next() + random.next() - 1.5));
    const thinning = profile === 'slipping' && day > end - 365 ? 1 - (0.5 * (day - (end - 365))) / 365 : 1;
    return (MONTH_FACTORS[month - 1] as number) * spread * thinning;
  });

  // A Pareto draw (shape 1.3, capped) for everyone but the breadwinners, whose share is set apart.
  const pareto = Math.min(8, 1 / (1 - random.next()) ** (1 / 1.3));
  return {
    client,
    random,
    fixedShare: profile === 'breadwinner' ? random.uniform(0.11, 0.14) : null,
    weight: profile === 'breadwinner' ? 0 : pareto * PROFILE_WEIGHT[profile],
    share: 0,
    discount: profile === 'breadwinner' ? random.uniform(0.02, 0.05) : random.uniform(0, 0.04),
    terms: random.weighted(TERMS[profile]),
    lateDays: random.chance(profile === 'breadwinner' ? 0.35 : 0.22) ? random.int(10, 45) : 0,
    returnRate: random.uniform(0.005, 0.03),
    assortment: assortmentFor(random, profile),
    first,
    last,
    orders,
    sizes,
  };
}

/**
 * Ends a slipping client's purchases so that the analysis sees it slipping and not lost: the time
 * since the last purchase is more than 2.3 times the median gap, yet under 150 days.
 */
function settleSlipping(orders: DayNumber[], end: DayNumber): void {
  const gaps = (): number[] => orders.slice(1).map((day, i) => day - (orders[i] as number));
  while (orders.length > 4 && end - (orders[orders.length - 1] as number) <= 2.3 * median(gaps())) orders.pop();
  const lastDay = orders[orders.length - 1];
  if (lastDay !== undefined && end - lastDay > 150) {
    const late = workingDay(end - 120, end - 150, end - 100);
    if (late !== null) orders.push(late);
  }
}

function assortmentFor(random: Random, profile: DemoSalesProfile): ClientPlan['assortment'] {
  const [min, max] = GROUPS_BOUGHT[profile];
  const wanted = random.int(min, max);
  const groups: number[] = [];
  const pool = ASSORTMENT.map((group, i) => [i, group.weight] as const);
  while (groups.length < wanted) {
    const remaining = pool.filter(([i]) => !groups.includes(i));
    groups.push(random.weighted(remaining));
  }
  const assortment: ClientPlan['assortment'] = [];
  for (const g of groups) {
    const products = PRODUCTS_BY_GROUP[g] as readonly Product[];
    const groupWeight = random.uniform(0.5, 2);
    const count = Math.min(products.length, random.int(2, 5));
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(random.int(0, products.length - 1));
    for (const p of chosen) assortment.push({ product: products[p] as Product, weight: groupWeight * random.uniform(0.3, 1.5) });
  }
  return assortment;
}

/** No client but a breadwinner takes more of the revenue than this: it would be a breadwinner too. */
const OTHER_SHARE_CAP = 0.07;

/**
 * The revenue a fast-starting new client brings per month, as a share of the ledger's yearly: the pace
 * of a client with 8% of the revenue, above the median A client's (2-6% in the demo), so that the
 * promising rule (a new client buying at least at the median A client's pace, docs/analysis.md) finds
 * it. Over its few months it still brings under 2% of the three years' revenue.
 */
const FAST_STARTER_MONTHLY_SHARE = 0.08 / 12;

/**
 * Settles the shares of the revenue: the fixed shares first (breadwinners' scaled down should they
 * together pass 60%), then the others divide the rest by their weights, none above OTHER_SHARE_CAP
 * (what a capped client gives up goes to the others, by their weights).
 */
function settleShares(plans: ClientPlan[]): void {
  const fixed = plans.filter((p) => p.fixedShare !== null);
  let others = plans.filter((p) => p.fixedShare === null);
  if (others.length === 0) {
    for (const p of plans) p.share = 1 / plans.length;
    return;
  }
  const drawn = fixed.reduce((sum, p) => sum + (p.fixedShare as number), 0);
  const scale = drawn > 0.6 ? 0.6 / drawn : 1;
  for (const p of fixed) p.share = (p.fixedShare as number) * scale;
  let rest = 1 - drawn * scale;
  for (;;) {
    const weights = others.reduce((sum, p) => sum + p.weight, 0);
    for (const p of others) p.share = (rest * p.weight) / weights;
    const over = others.filter((p) => p.share > OTHER_SHARE_CAP);
    if (over.length === 0 || over.length === others.length) return;
    for (const p of over) p.share = OTHER_SHARE_CAP;
    rest -= over.length * OTHER_SHARE_CAP;
    others = others.filter((p) => !over.includes(p));
  }
}

/** The price list's level in `year`: the end year's list is the assortment's. */
function priceLevel(window: Window, day: DayNumber): number {
  return YEARLY_PRICE_RISE ** (civilFromDay(day).year - window.endYear);
}

function paymentOf(plan: ClientPlan, day: DayNumber, window: Window): { due: DayNumber; paid: DayNumber | null } {
  const { random } = plan;
  const due = day + plan.terms;
  let delay: number;
  if (plan.lateDays > 0) {
    delay = plan.lateDays + random.int(-7, 7) + (random.chance(0.1) ? random.int(5, 30) : 0);
  } else {
    const [min, max] = random.weighted([[[-5, -1], 25], [[0, 3], 45], [[4, 9], 25], [[10, 20], 5]] as const);
    delay = random.int(min, max);
  }
  // Transfers arrive on working days; one still to come by the end is an invoice not yet paid.
  const paid = workingDay(Math.max(day, due + delay), day, Number.MAX_SAFE_INTEGER);
  return { due, paid: paid !== null && paid <= window.end ? paid : null };
}

function pickDistinct(random: Random, items: ClientPlan['assortment'], count: number): Product[] {
  const pool = [...items];
  const picked: Product[] = [];
  while (picked.length < count && pool.length > 0) {
    const total = pool.reduce((sum, item) => sum + item.weight, 0);
    let point = random.next() * total;
    let k = pool.length - 1;
    for (let i = 0; i < pool.length; i++) {
      point -= (pool[i] as { weight: number }).weight;
      if (point < 0) {
        k = i;
        break;
      }
    }
    picked.push((pool[k] as { product: Product }).product);
    pool.splice(k, 1);
  }
  return picked;
}

function documentsOf(plan: ClientPlan, totalRevenue: number, window: Window): PlannedDocument[] {
  const { random, client } = plan;
  const target = totalRevenue * plan.share;
  const sizeSum = plan.sizes.reduce((sum, size) => sum + size, 0);
  const documents: PlannedDocument[] = [];
  plan.orders.forEach((day, k) => {
    const orderValue = (target * (plan.sizes[k] as number)) / sizeSum;
    const wanted = random.weighted(LINES_PER_DOCUMENT[client.profile]) + (orderValue > 5_000_000 ? random.int(0, 2) : 0);
    const products = pickDistinct(random, plan.assortment, Math.min(8, wanted));
    const splits = products.map(() => random.uniform(0.3, 1.7));
    const splitSum = splits.reduce((sum, s) => sum + s, 0);
    const level = priceLevel(window, day);
    const lines = products.map((product, i): PlannedLine => {
      const unitPrice = Math.max(1, Math.round(product.price * level * (1 - plan.discount)));
      const unitCost = Math.max(1, Math.round(product.price * level * (1 - product.margin) * random.uniform(0.985, 1.015)));
      const lineValue = (orderValue * (splits[i] as number)) / splitSum;
      const quantity = Math.max(1, Math.round(lineValue / unitPrice / product.pack)) * product.pack;
      return { product, quantity, unitPrice, unitCost, value: quantity * unitPrice, cost: quantity * unitCost };
    });
    documents.push({ kind: 'FV', day, client, ...paymentOf(plan, day, window), lines, tieBreak: random.next(), number: '' });

    // A return now and then: a correction invoice some days later taking back part of one or two lines.
    if (random.chance(plan.returnRate)) {
      const day2 = workingDay(day + random.int(3, 30), day + 1, plan.last);
      if (day2 === null) return;
      const returned = pickDistinct(random, lines.map((line) => ({ product: line.product, weight: 1 })), random.chance(0.7) ? 1 : 2);
      const corrections = returned.map((product): PlannedLine => {
        const line = lines.find((l) => l.product === product) as PlannedLine;
        const packs = line.quantity / product.pack;
        const quantity = Math.max(1, Math.round(packs * random.uniform(0.1, 0.6))) * product.pack;
        return { ...line, quantity: -quantity, value: -quantity * line.unitPrice, cost: -quantity * line.unitCost };
      });
      const due = day2 + plan.terms;
      documents.push({
        kind: 'FK',
        day: day2,
        client,
        due,
        paid: due <= window.end ? workingDay(due, day2, Number.MAX_SAFE_INTEGER) : null,
        lines: corrections,
        tieBreak: random.next(),
        number: '',
      });
    }
  });
  return documents;
}

/** Every document of the ledger in date order, numbered FV/YYYY/MM/NNNNN (and FK/...) within each month. */
function planLedger(clients: readonly DemoLedgerClient[], options: DemoLedgerOptions): PlannedDocument[] {
  const window = windowOf(options);
  const codes = new Set<string>();
  for (const client of clients) {
    if (client.code.trim() === '') throw new RangeError('demo ledger: a client has an empty code');
    if (codes.has(client.code)) throw new RangeError(`demo ledger: the client code ${client.code} is given twice`);
    codes.add(client.code);
  }
  const plans = clients.map((client) => planClient(client, options.seed, window));
  // The first new client in the list starts fast, so that the demo has a promising client to show.
  const fast = plans.find((p) => p.client.profile === 'new');
  if (fast !== undefined) {
    const months = Math.max(1, (window.end - (fast.orders[0] as number)) / 30.4375);
    fast.fixedShare = (FAST_STARTER_MONTHLY_SHARE * months * 365.25) / (window.end - window.start + 1);
  }
  settleShares(plans);
  const years = (window.end - window.start + 1) / 365.25;
  const totalRevenue = YEARLY_REVENUE_PER_CLIENT * clients.length * years;
  const documents = plans.flatMap((plan) => documentsOf(plan, totalRevenue, window));
  const kindRank = (kind: PlannedDocument['kind']): number => (kind === 'FV' ? 0 : 1);
  documents.sort((a, b) => a.day - b.day || kindRank(a.kind) - kindRank(b.kind) || a.tieBreak - b.tieBreak ||
    (a.client.code < b.client.code ? -1 : a.client.code > b.client.code ? 1 : 0));
  const counters = new Map<string, number>();
  for (const document of documents) {
    const { year, month } = civilFromDay(document.day);
    const prefix = `${document.kind}/${year}/${String(month).padStart(2, '0')}/`;
    const n = (counters.get(prefix) ?? 0) + 1;
    counters.set(prefix, n);
    document.number = `${prefix}${String(n).padStart(5, '0')}`;
  }
  return documents;
}

// ---------------------------------------------------------------------------------------------------
// The file.

const HEADER = [
  'Nr dokumentu', 'Lp', 'Data sprzedaży', 'Kod kontrahenta', 'Nazwa kontrahenta', 'Indeks', 'Grupa towarowa', 'Ilość',
  'Wartość netto', 'Koszt zakupu', 'Termin płatności', 'Data zapłaty',
];

const BOM = '\uFEFF';

/** A field as the ERP writes it: quoted only when it holds the delimiter, a quote or a line break. */
function field(text: string): string {
  return /[;"\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function formatDate(day: DayNumber): string {
  const { year, month, day: d } = civilFromDay(day);
  return `${String(d).padStart(2, '0')}.${String(month).padStart(2, '0')}.${year}`;
}

/** Grosze as złote with a decimal comma and no thousands separator: -1234,50. */
function formatMoney(grosze: number): string {
  const sign = grosze < 0 ? '-' : '';
  const abs = Math.abs(grosze);
  return `${sign}${Math.floor(abs / 100)},${String(abs % 100).padStart(2, '0')}`;
}

function* linesOf(documents: readonly PlannedDocument[]): Generator<string> {
  yield `${HEADER.join(';')}\r\n`;
  for (const document of documents) {
    const date = formatDate(document.day);
    const code = field(document.client.code);
    const name = field(document.client.name);
    const due = formatDate(document.due);
    const paid = document.paid === null ? '' : formatDate(document.paid);
    let lp = 0;
    for (const line of document.lines) {
      lp += 1;
      yield `${document.number};${lp};${date};${code};${name};${field(line.product.index)};${field(line.product.group)};` +
        `${line.quantity};${formatMoney(line.value)};${formatMoney(line.cost)};${due};${paid}\r\n`;
    }
  }
}

/**
 * The demo ledger's text: the header line, then the lines of every document in date order, each line
 * ending in CRLF. The byte-order mark is not part of it: `writeDemoLedger` writes it before the header.
 */
export function demoLedgerLines(clients: readonly DemoLedgerClient[], options: DemoLedgerOptions): Generator<string> {
  return linesOf(planLedger(clients, options));
}

/** Writes the demo ledger to `path` (UTF-8 with a byte-order mark) and says how many data lines and documents it holds. */
export async function writeDemoLedger(
  path: string,
  clients: readonly DemoLedgerClient[],
  options: DemoLedgerOptions,
): Promise<{ lines: number; documents: number }> {
  const documents = planLedger(clients, options);
  const handle = await open(path, 'w');
  let lines = -1;
  try {
    let chunk = BOM;
    for (const line of linesOf(documents)) {
      lines += 1;
      chunk += line;
      if (chunk.length >= 1 << 16) {
        await handle.write(chunk);
        chunk = '';
      }
    }
    await handle.write(chunk);
  } finally {
    await handle.close();
  }
  return { lines, documents: documents.length };
}
