/**
 * Ledger values read straight from the file's bytes: money in integer minor units (grosze),
 * quantities, and dates as day numbers.
 *
 * The byte functions take a range of a `Uint8Array` holding UTF-8 or Windows-1250 text. They run once
 * per cell of a ledger of tens of millions of lines, so they allocate nothing, build no string and use
 * no regular expression; everything they need is compared byte by byte. Both encodings are accepted
 * at once because every byte sequence that matters here means the same in both or cannot occur in the
 * other: the non-breaking space is C2 A0 in UTF-8 and A0 in Windows-1250, `ł` is C5 82 or B3, `Ł` is
 * C5 81 or A3, and a lone A0, B3 or A3 is never valid UTF-8.
 *
 * Money never goes through a float: the digits are accumulated as an integer number of grosze, which
 * is exact for every amount up to 2^53 grosze (about 90 billion złoty); a larger amount is unreadable
 * (NaN) rather than silently inexact.
 *
 * Accepted numbers: `1234.56`, `1 234,56` (plain, non-breaking or narrow non-breaking spaces between
 * groups of three digits), `1.234,56`, `1,234.56`, `-12,5`, `,5`; a leading `+` or `-`, a trailing `-`
 * or a Unicode minus; for money `zł`, `zl` or `PLN` (any letter case) before or after the number, with
 * or without a space. Group separators must split the integer part into groups of three digits (the
 * first of one to three), all with the same separator: this is what turns `12.5` read with a decimal
 * comma into an error instead of 125. `(12,50)` and exponents such as `1E+3` are not accepted.
 */
import { dayFromCivil, daysInMonth } from '../core/calendar.ts';
import type { DateFormat, DecimalSeparator } from './types.ts';

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const MINUS = 0x2d;
const PLUS = 0x2b;
const COMMA = 0x2c;
const DOT = 0x2e;
const SLASH = 0x2f;
const COLON = 0x3a;
const SPACE = 0x20;

/** The largest integer part (in złote) whose amount in grosze is still a safe integer. */
const MAX_SAFE_MAJOR = Math.floor(Number.MAX_SAFE_INTEGER / 100);

/** Day number of 1899-12-30, the day before Excel's serial 1 once its fictitious 1900-02-29 is passed. */
const EXCEL_EPOCH = dayFromCivil(1899, 12, 30);
/** Excel's largest date serial, 9999-12-31. */
const EXCEL_MAX_SERIAL = 2958465;

/** Powers of ten that are exact doubles, for dividing an exact mantissa once (a correctly rounded result). */
const EXACT_POWERS_OF_TEN = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
  1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * Width in bytes of a group-separating space at `i` (plain space, non-breaking space in either
 * encoding, or UTF-8 narrow non-breaking space U+202F, which newer locales use for grouping), else 0.
 */
function spaceAt(buf: Uint8Array, i: number, end: number): number {
  const b = buf[i];
  if (b === SPACE || b === 0xa0) return 1;
  if (b === 0xc2 && i + 1 < end && buf[i + 1] === 0xa0) return 2;
  if (b === 0xe2 && i + 2 < end && buf[i + 1] === 0x80 && buf[i + 2] === 0xaf) return 3;
  return 0;
}

/** Width of a blank (a space as above, a tab or a carriage return) starting at `i`, else 0. */
function blankAt(buf: Uint8Array, i: number, end: number): number {
  const b = buf[i];
  if (b === 0x09 || b === 0x0d) return 1;
  return spaceAt(buf, i, end);
}

/** Width of a blank ending just before `end` (not reaching before `start`), else 0. */
function blankBefore(buf: Uint8Array, start: number, end: number): number {
  const b = buf[end - 1];
  if (b === SPACE || b === 0x09 || b === 0x0d) return 1;
  if (b === 0xa0) return end - 2 >= start && buf[end - 2] === 0xc2 ? 2 : 1;
  if (b === 0xaf && end - 3 >= start && buf[end - 2] === 0x80 && buf[end - 3] === 0xe2) return 3;
  return 0;
}

