/**
 * The import's own side, without a database: a ledger file read and validated, each line keyed to an
 * account, fingerprinted and written as a binary COPY row, and the file's rollup summed, exactly as
 * `kamerton import` does it (src/db/ledger-copy.ts), into a sink that discards the bytes. What it
 * measures is the Node work that runs beside PostgreSQL's COPY during an import, on the other core of
 * a two-core machine (docs/performance.md, "What the second step changed").
 *
 * `node --import tsx bench/import-node-side.ts LEDGER.csv` prints the lines, the seconds for the lines
 * and the COPY bytes, and the seconds for the rollup's rows of `ledger_days` and `ledger_packs`.
 */
import { Writable } from 'node:stream';
import type pg from 'pg';
import { LedgerCopy } from '../src/db/ledger-copy.ts';
import { readLedgerValues } from '../src/ingest/read-ledger.ts';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: bench/import-node-side.ts LEDGER.csv');
let bytes = 0;
// LedgerCopy asks its connection for a COPY stream and nothing else: a stand-in that counts bytes.
const sink = { query: () => new Writable({ write(chunk: Buffer, _encoding, done) { bytes += chunk.length; done(); } }) } as unknown as pg.ClientBase;
const started = performance.now();
const copy = new LedgerCopy(sink, 'ledger_lines', new Map(), 'erp', 1);
const info = await readLedgerValues(file, {}, (values) => copy.add(values), { drain: () => copy.drain() });
await copy.finish();
const read = performance.now();
const order = copy.rollup.keyOrder(() => true);
let rollupBytes = 0;
for (const chunk of copy.rollup.daysInKeyOrder(order)) rollupBytes += chunk.length;
for (const chunk of copy.rollup.packsInKeyOrder(order)) rollupBytes += chunk.length;
const rolled = performance.now();
console.log(
  `${info.lines} lines: ${((read - started) / 1000).toFixed(2)} s, ${(bytes / 1e6).toFixed(0)} MB of COPY rows; ` +
    `${copy.rollup.size} days of ${copy.rollup.accounts.length} accounts: ${((rolled - read) / 1000).toFixed(2)} s, ${(rollupBytes / 1e6).toFixed(0)} MB`,
);
