/**
 * Account dossiers: list, read, create, change, delete, and the account team. Every change and its
 * history rows are written in one transaction; a change names the version it was made on, and a stale
 * one is refused with the current record (optimistic concurrency: two managers editing one dossier do
 * not overwrite each other silently).
 *
 * The module also holds the pieces every dossier use-case shares (input validation, pages, the
 * version conflict), so that contacts, competitors and tenders follow one set of conventions.
 */
import { and, eq, ilike, inArray, isNull, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { z } from 'zod';
import { KamertonError } from '../core/errors.ts';
import type { Db } from '../db/client.ts';
import {
  ACCOUNT_STATUSES, accountCodes, accounts, accountTeam, analysisResults, contacts, accountCompetitors, importNewAccounts, ledgerDays, ledgerLines, ledgerPacks, tenders, users,
} from '../db/schema/index.ts';
import { ACTIVITIES, KEY_CLIENT_TYPES, SEGMENTS, type Activity, type KeyClientType, type Segment } from '../core/types.ts';
import { accessibleAccountsCondition, loadAccessibleAccount, type AccountRow, type Executor, type Transaction } from './access.ts';
import { assertManagesAccounts, assertMayWriteDossiers, FINANCIAL_FIELDS, managesAccounts, seesFinancialFields, type FinancialField } from './roles.ts';
import type { Actor } from './actor.ts';
import { parseInput, type Page } from './input.ts';
import { LEDGER_LOCK } from '../db/ledger-store.ts';
import { diffFields, recordChanges, recordChangesOfMany, recordCreate, recordDelete } from './history.ts';

// ---------------------------------------------------------------------------------------------------
// Shared by the dossier's use-cases.

/** Longest free text a dossier field takes (a description, the history, notes). */
export const LONG_TEXT = 20_000;

/** A text field that may be cleared: surrounding blanks trimmed, an empty string stored as null. */
export function optionalText(max: number) {
  return z.string().trim().max(max).transform((value) => (value === '' ? null : value)).nullable();
}

/** The version a change was made on, as the client read it. */

/** Query parameters of every list: page (1-based), page size (at most 200), order. */
export const pageQueryFields = {
  page: z.coerce.number().int().min(1).default(1).describe('Page number, from 1.'),
  pageSize: z.coerce.number().int().min(1).max(200).default(50).describe('Items per page, at most 200.'),
  order: z.enum(['asc', 'desc']).optional().describe('Sort order; each sort field has its natural default.'),
};

/** A query flag: a boolean, or "true"/"false" as a query string carries it. */
export const queryFlag = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);



/**
 * `patch` without its undefined values: a field sent as undefined is a field left out, never a field
 * cleared (clearing is null).
 */
export function definedFields<T extends object>(patch: T): T {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as T;
}

/** The ORDER BY of a list: the field in the direction asked, nulls last, then `id` so pages are stable. */
export function orderBy(expression: SQLWrapper, direction: 'asc' | 'desc', id: SQLWrapper): SQL[] {
  return [sql`${expression} ${sql.raw(direction)} nulls last`, sql`${id} asc`];
}

/** `text` for LIKE/ILIKE, its wildcards escaped, between % signs. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The conflict error for a change made on a stale version, carrying the record as the reader sees it. */
export function staleVersion(what: string, current: object): KamertonError {
  return new KamertonError(
    'conflict',
    `The ${what} was changed by someone else since you read it: reload it and make your change again.`,
    { field: 'version', current },
  );
}

/** PostgreSQL's error in `error` (drizzle wraps it as the cause), or null for any other error. */
export function databaseError(error: unknown): { code: string; constraint?: string; detail?: string } | null {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth += 1) {
    const candidate = current as { code?: unknown; cause?: unknown };
    if (typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code)) {
      return current as { code: string; constraint?: string; detail?: string };
    }
    current = candidate.cause;
  }
  return null;
}

/** The page the rows of a list fall on, from validated page and pageSize. */
export function pageWindow(query: { page: number; pageSize: number }): { limit: number; offset: number } {
  return { limit: query.pageSize, offset: (query.page - 1) * query.pageSize };
}

// ---------------------------------------------------------------------------------------------------
// Accounts.

/** ERP client codes: each names one account; the list may be empty (a prospect has none yet). */
const codesSchema = z.array(z.string().trim().min(1).max(64)).max(200).refine(
  (codes) => new Set(codes).size === codes.length,
  { message: 'a code is listed twice' },
);

