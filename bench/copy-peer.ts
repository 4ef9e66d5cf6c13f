/**
 * The import benchmark's peer: the least work that puts a ledger file into PostgreSQL. A fresh table
 * of the file's shape, with no key, index or constraint, and one `COPY ... FROM STDIN (FORMAT csv)`
 * fed the file's bytes as they are, streamed from Node through `pg-copy-streams`: PostgreSQL parses the
 * CSV, Node only moves bytes.
 *
 * Run as a script (`node --import tsx bench/copy-peer.ts LEDGER.csv`, the database's URL in
 * KAMERTON_BENCH_COPY_URL, never in argv where `ps` shows it) it prints the number of rows copied;
 * the benchmark runs it in a child process of its own, as it runs `kamerton import`, so that both pay
 * Node's start-up and are measured the same way.
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** The benchmark's ledgers' columns, typed as a plain import would type them; money exact. */
export const COPY_TABLE_DDL = `create table ledger_copy (
  date date, client_id text, product_id text, quantity float8, revenue numeric, cost numeric
)`;

/** Creates the table in the database at `url` and copies the CSV file at `path` (with a header) into it; returns the rows copied. */
export async function copyLedger(url: string, path: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(COPY_TABLE_DDL);
    const copy = client.query(copyFrom(`copy ledger_copy from stdin (format csv, header true)`));
    await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), copy);
    return copy.rowCount;
  } finally {
    await client.end();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [path] = process.argv.slice(2);
  const url = process.env.KAMERTON_BENCH_COPY_URL;
  if (!path || !url) {
    console.error('usage: KAMERTON_BENCH_COPY_URL=postgres://... node --import tsx bench/copy-peer.ts LEDGER.csv');
    process.exit(2);
  }
  console.log(await copyLedger(url, path));
}
