/**
 * The activity rules and what they found: the rules' versions (the director sets them; every version
 * is kept), the latest run's slipping and lost accounts with the reasons and figures behind each, and
 * one account's activity over the runs with its recorded changes. Marketing sees none of it (the
 * routes refuse it): the figures are the sales ledger's. A KAM sees their own accounts only.
 */
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import {
  ACTIVITY_REASONS, ACTIVITY_RULE_LIMITS, DEFAULT_ACTIVITY_RULES, validateActivityRules, type ActivityReason, type ActivityRules,
} from '../core/activity.ts';
import type { ModelSummary } from '../core/customer-alive.ts';
import type { Activity, Segment } from '../core/types.ts';
import type { Db } from '../db/client.ts';
import { accessibleAccountsCondition, loadAccessibleAccount } from './access.ts';
import { queryFlag } from './accounts.ts';
import type { Actor } from './actor.ts';
import { parseInput } from './input.ts';
import { assertManagesAccounts } from './roles.ts';
import { rulesOfRow } from './run-activity.ts';

export const activityRulesSchema = z.strictObject({
  lostDays: z.number().int().min(1).max(ACTIVITY_RULE_LIMITS.lostDays).describe('Lost after more than this many days without a purchase.'),
  pAliveLost: z.number().min(0).max(1).describe('Lost when P(active) is under this, for clients with at least minRepeatPurchases repeat purchases.'),
  minRepeatPurchases: z.number().int().min(1).max(ACTIVITY_RULE_LIMITS.minRepeatPurchases)
    .describe('Repeat purchases (purchase days after the first) a client needs for the P(active) rules to apply.'),
  pAliveDrop: z.number().gt(0).max(1).describe('Slipping when P(active) fell by more than this since the previous run.'),
  timeUnit: z.enum(['day', 'week']).describe('The customer-alive model\'s time unit.'),
  horizon: z.number().int().min(1).max(ACTIVITY_RULE_LIMITS.horizon.day).describe('The expected purchases\' horizon, in the time unit (at most 520 weeks).'),
});

export const activityRulesInputSchema = activityRulesSchema.extend({
  note: z.string().trim().max(1000).nullable().optional().describe('Why the rules change.'),
});

export type ActivityRulesVersion = ActivityRules & { id: number; note: string | null; createdAt: string; createdBy: string | null; createdByName: string | null };

export type ActivityRulesView = {
  /** The rules in force: the newest version, or the defaults (id null) when none was set. */
  inForce: ActivityRules & { id: number | null };
  defaults: ActivityRules;
  /** Every version, newest first. */
  versions: ActivityRulesVersion[];
};

type VersionRow = {
  id: string; lost_days: number; p_alive_lost: number; min_repeat_purchases: number; p_alive_drop: number; time_unit: 'day' | 'week';
  horizon: number; note: string | null; created_at: string; created_by: string | null; created_by_name: string | null;
};

export async function getActivityRules(db: Db): Promise<ActivityRulesView> {
  const { rows } = await db.execute<VersionRow>(sql`
    select r.id, r.lost_days, r.p_alive_lost, r.min_repeat_purchases, r.p_alive_drop, r.time_unit, r.horizon, r.note,
           to_char(r.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at, r.created_by, u.name as created_by_name
      from activity_rules r left join users u on u.id = r.created_by order by r.id desc`);
  const versions = rows.map((row): ActivityRulesVersion => ({
    id: Number(row.id), ...rulesOfRow(row), note: row.note, createdAt: row.created_at, createdBy: row.created_by, createdByName: row.created_by_name,
  }));
  const newest = versions[0];
  return {
    inForce: newest === undefined ? { id: null, ...DEFAULT_ACTIVITY_RULES } : { id: newest.id, ...rulesOf(newest) },
    defaults: { ...DEFAULT_ACTIVITY_RULES },
    versions,
  };
}

function rulesOf(r: ActivityRules): ActivityRules {
  return { lostDays: r.lostDays, pAliveLost: r.pAliveLost, minRepeatPurchases: r.minRepeatPurchases, pAliveDrop: r.pAliveDrop, timeUnit: r.timeUnit, horizon: r.horizon };
}

