/**
 * The byte-level tokenizer of delimited text: one record at a time, straight from a byte buffer, with
 * no string and no allocation per record. It finds the fields' byte ranges; the callers parse the
 * values from those ranges (values.ts) and decode a string only when they need one.
 *
 * The grammar is RFC 4180's, as spreadsheets and ERPs write it: a field that starts with a double quote
 * is quoted and runs to the next lone quote, holding delimiters and line breaks; a doubled quote inside
 * it stands for one quote. Records end at LF; a CR just before it (CRLF) is dropped. A quote anywhere
 * else is an ordinary character, and text after a closing quote is kept (`"ab"c` reads `abc`), which is
 * what spreadsheets do rather than rejecting the line.
 *
 * In whitespace mode (`delimiter: 'whitespace'`, for fixed-width-looking logs such as CDNOW's) fields
 * are separated by runs of blanks (space, tab, CR), and blanks at the start and end of a line are
 * ignored; a field may still be quoted to hold blanks.
 *
 * Both encodings the readers accept (UTF-8, Windows-1250) keep ASCII as it is and never use an ASCII
 * byte inside a multi-byte character, so the tokenizer is the same for both.
 */
import type { Delimiter } from './types.ts';

const LF = 0x0a;
const CR = 0x0d;
const TAB = 0x09;
const SPACE = 0x20;
const QUOTE = 0x22;

/** Field flags. */
const QUOTED = 1;
/** The field's raw range still holds quote marks to remove (doubled quotes, text after the closing quote). */
const RAW = 2;

/**
 * The state of one tokenizer and the result of its last `scanRecord`: fields `0 .. count - 1` lie at
 * `buf[starts[i], ends[i])`. The arrays grow with the widest record seen.
 */
export type RecordScanner = {
  /** The delimiter byte, or -1 for runs of blanks. */
  readonly delimiter: number;
  count: number;
  starts: Int32Array;
  ends: Int32Array;
  flags: Uint8Array;
  /** Line feeds the record consumed, its terminator included: the physical lines it spans. */
  newlines: number;
  /** True when the record ended at the end of the input inside a quoted field. */
  unterminated: boolean;
  /** True when some field still holds quote marks to remove: call `unescapeFields` before reading values. */
  escaped: boolean;
};

export function delimiterByte(delimiter: Delimiter): number {
  switch (delimiter) {
    case ';':
      return 0x3b;
    case ',':
      return 0x2c;
    case '\t':
      return TAB;
    case 'whitespace':
      return -1;
  }
}

export function createRecordScanner(delimiter: Delimiter): RecordScanner {
  return {
    delimiter: delimiterByte(delimiter),
    count: 0,
    starts: new Int32Array(16),
    ends: new Int32Array(16),
    flags: new Uint8Array(16),
    newlines: 0,
    unterminated: false,
    escaped: false,
  };
}

function growFields(s: RecordScanner): void {
  const n = s.starts.length * 2;
  const starts = new Int32Array(n);
  const ends = new Int32Array(n);
  const flags = new Uint8Array(n);
  starts.set(s.starts);
  ends.set(s.ends);
  flags.set(s.flags);
  s.starts = starts;
  s.ends = ends;
  s.flags = flags;
}

/**
 * Tokenizes the record starting at `buf[pos]`, reading no further than `end`. Returns the position
 * after the record (after its LF, or `end` for a last record without one), or -1 when the record does
 * not end before `end` and more input may follow (`eof` false): the caller then supplies more bytes and
 * scans the same record again. With `eof` true a record always ends, at the latest at `end`, and
 * `unterminated` tells whether a quoted field was left open there.
 *
 * The buffer is not modified; when `escaped` is set, `unescapeFields` finishes the fields in place.
 */
