/**
 * The parts of win-back that the import and the analysis run call inside their own transactions:
 * refreshing every list's members from a run, and marking the actions won back by new purchases. A
 * module of its own, in plain SQL over `pg`, because the import and the run do not load drizzle's
 * query builder (src/app/command-actor.ts); src/app/win-back.ts builds the rest on these pieces.
 */
import type pg from 'pg';
import { z } from 'zod';
import type { Role } from '../db/schema/users.ts';

export const WIN_BACK_ACTIVITIES = ['lost', 'slipping'] as const;
export const ABC_CLASSES = ['A', 'B', 'C'] as const;

/** Each value at most once: a repeated one changes nothing, and refusing it says the list was built wrong. */
function distinct<T extends z.ZodType>(item: T, max: number) {
  return z.array(item).min(1).max(max).refine((values) => new Set(values).size === values.length, { message: 'a value is listed twice' });
}

export const winBackCriteriaSchema = z.strictObject({
  lostWithinMonths: z.number().int().min(1).max(240).optional()
    .describe('Accounts that became lost within this many months before the latest run\'s as-of date (a slipping account passes).'),
  activities: distinct(z.enum(WIN_BACK_ACTIVITIES), 2).optional().describe('The account\'s activity in the run; default ["lost"].'),
  wasAbc: distinct(z.enum(ABC_CLASSES), 3).optional()
    .describe('The ABC class in the account\'s latest result that had a segment and was not lost: what it was before it slipped away.'),
  minRefusals: z.number().int().min(1).max(10_000).optional().describe('At least this many refusals in the last refusalMonths months.'),
  refusalMonths: z.number().int().min(1).max(240).optional().describe('The months minRefusals counts over (default 12).'),
  keyOnly: z.boolean().optional().describe('Only the key clients of the run.'),
  ownerId: z.uuid().optional().describe('Only the accounts of this owner.'),
}).refine((c) => c.refusalMonths === undefined || c.minRefusals !== undefined, {
  message: 'refusalMonths counts refusals for minRefusals: give minRefusals too',
  path: ['refusalMonths'],
});
export type WinBackCriteria = z.output<typeof winBackCriteriaSchema>;

