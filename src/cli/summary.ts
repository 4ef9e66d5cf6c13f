/**
 * The readable summary that `kamerton analyze` prints by default. It is plain text, at most 100
 * columns wide, and deterministic: the same ledger and flags print the same bytes, so the summary can
 * be compared between runs and pasted into a report. Numbers are written the English way (1,234.50),
 * money with two decimals and shares as percentages with one.
 */
import type { Period } from '../core/calendar.ts';
import type { ModelSummary } from '../core/customer-alive.ts';
import type { AnalysisParams, ClientResult } from '../core/types.ts';
import type { AnalysisDocument } from '../app/analysis-document.ts';
import type { ReadInfo } from '../ingest/types.ts';

const WIDTH = 100;
/** How many rejected lines, key clients and lost or slipping clients the summary lists. */
const LISTED_ERRORS = 10;
const LISTED_KEY_CLIENTS = 20;
const LISTED_AT_RISK = 10;

const PERIOD_WORDS: Record<Period, [string, string]> = {
  week: ['week', 'weeks'],
  month: ['month', 'months'],
  quarter: ['quarter', 'quarters'],
};

export function formatSummary(doc: AnalysisDocument, info: ReadInfo, params: AnalysisParams): string {
  const out: string[] = [];
  out.push(`Kamerton analysis of ${clean(info.file)}`, '');
  out.push(...describeInput(doc, info, params), '');
  out.push(...describeRejected(doc), '');
  out.push(...describeMatrix(doc, params), '');
  out.push(...describeKeyClients(doc, params), '');
  out.push(...describeActivity(doc, params));
  if (doc.model !== undefined) out.push('', ...describeModel(doc, doc.model));
  return `${out.join('\n')}\n`;
}

/**
 * The summary of an analysis of the stored ledger (`kamerton analysis run`): `heading` says which
 * run and which ledger; the matrix, key clients and activity read as `analyze`'s do.
 */
export function formatStoredSummary(doc: AnalysisDocument, params: AnalysisParams, heading: string[]): string {
  const out: string[] = [...heading, ''];
  out.push(...describeMatrix(doc, params), '');
  out.push(...describeKeyClients(doc, params), '');
  out.push(...describeActivity(doc, params));
  if (doc.model !== undefined) out.push('', ...describeModel(doc, doc.model));
  return `${out.join('\n')}\n`;
}

function describeInput(doc: AnalysisDocument, info: ReadInfo, params: AnalysisParams): string[] {
  const w = doc.window;
  const [one, many] = PERIOD_WORDS[w.period];
  const partial = w.asOf < w.to ? ` (the last ${one} is partial)` : '';
  const encoding = info.encoding === 'windows-1250' ? 'Windows-1250' : 'UTF-8';
  const read =
    info.format === 'xlsx'
      ? 'XLSX'
      : `${info.delimiter === 'whitespace' ? 'text' : 'CSV'}, ${describeDelimiter(info.delimiter)}, ${encoding}`;
  const columns = Object.entries(info.columns)
    .map(([field, label]) => `${field} = ${quote(label)}`)
    .join(', ');
  const t = doc.totals;
  const xyz =
    params.xyzMode === 'frequency'
      ? `XYZ by purchase frequency (X from ${params.xyzFreq[0]}%, Y from ${params.xyzFreq[1]}% of the ${many} with a purchase)`
      : `XYZ by the coefficient of variation of revenue per ${one} (X up to ${params.xyz[0]}%, Y up to ${params.xyz[1]}%)`;
  return [
    ...field('Window', `${w.from} .. ${w.to}: ${count(w.periods)} ${w.periods === 1 ? one : many}, as of ${w.asOf}${partial}`),
    ...field('Read', `${read}, decimal ${info.decimal === ',' ? 'comma' : 'point'}`),
    ...field('Columns', columns),
    ...field('Lines', `${count(t.lines)} read, ${count(t.rejectedLines)} rejected, ${count(t.linesOutsideWindow)} outside the window`),
    ...field(
      'Clients',
      `${count(t.clients)}; revenue ${money(t.revenue)}; margin ${t.margin === null ? 'n/a (no cost or margin column)' : money(t.margin)}`,
    ),
    ...field(
      'Analysis',
      `ABC by ${params.metric} (A below ${params.abc[0]}%, B below ${params.abc[1]}% of the cumulative share); ${xyz}; ` +
        `lost after ${count(params.lostDays)} days without a purchase`,
    ),
  ];
}

