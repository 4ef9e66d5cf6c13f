/**
 * The fast path's rollup: ledger lines folded into per-(client, day) totals as they are read, with no
 * object and no string per line. Client codes are interned by their bytes in an open-addressing hash
 * whose 32-byte slots also hold what a line needs about its client (a string is decoded only for a
 * client not seen before); the (client, day) totals live in pages of 32-byte records, each record in
 * one cache line. While every client's days come in ascending order (a ledger sorted by date) a
 * client's only open record is its last one, so no hash of records is kept; the first day that goes
 * back builds one.
 *
 * A reader (one per thread) fills one table and exports it as a `ClientDayPart` whose pages are plain
 * ArrayBuffers, transferred to the main thread without copying; `buildDailyLedger` merges the parts
 * into the DailyLedger, with clients in code-point order and days ascending per client, exactly as
 * DailyLedgerBuilder builds it from the same lines, and `releasePages` frees the pages.
 *
 * Memory: 32 bytes per (client, day) record (plus up to 12 bytes of record hash once days go back),
 * about 45 bytes of hash slots and a string per client; it grows with clients and their days, never
 * with lines. The merge holds the pages and the DailyLedger (28 bytes per entry) at once.
 */
import { compareCodePoints } from '../core/code-point-order.ts';
import type { DailyLedger } from '../core/types.ts';
import { MessageChannel } from 'node:worker_threads';
import type { TextDecodeFn } from './encoding.ts';

/** Records per page (2^16), so a page is 2 MiB and a record's page and slot are found by shifting. */
const PAGE_BITS = 16;
export const PAGE_SIZE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SIZE - 1;
/**
 * A client slot of the interning hash: 8 Int32 (32 bytes, half a cache line) holding everything a
 * line needs about its client, so that a line whose client differs from the previous line's touches
 * one cache line for it: the client's index + 1 (0: free slot), the hash of its code, its code's length
 * times 2 plus 1 when it has a name, the last day it was seen on and that day's record, and the code's
 * bytes (up to INLINE_BYTES; a longer code lives in the arena, at the offset kept in the first of them).
 */
const SLOT_INTS = 8;
const S_ID = 0;
const S_HASH = 1;
const S_LENGTH_NAME = 2;
const S_LAST_DAY = 3;
const S_LAST_RECORD = 4;
const S_BYTES = 5;
const INLINE_BYTES = (SLOT_INTS - S_BYTES) * 4;
/** A record: revenue (f64 at 0), margin (f64 at 8), client (i32 at 16), day (i32 at 20), lines (u32 at 24), purchase lines (u32 at 28). */
export const RECORD_BYTES = 32;

/** A table's content, ready to be posted to another thread (`pages` go in the transfer list). */
export type ClientDayPart = {
  clients: string[];
  /** Per client, the first non-empty name in the part's line order, or null. */
  names: (string | null)[];
  /** The clients' indices in code-point order of their codes (sorted where the part was read, in parallel). */
  order: Int32Array;
  /** Whether some code holds a character that makes UTF-16 order differ from code-point order. */
  needsCodePointCompare: boolean;
  /** Number of (client, day) records. */
  records: number;
  pages: ArrayBuffer[];
};

export class ClientDayTable {
  private readonly hasMargin: boolean;
  private readonly decode: TextDecodeFn;

  // Clients, interned by their bytes in an open-addressing hash of client slots (see SLOT_INTS), kept
  // at most three quarters full.
  private readonly clients: string[] = [];
  private readonly names: (string | null)[] = [];
  private slotI32 = new Int32Array(4096 * SLOT_INTS);
  private slotU8 = new Uint8Array(this.slotI32.buffer);
  private slotMask = 4095;
  private arena = new Uint8Array(1 << 12);
  private arenaUsed = 0;
  /** The slot (in Int32 units) of the previous line's client: a document's lines follow each other. */
  private lastSlot = -1;
  // (client, day) records.
  private f64Pages: Float64Array[] = [];
  private i32Pages: Int32Array[] = [];
  private records = 0;
  /**
   * While every client's days have come in ascending order (a ledger sorted by date, or by client and
   * date, as ERPs export it), a client's record for a day can only be its last one, so no hash is
   * needed: `slots` stays null. The first day that goes back builds the hash from all records.
   */
  private slots: Int32Array | null = null;