/** NIP, the Polish tax id: ten digits, typed with or without dashes and spaces. */
const taxIdSchema = z.string().trim()
  .transform((value) => value.replace(/[\s-]/g, ''))
  .refine((value) => value === '' || /^[0-9]{10}$/.test(value), { message: 'a NIP is ten digits' })
  .transform((value) => (value === '' ? null : value))
  .nullable();

const accountFields = {
  name: z.string().trim().min(1).max(300),
  codes: codesSchema.describe('ERP client codes the ledger lines of this client carry.'),
  taxId: taxIdSchema.describe('NIP (ten digits).'),
  industry: optionalText(200),
  region: optionalText(200),
  website: optionalText(500),
  employees: z.number().int().min(0).max(100_000_000).nullable(),
  description: optionalText(LONG_TEXT),
  history: optionalText(LONG_TEXT).describe('The client company\'s history.'),
  orgStructure: optionalText(LONG_TEXT),
  environment: optionalText(LONG_TEXT).describe('The client\'s market and situation.'),
  ownerId: z.uuid().nullable().describe('The KAM who owns the account; only a director or an administrator assigns it.'),
  imageMaker: z.boolean(),
  imageMakerReason: optionalText(LONG_TEXT),
  expert: z.boolean(),
  expertReason: optionalText(LONG_TEXT),
  annualPotential: z.number().min(0).max(99_999_999_999_999).nullable().describe('Budget or potential per year, in złote.'),
  longTermPlans: optionalText(LONG_TEXT),
  cooperationHorizonMonths: z.number().int().min(0).max(1200).nullable(),
  reputationInfluence: z.number().int().min(1).max(5).nullable(),
  paymentDaysLate: z.number().min(-9999).max(9999).nullable().describe('Average days the client pays late.'),
  privateNotes: optionalText(LONG_TEXT).describe('The KAM\'s private notes (never shown to marketing).'),
  status: z.enum(ACCOUNT_STATUSES),
};

/** A new account: a name, and any other fields. */
export const accountCreateSchema = z.strictObject(accountFields).partial().extend({ name: accountFields.name });
/** A change to an account: any fields; those left out keep their values. */
export const accountPatchSchema = z.strictObject(accountFields).partial();

export type AccountCreate = z.input<typeof accountCreateSchema>;
export type AccountPatch = z.input<typeof accountPatchSchema>;

/** An account as director, admin and KAM read it. */
/** The account's result in the latest analysis run; money only for those who see the financial fields. */
export type LatestAnalysis = {
  runId: number;
  /** Null for an account without purchases that the run typed from its dossier. */
  segment: Segment | null;
  types: KeyClientType[];
  isKey: boolean;
  activity: Activity | null;
  lastPurchase: string | null;
  daysSinceLastPurchase: number | null;
  revenue?: number;
  margin?: number | null;
  growth?: number | null;
};

export type AccountRecord = AccountRow & {
  codes: string[];
  teamIds: string[];
  ownerName: string | null;
  /** Null when no analysis run has included the account. */
  analysis: LatestAnalysis | null;
};

/** An account as the API returns it: marketing's objects lack the financial fields altogether. */
export type AccountView = Omit<AccountRecord, FinancialField> & Partial<Pick<AccountRecord, FinancialField>>;

/** The fields whose changes history records, in the order the dossier shows them. */
const ACCOUNT_HISTORY_FIELDS = [
  'name', 'codes', 'taxId', 'industry', 'region', 'website', 'employees', 'description', 'history', 'orgStructure',
  'environment', 'ownerId', 'teamIds', 'imageMaker', 'imageMakerReason', 'expert', 'expertReason', 'annualPotential',
  'longTermPlans', 'cooperationHorizonMonths', 'reputationInfluence', 'paymentDaysLate', 'privateNotes', 'status',
] as const satisfies readonly (keyof AccountRecord)[];

export const ACCOUNT_SORTS = [
  'name', 'status', 'industry', 'region', 'employees', 'reputationInfluence', 'annualPotential', 'createdAt', 'updatedAt',
] as const;
export type AccountSort = (typeof ACCOUNT_SORTS)[number];

/**
 * Which accounts a list or an export holds and in which order: the filters, the search and the sort,
 * without the page. The list and the export take the same fields, so that an export gives the rows
 * the list showed.
 */