function describeDelimiter(delimiter: ReadInfo['delimiter']): string {
  switch (delimiter) {
    case ';':
      return "delimiter ';'";
    case ',':
      return "delimiter ','";
    case '\t':
      return 'delimiter tab';
    case 'whitespace':
      return 'fields separated by blanks';
    case null:
      return 'delimiter unknown';
  }
}

function describeRejected(doc: AnalysisDocument): string[] {
  const rejected = doc.totals.rejectedLines;
  if (rejected === 0) return ['Rejected lines: none'];
  const shown = doc.errors.slice(0, LISTED_ERRORS);
  const lines = [`Rejected lines: ${count(rejected)}${rejected > shown.length ? ` (the first ${shown.length} shown)` : ''}`];
  for (const e of shown) {
    const where = [`line ${e.line}`];
    if (e.column !== null) where.push(`column ${quote(e.column)}`);
    if (e.value !== null) where.push(`value ${quote(truncate(e.value, 30))}`);
    lines.push(...wrap(`${where.join(', ')}: ${clean(e.message)}`, '  ', '    '));
  }
  return lines;
}

function describeMatrix(doc: AnalysisDocument, params: AnalysisParams): string[] {
  // Each class column is the clients (7 characters), the revenue share and, when the ledger has a
  // margin, the margin share (9 each), then 3 blanks, after a 5-character row label: at most
  // 5 + 3 * 28 = 89 characters.
  const hasMargin = doc.totals.margin !== null;
  const cell = (c: string, r: string, m: string) => `${c.padStart(7)}${r.padStart(9)}${hasMargin ? m.padStart(9) : ''}   `;
  const cellWidth = hasMargin ? 25 : 16;
  const lines = [
    `ABC-XYZ matrix: clients, share of revenue${hasMargin ? ', share of margin' : ''}`,
    `     ${['X', 'Y', 'Z'].map((x) => `${x.padStart(Math.ceil(cellWidth / 2) + 1).padEnd(cellWidth)}   `).join('')}`.trimEnd(),
    `     ${cell('clients', 'revenue', 'margin').repeat(3)}`.trimEnd(),
  ];
  for (const abc of ['A', 'B', 'C'] as const) {
    let row = `  ${abc}  `;
    for (const xyz of ['X', 'Y', 'Z'] as const) {
      const m = doc.matrix[`${abc}${xyz}`];
      row += cell(count(m.clients), percent(m.revenueShare), percent(m.marginShare));
    }
    lines.push(row.trimEnd());
  }
  lines.push(`Key segments: ${params.keySegments.length > 0 ? params.keySegments.join(', ') : 'none'}`);
  return lines;
}

function describeKeyClients(doc: AnalysisDocument, params: AnalysisParams): string[] {
  const k = doc.keyClients;
  const lines = [
    `Key clients: ${count(k.count)} of ${count(doc.totals.clients)} clients, ${percent(k.revenueShare)} of revenue` +
      (doc.totals.margin === null ? '' : `, ${percent(k.marginShare)} of margin`),
  ];
  const verdict =
    k.band === null
      ? 'The band is not judged: the total revenue is zero or less.'
      : `Their revenue share is ${k.band} the 30-55% band usual for key accounts.`;
  lines.push(
    ...wrap(
      `${verdict} Below the band, the key list is too narrow: much of the business rests on clients nobody manages ` +
        'as key. Above it, the company leans on a few clients, and losing one of them hurts.',
      '  ',
      '  ',
    ),
    ...wrap(
      `Key clients are those in the key segments (${params.keySegments.join(', ') || 'none'}), the breadwinners ` +
        `(${params.breadwinner}% or more of the ${doc.totals.margin !== null ? 'margin' : 'revenue'}) ` +
        'and the promising newcomers.',
      '  ',
      '  ',
    ),
  );
  const key = doc.clients.map((c, i) => ({ c, rank: i + 1 })).filter(({ c }) => c.isKey);
  if (key.length === 0) return lines;
  // 2 + 5 + 2 + 10 + 2 + 18 + 2 + 3 + 2 + 13 + 2 + 6 + 2 + 31 = 100 columns at the widest.
  const names = hasNames(doc);
  const shareHeader = params.metric === 'revenue' ? 'share' : 'margin share';
  lines.push(
    '',
    `  ${'rank'.padStart(5)}  ${'client'.padEnd(10)}  ${names ? `${'name'.padEnd(18)}  ` : ''}seg  ${'revenue'.padStart(13)}  ` +
      `${shareHeader.padStart(6)}  key as`,
  );
  for (const { c, rank } of key.slice(0, LISTED_KEY_CLIENTS)) {
    const why = [...(params.keySegments.includes(c.segment) ? ['segment'] : []), ...c.types].join(', ');
    lines.push(
      `  ${count(rank).padStart(5)}  ${cut(c.client, 10)}  ${names ? `${cut(c.name ?? '', 18)}  ` : ''}${c.segment}   ` +
        `${money(c.revenue).padStart(13)}  ${percent(c.share).padStart(6)}  ${why}`.trimEnd(),
    );
  }
  if (key.length > LISTED_KEY_CLIENTS) {
    lines.push(`  ... and ${count(key.length - LISTED_KEY_CLIENTS)} more (--format json or --out lists them all)`);
  }
  return lines;
}

