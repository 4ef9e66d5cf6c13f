/**
 * The import preview: what the browser shows between choosing a file and importing it. It reads only
 * the file's start (a CSV's first few hundred KiB, which the browser slices off; a workbook's first
 * rows) and tells what was detected (delimiter, encoding, header, decimal separator, date format, the
 * sheets), which column each ledger field comes from, the first rows as text and, for those rows, the
 * values as the import would read them or the reason it would reject them, with their line numbers.
 *
 * The rows are checked by the readers' own code (csv-layout.ts and csv-line-checker.ts for text,
 * xlsx.ts for workbooks) with an explicit mapping of every field, the same one the preview hands back
 * in `options` for the import to use, so what the preview accepts the import accepts.
 *
 * The options last used for the source (import_sources, saved by a finished import) fill in every
 * option the request leaves out, so a mapping corrected once applies to the next file of that source.
 */
import type pg from 'pg';
import { formatDay } from '../core/calendar.ts';
import { isKamertonError, KamertonError } from '../core/errors.ts';
import { FIELD_SYNONYMS, normaliseHeader, REQUIRED_FIELDS } from '../ingest/columns.ts';
import { detectDelimiter, detectLayout } from '../ingest/csv-layout.ts';
import { LineChecker } from '../ingest/csv-line-checker.ts';
import { createRecordScanner, isBlankRecord, scanRecord, unescapeFields, type RecordScanner } from '../ingest/csv-tokenizer.ts';
import { createTextDecoder, detectEncoding, utf8BomLength } from '../ingest/encoding.ts';
import { LineValues } from '../ingest/line-values.ts';
import {
  DATE_FORMATS,
  LEDGER_FIELDS,
  type DateFormat,
  type DecimalSeparator,
  type Delimiter,
  type Encoding,
  type LedgerField,
  type LedgerLine,
  type ReadOptions,
  type RowError,
} from '../ingest/types.ts';
import { detectDecimal, parseDateText, parseMoneyText } from '../ingest/values.ts';
import type { Actor } from './actor.ts';
import { assertMayImport, DEFAULT_SOURCE, sourceSchema, type RememberedOptions } from './import-ledger.ts';
import { loadSourceOptions, type ImportSource } from './imports.ts';
import { parseInput } from './input.ts';

/** Data rows the preview shows and checks. */
export const PREVIEW_ROWS = 10;
/** The most of a CSV the preview reads; the browser sends 256 KiB, anything past this is ignored. */
export const PREVIEW_CSV_MAX_BYTES = 1024 * 1024;
/** Data rows sampled for the date format and decimal separator shown as detected. */
const SAMPLE_ROWS = 200;

export type PreviewInput = {
  fileName: string;
  source?: string;
  /** The reading options the user chose (strict is ignored: the preview reports every bad row). */
  read: ReadOptions;
} & (
  | { format: 'csv'; bytes: Uint8Array; /** True when `bytes` is only the file's start. */ partial: boolean }
  | { format: 'xlsx'; path: string }
);

export type PreviewValue = string | number | null;

export type PreviewRow = {
  /** The line's number in the file (1-based, the header counted; a workbook's row number). */
  line: number;
  cells: string[];
  /** The line's values per mapped field as the import reads them (dates ISO, money in złote), when good. */
  values: Partial<Record<LedgerField, PreviewValue>> | null;
  /** Why the import would reject the line. */
  error: RowError | null;
};

export type PreviewProblem = { field: string; message: string };

export type ImportPreview = {
  fileName: string;
  source: string;
  format: 'csv' | 'xlsx';
  /** True when only the start of the file was read (the rows then end at its last complete line). */
  partial: boolean;
  /** What detection found, whatever the options say; null where it could not tell or does not apply. */
  detected: {
    delimiter: Delimiter | null;
    encoding: Encoding | null;
    header: boolean;
    decimal: DecimalSeparator | null;
    dateFormat: DateFormat | null;
    sheets: string[] | null;
    sheet: string | null;
  };
  /**
   * The options the preview read with (the request's, the source's remembered ones for those it left
   * out) and an explicit mapping of every field: what the import should be sent to read the same way.
   */
  options: RememberedOptions;
  /** The options remembered for the source, as saved by its last import that named some. */
  remembered: ImportSource | null;
  columns: { index: number; header: string }[];
  /** Field to 1-based column, null when the field has none. */
  mapping: Record<LedgerField, number | null>;
  required: LedgerField[];
  /** Required fields without a column: the import would refuse the file. */
  missing: LedgerField[];
  rows: PreviewRow[];
  /** What the user should know before importing: a remembered column not in this file, an unclear decimal separator. */
  problems: PreviewProblem[];
};

