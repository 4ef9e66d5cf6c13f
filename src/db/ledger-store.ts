/**
 * The SQL of a ledger import, run on one connection inside the import's transaction
 * (src/app/import-ledger.ts owns the transaction and the reading). The file's lines are streamed with
 * COPY (src/db/ledger-copy.ts), keyed to their accounts and fingerprinted on the way, and the
 * per-account, per-day rollup of the file is summed in memory as they pass, so that the database never
 * aggregates the file's lines:
 *
 * - a source's first import COPYs straight into `ledger_lines`: nothing is replaced, every line is new;
 * - later imports COPY into a temporary table of the same shape, find the stored lines the file
 *   replaces (the scope: every document it holds, and for lines without a document, every such line
 *   dated within the file's span of them), pair them with the file's lines of equal values (document
 *   and line number included; equal lines one to one by their occurrence), delete the stored lines
 *   left unpaired and insert the file's lines left unpaired. Work grows with the file and the
 *   documents it replaces, never with the whole stored ledger;
 * - the rollup (`ledger_days`) moves by the file's rollup on a first import, and otherwise by the lines
 *   deleted and inserted, summed as they are written.
 *
 * Lines are paired by a 53-bit hash of their values (`fingerprint`), with every value compared again,
 * so that a hash collision can at worst count a line as removed and added, never keep a changed one.
 */
import type pg from 'pg';
import { formatDay } from '../core/calendar.ts';
import { quoteIdentifier } from './client.ts';
import { copyRows, copyValue } from './copy.ts';
import { DAY_COLUMNS, LINE_COLUMNS, type LedgerCopy } from './ledger-copy.ts';
import { PACKED_DAYS } from './packed-days.ts';

/** Every value of stored line `o` equals the file's line `s`'s (nulls equal). */
const SAME_VALUES = `o.client_code = s.client_code and o.sale_date = s.sale_date
  and o.document is not distinct from s.document and o.document_line is not distinct from s.document_line
  and o.product is not distinct from s.product and o.product_group is not distinct from s.product_group
  and o.quantity is not distinct from s.quantity and o.revenue = s.revenue
  and o.cost is not distinct from s.cost and o.margin is not distinct from s.margin
  and o.due_date is not distinct from s.due_date and o.paid_date is not distinct from s.paid_date`;

/** The advisory lock key of the stored ledger ("kamerton" in ASCII): imports, and whatever else writes it, take turns. */
export const LEDGER_LOCK = 0x6b616d6572746f6en;

/** The ERP codes known before the import, with their accounts; `stored` tells whether the source has lines. */
export async function loadLedgerKeys(
  client: pg.ClientBase,
  source: string,
): Promise<{ codes: Map<string, string>; stored: boolean; empty: boolean }> {
  const { rows } = await client.query<{ code: string; account_id: string }>('select code, account_id from account_codes');
  const { rows: [found] } = await client.query<{ stored: boolean; empty: boolean }>(
    // The imports' records say whether the source has lines without reading the ledger (a source with
    // few lines among many would cost a scan); a record whose lines were deleted since only sends the
    // import down the staging path, which is right in any case.
    `select exists (select 1 from imports where source = $1 and added > 0) as stored, not exists (select 1 from ledger_lines) and not exists (select 1 from ledger_days) as empty`,
    [source],
  );
  return { codes: new Map(rows.map((row) => [row.code, row.account_id])), stored: found!.stored, empty: found!.empty };
}

/**
 * Readies an empty ledger for a first load, as PostgreSQL's guide to populating a database advises,
 * and returns what completes it once the rows are in:
 *
 * - the ledger's tables are truncated (they are empty), which gives them new files in this transaction:
 *   under `wal_level = minimal` (the embedded server's setting, src/db/embedded-postgres.ts) PostgreSQL
 *   then writes their rows without WAL and syncs the files at commit (2M lines copied server-side: 2.0 s
 *   and 0.3 s at commit, against 3.4-3.6 s with WAL);
 * - the per-account index of the lines is dropped and built afterwards, and so is the rollup's primary
 *   key: PostgreSQL builds a B-tree from sorted rows several times faster than it inserts them one by
 *   one (on the 1M-line benchmark the account index doubled the COPY's time).
 *
 * The definitions are read from the database, so the migrations stay their only source. Only for an
 * empty ledger: the truncation and the drops lock the tables against readers until the import
 * commits, which is no loss when they hold nothing.
 */