const accountSelectionFields = {
  order: pageQueryFields.order,
  sort: z.enum(ACCOUNT_SORTS).optional().describe('Sort field (default name).'),
  q: z.string().trim().max(200).optional().describe('Text search in the name, the NIP and the ERP codes.'),
  ownerId: z.union([z.uuid(), z.literal('none')]).optional().describe('The owner\'s user id, or "none" for accounts without one.'),
  status: z.enum(ACCOUNT_STATUSES).optional(),
  industry: z.string().trim().min(1).max(200).optional().describe('Industry, compared without case.'),
  region: z.string().trim().min(1).max(200).optional().describe('Region, compared without case.'),
  imageMaker: queryFlag.optional(),
  expert: queryFlag.optional(),
  segment: z.enum(SEGMENTS).optional().describe('Segment in the latest analysis run (AX ... CZ).'),
  previousSegment: z.enum(SEGMENTS).optional()
    .describe('Segment in the run before the latest (with segment: the accounts that moved from one to the other).'),
  type: z.enum(KEY_CLIENT_TYPES).optional().describe('Key-client type in the latest analysis run.'),
  activity: z.enum(ACTIVITIES).optional().describe('Activity in the latest analysis run.'),
  key: queryFlag.optional().describe('Whether the latest analysis run marked the account key.'),
};
export const accountSelectionSchema = z.strictObject(accountSelectionFields);
export type AccountSelection = z.input<typeof accountSelectionSchema>;

export const accountListQuerySchema = z.strictObject({
  page: pageQueryFields.page,
  pageSize: pageQueryFields.pageSize,
  ...accountSelectionFields,
});
export type AccountListQuery = z.input<typeof accountListQuerySchema>;

/** The account as `actor` may see it: marketing's copy has no financial fields, payment data or notes. */
export function viewAccount(actor: Actor, record: AccountRecord): AccountView {
  if (seesFinancialFields(actor)) return record;
  const view: AccountView = { ...record };
  for (const field of FINANCIAL_FIELDS) delete view[field];
  if (record.analysis !== null) {
    const { revenue: _revenue, margin: _margin, growth: _growth, ...withoutMoney } = record.analysis;
    view.analysis = withoutMoney;
  }
  return view;
}

/** The accounts' results in the latest analysis run, as a condition on `analysis_results` aliased `latest`. */
const LATEST_RUN = sql`(select max(id) from analysis_runs)`;

/** The run before the latest: the one the dashboard's transitions start from. */
const PREVIOUS_RUN = sql`(select max(id) from analysis_runs where id < ${LATEST_RUN})`;

function latestResultIs(condition: SQL): SQL {
  return sql`exists (select 1 from analysis_results as latest where latest.run_id = ${LATEST_RUN}
    and latest.account_id = ${accounts.id} and ${condition})`;
}

/** Lists the accounts the actor may see, filtered, searched, sorted and paged. */
export async function listAccounts(db: Db, actor: Actor, query: AccountListQuery = {}): Promise<Page<AccountView>> {
  const q = parseInput(accountListQuerySchema, query);
  const { where, order } = accountSelection(actor, q);
  const { limit, offset } = pageWindow(q);
  const [counted] = await db.select({ total: sql<number>`count(*)::int` }).from(accounts).where(where);
  const rows = await db.select().from(accounts).where(where).orderBy(...order).limit(limit).offset(offset);
  const records = await completeAccounts(db, rows);
  return { items: records.map((record) => viewAccount(actor, record)), total: counted?.total ?? 0, page: q.page, pageSize: q.pageSize };
}

/** How many accounts `readSelectedAccounts` hands over at a time. */
const SELECTION_BATCH = 1000;

/**
 * Hands the accounts the actor may see that `selection` names, in its order and as the actor may see
 * them, to `onBatch`, a thousand at a time with how many there are in all; refuses (too-large) a
 * selection of more than `max` accounts before reading any. The export reads a selection this way
 * rather than whole, so that 100,000 accounts with their codes and results are never in memory at
 * once; all batches are read in one read-only snapshot, so that an account changed meanwhile is
 * exported as it was, not half-changed.
 */