export async function previewImport(pool: pg.Pool, actor: Actor, input: PreviewInput): Promise<ImportPreview> {
  assertMayImport(actor);
  const source = parseInput(sourceSchema.optional(), input.source) ?? DEFAULT_SOURCE;
  const remembered = await loadSourceOptions(pool, source);
  const given = readingOptions(input.read);
  const effective: RememberedOptions = { ...remembered?.options, ...given };
  if (remembered?.options.map !== undefined || given.map !== undefined) effective.map = { ...remembered?.options.map, ...given.map };
  const problems: PreviewProblem[] = [];
  const sheet = input.format === 'xlsx' ? await previewSheet(input, effective, given, problems) : null;
  const table = input.format === 'csv' ? csvTable(input, effective) : xlsxTable(sheet!);

  const header = effective.header ?? table.detectedHeader;
  const headers = header ? (table.records[0]?.cells ?? []) : null;
  const data = header ? table.records.slice(1) : table.records;
  const columnCount = Math.max(headers?.length ?? 0, ...data.slice(0, PREVIEW_ROWS).map((r) => r.cells.length));
  const labels = Array.from({ length: columnCount }, (_, c) => headers?.[c]?.trim() || `column ${c + 1}`);
  const mapping = resolveMapping(headers, columnCount, effective.map, given.map, problems);
  const missing = REQUIRED_FIELDS.filter((field) => mapping[field] === null);
  const options: RememberedOptions = { ...effective, header, map: mapOption(mapping, headers) };

  const samples = data.slice(0, SAMPLE_ROWS);
  const detectedDecimal = detectMoneyDecimal(samples, mapping);
  const rows: PreviewRow[] = data.slice(0, PREVIEW_ROWS).map((r) => ({ line: r.line, cells: r.cells, values: null, error: null }));
  if (missing.length === 0) {
    const checkOptions: ReadOptions = {
      header,
      map: options.map,
      ...(effective.decimal === undefined ? {} : { decimal: effective.decimal }),
      ...(effective.dateFormat === undefined ? {} : { dateFormat: effective.dateFormat }),
    };
    try {
      const checked = input.format === 'csv'
        ? checkCsvRows(input, table, checkOptions)
        : checkXlsxRows(sheet!, checkOptions);
      for (const row of rows) {
        const line = checked.lines.get(row.line);
        row.values = line === undefined ? null : valuesOf(line, mapping);
        row.error = checked.errors.get(row.line) ?? null;
      }
    } catch (error) {
      if (!isKamertonError(error)) throw error;
      problems.push({ field: typeof error.details.field === 'string' ? error.details.field : 'file', message: withoutFile(error.message, input.fileName) });
    }
  } else {
    problems.push({
      field: missing[0]!,
      message: `No column for the required field${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: choose ${missing.length > 1 ? 'them' : 'it'} in the mapping.`,
    });
  }

  return {
    fileName: input.fileName,
    source,
    format: input.format,
    partial: input.format === 'csv' ? input.partial : false,
    detected: {
      delimiter: table.delimiter,
      encoding: table.encoding,
      header: table.detectedHeader,
      decimal: detectedDecimal,
      dateFormat: mapping.date === null ? null : detectDateFormat(samples.map((r) => r.cells[mapping.date! - 1] ?? '')),
      sheets: sheet?.sheets ?? null,
      sheet: sheet?.sheet ?? null,
    },
    options,
    remembered,
    columns: labels.map((label, c) => ({ index: c + 1, header: label })),
    mapping,
    required: [...REQUIRED_FIELDS],
    missing,
    rows,
    problems,
  };
}

/** The reading options that are remembered per source, from what the user gave. */
function readingOptions(read: ReadOptions): RememberedOptions {
  const out: RememberedOptions = {};
  if (read.map !== undefined) out.map = { ...read.map };
  if (read.delimiter !== undefined) out.delimiter = read.delimiter;
  if (read.encoding !== undefined) out.encoding = read.encoding;
  if (read.header !== undefined) out.header = read.header;
  if (read.decimal !== undefined) out.decimal = read.decimal;
  if (read.dateFormat !== undefined) out.dateFormat = read.dateFormat;
  if (read.sheet !== undefined) out.sheet = read.sheet;
  return out;
}

