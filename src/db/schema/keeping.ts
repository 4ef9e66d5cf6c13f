/**
 * Keeping key clients (issue 7): the director's activity rules, every change of an account's
 * activity with its reasons, the refusals log, win-back lists and actions, and the daily digests
 * sent. One migration made all of these together, so that the features built on them share one
 * schema.
 */
import { sql } from 'drizzle-orm';
import {
  bigint, bigserial, check, date, doublePrecision, index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp, uuid,
} from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';
import { competitors } from './competitors.ts';
import { tenders } from './tenders.ts';
import { users } from './users.ts';

export const TIME_UNITS = ['day', 'week'] as const;

/**
 * The activity rules, one row per version: the director's change adds a row, so every version stays
 * on record with who made it and when; the newest row is in force. With no row the defaults of
 * `src/core/activity.ts` apply.
 */
export const activityRules = pgTable('activity_rules', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  /** Lost after this many days without a purchase. */
  lostDays: integer('lost_days').notNull(),
  /** Lost when the probability of being active falls under this (0-1), for clients with enough history. */
  pAliveLost: doublePrecision('p_alive_lost').notNull(),
  /** Enough history for the probability rule: at least this many repeat purchases (purchase days after the first). */
  minRepeatPurchases: integer('min_repeat_purchases').notNull(),
  /** Slipping when the probability of being active fell by more than this (0-1) since the previous run. */
  pAliveDrop: doublePrecision('p_alive_drop').notNull(),
  /** The customer-alive model's time unit and horizon (in that unit) for the expected purchases. */
  timeUnit: text('time_unit', { enum: TIME_UNITS }).notNull(),
  horizon: integer('horizon').notNull(),
  /** Why the rules changed, as the director put it. */
  note: text('note'),
  createdBy: uuid('created_by').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  check('activity_rules_lost_days', sql`${t.lostDays} >= 1`),
  check('activity_rules_p_alive_lost', sql`${t.pAliveLost} >= 0 and ${t.pAliveLost} <= 1`),
  check('activity_rules_min_repeat', sql`${t.minRepeatPurchases} >= 1`),
  check('activity_rules_p_alive_drop', sql`${t.pAliveDrop} > 0 and ${t.pAliveDrop} <= 1`),
  check('activity_rules_time_unit', sql`${t.timeUnit} in ('day', 'week')`),
  check('activity_rules_horizon', sql`${t.horizon} >= 1`),
]);

export const ACTIVITY_REASONS = ['days-without-purchase', 'p-alive-below', 'unusual-gap', 'p-alive-drop', 'purchased-again'] as const;

/**
 * A change of an account's activity (active, slipping, lost) found by an analysis run, with the
 * reasons and the figures behind them. An account's first result is recorded only when it is not
 * active, so the first run over a large ledger does not write a row per account.
 */
export const activityChanges = pgTable('activity_changes', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
  runId: bigint('run_id', { mode: 'number' }).notNull(),
  /** Null for the account's first result. */
  fromActivity: text('from_activity'),
  toActivity: text('to_activity').notNull(),
  /** Codes among ACTIVITY_REASONS; empty when the account became active. */
  reasons: text('reasons').array().notNull(),
  /** The figures the rules saw: days since the last purchase, pAlive, the previous pAlive, the thresholds. */
  details: jsonb('details').notNull(),
  /** The run's as-of date: the day the change is dated. */
  changedOn: date('changed_on', { mode: 'string' }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  index('activity_changes_account').on(t.accountId, t.id),
  index('activity_changes_run').on(t.runId),
  check('activity_changes_from', sql`${t.fromActivity} in ('active', 'slipping', 'lost')`),
  check('activity_changes_to', sql`${t.toActivity} in ('active', 'slipping', 'lost')`),
]);

export const REFUSAL_KINDS = ['declined-offer', 'lost-tender', 'cancelled-order', 'complaint'] as const;
export const REFUSAL_REASONS = ['price', 'quality', 'service', 'delivery', 'competitor', 'relationship', 'other'] as const;