export async function readSelectedAccounts(
  db: Db,
  actor: Actor,
  selection: AccountSelection,
  max: number,
  onBatch: (accounts: AccountView[], total: number) => Promise<void> | void,
): Promise<number> {
  const q = parseInput(accountSelectionSchema, selection);
  const { where, order } = accountSelection(actor, q);
  return db.transaction(async (tx) => {
    // The ids alone, in the list's order: 100,000 of them take a few megabytes.
    const ids = (await tx.select({ id: accounts.id }).from(accounts).where(where).orderBy(...order).limit(max + 1)).map((row) => row.id);
    if (ids.length > max) {
      throw new KamertonError(
        'too-large',
        `More than ${max.toLocaleString('en-US')} accounts match: narrow the filters and export again.`,
        { field: 'accounts', max },
      );
    }
    for (let start = 0; start < ids.length; start += SELECTION_BATCH) {
      const batch = ids.slice(start, start + SELECTION_BATCH);
      const rows = await tx.select().from(accounts).where(isAnyOf(accounts.id, batch));
      const byId = new Map(rows.map((row) => [row.id, row]));
      const ordered = batch.flatMap((id) => {
        const row = byId.get(id);
        return row === undefined ? [] : [row];
      });
      const records = await completeAccounts(tx, ordered);
      await onBatch(records.map((record) => viewAccount(actor, record)), ids.length);
    }
    return ids.length;
  }, { isolationLevel: 'repeatable read', accessMode: 'read only' });
}

/**
 * The WHERE and ORDER BY of the accounts the actor may see that `q` selects: what the list pages and
 * the export reads whole. Sorting by a financial field is refused to those who do not see it, lest
 * the order betray the values.
 */
function accountSelection(actor: Actor, q: z.output<typeof accountSelectionSchema>): { where: SQL | undefined; order: SQL[] } {
  const sort: AccountSort = q.sort ?? 'name';
  if (!seesFinancialFields(actor) && (FINANCIAL_FIELDS as readonly string[]).includes(sort)) {
    throw new KamertonError('invalid-input', `sort: ${sort} is not a sort field for your role`, { field: 'sort', value: sort });
  }
  const where = and(accessibleAccountsCondition(actor), ...accountFilters(q));
  const direction = q.order ?? (sort === 'createdAt' || sort === 'updatedAt' ? 'desc' : 'asc');
  const sortExpression = sort === 'name' ? sql`lower(${accounts.name})` : accounts[sort];
  return { where, order: orderBy(sortExpression, direction, accounts.id) };
}

function accountFilters(q: z.output<typeof accountSelectionSchema>): (SQL | undefined)[] {
  const filters: (SQL | undefined)[] = [];
  if (q.ownerId === 'none') filters.push(isNull(accounts.ownerId));
  else if (q.ownerId !== undefined) filters.push(eq(accounts.ownerId, q.ownerId));
  if (q.status !== undefined) filters.push(eq(accounts.status, q.status));
  if (q.industry !== undefined) filters.push(sql`lower(${accounts.industry}) = lower(${q.industry})`);
  if (q.region !== undefined) filters.push(sql`lower(${accounts.region}) = lower(${q.region})`);
  if (q.imageMaker !== undefined) filters.push(eq(accounts.imageMaker, q.imageMaker));
  if (q.expert !== undefined) filters.push(eq(accounts.expert, q.expert));
  if (q.segment !== undefined) filters.push(latestResultIs(sql`latest.segment = ${q.segment}`));
  if (q.previousSegment !== undefined) {
    filters.push(sql`exists (select 1 from analysis_results as previous where previous.run_id = ${PREVIOUS_RUN}
      and previous.account_id = ${accounts.id} and previous.segment = ${q.previousSegment})`);
  }
  if (q.type !== undefined) filters.push(latestResultIs(sql`${q.type} = any(latest.types)`));
  if (q.activity !== undefined) filters.push(latestResultIs(sql`latest.activity = ${q.activity}`));
  if (q.key !== undefined) filters.push(latestResultIs(sql`latest.is_key = ${q.key}`));
  if (q.q !== undefined && q.q !== '') {
    const pattern = containsPattern(q.q);
    // A NIP is often typed with dashes (123-456-78-90): compare its digits.
    const digits = q.q.replace(/[\s-]/g, '');
    filters.push(or(
      ilike(accounts.name, pattern),
      sql`exists (select 1 from ${accountCodes} where ${accountCodes.accountId} = ${accounts.id} and ${accountCodes.code} ilike ${pattern})`,
      /^[0-9]{3,10}$/.test(digits) ? ilike(accounts.taxId, containsPattern(digits)) : undefined,
    ));
  }
  return filters;
}