  constructor(hasMargin: boolean, decode: TextDecodeFn) {
    this.hasMargin = hasMargin;
    this.decode = decode;
  }

  get size(): number {
    return this.records;
  }

  get clientCount(): number {
    return this.clients.length;
  }

  /**
   * Folds one good line in: the client code is `buf[clientStart, clientEnd)`, its name (empty range
   * for none) `buf[nameStart, nameEnd)`, money in minor units.
   */
  add(
    buf: Uint8Array,
    clientStart: number,
    clientEnd: number,
    nameStart: number,
    nameEnd: number,
    day: number,
    revenue: number,
    margin: number,
  ): void {
    let slot = this.lastSlot;
    if (slot < 0 || !this.slotHolds(slot, buf, clientStart, clientEnd)) {
      slot = this.internClient(buf, clientStart, clientEnd);
      this.lastSlot = slot;
    }
    const data = this.slotI32;
    const client = (data[slot + S_ID] as number) - 1;
    if (nameEnd > nameStart && ((data[slot + S_LENGTH_NAME] as number) & 1) === 0) {
      this.names[client] = this.decode(buf, nameStart, nameEnd);
      data[slot + S_LENGTH_NAME] = (data[slot + S_LENGTH_NAME] as number) | 1;
    }
    let record = data[slot + S_LAST_RECORD] as number;
    if (record < 0 || data[slot + S_LAST_DAY] !== day) {
      if (this.slots === null && record >= 0 && day < (data[slot + S_LAST_DAY] as number)) this.buildSlots();
      record = this.slots === null ? this.newRecord(client, day) : this.findRecord(client, day);
      data[slot + S_LAST_DAY] = day;
      data[slot + S_LAST_RECORD] = record;
    }
    const page = record >>> PAGE_BITS;
    const at = record & PAGE_MASK;
    const f64 = this.f64Pages[page] as Float64Array;
    const i32 = this.i32Pages[page] as Int32Array;
    f64[at * 4] = (f64[at * 4] as number) + revenue;
    if (this.hasMargin) f64[at * 4 + 1] = (f64[at * 4 + 1] as number) + margin;
    i32[at * 8 + 6] = (i32[at * 8 + 6] as number) + 1;
    if (revenue >= 0) i32[at * 8 + 7] = (i32[at * 8 + 7] as number) + 1;
  }

  /** The table's content; the table must not be used afterwards (its pages may be transferred). */
  export(): ClientDayPart {
    const pages = this.f64Pages.map((page) => page.buffer as ArrayBuffer);
    this.f64Pages = [];
    this.i32Pages = [];
    return makePart(this.clients, this.names, this.records, pages);
  }

  /** Whether the client slot at `slot` (in Int32 units) holds the code `buf[start, end)`. */
  private slotHolds(slot: number, buf: Uint8Array, start: number, end: number): boolean {
    const length = end - start;
    if ((this.slotI32[slot + S_LENGTH_NAME] as number) >> 1 !== length) return false;
    let bytes: Uint8Array = this.slotU8;
    let at = (slot + S_BYTES) * 4;
    if (length > INLINE_BYTES) {
      bytes = this.arena;
      at = this.slotI32[slot + S_BYTES] as number;
    }
    for (let i = start; i < end; i++, at++) if (bytes[at] !== buf[i]) return false;
    return true;
  }

