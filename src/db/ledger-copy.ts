/**
 * The file's lines on their way into the database: keyed to accounts (a new code gets a new account
 * id here; `createNewAccounts` in ledger-store.ts creates the account), fingerprinted, written as
 * binary COPY rows of `ledger_lines` (or of an import's staging table of its shape), and summed per
 * account and day into the file's rollup, all in one pass with no string or object made per line.
 *
 * This is the import's hot path: on the 10M-line benchmark it runs once per line, beside a COPY that
 * keeps one core busy, on a machine of two (docs/performance.md).
 */
import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { CLIENT, CLIENT_NAME, DOCUMENT, DOCUMENT_LINE, GROUP, PRODUCT, type LineValues } from '../ingest/line-values.ts';
import { BinaryCopyWriter, PG_DATE_OFFSET } from './binary-copy.ts';
import { PACKED_DAY_BYTES } from './packed-days.ts';

/** The columns a line's COPY writes, in ledger_lines's order. */
export const LINE_COLUMNS = `account_id, source, client_code, sale_date, document, document_line, product, product_group, quantity,
  revenue, cost, margin, due_date, paid_date, fingerprint, import_id`;
const LINE_FIELDS = 16;

/** The columns of `ledger_days`, in the order the rollup's COPY writes them. */
export const DAY_COLUMNS = 'account_id, day, revenue, margin, margin_lines, lines, purchase_lines';

/** An account the file has lines of: its id and the file's code for it. */
export type FileAccount = { id: string; code: string };

export class LedgerCopy {
  /** The codes no account held, each with the id of the account `createNewAccounts` makes for it. */
  readonly newAccounts = new Map<string, string>();
  /** The first non-empty client name of each code in the file. */
  readonly names = new Map<string, string>();
  readonly documents = new Set<string>();
  /** The span of the lines without a document (day numbers), or null when every line has one. */
  undocumented: { first: number; last: number } | null = null;
  lines = 0;
  firstDay: number | null = null;
  lastDay: number | null = null;
  readonly rollup = new FileRollup();
  /**
   * Where the file's line number of a COPY row stops being the previous one's plus one (a rejected line,
   * a record over several lines): pairs of (row, line), so that a database error naming a COPY row can
   * name the file's line. A clean file needs one pair whatever its length.
   */
  private lineJumps: number[] = [];
  private lastLine = -1;
  /** The file's codes met so far, by their bytes, each with its account's index in the rollup. */
  private readonly interned = new ByteKeys();
  private lastDocument = new Uint8Array(64);
  private lastDocumentLength = -1;
  private readonly stream: Writable;
  private readonly out = new BinaryCopyWriter();
  private failure: Error | null = null;
  private readonly sourceField: Buffer;
  /**
   * Whether the file's days are summed: a first import adds the file's rollup to the stored one, while
   * an import that replaces lines moves it by the lines it deletes and inserts (ledger-store.ts).
   */
  private readonly summing: boolean;
  constructor(
    client: pg.ClientBase,
    table: 'ledger_lines' | 'import_staging',
    private readonly codes: Map<string, string>,
    source: string,
    private readonly importId: number,
  ) {
    this.summing = table === 'ledger_lines';
    const source8 = Buffer.from(source, 'utf8');
    this.sourceField = Buffer.alloc(4 + source8.length);
    this.sourceField.writeInt32BE(source8.length, 0);
    source8.copy(this.sourceField, 4);
    this.stream = client.query(copyFrom(`copy ${table} (${LINE_COLUMNS}) from stdin with (format binary)`));
    this.stream.on('error', (error: Error) => {
      this.failure ??= error;
    });
  }

  /** The rollup index of the account of the code at `bytes[start, end)`, made (with a new account id for an unknown code) on first sight. */
  private account(v: LineValues): number {
    const bytes = v.bytes;
    const start = v.ranges[CLIENT]!;
    const end = v.ranges[CLIENT + 1]!;
    let k = this.interned.find(bytes, start, end);
    if (k < 0) {
      const code = v.text(CLIENT)!;
      const known = this.codes.get(code);
      const accountId = known ?? randomUUID();
      if (known === undefined) this.newAccounts.set(code, accountId);
      k = this.rollup.addAccount(accountId, code);
      this.interned.add(bytes, start, end, k);
    }
    return k;
  }