export async function prepareEmptyLoad(client: pg.ClientBase): Promise<() => Promise<void>> {
  const { rows: [found] } = await client.query<{ index: string; key_name: string; key: string }>(
    `select pg_get_indexdef('ledger_lines_account'::regclass) as index, c.conname as key_name, pg_get_constraintdef(c.oid) as key
       from pg_constraint c where c.conrelid = 'ledger_days'::regclass and c.contype = 'p'`,
  );
  await client.query('truncate ledger_lines, ledger_days, ledger_packs');
  await client.query('drop index ledger_lines_account');
  await client.query(`alter table ledger_days drop constraint ${quoteIdentifier(found!.key_name)}`);
  return async () => {
    await client.query(`set local maintenance_work_mem = '512MB'`);
    await client.query(`alter table ledger_days add constraint ${quoteIdentifier(found!.key_name)} ${found!.key}`);
    await client.query(found!.index);
  };
}

/**
 * Creates the accounts of the codes no account held: unassigned, named by the ledger's client name
 * (else by the code), listed under the import and recorded in the accounts' history. Codes whose
 * ledger name is still unknown take the file's.
 */
export async function createNewAccounts(client: pg.ClientBase, importId: number, userId: string | null, copy: LedgerCopy): Promise<{ code: string; accountId: string }[]> {
  const created = [...copy.newAccounts].map(([code, accountId]) => ({ code, accountId, name: copy.names.get(code) ?? null }));
  if (created.length > 0) {
    // One COPY and one statement per table, in the accounts' key order so that their primary key's
    // B-tree grows at its end; the history's JSON is made here rather than by json_build_object, which
    // took half of that insert (measured with 100k accounts: 1.75 s against 0.92 s).
    created.sort((a, b) => (a.accountId < b.accountId ? -1 : 1));
    await client.query('create temp table import_fresh (code text, id uuid, ledger_name text, created text) on commit drop');
    await copyRows(client, 'copy import_fresh (code, id, ledger_name, created) from stdin', (function* () {
      let chunk = '';
      for (const { code, accountId, name } of created) {
        const record = { id: accountId, name: name ?? code, status: 'active', codes: [code], source: 'ledger import', importId };
        chunk += `${copyValue(code)}\t${accountId}\t${copyValue(name)}\t${copyValue(JSON.stringify(record))}\n`;
        if (chunk.length >= 1 << 20) {
          yield chunk;
          chunk = '';
        }
      }
      yield chunk;
    })());
    await client.query(`insert into accounts (id, name, status) select id, coalesce(ledger_name, code), 'active' from import_fresh`);
    await client.query('insert into account_codes (code, account_id, ledger_name) select code, id, ledger_name from import_fresh');
    await client.query('insert into import_new_accounts (import_id, code, account_id) select $1, code, id from import_fresh', [importId]);
    await client.query(
      `insert into history (user_id, entity, entity_id, account_id, action, new_value)
       select $1::uuid, 'account', id, id, 'create', created from import_fresh`,
      [userId],
    );
  }
  const BATCH = 10_000;
  const named = [...copy.names].filter(([code]) => !copy.newAccounts.has(code));
  for (let i = 0; i < named.length; i += BATCH) {
    const part = named.slice(i, i + BATCH);
    await client.query(
      `update account_codes a set ledger_name = n.name from unnest($1::text[], $2::text[]) as n(code, name)
        where a.code = n.code and a.ledger_name is null`,
      [part.map(([code]) => code), part.map(([, name]) => name)],
    );
  }
  return created.map(({ code, accountId }) => ({ code, accountId })).sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/**
 * A document line the staged file holds twice: the COPY rows (1-based) of its first two lines. The
 * unique index catches this on a source's first import; staged lines are checked here.
 */
export async function findRepeatedStagedKey(client: pg.ClientBase): Promise<{ document: string; documentLine: string; rows: [number, number] } | null> {
  const { rows: [row] } = await client.query<{ document: string; document_line: string; first: string; second: string }>(
    `select document, document_line, rows[1] as first, rows[2] as second
       from (select document, document_line, array_agg(n order by n) as rows
               from (select document, document_line, row_number() over (order by ctid) as n from import_staging) as numbered
              where document is not null and document_line is not null
              group by document, document_line having count(*) > 1) as twice
      order by rows[2] limit 1`,
  );
  return row === undefined ? null : { document: row.document, documentLine: row.document_line, rows: [Number(row.first), Number(row.second)] };
}

/** The staging table of an import into a source that has lines: ledger_lines's shape, dropped at commit. */
export async function createStaging(client: pg.ClientBase): Promise<void> {
  await client.query('create temp table import_staging (like ledger_lines) on commit drop');
}

export type LedgerChange = { unchanged: number; added: number; removed: number };

/** The rollup's change, per account and day, that `moveRollup` applies; rows of one day may repeat. */
async function createDelta(client: pg.ClientBase): Promise<void> {
  await client.query(
    `create temp table import_delta (account_id uuid, day date, revenue bigint, margin bigint, margin_lines integer,
       lines integer, purchase_lines integer) on commit drop`,
  );
}

/**
 * Replaces the stored lines of `source` in the file's scope by the staged ones, writing only the
 * difference. Returns the counts and leaves the rollup's change in `import_delta` for `moveRollup`.
 */
export async function replaceScope(client: pg.ClientBase, source: string, copy: LedgerCopy): Promise<LedgerChange> {
  await client.query('analyze import_staging');
  await client.query('create temp table import_documents (document text primary key) on commit drop');
  const documents = [...copy.documents];
  const BATCH = 50_000;
  for (let i = 0; i < documents.length; i += BATCH) {
    await client.query('insert into import_documents select unnest($1::text[])', [documents.slice(i, i + BATCH)]);
  }
  const span = copy.undocumented;
  // `= any(array(...))` rather than `in (select ...)`: PostgreSQL then looks each document up in the
  // index instead of hashing the whole source's lines (measured on 1M stored lines: 55 ms against 548).
  await client.query(
    `create temp table import_old on commit drop as
     select o.ctid as rid, o.* from ledger_lines o
      where o.source = $1 and o.document = any(array(select document from import_documents))
     union all
     select o.ctid as rid, o.* from ledger_lines o
      where o.source = $1 and o.document is null and o.sale_date between $2::date and $3::date`,
    [source, span === null ? null : formatDay(span.first), span === null ? null : formatDay(span.last)],
  );
  const { rows: [old] } = await client.query<{ n: string }>('select count(*) as n from import_old');
  const oldLines = Number(old!.n);
  // Lines are named by their place in the table (ctid, with the account: see the delete below): no
  // other writer runs while the import holds the ledger's lock, and nothing moves a row within a
  // transaction that has read its table.
  // No index: the kept pairs are only ever read whole, by hash anti-joins.
  await client.query('create temp table import_kept (staged tid not null, stored tid not null) on commit drop');
  if (oldLines > 0) {
    await client.query('analyze import_old');
    await client.query(
      `insert into import_kept (staged, stored)
       select s.rid, o.rid
         from (select s.ctid as rid, s.*, row_number() over (partition by s.fingerprint) as occurrence from import_staging s) as s
         join (select o.*, row_number() over (partition by o.fingerprint) as occurrence from import_old o) as o
           on o.fingerprint = s.fingerprint and o.occurrence = s.occurrence and ${SAME_VALUES}`,
    );
  }
  const { rows: [kept] } = await client.query<{ n: string }>('select count(*) as n from import_kept');
  const unchanged = Number(kept!.n);
  const removed = oldLines - unchanged;
  const added = copy.lines - unchanged;
  // The rollup moves by the lines that go and the lines that come, summed as they are written: a file
  // whose lines are all unchanged moves nothing and costs no aggregate.
  await createDelta(client);
  if (removed > 0) {
    // A line is named by its account and its place: the place alone finds it (a TID scan), and the
    // account confines the place to the shard that holds the account's lines when the ledger is
    // distributed by account, where the same place exists in every shard (docs/scaling.md).
    await client.query(
      `create temp table import_gone on commit drop as
       select o.account_id, o.rid from import_old o where not exists (select 1 from import_kept k where k.stored = o.rid)`,
    );
    await client.query(
      `with gone as (
         delete from ledger_lines
          where ctid = any(array(select rid from import_gone)) and (account_id, ctid) in (select account_id, rid from import_gone)
         returning account_id, sale_date, revenue, margin)
       insert into import_delta
       select account_id, sale_date, -sum(revenue), -sum(coalesce(margin, 0)), -count(margin), -count(*),
              -count(*) filter (where revenue >= 0)
         from gone group by account_id, sale_date`,
    );
  }
  if (added > 0) {
    await client.query(
      `with came as (
         insert into ledger_lines (${LINE_COLUMNS})
         select ${LINE_COLUMNS} from import_staging s where not exists (select 1 from import_kept k where k.staged = s.ctid)
         returning account_id, sale_date, revenue, margin)
       insert into import_delta
       select account_id, sale_date, sum(revenue), sum(coalesce(margin, 0)), count(margin), count(*),
              count(*) filter (where revenue >= 0)
         from came group by account_id, sale_date`,
    );
  }
  // Kept lines stay as they were stored: same values, and the import that first brought them.
  return { unchanged, added, removed };
}

/**
 * Moves the rollup: after `replaceScope`, by the change it left in `import_delta`; on a source's first
 * import, by the file's rollup summed as it was read. Days already rolled up change, new days are
 * inserted, emptied days go. (Not INSERT ... ON CONFLICT: PostgreSQL checks the proposed row, a
 * negative delta, against the table's check first.)
 */
export async function moveRollup(client: pg.ClientBase, copy: LedgerCopy, replaced: boolean): Promise<void> {
  if (!replaced) {
    await createDelta(client);
    const fresh = new Set(copy.newAccounts.values());
    const rollup = copy.rollup;
    // The days of accounts this import created cannot be in the rollup yet: they go straight into it.
    // The others are a delta, added to the stored days.
    if (fresh.size > 0) {
      const order = rollup.keyOrder((a) => fresh.has(a.id));
      await copyRows(client, `copy ledger_days (${DAY_COLUMNS}) from stdin with (format binary)`, rollup.daysInKeyOrder(order));
      await copyRows(client, 'copy ledger_packs (account_id, has_margin, days) from stdin with (format binary)', rollup.packsInKeyOrder(order));
    }
    if (fresh.size < rollup.accounts.length) {
      await copyRows(client, `copy import_delta (${DAY_COLUMNS}) from stdin with (format binary)`, rollup.daysInKeyOrder(rollup.keyOrder((a) => !fresh.has(a.id))));
    }
  }
  // Days whose lines did not change net to zero and are left alone.
  await client.query(
    `create temp table import_net on commit drop as
     select * from (select account_id, day, sum(revenue) as revenue, sum(margin) as margin, sum(margin_lines) as margin_lines,
                           sum(lines) as lines, sum(purchase_lines) as purchase_lines
                      from import_delta group by account_id, day) as net
      where revenue <> 0 or margin <> 0 or margin_lines <> 0 or lines <> 0 or purchase_lines <> 0`,
  );
  await client.query(
    `update ledger_days d
        set revenue = d.revenue + x.revenue, margin = d.margin + x.margin, margin_lines = d.margin_lines + x.margin_lines,
            lines = d.lines + x.lines, purchase_lines = d.purchase_lines + x.purchase_lines
       from import_net x where d.account_id = x.account_id and d.day = x.day`,
  );
  await client.query(
    `insert into ledger_days (${DAY_COLUMNS})
     select ${DAY_COLUMNS} from import_net x
      where x.lines > 0 and not exists (select 1 from ledger_days d where d.account_id = x.account_id and d.day = x.day)`,
  );
  await client.query(
    `delete from ledger_days d using (select account_id, day from import_net where lines < 0) as x
      where d.account_id = x.account_id and d.day = x.day and d.lines = 0`,
  );
  // The packed rollup of every account whose days changed, packed anew from its days; an account left
  // without days loses its row.
  await client.query('delete from ledger_packs p where p.account_id in (select account_id from import_net)');
  await client.query(
    `insert into ledger_packs (account_id, has_margin, days)
     select account_id, bool_or(margin_lines <> 0), ${PACKED_DAYS} from ledger_days
      where account_id in (select account_id from import_net) group by account_id`,
  );
}
