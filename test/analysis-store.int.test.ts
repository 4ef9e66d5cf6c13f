/**
 * The stored ledger read back for an analysis run, over one connection or several sharing a
 * snapshot, and the binary COPY the run stores its results with, against the text COPY it replaced.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { beforeAll, expect, it } from 'vitest';
import { generateLedger } from '../bench/generate-ledger.ts';
import { SYSTEM_ACTOR } from '../src/app/actor.ts';
import { importLedger } from '../src/app/import-ledger.ts';
import { readStoredLedger, type StoredLedger } from '../src/db/analysis-store.ts';
import { BinaryCopyWriter } from '../src/db/binary-copy.ts';
import { copyRows, copyValue } from '../src/db/copy.ts';
import { describeDatabases } from './database.ts';

/** Reads the stored ledger over `connections` connections in one repeatable-read snapshot. */
async function readOver(pool: pg.Pool, connections: number, meanwhile?: () => Promise<void>): Promise<StoredLedger> {
  const clients = await Promise.all(Array.from({ length: connections }, () => pool.connect()));
  try {
    await clients[0]!.query('begin isolation level repeatable read');
    const { rows: [exported] } = await clients[0]!.query<{ snapshot: string }>('select pg_export_snapshot() as snapshot');
    for (const client of clients.slice(1)) {
      await client.query('begin isolation level repeatable read');
      await client.query(`set transaction snapshot '${exported!.snapshot}'`);
    }
    await meanwhile?.();
    return await readStoredLedger(clients);
  } finally {
    for (const client of clients) {
      await client.query('rollback');
      client.release();
    }
  }
}

describeDatabases('the stored ledger read for an analysis run', (get) => {
  beforeAll(async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kamerton-store-')), 'synthetic.csv');
    generateLedger(path, { lines: 20_000, clients: 600, seed: 11, from: '2024-01-01', to: '2025-06-30' });
    await importLedger(get().pool, SYSTEM_ACTOR, { path });
  });

  it('gives the same ledger over two and three connections as over one, accounts in id order', async () => {
    const one = await readOver(get().pool, 1);
    expect(one.ledger.clients).toHaveLength(600);
    expect(one.ledger.hasMargin).toBe(true);
    const ids = one.accounts.map((account) => account.accountId);
    expect(ids).toEqual([...ids].sort());
    for (const k of one.ledger.offsets.keys()) {
      if (k === 0) continue;
      for (let i = one.ledger.offsets[k - 1]! + 1; i < one.ledger.offsets[k]!; i++) expect(one.ledger.days[i]!).toBeGreaterThan(one.ledger.days[i - 1]!);
    }
    expect(await readOver(get().pool, 2)).toEqual(one);
    expect(await readOver(get().pool, 3)).toEqual(one);
  });

  it('reads every connection in the first one\'s snapshot: a change committed meanwhile is seen by none', async () => {
    const { pool } = get();
    const before = await readOver(pool, 1);
    await pool.query('create table packs_kept as select * from ledger_packs');
    const during = await readOver(pool, 2, async () => {
      await pool.query('delete from ledger_packs');
    });
    expect(during).toEqual(before);
    const after = await readOver(pool, 2);
    expect(after.accounts).toEqual([]);
    await pool.query('insert into ledger_packs select * from packs_kept');
    await pool.query('drop table packs_kept');
    expect(await readOver(pool, 2)).toEqual(before);
  });

  it('writes values in the binary COPY format as the text format stores them', async () => {
    const { pool } = get();
    const numbers = [0, -0, 5, -5, 1234.56, 0.005, -0.005, 1.005, 2.675, 0.1 + 0.2, 1e-7, -1.5e-9, 123456789012.34, 9999999999999.99, 1 / 3, null];
    const floats = [0, 0.1, -1e-300, 1 / 3, 1e300, Number.NaN, Number.POSITIVE_INFINITY, null];
    const dates = ['2024-02-29', '1999-12-31', '2000-01-01', '1970-01-01', null];
    const texts = ['plain', 'Zażółć gęślą jaźń', 'tab\there, back\\slash, new\nline', '', null];
    const arrays = [[], ['breadwinner'], ['image-maker', 'expert']];
    const rows = Array.from({ length: Math.max(numbers.length, floats.length, dates.length, texts.length, arrays.length) }, (_, i) => ({
      id: i,
      numeric: numbers[i % numbers.length]!,
      float: floats[i % floats.length]!,
      date: dates[i % dates.length]!,
      text: texts[i % texts.length]!,
      array: arrays[i % arrays.length]!,
      uuid: `0000000${i % 10}-1234-4abc-8def-0123456789ab`,
      flag: i % 2 === 0,
    }));
    const client = await pool.connect();
    try {
      await client.query(`create temporary table copied (kind text, id bigint, n numeric(18,2), f float8, d date, t text, a text[], u uuid, b bool, i integer)`);
      const columns = 'copied (kind, id, n, f, d, t, a, u, b, i)';
      await copyRows(client, `copy ${columns} from stdin`, [
        rows.map((r) => `${['text', r.id, r.numeric, r.float, r.date, r.text, `{${r.array.join(',')}}`, r.uuid, r.flag ? 't' : 'f', r.id].map(copyValue).join('\t')}\n`).join(''),
      ]);
      const out = new BinaryCopyWriter();
      for (const r of rows) {
        out.row(10);
        out.text('binary');
        out.int8(r.id);
        out.numeric(r.numeric);
        out.float8(r.float);
        out.isoDate(r.date);
        out.text(r.text);
        out.textArray(r.array);
        out.uuid(r.uuid);
        out.bool(r.flag);
        out.int4(r.id);
      }
      await copyRows(client, `copy ${columns} from stdin with (format binary)`, [out.end()]);
      const read = async (kind: string) =>
        (await client.query(`select id, n::text, f::text, d::text, t, a::text, u::text, b, i from copied where kind = $1 order by id`, [kind])).rows;
      const text = await read('text');
      expect(text).toHaveLength(rows.length);
      expect(await read('binary')).toEqual(text);
    } finally {
      await client.query('drop table if exists copied');
      client.release();
    }
  });
});