/** An error message without the file's path before it: the preview names the file itself. */
function withoutFile(message: string, fileName: string): string {
  const colon = message.indexOf(': ');
  return colon > 0 && (message.slice(0, colon).endsWith(fileName) || message.startsWith('/')) ? message.slice(colon + 2) : message;
}

type TextRecord = { line: number; cells: string[] };

type Table = {
  delimiter: Delimiter | null;
  encoding: Encoding | null;
  detectedHeader: boolean;
  /** The first non-empty records, the header candidate first. */
  records: TextRecord[];
  /** CSV: the bytes read (cut at the last complete line) and how. */
  bytes?: Uint8Array;
  wholeFile?: boolean;
  usedDelimiter?: Delimiter;
  usedEncoding?: Encoding;
};

const LF = 0x0a;

/** Scans the non-blank records of `buf` from `start` (a copy of it: unescaping rewrites bytes), with their line numbers. */
function scanRecords(
  source: Uint8Array,
  start: number,
  firstLine: number,
  delimiter: Delimiter,
  wholeFile: boolean,
  limit: number,
  onRecord: (s: RecordScanner, buf: Uint8Array, line: number) => void,
): void {
  const buf = new Uint8Array(source);
  const s = createRecordScanner(delimiter);
  let pos = start;
  let line = firstLine;
  let seen = 0;
  while (pos < buf.length && seen < limit) {
    const after = scanRecord(s, buf, pos, buf.length, true);
    if (after < 0 || (s.unterminated && !wholeFile)) break;
    const at = line;
    line += s.newlines;
    pos = after;
    if (s.escaped) unescapeFields(s, buf);
    if (isBlankRecord(s, buf)) continue;
    seen++;
    onRecord(s, buf, at);
  }
}

function csvTable(input: Extract<PreviewInput, { format: 'csv' }>, effective: RememberedOptions): Table {
  let bytes = input.bytes;
  if (input.partial) {
    // A slice ends mid-line: the rows end at its last complete line.
    const last = bytes.lastIndexOf(LF);
    if (last < 0) {
      throw new KamertonError('invalid-input', `${input.fileName}: no complete line in the first ${Math.round(bytes.length / 1024)} KiB of the file`, { field: 'file' });
    }
    bytes = bytes.subarray(0, last + 1);
  }
  const wholeFile = !input.partial;
  const bom = utf8BomLength(bytes);
  if (bytes.subarray(bom).every((b) => b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a)) {
    throw new KamertonError('invalid-input', `${input.fileName}: the file is empty`, { field: 'file' });
  }
  const encoding = detectEncoding(bytes, wholeFile);
  let delimiter: Delimiter | null = null;
  try {
    delimiter = detectDelimiter(input.fileName, bytes.subarray(bom), wholeFile);
  } catch (error) {
    if (!isKamertonError(error) || effective.delimiter !== undefined) throw error;
    throw new KamertonError('invalid-input', withoutFile(error.message, input.fileName).replace('--delimiter', 'the delimiter'), { field: 'delimiter' });
  }
  const usedDelimiter = effective.delimiter ?? delimiter;
  const usedEncoding = effective.encoding ?? encoding;
  const decode = createTextDecoder(usedEncoding);
  const records: TextRecord[] = [];
  scanRecords(bytes, bom, 1, usedDelimiter, wholeFile, 1 + SAMPLE_ROWS, (s, buf, line) => {
    const cells: string[] = [];
    for (let i = 0; i < s.count; i++) cells.push(decode(buf, s.starts[i] as number, s.ends[i] as number));
    records.push({ line, cells });
  });
  return {
    delimiter,
    encoding,
    detectedHeader: looksLikeHeader(records[0]?.cells ?? []),
    records,
    bytes,
    wholeFile,
    usedDelimiter,
    usedEncoding,
  };
}

type Checked = { lines: Map<number, LedgerLine>; errors: Map<number, RowError> };

