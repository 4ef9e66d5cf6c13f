/**
 * Win-back end to end on the real database, on a small ledger worked out by hand:
 *
 *   client  owner  lines                                          revenue
 *   A1      kamA   the 15th of every month of 2024, 10,000 each   120,000   stops buying after 2024-12-15
 *   A2      kamB   the 15th of 2024-01 to 2024-06, 100 each           600   stops buying after 2024-06-15
 *   R1      kamA   the 10th of every month of 2024-2025, 3,000     72,000
 *   R2      none   the 12th of every month of 2024-2025, 1,000     24,000
 *   R3      none   the 14th of every month of 2024-2025, 200        4,800
 *
 * Three runs (default parameters, lost after 180 days without a purchase): as of 2025-01-10 (A2 lost:
 * 209 days; A1 bought 26 days before, the largest client, class A), as of 2025-09-01 (A1 lost too:
 * 260 days) and as of the ledger's last day, 2025-12-14. So A1 is lost since 2025-09-01 and was an A
 * before; A2 is lost since 2025-01-10 and was lost in every run, its latest class C (600 of 221,400).
 * Refusals: A2 two in the autumn of 2025, A1 one in June 2024.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeDatabases } from './database.ts';
import { rejection } from './fixtures/errors.ts';
import { buildApp } from '../src/api/app.ts';
import { loadConfig } from '../src/config.ts';
import { dayFromCivil } from '../src/core/calendar.ts';
import { DEFAULT_ANALYSIS_PARAMS } from '../src/core/types.ts';
import { createAccount } from '../src/app/accounts.ts';
import { loadDemo } from '../src/app/demo.ts';
import { DEMO_WIN_BACK_LIST } from '../src/app/demo-win-back.ts';
import { SYSTEM_ACTOR, type Actor } from '../src/app/actor.ts';
import { DEFAULT_TIME_ZONE, todayIn } from '../src/app/clock.ts';
import { importLedger } from '../src/app/import-ledger.ts';
import { runAnalysis } from '../src/app/run-analysis.ts';
import { createSession } from '../src/app/sessions.ts';
import { createUser, type UserView } from '../src/app/users.ts';
import {
  createWinBackAction,
  createWinBackList,
  deleteWinBackList,
  getWinBackAction,
  getWinBackList,
  listWinBackActions,
  listWinBackLists,
  listWinBackMembers,
  updateWinBackAction,
  updateWinBackList,
  winBackRates,
  type WinBackCriteria,
} from '../src/app/win-back.ts';

const monthly = (code: string, day: number, revenue: number, months: string[]): string[] =>
  months.map((month) => `${month}-${String(day).padStart(2, '0')};${code};${revenue},00`);
const months = (years: number[]): string[] => years.flatMap((year) => Array.from({ length: 12 }, (_, m) => `${year}-${String(m + 1).padStart(2, '0')}`));

const LEDGER = [
  ...monthly('A1', 15, 10_000, months([2024])),
  ...monthly('A2', 15, 100, months([2024]).slice(0, 6)),
  ...monthly('R1', 10, 3000, months([2024, 2025])),
  ...monthly('R2', 12, 1000, months([2024, 2025])),
  ...monthly('R3', 14, 200, months([2024, 2025])),
];

/** The day after `day` (YYYY-MM-DD). */
function nextDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

