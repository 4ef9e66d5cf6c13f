/**
 * How a delimited text file is laid out, decided once from its first bytes before any line is read:
 * encoding, delimiter, header and columns, decimal separator. The layout is plain data so that it can
 * be handed to the worker threads, which read their chunks with exactly the same decisions.
 */
import { KamertonError } from '../core/errors.ts';
import { resolveColumns, type ResolvedColumns } from './columns.ts';
import { createRecordScanner, isBlankRecord, scanRecord, unescapeFields } from './csv-tokenizer.ts';
import { createTextDecoder, detectEncoding, utf8BomLength } from './encoding.ts';
import { detectDecimal } from './values.ts';
import type { DateFormat, DecimalSeparator, Delimiter, Encoding, LedgerField, ReadOptions } from './types.ts';

export type CsvLayout = {
  file: string;
  encoding: Encoding;
  delimiter: Delimiter;
  decimal: DecimalSeparator;
  dateFormat: DateFormat | null;
  /** Byte offset of the first line after the header (after the BOM when there is no header). */
  dataStart: number;
  /** Physical lines before `dataStart` (the header's, and any blank lines before it). */
  linesBefore: number;
  index: Partial<Record<LedgerField, number>>;
  labels: string[];
  columns: Partial<Record<LedgerField, string>>;
  /** Fields a line must have: one past the highest column of any field found. */
  fieldsNeeded: number;
  hasMargin: boolean;
  strict: boolean;
};

/** How much of the file's start is read to decide the layout. */
export const HEAD_BYTES = 1024 * 1024;
/** Records compared when detecting the delimiter. */
const DELIMITER_SAMPLE_RECORDS = 50;
/** Records whose money values are sampled to detect the decimal separator. */
const DECIMAL_SAMPLE_RECORDS = 5000;

const CANDIDATES: readonly Delimiter[] = [';', '\t', ','];

/**
 * Decides the layout from `head`, the first `HEAD_BYTES` of the file (all of it when `wholeFile`).
 * Throws KamertonError('invalid-input') when the delimiter or the decimal separator cannot be told, or
 * the columns cannot be found (resolveColumns).
 */
export function detectLayout(file: string, head: Uint8Array, wholeFile: boolean, options: ReadOptions): CsvLayout {
  const encoding = options.encoding ?? detectEncoding(head, wholeFile);
  const bom = utf8BomLength(head);
  if (wholeFile && head.subarray(bom).every((b) => b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a)) {
    throw new KamertonError('invalid-input', `${file}: the file is empty`, { file });
  }
  const decode = createTextDecoder(encoding);
  // The sample is scanned more than once (per delimiter candidate), and unescaping rewrites bytes in
  // place, so each scan works on its own copy.
  const delimiter = options.delimiter ?? detectDelimiter(file, head.subarray(bom), wholeFile);

  const buf = new Uint8Array(head);
  const s = createRecordScanner(delimiter);
  let pos = bom;
  let line = 1;
  const records: string[][] = [];
  let headerFields: string[] | null = null;
  let dataStart = bom;
  let linesBefore = 0;
  const wantHeader = options.header !== false;
  while (pos < buf.length && records.length < DECIMAL_SAMPLE_RECORDS) {
    const after = scanRecord(s, buf, pos, buf.length, wholeFile);
    if (after < 0) break;
    if (s.unterminated && !wholeFile) break;
    if (s.escaped) unescapeFields(s, buf);
    pos = after;
    line += s.newlines;
    if (isBlankRecord(s, buf)) continue;
    const fields: string[] = [];
    for (let i = 0; i < s.count; i++) fields.push(decode(buf, s.starts[i] as number, s.ends[i] as number));
    if (wantHeader && headerFields === null) {
      headerFields = fields;
      dataStart = pos;
      linesBefore = line - 1;
      continue;
    }
    records.push(fields);
  }
  if (wantHeader && headerFields === null) {
    throw new KamertonError('invalid-input', `${file}: the file has no header line (is it empty?)`, { file });
  }
  const firstData = records[0];
  const columnCount = headerFields?.length ?? firstData?.length ?? 0;
  const resolved: ResolvedColumns = resolveColumns(headerFields, columnCount, options.map, file);

  let decimal = options.decimal;
  if (decimal === undefined) {
    const samples: string[] = [];
    for (const field of ['revenue', 'cost', 'margin'] as const) {
      const c = resolved.index[field];
      if (c === undefined) continue;
      for (const record of records) {
        const text = record[c];
        if (text !== undefined && text.trim() !== '') samples.push(text);
      }
    }
    const detected = detectDecimal(samples);
    if (detected === 'ambiguous') {
      throw new KamertonError(
        'invalid-input',
        `${file}: cannot tell whether the decimal separator is a comma or a point from the first lines' ` +
          `amounts; give it with --decimal , or --decimal .`,
        { file, field: 'revenue' },
      );
    }
    decimal = detected;
  }

  let fieldsNeeded = 0;
  for (const c of Object.values(resolved.index)) fieldsNeeded = Math.max(fieldsNeeded, (c as number) + 1);
  return {
    file,
    encoding,
    delimiter,
    decimal,
    dateFormat: options.dateFormat ?? null,
    dataStart,
    linesBefore,
    index: resolved.index,
    labels: resolved.labels,
    columns: resolved.columns,
    fieldsNeeded,
    hasMargin: resolved.index.cost !== undefined || resolved.index.margin !== undefined,
    strict: options.strict ?? false,
  };
}

/**
 * The delimiter among `;`, tab and `,`: the one that splits the first records (header included) into
 * the same number of fields, more than one, outside quoted fields. When several do, the one giving
 * the most fields wins (a `;` file with decimal commas has more semicolons than commas per line), and
 * then the order `;`, tab, `,`. When none is consistent, the one splitting the first record into the
 * most fields is taken, and lines with too few fields are reported as bad lines.
 */
export function detectDelimiter(file: string, head: Uint8Array, wholeFile: boolean): Delimiter {
  let best: Delimiter | null = null;
  let bestFields = 1;
  let fallback: Delimiter | null = null;
  let fallbackFields = 1;
  for (const candidate of CANDIDATES) {
    const buf = new Uint8Array(head);
    const s = createRecordScanner(candidate);
    let pos = 0;
    let seen = 0;
    let fields = -1;
    let consistent = true;
    while (pos < buf.length && seen < DELIMITER_SAMPLE_RECORDS) {
      const after = scanRecord(s, buf, pos, buf.length, wholeFile);
      if (after < 0 || (s.unterminated && !wholeFile)) break;
      pos = after;
      if (s.escaped) unescapeFields(s, buf);
      if (isBlankRecord(s, buf)) continue;
      if (seen === 0 && s.count > fallbackFields) {
        fallback = candidate;
        fallbackFields = s.count;
      }
      if (fields < 0) fields = s.count;
      else if (fields !== s.count) consistent = false;
      seen++;
    }
    if (consistent && fields > bestFields) {
      best = candidate;
      bestFields = fields;
    }
  }
  const chosen = best ?? fallback;
  if (chosen === null) {
    throw new KamertonError(
      'invalid-input',
      `${file}: cannot find the delimiter: no ";", tab or "," separates the first line's fields. Give it with ` +
        `--delimiter (";", ",", "tab" or "whitespace" for columns separated by spaces)`,
      { file },
    );
  }
  return chosen;
}