/** Width of a Unicode minus sign U+2212 (UTF-8 E2 88 92) at `i`, else 0. */
function unicodeMinusAt(buf: Uint8Array, i: number, end: number): number {
  return buf[i] === 0xe2 && i + 2 < end && buf[i + 1] === 0x88 && buf[i + 2] === 0x92 ? 3 : 0;
}

function isZ(b: number | undefined): boolean {
  return b === 0x7a || b === 0x5a;
}

function isL(b: number | undefined): boolean {
  return b === 0x6c || b === 0x4c;
}

/** Width of a currency mark (`zł`, `zl`, `PLN` in any case and either encoding) starting at `i`, else 0. */
function currencyAt(buf: Uint8Array, i: number, end: number): number {
  const b = buf[i];
  if (isZ(b) && i + 1 < end) {
    const c = buf[i + 1];
    if (isL(c) || c === 0xb3 || c === 0xa3) return 2;
    if (c === 0xc5 && i + 2 < end && (buf[i + 2] === 0x82 || buf[i + 2] === 0x81)) return 3;
    return 0;
  }
  if ((b === 0x70 || b === 0x50) && i + 2 < end && isL(buf[i + 1]) && (buf[i + 2] === 0x6e || buf[i + 2] === 0x4e)) {
    return 3;
  }
  return 0;
}

/** Width of a currency mark ending just before `end` (not reaching before `start`), else 0. */
function currencyBefore(buf: Uint8Array, start: number, end: number): number {
  if (end - start < 2) return 0;
  const b = buf[end - 1];
  if (isL(b) || b === 0xb3 || b === 0xa3) return isZ(buf[end - 2]) ? 2 : 0;
  if (b === 0x82 || b === 0x81) return end - start >= 3 && buf[end - 2] === 0xc5 && isZ(buf[end - 3]) ? 3 : 0;
  if ((b === 0x6e || b === 0x4e) && end - start >= 3 && isL(buf[end - 2]) && (buf[end - 3] === 0x70 || buf[end - 3] === 0x50)) {
    return 3;
  }
  return 0;
}

// The scanner below reports through these module-level slots instead of returning an object, so that
// parsing a cell allocates nothing. JavaScript runs one parse at a time per thread, so sharing is safe.
let scanNegative = false;
/** The integer part's value (exact while below 2^53). */
let scanInt = 0;
let scanIntDigits = 0;
/** Where the integer part ends (at the decimal separator, or the end of the number). */
let scanIntEnd = 0;
/** Byte range of the fraction digits (after the decimal separator); equal when there are none. */
let scanFracStart = 0;
let scanFracEnd = 0;

/**
 * Validates a number in `buf[start, end)` and fills the scan slots. Surrounding blanks, one sign and,
 * when `currency` is set, one currency mark are accepted around the digits. False when the range is
 * not a number.
 */
