/**
 * Win-back: saved lists of lost (or slipping) accounts chosen by criteria, the actions planned to win
 * each one back, the detection of the accounts that bought again after an action, and the win-back
 * rate by offer type and by segment.
 *
 * A list keeps its criteria, never its accounts: every analysis run recomputes the members of every
 * list in the run's own transaction (`refreshWinBackLists`), and so does saving a list (from the
 * latest run). A list made by a key account manager only ever holds that manager's accounts; anyone
 * reading a list sees the members in their own scope only.
 *
 * An action is won back by the ledger, not by a person: each import looks for a purchase day after
 * the day an action was created (`detectWinBacks`), in the import's own transaction. An action that
 * a person had closed as declined or unanswered still becomes won back when the client buys again
 * afterwards: the client came back, whatever the answer to the offer was, and the rate should say so.
 */
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { KamertonError } from '../core/errors.ts';
import type { Db } from '../db/client.ts';
import { OFFER_TYPES, users, type AccountStatus, WIN_BACK_OUTCOMES, winBackActions, winBackLists } from '../db/schema/index.ts';
import { accessibleAccountsCondition, isUuid, loadAccessibleAccount, type Executor, type Transaction } from './access.ts';
import { definedFields, LONG_TEXT, optionalText, pageQueryFields, pageWindow, staleVersion } from './accounts.ts';
import type { Actor } from './actor.ts';
import { diffFields, recordChanges, recordCreate, recordDelete, type HistoryTarget } from './history.ts';
import { parseInput, type Page } from './input.ts';
import { assertMayWriteDossiers, managesAccounts } from './roles.ts';
import {
  abcBeforeSql,
  listRefreshQuery,
  lostSinceSql,
  refusalCountSql,
  runAsOfSql,
  storedCriteria,
  storedListsQuery,
  winBackCriteriaSchema,
  type Query,
  type StoredList,
  type WinBackCriteria,
} from './win-back-refresh.ts';

export { detectWinBacks, refreshWinBackLists, winBackCriteriaSchema, type WinBackCriteria } from './win-back-refresh.ts';

/** A query of win-back-refresh.ts as drizzle's SQL: its text around each $n placeholder, the values as parameters. */
function toSql(query: Query): SQL {
  const parts = query.text.split(/\$(\d+)/);
  return sql.join(parts.map((part, i) => (i % 2 === 0 ? sql.raw(part) : sql`${query.values[Number(part) - 1]}`)));
}

/** Refreshes one list from the latest run, in `tx` (saving a list). */
async function refreshList(tx: Transaction, listId: string): Promise<void> {
  const { rows: [latest] } = await tx.execute<{ id: string | null }>(sql`select max(id)::text as id from analysis_runs`);
  const runId = latest?.id == null ? null : Number(latest.id);
  const { rows: [list] } = await tx.execute<StoredList>(toSql(storedListsQuery(listId)));
  if (list === undefined) return;
  await tx.execute(toSql(listRefreshQuery(listId, storedCriteria(list.criteria), runId, { id: list.created_by, role: list.role })));
}

export type OfferType = (typeof OFFER_TYPES)[number];
export type WinBackOutcome = (typeof WIN_BACK_OUTCOMES)[number];

// ---------------------------------------------------------------------------------------------------
// Lists.

const listName = z.string().trim().min(1).max(200);
export const winBackListCreateSchema = z.strictObject({ name: listName, criteria: winBackCriteriaSchema });
export const winBackListPatchSchema = z.strictObject({ name: listName, criteria: winBackCriteriaSchema }).partial();
export type WinBackListCreate = z.input<typeof winBackListCreateSchema>;
export type WinBackListPatch = z.input<typeof winBackListPatchSchema>;

export type WinBackListView = {
  id: string;
  name: string;
  criteria: WinBackCriteria;
  createdBy: string | null;
  createdByName: string | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
  refreshedAt: Date | null;
  refreshedRunId: number | null;
  /** Members the reader may see (a KAM: their own accounts only). */
  members: number;
  /** Whether the reader may change or delete the list. */
  editable: boolean;
};

