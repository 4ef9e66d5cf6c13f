/**
 * The sales ledger as imported from the ERP: its lines, their per-account, per-day rollup, and the
 * record of every import run.
 *
 * `ledger_lines` and `ledger_days` carry no foreign key to `accounts`: a 10M-line import would run
 * PostgreSQL's referential check once per inserted row (a query each), which costs more than the
 * rest of the insert. The import use-case is the only writer and creates the accounts it refers to
 * in the same transaction, and deleting an account deletes its ledger rows (src/app/accounts.ts).
 * Both tables are keyed first by account, so that they can be distributed by `account_id` on Citus
 * (docs/scaling.md).
 */
import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, check, customType, date, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './users.ts';

/**
 * One accepted ledger line. Money is in integer minor units (grosze), as the analysis sums it, so a
 * sum never depends on the order of lines; `margin` is null when the file had neither a cost nor a
 * margin column. `fingerprint` is a 53-bit hash of the line's values (document and line number
 * included, src/db/ledger-store.ts), which the import pairs a file's lines with the stored ones by.
 */
export const ledgerLines = pgTable('ledger_lines', {
  // No key column of its own: a line is what its values say (its fingerprint pairs it with a file's
  // line), and the import names the lines it replaces by account and place (ctid) under the ledger's
  // lock. A bigserial key cost a sequence call and a B-tree insert for every line of every load (of
  // the 10 s the three indexes of that time added to a 10M-line load, the other two cost next to none).
  accountId: uuid('account_id').notNull(),
  source: text('source').notNull(),
  clientCode: text('client_code').notNull(),
  saleDate: date('sale_date', { mode: 'string' }).notNull(),
  document: text('document'),
  documentLine: text('document_line'),
  product: text('product'),
  productGroup: text('product_group'),
  quantity: doublePrecision('quantity'),
  revenue: bigint('revenue', { mode: 'number' }).notNull(),
  cost: bigint('cost', { mode: 'number' }),
  margin: bigint('margin', { mode: 'number' }),
  dueDate: date('due_date', { mode: 'string' }),
  paidDate: date('paid_date', { mode: 'string' }),
  fingerprint: bigint('fingerprint', { mode: 'number' }).notNull(),
  importId: bigint('import_id', { mode: 'number' }).notNull(),
}, (t) => [
  // The documents an import replaces are found by this index, and it refuses a file that holds a
  // document line twice (lines without a number are null there, and nulls are distinct).
  uniqueIndex('ledger_lines_document').on(t.source, t.document, t.documentLine).where(sql`${t.document} is not null`),
  // Lines arrive roughly in date order, so a block range index finds a span of days for a fraction
  // of a B-tree's upkeep; imports without documents replace by date span.
  index('ledger_lines_day').using('brin', t.saleDate),
  index('ledger_lines_account').on(t.accountId, t.saleDate),
]);

/**
 * The ledger rolled up per account and per day, kept by every import in its own transaction, so that
 * an analysis reads this and never the lines. The columns are those of the analysis's `DailyLedger`
 * (src/core/types.ts); `margin_lines` counts the lines that had a margin, which tells whether the
 * ledger has one at all.
 */
export const ledgerDays = pgTable('ledger_days', {
  accountId: uuid('account_id').notNull(),
  day: date('day', { mode: 'string' }).notNull(),
  revenue: bigint('revenue', { mode: 'number' }).notNull(),
  margin: bigint('margin', { mode: 'number' }).notNull(),
  marginLines: integer('margin_lines').notNull(),
  lines: integer('lines').notNull(),
  purchaseLines: integer('purchase_lines').notNull(),
}, (t) => [
  primaryKey({ columns: [t.accountId, t.day] }),
  check('ledger_days_lines', sql`${t.lines} >= 0 and ${t.purchaseLines} between 0 and ${t.lines} and ${t.marginLines} between 0 and ${t.lines}`),
]);

