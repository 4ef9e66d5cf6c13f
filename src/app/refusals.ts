/**
 * Refusals: the declined offers, lost tenders, cancelled orders and complaints of an account, each
 * with its reason (price, quality, service, delivery, competitor, relationship, other), the product
 * line or department it concerns (its direction) and a note; and their numbers over time.
 *
 * They are read and changed by those who may change the account (a KAM their own accounts, a
 * director and an administrator every account); marketing does not see them, as it does not see the
 * tenders. A refusal may name a tender of the same account and a competitor the company knows. Every
 * change writes its history in the same transaction, and names the version it was made on.
 *
 * The statistics count refusals by month in SQL (generate_series gives every month of the range, so
 * a month without refusals is a zero, not a gap); the trend's arithmetic is src/core/trend.ts.
 */
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { addMonths, dayFromCivil, formatDay } from '../core/calendar.ts';
import { KamertonError } from '../core/errors.ts';
import { classifyTrend, TREND_MONTHS, type Trend } from '../core/trend.ts';
import type { Db } from '../db/client.ts';
import { competitors, REFUSAL_KINDS, REFUSAL_REASONS, refusals, tenders } from '../db/schema/index.ts';
import { accessibleAccountsCondition, isUuid, loadAccessibleAccount, type Executor, type Transaction } from './access.ts';
import { definedFields, LONG_TEXT, optionalText, pageQueryFields, pageWindow, staleVersion } from './accounts.ts';
import type { Actor } from './actor.ts';
import { diffFields, recordChanges, recordCreate, recordDelete, type HistoryTarget } from './history.ts';
import { parseInput, type Page } from './input.ts';
import { assertMayReadDossierDetails } from './roles.ts';

export type RefusalKind = (typeof REFUSAL_KINDS)[number];
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export type RefusalView = {
  id: string;
  accountId: string;
  accountName: string;
  kind: RefusalKind;
  reason: RefusalReason;
  direction: string | null;
  note: string | null;
  occurredOn: string;
  value: number | null;
  tenderId: string | null;
  tenderTitle: string | null;
  competitorId: string | null;
  competitorName: string | null;
  createdBy: string | null;
  createdByName: string | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
};

/** A day Kamerton keeps: an ISO date from the year 1900 on (nothing older is a refusal anyone records). */
const isoDay = z.iso.date().refine((day) => day >= '1900-01-01', 'Not a date Kamerton keeps (from 1900 on).');

const refusalFields = {
  kind: z.enum(REFUSAL_KINDS).describe('What was refused: a declined offer, a lost tender, a cancelled order or a complaint.'),
  reason: z.enum(REFUSAL_REASONS).describe('Why, as one category.'),
  direction: z.string().trim().max(200).transform((value) => (value === '' ? null : value)).nullable()
    .describe('The product line or the client\'s department it concerns.'),
  note: optionalText(LONG_TEXT).describe('What happened, in the KAM\'s words.'),
  occurredOn: isoDay.describe('The day it happened, YYYY-MM-DD.'),
  value: z.number().min(0).max(99_999_999_999_999).nullable().describe('The value at stake, in złote, when known.'),
  tenderId: z.uuid().nullable().describe('The tender of the same account it concerns, if any.'),
  competitorId: z.uuid().nullable().describe('The competitor who took the business, if one did (usually with reason "competitor").'),
};

export const refusalCreateSchema = z.strictObject(refusalFields).partial()
  .extend({ kind: refusalFields.kind, reason: refusalFields.reason, occurredOn: refusalFields.occurredOn });
export const refusalPatchSchema = z.strictObject(refusalFields).partial();
export type RefusalCreate = z.input<typeof refusalCreateSchema>;
export type RefusalPatch = z.input<typeof refusalPatchSchema>;

const REFUSAL_HISTORY_FIELDS = ['kind', 'reason', 'direction', 'note', 'occurredOn', 'value', 'tenderId', 'competitorId'] as const satisfies readonly (keyof RefusalView)[];

/** The filters both lists take. */
const refusalFilterFields = {
  kind: z.enum(REFUSAL_KINDS).optional(),
  reason: z.enum(REFUSAL_REASONS).optional(),
  direction: z.string().trim().max(200).optional().describe('Only this direction (exact, case-insensitive).'),
  from: isoDay.optional().describe('Only refusals on or after this day, YYYY-MM-DD.'),
  to: isoDay.optional().describe('Only refusals on or before this day, YYYY-MM-DD.'),
};

