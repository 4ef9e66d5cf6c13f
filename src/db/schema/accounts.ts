/**
 * The account dossier: the client company, the ERP codes its ledger lines carry, its owner and team,
 * and the key-client facts a ledger cannot give. Money is numeric (exact) in złote.
 */
import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, numeric, pgTable, primaryKey, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './users.ts';

export const ACCOUNT_STATUSES = ['prospect', 'active', 'lost', 'won-back'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

export const accounts = pgTable('accounts', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  /** NIP, the Polish tax id: ten digits, kept as digits only. */
  taxId: text('tax_id'),
  industry: text('industry'),
  region: text('region'),
  website: text('website'),
  employees: integer('employees'),
  description: text('description'),
  history: text('history'),
  orgStructure: text('org_structure'),
  /** The client's market and situation. */
  environment: text('environment'),
  ownerId: uuid('owner_id').references(() => users.id),
  imageMaker: boolean('image_maker').notNull().default(false),
  imageMakerReason: text('image_maker_reason'),
  expert: boolean('expert').notNull().default(false),
  expertReason: text('expert_reason'),
  /** The client's budget or potential for us per year, in złote. */
  annualPotential: numeric('annual_potential', { precision: 16, scale: 2, mode: 'number' }),
  longTermPlans: text('long_term_plans'),
  /** How far ahead the cooperation is planned, in months. */
  cooperationHorizonMonths: integer('cooperation_horizon_months'),
  reputationInfluence: smallint('reputation_influence'),
  /** Average days the client pays late (entered; the ledger import derives it where it can). */
  paymentDaysLate: numeric('payment_days_late', { precision: 6, scale: 1, mode: 'number' }),
  privateNotes: text('private_notes'),
  status: text('status', { enum: ACCOUNT_STATUSES }).notNull().default('prospect'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  version: integer('version').notNull().default(1),
}, (t) => [
  index('accounts_owner').on(t.ownerId),
  index('accounts_name_lower').on(sql`lower(${t.name})`),
  check('accounts_status', sql`${t.status} in ('prospect', 'active', 'lost', 'won-back')`),
  check('accounts_reputation', sql`${t.reputationInfluence} between 1 and 5`),
  check('accounts_employees', sql`${t.employees} >= 0`),
  check('accounts_horizon', sql`${t.cooperationHorizonMonths} >= 0`),
  check('accounts_potential', sql`${t.annualPotential} >= 0`),
  check('accounts_tax_id', sql`${t.taxId} ~ '^[0-9]{10}$'`),
]);

/** The ERP client codes ledger lines are matched by: a code belongs to one account. */
export const accountCodes = pgTable('account_codes', {
  code: text('code').primaryKey(),
  accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
  /** The first non-empty client name the ledger gave for this code: the name an analysis shows beside the code. */
  ledgerName: text('ledger_name'),
}, (t) => [index('account_codes_account').on(t.accountId)]);

/** Users on an account's team besides its owner: they read and write it as the owner does. */
export const accountTeam = pgTable('account_team', {
  accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
  userId: uuid('user_id').notNull().references(() => users.id),
}, (t) => [primaryKey({ columns: [t.accountId, t.userId] }), index('account_team_user').on(t.userId)]);