/** PostgreSQL's bytea, which drizzle's pg-core has no column for: a Buffer each way. */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/**
 * The rollup once more, one row an account: its days packed in day order (src/db/packed-days.ts
 * defines the bytes), and whether any day has a margin. Kept by every
 * import with `ledger_days`, in the same transaction, for the accounts it touched, so that an analysis
 * run reads 100,000 rows instead of aggregating 2.6M days on every run (on the 10M-line benchmark the
 * aggregation was a third of the run, src/db/analysis-store.ts). `ledger_days` stays the rollup that
 * imports update and that queries by day read; this is its packed copy, rebuilt from it per account.
 * Migration 0004 stores `days` uncompressed (STORAGE EXTERNAL): PostgreSQL's compression of the
 * large ones took 1.6 of the 2.5 s of their COPY on a first 10M-line import, and every run would pay
 * their decompression.
 */
export const ledgerPacks = pgTable('ledger_packs', {
  accountId: uuid('account_id').primaryKey(),
  hasMargin: boolean('has_margin').notNull(),
  days: bytea('days').notNull(),
});

/** One run of `kamerton import` or an upload: what came in and what it changed. */
export const imports = pgTable('imports', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  source: text('source').notNull(),
  fileName: text('file_name').notNull(),
  sha256: text('sha256').notNull(),
  format: text('format', { enum: ['csv', 'xlsx'] }).notNull(),
  /** Null when run by the system (the demo). */
  userId: uuid('user_id').references(() => users.id),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
  finishedAt: timestamp('finished_at', { withTimezone: true }).notNull().defaultNow(),
  /** Data lines read, good and bad. */
  lines: integer('lines').notNull(),
  accepted: integer('accepted').notNull(),
  rejected: integer('rejected').notNull(),
  unchanged: integer('unchanged').notNull(),
  added: integer('added').notNull(),
  removed: integer('removed').notNull(),
  newAccounts: integer('new_accounts').notNull(),
  /** The header each ledger field was read from (`ReadInfo.columns`): which facts the file brought. */
  columns: jsonb('columns').notNull().default({}),
  /** How the file's lines were matched to the stored ones: by document and line number, or by their values. */
  matchedBy: text('matched_by', { enum: ['document-line', 'values'] }).notNull(),
  documents: integer('documents').notNull(),
  firstDay: date('first_day', { mode: 'string' }),
  lastDay: date('last_day', { mode: 'string' }),
}, (t) => [
  index('imports_source').on(t.source, t.id),
  check('imports_format', sql`${t.format} in ('csv', 'xlsx')`),
  check('imports_matched_by', sql`${t.matchedBy} in ('document-line', 'values')`),
]);

/** Every line an import rejected, with why: downloadable as CSV from the import's record. */
export const importRejects = pgTable('import_rejects', {
  importId: bigint('import_id', { mode: 'number' }).notNull().references(() => imports.id, { onDelete: 'cascade' }),
  line: integer('line').notNull(),
  column: text('column'),
  value: text('value'),
  message: text('message').notNull(),
}, (t) => [primaryKey({ columns: [t.importId, t.line] })]);

/**
 * The accounts an import created for client codes that matched none: unassigned until the director
 * assigns them. No foreign keys, for the reason `ledger_lines` has none: a first import of a large
 * ledger lists 100,000 new accounts, and the two keys' checks took 1 of the 1.6 s of their insert. The
 * import writes these rows in the transaction that creates the import and the accounts; deleting an
 * account deletes its row (src/app/accounts.ts), and imports are never deleted.
 */
export const importNewAccounts = pgTable('import_new_accounts', {
  importId: bigint('import_id', { mode: 'number' }).notNull(),
  code: text('code').notNull(),
  accountId: uuid('account_id').notNull(),
}, (t) => [primaryKey({ columns: [t.importId, t.code] })]);

/**
 * How the files of one source are read, remembered from its last finished import: the column mapping
 * and the reading options the user gave (each absent one detected per file). The browser's import
 * preview applies them to the next file of that source, so a mapping corrected once stays corrected.
 * Written in the import's own transaction, so a failed import remembers nothing.
 */
export const importSources = pgTable('import_sources', {
  source: text('source').primaryKey(),
  /** The reading options as the import's `options` takes them (map, delimiter, encoding, header, decimal, dateFormat, sheet). */
  options: jsonb('options').notNull().default({}),
  /** The import that last saved them. */
  importId: bigint('import_id', { mode: 'number' }).notNull().references(() => imports.id, { onDelete: 'cascade' }),
  userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
