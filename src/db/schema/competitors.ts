/** Competitors, and per account the competitors working on it. */
import { sql } from 'drizzle-orm';
import { check, index, integer, numeric, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';

export const competitors = pgTable('competitors', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  website: text('website'),
  description: text('description'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  version: integer('version').notNull().default(1),
}, (t) => [uniqueIndex('competitors_name_lower').on(sql`lower(${t.name})`)]);

export const accountCompetitors = pgTable('account_competitors', {
  id: uuid('id').primaryKey().defaultRandom(),
  accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
  competitorId: uuid('competitor_id').notNull().references(() => competitors.id),
  /** The competitor's estimated share of the client's spending in our categories, in percent. */
  shareOfWallet: numeric('share_of_wallet', { precision: 5, scale: 2, mode: 'number' }),
  strengths: text('strengths'),
  weaknesses: text('weaknesses'),
  notes: text('notes'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  version: integer('version').notNull().default(1),
}, (t) => [
  uniqueIndex('account_competitors_pair').on(t.accountId, t.competitorId),
  index('account_competitors_competitor').on(t.competitorId),
  check('account_competitors_share', sql`${t.shareOfWallet} between 0 and 100`),
]);