/** The account `id` as the actor sees it; not-found for a missing account or one they may not see. */
export async function getAccount(db: Db, actor: Actor, id: string): Promise<AccountView> {
  const row = await loadAccessibleAccount(db, actor, id, 'read');
  const [record] = await completeAccounts(db, [row]);
  return viewAccount(actor, record as AccountRecord);
}

/**
 * Creates an account. A KAM becomes its owner (and may name no one else); a director or an
 * administrator may name any active KAM or director as the owner, or none. A code another account
 * has is a conflict naming that code.
 */
export async function createAccount(db: Db, actor: Actor, input: AccountCreate): Promise<AccountView> {
  assertMayWriteDossiers(actor);
  const { codes = [], ...fields } = definedFields(parseInput(accountCreateSchema, input));
  let ownerId = fields.ownerId ?? null;
  if (actor.role === 'kam') {
    if (ownerId !== null && ownerId !== actor.userId) {
      throw new KamertonError('forbidden', 'A KAM creates accounts they own: only a director assigns another owner.', { field: 'ownerId' });
    }
    ownerId = actor.userId;
  }
  const record = await withCodeConflicts(() => db.transaction(async (tx) => {
    if (ownerId !== null && actor.role !== 'kam') await assertAssignableUser(tx, ownerId, 'ownerId');
    await assertCodesFree(tx, codes, null);
    const [row] = await tx.insert(accounts).values({ ...fields, ownerId }).returning();
    const created = row as AccountRow;
    if (codes.length > 0) await tx.insert(accountCodes).values(codes.map((code) => ({ code, accountId: created.id })));
    const [complete] = await completeAccounts(tx, [created]);
    const result = complete as AccountRecord;
    await recordCreate(tx, actor, accountTarget(created.id), result);
    return result;
  }));
  return viewAccount(actor, record);
}

/**
 * Changes the fields of `patch` on account `id`, made on `version`. Only a director or an
 * administrator changes the owner; a new owner who was on the team leaves the team (the owner is not
 * a team member of their own account). No change at all leaves the version as it was.
 */
export async function updateAccount(db: Db, actor: Actor, id: string, patch: AccountPatch, version: number): Promise<AccountView> {
  const { codes, ...fields } = definedFields(parseInput(accountPatchSchema, patch));
  const record = await withCodeConflicts(() => db.transaction(async (tx) => {
    const row = await loadAccessibleAccount(tx, actor, id, 'write');
    const [before] = await completeAccounts(tx, [row]) as [AccountRecord];
    if (row.version !== version) throw staleVersion('account', viewAccount(actor, before));
    const after: AccountRecord = { ...before, ...fields, codes: codes === undefined ? before.codes : [...codes].sort() };
    const newOwner = after.ownerId;
    if (newOwner !== before.ownerId) {
      if (!managesAccounts(actor)) {
        throw new KamertonError('forbidden', 'Only a director or an administrator assigns an account\'s owner.', { field: 'ownerId' });
      }
      if (newOwner !== null) await assertAssignableUser(tx, newOwner, 'ownerId');
    }
    const ownerLeavesTeam = newOwner !== null && before.teamIds.includes(newOwner);
    if (ownerLeavesTeam) after.teamIds = before.teamIds.filter((userId) => userId !== newOwner);
    const changes = diffFields(before, after, ACCOUNT_HISTORY_FIELDS);
    if (changes.length === 0) return before;
    await assertCodesFree(tx, after.codes, id);
    const updated = await bumpAccount(tx, id, version, fields);
    if (updated === null) throw staleVersion('account', viewAccount(actor, await readAccount(tx, id)));
    await replaceCodes(tx, id, before.codes, after.codes);
    if (ownerLeavesTeam) await tx.delete(accountTeam).where(and(eq(accountTeam.accountId, id), eq(accountTeam.userId, newOwner)));
    await recordChanges(tx, actor, accountTarget(id), changes);
    return readAccount(tx, id);
  }));
  return viewAccount(actor, record);
}

/**
 * Deletes account `id` with its codes, contacts, competitor entries and tenders (a director or an
 * administrator only). Each deleted record gets its history row, so the history tells what was lost.
 * With `version`, a stale one is a conflict.
 */