/** Who may read lists and plan actions: those who change dossiers (not marketing). */
function assertMayUseWinBack(actor: Actor): void {
  assertMayWriteDossiers(actor);
}

/** A director, an administrator (and the system) change any list; a KAM only the lists they made. */
function mayEditList(actor: Actor, createdBy: string | null): boolean {
  return managesAccounts(actor) || (actor.role === 'kam' && createdBy === actor.userId);
}

export async function listWinBackLists(db: Db, actor: Actor): Promise<{ items: WinBackListView[] }> {
  assertMayUseWinBack(actor);
  const { rows } = await db.execute<ListRow>(listSelect(actor, undefined));
  return { items: rows.map((row) => listView(actor, row)) };
}

export async function getWinBackList(db: Executor, actor: Actor, id: string): Promise<WinBackListView> {
  assertMayUseWinBack(actor);
  if (!isUuid(id)) throw listNotFound(id);
  const { rows: [row] } = await db.execute<ListRow>(listSelect(actor, id));
  if (row === undefined) throw listNotFound(id);
  return listView(actor, row);
}

export async function createWinBackList(db: Db, actor: Actor, input: WinBackListCreate): Promise<WinBackListView> {
  assertMayUseWinBack(actor);
  const fields = parseInput(winBackListCreateSchema, input);
  return db.transaction(async (tx) => {
    await assertCriteriaOwner(tx, fields.criteria);
    const [created] = await tx.insert(winBackLists).values({ name: fields.name, criteria: fields.criteria, createdBy: actor.userId })
      .returning({ id: winBackLists.id }) as [{ id: string }];
    await refreshList(tx, created.id);
    const list = await getWinBackList(tx, actor, created.id);
    await recordCreate(tx, actor, listTarget(created.id), historyOfList(list));
    return list;
  });
}

export async function updateWinBackList(db: Db, actor: Actor, id: string, patch: WinBackListPatch, version: number): Promise<WinBackListView> {
  assertMayUseWinBack(actor);
  const fields = definedFields(parseInput(winBackListPatchSchema, patch));
  return db.transaction(async (tx) => {
    const before = await getWinBackList(tx, actor, id);
    if (!before.editable) throw new KamertonError('forbidden', 'A key account manager changes the win-back lists they made only.', { field: 'id' });
    if (before.version !== version) throw staleVersion('win-back list', before);
    const changes = diffFields(historyOfList(before), historyOfList({ ...before, ...fields }), ['name', 'criteria']);
    if (changes.length === 0) return before;
    if (fields.criteria !== undefined) await assertCriteriaOwner(tx, fields.criteria);
    const [updated] = await tx.update(winBackLists)
      .set({ ...fields, version: sql`${winBackLists.version} + 1`, updatedAt: sql`now()` })
      .where(and(eq(winBackLists.id, id), eq(winBackLists.version, version)))
      .returning({ id: winBackLists.id });
    if (updated === undefined) throw staleVersion('win-back list', await getWinBackList(tx, actor, id));
    await refreshList(tx, id);
    await recordChanges(tx, actor, listTarget(id), changes);
    return getWinBackList(tx, actor, id);
  });
}

export async function deleteWinBackList(db: Db, actor: Actor, id: string, version?: number): Promise<void> {
  assertMayUseWinBack(actor);
  await db.transaction(async (tx) => {
    const list = await getWinBackList(tx, actor, id);
    if (!list.editable) throw new KamertonError('forbidden', 'A key account manager deletes the win-back lists they made only.', { field: 'id' });
    if (version !== undefined && list.version !== version) throw staleVersion('win-back list', list);
    await recordDelete(tx, actor, listTarget(id), historyOfList(list));
    // The list's actions stay (their list becomes null): they are the record of what was tried.
    await tx.delete(winBackLists).where(eq(winBackLists.id, id));
  });
}

type ListRow = {
  id: string; name: string; criteria: WinBackCriteria; created_by: string | null; created_by_name: string | null;
  created_at: Date; updated_at: Date; version: number; refreshed_at: Date | null; refreshed_run_id: string | null; members: number;
};

