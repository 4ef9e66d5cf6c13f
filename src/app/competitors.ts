/**
 * Competitors, and per account the competitors working on it. The competitor list is the company's
 * shared knowledge: directors and administrators keep it, KAMs and directors read it. An account's
 * competitor entries (share of wallet, strengths, weaknesses) belong to the account's dossier and are
 * read and changed by those who may change the account. Marketing sees neither.
 */
import { and, eq, ilike, sql } from 'drizzle-orm';
import { z } from 'zod';
import { KamertonError } from '../core/errors.ts';
import type { Db } from '../db/client.ts';
import { accountCompetitors, competitors, tenders } from '../db/schema/index.ts';
import { isUuid, loadAccessibleAccount, type Executor } from './access.ts';
import { assertManagesAccounts, assertMayReadDossierDetails } from './roles.ts';
import {
  containsPattern,
  databaseError,
  definedFields,
  LONG_TEXT,
  optionalText,
  orderBy,
  pageQueryFields,
  pageWindow,
  staleVersion,
} from './accounts.ts';
import type { Actor } from './actor.ts';
import { parseInput, type Page } from './input.ts';
import { diffFields, recordChanges, recordCreate, recordDelete, type HistoryTarget } from './history.ts';

// ---------------------------------------------------------------------------------------------------
// Competitors.

export type CompetitorView = typeof competitors.$inferSelect;

const competitorFields = {
  name: z.string().trim().min(1).max(300),
  website: optionalText(500),
  description: optionalText(LONG_TEXT),
};

export const competitorCreateSchema = z.strictObject(competitorFields).partial().extend({ name: competitorFields.name });
export const competitorPatchSchema = z.strictObject(competitorFields).partial();
export type CompetitorCreate = z.input<typeof competitorCreateSchema>;
export type CompetitorPatch = z.input<typeof competitorPatchSchema>;

const COMPETITOR_HISTORY_FIELDS = ['name', 'website', 'description'] as const satisfies readonly (keyof CompetitorView)[];

export const COMPETITOR_SORTS = ['name', 'createdAt', 'updatedAt'] as const;

export const competitorListQuerySchema = z.strictObject({
  ...pageQueryFields,
  sort: z.enum(COMPETITOR_SORTS).optional().describe('Sort field (default name).'),
  q: z.string().trim().max(200).optional().describe('Text search in the name.'),
});
export type CompetitorListQuery = z.input<typeof competitorListQuerySchema>;

export async function listCompetitors(db: Db, actor: Actor, query: CompetitorListQuery = {}): Promise<Page<CompetitorView>> {
  assertMayReadDossierDetails(actor);
  const q = parseInput(competitorListQuerySchema, query);
  const where = q.q === undefined || q.q === '' ? undefined : ilike(competitors.name, containsPattern(q.q));
  const sort = q.sort ?? 'name';
  const direction = q.order ?? (sort === 'name' ? 'asc' : 'desc');
  const expression = sort === 'name' ? sql`lower(${competitors.name})` : competitors[sort];
  const { limit, offset } = pageWindow(q);
  const [counted] = await db.select({ total: sql<number>`count(*)::int` }).from(competitors).where(where);
  const items = await db.select().from(competitors).where(where).orderBy(...orderBy(expression, direction, competitors.id)).limit(limit).offset(offset);
  return { items, total: counted?.total ?? 0, page: q.page, pageSize: q.pageSize };
}

export async function getCompetitor(db: Db, actor: Actor, id: string): Promise<CompetitorView> {
  assertMayReadDossierDetails(actor);
  return loadCompetitor(db, id);
}

/** Adds a competitor (director or administrator); a name already used, in any case, is a conflict. */
export async function createCompetitor(db: Db, actor: Actor, input: CompetitorCreate): Promise<CompetitorView> {
  assertManagesAccounts(actor, 'change the list of competitors');
  const fields = definedFields(parseInput(competitorCreateSchema, input));
  return withNameConflicts(fields.name, () => db.transaction(async (tx) => {
    const [created] = await tx.insert(competitors).values(fields).returning() as [CompetitorView];
    await recordCreate(tx, actor, competitorTarget(created.id), created);
    return created;
  }));
}