/** The first rows checked by the CSV reader's own layout and line checker. */
function checkCsvRows(input: Extract<PreviewInput, { format: 'csv' }>, table: Table, options: ReadOptions): Checked {
  const layout = detectLayout(input.fileName, table.bytes!, table.wholeFile!, {
    ...options,
    delimiter: table.usedDelimiter!,
    encoding: table.usedEncoding!,
  });
  const checker = new LineChecker(layout);
  const values = new LineValues();
  const checked: Checked = { lines: new Map(), errors: new Map() };
  scanRecords(table.bytes!, layout.dataStart, layout.linesBefore + 1, layout.delimiter, table.wholeFile!, PREVIEW_ROWS, (s, buf, line) => {
    if (checker.checkValues(buf, s, line, values)) checked.lines.set(line, values.toLine());
    else checked.errors.set(line, { ...checker.error, line });
  });
  return checked;
}

type Sheet = Awaited<ReturnType<typeof import('../ingest/xlsx.ts').readXlsxHead>>;

/** Reads the workbook's first rows; a remembered sheet this workbook lacks falls back to the first sheet. */
async function previewSheet(
  input: Extract<PreviewInput, { format: 'xlsx' }>,
  effective: RememberedOptions,
  given: RememberedOptions,
  problems: PreviewProblem[],
): Promise<Sheet> {
  const { readXlsxHead } = await import('../ingest/xlsx.ts');
  try {
    return await readXlsxHead(input.path, effective.sheet === undefined ? {} : { sheet: effective.sheet }, PREVIEW_ROWS + 1);
  } catch (error) {
    if (!isKamertonError(error)) throw error;
    const message = withoutFile(error.message, input.path);
    if (given.sheet !== undefined || effective.sheet === undefined) throw new KamertonError(error.code, `${input.fileName}: ${message}`, { ...error.details, file: input.fileName, field: given.sheet === undefined ? 'file' : 'sheet' });
    problems.push({ field: 'sheet', message: `The remembered sheet is not in this workbook (${message}); the first sheet is shown.` });
    delete effective.sheet;
    return readXlsxHead(input.path, {}, PREVIEW_ROWS + 1);
  }
}

function xlsxTable(sheet: Sheet): Table {
  return {
    delimiter: null,
    encoding: null,
    detectedHeader: looksLikeHeader(sheet.rows[0]?.cells ?? []),
    records: sheet.rows,
  };
}

function checkXlsxRows(sheet: Sheet, options: ReadOptions): Checked {
  const result = sheet.check(options);
  return {
    lines: new Map(result.lines.map((line) => [line.line, line])),
    errors: new Map(result.errors.map((error) => [error.line, error])),
  };
}

const SYNONYM_FIELDS = new Map<string, LedgerField>();
for (const field of LEDGER_FIELDS) for (const name of FIELD_SYNONYMS[field]) SYNONYM_FIELDS.set(normaliseHeader(name), field);

/**
 * Whether a first line is a header: it is when one of its cells is a known column name, and it is not
 * when a cell reads as a date or an amount (every ledger line has both); otherwise it is taken for one.
 */
export function looksLikeHeader(cells: string[]): boolean {
  if (cells.some((cell) => SYNONYM_FIELDS.has(normaliseHeader(cell)))) return true;
  return !cells.some((cell) => {
    const text = cell.trim();
    return text !== '' && (!Number.isNaN(parseDateText(text, null)) || !Number.isNaN(parseMoneyText(text, '.')) || !Number.isNaN(parseMoneyText(text, ',')));
  });
}

/**
 * Field to 1-based column: the `map` entries first (a header's text or a column number; null for
 * none), then the header names for the fields left. A map entry that names no column of this file is
 * dropped with a problem (a remembered mapping meeting another layout), and of two columns whose
 * names match one field the first is taken, with a problem.
 */