export async function deleteAccount(db: Db, actor: Actor, id: string, version?: number): Promise<void> {
  assertManagesAccounts(actor, 'delete an account');
  await db.transaction(async (tx) => {
    const row = await loadAccessibleAccount(tx, actor, id, 'write', { lock: true });
    const [record] = await completeAccounts(tx, [row]) as [AccountRecord];
    if (version !== undefined && row.version !== version) throw staleVersion('account', viewAccount(actor, record));
    for (const contact of await tx.select().from(contacts).where(eq(contacts.accountId, id))) {
      await recordDelete(tx, actor, { entity: 'contact', entityId: contact.id, accountId: id }, contact);
    }
    for (const entry of await tx.select().from(accountCompetitors).where(eq(accountCompetitors.accountId, id))) {
      await recordDelete(tx, actor, { entity: 'account-competitor', entityId: entry.id, accountId: id }, entry);
    }
    for (const tender of await tx.select().from(tenders).where(eq(tenders.accountId, id))) {
      await recordDelete(tx, actor, { entity: 'tender', entityId: tender.id, accountId: id }, tender);
    }
    await recordDelete(tx, actor, accountTarget(id), record);
    // Contacts reporting to one another are deleted together; the foreign keys cascade from the account.
    // The ledger's tables have no foreign key (schema/ledger.ts), so their rows go here, under the
    // ledger's lock, lest an import running meanwhile put lines back under the deleted account.
    await tx.execute(sql`select pg_advisory_xact_lock(${sql.raw(LEDGER_LOCK.toString())})`);
    await tx.delete(ledgerLines).where(eq(ledgerLines.accountId, id));
    await tx.delete(ledgerDays).where(eq(ledgerDays.accountId, id));
    await tx.delete(ledgerPacks).where(eq(ledgerPacks.accountId, id));
    await tx.delete(analysisResults).where(eq(analysisResults.accountId, id));
    await tx.delete(importNewAccounts).where(eq(importNewAccounts.accountId, id));
    await tx.delete(accounts).where(eq(accounts.id, id));
  });
}

/**
 * Sets the account team (users besides the owner who read and write the account as the owner does):
 * a director, an administrator or the account's owner may. Members are active KAMs or directors.
 */
export async function setAccountTeam(db: Db, actor: Actor, id: string, userIds: readonly string[], version: number): Promise<AccountView> {
  const team = parseInput(z.array(z.uuid()).max(100).refine((ids) => new Set(ids).size === ids.length, { message: 'a user is listed twice' }), userIds);
  const record = await db.transaction(async (tx) => {
    const row = await loadAccessibleAccount(tx, actor, id, 'write');
    if (!managesAccounts(actor) && row.ownerId !== actor.userId) {
      throw new KamertonError('forbidden', 'Only the account\'s owner, a director or an administrator sets its team.', { field: 'userIds' });
    }
    const [before] = await completeAccounts(tx, [row]) as [AccountRecord];
    if (row.version !== version) throw staleVersion('account', viewAccount(actor, before));
    for (const userId of team) {
      if (userId === row.ownerId) {
        throw new KamertonError('invalid-input', 'userIds: the owner is not a member of their own account\'s team', { field: 'userIds', value: userId });
      }
      await assertAssignableUser(tx, userId, 'userIds');
    }
    const changes = diffFields(before, { ...before, teamIds: [...team].sort() }, ['teamIds']);
    if (changes.length === 0) return before;
    if ((await bumpAccount(tx, id, version, {})) === null) throw staleVersion('account', viewAccount(actor, await readAccount(tx, id)));
    await tx.delete(accountTeam).where(eq(accountTeam.accountId, id));
    if (team.length > 0) await tx.insert(accountTeam).values(team.map((userId) => ({ accountId: id, userId })));
    await recordChanges(tx, actor, accountTarget(id), changes);
    return readAccount(tx, id);
  });
  return viewAccount(actor, record);
}

/** Several accounts given one owner: what the director does with the accounts an import created. */
export const ownerAssignmentSchema = z.strictObject({
  accountIds: z.array(z.uuid()).min(1).max(1000)
    .refine((ids) => new Set(ids).size === ids.length, { message: 'an account is listed twice' })
    .describe('The accounts, 1 to 1,000.'),
  ownerId: z.uuid().nullable().describe('An active KAM or director; null leaves the accounts without an owner.'),
});
export type OwnerAssignment = z.input<typeof ownerAssignmentSchema>;

/**
 * Gives every listed account the owner `ownerId`, in one transaction (a director or an administrator
 * only). Each account whose owner changes is versioned and recorded exactly as a change of its owner
 * through `updateAccount` is: an `ownerId` history row, and when the new owner was on the account's
 * team, they leave it, with a `teamIds` row. An id that names no account refuses the whole assignment
 * (not-found, listing the missing ids), so that a list is never half applied. Returns how many
 * accounts changed owner; those that had this owner already keep their version.
 */
