/**
 * `kamerton analyze FILE`: the flags become the reader's options and the analysis parameters, the
 * use-case does the work, and the result goes to stdout as a readable summary or as the JSON
 * document, and to a report file with --out. Every flag value is checked here, before a byte of the
 * ledger is read, so that a typo costs nothing and names the flag it is in.
 */
import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { AnalysisDocument } from '../app/analysis-document.ts';
import type { Period } from '../core/calendar.ts';
import { dayFromCivil, formatDay, parseIsoDay } from '../core/calendar.ts';
import { DEFAULT_HORIZON, TIME_UNITS, type ModelOptions, type TimeUnit } from '../core/customer-alive.ts';
import { KamertonError } from '../core/errors.ts';
import type { AnalysisParams, Segment } from '../core/types.ts';
import { DEFAULT_ANALYSIS_PARAMS, SEGMENTS } from '../core/types.ts';
import { DATE_FORMATS, LEDGER_FIELDS, type DateFormat, type DecimalSeparator, type Delimiter, type Encoding, type LedgerField, type ReadOptions } from '../ingest/types.ts';
import { createProgressBar } from './progress.ts';
import { formatSummary } from './summary.ts';

export type OutputFormat = 'text' | 'json';
export type OutStyle = 'pl' | 'en';

/** The reading options as commander hands them over, each already parsed and checked by its own parser. */
export type ReadingFlags = {
  sheet?: string;
  delimiter?: Delimiter;
  encoding?: Encoding;
  header: boolean;
  map?: Partial<Record<LedgerField, string | number>>;
  decimal?: DecimalSeparator;
  dateFormat?: DateFormat;
  strict?: boolean;
  workers?: number;
};

/** The analysis options, likewise. */
export type AnalysisFlags = {
  period: Period;
  asOf?: number;
  from?: number;
  metric: AnalysisParams['metric'];
  abc: [number, number];
  xyzMode: AnalysisParams['xyzMode'];
  xyzFreq: [number, number];
  xyz: [number, number];
  breadwinner: number;
  keySegments: Segment[];
  lostDays: number;
};

/** The customer-alive model's flags; all absent when no model is asked for. */
export type ModelFlags = {
  model?: 'bgnbd';
  timeUnit?: TimeUnit;
  horizon?: number;
};

export type AnalyzeFlags = ReadingFlags & AnalysisFlags & ModelFlags & {
  format: OutputFormat;
  out?: string;
  outStyle?: OutStyle;
};

export type AnalyzeRequest = {
  file: string;
  read: ReadOptions;
  params: AnalysisParams;
  /** The customer-alive model to fit up to the as-of date, or null for none. */
  model: ModelOptions | null;
  format: OutputFormat;
  out: { path: string; kind: 'xlsx' | 'csv' } | null;
  outStyle: OutStyle | null;
};


const defaults = DEFAULT_ANALYSIS_PARAMS;

export function registerAnalyzeCommand(program: Command): Command {
  const command = program
    .command('analyze')
    .description(
      'Analyse a sales ledger: the ABC-XYZ matrix, the key clients, and the lost and slipping clients.\n' +
        'Prints a readable summary, or the JSON document with --format json.',
    )
    .argument('<file>', 'the sales ledger: CSV, whitespace-separated text, or XLSX')
    .optionsGroup('Reading the file:');
  addReadingOptions(command);
  command.optionsGroup('Analysis:');
  addAnalysisOptions(command);
  command.optionsGroup('Customer-alive model:');
  addModelOptions(command);
  return command
    .optionsGroup('Output:')
    .addOption(new Option('--format <format>', 'what stdout gets: a readable summary (text) or the JSON document (json)').default('text').argParser(parseFormat))
    .addOption(
      new Option('--out <file>', 'also write a report: FILE.xlsx (a workbook) or FILE.csv (the clients table)'),
    )
    .addOption(
      new Option('--out-style <style>', "CSV report: pl (';' and decimal commas) or en (default: pl when the input had decimal commas)")
        .argParser(parseOutStyle),
    )
    .addHelpText(
      'after',
      [
        '',
        'Exit codes: 0 done, 2 bad input or arguments, 1 an unexpected failure.',
        '',
        'Examples:',
        '  kamerton analyze sprzedaz.csv',
        '  kamerton analyze sales.xlsx --sheet 2024 --format json > analysis.json',
        '  kamerton analyze ledger.txt --delimiter whitespace --map client=customer_id,revenue=dollar_value --out report.xlsx',
        '  kamerton analyze sprzedaz.csv --model bgnbd --time-unit week --horizon 26',
      ].join('\n'),
    )
    .action(async (file: string, flags: AnalyzeFlags) => {
      await runAnalyze(toAnalyzeRequest(file, flags));
    });
}