function listSelect(actor: Actor, id: string | undefined): SQL {
  const scope = accessibleAccountsCondition(actor) ?? sql`true`;
  return sql`
    select l.id, l.name, l.criteria, l.created_by, u.name as created_by_name, l.created_at, l.updated_at, l.version,
           l.refreshed_at, l.refreshed_run_id,
           (select count(*)::int from win_back_list_members m join accounts on accounts.id = m.account_id
             where m.list_id = l.id and ${scope}) as members
      from win_back_lists l left join users u on u.id = l.created_by
     where ${id === undefined ? sql`true` : sql`l.id = ${id}`}
     order by lower(l.name), l.id`;
}

function listView(actor: Actor, row: ListRow): WinBackListView {
  return {
    id: row.id,
    name: row.name,
    criteria: row.criteria,
    createdBy: row.created_by,
    createdByName: row.created_by_name,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    version: row.version,
    refreshedAt: row.refreshed_at === null ? null : new Date(row.refreshed_at),
    refreshedRunId: row.refreshed_run_id === null ? null : Number(row.refreshed_run_id),
    members: row.members,
    editable: mayEditList(actor, row.created_by),
  };
}

/** What history keeps of a list: its own fields, not the reader-dependent counts. */
function historyOfList(list: Pick<WinBackListView, 'id' | 'name' | 'criteria'>): { id: string; name: string; criteria: WinBackCriteria } {
  return { id: list.id, name: list.name, criteria: list.criteria };
}

function listTarget(id: string): HistoryTarget {
  return { entity: 'win-back-list', entityId: id, accountId: null };
}

function listNotFound(id: string): KamertonError {
  return new KamertonError('not-found', 'Win-back list not found.', { field: 'listId', value: id });
}

async function assertCriteriaOwner(tx: Transaction, criteria: WinBackCriteria): Promise<void> {
  if (criteria.ownerId === undefined) return;
  const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.id, criteria.ownerId));
  if (user === undefined) throw new KamertonError('invalid-input', 'criteria.ownerId: no such user', { field: 'criteria.ownerId', value: criteria.ownerId });
}

// ---------------------------------------------------------------------------------------------------
// Members.

export const winBackMembersQuerySchema = z.strictObject({
  page: pageQueryFields.page,
  pageSize: pageQueryFields.pageSize,
});
export type WinBackMembersQuery = z.input<typeof winBackMembersQuerySchema>;

export type OpenActionSummary = {
  id: string; offerType: OfferType; discountPercent: number | null; dueOn: string; ownerId: string; ownerName: string | null;
};

export type WinBackMember = {
  accountId: string;
  name: string;
  code: string | null;
  ownerId: string | null;
  ownerName: string | null;
  status: AccountStatus;
  activity: string | null;
  lostSince: string | null;
  lastSegment: string | null;
  /** The ABC class before the account slipped away (as the wasAbc criterion reads it). */
  wasAbc: string | null;
  /** Refusals over the list's refusalMonths (default 12) before the run's as-of date, and any since. */
  refusals: number;
  /** Revenue in złote in the 12 months up to the last purchase: what the client was worth. */
  revenueBeforeLoss: number | null;
  addedAt: Date;
  openAction: OpenActionSummary | null;
};