export async function assignOwner(db: Db, actor: Actor, input: OwnerAssignment): Promise<{ updated: number }> {
  assertManagesAccounts(actor, 'assign account owners');
  const { accountIds, ownerId } = parseInput(ownerAssignmentSchema, input);
  return db.transaction(async (tx) => {
    if (ownerId !== null) await assertAssignableUser(tx, ownerId, 'ownerId');
    // Locked in id order, so that two assignments of overlapping lists wait for each other rather than deadlock.
    const rows = await tx.select({ id: accounts.id, ownerId: accounts.ownerId }).from(accounts)
      .where(inArray(accounts.id, accountIds)).orderBy(accounts.id).for('update');
    if (rows.length < accountIds.length) {
      const found = new Set(rows.map((row) => row.id));
      const missing = accountIds.filter((id) => !found.has(id));
      throw new KamertonError(
        'not-found',
        `${missing.length === 1 ? 'One account was' : `${missing.length} accounts were`} not found; no owner was changed.`,
        { field: 'accountIds', value: missing[0], missing },
      );
    }
    const changed = rows.filter((row) => row.ownerId !== ownerId);
    if (changed.length === 0) return { updated: 0 };
    const changedIds = changed.map((row) => row.id);
    const teamOf = groupBy(
      await tx.select().from(accountTeam).where(inArray(accountTeam.accountId, changedIds)),
      (member) => member.accountId,
      (member) => member.userId,
    );
    const records = changed.map((row) => {
      // Sorted as completeAccounts sorts a team, so that the history's values read as a single change's do.
      const teamIds = (teamOf.get(row.id) ?? []).sort();
      const before = { ownerId: row.ownerId, teamIds };
      const after = { ownerId, teamIds: teamIds.filter((userId) => userId !== ownerId) };
      return { target: accountTarget(row.id), changes: diffFields(before, after, ['ownerId', 'teamIds']) };
    });
    await tx.update(accounts).set({ ownerId, version: sql`${accounts.version} + 1`, updatedAt: sql`now()` })
      .where(inArray(accounts.id, changedIds));
    if (ownerId !== null) {
      await tx.delete(accountTeam).where(and(eq(accountTeam.userId, ownerId), inArray(accountTeam.accountId, changedIds)));
    }
    await recordChangesOfMany(tx, actor, records);
    return { updated: changed.length };
  });
}

function accountTarget(id: string) {
  return { entity: 'account' as const, entityId: id, accountId: id };
}

/** Writes `fields` and the next version if the account is still at `version`; null when it is not. */
async function bumpAccount(tx: Transaction, id: string, version: number, fields: Partial<typeof accounts.$inferInsert>): Promise<AccountRow | null> {
  const rows = await tx.update(accounts)
    .set({ ...fields, version: sql`${accounts.version} + 1`, updatedAt: sql`now()` })
    .where(and(eq(accounts.id, id), eq(accounts.version, version)))
    .returning();
  return rows[0] ?? null;
}

/** The complete account `id`, which the caller knows exists. */
async function readAccount(db: Executor, id: string): Promise<AccountRecord> {
  const rows = await db.select().from(accounts).where(eq(accounts.id, id));
  const [record] = await completeAccounts(db, rows);
  if (record === undefined) throw new KamertonError('not-found', 'Account not found.', { field: 'accountId', value: id });
  return record;
}

