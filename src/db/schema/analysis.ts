/**
 * Analysis runs over the stored ledger: the parameters and the whole-ledger figures of each run, and
 * per account its segment, key-client types, activity and figures. Every run is kept, so that two can
 * be compared and a figure a user saw last month can still be traced to the run that gave it.
 */
import { sql } from 'drizzle-orm';
import { bigserial, bigint, boolean, check, date, doublePrecision, index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';
import { users } from './users.ts';

export const analysisRuns = pgTable('analysis_runs', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  /** Null when run by the system (the demo, the command line without --as). */
  userId: uuid('user_id').references(() => users.id),
  /** The analysis parameters, as `AnalysisParams` with days written as ISO dates. */
  params: jsonb('params').notNull(),
  /** The analysis's window, totals, matrix and key-client figures (`AnalysisResult` less its clients). */
  summary: jsonb('summary').notNull(),
  /** The last import the run saw: the ledger as of that import. */
  importId: bigint('import_id', { mode: 'number' }),
});

/** One account's result in one run. Money in złote (major units), as the analysis publishes it. */
export const analysisResults = pgTable('analysis_results', {
  runId: bigint('run_id', { mode: 'number' }).notNull().references(() => analysisRuns.id, { onDelete: 'cascade' }),
  accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
  /** The ERP client code the analysis named the account by. */
  client: text('client').notNull(),
  rank: integer('rank').notNull(),
  segment: text('segment').notNull(),
  abc: text('abc').notNull(),
  xyz: text('xyz').notNull(),
  types: text('types').array().notNull(),
  isKey: boolean('is_key').notNull(),
  activity: text('activity').notNull(),
  revenue: numeric('revenue', { precision: 18, scale: 2, mode: 'number' }).notNull(),
  margin: numeric('margin', { precision: 18, scale: 2, mode: 'number' }),
  share: doublePrecision('share').notNull(),
  cumulativeShare: doublePrecision('cumulative_share').notNull(),
  cv: doublePrecision('cv'),
  activePeriods: integer('active_periods').notNull(),
  firstPurchase: date('first_purchase', { mode: 'string' }),
  lastPurchase: date('last_purchase', { mode: 'string' }),
  daysSinceLastPurchase: integer('days_since_last_purchase'),
  growth: doublePrecision('growth'),
}, (t) => [
  primaryKey({ columns: [t.runId, t.accountId] }),
  index('analysis_results_segment').on(t.runId, t.segment),
  index('analysis_results_account').on(t.accountId, t.runId),
  check('analysis_results_segment_value', sql`${t.segment} in ('AX', 'AY', 'AZ', 'BX', 'BY', 'BZ', 'CX', 'CY', 'CZ')`),
  check('analysis_results_activity', sql`${t.activity} in ('active', 'slipping', 'lost')`),
]);
