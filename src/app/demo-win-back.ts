/**
 * The demo company's win-back work, made after its analysis runs so that the win-back board is not
 * empty: a saved list of the clients lost in the last 12 months that were A or B before, and a few
 * actions on lost clients with different offers and outcomes, one of them won back by the ledger (a
 * client that came back lately, with the action dated two weeks before its return).
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import type { Actor } from './actor.ts';
import { DEFAULT_TIME_ZONE, todayIn } from './clock.ts';
import { createWinBackAction, createWinBackList, detectWinBacks, updateWinBackAction, type WinBackActionCreate } from './win-back.ts';

export const DEMO_WIN_BACK_LIST = 'Utraceni w ostatnich 12 miesiącach, wcześniej A lub B';

/** `day` (YYYY-MM-DD) moved by `days`. */
function shiftDay(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

export async function loadDemoWinBack(database: Pick<Database, 'db' | 'pool'>, actor: Actor): Promise<{ listId: string; actions: number }> {
  const { db, pool } = database;
  // The demo is the company's as of today in the default zone: its dates need no more precision.
  const today = todayIn(DEFAULT_TIME_ZONE, new Date());
  const list = await createWinBackList(db, actor, { name: DEMO_WIN_BACK_LIST, criteria: { lostWithinMonths: 12, wasAbc: ['A', 'B'] } });

  // The list's members first, then any other lost client with an owner, so the plan never runs short.
  const { rows: lost } = await db.execute<{ id: string }>(sql`
    select a.id from accounts a
      left join win_back_list_members m on m.account_id = a.id and m.list_id = ${list.id}
     where a.status = 'lost' and a.owner_id is not null
     order by m.account_id is null, a.name, a.id
     limit 4`);
  const plans: { input: Omit<WinBackActionCreate, 'accountId'>; createdDaysAgo: number; outcome?: 'declined' | 'no-answer' }[] = [
    { input: { offerType: 'discount', discountPercent: 10, offer: 'Rabat 10% na pierwsze zamówienie po powrocie', dueOn: shiftDay(today, 7) }, createdDaysAgo: 3 },
    { input: { offerType: 'gift', offer: 'Zestaw próbek nowej linii opakowań', dueOn: shiftDay(today, -10) }, createdDaysAgo: 30, outcome: 'declined' },
    { input: { offerType: 'special-offer', offer: 'Darmowa dostawa przez kwartał', dueOn: shiftDay(today, -5) }, createdDaysAgo: 21, outcome: 'no-answer' },
    { input: { offerType: 'other', offer: 'Spotkanie z dyrektorem handlowym', dueOn: shiftDay(today, -3) }, createdDaysAgo: 14 },
  ];
  let actions = 0;
  for (const [i, account] of lost.entries()) {
    const plan = plans[i]!;
    const onList = i < list.members;
    const action = await createWinBackAction(db, actor, { ...plan.input, accountId: account.id, ...(onList ? { listId: list.id } : {}) }, { today });
    // Dated back, as if planned earlier: the board shows actions of different ages.
    await pool.query(`update win_back_actions set created_at = created_at - make_interval(days => $2) where id = $1`, [action.id, plan.createdDaysAgo]);
    if (plan.outcome !== undefined) {
      await updateWinBackAction(db, actor, action.id, { outcome: plan.outcome, outcomeOn: shiftDay(plan.input.dueOn, -1) }, action.version, { today });
    }
    actions += 1;
  }

  // A client that came back lately: an action two weeks before its first purchase, found won back by the ledger.
  const { rows: [back] } = await db.execute<{ id: string; first_day: string }>(sql`
    select a.id, min(d.day)::text as first_day from accounts a join ledger_days d on d.account_id = a.id and d.purchase_lines > 0
     where a.status = 'won-back' and a.owner_id is not null
     group by a.id, a.name order by a.name, a.id limit 1`);
  if (back !== undefined) {
    const planned = shiftDay(back.first_day, -14);
    const action = await createWinBackAction(db, actor, {
      accountId: back.id, offerType: 'discount', discountPercent: 5, offer: 'Rabat 5% na zamówienia w pierwszym miesiącu', dueOn: shiftDay(planned, 7),
    }, { today });
    await pool.query(`update win_back_actions set created_at = $2::date + time '10:00' where id = $1`, [action.id, planned]);
    const client = await pool.connect();
    try {
      await detectWinBacks(client, DEFAULT_TIME_ZONE);
    } finally {
      client.release();
    }
    actions += 1;
  }
  return { listId: list.id, actions };
}
