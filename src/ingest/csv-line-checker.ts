/**
 * Turning one tokenized record into a ledger line's values, or into the reason it cannot be used. Both
 * readers (the fast rollup and the full-line reader) share it, so a line is good or bad the same way
 * in both. A line is good only when every field its reader uses is; the first bad field (in the order
 * date, client, revenue, cost, margin, then the optional fields) is the one reported.
 */
import type { CsvLayout } from './csv-layout.ts';
import type { RecordScanner } from './csv-tokenizer.ts';
import { createTextDecoder, type TextDecodeFn } from './encoding.ts';
import { CLIENT, CLIENT_NAME, DOCUMENT, DOCUMENT_LINE, GROUP, PRODUCT, type LineValues } from './line-values.ts';
import type { RowError } from './types.ts';
import { isBlank, parseDate, parseMoney as importedParseMoney, parseQuantity } from './values.ts';

/**
 * The worker threads load this module through tsx's CommonJS hook (csv-worker-entry.cjs), which turns
 * every use of an imported function into a call through two property getters; a local binding pays
 * that once, at load. parseMoney runs twice per line, scanPlainRecord (csv-record-reader.ts) once:
 * with both bound locally a worker read half of the 10M-line benchmark in 1.3 s instead of 1.5 s.
 * The main thread (ESM) is not affected.
 */
const parseMoney = importedParseMoney;

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;

export class LineChecker {
  /** Values of the last good line. Money in minor units. */
  day = 0;
  revenue = 0;
  cost = 0;
  margin = 0;
  /** The client code's bytes (trimmed) in the record's buffer. */
  clientStart = 0;
  clientEnd = 0;
  /** The client name's bytes (trimmed; empty when the file has no name column or the cell is empty). */
  nameStart = 0;
  nameEnd = 0;
  /** Why the last bad line is bad (its `line` is the caller's to fill). */
  error: RowError = { line: 0, column: null, value: null, message: '' };

  readonly decode: TextDecodeFn;
  private readonly lastDateText = new Uint8Array(32);
  private lastDateLength = -1;
  private lastDay = NaN;
  private readonly layout: CsvLayout;
  private readonly dateCol: number;
  private readonly clientCol: number;
  private readonly revenueCol: number;
  private readonly costCol: number;
  private readonly marginCol: number;
  private readonly nameCol: number;
  private readonly dateMessage: string;
  private readonly amountMessage: string;

  constructor(layout: CsvLayout) {
    this.layout = layout;
    this.decode = createTextDecoder(layout.encoding);
    this.dateCol = layout.index.date as number;
    this.clientCol = layout.index.client as number;
    this.revenueCol = layout.index.revenue as number;
    this.costCol = layout.index.cost ?? -1;
    this.marginCol = layout.index.margin ?? -1;
    this.nameCol = layout.index.clientName ?? -1;
    this.dateMessage = layout.dateFormat === null
      ? 'not a valid date (YYYY-MM-DD, DD.MM.YYYY, DD/MM/YYYY, YYYYMMDD or an Excel serial number)'
      : `not a valid date in the format ${layout.dateFormat}`;
    this.amountMessage = `not a readable amount (decimal separator "${layout.decimal}")`;
  }

  /**
   * Checks the fields the rollup uses (date, client, revenue, cost, margin, client name). True when the
   * line is good, its values then in the checker's fields; false with `error` set otherwise.
   */
  check(buf: Uint8Array, s: RecordScanner): boolean {
    if (s.unterminated) return this.rejectLine('a quoted field is not closed before the end of the file');
    if (s.count < this.layout.fieldsNeeded) {
      return this.rejectLine(`expected ${this.layout.fieldsNeeded} fields, found ${s.count}`);
    }
    const starts = s.starts;
    const ends = s.ends;
    const decimal = this.layout.decimal;

    let c = this.dateCol;
    const day = this.parseDateCached(buf, starts[c] as number, ends[c] as number);
    if (day !== day) return this.rejectField(buf, s, c, isBlank(buf, starts[c] as number, ends[c] as number) ? 'empty date' : this.dateMessage);

    c = this.clientCol;
    let a = starts[c] as number;
    let b = ends[c] as number;
    while (a < b && isTrimmed(buf[a] as number)) a++;
    while (b > a && isTrimmed(buf[b - 1] as number)) b--;
    if (a === b) return this.rejectField(buf, s, c, 'empty client');
    this.clientStart = a;
    this.clientEnd = b;

    c = this.revenueCol;
    const revenue = parseMoney(buf, starts[c] as number, ends[c] as number, decimal);
    if (revenue !== revenue) {
      return this.rejectField(buf, s, c, isBlank(buf, starts[c] as number, ends[c] as number) ? 'empty revenue' : this.amountMessage);
    }

    // An empty cost cell is zero cost: ERPs leave it empty for services (decisions.md).
    // (An empty cell parses as NaN too; isBlank then tells it from an unreadable one.)
    let cost = 0;
    c = this.costCol;
    if (c >= 0) {
      cost = parseMoney(buf, starts[c] as number, ends[c] as number, decimal);
      if (cost !== cost) {
        if (!isBlank(buf, starts[c] as number, ends[c] as number)) return this.rejectField(buf, s, c, this.amountMessage);
        cost = 0;
      }
    }
    // The margin column, when present and filled, is the ERP's own margin; otherwise revenue less cost.
    let margin = revenue - cost;
    c = this.marginCol;
    if (c >= 0) {
      const value = parseMoney(buf, starts[c] as number, ends[c] as number, decimal);
      if (value === value) margin = value;
      else if (!isBlank(buf, starts[c] as number, ends[c] as number)) return this.rejectField(buf, s, c, this.amountMessage);
    }

    c = this.nameCol;
    if (c >= 0) {
      a = starts[c] as number;
      b = ends[c] as number;
      while (a < b && isTrimmed(buf[a] as number)) a++;
      while (b > a && isTrimmed(buf[b - 1] as number)) b--;
      this.nameStart = a;
      this.nameEnd = b;
    }
    this.day = day;
    this.revenue = revenue;
    this.cost = cost;
    this.margin = margin;
    return true;
  }

