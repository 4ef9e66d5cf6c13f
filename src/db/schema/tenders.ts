/** Tenders and offers: the relationship history of wins and losses, and why. */
import { sql } from 'drizzle-orm';
import { check, date, index, integer, numeric, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';
import { competitors } from './competitors.ts';

export const TENDER_OUTCOMES = ['won', 'lost', 'pending', 'withdrawn'] as const;

export const tenders = pgTable('tenders', {
  id: uuid('id').primaryKey().defaultRandom(),
  accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
  title: text('title').notNull(),
  date: date('date', { mode: 'string' }).notNull(),
  value: numeric('value', { precision: 16, scale: 2, mode: 'number' }),
  outcome: text('outcome', { enum: TENDER_OUTCOMES }).notNull().default('pending'),
  reason: text('reason'),
  winningCompetitorId: uuid('winning_competitor_id').references(() => competitors.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  version: integer('version').notNull().default(1),
}, (t) => [
  index('tenders_account').on(t.accountId, t.date),
  check('tenders_outcome', sql`${t.outcome} in ('won', 'lost', 'pending', 'withdrawn')`),
  check('tenders_value', sql`${t.value} >= 0`),
]);