/** Criteria as stored; criteria this version refuses (saved by an older one) give no members rather than failing a run. */
export function storedCriteria(value: unknown): WinBackCriteria | null {
  const parsed = winBackCriteriaSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** A query's text and its parameters, as `pg` takes them. */
export type Query = { text: string; values: unknown[] };

// The SQL pieces below take SQL expressions for the account and the run; callers pass column names,
// parameter placeholders or integers they made themselves, never text from a request.

/** The as-of date (the analysis date) of run `run`, from its stored window. */
export function runAsOfSql(run: string): string {
  return `(select (ar.summary->'window'->>'asOf')::date from analysis_runs ar where ar.id = ${run})`;
}

/**
 * The day the account became lost, as of run `run`: the as-of date of the first run of the latest
 * uninterrupted series of runs (up to `run`) in which it was lost; null when it is not lost there. A
 * run without a result for the account interrupts nothing. The activity changes (activity_changes)
 * date the same change with the same as-of date; the results are read here because they also cover
 * the runs made before activity changes were recorded.
 */
export function lostSinceSql(account: string, run: string): string {
  return `(select (lr.summary->'window'->>'asOf')::date from analysis_runs lr where lr.id = (
      select min(x.run_id) from analysis_results x
       where x.account_id = ${account} and x.run_id <= ${run} and x.activity = 'lost'
         and x.run_id > coalesce((select max(y.run_id) from analysis_results y
                                   where y.account_id = ${account} and y.run_id <= ${run} and y.activity in ('active', 'slipping')), 0)))`;
}

/**
 * The account's ABC class before it slipped away: in its latest result (up to `run`) that had a
 * segment and was not lost; for an account lost in every run, its latest class.
 */
export function abcBeforeSql(account: string, run: string): string {
  return `coalesce(
      (select y.abc from analysis_results y where y.account_id = ${account} and y.run_id <= ${run}
          and y.segment is not null and y.activity <> 'lost' order by y.run_id desc limit 1),
      (select y.abc from analysis_results y where y.account_id = ${account} and y.run_id <= ${run}
          and y.segment is not null order by y.run_id desc limit 1))`;
}

/** The account's refusals dated after `asOf` less `months` months (later ones count too: they are news). */
export function refusalCountSql(account: string, asOf: string, months: string): string {
  return `(select count(*)::int from refusals f where f.account_id = ${account} and f.occurred_on > ${asOf} - make_interval(months => ${months}))`;
}

export type ListCreator = { id: string | null; role: Role | null };

/**
 * One statement recomputing list `listId` from run `runId` (null: no run yet, so no members): the
 * accounts the criteria choose are added, those no longer chosen removed, and those staying keep the
 * day they were added; the list records when and from which run.
 */
export function listRefreshQuery(listId: string, criteria: WinBackCriteria | null, runId: number | null, creator: ListCreator): Query {
  // Arrays travel as comma-joined text (their values are closed enums): drizzle, which runs this query
  // when a list is saved, would spread an array parameter into a list of parameters.
  const values: unknown[] = [listId, runId];
  const param = (value: unknown): string => {
    values.push(value);
    return `$${values.length}`;
  };
  let wanted = 'select null::uuid as account_id where false';
  if (criteria !== null && runId !== null) {
    const run = '$2::bigint';
    const asOf = runAsOfSql(run);
    const conditions = [`r.run_id = ${run}`, `r.activity = any(string_to_array(${param((criteria.activities ?? ['lost']).join(','))}::text, ','))`];
    if (criteria.lostWithinMonths !== undefined) {
      conditions.push(`(r.activity <> 'lost' or ${lostSinceSql('r.account_id', run)} > ${asOf} - make_interval(months => ${param(criteria.lostWithinMonths)}::int))`);
    }
    if (criteria.wasAbc !== undefined) conditions.push(`${abcBeforeSql('r.account_id', run)} = any(string_to_array(${param(criteria.wasAbc.join(','))}::text, ','))`);
    if (criteria.minRefusals !== undefined) {
      conditions.push(`${refusalCountSql('r.account_id', asOf, `${param(criteria.refusalMonths ?? 12)}::int`)} >= ${param(criteria.minRefusals)}::int`);
    }
    if (criteria.keyOnly === true) conditions.push('r.is_key');
    if (criteria.ownerId !== undefined) conditions.push(`a.owner_id = ${param(criteria.ownerId)}::uuid`);
    if (creator.role === 'kam') {
      // A KAM's list holds the accounts that KAM may see, whoever reads it.
      const me = param(creator.id);
      conditions.push(`a.id in (select mine.id from accounts mine where mine.owner_id = ${me}::uuid
                                union all select team.account_id from account_team team where team.user_id = ${me}::uuid)`);
    }
    wanted = `select r.account_id from analysis_results r join accounts a on a.id = r.account_id where ${conditions.join(' and ')}`;
  }
  return {
    text: `
      with wanted as (${wanted}),
      gone as (
        delete from win_back_list_members m
         where m.list_id = $1 and not exists (select 1 from wanted w where w.account_id = m.account_id)
      ),
      added as (
        insert into win_back_list_members (list_id, account_id)
        select $1, w.account_id from wanted w
        on conflict (list_id, account_id) do nothing
      )
      update win_back_lists set refreshed_at = now(), refreshed_run_id = $2::bigint where id = $1`,
    values,
  };
}

export type StoredList = { id: string; criteria: unknown; created_by: string | null; role: Role | null };

/** The lists with their criteria and who made them (a KAM's list is limited to that KAM's accounts). */
export function storedListsQuery(listId?: string): Query {
  return {
    text: `select l.id, l.criteria, l.created_by, u.role from win_back_lists l left join users u on u.id = l.created_by
            ${listId === undefined ? '' : 'where l.id = $1'} order by l.id`,
    values: listId === undefined ? [] : [listId],
  };
}

/**
 * Recomputes every list's members from run `runId`, on `client` inside the run's transaction, one
 * statement per list. Each list is refreshed under a savepoint: a list changed or deleted by someone
 * while the run was computing (the run reads a snapshot of its own) keeps its members until the next
 * run or save, rather than failing the run.
 */
export async function refreshWinBackLists(client: pg.ClientBase, runId: number): Promise<void> {
  const lists = storedListsQuery();
  const { rows } = await client.query<StoredList>(lists.text, lists.values);
  for (const list of rows) {
    const query = listRefreshQuery(list.id, storedCriteria(list.criteria), runId, { id: list.created_by, role: list.role });
    await client.query('savepoint win_back_list');
    try {
      await client.query(query.text, query.values);
      await client.query('release savepoint win_back_list');
    } catch {
      await client.query('rollback to savepoint win_back_list');
    }
  }
}

/**
 * Marks as won back every action whose account has a purchase day (a ledger day with a purchase line)
 * after the day the action was created (in the company's time zone) and that is not won back yet:
 * `won_back_on` becomes the first such day, the outcome `won-back` (dated that day, unless a person
 * had already set won-back with a day of their own), and the account's status `won-back`. An action
 * closed as declined or unanswered counts too: the client came back. History records each change as
 * the system's. Called in the import's transaction, after the rollup is updated; an action already
 * won back is left alone, so importing the same file again changes nothing. Returns how many actions
 * it marked.
 */
export async function detectWinBacks(client: pg.ClientBase, timeZone: string): Promise<number> {
  const { rows: [result] } = await client.query<{ actions: number }>(
    `with hits as (
       select w.id, w.account_id, w.outcome as old_outcome, w.outcome_on as old_outcome_on, h.day
         from win_back_actions w
         cross join lateral (
           select min(d.day) as day from ledger_days d
            where d.account_id = w.account_id and d.purchase_lines > 0 and d.day > (w.created_at at time zone $1)::date
         ) h
        where w.won_back_on is null and h.day is not null
     ),
     changed as (
       update win_back_actions w
          set won_back_on = h.day, outcome = 'won-back',
              outcome_on = case when w.outcome = 'won-back' then w.outcome_on else h.day end,
              updated_at = now(), version = w.version + 1
         from hits h
        where w.id = h.id
       returning w.id, w.account_id, w.won_back_on, w.outcome_on, h.old_outcome, h.old_outcome_on
     ),
     prior as (
       select a.id, a.status from accounts a
        where a.id in (select account_id from changed) and a.status <> 'won-back'
     ),
     accounts_changed as (
       update accounts a set status = 'won-back', updated_at = now(), version = a.version + 1
         from prior p where a.id = p.id
       returning a.id
     ),
     logged as (
       insert into history (user_id, entity, entity_id, account_id, action, field, old_value, new_value)
       select null::uuid, 'win-back-action', c.id, c.account_id, 'update', f.field, f.old_value, f.new_value
         from changed c
         cross join lateral (values
           ('wonBackOn', null, c.won_back_on::text),
           ('outcome', c.old_outcome, 'won-back'),
           ('outcomeOn', c.old_outcome_on::text, c.outcome_on::text)
         ) as f(field, old_value, new_value)
        where f.old_value is distinct from f.new_value
       union all
       select null::uuid, 'account', p.id, p.id, 'update', 'status', p.status, 'won-back' from prior p
     )
     select (select count(*)::int from changed) as actions, (select count(*)::int from accounts_changed) as accounts`,
    [timeZone],
  );
  return result?.actions ?? 0;
}
