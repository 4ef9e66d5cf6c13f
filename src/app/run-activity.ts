/**
 * The activity part of an analysis run (src/app/run-analysis.ts calls these inside its transaction):
 * the activity rules in force, the customer-alive model fitted on the stored ledger, every client
 * judged by the rules (src/core/activity.ts) against its previous result, and then the changes of
 * activity recorded with their reasons and the accounts' lifecycle status moved between `active` and
 * `lost`. Everything is read and written set-based: a run covers 100,000 accounts, and a query per
 * account would cost more than the analysis itself.
 */
import type pg from 'pg';
import {
  activityChange, DEFAULT_ACTIVITY_RULES, judgeActivity, type ActivityChange, type ActivityReason, type ActivityRules,
} from '../core/activity.ts';
import { parseIsoDay } from '../core/calendar.ts';
import { fitCustomerAlive, type ClientModel, type ModelSummary } from '../core/customer-alive.ts';
import { isKamertonError } from '../core/errors.ts';
import type { Activity, AnalysisResult, ClientResult } from '../core/types.ts';
import type { StoredLedger } from '../db/analysis-store.ts';

/** The rules a run applies: the newest version (its id), or the defaults (id null) when the director never set any. */
export type RulesInForce = { id: number | null; rules: ActivityRules };

type RulesRow = {
  id: string; lost_days: number; p_alive_lost: number; min_repeat_purchases: number; p_alive_drop: number; time_unit: 'day' | 'week'; horizon: number;
};

export function rulesOfRow(row: RulesRow): ActivityRules {
  return {
    lostDays: row.lost_days, pAliveLost: row.p_alive_lost, minRepeatPurchases: row.min_repeat_purchases,
    pAliveDrop: row.p_alive_drop, timeUnit: row.time_unit, horizon: row.horizon,
  };
}

export async function readRulesInForce(client: pg.ClientBase | pg.Pool): Promise<RulesInForce> {
  const { rows: [row] } = await client.query<RulesRow>(
    'select id, lost_days, p_alive_lost, min_repeat_purchases, p_alive_drop, time_unit, horizon from activity_rules order by id desc limit 1',
  );
  return row === undefined ? { id: null, rules: { ...DEFAULT_ACTIVITY_RULES } } : { id: Number(row.id), rules: rulesOfRow(row) };
}

/** A client's model figures and the reasons for its activity, stored with its result. */
export type ClientActivity = {
  repeatPurchases: number | null;
  pAlive: number | null;
  expectedPurchases: number | null;
  /** In złote, rounded to grosze as the column keeps it. */
  expectedRevenue: number | null;
  reasons: ActivityReason[];
};

export type RunActivity = {
  /** The model fitted up to the as-of date; null when it could not be (no purchase day to fit on). */
  model: ModelSummary | null;
  /** The fitted model's figures of every ledger client, by its place in the stored ledger. */
  fitted: (ClientModel | null)[];
  /** The analysis's clients with the activity the rules gave them, in the analysis's order. */
  clients: ClientResult[];
  /** Per client of `clients`, at the same index. */
  activity: ClientActivity[];
  /** The changes to record, with the figures the rules saw. */
  changes: { accountId: string; change: ActivityChange; details: object }[];
};

type Previous = { activity: Activity; pAlive: number | null; lastPurchase: string | null };

/**
 * Fits the model on the stored ledger up to the analysis's as-of date and judges every client of
 * `result` (an analysis made with the rules' `lostDays`). A client's previous result is its latest in
 * an earlier run that gave it an activity.
 */
export async function judgeRunActivity(
  client: pg.ClientBase, stored: StoredLedger, result: AnalysisResult, rules: ActivityRules,
): Promise<RunActivity> {
  const asOf = parseIsoDay(result.window.asOf)!;
  let model: ModelSummary | null = null;
  let fitted: (ClientModel | null)[] = [];
  try {
    const fit = fitCustomerAlive(stored.ledger, asOf, { timeUnit: rules.timeUnit, horizon: rules.horizon });
    model = fit.summary;
    fitted = fit.clients;
  } catch (error) {
    // A ledger whose lines up to the as-of date are all returns has no purchase day to fit on: the
    // days and gap rules still apply, without the model's figures.
    if (!isKamertonError(error)) throw error;
  }
  const slotOf = new Map(stored.accounts.map((account, slot) => [account.code, slot]));
  const slots = result.clients.map((c) => slotOf.get(c.client) ?? -1);
  const previous = await readPrevious(client, slots.map((slot) => (slot < 0 ? null : stored.accounts[slot]!.accountId)));
  const clients: ClientResult[] = new Array(result.clients.length);
  const activity: ClientActivity[] = new Array(result.clients.length);
  const changes: RunActivity['changes'] = [];
  result.clients.forEach((c, i) => {
    const slot = slots[i]!;
    const m = slot < 0 ? null : (fitted[slot] ?? null);
    const accountId = slot < 0 ? null : stored.accounts[slot]!.accountId;
    const before = accountId === null ? undefined : previous.get(accountId);
    const verdict = judgeActivity({
      analysisActivity: c.activity,
      daysSinceLastPurchase: c.daysSinceLastPurchase,
      repeatPurchases: m?.repeatPurchases ?? null,
      pAlive: m?.pAlive ?? null,
      previousPAlive: before?.pAlive ?? null,
    }, rules);
    clients[i] = verdict.activity === c.activity ? c : { ...c, activity: verdict.activity };
    activity[i] = {
      repeatPurchases: m?.repeatPurchases ?? null,
      pAlive: m?.pAlive ?? null,
      expectedPurchases: m?.expectedPurchases ?? null,
      expectedRevenue: m === null || m.expectedRevenue === null ? null : Math.round(m.expectedRevenue * 100) / 100,
      reasons: verdict.reasons,
    };
    if (accountId === null) return;
    const change = activityChange(before === undefined ? null : before, { ...verdict, lastPurchase: c.lastPurchase });
    if (change !== null) {
      changes.push({
        accountId,
        change,
        details: {
          daysSinceLastPurchase: c.daysSinceLastPurchase,
          lastPurchase: c.lastPurchase,
          repeatPurchases: m?.repeatPurchases ?? null,
          pAlive: m?.pAlive ?? null,
          previousPAlive: before?.pAlive ?? null,
          rules,
        },
      });
    }
  });
  return { model, fitted, clients, activity, changes };
}