export async function listWinBackMembers(db: Db, actor: Actor, listId: string, query: WinBackMembersQuery = {}): Promise<Page<WinBackMember>> {
  const q = parseInput(winBackMembersQuerySchema, query);
  const list = await getWinBackList(db, actor, listId);
  // The run id is a number read from the database: safe to write into the SQL of the shared pieces.
  const run = `${Math.trunc(list.refreshedRunId ?? 0)}::bigint`;
  const scope = accessibleAccountsCondition(actor) ?? sql`true`;
  const { limit, offset } = pageWindow(q);
  const where = sql`m.list_id = ${listId} and ${scope}`;
  const { rows: [counted] } = await db.execute<{ total: number }>(
    sql`select count(*)::int as total from win_back_list_members m join accounts on accounts.id = m.account_id where ${where}`,
  );
  const { rows } = await db.execute<{
    account_id: string; name: string; code: string | null; owner_id: string | null; owner_name: string | null; status: AccountStatus;
    activity: string | null; lost_since: string | null; last_segment: string | null; was_abc: string | null; refusals: number;
    revenue_before_loss: string | null; added_at: Date; action: OpenActionSummary | null;
  }>(sql`
    select accounts.id as account_id, accounts.name, accounts.status, accounts.owner_id, u.name as owner_name, m.added_at,
           (select min(c.code collate "C") from account_codes c where c.account_id = accounts.id) as code,
           (select r.activity from analysis_results r where r.run_id = ${sql.raw(run)} and r.account_id = accounts.id) as activity,
           ${sql.raw(lostSinceSql('accounts.id', run))}::text as lost_since,
           (select r.segment from analysis_results r where r.account_id = accounts.id and r.segment is not null
             order by r.run_id desc limit 1) as last_segment,
           ${sql.raw(abcBeforeSql('accounts.id', run))} as was_abc,
           ${sql.raw(refusalCountSql('accounts.id', runAsOfSql(run), String(Math.trunc(list.criteria.refusalMonths ?? 12))))} as refusals,
           (select (sum(d.revenue) / 100.0)::text from ledger_days d
             where d.account_id = accounts.id
               and d.day > (select max(p.day) from ledger_days p where p.account_id = accounts.id and p.purchase_lines > 0) - interval '12 months'
           ) as revenue_before_loss,
           (select json_build_object('id', w.id, 'offerType', w.offer_type, 'discountPercent', w.discount_percent::float8,
                                     'dueOn', w.due_on::text, 'ownerId', w.owner_id, 'ownerName', wu.name)
              from win_back_actions w left join users wu on wu.id = w.owner_id
             where w.account_id = accounts.id and w.outcome is null
             order by w.created_at desc limit 1) as action
      from win_back_list_members m
      join accounts on accounts.id = m.account_id
      left join users u on u.id = accounts.owner_id
     where ${where}
     order by lost_since desc nulls last, lower(accounts.name), accounts.id
     limit ${limit} offset ${offset}`);
  return {
    items: rows.map((row) => ({
      accountId: row.account_id,
      name: row.name,
      code: row.code,
      ownerId: row.owner_id,
      ownerName: row.owner_name,
      status: row.status,
      activity: row.activity,
      lostSince: row.lost_since,
      lastSegment: row.last_segment,
      wasAbc: row.was_abc,
      refusals: row.refusals,
      revenueBeforeLoss: row.revenue_before_loss === null ? null : Number(row.revenue_before_loss),
      addedAt: new Date(row.added_at),
      openAction: row.action,
    })),
    total: counted?.total ?? 0,
    page: q.page,
    pageSize: q.pageSize,
  };
}

// ---------------------------------------------------------------------------------------------------
// Actions.

const discountPercent = z.number().gt(0).max(100).multipleOf(0.01).nullable()
  .describe('The discount in percent (more than 0, at most 100): required for a discount, refused for any other offer.');

const actionFields = {
  listId: z.uuid().nullable().describe('The win-back list the action was planned from, if any.'),
  offerType: z.enum(OFFER_TYPES),
  discountPercent,
  offer: optionalText(2000).describe('What is offered, in the owner\'s words.'),
  ownerId: z.uuid().describe('Who carries the action out; default the account\'s owner, or the one who plans it.'),
  dueOn: z.iso.date().describe('When the action is due, YYYY-MM-DD.'),
  note: optionalText(LONG_TEXT),
};

export const winBackActionCreateSchema = z.strictObject({
  accountId: z.uuid(),
  ...actionFields,
}).partial({ listId: true, discountPercent: true, offer: true, ownerId: true, note: true });
export const winBackActionPatchSchema = z.strictObject({
  ...actionFields,
  outcome: z.enum(WIN_BACK_OUTCOMES).nullable().describe('How the action ended; null reopens it.'),
  outcomeOn: z.iso.date().nullable().describe('When it ended; default today when an outcome is set.'),
}).omit({ listId: true }).partial();
export type WinBackActionCreate = z.input<typeof winBackActionCreateSchema>;
export type WinBackActionPatch = z.input<typeof winBackActionPatchSchema>;

export const ACTION_STATES = ['open', 'overdue', 'closed'] as const;
export type ActionState = (typeof ACTION_STATES)[number];