function scanNumber(buf: Uint8Array, start: number, end: number, decimal: DecimalSeparator, currency: boolean): boolean {
  let i = start;
  let j = end;
  let signSeen = false;
  let currencySeen = !currency;
  scanNegative = false;

  // Leading blanks, sign and currency mark, in any order, each at most once.
  for (;;) {
    if (i >= j) return false;
    const b = buf[i]!;
    if (b >= DIGIT_0 && b <= DIGIT_9) break;
    const blank = blankAt(buf, i, j);
    if (blank !== 0) {
      i += blank;
      continue;
    }
    if (!signSeen) {
      if (b === MINUS || b === PLUS) {
        scanNegative = b === MINUS;
        signSeen = true;
        i += 1;
        continue;
      }
      const minus = unicodeMinusAt(buf, i, j);
      if (minus !== 0) {
        scanNegative = true;
        signSeen = true;
        i += minus;
        continue;
      }
    }
    if (!currencySeen) {
      const mark = currencyAt(buf, i, j);
      if (mark !== 0) {
        currencySeen = true;
        i += mark;
        continue;
      }
    }
    break;
  }
  // Trailing blanks, minus and currency mark.
  for (;;) {
    if (j <= i) return false;
    const b = buf[j - 1]!;
    if (b >= DIGIT_0 && b <= DIGIT_9) break;
    const blank = blankBefore(buf, i, j);
    if (blank !== 0) {
      j -= blank;
      continue;
    }
    if (!signSeen && b === MINUS) {
      scanNegative = true;
      signSeen = true;
      j -= 1;
      continue;
    }
    if (!currencySeen) {
      const mark = currencyBefore(buf, i, j);
      if (mark !== 0) {
        currencySeen = true;
        j -= mark;
        continue;
      }
    }
    break;
  }

  const decimalByte = decimal === ',' ? COMMA : DOT;
  const otherByte = decimal === ',' ? DOT : COMMA;
  let value = 0;
  let intDigits = 0;
  // 0: no group separator yet; 1: spaces; 2: the other punctuation mark.
  let groupKind = 0;
  let groupDigits = 0;
  let k = i;
  while (k < j) {
    const b = buf[k]!;
    if (b >= DIGIT_0 && b <= DIGIT_9) {
      value = value * 10 + (b - DIGIT_0);
      intDigits += 1;
      groupDigits += 1;
      k += 1;
      continue;
    }
    if (b === decimalByte) break;
    let width: number;
    let kind: number;
    if (b === otherByte) {
      width = 1;
      kind = 2;
    } else {
      width = spaceAt(buf, k, j);
      kind = 1;
      if (width === 0) return false;
    }
    if (groupKind === 0) {
      if (intDigits === 0 || intDigits > 3) return false;
      groupKind = kind;
    } else if (kind !== groupKind || groupDigits !== 3) {
      return false;
    }
    groupDigits = 0;
    k += width;
  }
  if (groupKind !== 0 && groupDigits !== 3) return false;

  let fracStart = k;
  if (k < j) {
    // At the decimal separator: at least one digit must follow, and nothing else.
    k += 1;
    fracStart = k;
    if (k >= j) return false;
    while (k < j) {
      const b = buf[k]!;
      if (b < DIGIT_0 || b > DIGIT_9) return false;
      k += 1;
    }
  }
  if (intDigits === 0 && fracStart === j) return false;
  scanInt = value;
  scanIntDigits = intDigits;
  scanIntEnd = fracStart === j ? j : fracStart - 1;
  scanFracStart = fracStart;
  scanFracEnd = j;
  return true;
}

/**
 * Money in integer minor units (grosze); NaN when the range is empty or unreadable, or the amount is
 * beyond 2^53 grosze. More than two decimals round half away from zero (`0,005` is 1 grosz, `-0,005`
 * is -1).
 */
export function parseMoney(buf: Uint8Array, start: number, end: number, decimal: DecimalSeparator): number {
  // The common case first, as machines write it: an optional minus, up to 13 digits (so that the
  // grosze stay exact), and none, one or two decimals. Anything else takes the general path.
  let i = start;
  const negative = i < end && buf[i] === MINUS;
  if (negative) i += 1;
  let value = 0;
  let k = i;
  while (k < end) {
    const digit = buf[k]! - DIGIT_0;
    if (digit >>> 0 > 9) break;
    value = value * 10 + digit;
    k += 1;
  }
  const intDigits = k - i;
  if (intDigits > 0 && intDigits <= 13) {
    let minor = -1;
    if (k === end) {
      minor = value * 100;
    } else if (buf[k] === (decimal === ',' ? COMMA : DOT)) {
      const d1 = end - k > 1 ? buf[k + 1]! - DIGIT_0 : -1;
      const d2 = end - k > 2 ? buf[k + 2]! - DIGIT_0 : -1;
      if (end - k === 2 && d1 >>> 0 <= 9) minor = value * 100 + d1 * 10;
      else if (end - k === 3 && d1 >>> 0 <= 9 && d2 >>> 0 <= 9) minor = value * 100 + d1 * 10 + d2;
    }
    if (minor >= 0) return negative && minor !== 0 ? -minor : minor;
  }
  return parseMoneyGeneral(buf, start, end, decimal);
}