  /**
   * Checks every mapped field and fills `out` with the line's values (texts as byte ranges of `buf`,
   * or of `out`'s own buffer when the file is not UTF-8); false with `error` set for a bad line.
   */
  checkValues(buf: Uint8Array, s: RecordScanner, line: number, out: LineValues): boolean {
    if (!this.check(buf, s)) return false;
    const index = this.layout.index;
    let quantity = NaN;
    const q = index.quantity;
    if (q !== undefined && !isBlank(buf, s.starts[q] as number, s.ends[q] as number)) {
      quantity = parseQuantity(buf, s.starts[q] as number, s.ends[q] as number, this.layout.decimal);
      if (quantity !== quantity) {
        return this.rejectField(buf, s, q, `not a readable quantity (decimal separator "${this.layout.decimal}")`);
      }
    }
    const dueDate = this.optionalDate(buf, s, index.dueDate);
    if (dueDate === undefined) return false;
    const paidDate = this.optionalDate(buf, s, index.paidDate);
    if (paidDate === undefined) return false;
    out.bytes = buf;
    out.line = line;
    out.day = this.day;
    out.revenue = this.revenue;
    out.cost = index.cost !== undefined ? this.cost : NaN;
    out.margin = this.layout.hasMargin ? this.margin : NaN;
    out.quantity = quantity;
    out.dueDate = dueDate;
    out.paidDate = paidDate;
    const ranges = out.ranges;
    ranges[CLIENT] = this.clientStart;
    ranges[CLIENT + 1] = this.clientEnd;
    if (index.clientName !== undefined) {
      ranges[CLIENT_NAME] = this.nameStart;
      ranges[CLIENT_NAME + 1] = this.nameEnd;
    } else {
      ranges[CLIENT_NAME] = ranges[CLIENT_NAME + 1] = 0;
    }
    this.textRange(buf, s, index.document, ranges, DOCUMENT);
    this.textRange(buf, s, index.line, ranges, DOCUMENT_LINE);
    this.textRange(buf, s, index.product, ranges, PRODUCT);
    this.textRange(buf, s, index.group, ranges, GROUP);
    if (this.layout.encoding !== 'utf-8') out.transcode(this.decode);
    return true;
  }

  /**
   * parseDate, remembering the last date's text and day: a ledger lists the lines of a day together,
   * and comparing a few bytes is cheaper than parsing them again.
   */
  private parseDateCached(buf: Uint8Array, start: number, end: number): number {
    const length = end - start;
    const last = this.lastDateText;
    if (length === this.lastDateLength) {
      let i = 0;
      while (i < length && last[i] === buf[start + i]) i++;
      if (i === length) return this.lastDay;
    }
    const day = parseDate(buf, start, end, this.layout.dateFormat);
    if (day === day && length <= last.length) {
      for (let i = 0; i < length; i++) last[i] = buf[start + i] as number;
      this.lastDateLength = length;
      this.lastDay = day;
    }
    return day;
  }

  /** A date cell that may be empty: NaN when empty, undefined (with `error` set) when invalid. */
  private optionalDate(buf: Uint8Array, s: RecordScanner, c: number | undefined): number | undefined {
    if (c === undefined || isBlank(buf, s.starts[c] as number, s.ends[c] as number)) return NaN;
    const day = parseDate(buf, s.starts[c] as number, s.ends[c] as number, this.layout.dateFormat);
    if (day !== day) {
      this.rejectField(buf, s, c, this.dateMessage);
      return undefined;
    }
    return day;
  }

  /** The trimmed range of an optional text cell into `ranges` at `at` (an empty range when absent or blank). */
  private textRange(buf: Uint8Array, s: RecordScanner, c: number | undefined, ranges: Int32Array, at: number): void {
    if (c === undefined) {
      ranges[at] = ranges[at + 1] = 0;
      return;
    }
    let a = s.starts[c] as number;
    let b = s.ends[c] as number;
    while (a < b && isTrimmed(buf[a] as number)) a++;
    while (b > a && isTrimmed(buf[b - 1] as number)) b--;
    ranges[at] = a;
    ranges[at + 1] = b;
  }

  private rejectLine(message: string): false {
    this.error = { line: 0, column: null, value: null, message };
    return false;
  }

  private rejectField(buf: Uint8Array, s: RecordScanner, c: number, message: string): false {
    this.error = {
      line: 0,
      column: this.layout.labels[c] ?? `column ${c + 1}`,
      value: this.decode(buf, s.starts[c] as number, s.ends[c] as number),
      message,
    };
    return false;
  }
}

function isTrimmed(c: number): boolean {
  return c === SPACE || c === TAB || c === CR;
}
