/**
 * The activity rules on a hand-made ledger, through the import and four analysis runs. The named
 * clients (2024; purchases of 50 to 1,065 zł, by client and day):
 *
 *   REG   every 7 days all year                          active throughout
 *   GAP   every 10 days from 01-05 (last 10-21)           as of 12-31: 71 days idle, seven times its gap
 *   DROP  every 30 days from 01-07 (last 11-02)           as of 12-31: 59 days idle, not over twice its gap
 *   ONE   once, 06-14                                    x = 0: P(active) 1, 200 days idle as of 12-31
 *   WON   once, 06-14, its account marked won-back       as ONE, but its status is not the run's to change
 *   BACK  01-10, 01-20, 01-30, 02-09, then 12-20         lost as of 09-30, buys again before 12-31
 *
 * and forty background clients of varied rhythms, some of which stop in the spring, so that the
 * model has a population to fit (its figures for the named clients, as of 09-30 and 12-31: GAP 0.97
 * and 0.13, DROP 0.96 and 0.87, REG 0.99 and 0.99, BACK 0.04 and 0.97, ONE and WON 1).
 *
 * Runs: A as of 09-30 with the defaults; B as of 12-31 with a drop rule of 0.05; C and D as of 12-31
 * with the probability rules off (pAliveLost 0, pAliveDrop 1).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDatabases } from './database.ts';
import { buildApp } from '../src/api/app.ts';
import { SESSION_COOKIE } from '../src/api/plugins/auth.plugin.ts';
import { loadConfig } from '../src/config.ts';
import { dayFromCivil, formatDay } from '../src/core/calendar.ts';
import { DEFAULT_ACTIVITY_RULES } from '../src/core/activity.ts';
import { DEFAULT_ANALYSIS_PARAMS } from '../src/core/types.ts';
import { SYSTEM_ACTOR, type Actor } from '../src/app/actor.ts';
import { getAccountActivity, getActivityRules, listActivityAccounts, setActivityRules } from '../src/app/activity.ts';
import { importLedger } from '../src/app/import-ledger.ts';
import { runAnalysis } from '../src/app/run-analysis.ts';
import { createSession } from '../src/app/sessions.ts';
import { createUser, type UserView } from '../src/app/users.ts';
import { rejection } from './fixtures/errors.ts';

const day = (iso: string): number => {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return dayFromCivil(y, m, d);
};

function ledgerLines(): string[] {
  const lines: string[] = [];
  const buy = (client: string, d: number): void => {
    // Amounts differ between clients and from day to day, so that the spend model has variance to fit.
    const base = 50 + ([...client].reduce((sum, c) => sum * 31 + c.charCodeAt(0), 7) % 40) * 25;
    lines.push(`${formatDay(d)};${client};${base + (d % 5) * 10},00`);
  };
  const every = (client: string, from: number, to: number, step: number): void => {
    for (let d = from; d <= to; d += step) buy(client, d);
  };
  every('REG', day('2024-01-01'), day('2024-12-31'), 7);
  every('GAP', day('2024-01-05'), day('2024-10-22'), 10);
  every('DROP', day('2024-01-07'), day('2024-11-08'), 30);
  buy('ONE', day('2024-06-14'));
  buy('WON', day('2024-06-14'));
  for (const d of ['2024-01-10', '2024-01-20', '2024-01-30', '2024-02-09', '2024-12-20']) buy('BACK', day(d));
  for (let k = 0; k < 40; k++) {
    const start = day('2024-01-01') + ((k * 7) % 90);
    const end = k % 3 === 0 ? day('2024-05-01') + k * 3 : day('2024-12-31') - (k % 5) * 4;
    every(`B${String(k).padStart(2, '0')}`, start, end, 7 + (k % 8) * 6);
  }
  return lines;
}

const NEUTRAL = { ...DEFAULT_ACTIVITY_RULES, pAliveLost: 0, pAliveDrop: 1 };

describeDatabases('the activity rules', (get) => {
  const ids: Record<string, string> = {};
  const views: Record<string, UserView> = {};
  let director: Actor;
  let kamA: Actor;
  const runs: Record<'A' | 'B' | 'C' | 'D', number> = { A: 0, B: 0, C: 0, D: 0 };
  const changesAfter: Record<string, number> = {};

  type ResultRow = { activity: string; activity_reasons: string[]; p_alive: number | null; repeat_purchases: number | null; expected_purchases: number | null };
  async function result(run: number, client: string): Promise<ResultRow> {
    const { rows: [row] } = await get().pool.query<ResultRow>(
      'select activity, activity_reasons, p_alive, repeat_purchases, expected_purchases from analysis_results where run_id = $1 and account_id = $2',
      [run, ids[client]],
    );
    return row!;
  }
  async function status(client: string): Promise<string> {
    const { rows: [row] } = await get().pool.query<{ status: string }>('select status from accounts where id = $1', [ids[client]]);
    return row!.status;
  }
  async function changes(client: string): Promise<{ run_id: string; from_activity: string | null; to_activity: string; reasons: string[] }[]> {
    const { rows } = await get().pool.query('select run_id, from_activity, to_activity, reasons from activity_changes where account_id = $1 order by id', [ids[client]]);
    return rows;
  }
  const countChanges = async (): Promise<number> => Number((await get().pool.query('select count(*) as n from activity_changes')).rows[0].n);

  beforeAll(async () => {
    const { db, pool } = get();
    for (const [email, role] of [['director@example.com', 'director'], ['kama@example.com', 'kam'], ['kamb@example.com', 'kam'], ['marketing@example.com', 'marketing']] as const) {
      views[email] = await createUser(db, SYSTEM_ACTOR, { email, name: email.split('@')[0]!, role, password: 'a long enough password' });
    }
    director = { userId: views['director@example.com']!.id, role: 'director' };
    kamA = { userId: views['kama@example.com']!.id, role: 'kam' };
    const file = join(mkdtempSync(join(tmpdir(), 'kamerton-activity-')), 'ledger.csv');
    writeFileSync(file, `date;client;revenue\n${ledgerLines().join('\n')}\n`);
    await importLedger(pool, SYSTEM_ACTOR, { path: file });
    const { rows } = await pool.query<{ code: string; account_id: string }>('select code, account_id from account_codes');
    for (const row of rows) ids[row.code] = row.account_id;
    await pool.query(`update accounts set owner_id = $1 where id = any($2::uuid[])`, [kamA.userId, [ids.GAP, ids.DROP, ids.ONE]]);
    await pool.query(`update accounts set owner_id = $1 where id = any($2::uuid[])`, [views['kamb@example.com']!.id, [ids.BACK, ids.REG]]);
    await pool.query(`update accounts set status = 'won-back' where id = $1`, [ids.WON]);

    runs.A = (await runAnalysis(pool, SYSTEM_ACTOR, { ...DEFAULT_ANALYSIS_PARAMS, asOf: day('2024-09-30') })).id;
    changesAfter.A = await countChanges();
    await setActivityRules(db, director, { ...DEFAULT_ACTIVITY_RULES, pAliveDrop: 0.05, note: 'Warn on smaller falls' });
    runs.B = (await runAnalysis(pool, SYSTEM_ACTOR, { ...DEFAULT_ANALYSIS_PARAMS, asOf: day('2024-12-31') })).id;
    changesAfter.B = await countChanges();
    await setActivityRules(db, director, { ...NEUTRAL, note: null });
    runs.C = (await runAnalysis(pool, SYSTEM_ACTOR, { ...DEFAULT_ANALYSIS_PARAMS, asOf: day('2024-12-31') })).id;
    changesAfter.C = await countChanges();
    runs.D = (await runAnalysis(pool, SYSTEM_ACTOR, { ...DEFAULT_ANALYSIS_PARAMS, asOf: day('2024-12-31') })).id;
    changesAfter.D = await countChanges();
  }, 120_000);

  it('keeps the model and the rules with each run', async () => {
    const { rows } = await get().pool.query<{ id: string; model: { name: string; timeUnit: string; horizon: number } | null; rules_id: string | null }>(
      'select id, model, rules_id from analysis_runs order by id',
    );
    expect(rows.map((r) => r.rules_id === null)).toEqual([true, false, false, false]);
    for (const row of rows) expect(row.model).toMatchObject({ name: 'bgnbd', timeUnit: 'week', horizon: 52 });
    const rules = await getActivityRules(get().db);
    expect(rules.versions).toHaveLength(2);
    expect(rules.inForce).toMatchObject({ id: rules.versions[0]!.id, pAliveLost: 0, pAliveDrop: 1 });
    expect(rules.versions[1]).toMatchObject({ pAliveDrop: 0.05, note: 'Warn on smaller falls', createdBy: director.userId, createdByName: 'director' });
  });

  it('loses a client after more than lostDays days, even without repeat purchases and with P(active) 1', async () => {
    expect(await result(runs.A, 'ONE')).toMatchObject({ activity: 'active', activity_reasons: [] });
    expect(await result(runs.B, 'ONE')).toMatchObject({ activity: 'lost', activity_reasons: ['days-without-purchase'], repeat_purchases: 0, p_alive: 1 });
    expect(await changes('ONE')).toEqual([{ run_id: String(runs.B), from_activity: 'active', to_activity: 'lost', reasons: ['days-without-purchase'] }]);
    expect(await status('ONE')).toBe('lost');
  });

  it('loses a client with enough history whose P(active) is under the threshold, before its days run out', async () => {
    const b = await result(runs.B, 'GAP');
    expect(b.p_alive!).toBeLessThan(0.2);
    expect(b).toMatchObject({ activity: 'lost', activity_reasons: ['p-alive-below'] });
    expect(await status('GAP')).toBe('lost');
  });

  it('calls a client slipping on an unusual gap', async () => {
    expect(await result(runs.C, 'GAP')).toMatchObject({ activity: 'slipping', activity_reasons: ['unusual-gap'] });
    // Slipping does not bring a lost account back: only buying again does.
    expect(await status('GAP')).toBe('lost');
    expect((await changes('GAP')).map((c) => [c.from_activity, c.to_activity, c.reasons])).toEqual([
      ['active', 'lost', ['p-alive-below']], ['lost', 'slipping', ['unusual-gap']],
    ]);
  });

  it('calls a client slipping when P(active) fell by more than pAliveDrop since the previous run', async () => {
    const a = await result(runs.A, 'DROP');
    const b = await result(runs.B, 'DROP');
    expect(a.p_alive! - b.p_alive!).toBeGreaterThan(0.05);
    expect(b).toMatchObject({ activity: 'slipping', activity_reasons: ['p-alive-drop'] });
    // The same probability in the next run is no fall; back to active without a purchase: no reason.
    expect(await result(runs.C, 'DROP')).toMatchObject({ activity: 'active', activity_reasons: [] });
    expect((await changes('DROP')).map((c) => [c.to_activity, c.reasons])).toEqual([['slipping', ['p-alive-drop']], ['active', []]]);
    const reg = [await result(runs.A, 'REG'), await result(runs.B, 'REG')];
    expect(reg.map((r) => r.activity)).toEqual(['active', 'active']);
  });

  it('sets the status lost and back to active when the account buys again, and leaves a won-back account alone', async () => {
    // Three repeat purchases and 234 silent days: both lost rules fire.
    expect(await result(runs.A, 'BACK')).toMatchObject({ activity: 'lost', activity_reasons: ['days-without-purchase', 'p-alive-below'] });
    expect(await result(runs.B, 'BACK')).toMatchObject({ activity: 'active' });
    expect((await changes('BACK')).map((c) => [c.from_activity, c.to_activity, c.reasons])).toEqual([
      [null, 'lost', ['days-without-purchase', 'p-alive-below']], ['lost', 'active', ['purchased-again']],
    ]);
    expect(await status('BACK')).toBe('active');
    const { rows } = await get().pool.query<{ old_value: string; new_value: string; user_id: string | null }>(
      `select old_value, new_value, user_id from history where entity_id = $1 and field = 'status' order by id`, [ids.BACK],
    );
    expect(rows).toEqual([{ old_value: 'active', new_value: 'lost', user_id: null }, { old_value: 'lost', new_value: 'active', user_id: null }]);
    expect(await result(runs.B, 'WON')).toMatchObject({ activity: 'lost' });
    expect(await status('WON')).toBe('won-back');
  });

  it('records each change once: a run that finds the same activities records nothing', () => {
    expect(changesAfter.B).toBeGreaterThan(changesAfter.A!);
    expect(changesAfter.D).toBe(changesAfter.C);
  });

  it('lists the latest run\'s slipping and lost accounts in the actor\'s scope, with their reasons and figures', async () => {
    const { db } = get();
    const lost = await listActivityAccounts(db, director, { activity: 'lost', limit: 500 });
    expect(lost.run).toMatchObject({ id: runs.D, asOf: '2024-12-31', model: { timeUnit: 'week', horizon: 52 } });
    expect(lost.rules).toMatchObject({ pAliveLost: 0, pAliveDrop: 1 });
    const one = lost.items.find((i) => i.accountId === ids.ONE);
    expect(one).toMatchObject({ reasons: ['days-without-purchase'], daysSinceLastPurchase: 200, pAlive: 1, since: '2024-12-31', ownerId: kamA.userId, status: 'lost' });
    expect(lost.counts.reasons['days-without-purchase']).toBe(lost.total);
    const slipping = await listActivityAccounts(db, kamA, { activity: 'slipping' });
    expect(slipping.items.map((i) => i.accountId)).toEqual([ids.GAP]);
    expect(slipping.items[0]).toMatchObject({ reasons: ['unusual-gap'], daysSinceLastPurchase: 71, medianGap: 10, since: '2024-12-31' });
    expect(slipping.counts).toMatchObject({ slipping: 1, lost: 1, reasons: { 'unusual-gap': 1 } });
    expect((await listActivityAccounts(db, director, { activity: 'lost', ownerId: kamA.userId })).items.map((i) => i.accountId)).toEqual([ids.ONE]);
    expect((await listActivityAccounts(db, director, { activity: 'lost', keyOnly: true, limit: 500 })).items.every((i) => i.isKey)).toBe(true);
    expect(await rejection(listActivityAccounts(db, director, { activity: 'active' }))).toMatchObject({ code: 'invalid-input', details: { field: 'activity' } });
  });

  it('gives an account\'s series over the runs and its changes, newest first', async () => {
    const gap = await getAccountActivity(get().db, kamA, ids.GAP!);
    expect(gap.series.map((p) => [p.runId, p.asOf, p.activity])).toEqual([
      [runs.A, '2024-09-30', 'active'], [runs.B, '2024-12-31', 'lost'], [runs.C, '2024-12-31', 'slipping'], [runs.D, '2024-12-31', 'slipping'],
    ]);
    expect(gap.series[0]).toMatchObject({ timeUnit: 'week', horizon: 52 });
    expect(gap.series[0]!.expectedPurchases!).toBeGreaterThan(gap.series[1]!.expectedPurchases!);
    expect(gap.series[0]!.expectedRevenue!).toBeGreaterThan(0);
    expect(gap.changes.map((c) => c.to)).toEqual(['slipping', 'lost']);
    expect(gap.changes[1]!.details).toMatchObject({ daysSinceLastPurchase: 71, repeatPurchases: 29 });
    expect(await rejection(getAccountActivity(get().db, kamA, ids.BACK!))).toMatchObject({ code: 'not-found' });
  });

  it('rejects rules out of range and names the field', async () => {
    const { db } = get();
    expect(await rejection(setActivityRules(db, director, { ...DEFAULT_ACTIVITY_RULES, horizon: 600 }))).toMatchObject({ details: { field: 'horizon' } });
    expect(await rejection(setActivityRules(db, director, { ...DEFAULT_ACTIVITY_RULES, pAliveLost: 2 }))).toMatchObject({ details: { field: 'pAliveLost' } });
    expect(await rejection(setActivityRules(db, kamA, { ...DEFAULT_ACTIVITY_RULES }))).toMatchObject({ code: 'forbidden' });
  });

  describe('through HTTP', () => {
    let app: FastifyInstance;
    beforeAll(async () => {
      app = await buildApp({ database: get(), config: await loadConfig({}) });
      await app.ready();
    });
    afterAll(async () => {
      await app.close();
    });

    async function call(email: string, method: 'GET' | 'PUT', url: string, payload?: object) {
      const { token, session } = await createSession(get().db, views[email] as UserView, { hours: 1 });
      return app.inject({
        method, url: `/api/v1${url}`, cookies: { [SESSION_COOKIE]: token }, headers: { 'x-csrf-token': session.csrfToken },
        ...(payload === undefined ? {} : { payload }),
      });
    }

    it('answers each role as the rules say', async () => {
      expect((await call('kama@example.com', 'GET', '/activity-rules')).statusCode).toBe(200);
      expect((await call('marketing@example.com', 'GET', '/activity-rules')).statusCode).toBe(403);
      expect((await call('marketing@example.com', 'GET', '/activity/accounts')).statusCode).toBe(403);
      expect((await call('marketing@example.com', 'GET', `/accounts/${ids.GAP}/activity`)).statusCode).toBe(403);
      expect((await call('kamb@example.com', 'GET', `/accounts/${ids.GAP}/activity`)).statusCode).toBe(404);
      expect((await call('kama@example.com', 'PUT', '/activity-rules', { ...NEUTRAL })).statusCode).toBe(403);
      const bad = await call('director@example.com', 'PUT', '/activity-rules', { ...NEUTRAL, lostDays: 0 });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ details: { field: 'lostDays' } });
      const weeks = await call('director@example.com', 'PUT', '/activity-rules', { ...NEUTRAL, horizon: 521 });
      expect(weeks.statusCode).toBe(400);
      expect(weeks.json()).toMatchObject({ details: { field: 'horizon' } });
      const set = await call('director@example.com', 'PUT', '/activity-rules', { ...NEUTRAL, lostDays: 200, note: 'Longer' });
      expect(set.statusCode).toBe(200);
      expect(set.json()).toMatchObject({ inForce: { lostDays: 200 }, versions: [{ lostDays: 200, note: 'Longer' }, {}, {}] });
      const list = await call('kama@example.com', 'GET', '/activity/accounts?activity=slipping&sort=pAlive');
      expect(list.statusCode).toBe(200);
      expect(list.json()).toMatchObject({ total: 1, items: [{ accountId: ids.GAP, reasons: ['unusual-gap'] }] });
      const series = await call('kama@example.com', 'GET', `/accounts/${ids.GAP}/activity`);
      expect(series.json()).toMatchObject({ accountId: ids.GAP, status: 'lost', series: [{}, {}, {}, {}] });
    });
  });
});