const ownerFilter = z.union([z.uuid(), z.literal('unassigned')]).optional()
  .describe('Only the accounts of this owner, or "unassigned"; a KAM may name only themselves.');

export const refusalListQuerySchema = z.strictObject({ ...pageQueryFields, ...refusalFilterFields });
export type RefusalListQuery = z.input<typeof refusalListQuerySchema>;

export const portfolioRefusalListQuerySchema = z.strictObject({ ...pageQueryFields, ...refusalFilterFields, ownerId: ownerFilter });
export type PortfolioRefusalListQuery = z.input<typeof portfolioRefusalListQuerySchema>;

const refusalColumns = sql`
  r.id, r.account_id, accounts.name as account_name, r.kind, r.reason, r.direction, r.note,
  to_char(r.occurred_on, 'YYYY-MM-DD') as occurred_on, r.value::float8 as value,
  r.tender_id, t.title as tender_title, r.competitor_id, c.name as competitor_name,
  r.created_by, u.name as created_by_name, r.created_at, r.updated_at, r.version`;

const refusalJoins = sql`
  from refusals r
  join accounts on accounts.id = r.account_id
  left join tenders t on t.id = r.tender_id
  left join competitors c on c.id = r.competitor_id
  left join users u on u.id = r.created_by`;

type RefusalRow = {
  id: string; account_id: string; account_name: string; kind: RefusalKind; reason: RefusalReason; direction: string | null;
  note: string | null; occurred_on: string; value: number | null; tender_id: string | null; tender_title: string | null;
  competitor_id: string | null; competitor_name: string | null; created_by: string | null; created_by_name: string | null;
  created_at: Date | string; updated_at: Date | string; version: number;
};

function viewOf(row: RefusalRow): RefusalView {
  return {
    id: row.id,
    accountId: row.account_id,
    accountName: row.account_name,
    kind: row.kind,
    reason: row.reason,
    direction: row.direction,
    note: row.note,
    occurredOn: row.occurred_on,
    value: row.value === null ? null : Number(row.value),
    tenderId: row.tender_id,
    tenderTitle: row.tender_title,
    competitorId: row.competitor_id,
    competitorName: row.competitor_name,
    createdBy: row.created_by,
    createdByName: row.created_by_name,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    version: row.version,
  };
}

/** The conditions of the filters both lists share, on `refusals r`. */
function filterConditions(q: z.output<typeof refusalListQuerySchema>): SQL[] {
  const conditions: SQL[] = [];
  if (q.kind !== undefined) conditions.push(sql`r.kind = ${q.kind}`);
  if (q.reason !== undefined) conditions.push(sql`r.reason = ${q.reason}`);
  if (q.direction !== undefined && q.direction !== '') conditions.push(sql`lower(r.direction) = lower(${q.direction})`);
  if (q.from !== undefined) conditions.push(sql`r.occurred_on >= ${q.from}::date`);
  if (q.to !== undefined) conditions.push(sql`r.occurred_on <= ${q.to}::date`);
  return conditions;
}

/** A page of `conditions`' refusals, newest first (by day, then by when they were recorded). */
async function pageOfRefusals(db: Executor, conditions: SQL[], q: { page: number; pageSize: number }): Promise<Page<RefusalView>> {
  const where = sql.join(conditions, sql` and `);
  const { limit, offset } = pageWindow(q);
  const { rows: [counted] } = await db.execute<{ total: number }>(sql`
    select count(*)::int as total from refusals r join accounts on accounts.id = r.account_id where ${where}`);
  const { rows } = await db.execute<RefusalRow>(sql`
    select ${refusalColumns} ${refusalJoins} where ${where}
     order by r.occurred_on desc, r.created_at desc, r.id asc limit ${limit} offset ${offset}`);
  return { items: rows.map(viewOf), total: counted?.total ?? 0, page: q.page, pageSize: q.pageSize };
}

/** The refusals of one account, newest first, filtered; not-found for an account the actor may not see. */
export async function listRefusals(db: Db, actor: Actor, accountId: string, query: RefusalListQuery = {}): Promise<Page<RefusalView>> {
  assertMayReadDossierDetails(actor);
  const q = parseInput(refusalListQuerySchema, query);
  await loadAccessibleAccount(db, actor, accountId, 'read');
  return pageOfRefusals(db, [sql`r.account_id = ${accountId}`, ...filterConditions(q)], q);
}

