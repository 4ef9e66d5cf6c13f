/**
 * Users, their login sessions and the company's settings. A user is never deleted (history rows name
 * them), only deactivated; deactivating one ends their sessions at once.
 */
import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const ROLES = ['admin', 'director', 'kam', 'marketing'] as const;
export type Role = (typeof ROLES)[number];

export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  email: text('email').notNull(),
  name: text('name').notNull(),
  role: text('role', { enum: ROLES }).notNull(),
  active: boolean('active').notNull().default(true),
  /** argon2id, in the PHC string format (algorithm, parameters and salt included). */
  passwordHash: text('password_hash').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  version: integer('version').notNull().default(1),
}, (t) => [
  // E-mail addresses compare without case: one account per address however it is typed.
  uniqueIndex('users_email_lower').on(sql`lower(${t.email})`),
  check('users_role', sql`${t.role} in ('admin', 'director', 'kam', 'marketing')`),
]);

export const sessions = pgTable('sessions', {
  /** SHA-256 of the session token, hex: the token itself is only in the user's cookie. */
  id: text('id').primaryKey(),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  /** The synchronizer token every state-changing request must carry in X-CSRF-Token. */
  csrfToken: text('csrf_token').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  userAgent: text('user_agent'),
  ip: text('ip'),
}, (t) => [index('sessions_user').on(t.userId)]);

/** Company-wide settings (name, currency, the analysis defaults...), one JSON value per key. */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  updatedBy: uuid('updated_by').references(() => users.id),
});