/** The flags that say how to read a ledger file: `analyze` and `import` share them. */
export function addReadingOptions(command: Command): Command {
  return command
    .addOption(new Option('--sheet <name>', 'XLSX: the sheet to read (default: the first)'))
    .addOption(
      new Option('--delimiter <char>', "field delimiter: ';', ',', tab, or whitespace for runs of blanks (default: detected among ; , tab)")
        .argParser(parseDelimiter),
    )
    .addOption(new Option('--encoding <name>', 'utf-8 or windows-1250 (default: detected)').argParser(parseEncoding))
    .addOption(new Option('--no-header', 'the file has no header line: give the columns by number with --map'))
    .addOption(
      new Option(
        '--map <fields>',
        'columns for fields, overriding the header names: field=Header or field=N (1-based), comma-separated; ' +
          `fields: ${LEDGER_FIELDS.join(', ')}`,
      ).argParser(parseMap),
    )
    .addOption(new Option('--decimal <separator>', "decimal separator, ',' or '.' (default: detected)").argParser(parseDecimal))
    .addOption(
      new Option('--date-format <format>', `${DATE_FORMATS.join(', ')} (default: detected per value)`).argParser(parseDateFormat),
    )
    .addOption(new Option('--strict', 'stop at the first bad line instead of reporting it and going on'))
    .addOption(
      new Option('--workers <n>', 'threads reading the file (default: the number of cores, at most 8)').argParser(parseWorkers),
    );
}

/** The flags of the analysis: `analyze` and `analysis run` share them. */
export function addAnalysisOptions(command: Command): Command {
  return command
    .addOption(new Option('--period <period>', 'week, month or quarter (weeks start on Monday)').default(defaults.period).argParser(parsePeriod))
    .addOption(new Option('--as-of <date>', 'the analysis date, YYYY-MM-DD (default: the last date in the ledger)').argParser(parseDate('--as-of')))
    .addOption(
      new Option('--from <date>', 'the first day of the window, YYYY-MM-DD, snapped to its period (default: the first date)')
        .argParser(parseDate('--from')),
    )
    .addOption(new Option('--metric <metric>', 'ABC by revenue or margin').default(defaults.metric).argParser(parseMetric))
    .addOption(
      new Option('--abc <a,b>', 'ABC: A while the cumulative share before the client is under a%, B under b%, else C')
        .default([...defaults.abc], defaults.abc.join(','))
        .argParser(parseAbc),
    )
    .addOption(
      new Option('--xyz-mode <mode>', 'XYZ by purchase frequency or by the coefficient of variation (cv) of revenue per period')
        .default(defaults.xyzMode)
        .argParser(parseXyzMode),
    )
    .addOption(
      new Option('--xyz-freq <x,y>', 'frequency mode: X from x%, Y from y% of the periods with a purchase, else Z')
        .default([...defaults.xyzFreq], defaults.xyzFreq.join(','))
        .argParser(parseXyzFreq),
    )
    .addOption(
      new Option('--xyz <x,y>', 'cv mode: X up to x%, Y up to y% coefficient of variation, else Z')
        .default([...defaults.xyz], defaults.xyz.join(','))
        .argParser(parseXyzCv),
    )
    .addOption(
      new Option('--breadwinner <percent>', 'breadwinner: this share of the total positive margin or more (of revenue without cost)')
        .default(defaults.breadwinner)
        .argParser(parseBreadwinner),
    )
    .addOption(
      new Option('--key-segments <segments>', 'segments whose clients are key, comma-separated (empty for none)')
        .default([...defaults.keySegments], defaults.keySegments.join(','))
        .argParser(parseKeySegments),
    )
    .addOption(
      new Option('--lost-days <days>', 'lost: no purchase for more than this many days before the as-of date')
        .default(defaults.lostDays)
        .argParser(parseLostDays),
    );
}