  /** The client slot of the code `buf[start, end)`, a new client's when it is not there yet. */
  private internClient(buf: Uint8Array, start: number, end: number): number {
    // Four bytes at a time (murmur-style mixing), then a final avalanche for the low bits.
    let h = Math.imul(end - start, 0x9e3779b1);
    let i = start;
    for (; i + 4 <= end; i += 4) {
      const word = (buf[i] as number) | ((buf[i + 1] as number) << 8) | ((buf[i + 2] as number) << 16) | ((buf[i + 3] as number) << 24);
      h = Math.imul(h ^ word, 0x5bd1e995);
      h ^= h >>> 15;
    }
    for (; i < end; i++) h = Math.imul(h ^ (buf[i] as number), 0x01000193);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    const data = this.slotI32;
    const mask = this.slotMask;
    let index = h & mask;
    for (;;) {
      const slot = index * SLOT_INTS;
      if (data[slot + S_ID] === 0) return this.addClient(buf, start, end, h, slot);
      if (data[slot + S_HASH] === h && this.slotHolds(slot, buf, start, end)) return slot;
      index = (index + 1) & mask;
    }
  }

  private addClient(buf: Uint8Array, start: number, end: number, hash: number, slot: number): number {
    const id = this.clients.length;
    const length = end - start;
    const data = this.slotI32;
    data[slot + S_ID] = id + 1;
    data[slot + S_HASH] = hash;
    data[slot + S_LENGTH_NAME] = length * 2;
    data[slot + S_LAST_RECORD] = -1;
    if (length > INLINE_BYTES) {
      if (this.arenaUsed + length > this.arena.length) {
        const bigger = new Uint8Array(Math.max(this.arena.length * 2, this.arenaUsed + length));
        bigger.set(this.arena.subarray(0, this.arenaUsed));
        this.arena = bigger;
      }
      this.arena.set(buf.subarray(start, end), this.arenaUsed);
      data[slot + S_BYTES] = this.arenaUsed;
      this.arenaUsed += length;
    } else {
      this.slotU8.set(buf.subarray(start, end), (slot + S_BYTES) * 4);
    }
    this.clients.push(this.decode(buf, start, end));
    this.names.push(null);
    if ((id + 1) * 4 > (this.slotMask + 1) * 3) return this.growClientSlots(slot);
    return slot;
  }

  /** Doubles the client hash; returns where the slot `keep` went. */
  private growClientSlots(keep: number): number {
    const old = this.slotI32;
    const size = (this.slotMask + 1) * 2;
    const data = new Int32Array(size * SLOT_INTS);
    const mask = size - 1;
    let moved = -1;
    for (let from = 0; from < old.length; from += SLOT_INTS) {
      if (old[from] === 0) continue;
      let index = (old[from + S_HASH] as number) & mask;
      while (data[index * SLOT_INTS] !== 0) index = (index + 1) & mask;
      // A slot is copied int by int: a subarray per slot for `set` cost more than the copy itself
      // (interning 100k new clients in a fresh process, which grows the table six times, took 104 ms
      // instead of 123 ms; each reading thread of the 10M-line benchmark does that work).
      const to = index * SLOT_INTS;
      for (let k = 0; k < SLOT_INTS; k++) data[to + k] = old[from + k] as number;
      if (from === keep) moved = to;
    }
    this.slotI32 = data;
    this.slotU8 = new Uint8Array(data.buffer);
    this.slotMask = mask;
    // The previous line's slot moved too; it is found again by its code.
    this.lastSlot = -1;
    return moved;
  }

  /** Appends a new record for (client, day); the caller knows there is none yet. */
  private newRecord(client: number, day: number): number {
    const record = this.records++;
    const page = record >>> PAGE_BITS;
    if (page === this.i32Pages.length) {
      const buffer = new ArrayBuffer(PAGE_SIZE * RECORD_BYTES);
      this.f64Pages.push(new Float64Array(buffer));
      this.i32Pages.push(new Int32Array(buffer));
    }
    const i32 = this.i32Pages[page] as Int32Array;
    const at = (record & PAGE_MASK) * 8;
    i32[at + 4] = client;
    i32[at + 5] = day;
    return record;
  }

