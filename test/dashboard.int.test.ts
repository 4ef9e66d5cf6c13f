/**
 * The portfolio dashboard on a small ledger whose every figure is worked out by hand below: five
 * clients with costs over 2024 (the window starts 2024-01-01, so the 2023 lines feed only growth and
 * history), a prospect the dossier makes an image-maker, two KAMs, and two runs a month apart.
 *
 *   client  owner          2024 lines (revenue, cost)                 window revenue  margin  months
 *   K1      kamA           the 20th of every month, 600 (cost 300)     7,200           3,600   12 -> X
 *   K2      kamB           the 15th of 8 months, 300 (no cost)         2,400           2,400    8 -> Y
 *   K3      kamA, expert   2024-07-01, 07-15, 08-01, 200 each            600             600    2 -> Z
 *   K4      none           2024-12-10, 100                               100             100    1 -> Z
 *   K5      none (kamB's   2024-01-10, 50                                 50              50    1 -> Z
 *           team)
 *
 * The latest run (defaults, as of 2024-12-20, the last line): total 10,350; K1 A (0 before), K2 A
 * (7,200 / 10,350 = 69.6% before), K3 B (92.8%), K4 and K5 C. Segments AX, AY, BZ, CZ, CZ.
 * Breadwinners (10% of the margin 6,750): K1 and K2. Key: K1, K2 (segments), K3 (expert).
 * Activity: K3 slipping (gaps 381, 14, 17 days, median 17; 141 days since its last purchase), K5 lost
 * (more than 180 days), the others active. Growth (2023 lines on 2023-06-15: K1 7,100 and a line of
 * 100 on 2022-12-21 that makes growth available, K2 1,200, K3 1,200, K5 100): K1 0, K2 +1, K3 -0.5,
 * K4 none, K5 -0.5.
 *
 * The first run (as of 2024-11-30, ABC 50/90): K1 6,600, K2 2,100, K3 600, K5 50 (K4 not yet a
 * client); K1 A, K2 B (70.6% before), K3 C, K5 C; so AX, BY, CZ, CZ. From it to the latest: K1 and K5
 * stayed, K2 moved BY -> AY (+300), K3 CZ -> BZ (0), K4 entered CZ.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDatabases } from './database.ts';
import { buildApp } from '../src/api/app.ts';
import { SESSION_COOKIE } from '../src/api/plugins/auth.plugin.ts';
import { loadConfig } from '../src/config.ts';
import { rejection } from './fixtures/errors.ts';
import { dayFromCivil } from '../src/core/calendar.ts';
import { DEFAULT_ANALYSIS_PARAMS } from '../src/core/types.ts';
import { createAccount, listAccounts } from '../src/app/accounts.ts';
import { SYSTEM_ACTOR, type Actor } from '../src/app/actor.ts';
import { getDashboard, getKamPortfolios, type Dashboard } from '../src/app/dashboard.ts';
import { importLedger } from '../src/app/import-ledger.ts';
import { runAnalysis } from '../src/app/run-analysis.ts';
import { createSession } from '../src/app/sessions.ts';
import { createUser, type UserView } from '../src/app/users.ts';

const LINES: [string, string, number, number][] = [
  ['2022-12-21', 'K1', 100, 0],
  ['2023-06-15', 'K1', 7100, 0],
  ...Array.from({ length: 12 }, (_, m) => [`2024-${String(m + 1).padStart(2, '0')}-20`, 'K1', 600, 300] as [string, string, number, number]),
  ['2023-06-15', 'K2', 1200, 0],
  ...[2, 3, 5, 6, 8, 9, 11, 12].map((m) => [`2024-${String(m).padStart(2, '0')}-15`, 'K2', 300, 0] as [string, string, number, number]),
  ['2023-06-15', 'K3', 1200, 0],
  ['2024-07-01', 'K3', 200, 0],
  ['2024-07-15', 'K3', 200, 0],
  ['2024-08-01', 'K3', 200, 0],
  ['2024-12-10', 'K4', 100, 0],
  ['2023-06-15', 'K5', 100, 0],
  ['2024-01-10', 'K5', 50, 0],
];

const FROM = dayFromCivil(2024, 1, 1);

describeDatabases('the portfolio dashboard', (get) => {
  const ids: Record<string, string> = {};
  let director: Actor;
  let kamA: Actor;
  let kamB: Actor;
  let marketing: Actor;
  let company: Dashboard;
  const views: Record<string, UserView> = {};
  let firstRun = 0;
  let latestRun = 0;

  beforeAll(async () => {
    const { db, pool } = get();
    const user = async (email: string, role: 'director' | 'kam' | 'marketing'): Promise<Actor> => {
      const created = await createUser(db, SYSTEM_ACTOR, { email, name: email.split('@')[0] ?? email, role, password: 'a long enough password' });
      views[email] = created;
      return { userId: created.id, role };
    };
    director = await user('director@example.com', 'director');
    kamA = await user('kama@example.com', 'kam');
    kamB = await user('kamb@example.com', 'kam');
    marketing = await user('marketing@example.com', 'marketing');
    const owners: Record<string, string | null> = { K1: kamA.userId, K2: kamB.userId, K3: kamA.userId, K4: null, K5: null };
    for (const [code, ownerId] of Object.entries(owners)) {
      ids[code] = (await createAccount(db, director, { name: `Firma ${code}`, codes: [code], ownerId, expert: code === 'K3' })).id;
    }
    ids.P1 = (await createAccount(db, director, { name: 'Firma P1', imageMaker: true })).id;
    await pool.query('insert into account_team (account_id, user_id) values ($1, $2)', [ids.K5, kamB.userId]);

    const file = join(mkdtempSync(join(tmpdir(), 'kamerton-dashboard-')), 'ledger.csv');
    writeFileSync(file, `date;client;revenue;cost\n${LINES.map(([date, client, revenue, cost]) => `${date};${client};${revenue},00;${cost},00`).join('\n')}\n`);
    await importLedger(pool, SYSTEM_ACTOR, { path: file });
    firstRun = (await runAnalysis(pool, SYSTEM_ACTOR, { ...DEFAULT_ANALYSIS_PARAMS, from: FROM, asOf: dayFromCivil(2024, 11, 30), abc: [50, 90] })).id;
    latestRun = (await runAnalysis(pool, SYSTEM_ACTOR, { ...DEFAULT_ANALYSIS_PARAMS, from: FROM })).id;
    company = await getDashboard(db, director, {});
  });

  it('shows the latest run, the one before it, and the scope\'s accounts', () => {
    expect(company.run).toMatchObject({ id: latestRun, metric: 'revenue', abc: [0.8, 0.95], window: { from: '2024-01-01', asOf: '2024-12-20', periods: 12 } });
    expect(company.previousRunId).toBe(firstRun);
    // The prospect P1 has a result (its type) but no segment: an account of the scope, not a client.
    expect(company.scope).toEqual({ ownerId: null, accounts: 6 });
    expect(company.totals).toEqual({ clients: 5, revenue: 10_350, margin: 6_750 });
  });

  it('gives the nine cells with their clients, revenue and margin and their shares', () => {
    const cells = Object.fromEntries(company.matrix.map((cell) => [cell.segment, cell]));
    expect(company.matrix.map((cell) => cell.segment)).toEqual(['AX', 'AY', 'AZ', 'BX', 'BY', 'BZ', 'CX', 'CY', 'CZ']);
    expect(cells.AX).toEqual({ segment: 'AX', clients: 1, clientShare: 0.2, revenue: 7200, revenueShare: 7200 / 10350, margin: 3600, marginShare: 3600 / 6750 });
    expect(cells.AY).toMatchObject({ clients: 1, revenue: 2400, revenueShare: 2400 / 10350, margin: 2400 });
    expect(cells.BZ).toMatchObject({ clients: 1, revenue: 600, marginShare: 600 / 6750 });
    expect(cells.CZ).toMatchObject({ clients: 2, clientShare: 0.4, revenue: 150, revenueShare: 150 / 10350 });
    expect(cells.BX).toEqual({ segment: 'BX', clients: 0, clientShare: 0, revenue: 0, revenueShare: 0, margin: 0, marginShare: 0 });
    expect(company.matrix.reduce((sum, cell) => sum + (cell.revenueShare ?? 0), 0)).toBeCloseTo(1, 12);
  });

  it('draws the Pareto curve in rank order with the ABC cut-offs', () => {
    expect(company.pareto?.points).toEqual([
      { clientShare: 0, valueShare: 0 },
      { clientShare: 0.2, valueShare: 7200 / 10350 },
      { clientShare: 0.4, valueShare: 9600 / 10350 },
      { clientShare: 0.6, valueShare: 10200 / 10350 },
      { clientShare: 0.8, valueShare: 10300 / 10350 },
      { clientShare: 1, valueShare: 1 },
    ].map((p) => ({ clientShare: expect.closeTo(p.clientShare, 12), valueShare: expect.closeTo(p.valueShare, 12) })));
    expect(company.pareto?.cuts).toEqual({ a: 0.8, b: 0.95 });
    expect(company.pareto?.clientCuts).toEqual({ a: 0.4, b: 0.6 });
  });

  it('counts the key clients and their share, the types and the activity', () => {
    expect(company.keyClients).toEqual({ count: 3, valueShare: 10200 / 10350, band: [0.3, 0.55] });
    expect(company.types).toEqual({ breadwinner: 2, promising: 0, 'image-maker': 1, expert: 1 });
    expect(company.activity).toEqual({ active: 3, slipping: 1, lost: 1 });
  });

  it('gives the transitions since the previous run, and the movers by their revenue change', () => {
    const t = company.transitions;
    expect(t).toMatchObject({ fromRunId: firstRun, toRunId: latestRun, moved: 2, stayed: 2 });
    expect(t?.matrix.AX.AX).toBe(1);
    expect(t?.matrix.BY.AY).toBe(1);
    expect(t?.matrix.CZ.BZ).toBe(1);
    expect(t?.matrix.CZ.CZ).toBe(1);
    expect(Object.values(t?.matrix ?? {}).flatMap((row) => Object.values(row)).reduce((a, b) => a + b, 0)).toBe(4);
    expect(t?.entered.CZ).toBe(1);
    expect(Object.values(t?.left ?? {}).every((n) => n === 0)).toBe(true);
    expect(t?.movers).toEqual([
      { accountId: ids.K2, accountName: 'Firma K2', from: 'BY', to: 'AY', revenueChange: 300 },
      { accountId: ids.K3, accountName: 'Firma K3', from: 'CZ', to: 'BZ', revenueChange: 0 },
      { accountId: ids.K4, accountName: 'Firma K4', from: null, to: 'CZ', revenueChange: null },
    ]);
  });

  it('lists the growth leaders and decliners, ties by rank, without those that did not change or have no growth', () => {
    expect(company.growth).toEqual({
      leaders: [{ accountId: ids.K2, accountName: 'Firma K2', revenue: 2400, growth: 1 }],
      decliners: [
        { accountId: ids.K3, accountName: 'Firma K3', revenue: 600, growth: -0.5 },
        { accountId: ids.K5, accountName: 'Firma K5', revenue: 50, growth: -0.5 },
      ],
    });
  });

  it('gives a KAM their own accounts only, owned or on the team', async () => {
    const { db } = get();
    const mine = await getDashboard(db, kamA, {});
    expect(mine.scope).toEqual({ ownerId: kamA.userId, accounts: 2 });
    expect(mine.totals).toEqual({ clients: 2, revenue: 7800, margin: 4200 });
    expect(mine.matrix.filter((cell) => cell.clients > 0).map((cell) => [cell.segment, cell.clients, cell.revenueShare]))
      .toEqual([['AX', 1, 7200 / 7800], ['BZ', 1, 600 / 7800]]);
    expect(mine.pareto?.points).toEqual([{ clientShare: 0, valueShare: 0 }, { clientShare: 0.5, valueShare: expect.closeTo(7200 / 7800, 12) }, { clientShare: 1, valueShare: 1 }]);
    expect(mine.keyClients).toMatchObject({ count: 2, valueShare: 1 });
    expect(mine.types).toEqual({ breadwinner: 1, promising: 0, 'image-maker': 0, expert: 1 });
    expect(mine.activity).toEqual({ active: 1, slipping: 1, lost: 0 });
    expect(mine.transitions).toMatchObject({ moved: 1, stayed: 1 });
    expect(mine.transitions?.movers.map((m) => m.accountId)).toEqual([ids.K3]);
    expect(mine.growth).toEqual({ leaders: [], decliners: [{ accountId: ids.K3, accountName: 'Firma K3', revenue: 600, growth: -0.5 }] });

    // K5 is on kamB's team: kamB sees it, the director's view of kamB's portfolio (what kamB owns) does not.
    expect((await getDashboard(db, kamB, {})).totals.clients).toBe(2);
    expect((await getDashboard(db, kamB, { ownerId: kamB.userId ?? undefined })).totals.clients).toBe(2);
    const owned = await getDashboard(db, director, { ownerId: kamB.userId ?? undefined });
    expect(owned.scope).toEqual({ ownerId: kamB.userId, accounts: 1 });
    expect(owned.matrix.find((cell) => cell.segment === 'AY')?.clients).toBe(1);
    const unassigned = await getDashboard(db, director, { ownerId: 'unassigned' });
    expect(unassigned.totals).toMatchObject({ clients: 2, revenue: 150 });
    expect(unassigned.scope.accounts).toBe(3);
  });

  it('refuses a KAM another owner\'s dashboard, and an unknown run', async () => {
    const { db } = get();
    expect(await rejection(getDashboard(db, kamB, { ownerId: kamA.userId ?? undefined }))).toMatchObject({ code: 'forbidden' });
    expect(await rejection(getDashboard(db, director, { runId: 999_999 }))).toMatchObject({ code: 'not-found' });
    expect(await rejection(getDashboard(db, director, { ownerId: 'someone' }))).toMatchObject({ code: 'invalid-input', details: { field: 'ownerId' } });
  });

  it('gives marketing the company\'s counts without money', async () => {
    const { db } = get();
    const theirs = await getDashboard(db, marketing, {});
    expect(theirs.totals).toEqual({ clients: 5 });
    expect(theirs.matrix.find((cell) => cell.segment === 'AX')).toEqual({ segment: 'AX', clients: 1, clientShare: 0.2 });
    expect(theirs.pareto).toBeNull();
    expect(theirs.growth).toBeNull();
    expect(theirs.keyClients).toEqual({ count: 3, band: [0.3, 0.55] });
    expect(theirs.transitions?.movers.every((m) => !('revenueChange' in m))).toBe(true);
    expect(JSON.stringify(theirs)).not.toMatch(/"(revenue|margin|revenueShare|marginShare|valueShare|revenueChange)":/);
  });

  it('sets the KAMs side by side, the unassigned accounts last, for the director only', async () => {
    const { db } = get();
    const { items } = await getKamPortfolios(db, director, {});
    expect(items).toEqual([
      { ownerId: kamA.userId, name: 'kama', accounts: 2, revenue: 7800, revenueShare: 7800 / 10350, margin: 4200, keyClients: 2, aClients: 1, slipping: 1, lost: 0 },
      { ownerId: kamB.userId, name: 'kamb', accounts: 1, revenue: 2400, revenueShare: 2400 / 10350, margin: 2400, keyClients: 1, aClients: 1, slipping: 0, lost: 0 },
      { ownerId: null, name: null, accounts: 2, revenue: 150, revenueShare: 150 / 10350, margin: 150, keyClients: 0, aClients: 0, slipping: 0, lost: 1 },
    ]);
    expect(await rejection(getKamPortfolios(db, kamA, {}))).toMatchObject({ code: 'forbidden' });
  });

  it('filters the accounts list by the segment in the run before the latest', async () => {
    const { db } = get();
    const moved = await listAccounts(db, director, { previousSegment: 'BY', segment: 'AY' });
    expect(moved.items.map((a) => a.id)).toEqual([ids.K2]);
    const fromCz = await listAccounts(db, director, { previousSegment: 'CZ' });
    expect(fromCz.items.map((a) => a.name)).toEqual(['Firma K3', 'Firma K5']);
    expect((await listAccounts(db, kamA, { previousSegment: 'CZ' })).items.map((a) => a.name)).toEqual(['Firma K3']);
  });

  describe('through HTTP', () => {
    let app: Awaited<ReturnType<typeof buildApp>>;
    beforeAll(async () => {
      app = await buildApp({ database: get(), config: await loadConfig({}) });
      await app.ready();
    });
    afterAll(async () => {
      await app.close();
    });

    async function call(email: string, url: string) {
      const { token } = await createSession(get().db, views[email] as UserView, { hours: 1 });
      return app.inject({ method: 'GET', url: `/api/v1${url}`, cookies: { [SESSION_COOKIE]: token } });
    }

    it('answers each role with its scope, in the published shape', async () => {
      const marketing = await call('marketing@example.com', '/dashboard');
      expect(marketing.statusCode).toBe(200);
      expect(marketing.json()).toEqual(JSON.parse(JSON.stringify(await getDashboard(get().db, { userId: views['marketing@example.com']!.id, role: 'marketing' }))));
      expect(marketing.body).not.toMatch(/"(revenue|margin|revenueShare|marginShare|valueShare|revenueChange)":/);
      const director = await call('director@example.com', `/dashboard?ownerId=${views['kamb@example.com']!.id}`);
      expect(director.json()).toMatchObject({ scope: { accounts: 1 }, totals: { clients: 1, revenue: 2400 } });
      expect((await call('kamb@example.com', `/dashboard?ownerId=${views['kama@example.com']!.id}`)).statusCode).toBe(403);
      expect((await call('kama@example.com', '/dashboard/kams')).statusCode).toBe(403);
      expect((await call('director@example.com', '/dashboard/kams')).json()).toMatchObject({ items: [{ name: 'kama' }, { name: 'kamb' }, { ownerId: null }] });
      expect((await call('director@example.com', '/dashboard?runId=0')).statusCode).toBe(400);
    });

    it('lists the accounts that moved between two segments', async () => {
      const moved = await call('director@example.com', '/accounts?previousSegment=BY&segment=AY');
      expect(moved.json()).toMatchObject({ total: 1, items: [{ name: 'Firma K2' }] });
      expect((await call('director@example.com', '/accounts?previousSegment=QQ')).statusCode).toBe(400);
    });
  });
});