export function scanRecord(s: RecordScanner, buf: Uint8Array, pos: number, end: number, eof: boolean): number {
  if (s.delimiter < 0) return scanBlankSeparated(s, buf, pos, end, eof);
  const delim = s.delimiter;
  let count = 0;
  let newlines = 0;
  let escaped = false;
  let p = pos;
  s.unterminated = false;
  for (;;) {
    if (count === s.starts.length) growFields(s);
    if (p < end && buf[p] === QUOTE) {
      s.newlines = newlines;
      const fieldEnd = scanQuotedField(s, buf, p, end, eof, count, escaped);
      if (fieldEnd < 0) return -1;
      if (s.unterminated) return end;
      newlines = s.newlines;
      if (((s.flags[count] as number) & RAW) !== 0) escaped = true;
      p = fieldEnd;
      count++;
    } else {
      const start = p;
      while (p < end) {
        const c = buf[p];
        if (c === delim || c === LF) break;
        p++;
      }
      if (p >= end && !eof) return -1;
      let fieldEnd = p;
      if ((p >= end || buf[p] === LF) && fieldEnd > start && buf[fieldEnd - 1] === CR) fieldEnd--;
      s.starts[count] = start;
      s.ends[count] = fieldEnd;
      s.flags[count] = 0;
      count++;
    }
    if (p >= end) {
      return finishRecord(s, count, newlines, escaped, end);
    }
    if (buf[p] === LF) {
      return finishRecord(s, count, newlines + 1, escaped, p + 1);
    }
    p++;
  }
}

/**
 * The fast path for the common line: no quote mark, ended by a line feed before `end`, and no more
 * fields than the scanner's arrays hold. Returns the position after the line feed with the same result
 * as `scanRecord`, or -1 when the line is not such a line (the caller then uses `scanRecord`). Bytes
 * above the delimiter, the quote and the line feed (digits and letters, for `,` and tab) are passed
 * over with one comparison.
 */
export function scanPlainRecord(s: RecordScanner, buf: Uint8Array, pos: number, end: number): number {
  const delim = s.delimiter;
  const plainAbove = delim > QUOTE ? delim : QUOTE;
  const starts = s.starts;
  const ends = s.ends;
  const flags = s.flags;
  const capacity = starts.length;
  let count = 0;
  let p = pos;
  starts[0] = p;
  while (p < end) {
    const c = buf[p] as number;
    if (c > plainAbove) {
      p++;
      continue;
    }
    if (c === delim) {
      ends[count] = p;
      flags[count] = 0;
      count++;
      if (count === capacity) return -1;
      starts[count] = ++p;
      continue;
    }
    if (c === LF) {
      let fieldEnd = p;
      if (fieldEnd > (starts[count] as number) && buf[fieldEnd - 1] === CR) fieldEnd--;
      ends[count] = fieldEnd;
      flags[count] = 0;
      s.count = count + 1;
      s.newlines = 1;
      s.unterminated = false;
      s.escaped = false;
      return p + 1;
    }
    if (c === QUOTE) return -1;
    p++;
  }
  return -1;
}

function isBlankByte(c: number): boolean {
  return c === SPACE || c === TAB || c === CR;
}

function scanBlankSeparated(s: RecordScanner, buf: Uint8Array, pos: number, end: number, eof: boolean): number {
  let count = 0;
  let newlines = 0;
  let escaped = false;
  let p = pos;
  s.unterminated = false;
  for (;;) {
    while (p < end && isBlankByte(buf[p] as number)) p++;
    if (p >= end) {
      if (!eof) return -1;
      return finishRecord(s, count, newlines, escaped, end);
    }
    if (buf[p] === LF) {
      return finishRecord(s, count, newlines + 1, escaped, p + 1);
    }
    if (count === s.starts.length) growFields(s);
    if (buf[p] === QUOTE) {
      s.newlines = newlines;
      const fieldEnd = scanQuotedField(s, buf, p, end, eof, count, escaped);
      if (fieldEnd < 0) return -1;
      if (s.unterminated) return end;
      newlines = s.newlines;
      if (((s.flags[count] as number) & RAW) !== 0) escaped = true;
      p = fieldEnd;
    } else {
      const start = p;
      while (p < end) {
        const c = buf[p] as number;
        if (isBlankByte(c) || c === LF) break;
        p++;
      }
      if (p >= end && !eof) return -1;
      s.starts[count] = start;
      s.ends[count] = p;
      s.flags[count] = 0;
    }
    count++;
  }
}