  add(v: LineValues): void {
    const k = this.account(v);
    const ranges = v.ranges;
    const bytes = v.bytes;
    if (ranges[CLIENT_NAME]! < ranges[CLIENT_NAME + 1]! && !this.rollup.named[k]) {
      this.rollup.named[k] = 1;
      this.names.set(this.rollup.accounts[k]!.code, v.text(CLIENT_NAME)!);
    }
    const day = v.day;
    if (this.firstDay === null || day < this.firstDay) this.firstDay = day;
    if (this.lastDay === null || day > this.lastDay) this.lastDay = day;
    const docStart = ranges[DOCUMENT]!;
    const docEnd = ranges[DOCUMENT + 1]!;
    if (docStart === docEnd) {
      if (this.undocumented === null) this.undocumented = { first: day, last: day };
      else if (day < this.undocumented.first) this.undocumented.first = day;
      else if (day > this.undocumented.last) this.undocumented.last = day;
    } else if (!sameBytes(bytes, docStart, docEnd, this.lastDocument, this.lastDocumentLength)) {
      // A document's lines follow each other in an export: one string and one set insertion per document, mostly.
      this.documents.add(v.text(DOCUMENT)!);
      if (docEnd - docStart > this.lastDocument.length) this.lastDocument = new Uint8Array((docEnd - docStart) * 2);
      this.lastDocument.set(bytes.subarray(docStart, docEnd));
      this.lastDocumentLength = docEnd - docStart;
    }

    const out = this.out;
    // The field count, the account's uuid (its 16 bytes as four words) and the source.
    out.room(22);
    this.rollup.startRow(out.view, out.length, LINE_FIELDS, k);
    out.length += 22;
    out.bytes(this.sourceField);
    // The values, from the client code to the paid date, are the line's fingerprint: hashed below as
    // the bytes they are written as, so equal values give equal fingerprints whatever file they came from.
    const valuesStart = out.length;
    out.utf8(bytes, ranges[CLIENT]!, ranges[CLIENT + 1]!);
    out.date(day);
    this.optionalText(bytes, ranges, DOCUMENT);
    this.optionalText(bytes, ranges, DOCUMENT_LINE);
    this.optionalText(bytes, ranges, PRODUCT);
    this.optionalText(bytes, ranges, GROUP);
    // `+ 0` turns -0 into 0, which SQL holds equal, so that both give one fingerprint.
    if (v.quantity !== v.quantity) out.null();
    else out.float8(v.quantity + 0);
    out.int8(v.revenue);
    if (v.cost !== v.cost) out.null();
    else out.int8(v.cost);
    const margin = v.margin;
    if (margin !== margin) out.null();
    else out.int8(margin);
    if (v.dueDate !== v.dueDate) out.null();
    else out.date(v.dueDate);
    if (v.paidDate !== v.paidDate) out.null();
    else out.date(v.paidDate);
    out.int8(fingerprint(out.buf, valuesStart, out.length));
    out.int8(this.importId);

    if (this.summing) this.rollup.add(k, day, v.revenue, margin === margin ? margin : null);
    if (v.line !== this.lastLine + 1) this.lineJumps.push(this.lines + 1, v.line);
    this.lastLine = v.line;
    this.lines++;
  }

  private optionalText(bytes: Uint8Array, ranges: Int32Array, field: number): void {
    const start = ranges[field]!;
    const end = ranges[field + 1]!;
    if (start === end) this.out.null();
    else this.out.utf8(bytes, start, end);
  }

  /** The file's line number of the `row`-th line written (1-based, as COPY counts). */
  fileLine(row: number): number | null {
    if (row < 1 || row > this.lines) return null;
    // The last jump at or before the row: its line, plus the rows since.
    const jumps = this.lineJumps;
    let lo = 0;
    let hi = jumps.length / 2 - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (jumps[mid * 2]! <= row) lo = mid;
      else hi = mid - 1;
    }
    return jumps[lo * 2 + 1]! + (row - jumps[lo * 2]!);
  }

  drain(): Promise<void> | undefined {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (!this.out.full) return undefined;
    return this.stream.write(this.out.take()) ? undefined : this.waitForDrain();
  }

  finish(): Promise<void> {
    this.stream.write(this.out.end());
    return new Promise<void>((resolve, reject) => {
      if (this.failure !== null) return reject(this.failure);
      this.stream.once('finish', resolve);
      this.stream.once('error', reject);
      this.stream.end();
    });
  }

  abort(error: Error): void {
    this.failure ??= error;
    this.stream.destroy(error);
  }

  private waitForDrain(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.failure !== null) return reject(this.failure);
      const onDrain = (): void => {
        this.stream.off('error', onError);
        resolve();
      };
      const onError = (error: Error): void => {
        this.stream.off('drain', onDrain);
        reject(error);
      };
      this.stream.once('drain', onDrain);
      this.stream.once('error', onError);
    });
  }
}

