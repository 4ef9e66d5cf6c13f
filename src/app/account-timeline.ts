/**
 * An account's timeline: what happened with the client, newest first, in one list: its deliveries from
 * the ledger (one per document and day), its tenders, and the changes to its dossier from the history.
 * Those who may read the account's history read its timeline; marketing does not (the history and the
 * deliveries carry money and values marketing does not see).
 *
 * Deliveries and tenders have a day, changes an instant. A day is placed at its start, midnight UTC,
 * so that the changes made during a day come before (are newer than) its deliveries and tenders.
 *
 * The list pages backwards in time: `before` keeps what happened before an instant, and each page's
 * `nextBefore` is the time of its oldest item. A page never ends inside a group of items at the same
 * time (the deliveries of one day, the rows one change wrote), so that asking for what came before
 * that time loses none of them; a page may therefore hold more items than `limit`.
 */
import { and, desc, eq, gte, lte, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { dayFromCivil } from '../core/calendar.ts';
import type { Db } from '../db/client.ts';
import { hasLinesBefore, lastDayBefore, readLatestDeliveries } from '../db/account-sales.ts';
import { competitors, history, HISTORY_ACTIONS, HISTORY_ENTITIES, TENDER_OUTCOMES, tenders } from '../db/schema/index.ts';
import type { Transaction } from './access.ts';
import { assertMayReadAccountHistory, selectAccountHistory } from './account-history.ts';
import type { Actor } from './actor.ts';
import { parseInput } from './input.ts';

/** Years before 1 are no instants PostgreSQL reads from ISO text; nothing in a ledger is that old. */
const fromYearOne = (text: string) => Number(text.slice(0, 4)) >= 1;

export const timelineQuerySchema = z.strictObject({
  before: z.union([z.iso.datetime({ offset: true }), z.iso.date()])
    .refine(fromYearOne, 'Not a date Kamerton keeps.')
    .optional()
    .describe('Only what happened before this instant (an ISO timestamp) or day (YYYY-MM-DD: before its start, midnight UTC); a page\'s nextBefore.'),
  limit: z.coerce.number().int().min(1).max(200).default(50)
    .describe('Items per page, 1 to 200; a page holds more when several items share its oldest item\'s time.'),
});
export type TimelineQuery = z.input<typeof timelineQuerySchema>;

export type TimelineDelivery = {
  kind: 'delivery';
  /** The day, YYYY-MM-DD. */
  at: string;
  /** The ERP's document number; null for the day's lines without one, which make one delivery. */
  document: string | null;
  lines: number;
  /** In złote. */
  revenue: number;
  /** Distinct products on the delivery's lines. */
  products: number;
};

export type TimelineTender = {
  kind: 'tender';
  /** The tender's day, YYYY-MM-DD. */
  at: string;
  id: string;
  title: string;
  outcome: (typeof TENDER_OUTCOMES)[number];
  /** In złote. */
  value: number | null;
  reason: string | null;
  winningCompetitorName: string | null;
};

export type TimelineChange = {
  kind: 'change';
  /** The instant, ISO 8601 in UTC with milliseconds. */
  at: string;
  id: number;
  entity: (typeof HISTORY_ENTITIES)[number];
  entityId: string;
  action: (typeof HISTORY_ACTIONS)[number];
  field: string | null;
  oldValue: string | null;
  newValue: string | null;
  /** Who made the change; null for the system (an import, the demo). */
  userName: string | null;
};

export type TimelineItem = TimelineDelivery | TimelineTender | TimelineChange;

export type Timeline = {
  items: TimelineItem[];
  /** The `before` of the next (older) page; null when nothing older is left. */
  nextBefore: string | null;
};

/** An item with its time in milliseconds, which orders the timeline. */
type Placed = { time: number; item: TimelineItem };

/** At one time, the changes come first, then the tenders, then the deliveries. */
const KIND_ORDER: Record<TimelineItem['kind'], number> = { change: 0, tender: 1, delivery: 2 };

const MS_PER_DAY = 86_400_000;
const winner = alias(competitors, 'winner');

/** Midnight UTC of ISO day `day`, in milliseconds. */
function startOfDay(day: string): number {
  return dayFromCivil(Number(day.slice(0, 4)), Number(day.slice(5, 7)), Number(day.slice(8, 10))) * MS_PER_DAY;
}

/** The timeline of account `accountId`, newest first; not-found for an account the actor may not see. */
export async function getAccountTimeline(db: Db, actor: Actor, accountId: string, query: TimelineQuery = {}): Promise<Timeline> {
  const q = parseInput(timelineQuerySchema, query);
  const before = q.before === undefined ? null : q.before.length === 10 ? `${q.before}T00:00:00Z` : q.before;
  // One snapshot for the three sources, so that a page is what the account's records were at one moment.
  return db.transaction(async (tx) => {
    await assertMayReadAccountHistory(tx, actor, accountId);
    // Each source gives at least `limit` of its newest items (when it has them) and every item as
    // new as the oldest of those: whatever the page's oldest time turns out to be, every item at that
    // time or later is among the candidates.
    const candidates = [
      ...await deliveries(tx, accountId, before, q.limit),
      ...await tenderItems(tx, accountId, before, q.limit),
      ...await changes(tx, accountId, before, q.limit),
    ].sort(newestFirst);
    const last = candidates[Math.min(q.limit, candidates.length) - 1];
    if (last === undefined) return { items: [], nextBefore: null };
    const page = candidates.filter((c) => c.time >= last.time);
    const edge = new Date(last.time).toISOString();
    const more = page.length < candidates.length || await anythingBefore(tx, accountId, edge);
    return { items: page.map((c) => c.item), nextBefore: more ? edge : null };
  }, { isolationLevel: 'repeatable read', accessMode: 'read only' });
}

/**
 * Newest first. At one time: the changes, newest (highest id) first; the tenders by id; the deliveries
 * by document, the later-numbered first and the lines without a document last. Texts compare by code
 * point, so that the order is the same whatever the locale.
 */
function newestFirst(a: Placed, b: Placed): number {
  if (a.time !== b.time) return b.time - a.time;
  const x = a.item;
  const y = b.item;
  if (x.kind !== y.kind) return KIND_ORDER[x.kind] - KIND_ORDER[y.kind];
  if (x.kind === 'change' && y.kind === 'change') return y.id - x.id;
  if (x.kind === 'tender' && y.kind === 'tender') return compareText(x.id, y.id);
  if (x.kind === 'delivery' && y.kind === 'delivery') {
    if (x.document === null || y.document === null) return (x.document === null ? 1 : 0) - (y.document === null ? 1 : 0);
    return compareText(y.document, x.document);
  }
  return 0;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function deliveries(tx: Transaction, accountId: string, before: string | null, limit: number): Promise<Placed[]> {
  // A day has at least one delivery, so `limit` days give at least `limit` items, each day whole.
  const rows = await readLatestDeliveries(tx, accountId, before, limit);
  return rows.map((row) => ({
    time: startOfDay(row.day),
    item: { kind: 'delivery', at: row.day, document: row.document, lines: row.lines, revenue: row.revenue / 100, products: row.products },
  }));
}

async function tenderItems(tx: Transaction, accountId: string, before: string | null, limit: number): Promise<Placed[]> {
  const upTo = before === null ? undefined : lte(tenders.date, sql`${lastDayBefore(before)}`);
  const ofAccount = and(eq(tenders.accountId, accountId), upTo);
  const [oldest] = await tx.select({ date: tenders.date }).from(tenders).where(ofAccount)
    .orderBy(desc(tenders.date)).offset(limit - 1).limit(1);
  const rows = await tx.select({
    id: tenders.id,
    date: tenders.date,
    title: tenders.title,
    outcome: tenders.outcome,
    value: tenders.value,
    reason: tenders.reason,
    winningCompetitorName: winner.name,
  }).from(tenders).leftJoin(winner, eq(winner.id, tenders.winningCompetitorId))
    .where(and(ofAccount, oldest === undefined ? undefined : gte(tenders.date, oldest.date)));
  return rows.map((row) => ({
    time: startOfDay(row.date),
    item: {
      kind: 'tender', at: row.date, id: row.id, title: row.title, outcome: row.outcome, value: row.value, reason: row.reason,
      winningCompetitorName: row.winningCompetitorName,
    },
  }));
}

async function changes(tx: Transaction, accountId: string, before: string | null, limit: number): Promise<Placed[]> {
  const upTo = before === null ? undefined : sql`${history.at} < ${before}::timestamptz`;
  // Times are compared in milliseconds, as JavaScript keeps them (PostgreSQL keeps microseconds): a
  // Date truncates, so every row at or after the oldest row's Date is at or after it in milliseconds.
  const [oldest] = await tx.select({ at: history.at }).from(history)
    .where(and(eq(history.accountId, accountId), upTo))
    .orderBy(desc(history.at), desc(history.id)).offset(limit - 1).limit(1);
  const rows = await selectAccountHistory(tx, accountId, [upTo, oldest === undefined ? undefined : gte(history.at, oldest.at)]);
  return rows.map((row) => ({
    time: row.at.getTime(),
    item: {
      kind: 'change', at: row.at.toISOString(), id: row.id, entity: row.entity, entityId: row.entityId, action: row.action,
      field: row.field, oldValue: row.oldValue, newValue: row.newValue, userName: row.userName,
    },
  }));
}

/** Whether the account has anything on its timeline before the instant `before`. */
async function anythingBefore(tx: Transaction, accountId: string, before: string): Promise<boolean> {
  if (await hasLinesBefore(tx, accountId, before)) return true;
  const [tender] = await tx.select({ id: tenders.id }).from(tenders)
    .where(and(eq(tenders.accountId, accountId), lte(tenders.date, sql`${lastDayBefore(before)}`))).limit(1);
  if (tender !== undefined) return true;
  const [change] = await tx.select({ id: history.id }).from(history)
    .where(and(eq(history.accountId, accountId), sql`${history.at} < ${before}::timestamptz`)).limit(1);
  return change !== undefined;
}
