/**
 * The daily digest of one person ("Na dziś"): their key clients slipping away, the key clients they
 * lost in the last week, and their win-back actions past due. The web app shows it (GET
 * /api/v1/digest) and src/app/digest-mailer.ts e-mails it to every KAM each morning.
 *
 * Definitions (docs/operations.md, "Daily digest", repeats them for the users):
 *
 * - The person's accounts are those they own or are on the team of (a KAM's scope in access.ts),
 *   whatever their role: a director's digest is about the accounts they look after themselves.
 * - Slipping: the person's accounts that are key clients and slipping in the latest analysis run
 *   (the newest id), with the reasons, the days since the last purchase and the probability of being
 *   active; the lowest probability first.
 * - Newly lost: the person's accounts that are lost in the latest run and became lost in the seven
 *   days up to and including `day`: an activity change to lost (activity_changes) dated in those days
 *   by its run's as-of date or by the day, in the company's time zone, it was recorded (a run over a
 *   ledger imported late finds a loss dated weeks ago that is news today); and, for runs that
 *   recorded no changes, an account lost in the latest run and not in the run before it, when the
 *   latest run is dated or was made in those days. A loss is a change seen between two runs: an
 *   account lost at its first result (the first analysis of a ledger, a client code new to it) was
 *   lost before anyone could act, often years ago, and is not news. The account must be a key client
 *   in the latest run or in the run that found the loss. The most recent loss first.
 * - Overdue: the person's own open win-back actions (no outcome yet) due before `day`, on any
 *   account, the oldest first.
 */
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { parseIsoDay } from '../core/calendar.ts';
import { KamertonError } from '../core/errors.ts';
import type { Activity } from '../core/types.ts';
import type { Db } from '../db/client.ts';
import type { OFFER_TYPES } from '../db/schema/keeping.ts';
import { isUuid, type Executor } from './access.ts';
import type { Actor } from './actor.ts';
import { DEFAULT_TIME_ZONE, todayIn } from './clock.ts';
import { parseInput } from './input.ts';
import { managesAccounts } from './roles.ts';

/** How many days, `day` included, a loss stays "new". */
export const NEWLY_LOST_DAYS = 7;

export const DIGEST_LANGUAGES = ['pl', 'en'] as const;
export type DigestLanguage = (typeof DIGEST_LANGUAGES)[number];

const isoDay = z.iso.date().refine((text) => parseIsoDay(text) !== null, 'Not a real date.');

export const digestQuerySchema = z.strictObject({
  userId: z.uuid().optional().describe('Whose digest: default the caller. A KAM may name only themselves; a director or an administrator anyone.'),
  day: isoDay.optional().describe('The day (YYYY-MM-DD) the digest is for; default today in the company\'s time zone.'),
});
export type DigestQuery = z.input<typeof digestQuerySchema>;

export type DigestUser = { id: string; name: string; email: string; role: string };

export type SlippingEntry = {
  accountId: string;
  accountName: string;
  segment: string | null;
  /** Codes among ACTIVITY_REASONS (src/db/schema/keeping.ts). */
  reasons: string[];
  daysSinceLastPurchase: number | null;
  lastPurchase: string | null;
  /** The probability of being active at the run's as-of date (0-1); null without enough history. */
  pAlive: number | null;
};

export type LostEntry = SlippingEntry & {
  /** The activity in the run before the loss. */
  fromActivity: Exclude<Activity, 'lost'>;
  /** The day the loss is dated: its run's as-of date. */
  changedOn: string;
  runId: number;
};

export type OverdueEntry = {
  actionId: string;
  accountId: string;
  accountName: string;
  offerType: (typeof OFFER_TYPES)[number];
  discountPercent: number | null;
  offer: string | null;
  dueOn: string;
  /** Days from the due date to the digest's day. */
  daysOverdue: number;
};

export type Digest = {
  user: DigestUser;
  day: string;
  /** The analysis run the activity comes from: the latest; null before the first. */
  run: { id: number; asOf: string | null; createdAt: string } | null;
  slipping: SlippingEntry[];
  newlyLost: LostEntry[];
  overdue: OverdueEntry[];
  counts: { slipping: number; newlyLost: number; overdue: number; total: number };
};

export type DigestOptions = {
  /** The company's IANA time zone, which dates the activity changes' records; default Europe/Warsaw. */
  timeZone?: string;
};

/** Whether the digest has anything to say: an empty one is shown, but never e-mailed. */
export function digestIsEmpty(digest: Digest): boolean {
  return digest.counts.total === 0;
}