/**
 * The customer-alive model's flags. --time-unit and --horizon have no commander default, so that
 * giving either without --model can be told apart from leaving it out (and rejected).
 */
export function addModelOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--model <name>', 'fit a customer-alive model up to the as-of date: bgnbd (BG/NBD with Gamma-Gamma spend)')
        .argParser(parseModel),
    )
    .addOption(new Option('--time-unit <unit>', 'the model\'s time unit: day or week (default: week)').argParser(parseTimeUnit))
    .addOption(
      new Option('--horizon <n>', 'the model\'s forecast horizon in time units (default: 52 weeks or 365 days)').argParser(parseHorizon),
    );
}

/** The model options of the flags: null without --model, whose companions are then an error. */
export function toModelOptions(flags: ModelFlags): ModelOptions | null {
  if (flags.model === undefined) {
    for (const [flag, value] of [['--time-unit', flags.timeUnit], ['--horizon', flags.horizon]] as const) {
      if (value !== undefined) {
        throw new KamertonError('invalid-input', `${flag} sets up the customer-alive model: give --model bgnbd with it`, {
          field: flag,
          value: String(value),
        });
      }
    }
    return null;
  }
  const timeUnit = flags.timeUnit ?? 'week';
  return { timeUnit, horizon: flags.horizon ?? DEFAULT_HORIZON[timeUnit] };
}

/** The checks that need more than one flag, and the split into reader options and analysis parameters. */
export function toAnalyzeRequest(file: string, flags: AnalyzeFlags): AnalyzeRequest {
  const params = toAnalysisParams(flags);
  let out: AnalyzeRequest['out'] = null;
  if (flags.out !== undefined) {
    const ext = extname(flags.out).toLowerCase();
    if (ext !== '.xlsx' && ext !== '.csv') {
      throw new KamertonError('invalid-input', `--out must name a .xlsx or a .csv file: ${flags.out}`, { field: '--out', value: flags.out });
    }
    if (resolve(flags.out) === resolve(file)) {
      throw new KamertonError('invalid-input', `--out would overwrite the input file: ${flags.out}`, { field: '--out', value: flags.out });
    }
    out = { path: flags.out, kind: ext === '.xlsx' ? 'xlsx' : 'csv' };
  }
  const model = toModelOptions(flags);
  return { file, read: toReadOptions(flags), params, model, format: flags.format, out, outStyle: flags.outStyle ?? null };
}

export function toReadOptions(flags: ReadingFlags): ReadOptions {
  const read: ReadOptions = {};
  if (flags.sheet !== undefined) read.sheet = flags.sheet;
  if (flags.delimiter !== undefined) read.delimiter = flags.delimiter;
  if (flags.encoding !== undefined) read.encoding = flags.encoding;
  if (!flags.header) read.header = false;
  if (flags.map !== undefined) read.map = flags.map;
  if (flags.decimal !== undefined) read.decimal = flags.decimal;
  if (flags.dateFormat !== undefined) read.dateFormat = flags.dateFormat;
  if (flags.strict) read.strict = true;
  if (flags.workers !== undefined) read.workers = flags.workers;
  return read;
}

