/**
 * One good ledger line's values where the reader found them: texts as byte ranges of a buffer in
 * UTF-8, numbers as numbers. The import reads a 10M-line file through this, one object reused for
 * every line, so that it copies a client code or a product from the file's bytes into the database's
 * without making a string of it (on the 10M-line benchmark the strings alone cost 5 s of the read).
 *
 * A CSV in UTF-8 is read in place: the ranges point into the reader's buffer and hold until the next
 * line. A Windows-1250 file's texts, and the strings of a line read as an object (an XLSX row), are
 * written as UTF-8 into a buffer of this object's own first, so that the consumer sees one form.
 */
import type { TextDecodeFn } from './encoding.ts';
import type { LedgerLine } from './types.ts';

/** The texts of a line, in the order of `LineValues.ranges` (start and end of each). */
export const TEXT_FIELDS = ['client', 'clientName', 'document', 'documentLine', 'product', 'group'] as const;
export const CLIENT = 0;
export const CLIENT_NAME = 2;
export const DOCUMENT = 4;
export const DOCUMENT_LINE = 6;
export const PRODUCT = 8;
export const GROUP = 10;

export class LineValues {
  /** The bytes the text ranges point into. */
  bytes: Uint8Array = new Uint8Array(0);
  /** The line's number in the file (1-based, the header counted). */
  line = 0;
  day = 0;
  /** Money in minor units (grosze). */
  revenue = 0;
  /** NaN when the file has no cost column. */
  cost = NaN;
  /** NaN when the file has neither a cost nor a margin column. */
  margin = NaN;
  /** NaN when absent. */
  quantity = NaN;
  /** Day numbers; NaN when absent. */
  dueDate = NaN;
  paidDate = NaN;
  /** Start and end in `bytes` of each of TEXT_FIELDS; an empty range is an absent value. */
  readonly ranges = new Int32Array(TEXT_FIELDS.length * 2);
  private scratch = new Uint8Array(1024);

  /** The text at `field` (CLIENT, PRODUCT...) as a string, or null when absent. */
  text(field: number): string | null {
    const start = this.ranges[field]!;
    const end = this.ranges[field + 1]!;
    return start === end ? null : Buffer.from(this.bytes.buffer, this.bytes.byteOffset + start, end - start).toString('utf8');
  }

  /** The line as an object, its texts decoded. */
  toLine(): LedgerLine {
    return {
      line: this.line,
      date: this.day,
      client: this.text(CLIENT) ?? '',
      clientName: this.text(CLIENT_NAME),
      revenue: this.revenue,
      cost: orNull(this.cost),
      margin: orNull(this.margin),
      quantity: orNull(this.quantity),
      product: this.text(PRODUCT),
      group: this.text(GROUP),
      document: this.text(DOCUMENT),
      documentLine: this.text(DOCUMENT_LINE),
      dueDate: orNull(this.dueDate),
      paidDate: orNull(this.paidDate),
    };
  }

  /** Takes a line read as an object: its texts are written as UTF-8 into this object's own buffer. */
  setLine(l: LedgerLine): this {
    this.line = l.line;
    this.day = l.date;
    this.revenue = l.revenue;
    this.cost = l.cost ?? NaN;
    this.margin = l.margin ?? NaN;
    this.quantity = l.quantity ?? NaN;
    this.dueDate = l.dueDate ?? NaN;
    this.paidDate = l.paidDate ?? NaN;
    const texts = [l.client, l.clientName, l.document, l.documentLine, l.product, l.group];
    let size = 0;
    for (const t of texts) size += t === null ? 0 : t.length * 3;
    if (size > this.scratch.length) this.scratch = new Uint8Array(size * 2);
    const out = Buffer.from(this.scratch.buffer, this.scratch.byteOffset, this.scratch.length);
    let p = 0;
    texts.forEach((t, i) => {
      this.ranges[i * 2] = p;
      if (t !== null) p += out.write(t, p, 'utf8');
      this.ranges[i * 2 + 1] = p;
    });
    this.bytes = this.scratch;
    return this;
  }

  /**
   * Re-encodes the texts, now ranges of `bytes` in another encoding, as UTF-8 into this object's own
   * buffer (a Windows-1250 file: each character takes at most 3 bytes in UTF-8).
   */
  transcode(decode: TextDecodeFn): void {
    const src = this.bytes;
    let size = 0;
    for (let i = 0; i < this.ranges.length; i += 2) size += (this.ranges[i + 1]! - this.ranges[i]!) * 3;
    if (size > this.scratch.length) this.scratch = new Uint8Array(size * 2);
    const out = Buffer.from(this.scratch.buffer, this.scratch.byteOffset, this.scratch.length);
    let p = 0;
    for (let i = 0; i < this.ranges.length; i += 2) {
      const start = this.ranges[i]!;
      const end = this.ranges[i + 1]!;
      this.ranges[i] = p;
      if (end > start) p += out.write(decode(src, start, end), p, 'utf8');
      this.ranges[i + 1] = p;
    }
    this.bytes = this.scratch;
  }
}

function orNull(value: number): number | null {
  return value === value ? value : null;
}