/** Adds a version of the rules (the director or the administrator); the next analysis run applies it. */
export async function setActivityRules(db: Db, actor: Actor, input: unknown): Promise<ActivityRulesView> {
  assertManagesAccounts(actor, 'set the activity rules');
  const { note, ...rules } = parseInput(activityRulesInputSchema, input);
  validateActivityRules(rules);
  await db.execute(sql`
    insert into activity_rules (lost_days, p_alive_lost, min_repeat_purchases, p_alive_drop, time_unit, horizon, note, created_by)
    values (${rules.lostDays}, ${rules.pAliveLost}, ${rules.minRepeatPurchases}, ${rules.pAliveDrop}, ${rules.timeUnit}, ${rules.horizon},
            ${note === undefined || note === '' ? null : note}, ${actor.userId})`);
  return getActivityRules(db);
}

export const ACTIVITY_SORTS = ['days', 'pAlive', 'name', 'since'] as const;

export const activityAccountsQuerySchema = z.object({
  activity: z.enum(['slipping', 'lost']).default('slipping'),
  ownerId: z.union([z.uuid(), z.literal('none')]).optional().describe('Only this owner\'s accounts; `none`: the unassigned.'),
  keyOnly: queryFlag.optional().describe('Only the key accounts of the run.'),
  sort: z.enum(ACTIVITY_SORTS).default('days')
    .describe('days: the longest silence first; pAlive: the lowest P(active) first; name; since: the latest to enter the status first.'),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export type ActivityAccount = {
  accountId: string;
  accountName: string;
  ownerId: string | null;
  ownerName: string | null;
  status: string;
  segment: Segment | null;
  isKey: boolean;
  lastPurchase: string | null;
  daysSinceLastPurchase: number | null;
  /** The median gap between the account's purchase days up to the run's as-of date (the unusual-gap rule's "usual"); null with fewer than two. */
  medianGap: number | null;
  repeatPurchases: number | null;
  pAlive: number | null;
  /** P(active) in the account's previous result (the latest earlier run that had one). */
  previousPAlive: number | null;
  expectedPurchases: number | null;
  reasons: ActivityReason[];
  /** The as-of day of the run that recorded the account's entry into this activity; null when not recorded. */
  since: string | null;
};

export type ActivityAccountsPage = {
  /** The latest run; null (and no items) before the first. */
  run: { id: number; asOf: string; model: Pick<ModelSummary, 'timeUnit' | 'horizon'> | null } | null;
  /** The rules that run applied, for the reasons' thresholds. */
  rules: ActivityRules;
  activity: 'slipping' | 'lost';
  /** Accounts per activity in the actor's scope and filters, and per reason of the activity asked for. */
  counts: { slipping: number; lost: number; reasons: Record<ActivityReason, number> };
  total: number;
  offset: number;
  limit: number;
  items: ActivityAccount[];
};

type LatestRun = { id: string; as_of: string; model: ModelSummary | null; rules: VersionRow | null };

async function latestRun(db: Db): Promise<LatestRun | undefined> {
  const { rows: [run] } = await db.execute<{ id: string; as_of: string; model: ModelSummary | null; rules_id: string | null }>(sql`
    select id, summary #>> '{window,asOf}' as as_of, model, rules_id from analysis_runs order by id desc limit 1`);
  if (run === undefined) return undefined;
  if (run.rules_id === null) return { ...run, rules: null };
  const { rows: [rules] } = await db.execute<VersionRow>(sql`select * from activity_rules where id = ${run.rules_id}`);
  return { ...run, rules: rules ?? null };
}

/** The latest run's slipping or lost accounts in the actor's scope, with the reasons and their figures. */
export async function listActivityAccounts(db: Db, actor: Actor, query: unknown): Promise<ActivityAccountsPage> {
  const q = parseInput(activityAccountsQuerySchema, query ?? {});
  const run = await latestRun(db);
  const empty = Object.fromEntries(ACTIVITY_REASONS.map((reason) => [reason, 0])) as Record<ActivityReason, number>;
  const page: ActivityAccountsPage = {
    run: null, rules: { ...DEFAULT_ACTIVITY_RULES }, activity: q.activity, counts: { slipping: 0, lost: 0, reasons: empty },
    total: 0, offset: q.offset, limit: q.limit, items: [],
  };
  if (run === undefined) return page;
  const runId = Number(run.id);
  page.run = { id: runId, asOf: run.as_of, model: run.model === null ? null : { timeUnit: run.model.timeUnit, horizon: run.model.horizon } };
  page.rules = run.rules === null ? { ...DEFAULT_ACTIVITY_RULES } : rulesOfRow(run.rules);
  // The accounts table keeps its name (no alias): the scope's condition names its columns.
  const filters: SQL[] = [sql`r.run_id = ${runId}`];
  const scope = accessibleAccountsCondition(actor);
  if (scope !== undefined) filters.push(scope);
  if (q.ownerId === 'none') filters.push(sql`accounts.owner_id is null`);
  else if (q.ownerId !== undefined) filters.push(sql`accounts.owner_id = ${q.ownerId}`);
  if (q.keyOnly === true) filters.push(sql`r.is_key`);
  const where = sql.join(filters, sql` and `);
  const { rows: perActivity } = await db.execute<{ activity: 'slipping' | 'lost'; n: number }>(sql`
    select r.activity, count(*)::int as n from analysis_results r join accounts on accounts.id = r.account_id
     where ${where} and r.activity in ('slipping', 'lost') group by r.activity`);
  for (const row of perActivity) page.counts[row.activity] = row.n;
  const { rows: perReason } = await db.execute<{ reason: ActivityReason; n: number }>(sql`
    select reason, count(*)::int as n
      from analysis_results r join accounts on accounts.id = r.account_id cross join lateral unnest(r.activity_reasons) as reason
     where ${where} and r.activity = ${q.activity} group by reason`);
  for (const row of perReason) page.counts.reasons[row.reason] = row.n;
  page.total = page.counts[q.activity];
  const order = {
    days: sql`r.days_since_last_purchase desc nulls first, accounts.name, accounts.id`,
    pAlive: sql`r.p_alive asc nulls last, r.days_since_last_purchase desc nulls first, accounts.id`,
    name: sql`accounts.name, accounts.id`,
    since: sql`since desc nulls last, accounts.name, accounts.id`,
  }[q.sort];
  type Row = {
    account_id: string; account_name: string; owner_id: string | null; owner_name: string | null; status: string; segment: Segment | null;
    is_key: boolean; last_purchase: string | null; days_since_last_purchase: number | null; repeat_purchases: number | null;
    p_alive: number | null; previous_p_alive: number | null; expected_purchases: number | null; reasons: ActivityReason[]; since: string | null;
  };
  const { rows } = await db.execute<Row>(sql`
    select r.account_id, accounts.name as account_name, accounts.owner_id, u.name as owner_name, accounts.status, r.segment, r.is_key,
           to_char(r.last_purchase, 'YYYY-MM-DD') as last_purchase, r.days_since_last_purchase, r.repeat_purchases, r.p_alive,
           (select p.p_alive from analysis_results p where p.account_id = r.account_id and p.run_id < r.run_id and p.activity is not null
             order by p.run_id desc limit 1) as previous_p_alive,
           r.expected_purchases, r.activity_reasons as reasons,
           (select case when c.to_activity = r.activity then to_char(c.changed_on, 'YYYY-MM-DD') end
              from activity_changes c where c.account_id = r.account_id and c.run_id <= r.run_id order by c.id desc limit 1) as since
      from analysis_results r join accounts on accounts.id = r.account_id left join users u on u.id = accounts.owner_id
     where ${where} and r.activity = ${q.activity}
     order by ${order} limit ${q.limit} offset ${q.offset}`);
  const gaps = await medianGaps(db, rows.map((row) => row.account_id), run.as_of);
  page.items = rows.map((row) => ({
    accountId: row.account_id, accountName: row.account_name, ownerId: row.owner_id, ownerName: row.owner_name, status: row.status,
    segment: row.segment, isKey: row.is_key, lastPurchase: row.last_purchase, daysSinceLastPurchase: row.days_since_last_purchase,
    medianGap: gaps.get(row.account_id) ?? null, repeatPurchases: row.repeat_purchases, pAlive: row.p_alive, previousPAlive: row.previous_p_alive,
    expectedPurchases: row.expected_purchases, reasons: row.reasons, since: row.since,
  }));
  return page;
}

/**
 * The median gap in days between the purchase days of each account up to `asOf`, as the analysis's
 * unusual-gap rule takes it (src/core/analysis.ts: the mean of the two middle gaps for an even count),
 * read from the stored rollup for one page of accounts.
 */
async function medianGaps(db: Db, accountIds: readonly string[], asOf: string): Promise<Map<string, number>> {
  if (accountIds.length === 0) return new Map();
  const { rows } = await db.execute<{ account_id: string; median: number }>(sql`
    select account_id, percentile_cont(0.5) within group (order by gap) as median
      from (select account_id, day - lag(day) over (partition by account_id order by day) as gap
              from ledger_days where account_id = any(${`{${accountIds.join(',')}}`}::uuid[]) and purchase_lines > 0 and day <= ${asOf}::date) as g
     where gap is not null group by account_id`);
  return new Map(rows.map((row) => [row.account_id, row.median]));
}

export type AccountActivityPoint = {
  runId: number;
  asOf: string;
  activity: Activity;
  daysSinceLastPurchase: number | null;
  repeatPurchases: number | null;
  pAlive: number | null;
  expectedPurchases: number | null;
  expectedRevenue: number | null;
  /** The model's time unit and horizon in that run; null for a run without the model. */
  timeUnit: 'day' | 'week' | null;
  horizon: number | null;
  reasons: ActivityReason[];
};

export type AccountActivityChange = {
  id: number;
  runId: number;
  changedOn: string;
  from: Activity | null;
  to: Activity;
  reasons: ActivityReason[];
  details: Record<string, unknown>;
};

export type AccountActivity = { accountId: string; status: string; series: AccountActivityPoint[]; changes: AccountActivityChange[] };

/** The account's activity in every run that gave it one, oldest first, and its changes of activity, newest first. */
export async function getAccountActivity(db: Db, actor: Actor, accountId: string): Promise<AccountActivity> {
  const account = await loadAccessibleAccount(db, actor, accountId, 'read');
  const { rows } = await db.execute<{
    run_id: string; as_of: string; activity: Activity; days_since_last_purchase: number | null; repeat_purchases: number | null;
    p_alive: number | null; expected_purchases: number | null; expected_revenue: string | null; time_unit: 'day' | 'week' | null;
    horizon: string | null; reasons: ActivityReason[];
  }>(sql`
    select r.run_id, u.summary #>> '{window,asOf}' as as_of, r.activity, r.days_since_last_purchase, r.repeat_purchases, r.p_alive,
           r.expected_purchases, r.expected_revenue::text as expected_revenue, u.model ->> 'timeUnit' as time_unit,
           u.model ->> 'horizon' as horizon, r.activity_reasons as reasons
      from analysis_results r join analysis_runs u on u.id = r.run_id
     where r.account_id = ${account.id} and r.activity is not null order by r.run_id`);
  const { rows: changes } = await db.execute<{
    id: string; run_id: string; changed_on: string; from_activity: Activity | null; to_activity: Activity; reasons: ActivityReason[]; details: Record<string, unknown>;
  }>(sql`
    select id, run_id, to_char(changed_on, 'YYYY-MM-DD') as changed_on, from_activity, to_activity, reasons, details
      from activity_changes where account_id = ${account.id} order by id desc`);
  return {
    accountId: account.id,
    status: account.status,
    series: rows.map((row) => ({
      runId: Number(row.run_id), asOf: row.as_of, activity: row.activity, daysSinceLastPurchase: row.days_since_last_purchase,
      repeatPurchases: row.repeat_purchases, pAlive: row.p_alive, expectedPurchases: row.expected_purchases,
      expectedRevenue: row.expected_revenue === null ? null : Number(row.expected_revenue),
      timeUnit: row.time_unit, horizon: row.horizon === null ? null : Number(row.horizon), reasons: row.reasons,
    })),
    changes: changes.map((row) => ({
      id: Number(row.id), runId: Number(row.run_id), changedOn: row.changed_on, from: row.from_activity, to: row.to_activity,
      reasons: row.reasons, details: row.details,
    })),
  };
}
