/**
 * The SQL of analysis runs: the stored rollup read back as the analysis's `DailyLedger`. The rollup is
 * read packed, each account's days one byte string of fixed-size entries (`ledger_packs`, which the
 * imports keep), sent by a binary COPY and decoded here at fixed offsets: a 10M-line ledger rolls up
 * into millions of (account, day) rows, and a message or a JavaScript object per row, as a
 * row-per-day COPY or a plain query gives them, costs more than the analysis itself (2.6M rows from
 * 100,000 accounts on a busy machine: 2.4-2.9 s as a row per day, 1.6-2.1 s packed by PostgreSQL at
 * each read, whose aggregation was then most of the rest).
 */
import type pg from 'pg';
import type { DailyLedger } from '../core/types.ts';
import { copyBinaryRowsOut } from './binary-copy.ts';
import { PACKED_DAY_BYTES } from './packed-days.ts';

/** An account in the rollup: its id, the ERP code the analysis names it by, and the ledger's name for that code. */
export type RollupAccount = { accountId: string; code: string; name: string | null };

export type StoredLedger = { ledger: DailyLedger; accounts: RollupAccount[]; lines: number; importId: number | null };

/**
 * The packed rollup of the accounts whose ids satisfy `range` (SQL over `account_id`), one row an
 * account: its id, its first ERP code in code-point order with the ledger's name for that code,
 * whether any of its days has a margin, and its days packed. Rows come in id order (the primary key's),
 * so that any number of readers give the same ledger. The left join lets an account without a code
 * show up as one, to be refused rather than silently left out.
 */
function rollupStatement(range: string): string {
  return `copy (
    select p.account_id, c.code, c.name, p.has_margin, p.days
      from ledger_packs p
      left join (select distinct on (account_id) account_id, code, ledger_name as name
                   from account_codes where ${range} order by account_id, code collate "C") c using (account_id)
     where ${range}
     order by p.account_id
  ) to stdout with (format binary)`;
}

/**
 * The rollup as it arrives: per account its id, code and name and its packed days, kept where they
 * arrived (the stream's buffers are not reused). The days are decoded once all have come, into columns of the exact size, rather than into
 * columns grown by doubling as the rows arrive (for 10M lines' 2.6M days, some 200 MB allocated and
 * copied on the way).
 */
class RollupReader {
  readonly accounts: RollupAccount[] = [];
  readonly packed: Buffer[] = [];
  bytes = 0;
  hasMargin = false;

  /** Takes one row of the rollup statement. */
  take(buffer: Buffer, starts: Int32Array, lengths: Int32Array): void {
    const hex = buffer.toString('hex', starts[0]!, starts[0]! + 16);
    const accountId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    if (lengths[1]! < 0) throw new Error(`ledger_packs: account ${accountId} has no ERP code`);
    const code = buffer.toString('utf8', starts[1]!, starts[1]! + lengths[1]!);
    const name = lengths[2]! < 0 ? null : buffer.toString('utf8', starts[2]!, starts[2]! + lengths[2]!);
    if (buffer[starts[3]!] !== 0) this.hasMargin = true;
    const bytes = lengths[4]!;
    if (bytes % PACKED_DAY_BYTES !== 0) throw new Error(`ledger_packs: account ${accountId}: ${bytes} bytes of days`);
    this.accounts.push({ accountId, code, name });
    this.packed.push(buffer.subarray(starts[4]!, starts[4]! + bytes));
    this.bytes += bytes;
  }
}

/** The ledger of the accounts the readers took, in the readers' order and each's, each account's days ascending. */
function decodeRollup(readers: readonly RollupReader[]): { ledger: DailyLedger; accounts: RollupAccount[]; lines: number } {
  const accounts = readers.flatMap((reader) => reader.accounts);
  const packed = readers.flatMap((reader) => reader.packed);
  const size = readers.reduce((sum, reader) => sum + reader.bytes, 0) / PACKED_DAY_BYTES;
  const ledger: DailyLedger = {
    clients: accounts.map((account) => account.code),
    names: accounts.map((account) => account.name),
    offsets: new Int32Array(accounts.length + 1),
    days: new Int32Array(size),
    revenue: new Float64Array(size),
    margin: new Float64Array(size),
    lines: new Uint32Array(size),
    purchaseLines: new Uint32Array(size),
    hasMargin: readers.some((reader) => reader.hasMargin),
  };
  const { offsets, days, revenue, margin, lines, purchaseLines } = ledger;
  let w = 0;
  let total = 0;
  for (let k = 0; k < packed.length; k++) {
    const bytes = packed[k]!;
    // A DataView reads big-endian numbers without the bounds checks of Buffer's readers.
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    for (let q = 0; q < bytes.length; q += PACKED_DAY_BYTES, w++) {
      days[w] = view.getInt32(q);
      revenue[w] = view.getInt32(q + 4) * 4294967296 + view.getUint32(q + 8);
      margin[w] = view.getInt32(q + 12) * 4294967296 + view.getUint32(q + 16);
      const n = view.getInt32(q + 20);
      lines[w] = n;
      total += n;
      purchaseLines[w] = view.getInt32(q + 24);
    }
    offsets[k + 1] = w;
    // The days of an account mostly come in order already (the rollup is kept in key order).
    sortDays(ledger, offsets[k]!, w);
  }
  return { ledger, accounts, lines: total };
}