function resolveMapping(
  headers: string[] | null,
  columnCount: number,
  map: ReadOptions['map'],
  givenMap: ReadOptions['map'],
  problems: PreviewProblem[],
): Record<LedgerField, number | null> {
  const mapping = Object.fromEntries(LEDGER_FIELDS.map((field) => [field, null])) as Record<LedgerField, number | null>;
  const normalised = headers?.map(normaliseHeader) ?? null;
  const taken = new Set<number>();
  const explicit = new Set<LedgerField>();
  for (const field of LEDGER_FIELDS) {
    const target = map?.[field];
    if (target === undefined) continue;
    explicit.add(field);
    if (target === null) continue;
    let column: number | null = null;
    if (typeof target === 'string' && normalised !== null) {
      const hits = normalised.flatMap((header, c) => (header === normaliseHeader(target) ? [c] : []));
      if (hits.length > 0) column = hits[0]!;
    }
    if (column === null) {
      const number = typeof target === 'number' ? target : /^\s*\d+\s*$/.test(target) ? Number(target) : NaN;
      if (Number.isInteger(number) && number >= 1 && number <= columnCount) column = number - 1;
    }
    if (column === null) {
      const origin = givenMap?.[field] === target ? 'The' : 'The remembered';
      problems.push({ field, message: `${origin} column "${target}" for ${field} is not in this file.` });
      explicit.delete(field);
      continue;
    }
    mapping[field] = column + 1;
    taken.add(column);
  }
  if (normalised !== null) {
    normalised.forEach((header, c) => {
      const field = SYNONYM_FIELDS.get(header);
      if (field === undefined || explicit.has(field) || taken.has(c)) return;
      const previous = mapping[field];
      if (previous !== null) {
        problems.push({ field, message: `Two columns match ${field}: "${headers![previous - 1]!.trim()}" and "${headers![c]!.trim()}"; the first is taken.` });
        return;
      }
      mapping[field] = c + 1;
    });
  }
  return mapping;
}

/**
 * The mapping as the import's `map` option: every field named, by its header's text where that is
 * unique (so the mapping survives a file whose columns moved), else by column number; null for none.
 */
function mapOption(mapping: Record<LedgerField, number | null>, headers: string[] | null): NonNullable<ReadOptions['map']> {
  const normalised = headers?.map(normaliseHeader) ?? null;
  const map: NonNullable<ReadOptions['map']> = {};
  for (const field of LEDGER_FIELDS) {
    const column = mapping[field];
    if (column === null) {
      map[field] = null;
      continue;
    }
    const text = headers?.[column - 1]?.trim() ?? '';
    const unique = normalised !== null && text !== '' && normalised.filter((h) => h === normaliseHeader(text)).length === 1 && !/^\d+$/.test(text);
    map[field] = unique ? text : column;
  }
  return map;
}

/** The decimal separator the amounts of the sampled rows suggest; null when they cannot tell. */
function detectMoneyDecimal(rows: TextRecord[], mapping: Record<LedgerField, number | null>): DecimalSeparator | null {
  const samples: string[] = [];
  for (const field of ['revenue', 'cost', 'margin'] as const) {
    const column = mapping[field];
    if (column === null) continue;
    for (const row of rows) {
      const text = row.cells[column - 1];
      if (text !== undefined && text.trim() !== '') samples.push(text);
    }
  }
  const detected = detectDecimal(samples);
  return detected === 'ambiguous' ? null : detected;
}

/** The date format that reads the most of the sampled dates (the first in DATE_FORMATS on a tie); null when none reads any. */
export function detectDateFormat(texts: string[]): DateFormat | null {
  let best: DateFormat | null = null;
  let bestCount = 0;
  for (const format of DATE_FORMATS) {
    const count = texts.filter((text) => text.trim() !== '' && !Number.isNaN(parseDateText(text.trim(), format))).length;
    if (count > bestCount) {
      best = format;
      bestCount = count;
    }
  }
  return best;
}

/** A good line's values per mapped field, as the preview shows them. */
function valuesOf(line: LedgerLine, mapping: Record<LedgerField, number | null>): Partial<Record<LedgerField, PreviewValue>> {
  const money = (value: number | null): number | null => (value === null ? null : value / 100);
  const day = (value: number | null): string | null => (value === null ? null : formatDay(value));
  const all: Record<LedgerField, PreviewValue> = {
    date: formatDay(line.date),
    client: line.client,
    revenue: money(line.revenue),
    cost: money(line.cost),
    margin: money(line.margin),
    quantity: line.quantity,
    product: line.product,
    group: line.group,
    document: line.document,
    line: line.documentLine,
    dueDate: day(line.dueDate),
    paidDate: day(line.paidDate),
    clientName: line.clientName,
  };
  const out: Partial<Record<LedgerField, PreviewValue>> = {};
  for (const field of LEDGER_FIELDS) {
    // The margin is computed from the cost when the file has no margin column, so it shows with either.
    if (mapping[field] !== null || (field === 'margin' && mapping.cost !== null)) out[field] = all[field];
  }
  return out;
}