export const winBackActionListQuerySchema = z.strictObject({
  page: pageQueryFields.page,
  pageSize: pageQueryFields.pageSize,
  ownerId: z.uuid().optional(),
  listId: z.uuid().optional(),
  accountId: z.uuid().optional(),
  state: z.enum(ACTION_STATES).optional()
    .describe('open: no outcome and not yet due; overdue: no outcome and due before today; closed: with an outcome.'),
});
export type WinBackActionListQuery = z.input<typeof winBackActionListQuerySchema>;

export type WinBackActionView = {
  id: string;
  accountId: string;
  accountName: string;
  accountStatus: AccountStatus;
  listId: string | null;
  listName: string | null;
  offerType: OfferType;
  discountPercent: number | null;
  offer: string | null;
  ownerId: string;
  ownerName: string | null;
  dueOn: string;
  outcome: WinBackOutcome | null;
  outcomeOn: string | null;
  wonBackOn: string | null;
  segment: string | null;
  note: string | null;
  state: ActionState;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
};

/** `today` is the company's day (YYYY-MM-DD): what is overdue depends on it. */
export type DayOptions = { today: string };

const dayParam = z.iso.date();

export async function listWinBackActions(
  db: Db, actor: Actor, query: WinBackActionListQuery = {}, options: DayOptions,
): Promise<Page<WinBackActionView>> {
  assertMayUseWinBack(actor);
  const q = parseInput(winBackActionListQuerySchema, query);
  const today = parseInput(dayParam, options.today);
  const filters: SQL[] = [accessibleAccountsCondition(actor) ?? sql`true`];
  if (q.ownerId !== undefined) filters.push(sql`w.owner_id = ${q.ownerId}`);
  if (q.listId !== undefined) filters.push(sql`w.list_id = ${q.listId}`);
  if (q.accountId !== undefined) filters.push(sql`w.account_id = ${q.accountId}`);
  if (q.state === 'open') filters.push(sql`w.outcome is null and w.due_on >= ${today}::date`);
  if (q.state === 'overdue') filters.push(sql`w.outcome is null and w.due_on < ${today}::date`);
  if (q.state === 'closed') filters.push(sql`w.outcome is not null`);
  const where = sql.join(filters, sql` and `);
  const { limit, offset } = pageWindow(q);
  const { rows: [counted] } = await db.execute<{ total: number }>(
    sql`select count(*)::int as total from win_back_actions w join accounts on accounts.id = w.account_id where ${where}`,
  );
  const { rows } = await db.execute<ActionRow>(sql`${actionSelect(today)} where ${where}
    order by w.due_on, w.created_at, w.id limit ${limit} offset ${offset}`);
  return { items: rows.map(actionView), total: counted?.total ?? 0, page: q.page, pageSize: q.pageSize };
}

export async function getWinBackAction(db: Executor, actor: Actor, id: string, options: DayOptions): Promise<WinBackActionView> {
  assertMayUseWinBack(actor);
  if (!isUuid(id)) throw actionNotFound(id);
  const today = parseInput(dayParam, options.today);
  const scope = accessibleAccountsCondition(actor) ?? sql`true`;
  const { rows: [row] } = await db.execute<ActionRow>(sql`${actionSelect(today)} where w.id = ${id} and ${scope}`);
  if (row === undefined) throw actionNotFound(id);
  return actionView(row);
}

