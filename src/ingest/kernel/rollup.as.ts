// The rollup kernel: AssemblyScript, compiled to rollup.wasm by `npm run build:kernel` (see
// docs/adr/0003-rollup-kernel-in-webassembly.md for why it exists). It folds plain ledger lines,
// already in its memory, into per-(client, day) records, exactly as csv-tokenizer.ts, LineChecker and
// ClientDayTable do for the same lines; any line it cannot judge in the same way it hands back to
// them (rollup-kernel.ts drives both). Dates and the rare amounts outside the common form are parsed
// by the JavaScript functions themselves, imported, so there is one definition of every value.
//
// Memory, laid out by `init` and grown by the kernel alone:
//   [0, bufferBytes)           the read buffer (the reader writes file bytes here)
//   then OUT                   one page of output records (PAGE_RECORDS x 32 bytes)
//   then the roles             the rollup's use of each column (one byte per column)
//   then the date cache        the last good date's bytes
//   then the bounds            the current line's fields, a pair of u32 per role
//   then the heap              the client table and the arena of long client codes, each moved
//                              to the top of the heap when it grows
//
// An output record is written once and never changed: revenue f64 @0, margin f64 @8, client i32 @16,
// day i32 @20, lines u32 @24, purchase lines u32 @28 (ClientDayTable's record). A client slot (64 bytes,
// one cache line) holds the client's open record, the one of the latest day it was seen on; a later
// day writes it out and opens the next. A line whose day is before its client's open day goes back to
// the JavaScript table, which keeps a hash of records for files not in date order.

@external("env", "parseDate")
declare function jsParseDate(start: usize, end: usize): f64;
@external("env", "parseMoney")
declare function jsParseMoney(start: usize, end: usize): f64;

export const PAGE_RECORDS: u32 = 65536;
export const RECORD_BYTES: u32 = 32;
const SLOT_BYTES: u32 = 64;
const INLINE_BYTES: u32 = 24;
const MAX_COLUMNS: u32 = 256;
const DATE_CACHE_BYTES: u32 = 32;
/** A pair of u32 bounds per role, NAME the highest. */
const BOUNDS_BYTES: u32 = 8 * 8;

// Slot fields (byte offsets).
const S_ID: u32 = 0; // client index + 1; 0 for a free slot
const S_HASH: u32 = 4;
const S_LENGTH_NAME: u32 = 8; // code length * 2, plus 1 once a name has gone to the JavaScript table
const S_DAY: u32 = 12; // the open record's day
const S_REVENUE: u32 = 16;
const S_MARGIN: u32 = 24;
const S_LINES: u32 = 32; // 0: no open record
const S_PURCHASES: u32 = 36;
const S_BYTES: u32 = 40; // the code's bytes, or its offset in the arena when longer than INLINE_BYTES

// Column roles, as rollup-kernel.ts writes them.
const DATE: u8 = 1;
const CLIENT: u8 = 2;
const REVENUE: u8 = 3;
const COST: u8 = 4;
const MARGIN: u8 = 5;
const NAME: u8 = 6;

// What `run` stopped at.
export const STOP_LIMIT: i32 = 0; // no whole line left before the limit
export const STOP_DECLINED: i32 = 1; // the line at `position` is for the JavaScript path
export const STOP_OUTPUT_FULL: i32 = 2; // the output page is full: copy it out, then `resetOutput`

const LF: u8 = 0x0a;
const CR: u8 = 0x0d;
const TAB: u8 = 0x09;
const SPACE: u8 = 0x20;
const QUOTE: u8 = 0x22;
const MINUS: u8 = 0x2d;
const DIGIT_0: u8 = 0x30;

let outPtr: usize = 0;
let rolesPtr: usize = 0;
let datePtr: usize = 0;
let boundsPtr: usize = 0;
let heapTop: usize = 0;
let slotsPtr: usize = 0;
let slotCount: u32 = 0;
let arenaPtr: usize = 0;
let arenaSize: u32 = 0;
let arenaUsed: u32 = 0;