/**
 * A 53-bit hash of `buf[start, end)`: cyrb53 (bryc, public domain), a fast string hash with good
 * avalanche, exact in a JavaScript number, here over bytes. Stored fingerprints depend on it: changing
 * it (or the bytes a line's values are written as) makes every stored line look changed to the next
 * import of its documents, which then replaces them, correctly but wholly.
 */
export function fingerprint(buf: Uint8Array, start: number, end: number): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Accounts in key order with their records in day order (`FileRollup.keyOrder`). */
export type KeyOrder = { order: number[]; start: Int32Array; records: Int32Array };

/** Records per page of the rollup (2^16): pages are never copied as the rollup grows. */
const PAGE_BITS = 16;
const PAGE_SIZE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SIZE - 1;

/**
 * The per-account, per-day sums of the file's lines, as `ledger_days` keeps them, in typed pages.
 * While an account's days come in ascending order (a ledger sorted by date, as ERPs export it) its
 * day's record can only be its last one, so no lookup is made; the first day that goes back builds a
 * map of every record, used from then on.
 */
export class FileRollup {
  readonly accounts: FileAccount[] = [];
  /** Per account, 1 once the file gave its code a client name. */
  named = new Uint8Array(1024);
  private lastDay = new Int32Array(1024);
  private lastRecord = new Int32Array(1024);
  private accountPages: Int32Array[] = [];
  private dayPages: Int32Array[] = [];
  private revenuePages: Float64Array[] = [];
  private marginPages: Float64Array[] = [];
  /** Per record: lines, purchase lines (revenue not negative), lines with a margin. */
  private countPages: Int32Array[] = [];
  size = 0;
  /** (account, day) to record, once some account's days went back. */
  private recordOf: Map<number, number> | null = null;

  /** Per account, its uuid's 16 bytes as four big-endian 32-bit words, as a COPY row writes them. */
  uuidWords = new Int32Array(1024 * 4);

  addAccount(id: string, code: string): number {
    const k = this.accounts.length;
    this.accounts.push({ id, code });
    if (k === this.lastDay.length) {
      this.uuidWords = grown(this.uuidWords, k * 8);
      this.lastDay = grown(this.lastDay, k * 2);
      this.lastRecord = grown(this.lastRecord, k * 2);
      this.named = grown(this.named, k * 2);
    }
    this.lastRecord[k] = -1;
    const bytes = Buffer.from(id.replaceAll('-', ''), 'hex');
    for (let w = 0; w < 4; w++) this.uuidWords[k * 4 + w] = bytes.readInt32BE(w * 4);
    return k;
  }

  /** Writes at `p` a binary COPY row's field count and account k's uuid field: the 22 bytes every row of the import starts with. */
  startRow(view: DataView, p: number, fields: number, k: number): void {
    const words = this.uuidWords;
    view.setInt16(p, fields);
    view.setInt32(p + 2, 16);
    view.setInt32(p + 6, words[k * 4]!);
    view.setInt32(p + 10, words[k * 4 + 1]!);
    view.setInt32(p + 14, words[k * 4 + 2]!);
    view.setInt32(p + 18, words[k * 4 + 3]!);
  }

  add(k: number, day: number, revenue: number, margin: number | null): void {
    let record = this.lastRecord[k]!;
    if (record < 0 || this.lastDay[k] !== day) {
      if (this.recordOf === null && record >= 0 && day < this.lastDay[k]!) this.buildRecordMap();
      if (this.recordOf === null) {
        record = this.newRecord(k, day);
      } else {
        const key = recordKey(k, day);
        const found = this.recordOf.get(key);
        if (found === undefined) {
          record = this.newRecord(k, day);
          this.recordOf.set(key, record);
        } else {
          record = found;
        }
      }
      this.lastDay[k] = day;
      this.lastRecord[k] = record;
    }
    const page = record >>> PAGE_BITS;
    const at = record & PAGE_MASK;
    const revenues = this.revenuePages[page]!;
    revenues[at] = revenues[at]! + revenue;
    const counts = this.countPages[page]!;
    counts[at * 3] = counts[at * 3]! + 1;
    if (revenue >= 0) counts[at * 3 + 1] = counts[at * 3 + 1]! + 1;
    if (margin !== null) {
      const margins = this.marginPages[page]!;
      margins[at] = margins[at]! + margin;
      counts[at * 3 + 2] = counts[at * 3 + 2]! + 1;
    }
  }