export async function createWinBackAction(db: Db, actor: Actor, input: WinBackActionCreate, options: DayOptions): Promise<WinBackActionView> {
  assertMayUseWinBack(actor);
  const fields = definedFields(parseInput(winBackActionCreateSchema, input));
  assertDiscount(fields.offerType, fields.discountPercent ?? null);
  return db.transaction(async (tx) => {
    const account = await loadAccessibleAccount(tx, actor, fields.accountId, 'write');
    if (fields.listId !== undefined && fields.listId !== null) await getWinBackList(tx, actor, fields.listId);
    const ownerId = fields.ownerId ?? account.ownerId ?? actor.userId;
    if (ownerId === null) {
      throw new KamertonError('invalid-input', 'ownerId: the account has no owner, so name who carries the action out', { field: 'ownerId' });
    }
    if (ownerId !== account.ownerId || fields.ownerId !== undefined) await assertActionOwner(tx, ownerId);
    const { rows: [latest] } = await tx.execute<{ segment: string | null }>(sql`
      select segment from analysis_results where account_id = ${account.id} and segment is not null order by run_id desc limit 1`);
    const [created] = await tx.insert(winBackActions).values({
      accountId: account.id,
      listId: fields.listId ?? null,
      offerType: fields.offerType,
      discountPercent: fields.discountPercent ?? null,
      offer: fields.offer ?? null,
      ownerId,
      dueOn: fields.dueOn,
      note: fields.note ?? null,
      segment: latest?.segment ?? null,
      createdBy: actor.userId,
    }).returning({ id: winBackActions.id }) as [{ id: string }];
    const action = await getWinBackAction(tx, actor, created.id, options);
    await recordCreate(tx, actor, actionTarget(action), historyOfAction(action));
    return action;
  });
}

const ACTION_HISTORY_FIELDS = ['offerType', 'discountPercent', 'offer', 'ownerId', 'dueOn', 'outcome', 'outcomeOn', 'note'] as const;

export async function updateWinBackAction(
  db: Db, actor: Actor, id: string, patch: WinBackActionPatch, version: number, options: DayOptions,
): Promise<WinBackActionView> {
  assertMayUseWinBack(actor);
  const fields = definedFields(parseInput(winBackActionPatchSchema, patch));
  const today = parseInput(dayParam, options.today);
  return db.transaction(async (tx) => {
    const before = await getWinBackAction(tx, actor, id, { today });
    await loadAccessibleAccount(tx, actor, before.accountId, 'write');
    if (before.version !== version) throw staleVersion('win-back action', before);
    const after = { ...before, ...fields };
    // An outcome set without its day is dated today; clearing the outcome clears its day.
    if (fields.outcome !== undefined && fields.outcome !== null && fields.outcomeOn === undefined && before.outcome === null) after.outcomeOn = today;
    if (after.outcome === null) after.outcomeOn = null;
    if (after.outcome !== null && after.outcomeOn === null) {
      throw new KamertonError('invalid-input', 'outcomeOn: an outcome needs its day', { field: 'outcomeOn' });
    }
    if (before.wonBackOn !== null && after.outcome !== 'won-back') {
      throw new KamertonError('invalid-input', `outcome: the account bought again on ${before.wonBackOn}, so the action stays won back`, { field: 'outcome' });
    }
    assertDiscount(after.offerType, after.discountPercent);
    const changes = diffFields(before, after, ACTION_HISTORY_FIELDS);
    if (changes.length === 0) return before;
    if (after.ownerId !== before.ownerId) await assertActionOwner(tx, after.ownerId);
    const [updated] = await tx.update(winBackActions).set({
      offerType: after.offerType,
      discountPercent: after.discountPercent,
      offer: after.offer,
      ownerId: after.ownerId,
      dueOn: after.dueOn,
      outcome: after.outcome,
      outcomeOn: after.outcomeOn,
      note: after.note,
      version: sql`${winBackActions.version} + 1`,
      updatedAt: sql`now()`,
    }).where(and(eq(winBackActions.id, id), eq(winBackActions.version, version))).returning({ id: winBackActions.id });
    if (updated === undefined) throw staleVersion('win-back action', await getWinBackAction(tx, actor, id, { today }));
    await recordChanges(tx, actor, actionTarget(before), changes);
    return getWinBackAction(tx, actor, id, { today });
  });
}

export async function deleteWinBackAction(db: Db, actor: Actor, id: string, version?: number): Promise<void> {
  assertMayUseWinBack(actor);
  await db.transaction(async (tx) => {
    // The action's state (open or overdue) plays no part in its deletion: any day will do.
    const action = await getWinBackAction(tx, actor, id, { today: '1970-01-01' });
    await loadAccessibleAccount(tx, actor, action.accountId, 'write');
    if (version !== undefined && action.version !== version) throw staleVersion('win-back action', action);
    await recordDelete(tx, actor, actionTarget(action), historyOfAction(action));
    await tx.delete(winBackActions).where(eq(winBackActions.id, id));
  });
}