/** The analysis parameters of the flags, with the check that needs two of them. */
export function toAnalysisParams(flags: AnalysisFlags): AnalysisParams {
  if (flags.from !== undefined && flags.asOf !== undefined && flags.from > flags.asOf) {
    throw new KamertonError('invalid-input', `--from ${formatDay(flags.from)} is after --as-of ${formatDay(flags.asOf)}`, {
      field: '--from',
    });
  }
  return {
    period: flags.period,
    asOf: flags.asOf ?? null,
    from: flags.from ?? null,
    metric: flags.metric,
    abc: flags.abc,
    xyzMode: flags.xyzMode,
    xyzFreq: flags.xyzFreq,
    xyz: flags.xyz,
    breadwinner: flags.breadwinner,
    keySegments: flags.keySegments,
    lostDays: flags.lostDays,
  };
}

export async function runAnalyze(request: AnalyzeRequest): Promise<void> {
  await checkInput(request);
  const progress = createProgressBar(process.stderr, {
    label: `reading ${basename(request.file)}`,
    unit: extname(request.file).toLowerCase() === '.xlsx' ? 'rows' : 'bytes',
  });
  // The readers load only here: the other commands register their flags from this module and would
  // otherwise load them at start-up for nothing (about 40 ms, when nothing else has loaded them).
  const { analyzeFile, toAnalysisDocument } = await import('../app/analyze-file.ts');
  let analyzed;
  try {
    analyzed = await analyzeFile(request.file, { ...request.read, onProgress: progress.update }, request.params, request.model);
  } finally {
    progress.finish();
  }
  const doc = toAnalysisDocument(analyzed);
  // The report is written before stdout, so that `analyze ... --out r.xlsx | head` still leaves the report.
  if (request.out !== null) {
    // The report writers are loaded only when a report is asked for: the XLSX one brings ExcelJS,
    // which would cost every other run about 0.2 s of start-up and some 13 MB of memory.
    if (request.out.kind === 'xlsx') {
      const { writeXlsxReport } = await import('../app/report-xlsx.ts');
      await writeXlsxReport(request.out.path, doc, {
        file: request.file,
        params: request.params,
        generatedOn: today(),
      });
    } else {
      const { writeCsvReport } = await import('../app/report-csv.ts');
      await writeCsvReport(request.out.path, doc, request.outStyle ?? (analyzed.info.decimal === ',' ? 'pl' : 'en'));
    }
  }
  if (request.format === 'json') {
    await writeChunks(process.stdout, jsonChunks(doc));
  } else {
    await writeChunks(process.stdout, [formatSummary(doc, analyzed.info, request.params)]);
  }
  if (request.out !== null) process.stderr.write(`kamerton: wrote ${request.out.path}\n`);
}

/** Fails early, as bad input, when the ledger cannot be read or the report has nowhere to go. */
async function checkInput(request: AnalyzeRequest): Promise<void> {
  const info = await stat(request.file).catch(() => null);
  if (info === null || !info.isFile()) {
    throw new KamertonError('invalid-input', `cannot read ${request.file}: ${info === null ? 'no such file' : 'not a file'}`, {
      file: request.file,
    });
  }
  if (request.out !== null) {
    const dir = dirname(resolve(request.out.path));
    const dirInfo = await stat(dir).catch(() => null);
    if (dirInfo === null || !dirInfo.isDirectory()) {
      throw new KamertonError('invalid-input', `--out: the folder ${dir} does not exist`, { field: '--out', value: request.out.path });
    }
    const outInfo = await stat(request.out.path).catch(() => null);
    if (outInfo !== null && !outInfo.isFile()) {
      throw new KamertonError('invalid-input', `--out names a folder, not a file: ${request.out.path}`, {
        field: '--out',
        value: request.out.path,
      });
    }
  }
}

/** The date the report was made, from the machine's clock and time zone (the core has no clock). */
function today(): string {
  const now = new Date();
  return formatDay(dayFromCivil(now.getFullYear(), now.getMonth() + 1, now.getDate()));
}

/** How many clients go into one chunk of the JSON output. */
const CLIENTS_PER_CHUNK = 1000;

/**
 * The JSON document in chunks whose concatenation is `JSON.stringify(doc)` plus a newline, with the
 * keys in the published order. A document with 100,000 clients is about 40 MB; writing it client
 * batch by client batch never holds the whole text in memory.
 */