/**
 * Records the end of a record of `count` fields that spanned `newlines` line feeds (its terminator
 * included) and returns `next`, the position after it.
 */
function finishRecord(s: RecordScanner, count: number, newlines: number, escaped: boolean, next: number): number {
  s.count = count;
  s.newlines = newlines;
  s.escaped = escaped;
  return next;
}

/**
 * Scans the quoted field that opens at `buf[open]` into field `count` of the record: to its closing
 * quote (the first quote not doubled), then on to the field's end, the next delimiter or line feed (in
 * whitespace mode the next blank), keeping any text after the closing quote. Line feeds inside the
 * quotes are added to `s.newlines`. Returns where the field ends; -1 when the input ends first and more
 * may follow; or, when the input ends inside the quotes, `end` with `s.unterminated` set and the
 * record finished there (the field runs to the end).
 */
function scanQuotedField(s: RecordScanner, buf: Uint8Array, open: number, end: number, eof: boolean, count: number, escaped: boolean): number {
  let flag = QUOTED;
  let p = open + 1;
  for (;;) {
    if (p >= end) {
      if (!eof) return -1;
      s.starts[count] = (flag & RAW) !== 0 ? open : open + 1;
      s.ends[count] = end;
      s.flags[count] = flag;
      s.count = count + 1;
      s.unterminated = true;
      s.escaped = escaped || (flag & RAW) !== 0;
      return end;
    }
    const c = buf[p];
    if (c === QUOTE) {
      if (p + 1 >= end && !eof) return -1;
      if (p + 1 < end && buf[p + 1] === QUOTE) {
        flag |= RAW;
        p += 2;
        continue;
      }
      break;
    }
    if (c === LF) s.newlines++;
    p++;
  }
  const close = p;
  p++;
  const blanks = s.delimiter < 0;
  while (p < end) {
    const c = buf[p] as number;
    if (c === LF || (blanks ? isBlankByte(c) : c === s.delimiter)) break;
    p++;
  }
  if (p >= end && !eof) return -1;
  let rawEnd = p;
  // A CR before the record's LF belongs to the line end (CRLF); in whitespace mode it is a blank and
  // has stopped the field already.
  if (!blanks && (p >= end || buf[p] === LF) && rawEnd > close + 1 && buf[rawEnd - 1] === CR) rawEnd--;
  if (rawEnd > close + 1) flag |= RAW;
  if ((flag & RAW) !== 0) {
    s.starts[count] = open;
    s.ends[count] = rawEnd;
  } else {
    s.starts[count] = open + 1;
    s.ends[count] = close;
  }
  s.flags[count] = flag;
  return p;
}

/**
 * Removes the quote marks still held by the fields of the last record (doubled quotes become one,
 * enclosing quotes go), rewriting their bytes in place; the fields' ranges shrink accordingly. Call it
 * once per record, and only when the record will not be scanned again.
 */
export function unescapeFields(s: RecordScanner, buf: Uint8Array): void {
  for (let i = 0; i < s.count; i++) {
    if (((s.flags[i] as number) & RAW) === 0) continue;
    const start = s.starts[i] as number;
    const end = s.ends[i] as number;
    let w = start;
    let inQuotes = false;
    for (let r = start; r < end; r++) {
      const c = buf[r] as number;
      if (c === QUOTE) {
        if (inQuotes && r + 1 < end && buf[r + 1] === QUOTE) {
          buf[w++] = QUOTE;
          r++;
        } else {
          inQuotes = !inQuotes;
        }
      } else {
        buf[w++] = c;
      }
    }
    s.ends[i] = w;
    s.flags[i] = QUOTED;
  }
  s.escaped = false;
}

/**
 * True when the last record is a wholly blank line: no field (whitespace mode), or a single unquoted
 * field of nothing but spaces and tabs.
 */
export function isBlankRecord(s: RecordScanner, buf: Uint8Array): boolean {
  if (s.count === 0) return true;
  if (s.count > 1 || s.flags[0] !== 0) return false;
  const end = s.ends[0] as number;
  for (let i = s.starts[0] as number; i < end; i++) {
    const c = buf[i];
    if (c !== SPACE && c !== TAB && c !== CR) return false;
  }
  return true;
}