let delimiter: u8 = 0x2c;
let plainAbove: u8 = QUOTE;
let decimalByte: u8 = 0x2e;
let needed: u32 = 0;
let hasCost = false;
let hasMarginColumn = false;
let hasName = false;

let clients: u32 = 0;
let lastSlot: usize = 0;
let dateLength: i32 = -1;
let cachedDay: i32 = 0;

/** Where `run` stopped: the start of the first line it did not take. */
export let position: usize = 0;
/** Lines taken by the last `run`. */
export let linesTaken: u32 = 0;
/** Output records in the page. */
export let outCount: u32 = 0;

/** Lays out the memory; returns the address of the roles (the caller writes one byte per column). */
export function init(bufferBytes: u32, delimiterByte: u8, decimal: u8, columns: u32, cost: bool, margin: bool, name: bool): usize {
  outPtr = align(<usize>bufferBytes);
  rolesPtr = outPtr + <usize>(PAGE_RECORDS * RECORD_BYTES);
  datePtr = rolesPtr + <usize>MAX_COLUMNS;
  boundsPtr = datePtr + <usize>DATE_CACHE_BYTES;
  heapTop = align(boundsPtr + <usize>BOUNDS_BYTES);
  delimiter = delimiterByte;
  plainAbove = delimiterByte > QUOTE ? delimiterByte : QUOTE;
  decimalByte = decimal;
  needed = columns;
  hasCost = cost;
  hasMarginColumn = margin;
  hasName = name;
  slotCount = 4096;
  slotsPtr = allocate(<usize>slotCount * SLOT_BYTES);
  arenaSize = 4096;
  arenaPtr = allocate(<usize>arenaSize);
  return rolesPtr;
}

export function outputAddress(): usize {
  return outPtr;
}

export function slotsAddress(): usize {
  return slotsPtr;
}

export function slotTotal(): u32 {
  return slotCount;
}

export function arenaAddress(): usize {
  return arenaPtr;
}

export function clientTotal(): u32 {
  return clients;
}

export function resetOutput(): void {
  outCount = 0;
}

function align(at: usize): usize {
  return (at + 63) & ~(<usize>63);
}

/** Zeroed memory at the top of the heap, growing the memory when needed. */
function allocate(bytes: usize): usize {
  const at = heapTop;
  const end = align(at + bytes);
  const have = (<usize>memory.size()) << 16;
  if (end > have) {
    if (memory.grow(<i32>((end - have + 0xffff) >> 16)) < 0) unreachable();
  }
  memory.fill(at, 0, end - at);
  heapTop = end;
  return at;
}

/**
 * Takes whole lines from `start` up to `limit`; stops before the first line it cannot take, at the
 * limit, or when the output page is full. `position` and `linesTaken` say how far it went.
 */
