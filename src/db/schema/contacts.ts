/** The client's people: the decision-making map of an account. */
import { sql } from 'drizzle-orm';
import { type AnyPgColumn, boolean, check, index, integer, pgTable, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';

export const BUYING_ROLES = [
  'decision-maker', 'economic-buyer', 'technical-buyer', 'influencer', 'champion', 'user', 'gatekeeper', 'blocker', 'other',
] as const;
export const ATTITUDES = ['mentor', 'supporter', 'neutral', 'non-supporter', 'opponent'] as const;
export const RELATIONSHIPS = ['none', 'brief', 'multiple', 'in-depth'] as const;

export const contacts = pgTable('contacts', {
  id: uuid('id').primaryKey().defaultRandom(),
  accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  position: text('position'),
  department: text('department'),
  email: text('email'),
  phone: text('phone'),
  buyingRole: text('buying_role', { enum: BUYING_ROLES }).notNull().default('other'),
  influence: smallint('influence'),
  attitude: text('attitude', { enum: ATTITUDES }).notNull().default('neutral'),
  /** How well we know the person: none, a brief contact, several, an in-depth relationship. */
  relationship: text('relationship', { enum: RELATIONSHIPS }).notNull().default('none'),
  /** Another contact of the same account (checked, with cycles, by the use-case). */
  reportsToId: uuid('reports_to_id').references((): AnyPgColumn => contacts.id, { onDelete: 'set null' }),
  leftCompany: boolean('left_company').notNull().default(false),
  /** Set when the person's data was erased on request (GDPR): their fields are blank from then on. */
  erasedAt: timestamp('erased_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  version: integer('version').notNull().default(1),
}, (t) => [
  index('contacts_account').on(t.accountId),
  check('contacts_buying_role', sql`${t.buyingRole} in ('decision-maker', 'economic-buyer', 'technical-buyer', 'influencer', 'champion', 'user', 'gatekeeper', 'blocker', 'other')`),
  check('contacts_attitude', sql`${t.attitude} in ('mentor', 'supporter', 'neutral', 'non-supporter', 'opponent')`),
  check('contacts_relationship', sql`${t.relationship} in ('none', 'brief', 'multiple', 'in-depth')`),
  check('contacts_influence', sql`${t.influence} between 1 and 5`),
  check('contacts_not_own_boss', sql`${t.reportsToId} is null or ${t.reportsToId} <> ${t.id}`),
]);