/**
 * The digest of `query.userId` (default the actor) for `query.day` (default today in the zone). A KAM
 * may read only their own (another user's is forbidden, as naming another owner on the dashboard);
 * the director and the administrator anyone's. A user who does not exist is not found.
 */
export async function getDigest(db: Db, actor: Actor, query: DigestQuery, options: DigestOptions & { now?: Date } = {}): Promise<Digest> {
  const q = parseInput(digestQuerySchema, query);
  if (actor.role === 'marketing') throw new KamertonError('forbidden', 'The daily digest is for the people who look after accounts.');
  const userId = q.userId ?? actor.userId;
  if (userId === null) throw new KamertonError('invalid-input', 'userId: name whose digest to build.', { field: 'userId' });
  if (userId !== actor.userId && !managesAccounts(actor)) {
    throw new KamertonError('forbidden', 'A KAM reads only their own digest.', { field: 'userId', value: userId });
  }
  const day = q.day ?? todayIn(options.timeZone ?? DEFAULT_TIME_ZONE, options.now ?? new Date());
  return buildDigest(db, userId, day, options);
}


/** The digest of user `userId` for `day` (YYYY-MM-DD); throws not-found for an unknown user. */
export async function buildDigest(db: Db, userId: string, day: string, options: DigestOptions = {}): Promise<Digest> {
  if (parseIsoDay(day) === null) throw new KamertonError('invalid-input', 'day: expected a real date as YYYY-MM-DD.', { field: 'day', value: day });
  if (!isUuid(userId)) throw userNotFound(userId);
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  // One snapshot: a run committed meanwhile cannot make the sections disagree about the latest run.
  return db.transaction(async (tx) => {
    const { rows: [user] } = await tx.execute<DigestUser>(sql`select id, name, email, role from users where id = ${userId}`);
    if (user === undefined) throw userNotFound(userId);
    const run = await latestRuns(tx);
    const scope = sql`(select mine.id from accounts as mine where mine.owner_id = ${userId}
      union select team.account_id from account_team as team where team.user_id = ${userId})`;
    const slipping = run === null ? [] : await readSlipping(tx, run.id, scope);
    const newlyLost = run === null ? [] : await readNewlyLost(tx, run, scope, day, timeZone);
    const overdue = await readOverdue(tx, userId, day);
    return {
      user: { id: user.id, name: user.name, email: user.email, role: user.role },
      day,
      run: run === null ? null : { id: run.id, asOf: run.asOf, createdAt: run.createdAt },
      slipping,
      newlyLost,
      overdue,
      counts: {
        slipping: slipping.length,
        newlyLost: newlyLost.length,
        overdue: overdue.length,
        total: slipping.length + newlyLost.length + overdue.length,
      },
    };
  });
}

/** Who is e-mailed a digest: the active KAMs, by name. */
export async function digestRecipients(db: Executor): Promise<DigestUser[]> {
  const { rows } = await db.execute<DigestUser>(sql`
    select id, name, email, role from users where role = 'kam' and active order by lower(name), id`);
  return rows;
}

function userNotFound(userId: string): KamertonError {
  return new KamertonError('not-found', 'No such user.', { field: 'userId', value: userId });
}

type LatestRuns = { id: number; asOf: string | null; createdAt: string; previousId: number | null };

async function latestRuns(tx: Executor): Promise<LatestRuns | null> {
  const { rows: [row] } = await tx.execute<{ id: string; as_of: string | null; created_at: Date | string; previous_id: string | null }>(sql`
    select r.id, r.summary #>> '{window,asOf}' as as_of, r.created_at,
      (select max(p.id) from analysis_runs as p where p.id < r.id) as previous_id
    from analysis_runs as r order by r.id desc limit 1`);
  if (row === undefined) return null;
  return {
    id: Number(row.id),
    asOf: row.as_of,
    createdAt: new Date(row.created_at).toISOString(),
    previousId: row.previous_id === null ? null : Number(row.previous_id),
  };
}

type ResultRow = {
  account_id: string;
  account_name: string;
  segment: string | null;
  reasons: string[] | null;
  days_since_last_purchase: number | null;
  last_purchase: string | null;
  p_alive: number | null;
};

function toSlipping(row: ResultRow): SlippingEntry {
  return {
    accountId: row.account_id,
    accountName: row.account_name,
    segment: row.segment,
    reasons: row.reasons ?? [],
    daysSinceLastPurchase: row.days_since_last_purchase === null ? null : Number(row.days_since_last_purchase),
    lastPurchase: row.last_purchase,
    pAlive: row.p_alive === null ? null : Number(row.p_alive),
  };
}