type ActionRow = {
  id: string; account_id: string; account_name: string; account_status: AccountStatus; list_id: string | null; list_name: string | null;
  offer_type: OfferType; discount_percent: number | null; offer: string | null; owner_id: string; owner_name: string | null;
  due_on: string; outcome: WinBackOutcome | null; outcome_on: string | null; won_back_on: string | null; segment: string | null;
  note: string | null; state: ActionState; created_by: string | null; created_at: Date; updated_at: Date; version: number;
};

function actionSelect(today: string): SQL {
  return sql`
    select w.id, w.account_id, accounts.name as account_name, accounts.status as account_status, w.list_id, l.name as list_name,
           w.offer_type, w.discount_percent::float8 as discount_percent, w.offer, w.owner_id, u.name as owner_name,
           w.due_on::text as due_on, w.outcome, w.outcome_on::text as outcome_on, w.won_back_on::text as won_back_on, w.segment, w.note,
           case when w.outcome is not null then 'closed' when w.due_on < ${today}::date then 'overdue' else 'open' end as state,
           w.created_by, w.created_at, w.updated_at, w.version
      from win_back_actions w
      join accounts on accounts.id = w.account_id
      left join win_back_lists l on l.id = w.list_id
      left join users u on u.id = w.owner_id`;
}

function actionView(row: ActionRow): WinBackActionView {
  return {
    id: row.id,
    accountId: row.account_id,
    accountName: row.account_name,
    accountStatus: row.account_status,
    listId: row.list_id,
    listName: row.list_name,
    offerType: row.offer_type,
    discountPercent: row.discount_percent,
    offer: row.offer,
    ownerId: row.owner_id,
    ownerName: row.owner_name,
    dueOn: row.due_on,
    outcome: row.outcome,
    outcomeOn: row.outcome_on,
    wonBackOn: row.won_back_on,
    segment: row.segment,
    note: row.note,
    state: row.state,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    version: row.version,
  };
}

/** What history keeps of an action: its own fields, not the names joined to it or its state of the day. */
function historyOfAction(action: WinBackActionView): object {
  const { accountName: _name, accountStatus: _status, listName: _list, ownerName: _owner, state: _state, ...own } = action;
  return own;
}

function actionTarget(action: Pick<WinBackActionView, 'id' | 'accountId'>): HistoryTarget {
  return { entity: 'win-back-action', entityId: action.id, accountId: action.accountId };
}

function actionNotFound(id: string): KamertonError {
  return new KamertonError('not-found', 'Win-back action not found.', { field: 'actionId', value: id });
}

/** A discount carries its percentage, and no other offer carries one. */
function assertDiscount(offerType: OfferType, percent: number | null): void {
  if (offerType === 'discount' && percent === null) {
    throw new KamertonError('invalid-input', 'discountPercent: a discount needs its percentage (more than 0, at most 100)', { field: 'discountPercent' });
  }
  if (offerType !== 'discount' && percent !== null) {
    throw new KamertonError('invalid-input', `discountPercent: only a discount takes a percentage, not an offer of type ${offerType}`, { field: 'discountPercent' });
  }
}

/** The owner of an action is an active user who works with accounts (a KAM, a director or an administrator). */
async function assertActionOwner(tx: Transaction, userId: string): Promise<void> {
  const [user] = await tx.select({ role: users.role, active: users.active }).from(users).where(eq(users.id, userId));
  if (user === undefined || !user.active || user.role === 'marketing') {
    throw new KamertonError('invalid-input', 'ownerId: not an active KAM, director or administrator', { field: 'ownerId', value: userId });
  }
}

// ---------------------------------------------------------------------------------------------------
// Rates.

export const winBackRatesQuerySchema = z.strictObject({
  from: z.iso.date().optional().describe('Actions created on or after this day (YYYY-MM-DD).'),
  to: z.iso.date().optional().describe('Actions created on or before this day (YYYY-MM-DD).'),
});
export type WinBackRatesQuery = z.input<typeof winBackRatesQuerySchema>;