  /** The record of (client, day) through the hash, created when missing. */
  private findRecord(client: number, day: number): number {
    const slots = this.slots as Int32Array;
    const mask = slots.length - 1;
    let slot = recordHash(client, day) & mask;
    for (;;) {
      const record = (slots[slot] as number) - 1;
      if (record < 0) break;
      const i32 = this.i32Pages[record >>> PAGE_BITS] as Int32Array;
      const at = (record & PAGE_MASK) * 8;
      if (i32[at + 4] === client && i32[at + 5] === day) return record;
      slot = (slot + 1) & mask;
    }
    const record = this.newRecord(client, day);
    slots[slot] = record + 1;
    // Kept at most 70% full, so that probes stay short.
    if (this.records * 10 > slots.length * 7) this.buildSlots();
    return record;
  }

  /** (Re)builds the hash of all records, at most 35% full. */
  private buildSlots(): void {
    let size = 1 << 12;
    while (size * 7 < this.records * 20) size *= 2;
    const slots = new Int32Array(size);
    const mask = size - 1;
    for (let record = 0; record < this.records; record++) {
      const i32 = this.i32Pages[record >>> PAGE_BITS] as Int32Array;
      const at = (record & PAGE_MASK) * 8;
      let slot = recordHash(i32[at + 4] as number, i32[at + 5] as number) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = record + 1;
    }
    this.slots = slots;
  }
}

/**
 * A part from its content: `clients` unique codes, `pages` full pages of records (all but the last)
 * whose client fields index `clients`. Sorts the clients for the merge.
 */
