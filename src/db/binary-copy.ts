/**
 * Rows in PostgreSQL's binary COPY format, written straight into bytes. The server then reads every
 * value at a known length with nothing to parse (a uuid is 16 bytes, a date a 32-bit day, money a
 * 64-bit integer), where COPY's text format makes it parse each one from text and makes us format it:
 * measured on 2M ledger lines copied server-side, 3.0 s as binary against 3.9 s as text, and the
 * formatting on our side (numbers and days turned into strings) disappears.
 *
 * The format (PostgreSQL documentation, "COPY", "Binary Format"): a 19-byte header, then per row a
 * 16-bit field count and per field a 32-bit length (-1 for null) and the value's bytes in network
 * order; a 16-bit -1 ends the data.
 */

/** The header: the signature `PGCOPY\n\377\r\n\0`, 32-bit flags (none) and a 32-bit extension length (none). */
export const BINARY_COPY_HEADER = Buffer.from([
  0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
]);
/** The trailer: a field count of -1. */
export const BINARY_COPY_TRAILER = Buffer.from([0xff, 0xff]);

/** PostgreSQL's dates count days from 2000-01-01; ours (src/core/calendar.ts) from 1970-01-01. */
export const PG_DATE_OFFSET = 10_957;

const TWO_32 = 4294967296;

/**
 * A growing buffer of binary COPY rows. Each write makes room for itself; a hot loop may instead make
 * room once for a row's fixed-size part with `room` and write through `view` at `length`.
 */
export class BinaryRows {
  buf: Buffer;
  view: DataView;
  length = 0;

  constructor(private readonly chunkBytes = 1 << 20) {
    this.buf = Buffer.allocUnsafe(chunkBytes + 4096);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  }

  /** Makes room for `n` more bytes. */
  room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(grown, 0, 0, this.length);
    this.buf = grown;
    this.view = new DataView(grown.buffer, grown.byteOffset, grown.length);
  }

  /** Whether the rows written so far fill a chunk, for the caller to hand over with `take`. */
  get full(): boolean {
    return this.length >= this.chunkBytes;
  }

  /** The bytes written so far, handed over; writing goes on in a new buffer. */
  take(): Buffer {
    const out = this.buf.subarray(0, this.length);
    this.buf = Buffer.allocUnsafe(this.chunkBytes + 4096);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    this.length = 0;
    return out;
  }

  /** Raw bytes (a header, a prefix made once). */
  bytes(b: Uint8Array): void {
    this.room(b.length);
    const buf = this.buf;
    let p = this.length;
    // Prefixes are a few dozen bytes, for which a loop beats the call into `set`.
    if (b.length <= 64) {
      for (let i = 0; i < b.length; i++) buf[p++] = b[i]!;
    } else {
      buf.set(b, p);
      p += b.length;
    }
    this.length = p;
  }

  null(): void {
    this.room(4);
    this.view.setInt32(this.length, -1);
    this.length += 4;
  }

  int4(v: number): void {
    this.room(8);
    this.view.setInt32(this.length, 4);
    this.view.setInt32(this.length + 4, v);
    this.length += 8;
  }

  /** A 64-bit integer from a JavaScript number that holds an integer of at most 2^53 in magnitude. */
  int8(v: number): void {
    this.room(12);
    const hi = Math.floor(v / TWO_32);
    this.view.setInt32(this.length, 8);
    this.view.setInt32(this.length + 4, hi);
    this.view.setUint32(this.length + 8, v - hi * TWO_32);
    this.length += 12;
  }

  float8(v: number): void {
    this.room(12);
    this.view.setInt32(this.length, 8);
    this.view.setFloat64(this.length + 4, v);
    this.length += 12;
  }

  /** A day number (src/core/calendar.ts) as a date. */
  date(day: number): void {
    this.int4(day - PG_DATE_OFFSET);
  }

  /** A text value already in UTF-8, `b[start, end)`. */
  utf8(b: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.room(4 + n);
    this.view.setInt32(this.length, n);
    const buf = this.buf;
    let p = this.length + 4;
    if (n <= 64) {
      for (let i = start; i < end; i++) buf[p++] = b[i]!;
    } else {
      buf.set(b.subarray(start, end), p);
      p += n;
    }
    this.length = p;
  }
}

/** A uuid field (its length and 16 bytes) from the uuid's text form. */
export function uuidField(id: string): Buffer {
  const field = Buffer.alloc(20);
  field.writeInt32BE(16, 0);
  Buffer.from(id.replaceAll('-', ''), 'hex').copy(field, 4);
  return field;
}