/**
 * The refusals of every account in the actor's scope (a KAM's own accounts; every account for a
 * director or an administrator, or one owner's with `ownerId`), newest first, with the accounts' names.
 */
export async function listPortfolioRefusals(db: Db, actor: Actor, query: PortfolioRefusalListQuery = {}): Promise<Page<RefusalView>> {
  assertMayReadDossierDetails(actor);
  const q = parseInput(portfolioRefusalListQuerySchema, query);
  const scope = scopeOf(actor, q.ownerId);
  return pageOfRefusals(db, [...scope, ...filterConditions(q)], q);
}

export async function createRefusal(db: Db, actor: Actor, accountId: string, input: RefusalCreate): Promise<RefusalView> {
  assertMayReadDossierDetails(actor);
  const fields = definedFields(parseInput(refusalCreateSchema, input));
  return db.transaction(async (tx) => {
    await loadAccessibleAccount(tx, actor, accountId, 'write');
    await assertReferences(tx, accountId, fields);
    const [created] = await tx.insert(refusals).values({ ...fields, accountId, createdBy: actor.userId })
      .returning({ id: refusals.id }) as [{ id: string }];
    const refusal = await loadRefusal(tx, actor, created.id);
    await recordCreate(tx, actor, refusalTarget(refusal), refusal);
    return refusal;
  });
}

export async function updateRefusal(db: Db, actor: Actor, refusalId: string, patch: RefusalPatch, version: number): Promise<RefusalView> {
  assertMayReadDossierDetails(actor);
  const fields = definedFields(parseInput(refusalPatchSchema, patch));
  return db.transaction(async (tx) => {
    const before = await loadRefusal(tx, actor, refusalId);
    await loadAccessibleAccount(tx, actor, before.accountId, 'write');
    if (before.version !== version) throw staleVersion('refusal', before);
    const changes = diffFields(before, { ...before, ...fields }, REFUSAL_HISTORY_FIELDS);
    if (changes.length === 0) return before;
    await assertReferences(tx, before.accountId, fields);
    const [updated] = await tx.update(refusals)
      .set({ ...fields, version: sql`${refusals.version} + 1`, updatedAt: sql`now()` })
      .where(and(eq(refusals.id, refusalId), eq(refusals.version, version)))
      .returning({ id: refusals.id });
    if (updated === undefined) throw staleVersion('refusal', await loadRefusal(tx, actor, refusalId));
    await recordChanges(tx, actor, refusalTarget(before), changes);
    return loadRefusal(tx, actor, refusalId);
  });
}

export async function deleteRefusal(db: Db, actor: Actor, refusalId: string, version?: number): Promise<void> {
  assertMayReadDossierDetails(actor);
  await db.transaction(async (tx) => {
    const refusal = await loadRefusal(tx, actor, refusalId);
    await loadAccessibleAccount(tx, actor, refusal.accountId, 'write');
    if (version !== undefined && refusal.version !== version) throw staleVersion('refusal', refusal);
    await recordDelete(tx, actor, refusalTarget(refusal), refusal);
    await tx.delete(refusals).where(eq(refusals.id, refusalId));
  });
}

function refusalTarget(refusal: RefusalView): HistoryTarget {
  return { entity: 'refusal', entityId: refusal.id, accountId: refusal.accountId };
}

/**
 * The refusal `refusalId` as the actor sees it; not-found when there is none or it belongs to an
 * account the actor may not see (the same answer, so that ids cannot be probed).
 */
async function loadRefusal(db: Executor, actor: Actor, refusalId: string): Promise<RefusalView> {
  if (!isUuid(refusalId)) throw refusalNotFound(refusalId);
  const access = accessibleAccountsCondition(actor);
  const { rows: [row] } = await db.execute<RefusalRow>(sql`
    select ${refusalColumns} ${refusalJoins} where r.id = ${refusalId} ${access === undefined ? sql`` : sql`and ${access}`}`);
  if (row === undefined) throw refusalNotFound(refusalId);
  return viewOf(row);
}

function refusalNotFound(id: string): KamertonError {
  return new KamertonError('not-found', 'Refusal not found.', { field: 'refusalId', value: id });
}