export async function updateCompetitor(db: Db, actor: Actor, id: string, patch: CompetitorPatch, version: number): Promise<CompetitorView> {
  assertManagesAccounts(actor, 'change the list of competitors');
  const fields = definedFields(parseInput(competitorPatchSchema, patch));
  return withNameConflicts(fields.name ?? '', () => db.transaction(async (tx) => {
    const before = await loadCompetitor(tx, id);
    if (before.version !== version) throw staleVersion('competitor', before);
    const changes = diffFields(before, { ...before, ...fields }, COMPETITOR_HISTORY_FIELDS);
    if (changes.length === 0) return before;
    const [updated] = await tx.update(competitors)
      .set({ ...fields, version: sql`${competitors.version} + 1`, updatedAt: sql`now()` })
      .where(and(eq(competitors.id, id), eq(competitors.version, version)))
      .returning();
    if (updated === undefined) throw staleVersion('competitor', await loadCompetitor(tx, id));
    await recordChanges(tx, actor, competitorTarget(id), changes);
    return updated;
  }));
}

/** Deletes a competitor no account entry and no tender names; one still named is a conflict. */
export async function deleteCompetitor(db: Db, actor: Actor, id: string, version?: number): Promise<void> {
  assertManagesAccounts(actor, 'change the list of competitors');
  await db.transaction(async (tx) => {
    if (!isUuid(id)) throw notFound('Competitor', 'competitorId', id);
    const [competitor] = await tx.select().from(competitors).where(eq(competitors.id, id)).for('update');
    if (competitor === undefined) throw notFound('Competitor', 'competitorId', id);
    if (version !== undefined && competitor.version !== version) throw staleVersion('competitor', competitor);
    const [entries] = await tx.select({ n: sql<number>`count(*)::int` }).from(accountCompetitors).where(eq(accountCompetitors.competitorId, id));
    const [won] = await tx.select({ n: sql<number>`count(*)::int` }).from(tenders).where(eq(tenders.winningCompetitorId, id));
    if ((entries?.n ?? 0) > 0 || (won?.n ?? 0) > 0) {
      throw new KamertonError(
        'conflict',
        `The competitor is still named by ${entries?.n ?? 0} account entries and ${won?.n ?? 0} tenders: remove those first.`,
        { field: 'competitorId', value: id, accountEntries: entries?.n ?? 0, tenders: won?.n ?? 0 },
      );
    }
    await recordDelete(tx, actor, competitorTarget(id), competitor);
    try {
      await tx.delete(competitors).where(eq(competitors.id, id));
    } catch (error) {
      // An entry or a tender that named the competitor after the count above (a foreign key violation).
      if (databaseError(error)?.code === '23503') {
        throw new KamertonError('conflict', 'The competitor has just been named by an account entry or a tender: remove those first.', {
          field: 'competitorId',
          value: id,
        });
      }
      throw error;
    }
  });
}

function competitorTarget(id: string): HistoryTarget {
  return { entity: 'competitor', entityId: id, accountId: null };
}

async function loadCompetitor(db: Executor, id: string): Promise<CompetitorView> {
  if (!isUuid(id)) throw notFound('Competitor', 'competitorId', id);
  const [competitor] = await db.select().from(competitors).where(eq(competitors.id, id));
  if (competitor === undefined) throw notFound('Competitor', 'competitorId', id);
  return competitor;
}

/** Runs `work`, turning the unique violation of a competitor's name into a conflict naming it. */
async function withNameConflicts<T>(name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (databaseError(error)?.constraint === 'competitors_name_lower') {
      throw new KamertonError('conflict', `A competitor named ${name} already exists.`, { field: 'name', value: name });
    }
    throw error;
  }
}

function notFound(what: string, field: string, id: string): KamertonError {
  return new KamertonError('not-found', `${what} not found.`, { field, value: id });
}

