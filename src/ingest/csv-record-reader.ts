/**
 * Records of a byte range of a file, read through one reused buffer: memory stays at the buffer's size
 * whatever the file's, and a record cut by the end of the buffer is carried to the start of the next
 * read. The range is either the whole data part of a file or one of the chunks that worker threads
 * read in parallel; line numbers are counted from the start of the range (1-based), and the caller
 * adds the lines before it.
 */
import { readSync } from 'node:fs';
import { findInvalidUtf8Line, isUtf8Range } from './encoding.ts';
import { createRecordScanner, isBlankRecord, scanPlainRecord as importedScanPlainRecord, scanRecord, unescapeFields, type RecordScanner } from './csv-tokenizer.ts';
import type { Delimiter } from './types.ts';

const LF = 0x0a;

/**
 * Called once per line: a local binding, because under tsx's CommonJS hook (the worker threads) each
 * use of an imported function goes through two property getters (see csv-line-checker.ts).
 */
const scanPlainRecord = importedScanPlainRecord;

/** Large enough that a read costs little per byte, small enough to stay in the CPU's caches' neighbourhood. */
export const DEFAULT_BUFFER_SIZE = 2 * 1024 * 1024;

/**
 * A line of a file taken as UTF-8 that is not UTF-8. `line` counts from the start of the range read;
 * the caller turns it into the file's line number and the user's error.
 */
export class InvalidUtf8Error extends Error {
  readonly line: number;

  constructor(line: number) {
    super(`line ${line} of the range is not valid UTF-8`);
    this.name = 'InvalidUtf8Error';
    this.line = line;
  }
}

export class RecordReader {
  /** The buffer holding the current record: fields are at `scanner.starts/ends` within it. */
  buf: Buffer;
  readonly scanner: RecordScanner;
  /** The line (from the start of the range, 1-based) where the current record starts. */
  recordLine = 0;
  /** True when the range ended inside a quoted field (the last record is `scanner.unterminated`). */
  endedInQuotes = false;

  private readonly fd: number;
  private readonly start: number;
  private readonly end: number;
  private readonly checkUtf8: boolean;
  private filePos: number;
  private fill = 0;
  private pos = 0;
  private eof: boolean;
  private nextLine = 1;
  /** Bytes of `buf` before this position are known to be valid UTF-8 (when checked). */
  private validUpTo = 0;
  /** Start of the first line found not to be UTF-8, as a position in `buf`; -1 when none. */
  private invalidAt = -1;
  /** Whether lines are split on a delimiter byte (not whitespace), which allows the fast path for plain lines. */
  private readonly plainLines: boolean;

  /**
   * `buffer`, when given, is the buffer to read into (the rollup kernel's); otherwise one of
   * `bufferSize` bytes, or less for a short range (see `bufferSizeFor`).
   */
  constructor(fd: number, start: number, end: number, delimiter: Delimiter, checkUtf8: boolean, bufferSize = DEFAULT_BUFFER_SIZE, buffer?: Buffer) {
    this.fd = fd;
    this.start = start;
    this.end = end;
    this.filePos = start;
    this.eof = start >= end;
    this.checkUtf8 = checkUtf8;
    this.buf = buffer ?? Buffer.allocUnsafe(bufferSizeFor(start, end, bufferSize));
    this.scanner = createRecordScanner(delimiter);
    this.plainLines = delimiter !== 'whitespace';
  }

  /** Bytes of the range read so far. */
  get bytesRead(): number {
    return this.filePos - this.start;
  }

  /** Physical lines consumed so far: all of the range's lines once `next` has returned false. */
  get lines(): number {
    return this.nextLine - 1;
  }