export function run(start: usize, limit: usize): i32 {
  let p = start;
  let taken: u32 = 0;
  let stop = STOP_LIMIT;
  const roles = rolesPtr;
  while (p < limit) {
    const lineStart = p;
    let column: u32 = 0;
    let fieldStart = p;
    let complete = false;
    let quoted = false;
    while (p < limit) {
      const c = load<u8>(p);
      if (c > plainAbove) {
        p++;
        continue;
      }
      if (c == delimiter || c == LF) {
        let fieldEnd = p;
        // As the tokenizer does: a carriage return before the line feed is not part of the last field.
        if (c == LF && fieldEnd > fieldStart && load<u8>(fieldEnd - 1) == CR) fieldEnd--;
        if (column < needed) {
          // Each role has its pair of bounds (role 0, a column the rollup does not use, too), so a
          // field is stored without a branch on its role.
          const at = boundsPtr + (<usize>load<u8>(roles + <usize>column) << 3);
          store<u32>(at, <u32>fieldStart);
          store<u32>(at + 4, <u32>fieldEnd);
        }
        column++;
        p++;
        if (c == LF) {
          complete = true;
          break;
        }
        fieldStart = p;
        continue;
      }
      if (c == QUOTE) {
        quoted = true;
        break;
      }
      p++;
    }
    if (!complete && !quoted) {
      // The line runs past the limit: the reader refills its buffer first.
      p = lineStart;
      break;
    }
    if (quoted || column < needed) {
      p = lineStart;
      stop = STOP_DECLINED;
      break;
    }
    const dateStart = <usize>load<u32>(boundsPtr + (<usize>DATE << 3));
    const dateEnd = <usize>load<u32>(boundsPtr + (<usize>DATE << 3) + 4);
    let clientStart = <usize>load<u32>(boundsPtr + (<usize>CLIENT << 3));
    let clientEnd = <usize>load<u32>(boundsPtr + (<usize>CLIENT << 3) + 4);
    const revenueStart = <usize>load<u32>(boundsPtr + (<usize>REVENUE << 3));
    const revenueEnd = <usize>load<u32>(boundsPtr + (<usize>REVENUE << 3) + 4);

    const day = dayOf(dateStart, dateEnd);
    if (day == i32.MIN_VALUE) { p = lineStart; stop = STOP_DECLINED; break; }
    while (clientStart < clientEnd && isTrimmed(load<u8>(clientStart))) clientStart++;
    while (clientEnd > clientStart && isTrimmed(load<u8>(clientEnd - 1))) clientEnd--;
    if (clientStart == clientEnd) { p = lineStart; stop = STOP_DECLINED; break; }
    const revenue = money(revenueStart, revenueEnd);
    if (isNaN(revenue)) { p = lineStart; stop = STOP_DECLINED; break; }
    let cost: f64 = 0;
    if (hasCost) {
      // An empty cost cell (zero cost) is left to the JavaScript path, which knows blanks.
      cost = money(<usize>load<u32>(boundsPtr + (<usize>COST << 3)), <usize>load<u32>(boundsPtr + (<usize>COST << 3) + 4));
      if (isNaN(cost)) { p = lineStart; stop = STOP_DECLINED; break; }
    }
    let margin = revenue - cost;
    if (hasMarginColumn) {
      margin = money(<usize>load<u32>(boundsPtr + (<usize>MARGIN << 3)), <usize>load<u32>(boundsPtr + (<usize>MARGIN << 3) + 4));
      if (isNaN(margin)) { p = lineStart; stop = STOP_DECLINED; break; }
    }
    let named = false;
    if (hasName) {
      let nameStart = <usize>load<u32>(boundsPtr + (<usize>NAME << 3));
      let nameEnd = <usize>load<u32>(boundsPtr + (<usize>NAME << 3) + 4);
      while (nameStart < nameEnd && isTrimmed(load<u8>(nameStart))) nameStart++;
      while (nameEnd > nameStart && isTrimmed(load<u8>(nameEnd - 1))) nameEnd--;
      named = nameEnd > nameStart;
    }

    const slot = intern(clientStart, clientEnd);
    const lengthName = load<u32>(slot + S_LENGTH_NAME);
    if (named && (lengthName & 1) == 0) {
      // The client's first name is for the JavaScript table, which keeps names; the kernel keeps none,
      // and leaves the client's later names alone.
      store<u32>(slot + S_LENGTH_NAME, lengthName | 1);
      p = lineStart;
      stop = STOP_DECLINED;
      break;
    }
    const open = load<u32>(slot + S_LINES);
    if (open != 0 && load<i32>(slot + S_DAY) != day) {
      if (day < load<i32>(slot + S_DAY)) { p = lineStart; stop = STOP_DECLINED; break; }
      if (outCount == PAGE_RECORDS) { p = lineStart; stop = STOP_OUTPUT_FULL; break; }
      writeOut(slot);
      store<u32>(slot + S_LINES, 0);
    }
    if (load<u32>(slot + S_LINES) == 0) {
      store<i32>(slot + S_DAY, day);
      store<f64>(slot + S_REVENUE, revenue);
      store<f64>(slot + S_MARGIN, margin);
      store<u32>(slot + S_LINES, 1);
      store<u32>(slot + S_PURCHASES, revenue >= 0 ? 1 : 0);
    } else {
      store<f64>(slot + S_REVENUE, load<f64>(slot + S_REVENUE) + revenue);
      store<f64>(slot + S_MARGIN, load<f64>(slot + S_MARGIN) + margin);
      store<u32>(slot + S_LINES, load<u32>(slot + S_LINES) + 1);
      if (revenue >= 0) store<u32>(slot + S_PURCHASES, load<u32>(slot + S_PURCHASES) + 1);
    }
    taken++;
  }
  position = p;
  linesTaken = taken;
  return stop;
}