// ---------------------------------------------------------------------------------------------------
// The competitors working on an account.

export type AccountCompetitorView = typeof accountCompetitors.$inferSelect & { competitorName: string };

const entryFields = {
  competitorId: z.uuid(),
  shareOfWallet: z.number().min(0).max(100).nullable().describe('Estimated share of the client\'s spending in our categories, in percent.'),
  strengths: optionalText(LONG_TEXT),
  weaknesses: optionalText(LONG_TEXT),
  notes: optionalText(LONG_TEXT),
};

/** A competitor entry: which competitor, and what we know of its work on the account. */
export const accountCompetitorCreateSchema = z.strictObject(entryFields).partial().extend({ competitorId: entryFields.competitorId });
/** A change to an entry; the competitor itself is not changed (delete the entry and add another). */
export const accountCompetitorPatchSchema = z.strictObject(entryFields).omit({ competitorId: true }).partial();
export type AccountCompetitorCreate = z.input<typeof accountCompetitorCreateSchema>;
export type AccountCompetitorPatch = z.input<typeof accountCompetitorPatchSchema>;

const ENTRY_HISTORY_FIELDS = ['shareOfWallet', 'strengths', 'weaknesses', 'notes'] as const satisfies readonly (keyof AccountCompetitorView)[];

export const ACCOUNT_COMPETITOR_SORTS = ['competitorName', 'shareOfWallet', 'createdAt', 'updatedAt'] as const;

export const accountCompetitorListQuerySchema = z.strictObject({
  ...pageQueryFields,
  sort: z.enum(ACCOUNT_COMPETITOR_SORTS).optional().describe('Sort field (default shareOfWallet, largest first).'),
});
export type AccountCompetitorListQuery = z.input<typeof accountCompetitorListQuerySchema>;

const entryColumns = {
  id: accountCompetitors.id,
  accountId: accountCompetitors.accountId,
  competitorId: accountCompetitors.competitorId,
  shareOfWallet: accountCompetitors.shareOfWallet,
  strengths: accountCompetitors.strengths,
  weaknesses: accountCompetitors.weaknesses,
  notes: accountCompetitors.notes,
  createdAt: accountCompetitors.createdAt,
  updatedAt: accountCompetitors.updatedAt,
  version: accountCompetitors.version,
  competitorName: competitors.name,
};

export async function listAccountCompetitors(
  db: Db, actor: Actor, accountId: string, query: AccountCompetitorListQuery = {},
): Promise<Page<AccountCompetitorView>> {
  assertMayReadDossierDetails(actor);
  const q = parseInput(accountCompetitorListQuerySchema, query);
  await loadAccessibleAccount(db, actor, accountId, 'read');
  const where = eq(accountCompetitors.accountId, accountId);
  const sort = q.sort ?? 'shareOfWallet';
  const direction = q.order ?? (sort === 'competitorName' ? 'asc' : 'desc');
  const expression = sort === 'competitorName' ? sql`lower(${competitors.name})` : accountCompetitors[sort];
  const { limit, offset } = pageWindow(q);
  const [counted] = await db.select({ total: sql<number>`count(*)::int` }).from(accountCompetitors).where(where);
  const items = await db.select(entryColumns).from(accountCompetitors)
    .innerJoin(competitors, eq(competitors.id, accountCompetitors.competitorId))
    .where(where).orderBy(...orderBy(expression, direction, accountCompetitors.id)).limit(limit).offset(offset);
  return { items, total: counted?.total ?? 0, page: q.page, pageSize: q.pageSize };
}

export async function getAccountCompetitor(db: Db, actor: Actor, accountId: string, entryId: string): Promise<AccountCompetitorView> {
  assertMayReadDossierDetails(actor);
  await loadAccessibleAccount(db, actor, accountId, 'read');
  return loadEntry(db, accountId, entryId);
}