  /**
   * Advances to the next record that is not a wholly blank line; false at the end of the range. Throws
   * `InvalidUtf8Error` on reaching a line that is not UTF-8 when the reader checks it.
   */
  next(): boolean {
    const s = this.scanner;
    for (;;) {
      if (this.pos >= this.fill) {
        if (this.eof) return false;
        this.refill();
        continue;
      }
      const buf = this.buf;
      const pos = this.pos;
      let after = -1;
      if (this.plainLines) {
        after = scanPlainRecord(s, buf, pos, this.fill);
        // The common case in short: one line, nothing to unescape, not blank unless a lone field.
        if (after >= 0 && (this.invalidAt < 0 || after <= this.invalidAt)) {
          this.recordLine = this.nextLine++;
          this.pos = after;
          if (s.count > 1 || !isBlankRecord(s, buf)) return true;
          continue;
        }
      }
      if (after < 0) after = scanRecord(s, buf, pos, this.fill, this.eof);
      if (after < 0) {
        this.refill();
        continue;
      }
      if (this.invalidAt >= 0 && after > this.invalidAt) {
        throw new InvalidUtf8Error(this.nextLine + countLineFeeds(buf, pos, this.invalidAt));
      }
      this.recordLine = this.nextLine;
      this.nextLine += s.newlines;
      this.pos = after;
      if (s.unterminated) this.endedInQuotes = true;
      if (s.escaped) unescapeFields(s, buf);
      if (isBlankRecord(s, buf)) continue;
      return true;
    }
  }

  /** Where the next record starts in `buf`. */
  get position(): number {
    return this.pos;
  }

  /**
   * The end of the buffered bytes another reader of whole lines may take (the rollup kernel): the
   * bytes read so far, or the start of the first line found not to be valid UTF-8.
   */
  get plainLimit(): number {
    return this.invalidAt >= 0 ? this.invalidAt : this.fill;
  }

  /**
   * For the rollup kernel once it has taken every whole line: reads more of the range, keeping the
   * unfinished line. False, reading nothing, at the end of the range, before a line that is not valid
   * UTF-8, or when the unfinished line fills the buffer: `next` then deals with it.
   */
  more(): boolean {
    if (this.eof || this.invalidAt >= 0 || (this.pos === 0 && this.fill === this.buf.length)) return false;
    this.refill();
    return true;
  }

  /** Counts the `lines` whole lines from `position` up to `to` as read (by the rollup kernel). */
  skipTo(to: number, lines: number): void {
    this.pos = to;
    this.nextLine += lines;
  }

  /** Reads on from `buf`, a new view of the same bytes as the current buffer (the kernel grew its memory). */
  rebind(buf: Buffer): void {
    this.buf = buf;
  }

  /** Keeps the unread part of the buffer (an incomplete record) and reads more of the range after it. */
  private refill(): void {
    if (this.pos > 0) {
      this.buf.copyWithin(0, this.pos, this.fill);
      this.fill -= this.pos;
      this.validUpTo -= this.pos;
      if (this.invalidAt >= 0) this.invalidAt -= this.pos;
      this.pos = 0;
    }
    if (this.fill === this.buf.length) {
      // One record longer than the buffer (a long quoted text): make room for it.
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, this.fill);
      this.buf = bigger;
    }
    const want = Math.min(this.buf.length - this.fill, this.end - this.filePos);
    const got = want > 0 ? readSync(this.fd, this.buf, this.fill, want, this.filePos) : 0;
    this.filePos += got;
    this.fill += got;
    if (got === 0 || this.filePos >= this.end) this.eof = true;
    if (this.checkUtf8 && this.invalidAt < 0) this.validate();
  }

  /** Checks the complete lines read since the last check (all of them at the end of the range). */
  private validate(): void {
    let stop = this.fill;
    if (!this.eof) {
      const lastLf = this.buf.lastIndexOf(LF, this.fill - 1);
      stop = lastLf < this.validUpTo ? this.validUpTo : lastLf + 1;
    }
    if (stop <= this.validUpTo) return;
    if (!isUtf8Range(this.buf, this.validUpTo, stop)) {
      this.invalidAt = findInvalidUtf8Line(this.buf, this.validUpTo, stop);
    }
    this.validUpTo = stop;
  }
}

/** The buffer a reader of `[start, end)` allocates: `bufferSize`, or less for a short range. */
export function bufferSizeFor(start: number, end: number, bufferSize = DEFAULT_BUFFER_SIZE): number {
  return Math.max(16, Math.min(bufferSize, end - start + 16));
}

function countLineFeeds(buf: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) if (buf[i] === LF) n++;
  return n;
}
