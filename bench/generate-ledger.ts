/**
 * Seeded synthetic sales ledgers for the benchmark: `date,client_id,product_id,quantity,revenue,cost`,
 * ISO dates, decimal points, LF. The same parameters give a byte-identical file on every machine, so
 * figures from different runs are about the same data.
 *
 * The ledger is meant to look like an ERP export, because the analysis's cost depends on its shape
 * (how many clients, how many purchase days each): client sizes follow a Pareto law, so that a few big
 * clients carry most of the revenue (about a fifth of the clients three quarters of it); some clients start months into the
 * window and some stop buying; steady clients order every month in similar amounts (the X and Y of the
 * XYZ analysis) while erratic ones buy on random days; an invoice has several lines on one day; a few
 * lines are returns (negative quantity and revenue) or free goods (zero revenue); a few products sell
 * below cost. Lines come in date order, invoices on weekdays.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { civilFromDay, dayFromCivil, formatDay, weekday } from '../src/core/calendar.ts';

export type LedgerSpec = {
  /** Data lines, the header not counted. */
  lines: number;
  clients: number;
  seed: number;
  /** First and last day of the ledger, ISO. */
  from: string;
  to: string;
};

export type LedgerManifest = LedgerSpec & { generator: number; bytes: number };

/**
 * Bumped whenever the generator's output changes, so that a cached file from an older generator is
 * never taken for the current one.
 */
export const GENERATOR_VERSION = 2;

export const LEDGER_HEADER = 'date,client_id,product_id,quantity,revenue,cost\n';

/**
 * The small fast generator sfc32 (Chris Doty-Humphrey's PractRand suite), seeded through splitmix32:
 * good enough statistically for synthetic data, and exactly reproducible with 32-bit integer arithmetic.
 */