  private newRecord(k: number, day: number): number {
    const record = this.size++;
    const page = record >>> PAGE_BITS;
    if (page === this.dayPages.length) {
      this.accountPages.push(new Int32Array(PAGE_SIZE));
      this.dayPages.push(new Int32Array(PAGE_SIZE));
      this.revenuePages.push(new Float64Array(PAGE_SIZE));
      this.marginPages.push(new Float64Array(PAGE_SIZE));
      this.countPages.push(new Int32Array(PAGE_SIZE * 3));
    }
    this.accountPages[page]![record & PAGE_MASK] = k;
    this.dayPages[page]![record & PAGE_MASK] = day;
    return record;
  }

  private buildRecordMap(): void {
    const map = new Map<number, number>();
    for (let r = 0; r < this.size; r++) {
      map.set(recordKey(this.accountPages[r >>> PAGE_BITS]![r & PAGE_MASK]!, this.dayPages[r >>> PAGE_BITS]![r & PAGE_MASK]!), r);
    }
    this.recordOf = map;
  }

  /**
   * The accounts `wanted` picks in key order (their ids as PostgreSQL orders uuids, which is as their
   * hex text), each with its records in day order: `records.subarray(start[k], start[k + 1])` for
   * account k. A counting sort by account; an account's records are mostly in day order already.
   */
  keyOrder(wanted: (account: FileAccount) => boolean): KeyOrder {
    const order = this.accounts.map((_, k) => k).filter((k) => wanted(this.accounts[k]!));
    order.sort((a, b) => (this.accounts[a]!.id < this.accounts[b]!.id ? -1 : 1));
    const start = new Int32Array(this.accounts.length + 1);
    for (let r = 0; r < this.size; r++) start[this.accountPages[r >>> PAGE_BITS]![r & PAGE_MASK]! + 1]! += 1;
    for (let k = 0; k < this.accounts.length; k++) start[k + 1]! += start[k]!;
    const next = start.slice(0, this.accounts.length);
    const records = new Int32Array(this.size);
    for (let r = 0; r < this.size; r++) records[next[this.accountPages[r >>> PAGE_BITS]![r & PAGE_MASK]!]!++] = r;
    const dayOf = (r: number): number => this.dayPages[r >>> PAGE_BITS]![r & PAGE_MASK]!;
    for (const k of order) {
      const mine = records.subarray(start[k]!, start[k + 1]!);
      let sorted = true;
      for (let i = 1; i < mine.length && sorted; i++) sorted = dayOf(mine[i]!) > dayOf(mine[i - 1]!);
      if (!sorted) mine.sort((x, y) => dayOf(x) - dayOf(y));
    }
    return { order, start, records };
  }

  /**
   * The rollup's rows for `ledger_days` in binary COPY chunks, of the accounts of `keyOrder`, in key
   * order (account id, then day): the primary key's B-tree then grows at its end instead of taking
   * inserts at random places (measured on a first import of 1M lines: 2.3 s for 323k days in the
   * order the file met them).
   */
  *daysInKeyOrder({ order, start, records: byAccount }: KeyOrder): Generator<Buffer> {
    const out = new BinaryCopyWriter();
    for (const k of order) {
      for (const r of byAccount.subarray(start[k]!, start[k + 1]!)) {
        const page = r >>> PAGE_BITS;
        const at = r & PAGE_MASK;
        const counts = this.countPages[page]!;
        // A row: 7 fields, the uuid, the day, revenue, margin, then the three counts.
        out.room(78);
        const view = out.view;
        const p = out.length;
        this.startRow(view, p, 7, k);
        view.setInt32(p + 22, 4);
        view.setInt32(p + 26, this.dayPages[page]![at]! - PG_DATE_OFFSET);
        out.length = p + 30;
        out.int8(this.revenuePages[page]![at]!);
        out.int8(this.marginPages[page]![at]!);
        out.int4(counts[at * 3 + 2]!);
        out.int4(counts[at * 3]!);
        out.int4(counts[at * 3 + 1]!);
        if (out.full) yield out.take();
      }
    }
    yield out.end();
  }