async function readSlipping(tx: Executor, runId: number, scope: SQL): Promise<SlippingEntry[]> {
  const { rows } = await tx.execute<ResultRow>(sql`
    select r.account_id, a.name as account_name, r.segment, r.activity_reasons as reasons,
      r.days_since_last_purchase, r.last_purchase::text as last_purchase, r.p_alive
    from analysis_results as r join accounts as a on a.id = r.account_id
    where r.run_id = ${runId} and r.is_key and r.activity = 'slipping' and r.account_id in ${scope}
    order by r.p_alive asc nulls last, r.days_since_last_purchase desc nulls last, lower(a.name), a.id`);
  return rows.map(toSlipping);
}

async function readNewlyLost(tx: Executor, run: LatestRuns, scope: SQL, day: string, timeZone: string): Promise<LostEntry[]> {
  const within = (expression: SQL): SQL => sql`${expression} between ${day}::date - ${NEWLY_LOST_DAYS - 1}::int and ${day}::date`;
  // The latest run against the one before it, for runs that recorded no activity changes; the
  // recorded change wins where both name an account (source 0 sorts first).
  const byRuns = run.previousId === null ? sql`` : sql`
    union all
    select r.account_id, p.activity as from_activity, r.activity_reasons as reasons, ${run.asOf}::text as changed_on,
      r.run_id, 1 as source, 0::bigint as ord
    from analysis_results as r
    join analysis_results as p on p.run_id = ${run.previousId} and p.account_id = r.account_id
    where r.run_id = ${run.id} and r.activity = 'lost' and p.activity in ('active', 'slipping') and r.account_id in ${scope}
      and (${within(sql`${run.asOf}::date`)} or ${within(sql`(${run.createdAt}::timestamptz at time zone ${timeZone})::date`)})`;
  const { rows } = await tx.execute<ResultRow & { from_activity: Exclude<Activity, 'lost'>; changed_on: string; run_id: string }>(sql`
    with losses as (
      select c.account_id, c.from_activity, c.reasons, c.changed_on::text as changed_on, c.run_id, 0 as source, c.id as ord
      from activity_changes as c
      where c.to_activity = 'lost' and c.from_activity is not null and c.account_id in ${scope}
        and (${within(sql`c.changed_on`)} or ${within(sql`(c.created_at at time zone ${timeZone})::date`)})
      ${byRuns}
    ), newest as (
      select distinct on (account_id) * from losses order by account_id, source, ord desc
    )
    select n.account_id, a.name as account_name, r.segment, n.reasons, r.days_since_last_purchase,
      r.last_purchase::text as last_purchase, r.p_alive, n.from_activity, n.changed_on, n.run_id
    from newest as n
    join accounts as a on a.id = n.account_id
    join analysis_results as r on r.run_id = ${run.id} and r.account_id = n.account_id
    where r.activity = 'lost'
      and (r.is_key or exists (select 1 from analysis_results as k where k.run_id = n.run_id and k.account_id = n.account_id and k.is_key))
    order by n.changed_on desc, lower(a.name), a.id`);
  return rows.map((row) => ({
    ...toSlipping(row),
    fromActivity: row.from_activity,
    changedOn: row.changed_on,
    runId: Number(row.run_id),
  }));
}

async function readOverdue(tx: Executor, userId: string, day: string): Promise<OverdueEntry[]> {
  const { rows } = await tx.execute<{
    action_id: string; account_id: string; account_name: string; offer_type: OverdueEntry['offerType']; discount_percent: string | number | null;
    offer: string | null; due_on: string; days_overdue: number;
  }>(sql`
    select w.id as action_id, w.account_id, a.name as account_name, w.offer_type, w.discount_percent, w.offer,
      w.due_on::text as due_on, ${day}::date - w.due_on as days_overdue
    from win_back_actions as w join accounts as a on a.id = w.account_id
    where w.owner_id = ${userId} and w.outcome is null and w.due_on < ${day}::date
    order by w.due_on, lower(a.name), w.id`);
  return rows.map((row) => ({
    actionId: row.action_id,
    accountId: row.account_id,
    accountName: row.account_name,
    offerType: row.offer_type,
    discountPercent: row.discount_percent === null ? null : Number(row.discount_percent),
    offer: row.offer,
    dueOn: row.due_on,
    daysOverdue: Number(row.days_overdue),
  }));
}
