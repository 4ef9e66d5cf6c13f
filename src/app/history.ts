/**
 * Writing the history of a dossier: who changed what, when, from which value to which. Every function
 * takes the transaction of the change itself, so that a change and its history are committed or rolled
 * back together. Field names are the API's (camelCase), the words a user sees in the history view.
 *
 * Values are kept as text: null stays null, dates are ISO 8601, numbers and booleans are written plainly,
 * arrays and objects as JSON. A created or deleted record is kept whole, as the JSON of its API view.
 */
import { history, HISTORY_ENTITIES } from '../db/schema/index.ts';
import type { Transaction } from './access.ts';
import type { Actor } from './actor.ts';

export type HistoryEntity = (typeof HISTORY_ENTITIES)[number];

/** The record a history row is about, and the account it belongs to (null for a competitor). */
export type HistoryTarget = { entity: HistoryEntity; entityId: string; accountId: string | null };

export type FieldChange = { field: string; oldValue: string | null; newValue: string | null };

/** A value as history keeps it (see the module comment). */
export function formatHistoryValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/**
 * The fields of `fields` whose values differ between `before` and `after`, as history rows would
 * record them. Values are compared in their history form, so equal dates or equal arrays are no change.
 */
export function diffFields<T extends object>(before: T, after: T, fields: readonly (keyof T & string)[]): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of fields) {
    const oldValue = formatHistoryValue(before[field]);
    const newValue = formatHistoryValue(after[field]);
    if (oldValue !== newValue) changes.push({ field, oldValue, newValue });
  }
  return changes;
}

/** Records the creation of `record` (its API view, kept whole in new_value). */
export async function recordCreate(tx: Transaction, actor: Actor, target: HistoryTarget, record: object): Promise<void> {
  await tx.insert(history).values({ ...targetColumns(actor, target), action: 'create', newValue: JSON.stringify(record) });
}

/** Records one history row per changed field; nothing when `changes` is empty. */
export async function recordChanges(tx: Transaction, actor: Actor, target: HistoryTarget, changes: readonly FieldChange[]): Promise<void> {
  await recordChangesOfMany(tx, actor, [{ target, changes }]);
}

/**
 * Records the changes of several records as `recordChanges` records each one's, in one statement: a
 * change to a thousand accounts at once costs one round trip, not a thousand.
 */
export async function recordChangesOfMany(
  tx: Transaction,
  actor: Actor,
  records: readonly { target: HistoryTarget; changes: readonly FieldChange[] }[],
): Promise<void> {
  const rows = records.flatMap(({ target, changes }) => changes.map((change) => ({
    ...targetColumns(actor, target),
    action: 'update' as const,
    field: change.field,
    oldValue: change.oldValue,
    newValue: change.newValue,
  })));
  // PostgreSQL takes at most 65,535 parameters a statement, and a row has eight.
  for (let start = 0; start < rows.length; start += 5000) {
    await tx.insert(history).values(rows.slice(start, start + 5000));
  }
}

/** Records the deletion of `record` (its API view as it was, kept whole in old_value). */
export async function recordDelete(tx: Transaction, actor: Actor, target: HistoryTarget, record: object): Promise<void> {
  await tx.insert(history).values({ ...targetColumns(actor, target), action: 'delete', oldValue: JSON.stringify(record) });
}

/** Records that the personal data of the target was erased on request (GDPR): who did it; returns when. */
export async function recordErase(tx: Transaction, actor: Actor, target: HistoryTarget): Promise<Date> {
  const [row] = await tx.insert(history).values({ ...targetColumns(actor, target), action: 'erase' }).returning({ at: history.at });
  return (row as { at: Date }).at;
}

function targetColumns(actor: Actor, target: HistoryTarget) {
  return { userId: actor.userId, entity: target.entity, entityId: target.entityId, accountId: target.accountId };
}