function parseMoneyGeneral(buf: Uint8Array, start: number, end: number, decimal: DecimalSeparator): number {
  if (!scanNumber(buf, start, end, decimal, true)) return NaN;
  if (scanInt > MAX_SAFE_MAJOR) return NaN;
  let minor = scanInt * 100;
  const fracDigits = scanFracEnd - scanFracStart;
  if (fracDigits >= 1) minor += (buf[scanFracStart]! - DIGIT_0) * 10;
  if (fracDigits >= 2) minor += buf[scanFracStart + 1]! - DIGIT_0;
  // Half away from zero on the magnitude: the third decimal alone decides (5 and more rounds up).
  if (fracDigits >= 3 && buf[scanFracStart + 2]! >= DIGIT_0 + 5) minor += 1;
  if (minor > Number.MAX_SAFE_INTEGER) return NaN;
  return scanNegative && minor !== 0 ? -minor : minor;
}

/**
 * A quantity as a float (the nearest double to the decimal written); NaN when empty or unreadable.
 * Same number formats as money, without the currency mark.
 */
export function parseQuantity(buf: Uint8Array, start: number, end: number, decimal: DecimalSeparator): number {
  if (!scanNumber(buf, start, end, decimal, false)) return NaN;
  const fracDigits = scanFracEnd - scanFracStart;
  let value: number;
  if (scanIntDigits + fracDigits <= 15 && fracDigits < EXACT_POWERS_OF_TEN.length) {
    // Mantissa and power of ten are both exact doubles, so the one division rounds correctly.
    let mantissa = scanInt;
    for (let k = scanFracStart; k < scanFracEnd; k++) mantissa = mantissa * 10 + (buf[k]! - DIGIT_0);
    value = mantissa / EXACT_POWERS_OF_TEN[fracDigits]!;
  } else {
    // Too many digits for the exact path (rare): let the engine's correctly rounded parser finish.
    let text = '';
    for (let k = start; k < scanIntEnd; k++) {
      const b = buf[k]!;
      if (b >= DIGIT_0 && b <= DIGIT_9) text += String.fromCharCode(b);
    }
    text += '.';
    for (let k = scanFracStart; k < scanFracEnd; k++) text += String.fromCharCode(buf[k]!);
    value = Number(text);
  }
  return scanNegative && value !== 0 ? -value : value;
}

// Date parsing, byte by byte. `readDigits` reports the value and the position after the digits.
let digitsValue = 0;
let digitsEnd = 0;

/** The byte at `k`, or -1 at or past `end`: the bytes after a field belong to the next one. */
function byteAt(buf: Uint8Array, k: number, end: number): number {
  return k < end ? buf[k]! : -1;
}

/** Reads `min` to `max` digits at `i`; false when the run of digits there is shorter or longer. */
function readDigits(buf: Uint8Array, i: number, end: number, min: number, max: number): boolean {
  let value = 0;
  let k = i;
  while (k < end) {
    const b = buf[k]!;
    if (b < DIGIT_0 || b > DIGIT_9) break;
    value = value * 10 + (b - DIGIT_0);
    k += 1;
  }
  const count = k - i;
  if (count < min || count > max) return false;
  digitsValue = value;
  digitsEnd = k;
  return true;
}

function civilDay(year: number, month: number, day: number): number {
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  return dayFromCivil(year, month, day);
}

/**
 * True when `buf[i, end)` is empty or a time of day after a date, as ERP exports append it:
 * `T` or a space, `H:MM` or `HH:MM`, optional `:SS` and fraction, optional `Z` or `+HH:MM` / `-HHMM`.
 * The time is checked for shape and range and then ignored: the ledger's day is the date as written.
 */
function isTimeSuffix(buf: Uint8Array, i: number, end: number): boolean {
  if (i === end) return true;
  const t = buf[i];
  if (t !== 0x54 && t !== 0x74 && t !== SPACE) return false;
  let k = i + 1;
  if (!readDigits(buf, k, end, 1, 2) || digitsValue > 23) return false;
  k = digitsEnd;
  if (byteAt(buf, k, end) !== COLON || !readDigits(buf, k + 1, end, 2, 2) || digitsValue > 59) return false;
  k = digitsEnd;
  if (byteAt(buf, k, end) === COLON) {
    if (!readDigits(buf, k + 1, end, 2, 2) || digitsValue > 60) return false;
    k = digitsEnd;
    if (byteAt(buf, k, end) === DOT || byteAt(buf, k, end) === COMMA) {
      if (!readDigits(buf, k + 1, end, 1, 9)) return false;
      k = digitsEnd;
    }
  }
  if (k === end) return true;
  const z = buf[k];
  if ((z === 0x5a || z === 0x7a) && k + 1 === end) return true;
  if (z !== PLUS && z !== MINUS) return false;
  if (!readDigits(buf, k + 1, end, 2, 4)) return false;
  if (digitsEnd === end) return digitsEnd - (k + 1) !== 3;
  if (buf[digitsEnd] !== COLON || digitsEnd - (k + 1) !== 2) return false;
  return readDigits(buf, digitsEnd + 1, end, 2, 2) && digitsEnd === end;
}