export function makePart(clients: string[], names: (string | null)[], records: number, pages: ArrayBuffer[]): ClientDayPart {
  const order = new Int32Array(clients.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  const needsCodePointCompare = clients.some(hasCodeUnitOrderTrap);
  // Codes are unique within a part, so the comparators never meet two equal ones.
  if (needsCodePointCompare) order.sort((a, b) => compareCodePoints(clients[a] as string, clients[b] as string));
  else order.sort((a, b) => ((clients[a] as string) < (clients[b] as string) ? -1 : 1));
  return { clients, names, order, needsCodePointCompare, records, pages };
}

function recordHash(client: number, day: number): number {
  let h = Math.imul(client, 0x9e3779b1) ^ Math.imul(day, 0x85ebca77);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  return h ^ (h >>> 15);
}

/**
 * Frees the pages of parts that `buildDailyLedger` has merged now rather than at some later full
 * garbage collection, which comes only once the analysis has allocated its own memory on top of them
 * (measured on the 10M-line benchmark: the process's peak rose from 277 to 339 MB). Transferring them
 * into a message on a channel that is then closed detaches them and drops their memory with the
 * message; the promise settles once the channel is closed.
 */
export function releasePages(pages: ArrayBuffer[]): Promise<void> {
  if (pages.length === 0) return Promise.resolve();
  const { port1, port2 } = new MessageChannel();
  const closed = new Promise<void>((resolve) => port2.once('close', () => resolve()));
  port1.postMessage(pages, pages);
  port1.close();
  port2.close();
  return closed;
}

/**
 * Frees the memory of a DailyLedger's arrays once it has been analysed (the ledger is unusable
 * afterwards), for the same reason as `releasePages`: on the 10M-line benchmark they hold 73 MB, which
 * otherwise stayed allocated under the analysis's result and the JSON built from it until a full
 * garbage collection, and made the end of the run the process's peak.
 */
export function releaseDailyLedger(ledger: DailyLedger): Promise<void> {
  const arrays = [ledger.offsets, ledger.days, ledger.revenue, ledger.margin, ledger.lines, ledger.purchaseLines];
  // Arrays may share one buffer (views of a larger one), and a buffer can be transferred only once.
  return releasePages([...new Set(arrays.map((a) => a.buffer as ArrayBuffer))]);
}

/**
 * Merges the parts of one ledger (in file order) into a DailyLedger: clients in code-point order,
 * each client's days ascending, the records of a client and day that several parts hold summed, a
 * client's name the first non-empty one in file order. The parts' pages are emptied (the caller frees
 * them with `releasePages`).
 */
export function buildDailyLedger(parts: ClientDayPart[], hasMargin: boolean): DailyLedger {
  // The clients of all parts in code-point order: a merge of the parts' sorted lists, which also
  // gives each part's clients their rank in the result.
  const compare = parts.some((part) => part.needsCodePointCompare) ? compareCodePoints : compareCodeUnits;
  const clients: string[] = [];
  const names: (string | null)[] = [];
  const locals = parts.map((part) => new Int32Array(part.clients.length));
  const heads = new Int32Array(parts.length);
  for (;;) {
    let next: string | null = null;
    for (let p = 0; p < parts.length; p++) {
      const part = parts[p] as ClientDayPart;
      const head = heads[p] as number;
      if (head >= part.order.length) continue;
      const client = part.clients[part.order[head] as number] as string;
      if (next === null || compare(client, next) < 0) next = client;
    }
    if (next === null) break;
    const rank = clients.length;
    clients.push(next);
    names.push(null);
    for (let p = 0; p < parts.length; p++) {
      const part = parts[p] as ClientDayPart;
      const head = heads[p] as number;
      if (head >= part.order.length) continue;
      const local = part.order[head] as number;
      if (part.clients[local] !== next) continue;
      (locals[p] as Int32Array)[local] = rank;
      // Parts come in file order, so the first part's name is the first in the file.
      if (names[rank] === null) names[rank] = part.names[local] ?? null;
      heads[p] = head + 1;
    }
  }

  // Count each client's records (an upper bound: parts may share days), then place them.
  const offsets = new Int32Array(clients.length + 1);
  let total = 0;
  parts.forEach((part, p) => {
    const local = locals[p] as Int32Array;
    let left = part.records;
    for (const page of part.pages) {
      const i32 = new Int32Array(page);
      const n = Math.min(left, PAGE_SIZE);
      for (let at = 0; at < n * 8; at += 8) {
        const rank = local[i32[at + 4] as number] as number;
        offsets[rank + 1] = (offsets[rank + 1] as number) + 1;
      }
      left -= n;
    }
    total += part.records;
  });
  for (let c = 0; c < clients.length; c++) offsets[c + 1] = (offsets[c + 1] as number) + (offsets[c] as number);
  const cursor = offsets.slice(0, clients.length);
  const days = new Int32Array(total);
  const revenue = new Float64Array(total);
  const margin = new Float64Array(total);
  const lines = new Uint32Array(total);
  const purchaseLines = new Uint32Array(total);
  parts.forEach((part, p) => {
    const local = locals[p] as Int32Array;
    let left = part.records;
    for (const page of part.pages) {
      const f64 = new Float64Array(page);
      const i32 = new Int32Array(page);
      const n = Math.min(left, PAGE_SIZE);
      for (let at = 0; at < n * 8; at += 8) {
        const rank = local[i32[at + 4] as number] as number;
        const w = cursor[rank] as number;
        cursor[rank] = w + 1;
        days[w] = i32[at + 5] as number;
        revenue[w] = f64[at >> 1] as number;
        if (hasMargin) margin[w] = f64[(at >> 1) + 1] as number;
        lines[w] = i32[at + 6] as number;
        purchaseLines[w] = i32[at + 7] as number;
      }
      left -= n;
    }
    part.pages = [];
  });

  // Each client's records ascending by day, equal days summed, compacted towards the front.
  const scratch = new SegmentSorter();
  let w = 0;
  for (let c = 0; c < clients.length; c++) {
    const start = offsets[c] as number;
    const end = offsets[c + 1] as number;
    offsets[c] = w;
    if (!isAscending(days, start, end)) scratch.sort(days, revenue, margin, lines, purchaseLines, start, end);
    for (let r = start; r < end; r++) {
      if (w > (offsets[c] as number) && days[w - 1] === days[r]) {
        revenue[w - 1] = (revenue[w - 1] as number) + (revenue[r] as number);
        margin[w - 1] = (margin[w - 1] as number) + (margin[r] as number);
        lines[w - 1] = (lines[w - 1] as number) + (lines[r] as number);
        purchaseLines[w - 1] = (purchaseLines[w - 1] as number) + (purchaseLines[r] as number);
        continue;
      }
      if (w !== r) {
        days[w] = days[r] as number;
        revenue[w] = revenue[r] as number;
        margin[w] = margin[r] as number;
        lines[w] = lines[r] as number;
        purchaseLines[w] = purchaseLines[r] as number;
      }
      w++;
    }
  }
  offsets[clients.length] = w;
  // Days that several parts shared were summed, leaving the arrays longer than their content. A few
  // spare entries (a ledger sorted by date shares only the days at the chunks' edges) are left in
  // place rather than copied: a copy would need the memory of both for a moment.
  const copy = (total - w) * 4 > total;
  const fit = <T extends Int32Array | Float64Array | Uint32Array>(array: T): T =>
    (copy ? array.slice(0, w) : array.subarray(0, w)) as T;
  return {
    clients,
    names,
    offsets,
    days: fit(days),
    revenue: fit(revenue),
    margin: fit(margin),
    lines: fit(lines),
    purchaseLines: fit(purchaseLines),
    hasMargin,
  };
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A surrogate or a character from U+E000 up: where UTF-16 order and code-point order part ways. */
function hasCodeUnitOrderTrap(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0xd800) return true;
  return false;
}

function isAscending(days: Int32Array, start: number, end: number): boolean {
  for (let i = start + 1; i < end; i++) if ((days[i] as number) < (days[i - 1] as number)) return false;
  return true;
}

/** Sorts the records of one client by day, moving all five arrays together; equal days stay adjacent. */
class SegmentSorter {
  private keys = new Float64Array(64);
  private d = new Int32Array(64);
  private rev = new Float64Array(64);
  private mar = new Float64Array(64);
  private lin = new Uint32Array(64);
  private pur = new Uint32Array(64);

  sort(
    days: Int32Array,
    revenue: Float64Array,
    margin: Float64Array,
    lines: Uint32Array,
    purchaseLines: Uint32Array,
    start: number,
    end: number,
  ): void {
    const n = end - start;
    if (n > this.keys.length) {
      const size = Math.max(n, this.keys.length * 2);
      this.keys = new Float64Array(size);
      this.d = new Int32Array(size);
      this.rev = new Float64Array(size);
      this.mar = new Float64Array(size);
      this.lin = new Uint32Array(size);
      this.pur = new Uint32Array(size);
    }
    let min = days[start] as number;
    for (let i = start + 1; i < end; i++) min = Math.min(min, days[i] as number);
    // Day offset times n plus the position: distinct keys that sort by day, exact in a double.
    const keys = this.keys.subarray(0, n);
    for (let i = 0; i < n; i++) keys[i] = ((days[start + i] as number) - min) * n + i;
    keys.sort();
    this.d.set(days.subarray(start, end));
    this.rev.set(revenue.subarray(start, end));
    this.mar.set(margin.subarray(start, end));
    this.lin.set(lines.subarray(start, end));
    this.pur.set(purchaseLines.subarray(start, end));
    for (let k = 0; k < n; k++) {
      const i = (keys[k] as number) % n;
      days[start + k] = this.d[i] as number;
      revenue[start + k] = this.rev[i] as number;
      margin[start + k] = this.mar[i] as number;
      lines[start + k] = this.lin[i] as number;
      purchaseLines[start + k] = this.pur[i] as number;
    }
  }
}