export function* jsonChunks(doc: AnalysisDocument): Generator<string> {
  yield `{"window":${JSON.stringify(doc.window)},"totals":${JSON.stringify(doc.totals)},` +
    `"matrix":${JSON.stringify(doc.matrix)},"keyClients":${JSON.stringify(doc.keyClients)},` +
    (doc.model === undefined ? '' : `"model":${JSON.stringify(doc.model)},`) +
    '"clients":[';
  for (let i = 0; i < doc.clients.length; i += CLIENTS_PER_CHUNK) {
    // One stringify per batch, its brackets cut off: on 100k clients some 20% faster than one per client.
    const batch = JSON.stringify(doc.clients.slice(i, i + CLIENTS_PER_CHUNK));
    yield (i === 0 ? '' : ',') + batch.slice(1, -1);
  }
  yield `],"errors":${JSON.stringify(doc.errors)}}\n`;
}

/** Writes the chunks, waiting whenever the stream asks to; rejects when the stream fails. */
export async function writeChunks(stream: Writable, chunks: Iterable<string>): Promise<void> {
  for (const chunk of chunks) {
    if (stream.destroyed) return;
    // `once` rejects on an 'error' event, so a closed pipe cannot leave us waiting for 'drain' forever.
    if (!stream.write(chunk)) await once(stream, 'drain');
  }
}

function invalid(message: string): never {
  throw new InvalidArgumentError(message);
}

function parseDelimiter(value: string): Delimiter {
  switch (value) {
    case ';':
    case 'semicolon':
      return ';';
    case ',':
    case 'comma':
      return ',';
    case 'tab':
    case '\t':
    case '\\t':
      return '\t';
    case 'whitespace':
      return 'whitespace';
    default:
      return invalid("Use ';', ',', tab or whitespace.");
  }
}

function parseEncoding(value: string): Encoding {
  const v = value.toLowerCase();
  if (v === 'utf-8' || v === 'utf8') return 'utf-8';
  if (v === 'windows-1250' || v === 'cp1250') return 'windows-1250';
  return invalid('Use utf-8 or windows-1250.');
}

function parseDecimal(value: string): DecimalSeparator {
  if (value === ',' || value === '.') return value;
  return invalid("Use ',' or '.'.");
}

function parseDateFormat(value: string): DateFormat {
  const found = DATE_FORMATS.find((f) => f.toLowerCase() === value.toLowerCase());
  return found ?? invalid(`Use one of ${DATE_FORMATS.join(', ')}.`);
}

/** Field names are matched ignoring case, dashes and underscores: dueDate, due-date and due_date. */
function parseMap(value: string, previous: AnalyzeFlags['map']): NonNullable<AnalyzeFlags['map']> {
  const byKey = new Map(LEDGER_FIELDS.map((f) => [normaliseFieldName(f), f]));
  const map: Partial<Record<LedgerField, string | number>> = { ...previous };
  for (const entry of value.split(',')) {
    const eq = entry.indexOf('=');
    if (eq <= 0) invalid(`Write field=Header or field=N, comma-separated (found "${entry}").`);
    const field = byKey.get(normaliseFieldName(entry.slice(0, eq)));
    if (field === undefined) {
      invalid(`Unknown field "${entry.slice(0, eq).trim()}"; the fields are ${LEDGER_FIELDS.join(', ')}.`);
    }
    if (map[field] !== undefined) invalid(`The field ${field} is mapped twice.`);
    const target = entry.slice(eq + 1).trim();
    if (target === '') invalid(`The field ${field} has no header or column number.`);
    if (/^\d+$/.test(target)) {
      const column = Number(target);
      if (column < 1) invalid(`Column numbers start at 1 (found ${field}=${target}).`);
      map[field] = column;
    } else {
      map[field] = target;
    }
  }
  return map;
}

function normaliseFieldName(name: string): string {
  return name.trim().toLowerCase().replace(/[-_ ]/g, '');
}

function parseWorkers(value: string): number {
  const n = parseWhole(value);
  if (n === null || n < 1 || n > 64) invalid('Give a whole number from 1 to 64.');
  return n;
}