/** `YYYY-M-D` (one or two digits for month and day) with an optional time, at `i`. */
function parseIsoAt(buf: Uint8Array, i: number, end: number): number {
  if (!readDigits(buf, i, end, 4, 4) || byteAt(buf, digitsEnd, end) !== MINUS) return NaN;
  const year = digitsValue;
  if (!readDigits(buf, digitsEnd + 1, end, 1, 2) || byteAt(buf, digitsEnd, end) !== MINUS) return NaN;
  const month = digitsValue;
  if (!readDigits(buf, digitsEnd + 1, end, 1, 2)) return NaN;
  const day = digitsValue;
  if (!isTimeSuffix(buf, digitsEnd, end)) return NaN;
  return civilDay(year, month, day);
}

// The day number of the first day of the last month seen: ledgers are mostly in date order, so this
// saves the calendar arithmetic on nearly every line.
let cachedMonthKey = -1;
let cachedMonthStart = 0;

/**
 * The common case, exactly `YYYY-MM-DD` (the caller has checked the length and both dashes), without
 * the general scanner: this runs once per line of the benchmark's ledgers.
 */
function parseIsoFast(buf: Uint8Array, i: number): number {
  const y1 = buf[i]! - DIGIT_0;
  const y2 = buf[i + 1]! - DIGIT_0;
  const y3 = buf[i + 2]! - DIGIT_0;
  const y4 = buf[i + 3]! - DIGIT_0;
  const m1 = buf[i + 5]! - DIGIT_0;
  const m2 = buf[i + 6]! - DIGIT_0;
  const d1 = buf[i + 8]! - DIGIT_0;
  const d2 = buf[i + 9]! - DIGIT_0;
  // An unsigned shift turns a byte below '0' into a huge number, so one comparison checks a digit.
  if ((y1 >>> 0) > 9 || (y2 >>> 0) > 9 || (y3 >>> 0) > 9 || (y4 >>> 0) > 9 || (m1 >>> 0) > 9 || (m2 >>> 0) > 9 ||
    (d1 >>> 0) > 9 || (d2 >>> 0) > 9) {
    return NaN;
  }
  const year = y1 * 1000 + y2 * 100 + y3 * 10 + y4;
  const month = m1 * 10 + m2;
  const day = d1 * 10 + d2;
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  const key = year * 16 + month;
  if (key !== cachedMonthKey) {
    cachedMonthKey = key;
    cachedMonthStart = dayFromCivil(year, month, 1);
  }
  return cachedMonthStart + day - 1;
}

/** `D.M.YYYY` or `D/M/YYYY` (one or two digits for day and month) with an optional time, at `i`. */
function parseDayFirstAt(buf: Uint8Array, i: number, end: number, separator: number): number {
  if (!readDigits(buf, i, end, 1, 2) || byteAt(buf, digitsEnd, end) !== separator) return NaN;
  const day = digitsValue;
  if (!readDigits(buf, digitsEnd + 1, end, 1, 2) || byteAt(buf, digitsEnd, end) !== separator) return NaN;
  const month = digitsValue;
  if (!readDigits(buf, digitsEnd + 1, end, 4, 4)) return NaN;
  const year = digitsValue;
  if (!isTimeSuffix(buf, digitsEnd, end)) return NaN;
  return civilDay(year, month, day);
}

/** `YYYYMMDD`, exactly eight digits. */
function parseCompactAt(buf: Uint8Array, i: number, end: number): number {
  if (end - i !== 8 || !readDigits(buf, i, end, 8, 8)) return NaN;
  const v = digitsValue;
  return civilDay(Math.floor(v / 10000), Math.floor(v / 100) % 100, v % 100);
}

