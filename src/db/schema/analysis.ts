/**
 * Analysis runs over the stored ledger: the parameters and the whole-ledger figures of each run, and
 * per account its segment, key-client types, activity and figures. Every run is kept, so that two can
 * be compared and a figure a user saw last month can still be traced to the run that gave it.
 */
import { sql } from 'drizzle-orm';
import { bigserial, bigint, boolean, check, date, doublePrecision, index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
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
  /** Product groups sold to anyone in the window (the key score's breadth of opportunities); null without groups. */
  productGroups: integer('product_groups'),
  /**
   * The customer-alive model fitted in the run (src/core/customer-alive.ts): its name, parameters,
   * log-likelihood, convergence, time unit and horizon, and the Gamma-Gamma spend model's; null for
   * runs made before the model existed.
   */
  model: jsonb('model'),
  /** The activity rules (a row of activity_rules) the run applied; null: the defaults. */
  rulesId: bigint('rules_id', { mode: 'number' }),
});

/**
 * One account's result in one run. Money in złote (major units), as the analysis publishes it. An
 * account without purchases that its dossier gives a key-client type (promising by its budget,
 * image-maker, expert) has a row too, without a rank, segment or activity.
 */
export const analysisResults = pgTable('analysis_results', {
  // No foreign keys: a run writes 100,000 results in one COPY in the transaction that makes the run,
  // and each key's check per row costs as much as the rest of the insert (bench: 0.98 s with the
  // indexes alone, 2.13 s with the two keys). Deleting an account deletes its results
  // (src/app/accounts.ts); runs are never deleted.
  runId: bigint('run_id', { mode: 'number' }).notNull(),
  accountId: uuid('account_id').notNull(),
  /** The ERP client code the analysis named the account by (its first code for an account without purchases). */
  client: text('client'),
  rank: integer('rank'),
  segment: text('segment'),
  abc: text('abc'),
  xyz: text('xyz'),
  types: text('types').array().notNull(),
  isKey: boolean('is_key').notNull(),
  activity: text('activity'),
  revenue: numeric('revenue', { precision: 18, scale: 2, mode: 'number' }).notNull(),
  margin: numeric('margin', { precision: 18, scale: 2, mode: 'number' }),
  share: doublePrecision('share'),
  cumulativeShare: doublePrecision('cumulative_share'),
  cv: doublePrecision('cv'),
  activePeriods: integer('active_periods').notNull(),
  firstPurchase: date('first_purchase', { mode: 'string' }),
  lastPurchase: date('last_purchase', { mode: 'string' }),
  daysSinceLastPurchase: integer('days_since_last_purchase'),
  growth: doublePrecision('growth'),
  /**
   * Key-score inputs from the ledger's lines in the window: the revenue-weighted average days paid late
   * (null without due dates) and the product groups bought (null without a group column).
   */
  paymentDaysLate: doublePrecision('payment_days_late'),
  productGroups: integer('product_groups'),
  /** The model's inputs and outputs: repeat purchases (purchase days after the first, up to the as-of date) ... */
  repeatPurchases: integer('repeat_purchases'),
  /** ... the probability of being active at the as-of date, the expected purchases and revenue over the horizon. */
  pAlive: doublePrecision('p_alive'),
  expectedPurchases: doublePrecision('expected_purchases'),
  expectedRevenue: numeric('expected_revenue', { precision: 18, scale: 2, mode: 'number' }),
  /** Why the account has its activity (codes of ACTIVITY_REASONS in keeping.ts); empty when active. */
  activityReasons: text('activity_reasons').array().notNull().default(sql`'{}'::text[]`),
}, (t) => [
  primaryKey({ columns: [t.runId, t.accountId] }),
  index('analysis_results_segment').on(t.runId, t.segment),
  index('analysis_results_account').on(t.accountId, t.runId),
  check('analysis_results_segment_value', sql`${t.segment} in ('AX', 'AY', 'AZ', 'BX', 'BY', 'BZ', 'CX', 'CY', 'CZ')`),
  check('analysis_results_activity', sql`${t.activity} in ('active', 'slipping', 'lost')`),
]);