  /**
   * The rows of `ledger_packs` (src/db/schema/ledger.ts) for the accounts of `keyOrder`, in key order:
   * per account its uuid, whether a day has a margin, and its days packed in day order, 28 bytes a day,
   * the bytes packed-days.ts's PACKED_DAYS makes of the same days.
   */
  *packsInKeyOrder({ order, start, records }: KeyOrder): Generator<Buffer> {
    const out = new BinaryCopyWriter();
    for (const k of order) {
      const mine = records.subarray(start[k]!, start[k + 1]!);
      out.room(2 + 20 + 5 + 4 + mine.length * PACKED_DAY_BYTES);
      const view = out.view;
      let p = out.length;
      this.startRow(view, p, 3, k);
      view.setInt32(p + 22, 1);
      const flag = p + 26;
      let hasMargin = false;
      view.setInt32(p + 27, mine.length * PACKED_DAY_BYTES);
      p += 31;
      for (const r of mine) {
        const page = r >>> PAGE_BITS;
        const at = r & PAGE_MASK;
        const counts = this.countPages[page]!;
        const revenue = this.revenuePages[page]![at]!;
        const margin = this.marginPages[page]![at]!;
        view.setInt32(p, this.dayPages[page]![at]!);
        view.setInt32(p + 4, high32(revenue));
        view.setUint32(p + 8, revenue - high32(revenue) * 4294967296);
        view.setInt32(p + 12, high32(margin));
        view.setUint32(p + 16, margin - high32(margin) * 4294967296);
        view.setInt32(p + 20, counts[at * 3]!);
        view.setInt32(p + 24, counts[at * 3 + 1]!);
        if (counts[at * 3 + 2] !== 0) hasMargin = true;
        p += PACKED_DAY_BYTES;
      }
      out.buf[flag] = hasMargin ? 1 : 0;
      out.length = p;
      if (out.full) yield out.take();
    }
    yield out.end();
  }
}

/** A copy of `a` in a new array of `length` elements (the rest zero). */
function grown<T extends Int32Array | Uint8Array>(a: T, length: number): T {
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a);
  return b;
}

/** The high 32 bits of a 64-bit integer held in a number (exact to 2^53), as a signed int32. */
function high32(value: number): number {
  return Math.floor(value / 4294967296);
}

/** One number for an (account, day) pair: 22 bits of day cover six millennia; exact below 2^53. */
function recordKey(k: number, day: number): number {
  return k * 4194304 + (day & 0x3fffff);
}

function sameBytes(a: Uint8Array, start: number, end: number, b: Uint8Array, length: number): boolean {
  if (end - start !== length) return false;
  for (let i = 0; i < length; i++) if (a[start + i] !== b[i]) return false;
  return true;
}

/**
 * Byte strings (the file's client codes) to small integers, in an open-addressing hash over an arena
 * of their bytes: a line's code is looked up without being decoded into a string, which a `Map` of
 * strings would need (measured on 1M lines: 0.55 s for the decoding and the lookups).
 */
class ByteKeys {
  /** Per slot: the value + 1 (0: free), the key's hash, its offset in the arena and its length. */
  private slots = new Int32Array(4096 * 4);
  private mask = 4095;
  private count = 0;
  private arena = new Uint8Array(1 << 16);
  private used = 0;

  /** The value of the key `bytes[start, end)`, or -1. */
  find(bytes: Uint8Array, start: number, end: number): number {
    const h = hashBytes(bytes, start, end);
    const slots = this.slots;
    const arena = this.arena;
    const length = end - start;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const at = i * 4;
      const value = slots[at]!;
      if (value === 0) return -1;
      if (slots[at + 1] !== h || slots[at + 3] !== length) continue;
      const offset = slots[at + 2]!;
      let j = 0;
      while (j < length && arena[offset + j] === bytes[start + j]) j++;
      if (j === length) return value - 1;
    }
  }

  /** Adds a key `find` did not find. */
  add(bytes: Uint8Array, start: number, end: number, value: number): void {
    const length = end - start;
    if (this.used + length > this.arena.length) {
      const grown = new Uint8Array(Math.max(this.arena.length * 2, this.used + length));
      grown.set(this.arena.subarray(0, this.used));
      this.arena = grown;
    }
    this.arena.set(bytes.subarray(start, end), this.used);
    this.place(hashBytes(bytes, start, end), this.used, length, value + 1);
    this.used += length;
    if (++this.count * 4 > (this.mask + 1) * 3) this.grow();
  }

  private place(h: number, offset: number, length: number, value: number): void {
    let i = h & this.mask;
    while (this.slots[i * 4] !== 0) i = (i + 1) & this.mask;
    const at = i * 4;
    this.slots[at] = value;
    this.slots[at + 1] = h;
    this.slots[at + 2] = offset;
    this.slots[at + 3] = length;
  }

  private grow(): void {
    const old = this.slots;
    this.mask = this.mask * 2 + 1;
    this.slots = new Int32Array((this.mask + 1) * 4);
    for (let at = 0; at < old.length; at += 4) {
      if (old[at] !== 0) this.place(old[at + 1]!, old[at + 2]!, old[at + 3]!, old[at]!);
    }
  }
}

/** FNV-1a over bytes, mixed at the end so that the low bits (the slot) depend on every byte. */
function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 16777619);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 12)) | 0;
}