/** A tender named must be the same account's; a competitor named must exist (locked until commit). */
async function assertReferences(tx: Transaction, accountId: string, fields: { tenderId?: string | null; competitorId?: string | null }): Promise<void> {
  if (fields.tenderId !== undefined && fields.tenderId !== null) {
    const [tender] = await tx.select({ id: tenders.id }).from(tenders)
      .where(and(eq(tenders.id, fields.tenderId), eq(tenders.accountId, accountId))).for('share');
    if (tender === undefined) {
      throw new KamertonError('invalid-input', 'tenderId: no such tender of this account', { field: 'tenderId', value: fields.tenderId });
    }
  }
  if (fields.competitorId !== undefined && fields.competitorId !== null) {
    const [competitor] = await tx.select({ id: competitors.id }).from(competitors).where(eq(competitors.id, fields.competitorId)).for('share');
    if (competitor === undefined) {
      throw new KamertonError('invalid-input', 'competitorId: no such competitor', { field: 'competitorId', value: fields.competitorId });
    }
  }
}

/**
 * The conditions on `accounts` that keep the actor's scope. A KAM's scope is their accounts (owned or
 * on the team); naming another owner is refused rather than ignored, as the dashboard does, so that
 * a KAM never believes they see a colleague's figures.
 */
function scopeOf(actor: Actor, ownerId: string | undefined): SQL[] {
  const access = accessibleAccountsCondition(actor);
  if (actor.role === 'kam' && ownerId !== undefined && ownerId !== actor.userId) {
    throw new KamertonError('forbidden', 'A KAM sees the refusals of their own accounts only.', { field: 'ownerId', value: ownerId });
  }
  const conditions: SQL[] = access === undefined ? [] : [access];
  if (ownerId === 'unassigned') conditions.push(sql`accounts.owner_id is null`);
  else if (ownerId !== undefined && actor.role !== 'kam') conditions.push(sql`accounts.owner_id = ${ownerId}`);
  return conditions.length === 0 ? [sql`true`] : conditions;
}

// ---------------------------------------------------------------------------------------------------
// Statistics.

/** The longest range the statistics cover, in months (ten years). */
export const MAX_STATS_MONTHS = 120;
/** The default range: this many months, up to and including today's. */
export const DEFAULT_STATS_MONTHS = 24;
/** How many directions and accounts the statistics list, the most frequent first. */
export const STATS_TOP = 10;

export const refusalStatsQuerySchema = z.strictObject({
  accountId: z.uuid().optional().describe('One account\'s refusals only.'),
  ownerId: ownerFilter,
  from: isoDay.optional().describe('The first day of the range, YYYY-MM-DD; by default the first day of the month 23 months before `to`\'s.'),
  to: isoDay.optional().describe('The last day of the range, YYYY-MM-DD; by default today.'),
});
export type RefusalStatsQuery = z.input<typeof refusalStatsQuerySchema>;

export type Share = { count: number; share: number };

export type RefusalStats = {
  /** The range as applied. */
  from: string;
  to: string;
  accountId: string | null;
  ownerId: string | null;
  total: number;
  /** The sum of the values given, in złote. */
  value: number;
  /** Every month of the range, oldest first: YYYY-MM, the count, by kind and by reason (zeros included). */
  months: { month: string; count: number; byKind: Record<RefusalKind, number>; byReason: Record<RefusalReason, number> }[];
  /** Every kind and every reason, the most frequent first (share of the total; 0 when there are none). */
  kinds: (Share & { kind: RefusalKind })[];
  reasons: (Share & { reason: RefusalReason })[];
  /** The most frequent directions (null: none given), the most frequent first. */
  directions: (Share & { direction: string | null })[];
  /** The trend over the twelve months up to `to`'s, with their counts. */
  trend: StatsTrend;
  /** The accounts with the most refusals in the range, each with its own trend (empty for one account's statistics). */
  accounts: { accountId: string; accountName: string; ownerName: string | null; count: number; lastOn: string; trend: StatsTrend }[];
};

export type StatsTrend = Trend & { months: string[]; counts: number[] };

/**
 * The refusals' numbers and dynamics in the actor's scope (or one account's): by month, kind, reason
 * and direction over the range, the trend of the portfolio and of the accounts with the most refusals.
 * `today` is the server's day (YYYY-MM-DD), the default end of the range.
 */