/** The rows with their codes, team and owner's name, in the rows' order. */
async function completeAccounts(db: Executor, rows: readonly AccountRow[]): Promise<AccountRecord[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const ownerIds = [...new Set(rows.flatMap((row) => (row.ownerId === null ? [] : [row.ownerId])))];
  const codeRows = await db.select().from(accountCodes).where(isAnyOf(accountCodes.accountId, ids));
  const teamRows = await db.select().from(accountTeam).where(isAnyOf(accountTeam.accountId, ids));
  const owners = ownerIds.length === 0 ? [] : await db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, ownerIds));
  const ownerNames = new Map(owners.map((owner) => [owner.id, owner.name]));
  const latest = await db.select().from(analysisResults)
    .where(and(sql`${analysisResults.runId} = ${LATEST_RUN}`, isAnyOf(analysisResults.accountId, ids)));
  const analysisOf = new Map(latest.map((r) => [r.accountId, {
    runId: r.runId,
    segment: r.segment as Segment | null,
    types: r.types as KeyClientType[],
    isKey: r.isKey,
    activity: r.activity as Activity | null,
    lastPurchase: r.lastPurchase,
    daysSinceLastPurchase: r.daysSinceLastPurchase,
    revenue: r.revenue,
    margin: r.margin,
    growth: r.growth,
  }]));
  // Grouped by account once, rather than filtered per row: the export completes a thousand rows at a time.
  const codesOf = groupBy(codeRows, (code) => code.accountId, (code) => code.code);
  const teamOf = groupBy(teamRows, (member) => member.accountId, (member) => member.userId);
  return rows.map((row) => ({
    ...row,
    // Sorted here, in code-point order, as changes sort them: the database's collation may differ.
    codes: (codesOf.get(row.id) ?? []).sort(),
    teamIds: (teamOf.get(row.id) ?? []).sort(),
    ownerName: row.ownerId === null ? null : ownerNames.get(row.ownerId) ?? null,
    analysis: analysisOf.get(row.id) ?? null,
  }));
}

/**
 * `column = any(ids)`, the ids as one array parameter: for the thousand ids of an export's batch,
 * PostgreSQL binds and plans it in half the time of `in` with a parameter per id.
 */
function isAnyOf(column: SQLWrapper, ids: readonly string[]): SQL {
  return sql`${column} = any(${sql.param(ids)}::uuid[])`;
}

/** The values of `items` by their keys, each list in the items' order. */
function groupBy<T, K, V>(items: readonly T[], key: (item: T) => K, value: (item: T) => V): Map<K, V[]> {
  const groups = new Map<K, V[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group === undefined) groups.set(key(item), [value(item)]);
    else group.push(value(item));
  }
  return groups;
}

/** Throws a conflict naming the first of `codes` that belongs to an account other than `accountId`. */
async function assertCodesFree(tx: Transaction, codes: readonly string[], accountId: string | null): Promise<void> {
  if (codes.length === 0) return;
  const taken = await tx.select().from(accountCodes).where(inArray(accountCodes.code, [...codes]));
  const other = taken.find((row) => row.accountId !== accountId);
  if (other !== undefined) throw codeTaken(other.code);
}

function codeTaken(code: string): KamertonError {
  return new KamertonError('conflict', `The ERP code ${code} already belongs to another account.`, { field: 'codes', value: code });
}

/**
 * Runs `work`, turning a code that another transaction took between our check and our insert (a
 * unique violation on account_codes) into the same conflict the check gives.
 */
async function withCodeConflicts<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const pgError = databaseError(error);
    if (pgError?.code === '23505' && pgError.constraint === 'account_codes_pkey') {
      const code = /\(code\)=\((.*)\)/.exec(pgError.detail ?? '')?.[1] ?? '';
      throw codeTaken(code);
    }
    throw error;
  }
}

async function replaceCodes(tx: Transaction, accountId: string, before: readonly string[], after: readonly string[]): Promise<void> {
  const removed = before.filter((code) => !after.includes(code));
  const added = after.filter((code) => !before.includes(code));
  if (removed.length > 0) {
    // The account's ledger lines are keyed to it through their codes: a code with lines stays, or the
    // lines would belong to an account that no longer holds their code.
    const [used] = await tx.select({ code: ledgerLines.clientCode }).from(ledgerLines)
      .where(and(eq(ledgerLines.accountId, accountId), inArray(ledgerLines.clientCode, removed))).limit(1);
    if (used !== undefined) {
      throw new KamertonError(
        'conflict',
        `The ERP code ${used.code} has ledger lines under this account; it cannot be removed from it.`,
        { field: 'codes', value: used.code },
      );
    }
    await tx.delete(accountCodes).where(and(eq(accountCodes.accountId, accountId), inArray(accountCodes.code, removed)));
  }
  if (added.length > 0) await tx.insert(accountCodes).values(added.map((code) => ({ code, accountId })));
}

/** Throws invalid-input naming `field` unless `userId` is an active KAM or director. */
async function assertAssignableUser(tx: Transaction, userId: string, field: string): Promise<void> {
  const [user] = await tx.select({ role: users.role, active: users.active }).from(users).where(eq(users.id, userId));
  if (user === undefined || !user.active || (user.role !== 'kam' && user.role !== 'director')) {
    throw new KamertonError('invalid-input', `${field}: not an active KAM or director`, { field, value: userId });
  }
}
