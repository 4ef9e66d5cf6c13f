/**
 * The SQL of a ledger import, run on one connection inside the import's transaction
 * (src/app/import-ledger.ts owns the transaction and the reading). The file's lines are streamed with
 * COPY into a temporary staging table; everything after that is set-based SQL, so that the work grows
 * with the lines of the file and of the documents it replaces, never with the whole stored ledger:
 *
 * 1. the scope: the stored lines of the source that the file replaces (every document it holds, and
 *    for lines without a document, every such line dated within the file's span of them);
 * 2. the match: a stored line in scope and a file line with the same values (document and line
 *    number included) are the same line, unchanged; lines with equal values are paired one to one by
 *    their occurrence, so that a line repeated three times in the store and twice in the file leaves
 *    one removed;
 * 3. the change: removed lines are deleted, added lines inserted, and the per-account, per-day rollup
 *    (`ledger_days`) moves by the difference of the two, in the same transaction.
 *
 * Lines are matched by a 64-bit hash of their values (`fingerprint`), with every value compared again
 * on a match, so that a hash collision can at worst count a line as removed and added, never keep a
 * changed one.
 */
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Writable } from 'node:stream';
import type { LedgerLine } from '../ingest/types.ts';

/** The staging table's columns, in COPY order. Days are whole day numbers since 1970-01-01, as the readers give them. */
const STAGING_COLUMNS = `line integer not null, client_code text not null, day integer not null, document text,
  document_line text, product text, product_group text, quantity double precision, revenue bigint not null,
  cost bigint, margin bigint, due_day integer, paid_day integer`;

/**
 * The fingerprint of a staged line: PostgreSQL's 64-bit text hash of the row of its values. A row's
 * text form quotes and escapes each value, so distinct value lists give distinct texts. The stored
 * lines keep the fingerprint they were inserted with, computed by this same expression.
 */
const STAGED_FINGERPRINT = `hashtextextended(row(s.client_code, s.day, s.document, s.document_line, s.product,
  s.product_group, s.quantity, s.revenue, s.cost, s.margin, s.due_day, s.paid_day)::text, 0)`;

const EPOCH = `date '1970-01-01'`;

/** Every value of a stored line `o` equals the staged line `s`'s (nulls equal). */
const SAME_VALUES = `o.client_code = s.client_code and o.sale_date = ${EPOCH} + s.day
  and o.document is not distinct from s.document and o.document_line is not distinct from s.document_line
  and o.product is not distinct from s.product and o.product_group is not distinct from s.product_group
  and o.quantity is not distinct from s.quantity and o.revenue = s.revenue
  and o.cost is not distinct from s.cost and o.margin is not distinct from s.margin
  and o.due_date is not distinct from ${EPOCH} + s.due_day and o.paid_date is not distinct from ${EPOCH} + s.paid_day`;

/**
 * Prepares the connection for an import: a staging table that disappears at commit, and more memory
 * for the sorts and hashes of a large file. Must run first in the transaction, on a fresh connection,
 * because `temp_buffers` cannot change once the session has touched a temporary table.
 */
export async function beginStaging(client: pg.ClientBase): Promise<void> {
  await client.query(`set local temp_buffers = '256MB'`);
  await client.query(`set local work_mem = '256MB'`);
  // The fingerprint hashes the text of a double precision quantity: fix its form for every session.
  await client.query(`set local extra_float_digits = 1`);
  await client.query(`create temp table import_staging (${STAGING_COLUMNS}) on commit drop`);
}