/**
 * An Excel serial date (1900 date system): an integer from 1 to `maxDigits` digits, optionally with a
 * fractional time of day (`45000.5` or `45000,5`, ignored). Serial 1 is 1900-01-01. Excel counts a
 * 29 February 1900 that never was (serial 60, kept for Lotus 1-2-3 compatibility); it is rejected,
 * serials below it are shifted by one day, and from 61 on the serial is days since 1899-12-30.
 */
function parseSerialAt(buf: Uint8Array, i: number, end: number, maxDigits: number): number {
  if (!readDigits(buf, i, end, 1, maxDigits)) return NaN;
  const serial = digitsValue;
  if (digitsEnd !== end) {
    const b = buf[digitsEnd];
    if ((b !== DOT && b !== COMMA) || !readDigits(buf, digitsEnd + 1, end, 1, 17) || digitsEnd !== end) return NaN;
  }
  return excelSerialToDay(serial);
}

/** Day number of a whole Excel serial (1900 date system); NaN for 0, 60 and beyond 9999-12-31. */
export function excelSerialToDay(serial: number): number {
  if (!Number.isInteger(serial) || serial < 1 || serial === 60 || serial > EXCEL_MAX_SERIAL) return NaN;
  return serial < 60 ? EXCEL_EPOCH + 1 + serial : EXCEL_EPOCH + serial;
}

/**
 * A date as a day number; NaN when empty, unreadable or impossible (31.04.2023, 29.02.2023).
 *
 * With `format` null the shape decides: `YYYY-MM-DD`, `DD.MM.YYYY`, `DD/MM/YYYY` (day and month may
 * have one digit; the separated forms may carry a time of day, which is ignored), `YYYYMMDD` (exactly
 * eight digits) and Excel serial numbers (one to five digits, 1900-01-01 to 2173-10-13, optionally
 * with a fraction for the time of day). A forced `format` accepts that shape only; forced
 * `excel-serial` also takes six- and seven-digit serials up to 2958465 (9999-12-31).
 */
export function parseDate(buf: Uint8Array, start: number, end: number, format: DateFormat | null): number {
  if (end - start === 10 && (format === null || format === 'YYYY-MM-DD') && buf[start + 4] === MINUS && buf[start + 7] === MINUS) {
    return parseIsoFast(buf, start);
  }
  let i = start;
  let j = end;
  for (;;) {
    if (i >= j) return NaN;
    const blank = blankAt(buf, i, j);
    if (blank === 0) break;
    i += blank;
  }
  for (;;) {
    const blank = blankBefore(buf, i, j);
    if (blank === 0) break;
    j -= blank;
  }
  switch (format) {
    case 'YYYY-MM-DD':
      return parseIsoAt(buf, i, j);
    case 'DD.MM.YYYY':
      return parseDayFirstAt(buf, i, j, DOT);
    case 'DD/MM/YYYY':
      return parseDayFirstAt(buf, i, j, SLASH);
    case 'YYYYMMDD':
      return parseCompactAt(buf, i, j);
    case 'excel-serial':
      return parseSerialAt(buf, i, j, 7);
    case null:
      break;
  }
  // The run of leading digits and the byte after it tell the shapes apart.
  let k = i;
  while (k < j && buf[k]! >= DIGIT_0 && buf[k]! <= DIGIT_9) k += 1;
  const digits = k - i;
  if (k === j) {
    if (digits === 8) return parseCompactAt(buf, i, j);
    return digits <= 5 ? parseSerialAt(buf, i, j, 5) : NaN;
  }
  const b = buf[k];
  if (b === MINUS) return digits === 4 ? parseIsoAt(buf, i, j) : NaN;
  if (digits <= 2) {
    if (b === DOT) return parseDayFirstAt(buf, i, j, DOT);
    if (b === SLASH) return parseDayFirstAt(buf, i, j, SLASH);
    return NaN;
  }
  if (digits <= 5 && (b === DOT || b === COMMA)) return parseSerialAt(buf, i, j, 5);
  return NaN;
}

// The text variants encode into one reusable buffer and run the byte parsers, so that a value means
// the same whether it came from a CSV file or an XLSX text cell.
const encoder = new TextEncoder();
let scratch = new Uint8Array(256);