/**
 * The stored ledger rolled up per account and day, in one pass over `ledger_days`. An account is
 * named by its first ERP code in code-point order, with the ledger's name for that code; accounts with
 * several codes have their lines under one account already, so the analysis sees one client per
 * account. Accounts come in id order, which the analysis does not depend on, and each account's days
 * ascending, as it requires.
 */
export async function readStoredLedger(readers: readonly pg.ClientBase[]): Promise<StoredLedger> {
  if (readers.length === 0) throw new Error('readStoredLedger: no connection to read with');
  const { rows: [meta] } = await readers[0]!.query<{ import_id: string | null }>('select max(id) as import_id from imports');
  const parts = await Promise.all(readers.map(async (client, k) => {
    const reader = new RollupReader();
    await copyBinaryRowsOut(client, rollupStatement(idRange(k, readers.length)), 5, (row) => reader.take(row.buffer, row.starts, row.lengths));
    return reader;
  }));
  const { ledger, accounts, lines } = decodeRollup(parts);
  return { ledger, accounts, lines, importId: meta!.import_id === null ? null : Number(meta!.import_id) };
}

/**
 * The `k`th of `n` equal ranges of account ids, as SQL over `account_id`: ids are random (version 4),
 * so each range holds about the same share of the accounts, and the ranges follow each other in id
 * order.
 */
function idRange(k: number, n: number): string {
  const bound = (i: number): string => `'${Math.floor((i * 2 ** 32) / n).toString(16).padStart(8, '0')}-0000-0000-0000-000000000000'::uuid`;
  const conditions = [...(k > 0 ? [`account_id >= ${bound(k)}`] : []), ...(k < n - 1 ? [`account_id < ${bound(k + 1)}`] : [])];
  return conditions.length === 0 ? 'true' : conditions.join(' and ');
}

/**
 * Sorts entries s..e-1 of `ledger` by day, all arrays together: nothing to do when in order (the
 * usual case), insertion sort for a few entries, a sort of their positions for more.
 */
function sortDays(ledger: DailyLedger, s: number, e: number): void {
  const { days, revenue, margin, lines, purchaseLines } = ledger;
  let sorted = true;
  for (let i = s + 1; i < e && sorted; i++) sorted = days[i]! >= days[i - 1]!;
  if (sorted) return;
  if (e - s > 32) {
    const order = Array.from({ length: e - s }, (_, k) => s + k).sort((a, b) => days[a]! - days[b]!);
    const copy = <T extends Int32Array | Float64Array | Uint32Array>(a: T): void => {
      const values = order.map((k) => a[k]!);
      values.forEach((v, k) => { a[s + k] = v; });
    };
    copy(days);
    copy(revenue);
    copy(margin);
    copy(lines);
    copy(purchaseLines);
    return;
  }
  for (let i = s + 1; i < e; i++) {
    const d = days[i]!;
    if (d >= days[i - 1]!) continue;
    const rv = revenue[i]!;
    const mg = margin[i]!;
    const ln = lines[i]!;
    const pl = purchaseLines[i]!;
    let j = i - 1;
    while (j >= s && days[j]! > d) {
      days[j + 1] = days[j]!;
      revenue[j + 1] = revenue[j]!;
      margin[j + 1] = margin[j]!;
      lines[j + 1] = lines[j]!;
      purchaseLines[j + 1] = purchaseLines[j]!;
      j--;
    }
    days[j + 1] = d;
    revenue[j + 1] = rv;
    margin[j + 1] = mg;
    lines[j + 1] = ln;
    purchaseLines[j + 1] = pl;
  }
}
