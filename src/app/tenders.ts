/**
 * Tenders and offers under an account: the relationship's history of wins and losses, and why. They
 * are read and changed by those who may change the account; marketing does not see them (they carry
 * values). A winning competitor must be one the company knows.
 */
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { KamertonError } from '../core/errors.ts';
import type { Db } from '../db/client.ts';
import { competitors, TENDER_OUTCOMES, tenders } from '../db/schema/index.ts';
import { isUuid, loadAccessibleAccount, type Executor, type Transaction } from './access.ts';
import { assertMayReadDossierDetails } from './roles.ts';
import {
  containsPattern,
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

export type TenderView = typeof tenders.$inferSelect & { winningCompetitorName: string | null };

const tenderFields = {
  title: z.string().trim().min(1).max(300),
  date: z.iso.date().describe('The date of the tender or offer, YYYY-MM-DD.'),
  value: z.number().min(0).max(99_999_999_999_999).nullable().describe('Value in złote.'),
  outcome: z.enum(TENDER_OUTCOMES),
  reason: optionalText(LONG_TEXT).describe('Why it was won, lost or withdrawn.'),
  winningCompetitorId: z.uuid().nullable().describe('The competitor who won it, if one did.'),
};

export const tenderCreateSchema = z.strictObject(tenderFields).partial().extend({ title: tenderFields.title, date: tenderFields.date });
export const tenderPatchSchema = z.strictObject(tenderFields).partial();
export type TenderCreate = z.input<typeof tenderCreateSchema>;
export type TenderPatch = z.input<typeof tenderPatchSchema>;

const TENDER_HISTORY_FIELDS = ['title', 'date', 'value', 'outcome', 'reason', 'winningCompetitorId'] as const satisfies readonly (keyof TenderView)[];

export const TENDER_SORTS = ['date', 'title', 'value', 'outcome', 'createdAt', 'updatedAt'] as const;

export const tenderListQuerySchema = z.strictObject({
  ...pageQueryFields,
  sort: z.enum(TENDER_SORTS).optional().describe('Sort field (default date, newest first).'),
  q: z.string().trim().max(200).optional().describe('Text search in the title.'),
  outcome: z.enum(TENDER_OUTCOMES).optional(),
});
export type TenderListQuery = z.input<typeof tenderListQuerySchema>;

const winner = alias(competitors, 'winner');

const tenderColumns = {
  id: tenders.id,
  accountId: tenders.accountId,
  title: tenders.title,
  date: tenders.date,
  value: tenders.value,
  outcome: tenders.outcome,
  reason: tenders.reason,
  winningCompetitorId: tenders.winningCompetitorId,
  createdAt: tenders.createdAt,
  updatedAt: tenders.updatedAt,
  version: tenders.version,
  winningCompetitorName: winner.name,
};

export async function listTenders(db: Db, actor: Actor, accountId: string, query: TenderListQuery = {}): Promise<Page<TenderView>> {
  assertMayReadDossierDetails(actor);
  const q = parseInput(tenderListQuerySchema, query);
  await loadAccessibleAccount(db, actor, accountId, 'read');
  const filters: (SQL | undefined)[] = [eq(tenders.accountId, accountId)];
  if (q.outcome !== undefined) filters.push(eq(tenders.outcome, q.outcome));
  if (q.q !== undefined && q.q !== '') filters.push(sql`${tenders.title} ilike ${containsPattern(q.q)}`);
  const where = and(...filters);
  const sort = q.sort ?? 'date';
  const direction = q.order ?? (sort === 'title' || sort === 'outcome' ? 'asc' : 'desc');
  const expression = sort === 'title' ? sql`lower(${tenders.title})` : tenders[sort];
  const { limit, offset } = pageWindow(q);
  const [counted] = await db.select({ total: sql<number>`count(*)::int` }).from(tenders).where(where);
  const items = await db.select(tenderColumns).from(tenders)
    .leftJoin(winner, eq(winner.id, tenders.winningCompetitorId))
    .where(where).orderBy(...orderBy(expression, direction, tenders.id)).limit(limit).offset(offset);
  return { items, total: counted?.total ?? 0, page: q.page, pageSize: q.pageSize };
}

export async function getTender(db: Db, actor: Actor, accountId: string, tenderId: string): Promise<TenderView> {
  assertMayReadDossierDetails(actor);
  await loadAccessibleAccount(db, actor, accountId, 'read');
  return loadTender(db, accountId, tenderId);
}

export async function createTender(db: Db, actor: Actor, accountId: string, input: TenderCreate): Promise<TenderView> {
  assertMayReadDossierDetails(actor);
  const fields = definedFields(parseInput(tenderCreateSchema, input));
  return db.transaction(async (tx) => {
    await loadAccessibleAccount(tx, actor, accountId, 'write');
    if (fields.winningCompetitorId !== undefined && fields.winningCompetitorId !== null) await assertCompetitorExists(tx, fields.winningCompetitorId);
    const [created] = await tx.insert(tenders).values({ ...fields, accountId }).returning({ id: tenders.id }) as [{ id: string }];
    const tender = await loadTender(tx, accountId, created.id);
    await recordCreate(tx, actor, tenderTarget(tender), tender);
    return tender;
  });
}

export async function updateTender(
  db: Db, actor: Actor, accountId: string, tenderId: string, patch: TenderPatch, version: number,
): Promise<TenderView> {
  assertMayReadDossierDetails(actor);
  const fields = definedFields(parseInput(tenderPatchSchema, patch));
  return db.transaction(async (tx) => {
    await loadAccessibleAccount(tx, actor, accountId, 'write');
    const before = await loadTender(tx, accountId, tenderId);
    if (before.version !== version) throw staleVersion('tender', before);
    const changes = diffFields(before, { ...before, ...fields }, TENDER_HISTORY_FIELDS);
    if (changes.length === 0) return before;
    if (fields.winningCompetitorId !== undefined && fields.winningCompetitorId !== null) await assertCompetitorExists(tx, fields.winningCompetitorId);
    const [updated] = await tx.update(tenders)
      .set({ ...fields, version: sql`${tenders.version} + 1`, updatedAt: sql`now()` })
      .where(and(eq(tenders.id, tenderId), eq(tenders.version, version)))
      .returning({ id: tenders.id });
    if (updated === undefined) throw staleVersion('tender', await loadTender(tx, accountId, tenderId));
    await recordChanges(tx, actor, tenderTarget(before), changes);
    return loadTender(tx, accountId, tenderId);
  });
}

export async function deleteTender(db: Db, actor: Actor, accountId: string, tenderId: string, version?: number): Promise<void> {
  assertMayReadDossierDetails(actor);
  await db.transaction(async (tx) => {
    await loadAccessibleAccount(tx, actor, accountId, 'write');
    const tender = await loadTender(tx, accountId, tenderId);
    if (version !== undefined && tender.version !== version) throw staleVersion('tender', tender);
    await recordDelete(tx, actor, tenderTarget(tender), tender);
    await tx.delete(tenders).where(eq(tenders.id, tenderId));
  });
}

function tenderTarget(tender: TenderView): HistoryTarget {
  return { entity: 'tender', entityId: tender.id, accountId: tender.accountId };
}

async function loadTender(db: Executor, accountId: string, tenderId: string): Promise<TenderView> {
  if (!isUuid(tenderId)) throw tenderNotFound(tenderId);
  const [tender] = await db.select(tenderColumns).from(tenders)
    .leftJoin(winner, eq(winner.id, tenders.winningCompetitorId))
    .where(and(eq(tenders.id, tenderId), eq(tenders.accountId, accountId)));
  if (tender === undefined) throw tenderNotFound(tenderId);
  return tender;
}

function tenderNotFound(id: string): KamertonError {
  return new KamertonError('not-found', 'Tender not found.', { field: 'tenderId', value: id });
}

async function assertCompetitorExists(tx: Transaction, competitorId: string): Promise<void> {
  // Shared lock: the competitor cannot be deleted before this transaction commits its reference.
  const [competitor] = await tx.select({ id: competitors.id }).from(competitors).where(eq(competitors.id, competitorId)).for('share');
  if (competitor === undefined) {
    throw new KamertonError('invalid-input', 'winningCompetitorId: no such competitor', { field: 'winningCompetitorId', value: competitorId });
  }
}