/**
 * The previous result of each account (null entries skipped): the latest run's results in one query,
 * and for the accounts that run did not have (a narrower window, a client new since) a look-up of
 * their latest earlier result through the (account, run) index.
 */
async function readPrevious(client: pg.ClientBase, accountIds: readonly (string | null)[]): Promise<Map<string, Previous>> {
  const previous = new Map<string, Previous>();
  type Row = { account_id: string; activity: Activity; p_alive: number | null; last_purchase: string | null };
  const { rows } = await client.query<Row>(
    `select account_id, activity, p_alive, to_char(last_purchase, 'YYYY-MM-DD') as last_purchase
       from analysis_results where run_id = (select max(id) from analysis_runs) and activity is not null`,
  );
  for (const row of rows) previous.set(row.account_id, { activity: row.activity, pAlive: row.p_alive, lastPurchase: row.last_purchase });
  if (rows.length === 0) {
    // No earlier run (or one without clients): every account's previous result is looked up below,
    // which finds nothing on a first run.
    const { rows: [any] } = await client.query<{ found: boolean }>('select exists (select 1 from analysis_results where activity is not null) as found');
    if (!any!.found) return previous;
  }
  const missing = accountIds.filter((id): id is string => id !== null && !previous.has(id));
  for (let i = 0; i < missing.length; i += 50_000) {
    const { rows: found } = await client.query<Row>(
      `select a.id as account_id, p.activity, p.p_alive, p.last_purchase
         from unnest($1::uuid[]) as a(id)
         cross join lateral (select r.activity, r.p_alive, to_char(r.last_purchase, 'YYYY-MM-DD') as last_purchase
                               from analysis_results r where r.account_id = a.id and r.activity is not null
                              order by r.run_id desc limit 1) as p`,
      [missing.slice(i, i + 50_000)],
    );
    for (const row of found) previous.set(row.account_id, { activity: row.activity, pAlive: row.p_alive, lastPurchase: row.last_purchase });
  }
  return previous;
}

/** How many rows go into one statement of unnested arrays. */
const CHANGES_PER_INSERT = 20_000;

/**
 * Records the run's changes of activity, dated by its as-of day, and moves the lifecycle status: an
 * account that became lost and was `active` becomes `lost`; one that became active again and was
 * `lost` becomes `active`. Prospects and won-back accounts keep their status. Each status change is
 * recorded in the account's history as the system's.
 */
export async function recordRunActivity(
  client: pg.ClientBase, runId: number, asOf: string, changes: RunActivity['changes'],
): Promise<{ changes: number; lost: number; active: number }> {
  for (let i = 0; i < changes.length; i += CHANGES_PER_INSERT) {
    const part = changes.slice(i, i + CHANGES_PER_INSERT);
    await client.query(
      `insert into activity_changes (account_id, run_id, from_activity, to_activity, reasons, details, changed_on)
       select c.account_id, $1, c.from_activity, c.to_activity, string_to_array(c.reasons, ','), c.details::jsonb, $2::date
         from unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[]) as c(account_id, from_activity, to_activity, reasons, details)`,
      [
        runId, asOf, part.map((c) => c.accountId), part.map((c) => c.change.from), part.map((c) => c.change.to),
        part.map((c) => c.change.reasons.join(',')), part.map((c) => JSON.stringify(c.details)),
      ],
    );
  }
  const moves = changes.filter((c) => c.change.to === 'lost' || (c.change.to === 'active' && c.change.from !== null));
  let lost = 0;
  let active = 0;
  for (let i = 0; i < moves.length; i += CHANGES_PER_INSERT) {
    const part = moves.slice(i, i + CHANGES_PER_INSERT);
    // One statement: the update (only from the one status each move starts from) and the history rows
    // of the accounts it changed.
    const { rows } = await client.query<{ status: 'lost' | 'active'; n: number }>(
      `with moved as (
         update accounts a set status = m.status, updated_at = now(), version = a.version + 1
           from unnest($1::uuid[], $2::text[]) as m(id, status)
          where a.id = m.id and a.status = case m.status when 'lost' then 'active' else 'lost' end
          returning a.id, m.status),
       recorded as (
         insert into history (user_id, entity, entity_id, account_id, action, field, old_value, new_value)
         select null, 'account', id, id, 'update', 'status', case status when 'lost' then 'active' else 'lost' end, status from moved)
       select status, count(*)::int as n from moved group by status`,
      [part.map((c) => c.accountId), part.map((c) => c.change.to)],
    );
    for (const row of rows) {
      if (row.status === 'lost') lost += row.n;
      else active += row.n;
    }
  }
  return { changes: changes.length, lost, active };
}
