/**
 * Reading an account's history: every change to the account, its contacts, competitor entries and
 * tenders, newest first, with who made it. Those who may read the account read its history, except
 * marketing: the history holds the financial fields and private notes marketing does not see.
 */
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.ts';
import { history, HISTORY_ENTITIES, users } from '../db/schema/index.ts';
import { loadAccessibleAccount, type Executor } from './access.ts';
import { assertMayReadDossierDetails } from './roles.ts';
import { pageQueryFields, pageWindow } from './accounts.ts';
import { parseInput, type Page } from './input.ts';
import type { Actor } from './actor.ts';
import type { HistoryEntity } from './history.ts';

export type HistoryEntryView = {
  id: number;
  at: Date;
  userId: string | null;
  /** The name of the user who made the change; null for the system. */
  userName: string | null;
  entity: HistoryEntity;
  entityId: string;
  action: 'create' | 'update' | 'delete' | 'erase';
  field: string | null;
  oldValue: string | null;
  newValue: string | null;
};

export const historyListQuerySchema = z.strictObject({
  page: pageQueryFields.page,
  pageSize: pageQueryFields.pageSize,
  entity: z.enum(HISTORY_ENTITIES).optional().describe('Only the changes to this kind of record.'),
  entityId: z.uuid().optional().describe('Only the changes to this record.'),
});
export type HistoryListQuery = z.input<typeof historyListQuerySchema>;

/** The history of account `accountId`, newest first. */
export async function listAccountHistory(db: Db, actor: Actor, accountId: string, query: HistoryListQuery = {}): Promise<Page<HistoryEntryView>> {
  const q = parseInput(historyListQuerySchema, query);
  await assertMayReadAccountHistory(db, actor, accountId);
  const filters: (SQL | undefined)[] = [];
  if (q.entity !== undefined) filters.push(eq(history.entity, q.entity));
  if (q.entityId !== undefined) filters.push(eq(history.entityId, q.entityId));
  const { limit, offset } = pageWindow(q);
  const [counted] = await db.select({ total: sql<number>`count(*)::int` }).from(history).where(accountHistoryCondition(accountId, filters));
  const items = await selectAccountHistory(db, accountId, filters).orderBy(desc(history.id)).limit(limit).offset(offset);
  return { items, total: counted?.total ?? 0, page: q.page, pageSize: q.pageSize };
}

/**
 * Throws unless the actor may read the history of account `accountId`: forbidden for marketing (the
 * history holds the values marketing does not see), not-found for an account the actor may not see.
 * Whatever shows an account's history (this list, the account's timeline) asks this first.
 */
export async function assertMayReadAccountHistory(db: Executor, actor: Actor, accountId: string): Promise<void> {
  assertMayReadDossierDetails(actor);
  await loadAccessibleAccount(db, actor, accountId, 'read');
}

/**
 * The history entries of account `accountId` that `filters` keep, with the name of who made each
 * change, for the caller to order and limit. Only for an actor `assertMayReadAccountHistory` let through.
 */
export function selectAccountHistory(db: Executor, accountId: string, filters: readonly (SQL | undefined)[] = []) {
  return db.select({
    id: history.id,
    at: history.at,
    userId: history.userId,
    userName: users.name,
    entity: history.entity,
    entityId: history.entityId,
    action: history.action,
    field: history.field,
    oldValue: history.oldValue,
    newValue: history.newValue,
  }).from(history).leftJoin(users, eq(users.id, history.userId)).where(accountHistoryCondition(accountId, filters));
}

function accountHistoryCondition(accountId: string, filters: readonly (SQL | undefined)[]): SQL | undefined {
  return and(eq(history.accountId, accountId), ...filters);
}