describeDatabases('win-back', (get) => {
  const ids: Record<string, string> = {};
  const people: Record<string, UserView> = {};
  let director: Actor;
  let kamA: Actor;
  let kamB: Actor;
  const runs: number[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'kamerton-win-back-'));
  const today = todayIn(DEFAULT_TIME_ZONE, new Date());
  const tomorrow = nextDay(today);

  const ledgerFile = (name: string, lines: string[]): string => {
    const file = join(dir, name);
    writeFileSync(file, `date;client;revenue\n${lines.join('\n')}\n`);
    return file;
  };
  const members = async (actor: Actor, listId: string): Promise<string[]> =>
    (await listWinBackMembers(get().db, actor, listId)).items.map((m) => m.name).sort();
  const listOf = async (criteria: WinBackCriteria, actor: Actor = director): Promise<string[]> => {
    const list = await createWinBackList(get().db, actor, { name: `List ${JSON.stringify(criteria)}`, criteria });
    return members(actor, list.id);
  };

  beforeAll(async () => {
    const { db, pool } = get();
    const user = async (key: string, role: 'director' | 'kam' | 'marketing'): Promise<Actor> => {
      people[key] = await createUser(db, SYSTEM_ACTOR, { email: `${key}@example.com`, name: key, role, password: 'a long enough password' });
      return { userId: people[key].id, role };
    };
    director = await user('director', 'director');
    kamA = await user('kamA', 'kam');
    kamB = await user('kamB', 'kam');
    await user('marketing', 'marketing');
    const owners: Record<string, string | null> = { A1: kamA.userId, A2: kamB.userId, R1: kamA.userId, R2: null, R3: null };
    for (const [code, ownerId] of Object.entries(owners)) {
      ids[code] = (await createAccount(db, director, { name: code, codes: [code], ownerId, status: 'active' })).id;
    }
    await importLedger(pool, SYSTEM_ACTOR, { path: ledgerFile('ledger.csv', LEDGER) });
    const refusal = 'insert into refusals (account_id, kind, reason, occurred_on) values ($1, $2, $3, $4)';
    await pool.query(refusal, [ids.A2, 'declined-offer', 'price', '2025-10-01']);
    await pool.query(refusal, [ids.A2, 'complaint', 'quality', '2025-11-01']);
    await pool.query(refusal, [ids.A1, 'lost-tender', 'competitor', '2024-06-01']);
  });

  describe('lists', () => {
    let allLost = '';

    it('refreshes a saved list with each analysis run, keeping the day a member was added', async () => {
      const { db, pool } = get();
      runs.push((await runAnalysis(pool, SYSTEM_ACTOR, { ...DEFAULT_ANALYSIS_PARAMS, asOf: dayFromCivil(2025, 1, 10) })).id);
      const list = await createWinBackList(db, director, { name: 'All lost', criteria: {} });
      allLost = list.id;
      expect(list).toMatchObject({ refreshedRunId: runs[0], members: 1, editable: true, criteria: {} });
      expect(await members(director, list.id)).toEqual(['A2']);
      const before = (await listWinBackMembers(db, director, list.id)).items[0]!;

      runs.push((await runAnalysis(pool, SYSTEM_ACTOR, { ...DEFAULT_ANALYSIS_PARAMS, asOf: dayFromCivil(2025, 9, 1) })).id);
      expect(await members(director, list.id)).toEqual(['A1', 'A2']);
      const after = (await listWinBackMembers(db, director, list.id)).items.find((m) => m.name === 'A2')!;
      expect(after.addedAt.toISOString()).toBe(before.addedAt.toISOString());
      runs.push((await runAnalysis(pool, SYSTEM_ACTOR, { ...DEFAULT_ANALYSIS_PARAMS })).id);
      expect(await getWinBackList(db, director, list.id)).toMatchObject({ refreshedRunId: runs[2], members: 2 });
    });

    it('shows a member\'s loss, former class, refusals and worth', async () => {
      const page = await listWinBackMembers(get().db, director, allLost);
      expect(page.total).toBe(2);
      // The latest lost first.
      expect(page.items.map((m) => m.name)).toEqual(['A1', 'A2']);
      expect(page.items[0]).toMatchObject({
        accountId: ids.A1, code: 'A1', ownerId: kamA.userId, ownerName: 'kamA', activity: 'lost', lostSince: '2025-09-01',
        wasAbc: 'A', refusals: 0, revenueBeforeLoss: 120_000, openAction: null,
      });
      expect(page.items[1]).toMatchObject({ accountId: ids.A2, lostSince: '2025-01-10', wasAbc: 'C', refusals: 2, revenueBeforeLoss: 600 });
    });

    it('chooses by the time since the loss', async () => {
      expect(await listOf({ lostWithinMonths: 6 })).toEqual(['A1']);
      expect(await listOf({ lostWithinMonths: 12 })).toEqual(['A1', 'A2']);
    });

    it('chooses by the class an account had before it was lost', async () => {
      expect(await listOf({ wasAbc: ['A', 'B'] })).toEqual(['A1']);
      expect(await listOf({ wasAbc: ['C'] })).toEqual(['A2']);
    });

    it('chooses by the refusals in the last months', async () => {
      expect(await listOf({ minRefusals: 2 })).toEqual(['A2']);
      expect(await listOf({ minRefusals: 1 })).toEqual(['A2']);
      expect(await listOf({ minRefusals: 1, refusalMonths: 24 })).toEqual(['A1', 'A2']);
      expect(await listOf({ minRefusals: 3 })).toEqual([]);
    });

    it('chooses the key clients and by owner', async () => {
      const { rows } = await get().pool.query<{ name: string }>(
        `select a.name from analysis_results r join accounts a on a.id = r.account_id where r.run_id = $1 and r.is_key and r.activity = 'lost' order by a.name`,
        [runs[2]],
      );
      expect(rows.map((row) => row.name)).toContain('A1');
      expect(await listOf({ keyOnly: true })).toEqual(rows.map((row) => row.name));
      expect(await listOf({ ownerId: people.kamB!.id })).toEqual(['A2']);
      expect(await listOf({ activities: ['lost', 'slipping'], wasAbc: ['A'] })).toEqual(['A1']);
    });

    it('refuses criteria it cannot read, naming the field', async () => {
      const { db } = get();
      expect((await rejection(createWinBackList(db, director, { name: 'x', criteria: { refusalMonths: 6 } }))).details.field).toBe('criteria.refusalMonths');
      expect((await rejection(createWinBackList(db, director, { name: 'x', criteria: { wasAbc: ['D' as 'A'] } }))).details.field).toBe('criteria.wasAbc.0');
      expect((await rejection(createWinBackList(db, director, { name: 'x', criteria: { ownerId: '00000000-0000-4000-8000-000000000000' } }))).details.field)
        .toBe('criteria.ownerId');
    });

    it('keeps a KAM to their own accounts, in their lists and in others\'', async () => {
      const { db } = get();
      const own = await createWinBackList(db, kamA, { name: 'Mine', criteria: {} });
      expect(await members(kamA, own.id)).toEqual(['A1']);
      // A KAM's list holds that KAM's accounts, whoever reads it.
      expect(await members(director, own.id)).toEqual(['A1']);
      // A director's list shows each KAM their own members only.
      expect(await members(kamB, allLost)).toEqual(['A2']);
      expect((await getWinBackList(db, kamB, allLost)).members).toBe(1);
      // A KAM changes their own lists only.
      expect((await rejection(updateWinBackList(db, kamB, own.id, { name: 'Theirs' }, 1))).code).toBe('forbidden');
      expect((await rejection(updateWinBackList(db, kamA, allLost, { name: 'Theirs' }, 1))).code).toBe('forbidden');
      const renamed = await updateWinBackList(db, kamA, own.id, { name: 'Mine, A only', criteria: { wasAbc: ['A'] } }, own.version);
      expect(renamed).toMatchObject({ name: 'Mine, A only', version: 2, members: 1 });
      expect((await rejection(updateWinBackList(db, kamA, own.id, { name: 'Stale' }, 1))).code).toBe('conflict');
      const { rows } = await get().pool.query<{ field: string }>(
        `select field from history where entity = 'win-back-list' and entity_id = $1 and action = 'update' order by field`, [own.id],
      );
      expect(rows.map((row) => row.field)).toEqual(['criteria', 'name']);
      await deleteWinBackList(db, kamA, own.id);
      expect((await rejection(getWinBackList(db, kamA, own.id))).code).toBe('not-found');
      expect((await listWinBackLists(db, kamA)).items.some((list) => list.id === own.id)).toBe(false);
    });

    it('refuses marketing', async () => {
      const marketing: Actor = { userId: people.marketing!.id, role: 'marketing' };
      expect((await rejection(listWinBackLists(get().db, marketing))).code).toBe('forbidden');
    });
  });

  describe('actions, won back by new purchases', () => {
    let discount = '';
    let gift = '';
    let special = '';

    it('takes a percentage for a discount and for nothing else', async () => {
      const { db } = get();
      const base = { accountId: ids.A1!, dueOn: tomorrow };
      expect((await rejection(createWinBackAction(db, kamA, { ...base, offerType: 'discount' }, { today }))).details.field).toBe('discountPercent');
      expect((await rejection(createWinBackAction(db, kamA, { ...base, offerType: 'gift', discountPercent: 10 }, { today }))).details.field).toBe('discountPercent');
      expect((await rejection(createWinBackAction(db, kamA, { ...base, offerType: 'discount', discountPercent: 120 }, { today }))).details.field).toBe('discountPercent');
      // Another KAM's account is not found.
      expect((await rejection(createWinBackAction(db, kamB, { ...base, offerType: 'gift' }, { today }))).code).toBe('not-found');
    });

    it('plans actions with the account\'s segment, owned by the account\'s owner', async () => {
      const { db, pool } = get();
      const { rows: [segments] } = await pool.query<{ a1: string; a2: string }>(
        `select (select segment from analysis_results where run_id = $1 and account_id = $2) as a1,
                (select segment from analysis_results where run_id = $1 and account_id = $3) as a2`,
        [runs[2], ids.A1, ids.A2],
      );
      const lists = await listWinBackLists(db, director);
      const allLost = lists.items.find((list) => list.name === 'All lost')!;
      const first = await createWinBackAction(db, kamA, {
        accountId: ids.A1!, listId: allLost.id, offerType: 'discount', discountPercent: 15, offer: '15% na zamówienia do końca kwartału', dueOn: tomorrow,
      }, { today });
      discount = first.id;
      expect(first).toMatchObject({
        accountName: 'A1', listName: 'All lost', offerType: 'discount', discountPercent: 15, ownerId: kamA.userId, ownerName: 'kamA',
        outcome: null, wonBackOn: null, segment: segments!.a1, state: 'open', version: 1,
      });
      gift = (await createWinBackAction(db, director, { accountId: ids.A2!, offerType: 'gift', dueOn: '2025-12-01' }, { today })).id;
      special = (await createWinBackAction(db, director, { accountId: ids.A2!, offerType: 'special-offer', dueOn: tomorrow }, { today })).id;
      expect((await getWinBackAction(db, director, gift, { today }))).toMatchObject({ ownerId: kamB.userId, segment: segments!.a2, state: 'overdue' });
      const member = (await listWinBackMembers(db, director, allLost.id)).items.find((m) => m.name === 'A1')!;
      expect(member.openAction).toMatchObject({ id: discount, offerType: 'discount', discountPercent: 15, dueOn: tomorrow, ownerName: 'kamA' });
    });

    it('lists actions by state, owner, list and account, in the actor\'s scope', async () => {
      const { db } = get();
      const names = async (actor: Actor, query: Parameters<typeof listWinBackActions>[2]) =>
        (await listWinBackActions(db, actor, query, { today })).items.map((action) => action.id);
      expect((await names(director, {})).sort()).toEqual([gift, discount, special].sort());
      expect(await names(director, { state: 'overdue' })).toEqual([gift]);
      expect((await names(director, { state: 'open' })).sort()).toEqual([discount, special].sort());
      expect(await names(director, { state: 'closed' })).toEqual([]);
      expect(await names(director, { ownerId: people.kamA!.id })).toEqual([discount]);
      expect((await names(director, { accountId: ids.A2 })).sort()).toEqual([gift, special].sort());
      expect(await names(kamA, {})).toEqual([discount]);
      expect((await names(kamB, {})).sort()).toEqual([gift, special].sort());
      // The overdue one falls due first.
      expect((await listWinBackActions(db, director, {}, { today })).items[0]!.id).toBe(gift);
    });

    it('sets an outcome with its day, on the version read', async () => {
      const { db } = get();
      const declined = await updateWinBackAction(db, kamB, gift, { outcome: 'declined' }, 1, { today });
      expect(declined).toMatchObject({ outcome: 'declined', outcomeOn: today, state: 'closed', version: 2 });
      expect((await rejection(updateWinBackAction(db, kamB, gift, { outcome: 'no-answer' }, 1, { today }))).code).toBe('conflict');
      expect((await rejection(updateWinBackAction(db, kamA, gift, { outcome: 'no-answer' }, 2, { today }))).code).toBe('not-found');
      expect((await rejection(updateWinBackAction(db, kamB, special, { offerType: 'discount' }, 1, { today }))).details.field).toBe('discountPercent');
    });

    it('marks the action won back when the account buys after it, and the account won-back', async () => {
      const { db, pool } = get();
      const file = ledgerFile('new.csv', [`${tomorrow};A1;500,00`]);
      await importLedger(pool, SYSTEM_ACTOR, { path: file });
      const action = await getWinBackAction(db, director, discount, { today });
      expect(action).toMatchObject({ outcome: 'won-back', outcomeOn: tomorrow, wonBackOn: tomorrow, accountStatus: 'won-back', state: 'closed', version: 2 });
      const { rows: [account] } = await pool.query<{ status: string }>('select status from accounts where id = $1', [ids.A1]);
      expect(account!.status).toBe('won-back');
      // A2 did not buy: its actions are as they were.
      expect(await getWinBackAction(db, director, special, { today })).toMatchObject({ outcome: null, wonBackOn: null, version: 1 });
      const { rows } = await pool.query<{ entity: string; field: string; user_id: string | null; new_value: string }>(
        `select entity, field, user_id, new_value from history
          where account_id = $1 and action = 'update' and (entity = 'win-back-action' or new_value = 'won-back') order by entity, field`, [ids.A1],
      );
      expect(rows).toEqual([
        { entity: 'account', field: 'status', user_id: null, new_value: 'won-back' },
        { entity: 'win-back-action', field: 'outcome', user_id: null, new_value: 'won-back' },
        { entity: 'win-back-action', field: 'outcomeOn', user_id: null, new_value: tomorrow },
        { entity: 'win-back-action', field: 'wonBackOn', user_id: null, new_value: tomorrow },
      ]);
      // The outcome stays: the client bought.
      expect((await rejection(updateWinBackAction(db, kamA, discount, { outcome: 'declined' }, 2, { today }))).details.field).toBe('outcome');
    });

    it('changes nothing when the same file is imported again', async () => {
      const { pool } = get();
      const count = async () => (await pool.query<{ n: number }>('select count(*)::int as n from history')).rows[0]!.n;
      const before = await count();
      const versions = async () => (await pool.query<{ v: number }>('select sum(version)::int as v from win_back_actions')).rows[0]!.v;
      const v = await versions();
      await importLedger(pool, SYSTEM_ACTOR, { path: join(dir, 'new.csv') });
      expect(await count()).toBe(before);
      expect(await versions()).toBe(v);
    });

    it('gives the win-back rate by offer type and by segment, in the actor\'s scope', async () => {
      const { db, pool } = get();
      const { rows: [segments] } = await pool.query<{ a1: string; a2: string }>(
        `select (select segment from win_back_actions where id = $1) as a1, (select segment from win_back_actions where id = $2) as a2`,
        [discount, gift],
      );
      const rates = await winBackRates(db, director, {}, DEFAULT_TIME_ZONE);
      expect(rates.total).toEqual({
        key: 'all', actions: 3, open: 1, wonBack: 1, declined: 1, noAnswer: 0, rate: 0.5, openShare: 1 / 3, medianDaysToPurchase: 1,
      });
      const offer = Object.fromEntries(rates.byOfferType.map((row) => [row.key, row]));
      expect(rates.byOfferType.map((row) => row.key)).toEqual(['special-offer', 'gift', 'discount', 'other']);
      expect(offer.discount).toMatchObject({ actions: 1, wonBack: 1, rate: 1, medianDaysToPurchase: 1 });
      expect(offer.gift).toMatchObject({ actions: 1, declined: 1, rate: 0, medianDaysToPurchase: null });
      expect(offer['special-offer']).toMatchObject({ actions: 1, open: 1, rate: null, openShare: 1 });
      expect(offer.other).toMatchObject({ actions: 0, rate: null });
      const segment = Object.fromEntries(rates.bySegment.map((row) => [row.key, row]));
      if (segments!.a1 === segments!.a2) {
        expect(segment[segments!.a1]).toMatchObject({ actions: 3, wonBack: 1, rate: 0.5 });
      } else {
        expect(segment[segments!.a1]).toMatchObject({ actions: 1, wonBack: 1, rate: 1 });
        expect(segment[segments!.a2]).toMatchObject({ actions: 2, declined: 1, open: 1, rate: 0 });
      }
      const mine = await winBackRates(db, kamA, {}, DEFAULT_TIME_ZONE);
      expect(mine.total).toMatchObject({ actions: 1, wonBack: 1, rate: 1 });
      expect((await winBackRates(db, director, { from: tomorrow }, DEFAULT_TIME_ZONE)).total.actions).toBe(0);
      expect((await winBackRates(db, director, { to: today }, DEFAULT_TIME_ZONE)).total.actions).toBe(3);
    });

    it('counts a declined action as won back when the client buys afterwards', async () => {
      const { db, pool } = get();
      await importLedger(pool, SYSTEM_ACTOR, { path: ledgerFile('a2.csv', [`${tomorrow};A2;50,00`]) });
      expect(await getWinBackAction(db, director, gift, { today })).toMatchObject({ outcome: 'won-back', outcomeOn: tomorrow, wonBackOn: tomorrow });
      expect(await getWinBackAction(db, director, special, { today })).toMatchObject({ outcome: 'won-back', wonBackOn: tomorrow });
      expect((await winBackRates(db, director, {}, DEFAULT_TIME_ZONE)).total).toMatchObject({ actions: 3, wonBack: 3, rate: 1, openShare: 0 });
    });
  });

  describe('the API', () => {
    it('answers the routes with their shapes and refuses a discount without its percentage', async () => {
      const database = get();
      const app = await buildApp({ database, config: await loadConfig({}) });
      try {
        const { token, session } = await createSession(database.db, people.director!, { hours: 1 });
        const headers = { cookie: `kamerton_session=${token}`, 'x-csrf-token': session.csrfToken };
        const lists = await app.inject({ method: 'GET', url: '/api/v1/win-back/lists', headers });
        expect(lists.statusCode).toBe(200);
        const list = (lists.json() as { items: { id: string; name: string }[] }).items.find((item) => item.name === 'All lost')!;
        const page = await app.inject({ method: 'GET', url: `/api/v1/win-back/lists/${list.id}/members?pageSize=1`, headers });
        expect(page.json()).toMatchObject({ total: 2, page: 1, pageSize: 1 });
        const refused = await app.inject({
          method: 'POST', url: '/api/v1/win-back/actions', headers, payload: { accountId: ids.A1, offerType: 'discount', dueOn: tomorrow },
        });
        expect(refused.statusCode).toBe(400);
        expect(refused.json()).toMatchObject({ details: { field: 'discountPercent' } });
        const rates = await app.inject({ method: 'GET', url: '/api/v1/win-back/rates?from=2020-01-01', headers });
        expect(rates.json()).toMatchObject({ from: '2020-01-01', to: null, total: { actions: 3 } });
        const actions = await app.inject({ method: 'GET', url: '/api/v1/win-back/actions?state=closed', headers });
        expect((actions.json() as { total: number }).total).toBe(3);
      } finally {
        await app.close();
      }
    });
  });
});

describeDatabases('the demo company\'s win-back board', (get) => {
  it('has a list of lost clients and actions with different offers and outcomes, one won back', async () => {
    const { db } = get();
    await loadDemo(get(), SYSTEM_ACTOR, { seed: 1 });
    const lists = await listWinBackLists(db, SYSTEM_ACTOR);
    expect(lists.items.map((list) => list.name)).toEqual([DEMO_WIN_BACK_LIST]);
    expect(lists.items[0]!.members).toBeGreaterThan(0);
    const actions = (await listWinBackActions(db, SYSTEM_ACTOR, { pageSize: 200 }, { today: todayIn(DEFAULT_TIME_ZONE, new Date()) })).items;
    expect(new Set(actions.map((action) => action.offerType))).toEqual(new Set(['special-offer', 'gift', 'discount', 'other']));
    expect(actions.filter((action) => action.wonBackOn !== null)).toHaveLength(1);
    expect(new Set(actions.map((action) => action.outcome))).toEqual(new Set([null, 'declined', 'no-answer', 'won-back']));
    expect(actions.some((action) => action.state === 'overdue')).toBe(true);
  });
});