function describeActivity(doc: AnalysisDocument, params: AnalysisParams): string[] {
  const byActivity = { active: [] as ClientResult[], slipping: [] as ClientResult[], lost: [] as ClientResult[] };
  for (const c of doc.clients) byActivity[c.activity].push(c);
  const revenueShare = (list: ClientResult[]) =>
    doc.totals.revenue > 0 ? percent(list.reduce((sum, c) => sum + c.revenue, 0) / doc.totals.revenue) : 'n/a';
  const lines = [
    `Activity: ${count(byActivity.active.length)} active, ${count(byActivity.slipping.length)} slipping ` +
      `(${revenueShare(byActivity.slipping)} of revenue), ${count(byActivity.lost.length)} lost (${revenueShare(byActivity.lost)} of revenue)`,
    ...wrap(
      `Lost: no purchase for more than ${count(params.lostDays)} days before the as-of date. Slipping: not lost, three or ` +
        "more purchase days, and more time since the last one than twice the client's median interval.",
      '  ',
      '  ',
    ),
  ];
  const names = hasNames(doc);
  for (const activity of ['slipping', 'lost'] as const) {
    const list = byActivity[activity];
    if (list.length === 0) continue;
    // Ranked by revenue whatever the ABC metric: a lost client matters by what it used to buy.
    const top = [...list]
      .sort((a, b) => b.revenue - a.revenue || (a.client < b.client ? -1 : a.client > b.client ? 1 : 0))
      .slice(0, LISTED_AT_RISK);
    lines.push(
      '',
      `${activity === 'lost' ? 'Lost' : 'Slipping'} clients, the top ${top.length} of ${count(list.length)} by revenue`,
      `  ${'client'.padEnd(10)}  ${names ? `${'name'.padEnd(18)}  ` : ''}seg  ${'revenue'.padStart(13)}  last purchase  days since`,
    );
    for (const c of top) {
      lines.push(
        `  ${cut(c.client, 10)}  ${names ? `${cut(c.name ?? '', 18)}  ` : ''}${c.segment}   ${money(c.revenue).padStart(13)}  ` +
          `${(c.lastPurchase ?? 'none').padEnd(13)}  ${(c.daysSinceLastPurchase === null ? 'n/a' : count(c.daysSinceLastPurchase)).padStart(10)}`,
      );
    }
  }
  return lines;
}

/** Below this probability of being alive a client is counted as likely inactive. */
const LIKELY_INACTIVE_BELOW = 0.5;