/** A refusal: a declined offer, a lost tender, a cancelled order or a complaint, and why. */
export const refusals = pgTable('refusals', {
  id: uuid('id').primaryKey().defaultRandom(),
  accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
  kind: text('kind', { enum: REFUSAL_KINDS }).notNull(),
  reason: text('reason', { enum: REFUSAL_REASONS }).notNull(),
  /** The product line or the client's department it concerns. */
  direction: text('direction'),
  note: text('note'),
  occurredOn: date('occurred_on', { mode: 'string' }).notNull(),
  /** The value at stake, in złote, when known. */
  value: numeric('value', { precision: 16, scale: 2, mode: 'number' }),
  tenderId: uuid('tender_id').references(() => tenders.id, { onDelete: 'set null' }),
  competitorId: uuid('competitor_id').references(() => competitors.id, { onDelete: 'set null' }),
  createdBy: uuid('created_by').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  version: integer('version').notNull().default(1),
}, (t) => [
  index('refusals_account').on(t.accountId, t.occurredOn),
  index('refusals_occurred').on(t.occurredOn),
  check('refusals_kind', sql`${t.kind} in ('declined-offer', 'lost-tender', 'cancelled-order', 'complaint')`),
  check('refusals_reason', sql`${t.reason} in ('price', 'quality', 'service', 'delivery', 'competitor', 'relationship', 'other')`),
  check('refusals_value', sql`${t.value} >= 0`),
]);

/** A saved win-back list: its criteria (validated by src/app/win-back.ts), refreshed by every analysis run. */
export const winBackLists = pgTable('win_back_lists', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  criteria: jsonb('criteria').notNull(),
  createdBy: uuid('created_by').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  version: integer('version').notNull().default(1),
  /** When the members were last recomputed, and from which run. */
  refreshedAt: timestamp('refreshed_at', { withTimezone: true }),
  refreshedRunId: bigint('refreshed_run_id', { mode: 'number' }),
});

export const winBackListMembers = pgTable('win_back_list_members', {
  listId: uuid('list_id').notNull().references(() => winBackLists.id, { onDelete: 'cascade' }),
  accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
  addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.listId, t.accountId] }), index('win_back_list_members_account').on(t.accountId)]);

export const OFFER_TYPES = ['special-offer', 'gift', 'discount', 'other'] as const;
export const WIN_BACK_OUTCOMES = ['won-back', 'declined', 'no-answer'] as const;

/**
 * A win-back action on an account: the offer, who owns it, when it is due, and how it ended. An
 * account that buys again after the action was created becomes `won-back`, and the action records
 * the day of that purchase.
 */
export const winBackActions = pgTable('win_back_actions', {
  id: uuid('id').primaryKey().defaultRandom(),
  accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
  listId: uuid('list_id').references(() => winBackLists.id, { onDelete: 'set null' }),
  offerType: text('offer_type', { enum: OFFER_TYPES }).notNull(),
  /** The discount in percent; set for a discount and only for one. */
  discountPercent: numeric('discount_percent', { precision: 5, scale: 2, mode: 'number' }),
  /** What is offered, in the owner's words. */
  offer: text('offer'),
  ownerId: uuid('owner_id').notNull().references(() => users.id),
  dueOn: date('due_on', { mode: 'string' }).notNull(),
  outcome: text('outcome', { enum: WIN_BACK_OUTCOMES }),
  outcomeOn: date('outcome_on', { mode: 'string' }),
  /** The first purchase day after the action was created, when the account bought again. */
  wonBackOn: date('won_back_on', { mode: 'string' }),
  /** The account's segment in the latest run that gave it one when the action was created (win-back rate by segment). */
  segment: text('segment'),
  note: text('note'),
  createdBy: uuid('created_by').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  version: integer('version').notNull().default(1),
}, (t) => [
  index('win_back_actions_account').on(t.accountId, t.createdAt),
  index('win_back_actions_owner').on(t.ownerId, t.dueOn),
  check('win_back_actions_offer_type', sql`${t.offerType} in ('special-offer', 'gift', 'discount', 'other')`),
  check('win_back_actions_discount', sql`(${t.offerType} = 'discount') = (${t.discountPercent} is not null) and ${t.discountPercent} > 0 and ${t.discountPercent} <= 100`),
  check('win_back_actions_outcome', sql`${t.outcome} in ('won-back', 'declined', 'no-answer')`),
  check('win_back_actions_outcome_on', sql`(${t.outcome} is null) = (${t.outcomeOn} is null)`),
  check('win_back_actions_segment', sql`${t.segment} in ('AX', 'AY', 'AZ', 'BX', 'BY', 'BZ', 'CX', 'CY', 'CZ')`),
]);

/** The daily digests sent by e-mail: one per user and day (in the company's time zone), so a restart never sends twice. */
export const digestDeliveries = pgTable('digest_deliveries', {
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  day: date('day', { mode: 'string' }).notNull(),
  sentAt: timestamp('sent_at', { withTimezone: true }),
  /** The SMTP server's refusal or the connection error, when the sending failed. */
  error: text('error'),
  attempts: integer('attempts').notNull().default(0),
}, (t) => [primaryKey({ columns: [t.userId, t.day] })]);
