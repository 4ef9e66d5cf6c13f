/**
 * The SQL of analysis runs: the stored rollup read back as the analysis's `DailyLedger`, and a run's
 * results written. The rollup is read with COPY in PostgreSQL's text format and parsed here, because
 * a 10M-line ledger rolls up into millions of (account, day) rows and one JavaScript object per row,
 * as a plain query returns them, would cost more than the analysis itself.
 */
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { DailyLedger } from '../core/types.ts';

/** An account in the rollup: its id, the ERP code the analysis names it by, and the ledger's name for that code. */
export type RollupAccount = { accountId: string; code: string; name: string | null };

export type StoredLedger = { ledger: DailyLedger; accounts: RollupAccount[]; lines: number; importId: number | null };

/**
 * The stored ledger rolled up per account and day. An account is named by its first ERP code (in
 * code-point order) that has a ledger name, else its first code; accounts with several codes have
 * their lines under one account already, so the analysis sees one client per account.
 */
export async function readStoredLedger(client: pg.ClientBase): Promise<StoredLedger> {
  const { rows: accountRows } = await client.query<{ account_id: string; code: string; name: string | null }>(
    `select a.account_id, a.code, a.ledger_name as name
       from (select distinct account_id from ledger_days) as r
       cross join lateral (select c.account_id, c.code, c.ledger_name from account_codes c where c.account_id = r.account_id
                            order by c.code collate "C" limit 1) as a
      order by a.account_id`,
  );
  const { rows: [meta] } = await client.query<{ entries: string; lines: string | null; has_margin: boolean | null; import_id: string | null }>(
    `select count(*) as entries, sum(lines) as lines, bool_or(margin_lines > 0) as has_margin,
            (select max(id) from imports) as import_id from ledger_days`,
  );
  const entries = Number(meta!.entries);
  const accounts = accountRows.map((row) => ({ accountId: row.account_id, code: row.code, name: row.name }));
  const index = new Map(accounts.map((account, i) => [account.accountId, i]));
  const ledger: DailyLedger = {
    clients: accounts.map((account) => account.code),
    names: accounts.map((account) => account.name),
    offsets: new Int32Array(accounts.length + 1),
    days: new Int32Array(entries),
    revenue: new Float64Array(entries),
    margin: new Float64Array(entries),
    lines: new Uint32Array(entries),
    purchaseLines: new Uint32Array(entries),
    hasMargin: meta!.has_margin === true,
  };

  // Rows come ordered by account and day, so each account's days are one run of the arrays.
  const stream = client.query(copyTo(
    `copy (select account_id, day - date '1970-01-01', revenue, margin, lines, purchase_lines
             from ledger_days order by account_id, day) to stdout`,
  ));
  let w = 0;
  let current = -1;
  let rest = '';
  const take = (line: string): void => {
    const t1 = line.indexOf('\t');
    const t2 = line.indexOf('\t', t1 + 1);
    const t3 = line.indexOf('\t', t2 + 1);
    const t4 = line.indexOf('\t', t3 + 1);
    const t5 = line.indexOf('\t', t4 + 1);
    const accountId = line.slice(0, t1);
    const i = index.get(accountId);
    if (i === undefined) throw new Error(`ledger_days: account ${accountId} has no ERP code`);
    if (i !== current) {
      // Accounts are in the same order in both queries, so a new account is always the next one.
      for (let k = current + 1; k <= i; k++) ledger.offsets[k] = w;
      current = i;
    }
    ledger.days[w] = Number(line.slice(t1 + 1, t2));
    ledger.revenue[w] = Number(line.slice(t2 + 1, t3));
    ledger.margin[w] = Number(line.slice(t3 + 1, t4));
    ledger.lines[w] = Number(line.slice(t4 + 1, t5));
    ledger.purchaseLines[w] = Number(line.slice(t5 + 1));
    w++;
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const text = rest + chunk.toString('utf8');
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      take(text.slice(start, nl));
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest !== '') take(rest);
  if (w !== entries) throw new Error(`ledger_days changed while it was read (${w} rows, ${entries} expected)`);
  for (let k = current + 1; k <= accounts.length; k++) ledger.offsets[k] = w;
  return { ledger, accounts, lines: Number(meta!.lines ?? 0), importId: meta!.import_id === null ? null : Number(meta!.import_id) };
}
