/**
 * The history of every change to an account, contact, competitor entry or tender: who, when, which
 * field, the old and the new value. Append-only: a trigger (migration 0001) refuses updates and
 * deletes, except the blanking of an erased person's values inside a GDPR erasure.
 */
import { sql } from 'drizzle-orm';
import { bigserial, check, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './users.ts';

export const HISTORY_ENTITIES = ['account', 'contact', 'competitor', 'account-competitor', 'tender', 'user', 'refusal', 'win-back-list', 'win-back-action'] as const;
export const HISTORY_ACTIONS = ['create', 'update', 'delete', 'erase'] as const;

export const history = pgTable('history', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  /** Null for changes made by the system (an import, the demo). */
  userId: uuid('user_id').references(() => users.id),
  entity: text('entity', { enum: HISTORY_ENTITIES }).notNull(),
  entityId: uuid('entity_id').notNull(),
  /** The account the entity belongs to, for access checks; no foreign key: history outlives deleted accounts. */
  accountId: uuid('account_id'),
  action: text('action', { enum: HISTORY_ACTIONS }).notNull(),
  field: text('field'),
  oldValue: text('old_value'),
  newValue: text('new_value'),
}, (t) => [
  index('history_entity').on(t.entity, t.entityId, t.id),
  index('history_account').on(t.accountId, t.id),
  check('history_entity_kind', sql`${t.entity} in ('account', 'contact', 'competitor', 'account-competitor', 'tender', 'user', 'refusal', 'win-back-list', 'win-back-action')`),
  check('history_action', sql`${t.action} in ('create', 'update', 'delete', 'erase')`),
]);