function encodeScratch(text: string): number {
  // UTF-8 needs at most three bytes per UTF-16 code unit.
  if (text.length * 3 > scratch.length) scratch = new Uint8Array(text.length * 3);
  return encoder.encodeInto(text, scratch).written;
}

export function parseMoneyText(text: string, decimal: DecimalSeparator): number {
  return parseMoney(scratch, 0, encodeScratch(text), decimal);
}

export function parseQuantityText(text: string, decimal: DecimalSeparator): number {
  return parseQuantity(scratch, 0, encodeScratch(text), decimal);
}

export function parseDateText(text: string, format: DateFormat | null): number {
  return parseDate(scratch, 0, encodeScratch(text), format);
}

/** True when the range holds nothing but blanks: an empty cell (an empty cost cell is zero cost). */
export function isBlank(buf: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    const blank = blankAt(buf, i, end);
    if (blank === 0) return false;
    i += blank;
  }
  return true;
}

/**
 * The decimal separator of a column of numbers, from samples of their text.
 *
 * A sample votes when it tells: with both `,` and `.` the last one is the decimal separator; a mark
 * that occurs twice, or after a space used for grouping, is a group separator, so the other is the
 * decimal one; a single mark followed by other than three digits, or after a zero or more than three
 * digits, is the decimal separator. A single mark between one to three digits and exactly three
 * (`1,234`) could be either and does not vote. Integers do not vote.
 *
 * `'.'` when no sample votes and none is ambiguous (all integers: the separator does not matter);
 * the side with the votes when at most 5% of the votes go the other way (those few values then fail to
 * parse and are reported as bad lines); `'ambiguous'` otherwise.
 */
export function detectDecimal(samples: string[]): DecimalSeparator | 'ambiguous' {
  let commaVotes = 0;
  let dotVotes = 0;
  let ambiguous = 0;
  for (const sample of samples) {
    const vote = voteDecimal(sample);
    if (vote === ',') commaVotes += 1;
    else if (vote === '.') dotVotes += 1;
    else if (vote === 'ambiguous') ambiguous += 1;
  }
  if (commaVotes === 0 && dotVotes === 0) return ambiguous > 0 ? 'ambiguous' : '.';
  const total = commaVotes + dotVotes;
  if (dotVotes * 20 <= total) return ',';
  if (commaVotes * 20 <= total) return '.';
  return 'ambiguous';
}

function isDigitCode(c: number): boolean {
  return c >= DIGIT_0 && c <= DIGIT_9;
}

function voteDecimal(sample: string): DecimalSeparator | 'ambiguous' | null {
  let commas = 0;
  let dots = 0;
  let lastComma = -1;
  let lastDot = -1;
  let spaceGrouped = false;
  for (let k = 0; k < sample.length; k++) {
    const c = sample.charCodeAt(k);
    if (c === COMMA) {
      commas += 1;
      lastComma = k;
    } else if (c === DOT) {
      dots += 1;
      lastDot = k;
    } else if ((c === SPACE || c === 0xa0 || c === 0x202f) && k > 0 && k + 1 < sample.length &&
      isDigitCode(sample.charCodeAt(k - 1)) && isDigitCode(sample.charCodeAt(k + 1))) {
      spaceGrouped = true;
    }
  }
  if (commas === 0 && dots === 0) return null;
  if (commas > 0 && dots > 0) return lastComma > lastDot ? ',' : '.';
  const mark: DecimalSeparator = commas > 0 ? ',' : '.';
  const other: DecimalSeparator = commas > 0 ? '.' : ',';
  if (commas + dots > 1) return other;
  if (spaceGrouped) return mark;
  const at = commas > 0 ? lastComma : lastDot;
  let after = 0;
  while (at + 1 + after < sample.length && isDigitCode(sample.charCodeAt(at + 1 + after))) after += 1;
  let before = 0;
  while (at - 1 - before >= 0 && isDigitCode(sample.charCodeAt(at - 1 - before))) before += 1;
  if (after !== 3) return mark;
  if (before === 0 || before > 3 || sample.charCodeAt(at - before) === DIGIT_0) return mark;
  return 'ambiguous';
}