/**
 * Writes out the open records of the slots from `from` on; returns the slot to go on from when the
 * output page fills (the caller copies it out and calls again), or the slot count when done.
 */
export function flush(from: u32): u32 {
  for (let i = from; i < slotCount; i++) {
    const slot = slotsPtr + <usize>i * SLOT_BYTES;
    if (load<u32>(slot + S_ID) == 0 || load<u32>(slot + S_LINES) == 0) continue;
    if (outCount == PAGE_RECORDS) return i;
    writeOut(slot);
    store<u32>(slot + S_LINES, 0);
  }
  return slotCount;
}

function writeOut(slot: usize): void {
  const r = outPtr + <usize>outCount * RECORD_BYTES;
  store<f64>(r, load<f64>(slot + S_REVENUE));
  store<f64>(r + 8, load<f64>(slot + S_MARGIN));
  store<u32>(r + 16, load<u32>(slot + S_ID) - 1);
  store<i32>(r + 20, load<i32>(slot + S_DAY));
  store<u32>(r + 24, load<u32>(slot + S_LINES));
  store<u32>(r + 28, load<u32>(slot + S_PURCHASES));
  outCount++;
}

@inline
function isTrimmed(c: u8): bool {
  return c == SPACE || c == TAB || c == CR;
}

/** The day of a date cell, through a cache of the last good date; i32.MIN_VALUE when not a date. */
@inline
function dayOf(start: usize, end: usize): i32 {
  const length = <i32>(end - start);
  if (length == dateLength) {
    let i: i32 = 0;
    while (i < length && load<u8>(datePtr + <usize>i) == load<u8>(start + <usize>i)) i++;
    if (i == length) return cachedDay;
  }
  const day = jsParseDate(start, end);
  if (isNaN(day)) return i32.MIN_VALUE;
  if (<u32>length <= DATE_CACHE_BYTES) {
    memory.copy(datePtr, start, <usize>length);
    dateLength = length;
    cachedDay = <i32>day;
  }
  return <i32>day;
}

/**
 * An amount in minor units: the common form (values.ts parseMoney's first branch: an optional minus,
 * 1 to 13 digits, and none, one or two decimals after the layout's separator) here, anything else by
 * parseMoney itself. NaN when unreadable or blank.
 */
@inline
function money(start: usize, end: usize): f64 {
  let i = start;
  const negative = i < end && load<u8>(i) == MINUS;
  if (negative) i++;
  let value: f64 = 0;
  let k = i;
  while (k < end) {
    const digit = <u32>load<u8>(k) - <u32>DIGIT_0;
    if (digit > 9) break;
    value = value * 10 + <f64>digit;
    k++;
  }
  const intDigits = k - i;
  if (intDigits > 0 && intDigits <= 13) {
    let minor: f64 = -1;
    if (k == end) {
      minor = value * 100;
    } else if (load<u8>(k) == decimalByte) {
      const left = end - k;
      if (left == 2) {
        const d1 = <u32>load<u8>(k + 1) - <u32>DIGIT_0;
        if (d1 <= 9) minor = value * 100 + <f64>(d1 * 10);
      } else if (left == 3) {
        const d1 = <u32>load<u8>(k + 1) - <u32>DIGIT_0;
        const d2 = <u32>load<u8>(k + 2) - <u32>DIGIT_0;
        if (d1 <= 9 && d2 <= 9) minor = value * 100 + <f64>(d1 * 10) + <f64>d2;
      }
    }
    if (minor >= 0) return negative && minor != 0 ? -minor : minor;
  }
  return jsParseMoney(start, end);
}