export async function refusalStats(db: Db, actor: Actor, query: RefusalStatsQuery, today: string): Promise<RefusalStats> {
  assertMayReadDossierDetails(actor);
  const q = parseInput(refusalStatsQuerySchema, query);
  const to = q.to ?? today;
  const toMonth = monthStart(to);
  const from = q.from ?? formatDay(addMonths(dayOf(toMonth), -(DEFAULT_STATS_MONTHS - 1)));
  if (from > to) throw new KamertonError('invalid-input', 'from: the range starts after it ends', { field: 'from', value: from });
  const monthCount = monthsBetween(monthStart(from), toMonth) + 1;
  if (monthCount > MAX_STATS_MONTHS) {
    throw new KamertonError('invalid-input', `from: the range may span at most ${MAX_STATS_MONTHS} months`, { field: 'from', value: from });
  }
  const trendStart = formatDay(addMonths(dayOf(toMonth), -(TREND_MONTHS - 1)));
  return db.transaction(async (tx) => {
    const scope = q.accountId === undefined ? scopeOf(actor, q.ownerId) : [await accountScope(tx, actor, q.accountId, q.ownerId)];
    const where = sql.join(scope, sql` and `);
    const inRange = sql`r.occurred_on between ${from}::date and ${to}::date`;

    // Every month of the range with its counts by kind and reason: a month without refusals is one row of nulls.
    const { rows: monthRows } = await tx.execute<{ month: string; kind: RefusalKind | null; reason: RefusalReason | null; count: number }>(sql`
      with months as (
        select to_char(m, 'YYYY-MM') as month from generate_series(${monthStart(from)}::date, ${toMonth}::date, interval '1 month') as m
      ), scoped as (
        select to_char(r.occurred_on, 'YYYY-MM') as month, r.kind, r.reason
          from refusals r join accounts on accounts.id = r.account_id
         where ${inRange} and ${where}
      )
      select months.month, s.kind, s.reason, count(s.kind)::int as count
        from months left join scoped s on s.month = months.month
       group by months.month, s.kind, s.reason
       order by months.month`);

    const { rows: [totals] } = await tx.execute<{ total: number; value: number | null }>(sql`
      select count(*)::int as total, sum(r.value)::float8 as value
        from refusals r join accounts on accounts.id = r.account_id where ${inRange} and ${where}`);
    const total = totals?.total ?? 0;

    const { rows: kindRows } = await tx.execute<{ kind: RefusalKind; count: number }>(sql`
      select r.kind, count(*)::int as count from refusals r join accounts on accounts.id = r.account_id
       where ${inRange} and ${where} group by r.kind`);
    const { rows: reasonRows } = await tx.execute<{ reason: RefusalReason; count: number }>(sql`
      select r.reason, count(*)::int as count from refusals r join accounts on accounts.id = r.account_id
       where ${inRange} and ${where} group by r.reason`);
    // Directions are free text: "Folie" and "folie " are one direction, shown as most of its refusals write it.
    const { rows: directionRows } = await tx.execute<{ direction: string | null; count: number }>(sql`
      select mode() within group (order by r.direction) as direction, count(*)::int as count
        from refusals r join accounts on accounts.id = r.account_id
       where ${inRange} and ${where}
       group by lower(btrim(r.direction))
       order by count desc, lower(btrim(r.direction)) nulls last
       limit ${STATS_TOP}`);

    // The trend's twelve months, up to `to`, whatever the range's start.
    const { rows: trendRows } = await tx.execute<{ month: string; count: number }>(sql`
      with months as (
        select to_char(m, 'YYYY-MM') as month from generate_series(${trendStart}::date, ${toMonth}::date, interval '1 month') as m
      ), scoped as (
        select to_char(r.occurred_on, 'YYYY-MM') as month
          from refusals r join accounts on accounts.id = r.account_id
         where r.occurred_on between ${trendStart}::date and ${to}::date and ${where}
      )
      select months.month, count(s.month)::int as count from months left join scoped s on s.month = months.month
       group by months.month order by months.month`);

    // The accounts with the most refusals in the range, and each one's twelve months of the trend.
    const { rows: accountRows } = q.accountId !== undefined ? { rows: [] } : await tx.execute<{
      account_id: string; account_name: string; owner_name: string | null; count: number; last_on: string; counts: number[];
    }>(sql`
      with top as (
        select r.account_id, count(*)::int as count, max(r.occurred_on) as last_on
          from refusals r join accounts on accounts.id = r.account_id
         where ${inRange} and ${where}
         group by r.account_id
         order by count desc, r.account_id
         limit ${STATS_TOP}
      ), months as (
        select m::date as month from generate_series(${trendStart}::date, ${toMonth}::date, interval '1 month') as m
      ), series as (
        select top.account_id, months.month, count(r.id)::int as count
          from top cross join months
          left join refusals r on r.account_id = top.account_id and date_trunc('month', r.occurred_on)::date = months.month
                             and r.occurred_on <= ${to}::date
         group by top.account_id, months.month
      )
      select top.account_id, a.name as account_name, o.name as owner_name, top.count, to_char(top.last_on, 'YYYY-MM-DD') as last_on,
             array_agg(series.count order by series.month) as counts
        from top join accounts a on a.id = top.account_id
        left join users o on o.id = a.owner_id
        join series on series.account_id = top.account_id
       group by top.account_id, a.name, o.name, top.count, top.last_on
       order by top.count desc, a.name, top.account_id`);

    const months = new Map<string, RefusalStats['months'][number]>();
    for (const row of monthRows) {
      const month = months.get(row.month) ?? { month: row.month, count: 0, byKind: zeros(REFUSAL_KINDS), byReason: zeros(REFUSAL_REASONS) };
      months.set(row.month, month);
      if (row.kind === null || row.reason === null) continue;
      month.count += row.count;
      month.byKind[row.kind] += row.count;
      month.byReason[row.reason] += row.count;
    }
    const share = (count: number) => (total === 0 ? 0 : count / total);
    const kindCounts = new Map(kindRows.map((row) => [row.kind, row.count]));
    const reasonCounts = new Map(reasonRows.map((row) => [row.reason, row.count]));
    const trendMonths = trendRows.map((row) => row.month);
    return {
      from,
      to,
      accountId: q.accountId ?? null,
      ownerId: actor.role === 'kam' ? actor.userId : q.ownerId ?? null,
      total,
      value: totals?.value ?? 0,
      months: [...months.values()],
      kinds: mostFrequent(REFUSAL_KINDS.map((kind) => ({ kind, count: kindCounts.get(kind) ?? 0, share: share(kindCounts.get(kind) ?? 0) }))),
      reasons: mostFrequent(REFUSAL_REASONS.map((reason) => ({ reason, count: reasonCounts.get(reason) ?? 0, share: share(reasonCounts.get(reason) ?? 0) }))),
      directions: directionRows.map((row) => ({ direction: row.direction, count: row.count, share: share(row.count) })),
      trend: trendOf(trendMonths, trendRows.map((row) => row.count)),
      accounts: accountRows.map((row) => ({
        accountId: row.account_id,
        accountName: row.account_name,
        ownerName: row.owner_name,
        count: row.count,
        lastOn: row.last_on,
        trend: trendOf(trendMonths, row.counts.map(Number)),
      })),
    };
  }, { isolationLevel: 'repeatable read', accessMode: 'read only' });
}