function describeModel(doc: AnalysisDocument, model: ModelSummary): string[] {
  const p = model.params;
  const units = model.timeUnit === 'week' ? 'weeks' : 'days';
  let inactive = 0;
  let modelled = 0;
  let purchases = 0;
  let revenue = 0;
  for (const c of doc.clients) {
    if (c.pAlive === undefined || c.pAlive === null) continue;
    modelled++;
    if (c.pAlive < LIKELY_INACTIVE_BELOW) inactive++;
    purchases += c.expectedPurchases ?? 0;
    revenue += c.expectedRevenue ?? 0;
  }
  const lines = [
    ...wrap(
      `Customer-alive model: BG/NBD (Fader, Hardie & Lee 2005), fitted on ${count(model.clients)} clients ` +
        `(${count(model.repeatBuyers)} with a repeat purchase) up to ${doc.window.asOf}, time in ${units}`,
      '',
      '  ',
    ),
    ...wrap(
      `r ${parameter(p.r)}, alpha ${parameter(p.alpha)}, a ${parameter(p.a)}, b ${parameter(p.b)}; ` +
        `log-likelihood ${decimal(model.logLikelihood)}; ` +
        (model.converged ? `converged in ${count(model.iterations)} iterations` : `NOT converged after ${count(model.iterations)} iterations`),
      '  ',
      '  ',
    ),
    ...(model.converged
      ? []
      : wrap('The fit did not converge (the ledger may hold too few or too alike clients): take the figures below as rough.', '  ', '  ')),
    ...wrap(
      model.spend === null
        ? 'Spend: the Gamma-Gamma model could not be fitted (too few repeat buyers with a positive spend, or a spend that barely varies per client), so each client\'s purchases are valued at its own mean spend.'
        : `Spend: Gamma-Gamma p ${parameter(model.spend.params.p)}, q ${parameter(model.spend.params.q)}, ` +
            `v ${parameter(model.spend.params.v)} on ${count(model.spend.clients)} repeat buyers` +
            (model.spend.converged ? '' : ' (NOT converged)'),
      '  ',
      '  ',
    ),
    `  Likely inactive (P(alive) below ${percent(LIKELY_INACTIVE_BELOW)}): ${count(inactive)} of ${count(modelled)} clients`,
    `  Expected over the next ${count(model.horizon)} ${model.horizon === 1 ? model.timeUnit : units}: ` +
      `${decimal(purchases)} purchases, revenue ${money(revenue)}`,
  ];
  if (modelled < doc.clients.length) {
    const left = doc.clients.length - modelled;
    lines.push(`  ${count(left)} ${left === 1 ? 'client' : 'clients'} without a purchase up to the as-of date ${left === 1 ? 'is' : 'are'} not modelled.`);
  }
  return lines;
}

/** A model parameter to four significant digits: 0.2426, 4.414, 30.9. */
function parameter(x: number): string {
  return String(Number(x.toPrecision(4)));
}

/** Whether the ledger named any client; without names the tables leave the column out. */
function hasNames(doc: AnalysisDocument): boolean {
  return doc.clients.some((c) => c.name !== null && c.name !== '');
}

/** A labelled line of the header block, wrapped with the continuation aligned under the value. */
function field(label: string, value: string): string[] {
  return wrap(value, label.padEnd(10), ' '.repeat(10));
}

/** Wraps `text` at word boundaries to the summary's width. */
function wrap(text: string, first: string, rest: string): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(' ')) {
    if (!empty && length(line) + 1 + length(word) > WIDTH) {
      lines.push(line);
      line = rest + word;
    } else {
      line += (empty ? '' : ' ') + word;
    }
    empty = false;
  }
  lines.push(line);
  return lines;
}

function length(text: string): number {
  return [...text].length;
}

/** Pads or cuts to exactly `width` characters, marking a cut with a tilde. */
function cut(text: string, width: number): string {
  const chars = [...clean(text)];
  if (chars.length <= width) return chars.join('') + ' '.repeat(width - chars.length);
  return `${chars.slice(0, width - 1).join('')}~`;
}

function truncate(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, width - 3).join('')}...`;
}

/** Control characters from a file would move the cursor or recolour the terminal: show them as blanks. */
function clean(text: string): string {
  return text.replace(/\p{Cc}/gu, ' ');
}

function quote(text: string): string {
  return `"${clean(text)}"`;
}

export function count(n: number): string {
  return group(String(Math.abs(Math.trunc(n))), n < 0);
}

/** Money in major units with two decimals: 1,234.50; -0.05. */
export function money(value: number): string {
  const minor = Math.round(Math.abs(value) * 100);
  const whole = Math.floor(minor / 100);
  const cents = String(minor % 100).padStart(2, '0');
  return `${group(String(whole), value < 0 && minor > 0)}.${cents}`;
}

/** A fraction as a percentage with one decimal (0.4826 is 48.3%); n/a for null. */
/** A figure with two decimals and grouped thousands, as money is written: -9,582.43. */
export function decimal(value: number): string {
  return money(value);
}

export function percent(fraction: number | null): string {
  if (fraction === null) return 'n/a';
  const text = (fraction * 100).toFixed(1);
  return `${text === '-0.0' ? '0.0' : text}%`;
}

function group(digits: string, negative: boolean): string {
  return (negative ? '-' : '') + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