function hashBytes(start: usize, end: usize): u32 {
  // The same mixing as ClientDayTable's (four bytes at a time, then an avalanche), though nothing
  // depends on the two agreeing.
  let h: u32 = <u32>(end - start) * 0x9e3779b1;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    h = (h ^ load<u32>(i)) * 0x5bd1e995;
    h ^= h >> 15;
  }
  for (; i < end; i++) h = (h ^ <u32>load<u8>(i)) * 0x01000193;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

@inline
function holds(slot: usize, start: usize, end: usize): bool {
  const length = <u32>(end - start);
  if (load<u32>(slot + S_LENGTH_NAME) >> 1 != length) return false;
  const bytes = length > INLINE_BYTES ? arenaPtr + <usize>load<u32>(slot + S_BYTES) : slot + S_BYTES;
  return memory.compare(bytes, start, <usize>length) == 0;
}

/** The slot of the client code `[start, end)`, a new client's when it is not there yet. */
function intern(start: usize, end: usize): usize {
  const last = lastSlot;
  if (last != 0 && holds(last, start, end)) return last;
  const h = hashBytes(start, end);
  const mask = slotCount - 1;
  let index = h & mask;
  while (true) {
    const slot = slotsPtr + <usize>index * SLOT_BYTES;
    if (load<u32>(slot + S_ID) == 0) {
      const added = addClient(slot, h, start, end);
      lastSlot = added;
      return added;
    }
    if (load<u32>(slot + S_HASH) == h && holds(slot, start, end)) {
      lastSlot = slot;
      return slot;
    }
    index = (index + 1) & mask;
  }
}

function addClient(slot: usize, h: u32, start: usize, end: usize): usize {
  const length = <u32>(end - start);
  clients++;
  store<u32>(slot + S_ID, clients);
  store<u32>(slot + S_HASH, h);
  store<u32>(slot + S_LENGTH_NAME, length * 2);
  store<u32>(slot + S_LINES, 0);
  if (length > INLINE_BYTES) {
    if (arenaUsed + length > arenaSize) {
      let size = arenaSize * 2;
      while (size < arenaUsed + length) size *= 2;
      const bigger = allocate(<usize>size);
      memory.copy(bigger, arenaPtr, <usize>arenaUsed);
      arenaPtr = bigger;
      arenaSize = size;
    }
    memory.copy(arenaPtr + <usize>arenaUsed, start, <usize>length);
    store<u32>(slot + S_BYTES, arenaUsed);
    arenaUsed += length;
  } else {
    memory.copy(slot + S_BYTES, start, <usize>length);
  }
  // At most four fifths full, so that probes stay short.
  if (clients * 5 > slotCount * 4) return grow(slot);
  return slot;
}

/** Doubles the client table; returns where the slot `keep` went. */
function grow(keep: usize): usize {
  const oldPtr = slotsPtr;
  const oldCount = slotCount;
  slotCount = oldCount * 2;
  slotsPtr = allocate(<usize>slotCount * SLOT_BYTES);
  const mask = slotCount - 1;
  let moved: usize = 0;
  for (let i: u32 = 0; i < oldCount; i++) {
    const from = oldPtr + <usize>i * SLOT_BYTES;
    if (load<u32>(from + S_ID) == 0) continue;
    let index = load<u32>(from + S_HASH) & mask;
    while (load<u32>(slotsPtr + <usize>index * SLOT_BYTES + S_ID) != 0) index = (index + 1) & mask;
    const to = slotsPtr + <usize>index * SLOT_BYTES;
    memory.copy(to, from, <usize>SLOT_BYTES);
    if (from == keep) moved = to;
  }
  lastSlot = 0;
  return moved;
}