/** One account's scope: not-found unless the actor may see it; an ownerId beside it must be its owner's. */
async function accountScope(tx: Transaction, actor: Actor, accountId: string, ownerId: string | undefined): Promise<SQL> {
  const account = await loadAccessibleAccount(tx, actor, accountId, 'read');
  if (ownerId !== undefined && (ownerId === 'unassigned' ? account.ownerId !== null : account.ownerId !== ownerId)) {
    throw new KamertonError('invalid-input', 'ownerId: the account has another owner', { field: 'ownerId', value: ownerId });
  }
  return sql`r.account_id = ${accountId}`;
}

function trendOf(months: string[], counts: number[]): StatsTrend {
  return { ...classifyTrend(counts), months, counts };
}

function zeros<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

/** Most frequent first; ties in the order of the categories' list, which is stable. */
function mostFrequent<T extends { count: number }>(items: T[]): T[] {
  return items.map((item, i) => ({ item, i })).sort((a, b) => b.item.count - a.item.count || a.i - b.i).map(({ item }) => item);
}

/** The first day of the month of ISO day `day`. */
function monthStart(day: string): string {
  return `${day.slice(0, 7)}-01`;
}

function dayOf(day: string): number {
  return dayFromCivil(Number(day.slice(0, 4)), Number(day.slice(5, 7)), Number(day.slice(8, 10)));
}

/** Whole months from the month of `a` to the month of `b` (both first days). */
function monthsBetween(a: string, b: string): number {
  return (Number(b.slice(0, 4)) - Number(a.slice(0, 4))) * 12 + Number(b.slice(5, 7)) - Number(a.slice(5, 7));
}