function parsePeriod(value: string): Period {
  if (value === 'week' || value === 'month' || value === 'quarter') return value;
  return invalid('Use week, month or quarter.');
}

function parseDate(flag: string): (value: string) => number {
  return (value) => parseIsoDay(value) ?? invalid(`${flag} takes a real date written YYYY-MM-DD.`);
}

function parseMetric(value: string): AnalysisParams['metric'] {
  if (value === 'revenue' || value === 'margin') return value;
  return invalid('Use revenue or margin.');
}

function parseXyzMode(value: string): AnalysisParams['xyzMode'] {
  if (value === 'frequency' || value === 'cv') return value;
  return invalid('Use frequency or cv.');
}

function parseModel(value: string): 'bgnbd' {
  if (value === 'bgnbd') return value;
  return invalid('The model is bgnbd (BG/NBD, Fader, Hardie & Lee 2005).');
}

export function parseTimeUnit(value: string): TimeUnit {
  const unit = TIME_UNITS.find((u) => u === value);
  return unit ?? invalid(`Use ${TIME_UNITS.join(' or ')}.`);
}

function parseHorizon(value: string): number {
  const n = parseWhole(value);
  if (n === null || n < 1) invalid('Give a whole number of time units, 1 or more.');
  return n;
}

function parseFormat(value: string): OutputFormat {
  if (value === 'text' || value === 'json') return value;
  return invalid('Use text or json.');
}

function parseOutStyle(value: string): OutStyle {
  if (value === 'pl' || value === 'en') return value;
  return invalid('Use pl or en.');
}

/**
 * Percentages are whole numbers: the analysis decides every cut-off exactly in integer arithmetic,
 * and a whole percent is as fine a cut as a ledger analysis needs.
 */
function parsePercentPair(value: string, max: number | null): [number, number] {
  const parts = value.split(',');
  const a = parts.length === 2 ? parseWhole(parts[0] ?? '') : null;
  const b = parts.length === 2 ? parseWhole(parts[1] ?? '') : null;
  if (a === null || b === null) invalid('Give two whole percentages separated by a comma, such as 80,95.');
  if (max !== null && (a > max || b > max)) invalid(`Percentages go up to ${max}.`);
  return [a, b];
}

function parseAbc(value: string): [number, number] {
  const [a, b] = parsePercentPair(value, 100);
  if (a > b) invalid('The A cut-off comes first and cannot be above the B cut-off (80,95).');
  return [a, b];
}

function parseXyzFreq(value: string): [number, number] {
  const [x, y] = parsePercentPair(value, 100);
  if (x < y) invalid('X needs the larger share of periods, so it comes first (90,50).');
  return [x, y];
}

function parseXyzCv(value: string): [number, number] {
  const [x, y] = parsePercentPair(value, null);
  if (x > y) invalid('X allows the smaller variation, so it comes first (10,25).');
  return [x, y];
}

function parseBreadwinner(value: string): number {
  const n = parseWhole(value);
  if (n === null || n > 100) invalid('Give a whole percentage from 0 to 100.');
  return n;
}

function parseKeySegments(value: string): Segment[] {
  const segments: Segment[] = [];
  for (const part of value.split(',')) {
    const name = part.trim().toUpperCase();
    if (name === '') continue;
    const segment = SEGMENTS.find((s) => s === name);
    if (segment === undefined) invalid(`Unknown segment "${part.trim()}"; the segments are ${SEGMENTS.join(', ')}.`);
    if (!segments.includes(segment)) segments.push(segment);
  }
  // Kept in the matrix's order so that the same set prints the same way however it was typed.
  return SEGMENTS.filter((s) => segments.includes(s));
}

function parseLostDays(value: string): number {
  const n = parseWhole(value);
  if (n === null) invalid('Give a whole number of days.');
  return n;
}

/** A non-negative whole number written in plain digits, or null. */
function parseWhole(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,9}$/.test(t)) return null;
  return Number(t);
}