export type WinBackRateRow = {
  /** The offer type, or the segment captured when the action was made ('none' without one); 'all' for the total. */
  key: string;
  actions: number;
  open: number;
  wonBack: number;
  declined: number;
  noAnswer: number;
  /** Won back among the actions with an outcome; null while none has one. */
  rate: number | null;
  /** The share of the actions still without an outcome. */
  openShare: number | null;
  /** The median days from the action's day to the purchase that won the account back. */
  medianDaysToPurchase: number | null;
};

export type WinBackRates = { from: string | null; to: string | null; total: WinBackRateRow; byOfferType: WinBackRateRow[]; bySegment: WinBackRateRow[] };

/** `timeZone`: the company's (config.timeZone), which decides the day an action was created on. */
export async function winBackRates(db: Db, actor: Actor, query: WinBackRatesQuery, timeZone: string): Promise<WinBackRates> {
  assertMayUseWinBack(actor);
  const q = parseInput(winBackRatesQuerySchema, query);
  if (q.from !== undefined && q.to !== undefined && q.from > q.to) {
    throw new KamertonError('invalid-input', 'from: the first day comes after the last (to)', { field: 'from' });
  }
  const filters: SQL[] = [accessibleAccountsCondition(actor) ?? sql`true`];
  const created = sql`(w.created_at at time zone ${timeZone})::date`;
  if (q.from !== undefined) filters.push(sql`${created} >= ${q.from}::date`);
  if (q.to !== undefined) filters.push(sql`${created} <= ${q.to}::date`);
  const { rows } = await db.execute<{
    grouping: 'total' | 'offer' | 'segment'; key: string; actions: number; open: number; won_back: number; declined: number; no_answer: number;
    median_days: number | null;
  }>(sql`
    select case when grouping(w.offer_type) = 0 then 'offer' when grouping(coalesce(w.segment, 'none')) = 0 then 'segment' else 'total' end as grouping,
           coalesce(w.offer_type, coalesce(w.segment, 'none'), 'all') as key,
           count(*)::int as actions,
           (count(*) filter (where w.outcome is null))::int as open,
           (count(*) filter (where w.outcome = 'won-back'))::int as won_back,
           (count(*) filter (where w.outcome = 'declined'))::int as declined,
           (count(*) filter (where w.outcome = 'no-answer'))::int as no_answer,
           percentile_cont(0.5) within group (order by (w.won_back_on - ${created})::float8) filter (where w.won_back_on is not null) as median_days
      from win_back_actions w join accounts on accounts.id = w.account_id
     where ${sql.join(filters, sql` and `)}
     group by grouping sets ((w.offer_type), (coalesce(w.segment, 'none')), ())`);
  const rate = (row: (typeof rows)[number]): WinBackRateRow => {
    const closed = row.won_back + row.declined + row.no_answer;
    return {
      key: row.key,
      actions: row.actions,
      open: row.open,
      wonBack: row.won_back,
      declined: row.declined,
      noAnswer: row.no_answer,
      rate: closed === 0 ? null : row.won_back / closed,
      openShare: row.actions === 0 ? null : row.open / row.actions,
      medianDaysToPurchase: row.median_days === null ? null : Number(row.median_days),
    };
  };
  const empty = (key: string): WinBackRateRow => ({
    key, actions: 0, open: 0, wonBack: 0, declined: 0, noAnswer: 0, rate: null, openShare: null, medianDaysToPurchase: null,
  });
  const byOffer = new Map(rows.filter((row) => row.grouping === 'offer').map((row) => [row.key, rate(row)]));
  const total = rows.find((row) => row.grouping === 'total');
  return {
    from: q.from ?? null,
    to: q.to ?? null,
    total: total === undefined ? empty('all') : rate(total),
    // Every offer type, with zeros for those never tried: the comparison shows them all.
    byOfferType: OFFER_TYPES.map((type) => byOffer.get(type) ?? empty(type)),
    bySegment: rows.filter((row) => row.grouping === 'segment').map(rate).sort((a, b) => (a.key === 'none' ? 1 : b.key === 'none' ? -1 : a.key.localeCompare(b.key))),
  };
}