/** Adds a competitor to account `accountId`; an unknown competitor is invalid, one already there a conflict. */
export async function createAccountCompetitor(
  db: Db, actor: Actor, accountId: string, input: AccountCompetitorCreate,
): Promise<AccountCompetitorView> {
  assertMayReadDossierDetails(actor);
  const fields = definedFields(parseInput(accountCompetitorCreateSchema, input));
  return db.transaction(async (tx) => {
    await loadAccessibleAccount(tx, actor, accountId, 'write', { lock: true });
    // Shared lock: the competitor cannot be deleted before this transaction commits its reference.
    const [competitor] = await tx.select({ id: competitors.id }).from(competitors).where(eq(competitors.id, fields.competitorId)).for('share');
    if (competitor === undefined) {
      throw new KamertonError('invalid-input', 'competitorId: no such competitor', { field: 'competitorId', value: fields.competitorId });
    }
    const [existing] = await tx.select({ id: accountCompetitors.id }).from(accountCompetitors)
      .where(and(eq(accountCompetitors.accountId, accountId), eq(accountCompetitors.competitorId, fields.competitorId)));
    if (existing !== undefined) {
      throw new KamertonError('conflict', 'The competitor is already listed on this account: change that entry instead.', {
        field: 'competitorId',
        value: fields.competitorId,
        entryId: existing.id,
      });
    }
    const [created] = await tx.insert(accountCompetitors).values({ ...fields, accountId }).returning() as [typeof accountCompetitors.$inferSelect];
    const entry = await loadEntry(tx, accountId, created.id);
    await recordCreate(tx, actor, entryTarget(entry), entry);
    return entry;
  });
}

export async function updateAccountCompetitor(
  db: Db, actor: Actor, accountId: string, entryId: string, patch: AccountCompetitorPatch, version: number,
): Promise<AccountCompetitorView> {
  assertMayReadDossierDetails(actor);
  const fields = definedFields(parseInput(accountCompetitorPatchSchema, patch));
  return db.transaction(async (tx) => {
    await loadAccessibleAccount(tx, actor, accountId, 'write');
    const before = await loadEntry(tx, accountId, entryId);
    if (before.version !== version) throw staleVersion('competitor entry', before);
    const changes = diffFields(before, { ...before, ...fields }, ENTRY_HISTORY_FIELDS);
    if (changes.length === 0) return before;
    const [updated] = await tx.update(accountCompetitors)
      .set({ ...fields, version: sql`${accountCompetitors.version} + 1`, updatedAt: sql`now()` })
      .where(and(eq(accountCompetitors.id, entryId), eq(accountCompetitors.version, version)))
      .returning({ id: accountCompetitors.id });
    if (updated === undefined) throw staleVersion('competitor entry', await loadEntry(tx, accountId, entryId));
    await recordChanges(tx, actor, entryTarget(before), changes);
    return loadEntry(tx, accountId, entryId);
  });
}

export async function deleteAccountCompetitor(db: Db, actor: Actor, accountId: string, entryId: string, version?: number): Promise<void> {
  assertMayReadDossierDetails(actor);
  await db.transaction(async (tx) => {
    await loadAccessibleAccount(tx, actor, accountId, 'write');
    const entry = await loadEntry(tx, accountId, entryId);
    if (version !== undefined && entry.version !== version) throw staleVersion('competitor entry', entry);
    await recordDelete(tx, actor, entryTarget(entry), entry);
    await tx.delete(accountCompetitors).where(eq(accountCompetitors.id, entryId));
  });
}

function entryTarget(entry: AccountCompetitorView): HistoryTarget {
  return { entity: 'account-competitor', entityId: entry.id, accountId: entry.accountId };
}

async function loadEntry(db: Executor, accountId: string, entryId: string): Promise<AccountCompetitorView> {
  if (!isUuid(entryId)) throw notFound('Competitor entry', 'entryId', entryId);
  const [entry] = await db.select(entryColumns).from(accountCompetitors)
    .innerJoin(competitors, eq(competitors.id, accountCompetitors.competitorId))
    .where(and(eq(accountCompetitors.id, entryId), eq(accountCompetitors.accountId, accountId)));
  if (entry === undefined) throw notFound('Competitor entry', 'entryId', entryId);
  return entry;
}