export function createRandom(seed: number): () => number {
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // The first outputs of a freshly seeded sfc32 are correlated with the seed; its author discards them.
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** A standard normal deviate (Box-Muller); `uniform` must return values in [0, 1). */
function normal(uniform: () => number): number {
  const u = 1 - uniform();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
}

/** Money in minor units as the ledger prints it: `1234.56`, `-0.05`. */
function formatMinor(minor: number): string {
  const abs = minor < 0 ? -minor : minor;
  const whole = Math.floor(abs / 100);
  const cents = abs - whole * 100;
  return `${minor < 0 ? '-' : ''}${whole}.${cents < 10 ? '0' : ''}${cents}`;
}

/** Moves a Saturday back to Friday and a Sunday on to Monday, within first..last (steady orders keep their week). */
function toWeekday(day: number, first: number, last: number): number {
  const w = weekday(day);
  let moved = day;
  if (w === 5) moved = day - 1;
  else if (w === 6) moved = day + 1;
  return moved < first || moved > last ? day : moved;
}

type Invoices = { day: Int32Array; client: Int32Array; lines: Int32Array; count: number };

/** Spreads `total` lines over `parts` invoices as evenly as integers allow (Bresenham). */
function evenShare(total: number, parts: number, index: number): number {
  return Math.floor(((index + 1) * total) / parts) - Math.floor((index * total) / parts);
}

/**
 * Writes the ledger to `path` (through a temporary file, so an interrupted run leaves no half file) and
 * returns its size in bytes.
 */
export function generateLedger(path: string, spec: LedgerSpec): number {
  const random = createRandom(spec.seed);
  const firstDay = parseIso(spec.from);
  const lastDay = parseIso(spec.to);
  const days = lastDay - firstDay + 1;
  const clientCount = spec.clients;
  if (!(days > 0 && clientCount > 0 && spec.lines >= clientCount)) {
    throw new Error(`cannot generate ${spec.lines} lines for ${clientCount} clients over ${spec.from}..${spec.to}`);
  }

  // Client sizes: Pareto with shape 1.1 (close to the 80/20 rule's 1.16, which the noise below would
  // flatten to about 70/20), capped so one outlier cannot take the whole file. A client's size goes mostly into how many lines it has
  // (size^0.8, with log-normal noise, so that there are one-off buyers too) and a little into how large
  // its lines are (size^0.2).
  const lineWeight = new Float64Array(clientCount);
  const lineValue = new Float64Array(clientCount);
  let weightSum = 0;
  for (let i = 0; i < clientCount; i++) {
    const size = Math.min(1e5, 1 / Math.pow(1 - random(), 1 / 1.1));
    lineWeight[i] = Math.pow(size, 0.8) * Math.exp(0.7 * normal(random));
    lineValue[i] = 6000 * Math.pow(size, 0.2);
    weightSum += lineWeight[i]!;
  }
  const budget = new Int32Array(clientCount);
  let allotted = 0;
  for (let i = 0; i < clientCount; i++) {
    budget[i] = Math.max(1, Math.floor((spec.lines * lineWeight[i]!) / weightSum));
    allotted += budget[i]!;
  }
  for (let i = 0; allotted !== spec.lines; i = (i + 1) % clientCount) {
    if (allotted < spec.lines) {
      budget[i]!++;
      allotted++;
    } else if (budget[i]! > 1) {
      budget[i]!--;
      allotted--;
    }
  }

  const invoices: Invoices = {
    day: new Int32Array(spec.lines),
    client: new Int32Array(spec.lines),
    lines: new Int32Array(spec.lines),
    count: 0,
  };
  const addInvoice = (day: number, client: number, lines: number): void => {
    const k = invoices.count++;
    invoices.day[k] = day;
    invoices.client[k] = client;
    invoices.lines[k] = lines;
  };
  const steady = new Uint8Array(clientCount);
  const discount = new Float64Array(clientCount);
  const basket = new Int32Array(clientCount);
  const productCount = 2000 + Math.floor(clientCount / 10);

  for (let i = 0; i < clientCount; i++) {
    const lines = budget[i]!;
    discount[i] = 0.15 * random();
    basket[i] = Math.floor(random() * productCount);
    // A third of the clients start late, a fifth stop buying before the end.
    const start = random() < 0.3 ? Math.floor(random() * days * 0.85) : Math.floor(random() * 20);
    const end = random() < 0.2 ? start + Math.floor((0.1 + 0.8 * random()) * (days - start)) : days - 1;
    const firstMonth = monthOf(firstDay + start);
    const months = monthOf(firstDay + end) - firstMonth + 1;
    // Half of the clients with enough lines for it order every month, the bigger ones more often.
    if (lines >= months && random() < 0.5) {
      steady[i] = 1;
      const perMonth = Math.max(1, Math.ceil(lines / (months * 20)));
      const dayOfMonth = 1 + Math.floor(random() * 27);
      // The order days of every month from the first to the last; in the first and the last month only
      // those within the client's span, so that a client starting mid-month has no pile of orders on
      // its first day (the lines go to the orders that remain).
      const orderDays: number[] = [];
      for (let j = 0; j < months * perMonth; j++) {
        const month = firstMonth + Math.floor(j / perMonth);
        const slot = j % perMonth;
        const jitter = Math.floor(random() * 5) - 2;
        const offset = (((dayOfMonth - 1 + Math.floor((slot * 28) / perMonth) + jitter) % 28) + 28) % 28;
        const day = monthStart(month) + offset;
        if (day >= firstDay + start && day <= firstDay + end) orderDays.push(toWeekday(day, firstDay, lastDay) - firstDay);
      }
      if (orderDays.length === 0) orderDays.push(start);
      for (let j = 0; j < orderDays.length; j++) addInvoice(orderDays[j]!, i, evenShare(lines, orderDays.length, j));
    } else {
      const averageLines = 1 + Math.floor(random() * 6);
      const count = Math.max(1, Math.ceil(lines / averageLines));
      const base = invoices.count;
      for (let j = 0; j < count; j++) {
        let day = firstDay + start + Math.floor(random() * (end - start + 1));
        // Invoices fall on weekdays: a weekend draw is drawn again (a short span may be all weekend).
        for (let tries = 0; weekday(day) >= 5 && tries < 8; tries++) day = firstDay + start + Math.floor(random() * (end - start + 1));
        addInvoice(day - firstDay, i, 1);
      }
      for (let extra = lines - count; extra > 0; extra--) invoices.lines[base + Math.floor(random() * count)]!++;
    }
  }

  // Products: log-normal list prices (median 40.00) and cost ratios; 3% sell below cost.
  const price = new Int32Array(productCount);
  const costRatio = new Float64Array(productCount);
  const productIds: string[] = [];
  for (let p = 0; p < productCount; p++) {
    price[p] = Math.max(100, Math.round(4000 * Math.exp(1.2 * normal(random))));
    costRatio[p] = random() < 0.03 ? 1.02 + 0.18 * random() : 0.55 + 0.4 * random();
    productIds.push(`P${String(p + 1).padStart(5, '0')}`);
  }
  const clientIds: string[] = [];
  for (let i = 0; i < clientCount; i++) clientIds.push(`C${i + 1}`);
  const dates: string[] = [];
  for (let d = 0; d < days; d++) dates.push(formatDay(firstDay + d));

  // Invoices in date order: a counting sort by day keeps each day's invoices in generation order.
  const dayStart = new Int32Array(days + 1);
  for (let k = 0; k < invoices.count; k++) dayStart[invoices.day[k]! + 1]!++;
  for (let d = 0; d < days; d++) dayStart[d + 1]! += dayStart[d]!;
  const order = new Int32Array(invoices.count);
  const fill = dayStart.slice(0, days);
  for (let k = 0; k < invoices.count; k++) order[fill[invoices.day[k]!]!++] = k;

  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.partial`;
  const fd = openSync(temporary, 'w');
  let bytes = 0;
  let chunk = LEDGER_HEADER;
  const flush = (): void => {
    bytes += writeSync(fd, chunk);
    chunk = '';
  };
  try {
    for (let o = 0; o < invoices.count; o++) {
      const k = order[o]!;
      const i = invoices.client[k]!;
      const prefix = `${dates[invoices.day[k]!]},${clientIds[i]},`;
      const spread = steady[i] ? 0.2 : 1;
      for (let line = invoices.lines[k]!; line > 0; line--) {
        const product = (basket[i]! + Math.floor(productCount * Math.pow(random(), 3))) % productCount;
        // The line's net value follows the client; the quantity follows from the product's list price,
        // and the net unit price (value / quantity) varies as negotiated prices do.
        const value = lineValue[i]! * Math.exp(spread * normal(random)) * (1 - discount[i]!);
        let quantity = Math.max(1, Math.round(value / price[product]!));
        let revenue = Math.round(value);
        const kind = random();
        if (kind < 0.007) {
          // A return of part of an earlier delivery.
          const returned = Math.max(1, Math.round(quantity * random()));
          revenue = -Math.round((revenue * returned) / quantity);
          quantity = -returned;
        }
        // Free goods (zero revenue) still cost something, so cost follows the goods.
        const cost = Math.round(revenue * costRatio[product]!);
        if (kind >= 0.007 && kind < 0.008) revenue = 0;
        chunk += `${prefix}${productIds[product]},${quantity},${formatMinor(revenue)},${formatMinor(cost)}\n`;
      }
      if (chunk.length > 1 << 20) flush();
    }
    flush();
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  return bytes;
}

function parseIso(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) throw new Error(`not an ISO date: ${text}`);
  return dayFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** Months counted from year 0, so that consecutive months have consecutive numbers. */
function monthOf(dayNumber: number): number {
  const { year, month } = civilFromDay(dayNumber);
  return year * 12 + month - 1;
}

function monthStart(month: number): number {
  return dayFromCivil(Math.floor(month / 12), (month % 12) + 1, 1);
}

/**
 * The ledger for `spec` in `directory`, generated only when no file made from the same parameters by
 * the same generator is there already (a JSON manifest beside it records them and the file's size).
 */
export function ensureLedger(directory: string, name: string, spec: LedgerSpec): { path: string; generated: boolean; bytes: number } {
  const path = join(directory, `${name}.csv`);
  const manifestPath = join(directory, `${name}.json`);
  const wanted: Omit<LedgerManifest, 'bytes'> = { generator: GENERATOR_VERSION, ...spec };
  if (existsSync(path) && existsSync(manifestPath)) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as LedgerManifest;
    const same = (Object.keys(wanted) as (keyof typeof wanted)[]).every((key) => manifest[key] === wanted[key]);
    if (same && statSync(path).size === manifest.bytes) return { path, generated: false, bytes: manifest.bytes };
  }
  const bytes = generateLedger(path, spec);
  const manifest: LedgerManifest = { ...wanted, bytes };
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { path, generated: true, bytes };
}