/** One value in COPY's text format: `\N` for null, with the backslash, tab and line breaks escaped. */
function copyText(value: string | null): string {
  if (value === null) return '\\N';
  if (!/[\\\t\n\r]/.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

function copyNumber(value: number | null): string {
  return value === null ? '\\N' : String(value);
}

/**
 * A COPY into the staging table that takes ledger lines. `add` buffers a line; `drain` hands the
 * buffer to the connection and returns a promise when the connection wants the reader to wait.
 */
export type StagingWriter = {
  add(line: LedgerLine): void;
  drain(): Promise<void> | undefined;
  finish(): Promise<void>;
  abort(error: Error): void;
};

/** How many characters of COPY text are buffered before they are handed to the connection. */
const FLUSH_CHARS = 1 << 20;

export function openStagingCopy(client: pg.ClientBase): StagingWriter {
  const stream: Writable = client.query(copyFrom('copy import_staging from stdin'));
  let failure: Error | null = null;
  stream.on('error', (error: Error) => {
    failure ??= error;
  });
  let buffer = '';
  const flush = (): boolean => {
    if (buffer === '') return true;
    const ok = stream.write(buffer);
    buffer = '';
    return ok;
  };
  const waitForDrain = (): Promise<void> => new Promise<void>((resolve, reject) => {
    if (failure !== null) return reject(failure);
    const onDrain = (): void => {
      stream.off('error', onError);
      resolve();
    };
    const onError = (error: Error): void => {
      stream.off('drain', onDrain);
      reject(error);
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
  return {
    add(l) {
      buffer += `${l.line}\t${copyText(l.client)}\t${l.date}\t${copyText(l.document)}\t${copyText(l.documentLine)}\t` +
        `${copyText(l.product)}\t${copyText(l.group)}\t${copyNumber(l.quantity)}\t${l.revenue}\t${copyNumber(l.cost)}\t` +
        `${copyNumber(l.margin)}\t${copyNumber(l.dueDate)}\t${copyNumber(l.paidDate)}\n`;
    },
    drain() {
      if (failure !== null) return Promise.reject(failure);
      if (buffer.length < FLUSH_CHARS) return undefined;
      return flush() ? undefined : waitForDrain();
    },
    finish() {
      flush();
      return new Promise<void>((resolve, reject) => {
        if (failure !== null) return reject(failure);
        stream.once('finish', resolve);
        stream.once('error', reject);
        stream.end();
      });
    },
    abort(error) {
      failure ??= error;
      stream.destroy(error);
    },
  };
}

export type StagedSummary = {
  lines: number;
  documents: number;
  firstDay: number | null;
  lastDay: number | null;
  /** A (document, line number) pair the file holds twice: the first two lines that hold it. */
  repeatedKey: { document: string; documentLine: string; first: number; second: number } | null;
};

/** Gathers statistics on the staged lines (the planner needs them for a temporary table) and sums them up. */
export async function summariseStaging(client: pg.ClientBase): Promise<StagedSummary> {
  await client.query('analyze import_staging');
  const { rows: [totals] } = await client.query<{ lines: string; documents: string; first_day: number | null; last_day: number | null }>(
    `select count(*) as lines, count(distinct document) as documents, min(day) as first_day, max(day) as last_day from import_staging`,
  );
  const { rows: [repeated] } = await client.query<{ document: string; document_line: string; first: number; second: number }>(
    `select document, document_line, lines[1] as first, lines[2] as second
       from (select document, document_line, array_agg(line order by line) as lines
               from import_staging where document is not null and document_line is not null
              group by document, document_line having count(*) > 1) as twice
      order by lines[2] limit 1`,
  );
  return {
    lines: Number(totals!.lines),
    documents: Number(totals!.documents),
    firstDay: totals!.first_day,
    lastDay: totals!.last_day,
    repeatedKey: repeated === undefined
      ? null
      : { document: repeated.document, documentLine: repeated.document_line, first: repeated.first, second: repeated.second },
  };
}

/**
 * Gives every client code of the file an account: codes no account holds get a new, unassigned
 * account (named by the ledger's client name, else by the code), recorded under the import and in
 * the accounts' history. Codes whose ledger name is still unknown take the file's. Returns the new
 * accounts' codes and ids, in code order.
 */
export async function ensureAccountsForCodes(
  client: pg.ClientBase,
  importId: number,
  userId: string | null,
  names: ReadonlyMap<string, string | null>,
): Promise<{ code: string; accountId: string }[]> {
  await client.query(`create temp table import_codes (code text primary key, name text) on commit drop`);
  const codes = [...names.keys()];
  const BATCH = 10_000;
  for (let i = 0; i < codes.length; i += BATCH) {
    const part = codes.slice(i, i + BATCH);
    await client.query(
      `insert into import_codes (code, name) select * from unnest($1::text[], $2::text[])`,
      [part, part.map((code) => names.get(code) ?? null)],
    );
  }
  const { rows: created } = await client.query<{ code: string; account_id: string }>(
    `with fresh as (
       select c.code, c.name, gen_random_uuid() as id from import_codes c
        where not exists (select 1 from account_codes a where a.code = c.code)
     ), made as (
       insert into accounts (id, name, status) select id, coalesce(name, code), 'active' from fresh
     ), coded as (
       insert into account_codes (code, account_id, ledger_name) select code, id, name from fresh
     ), listed as (
       insert into import_new_accounts (import_id, code, account_id) select $1, code, id from fresh
     ), recorded as (
       insert into history (user_id, entity, entity_id, account_id, action, new_value)
       select $2::uuid, 'account', id, id, 'create',
              json_build_object('id', id, 'name', coalesce(name, code), 'status', 'active', 'codes', json_build_array(code),
                                'source', 'ledger import', 'importId', $1::bigint)::text
         from fresh
     )
     select code, id as account_id from fresh order by code`,
    [importId, userId],
  );
  await client.query(
    `update account_codes a set ledger_name = c.name from import_codes c
      where a.code = c.code and a.ledger_name is null and c.name is not null`,
  );
  return created.map((row) => ({ code: row.code, accountId: row.account_id }));
}

export type LedgerChange = { unchanged: number; added: number; removed: number };

/**
 * Replaces the stored lines of `source` in the file's scope by the staged lines, writing only the
 * difference, and moves the rollup by it. `firstUndocumented` and `lastUndocumented` are the span of
 * the staged lines without a document (null when there are none).
 */
export async function replaceScope(client: pg.ClientBase, source: string, importId: number): Promise<LedgerChange> {
  // The stored lines the file replaces, by their row address: the same transaction deletes them,
  // and nothing else writes the ledger meanwhile (the import holds the ledger's lock).
  const { rows: [span] } = await client.query<{ first_day: number | null; last_day: number | null }>(
    `select min(day) as first_day, max(day) as last_day from import_staging where document is null`,
  );
  await client.query(
    `create temp table import_old on commit drop as
     select o.ctid as rid, o.* from ledger_lines o
      where o.source = $1 and o.document in (select distinct document from import_staging where document is not null)
     union all
     select o.ctid as rid, o.* from ledger_lines o
      where o.source = $1 and o.document is null and o.sale_date between ${EPOCH} + $2::integer and ${EPOCH} + $3::integer`,
    [source, span!.first_day, span!.last_day],
  );
  const { rows: [old] } = await client.query<{ n: string }>('select count(*) as n from import_old');
  const oldLines = Number(old!.n);

  // Staged lines that match a stored one, by line number of the file; empty on a first import.
  await client.query('create temp table import_kept (line integer primary key, rid tid not null) on commit drop');
  if (oldLines > 0) {
    await client.query('analyze import_old');
    await client.query(
      `insert into import_kept (line, rid)
       select s.line, o.rid
         from (select s.*, ${STAGED_FINGERPRINT} as fingerprint,
                      row_number() over (partition by ${STAGED_FINGERPRINT}) as occurrence
                 from import_staging s) as s
         join (select o.*, row_number() over (partition by o.fingerprint) as occurrence from import_old o) as o
           on o.fingerprint = s.fingerprint and o.occurrence = s.occurrence and ${SAME_VALUES}`,
    );
  }
  const { rows: [kept] } = await client.query<{ n: string }>('select count(*) as n from import_kept');
  const unchanged = Number(kept!.n);
  const removed = oldLines - unchanged;
  const { rows: [staged] } = await client.query<{ n: string }>('select count(*) as n from import_staging');
  const added = Number(staged!.n) - unchanged;

  // The rollup moves by the added lines less the removed ones, per account and day.
  await client.query(
    `create temp table import_delta on commit drop as
     select account_id, day, sum(sign * revenue) as revenue, sum(sign * coalesce(margin, 0)) as margin,
            sum(sign * (margin is not null)::integer) as margin_lines, sum(sign) as lines,
            sum(sign * (revenue >= 0)::integer) as purchase_lines
       from (select o.account_id, o.sale_date as day, o.revenue, o.margin, -1 as sign from import_old o
              where not exists (select 1 from import_kept k where k.rid = o.rid)
             union all
             select c.account_id, ${EPOCH} + s.day, s.revenue, s.margin, 1 from import_staging s
               join account_codes c on c.code = s.client_code
              where not exists (select 1 from import_kept k where k.line = s.line)) as change
      group by account_id, day`,
  );
  if (removed > 0) {
    await client.query(
      `delete from ledger_lines l using import_old o
        where l.ctid = o.rid and not exists (select 1 from import_kept k where k.rid = o.rid)`,
    );
  }
  if (added > 0) {
    await client.query(
      `insert into ledger_lines (account_id, source, client_code, sale_date, document, document_line, product, product_group,
                                 quantity, revenue, cost, margin, due_date, paid_date, fingerprint, import_id)
       select c.account_id, $1, s.client_code, ${EPOCH} + s.day, s.document, s.document_line, s.product, s.product_group,
              s.quantity, s.revenue, s.cost, s.margin, ${EPOCH} + s.due_day, ${EPOCH} + s.paid_day, ${STAGED_FINGERPRINT}, $2
         from import_staging s join account_codes c on c.code = s.client_code
        where not exists (select 1 from import_kept k where k.line = s.line)`,
      [source, importId],
    );
  }
  // Days already rolled up move by the delta; new days are inserted. (Not INSERT ... ON CONFLICT:
  // PostgreSQL checks the proposed row, a negative delta, against the table's check first.)
  await client.query(
    `update ledger_days d
        set revenue = d.revenue + x.revenue, margin = d.margin + x.margin, margin_lines = d.margin_lines + x.margin_lines,
            lines = d.lines + x.lines, purchase_lines = d.purchase_lines + x.purchase_lines
       from import_delta x where d.account_id = x.account_id and d.day = x.day`,
  );
  await client.query(
    `insert into ledger_days (account_id, day, revenue, margin, margin_lines, lines, purchase_lines)
     select account_id, day, revenue, margin, margin_lines, lines, purchase_lines from import_delta x
      where x.lines > 0 and not exists (select 1 from ledger_days d where d.account_id = x.account_id and d.day = x.day)`,
  );
  await client.query(
    `delete from ledger_days d using import_delta x where d.account_id = x.account_id and d.day = x.day and d.lines = 0`,
  );
  return { unchanged, added, removed };
}
