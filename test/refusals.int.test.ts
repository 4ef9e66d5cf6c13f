/**
 * Refusals through the routes (app.inject) on a real database: recording, changing and deleting them
 * with their history and versions, who may see and touch which, the portfolio's log, and the
 * statistics (every month present, the trend's sign, the most frequent reasons and directions) on
 * hand-made data whose answers are counted here by hand.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.ts';
import { SESSION_COOKIE } from '../src/api/plugins/auth.plugin.ts';
import { createAccount } from '../src/app/accounts.ts';
import { SYSTEM_ACTOR } from '../src/app/actor.ts';
import { createCompetitor } from '../src/app/competitors.ts';
import { loadDemo } from '../src/app/demo.ts';
import { createRefusal, refusalStats, type RefusalCreate } from '../src/app/refusals.ts';
import { createSession } from '../src/app/sessions.ts';
import { createTender } from '../src/app/tenders.ts';
import { toUserView } from '../src/app/users.ts';
import { loadConfig } from '../src/config.ts';
import { history, users, type Role } from '../src/db/schema/index.ts';
import { describeDatabases } from './database.ts';

type Signed = { token: string; csrf: string; id: string };
type Who = Role | 'otherKam';

describeDatabases('refusals', (get) => {
  let app: FastifyInstance;
  const signed = {} as Record<Who, Signed>;

  beforeAll(async () => {
    const database = get();
    app = await buildApp({ database, config: await loadConfig({}) });
    await app.ready();
    const people: [Who, Role][] = [['admin', 'admin'], ['director', 'director'], ['kam', 'kam'], ['otherKam', 'kam'], ['marketing', 'marketing']];
    for (const [key, role] of people) {
      const [row] = await database.db.insert(users).values({ email: `${key}@example.com`, name: key, role, passwordHash: 'unused' }).returning();
      if (row === undefined) throw new Error('no user');
      const { token, session } = await createSession(database.db, toUserView(row), { hours: 1 });
      signed[key] = { token, csrf: session.csrfToken, id: row.id };
    }
  });

  afterAll(async () => {
    await app.close();
  });

  function call(who: Signed, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, headers: Record<string, string> = {}) {
    return app.inject({
      method,
      url: `/api/v1${url}`,
      cookies: { [SESSION_COOKIE]: who.token },
      headers: { 'x-csrf-token': who.csrf, ...headers },
      ...(payload === undefined ? {} : { payload }),
    });
  }

  function ok<T = { id: string; version: number }>(response: LightMyRequestResponse, status = 200): T {
    expect(response.statusCode, response.body).toBe(status);
    return response.json<T>();
  }

  async function accountOf(owner: Who, name: string): Promise<string> {
    const account = await createAccount(get().db, SYSTEM_ACTOR, { name, ownerId: signed[owner].id });
    return account.id;
  }

  describe('the log', () => {
    it('records, changes and deletes a refusal, with its history and the tender and competitor it names', async () => {
      const accountId = await accountOf('kam', 'Hurtownia Pod Lipą');
      const rival = await createCompetitor(get().db, SYSTEM_ACTOR, { name: 'Tańszy Dostawca' });
      const tender = await createTender(get().db, SYSTEM_ACTOR, accountId, { title: 'Przetarg na folie 2026', date: '2026-02-01', outcome: 'lost' });
      const created = ok<{ id: string; version: number }>(await call(signed.kam, 'POST', `/accounts/${accountId}/refusals`, {
        kind: 'lost-tender', reason: 'competitor', direction: ' Folie i taśmy ', note: 'Przegraliśmy o 3% ceny.', occurredOn: '2026-02-10',
        value: 125000.5, tenderId: tender.id, competitorId: rival.id,
      }), 201);
      expect(created).toMatchObject({
        accountId, accountName: 'Hurtownia Pod Lipą', kind: 'lost-tender', reason: 'competitor', direction: 'Folie i taśmy', value: 125000.5,
        occurredOn: '2026-02-10', tenderTitle: 'Przetarg na folie 2026', competitorName: 'Tańszy Dostawca', createdBy: signed.kam.id,
        createdByName: 'kam', version: 1,
      });

      const changed = ok(await call(signed.kam, 'PATCH', `/refusals/${created.id}`, { reason: 'price', note: '', version: 1 }));
      expect(changed).toMatchObject({ reason: 'price', note: null, version: 2 });
      const list = ok<{ total: number; items: { id: string; reason: string }[] }>(await call(signed.kam, 'GET', `/accounts/${accountId}/refusals`));
      expect(list).toMatchObject({ total: 1, items: [{ id: created.id, reason: 'price' }] });

      expect((await call(signed.kam, 'DELETE', `/refusals/${created.id}`, undefined, { 'if-match': '"1"' })).statusCode).toBe(409);
      expect((await call(signed.kam, 'DELETE', `/refusals/${created.id}`, undefined, { 'if-match': '"2"' })).statusCode).toBe(204);
      expect(ok<{ total: number }>(await call(signed.kam, 'GET', `/accounts/${accountId}/refusals`)).total).toBe(0);

      const rows = await get().db.select().from(history).where(eq(history.entityId, created.id)).orderBy(history.id);
      expect(rows.map((row) => [row.entity, row.action, row.field])).toEqual([
        ['refusal', 'create', null], ['refusal', 'update', 'reason'], ['refusal', 'update', 'note'], ['refusal', 'delete', null],
      ]);
      expect(rows.every((row) => row.accountId === accountId && row.userId === signed.kam.id)).toBe(true);
      expect(rows[1]).toMatchObject({ oldValue: 'competitor', newValue: 'price' });
      expect(JSON.parse(rows[3]?.oldValue ?? '{}')).toMatchObject({ id: created.id, reason: 'price', version: 2 });
    });

    it('answers a stale version with 409 and the current refusal, and asks for a version', async () => {
      const accountId = await accountOf('kam', 'Wersje Sp. z o.o.');
      const created = ok(await call(signed.kam, 'POST', `/accounts/${accountId}/refusals`, { kind: 'complaint', reason: 'quality', occurredOn: '2026-01-05' }), 201);
      ok(await call(signed.director, 'PATCH', `/refusals/${created.id}`, { direction: 'Magazyn' }, { 'if-match': '"1"' }));
      const stale = await call(signed.kam, 'PATCH', `/refusals/${created.id}`, { note: 'Druga reklamacja', version: 1 });
      expect(stale.statusCode).toBe(409);
      expect(stale.json()).toMatchObject({ code: 'conflict', details: { field: 'version', current: { id: created.id, version: 2, direction: 'Magazyn' } } });
      const missing = await call(signed.kam, 'PATCH', `/refusals/${created.id}`, { note: 'x' });
      expect(missing.statusCode).toBe(400);
      expect(missing.json()).toMatchObject({ details: { field: 'version' } });
    });

    it('rejects bad input and names the field', async () => {
      const accountId = await accountOf('kam', 'Błędy S.A.');
      const otherAccount = await accountOf('kam', 'Inne Konto S.A.');
      const otherTender = await createTender(get().db, SYSTEM_ACTOR, otherAccount, { title: 'Cudzy przetarg', date: '2026-01-01' });
      const cases: [object, string][] = [
        [{ reason: 'price', occurredOn: '2026-01-05' }, 'kind'],
        [{ kind: 'refused', reason: 'price', occurredOn: '2026-01-05' }, 'kind'],
        [{ kind: 'complaint', reason: 'weather', occurredOn: '2026-01-05' }, 'reason'],
        [{ kind: 'complaint', reason: 'price', occurredOn: '2026-02-30' }, 'occurredOn'],
        [{ kind: 'complaint', reason: 'price', occurredOn: '2026-01-05', value: -1 }, 'value'],
        [{ kind: 'complaint', reason: 'price', occurredOn: '2026-01-05', colour: 'red' }, 'colour'],
        [{ kind: 'complaint', reason: 'price', occurredOn: '2026-01-05', tenderId: otherTender.id }, 'tenderId'],
        [{ kind: 'complaint', reason: 'price', occurredOn: '2026-01-05', competitorId: '00000000-0000-4000-8000-000000000000' }, 'competitorId'],
      ];
      for (const [body, field] of cases) {
        const response = await call(signed.kam, 'POST', `/accounts/${accountId}/refusals`, body);
        expect(response.statusCode, JSON.stringify(body)).toBe(400);
        expect(response.json(), JSON.stringify(body)).toMatchObject({ code: 'invalid-input', details: { field } });
      }
      const range = await call(signed.kam, 'GET', '/refusals/stats?from=2026-05-01&to=2026-01-01');
      expect(range.statusCode).toBe(400);
      expect(range.json()).toMatchObject({ details: { field: 'from' } });
      expect((await call(signed.kam, 'GET', '/refusals?reason=weather')).json()).toMatchObject({ details: { field: 'reason' } });
    });

    it('keeps a KAM to their own accounts and marketing out', async () => {
      const foreign = await accountOf('otherKam', 'Cudze Konto');
      const refusal = await createRefusal(get().db, SYSTEM_ACTOR, foreign, { kind: 'declined-offer', reason: 'price', occurredOn: '2026-01-10', note: 'tajne' });
      expect((await call(signed.kam, 'GET', `/accounts/${foreign}/refusals`)).statusCode).toBe(404);
      expect((await call(signed.kam, 'POST', `/accounts/${foreign}/refusals`, { kind: 'complaint', reason: 'price', occurredOn: '2026-01-10' })).statusCode).toBe(404);
      const patch = await call(signed.kam, 'PATCH', `/refusals/${refusal.id}`, { note: 'moje', version: 1 });
      expect(patch.statusCode).toBe(404);
      expect(patch.json()).toMatchObject({ details: { field: 'refusalId' } });
      expect((await call(signed.kam, 'DELETE', `/refusals/${refusal.id}`)).statusCode).toBe(404);
      expect((await call(signed.kam, 'GET', `/refusals/stats?accountId=${foreign}`)).statusCode).toBe(404);
      expect((await call(signed.kam, 'GET', `/refusals?ownerId=${signed.otherKam.id}`)).statusCode).toBe(403);
      expect((await call(signed.kam, 'GET', '/refusals?pageSize=200')).body).not.toContain('tajne');
      expect((await call(signed.otherKam, 'GET', '/refusals?pageSize=200')).body).toContain('tajne');
      expect((await call(signed.director, 'GET', `/refusals?ownerId=${signed.otherKam.id}`)).json()).toMatchObject({ items: [{ id: refusal.id, accountName: 'Cudze Konto' }] });
      for (const url of [`/accounts/${foreign}/refusals`, '/refusals', '/refusals/stats']) {
        expect((await call(signed.marketing, 'GET', url)).statusCode).toBe(403);
      }
    });

    it('filters the portfolio log and pages it newest first', async () => {
      const accountId = await accountOf('director', 'Filtry i Strony');
      for (const [occurredOn, reason] of [['2025-03-01', 'price'], ['2025-04-01', 'quality'], ['2025-05-01', 'price']] as const) {
        await createRefusal(get().db, SYSTEM_ACTOR, accountId, { kind: 'cancelled-order', reason, occurredOn, direction: 'BHP' });
      }
      const page = ok<{ total: number; items: { occurredOn: string }[] }>(await call(signed.director, 'GET',
        `/refusals?ownerId=${signed.director.id}&reason=price&pageSize=1`));
      expect(page.total).toBe(2);
      expect(page.items.map((item) => item.occurredOn)).toEqual(['2025-05-01']);
      const ranged = ok<{ total: number }>(await call(signed.director, 'GET', `/accounts/${accountId}/refusals?from=2025-03-15&to=2025-04-30&direction=bhp`));
      expect(ranged.total).toBe(1);
    });
  });

  describe('the statistics', () => {
    // An owner of their own, so that no other test's refusals enter the director's figures below.
    let owner: Signed;
    let rising: string;
    let falling: string;

    beforeAll(async () => {
      const db = get().db;
      const [row] = await db.insert(users).values({ email: 'stats@example.com', name: 'Stats', role: 'kam', passwordHash: 'unused' }).returning();
      if (row === undefined) throw new Error('no user');
      const { token, session } = await createSession(db, toUserView(row), { hours: 1 });
      owner = { token, csrf: session.csrfToken, id: row.id };
      rising = (await createAccount(db, SYSTEM_ACTOR, { name: 'Rosnące Odmowy', ownerId: row.id })).id;
      falling = (await createAccount(db, SYSTEM_ACTOR, { name: 'Malejące Odmowy', ownerId: row.id })).id;
      const add = (accountId: string, occurredOn: string, reason: RefusalCreate['reason'], direction: string | null, kind: RefusalCreate['kind'] = 'declined-offer') =>
        createRefusal(db, SYSTEM_ACTOR, accountId, { kind, reason, occurredOn, direction });
      // Rising: months 2025-08 .. 2026-01 get 1, 2, 3, 4, 5, 6 refusals (price, two of them a month on quality).
      for (let i = 0; i < 6; i += 1) {
        const month = `${i < 5 ? 2025 : 2026}-${String(i < 5 ? 8 + i : 1).padStart(2, '0')}`;
        for (let n = 0; n <= i; n += 1) await add(rising, `${month}-1${n}`, n < 2 ? 'quality' : 'price', n % 2 === 0 ? 'Folie' : 'Kartony');
      }
      // Falling: 4 in 2025-02, 2 in 2025-03, none later; one complaint in 2024-12 before the range.
      for (let n = 0; n < 4; n += 1) await add(falling, '2025-02-05', 'delivery', 'Logistyka', 'cancelled-order');
      for (let n = 0; n < 2; n += 1) await add(falling, '2025-03-05', 'price', null, 'complaint');
      await add(falling, '2024-12-01', 'service', null, 'complaint');
    });

    it('gives every month of the range, zeros included, split by kind and reason', async () => {
      const stats = ok<{
        from: string; to: string; total: number; months: { month: string; count: number; byKind: Record<string, number>; byReason: Record<string, number> }[];
      }>(await call(owner, 'GET', '/refusals/stats?from=2025-01-01&to=2026-01-31'));
      expect(stats).toMatchObject({ from: '2025-01-01', to: '2026-01-31', total: 27 });
      expect(stats.months.map((m) => m.month)).toEqual([
        '2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12', '2026-01',
      ]);
      expect(stats.months.map((m) => m.count)).toEqual([0, 4, 2, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6]);
      expect(stats.months[0]).toEqual({
        month: '2025-01', count: 0,
        byKind: { 'declined-offer': 0, 'lost-tender': 0, 'cancelled-order': 0, complaint: 0 },
        byReason: { price: 0, quality: 0, service: 0, delivery: 0, competitor: 0, relationship: 0, other: 0 },
      });
      expect(stats.months[1]).toMatchObject({ byKind: { 'cancelled-order': 4 }, byReason: { delivery: 4 } });
      expect(stats.months[12]).toMatchObject({ byKind: { 'declined-offer': 6 }, byReason: { price: 4, quality: 2 } });
    });

    it('ranks the reasons and directions with their shares', async () => {
      const stats = ok<{ reasons: { reason: string; count: number; share: number }[]; directions: { direction: string | null; count: number }[] }>(
        await call(owner, 'GET', '/refusals/stats?from=2025-01-01&to=2026-01-31'));
      // Rising: 21 refusals, 11 on quality (1 + 2·5) and 10 on price; falling: 4 delivery, 2 price.
      expect(stats.reasons.slice(0, 3)).toEqual([
        { reason: 'price', count: 12, share: 12 / 27 },
        { reason: 'quality', count: 11, share: 11 / 27 },
        { reason: 'delivery', count: 4, share: 4 / 27 },
      ]);
      expect(stats.reasons).toHaveLength(7);
      // Rising: n even gives Folie (n = 0, 2, 4: 6 + 4 + 2 = 12), odd Kartony (9).
      expect(stats.directions).toEqual([
        { direction: 'Folie', count: 12, share: 12 / 27 },
        { direction: 'Kartony', count: 9, share: 9 / 27 },
        { direction: 'Logistyka', count: 4, share: 4 / 27 },
        { direction: null, count: 2, share: 2 / 27 },
      ]);
    });

    it('gives the trend of the portfolio and of each account, with its sign', async () => {
      const stats = ok<{
        trend: { slope: number; direction: string; recent: number; previous: number; months: string[]; counts: number[] };
        accounts: { accountName: string; count: number; lastOn: string; trend: { slope: number; direction: string } }[];
      }>(await call(owner, 'GET', '/refusals/stats?from=2025-01-01&to=2026-01-31'));
      expect(stats.trend.months).toEqual(['2025-02', '2025-03', '2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12', '2026-01']);
      expect(stats.trend.counts).toEqual([4, 2, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6]);
      expect(stats.trend).toMatchObject({ recent: 15, previous: 6, direction: 'rising' });
      expect(stats.trend.slope).toBeGreaterThan(0);
      expect(stats.accounts.map((a) => [a.accountName, a.count, a.lastOn, a.trend.direction])).toEqual([
        ['Rosnące Odmowy', 21, '2026-01-15', 'rising'],
        ['Malejące Odmowy', 6, '2025-03-05', 'falling'],
      ]);
      expect(stats.accounts[1]?.trend.slope).toBeLessThan(0);
    });

    it('gives one account\'s statistics and defaults to the 24 months up to today', async () => {
      const stats = await refusalStats(get().db, { userId: owner.id, role: 'kam' }, { accountId: falling }, '2025-09-30');
      expect(stats).toMatchObject({ from: '2023-10-01', to: '2025-09-30', total: 7, accounts: [], accountId: falling });
      expect(stats.months).toHaveLength(24);
      expect(stats.trend.direction).toBe('falling');
      // Three months later the busy months sit mid-window: the line rises a little while the last three
      // months are below the three before, and the two measures disagree.
      expect((await refusalStats(get().db, { userId: owner.id, role: 'kam' }, { accountId: falling }, '2025-06-20')).trend.direction).toBe('flat');
      expect(stats.reasons[0]).toMatchObject({ reason: 'delivery', count: 4 });
      const director = await refusalStats(get().db, { userId: signed.director.id, role: 'director' }, { ownerId: owner.id, from: '2026-01-01', to: '2026-01-31' }, '2026-03-01');
      expect(director).toMatchObject({ total: 6, ownerId: owner.id });
      expect(director.months).toHaveLength(1);
    });
  });
});

describeDatabases('the demo company\'s refusals', (get) => {
  it('logs more refusals for lost and slipping clients, price the most frequent reason, tenders of the same account', async () => {
    const summary = await loadDemo(get(), SYSTEM_ACTOR);
    expect(summary.refusals).toBeGreaterThan(300);
    const stats = await refusalStats(get().db, SYSTEM_ACTOR, {}, new Date().toISOString().slice(0, 10));
    expect(stats.reasons[0]?.reason).toBe('price');
    // Every month but the current one (which may have just begun) has refusals.
    expect(stats.months.slice(0, -1).every((month) => month.count > 0)).toBe(true);
    const { rows } = await get().pool.query<{ group: string; per_account: number }>(`
      select case when a.status = 'lost' or r.activity in ('lost', 'slipping') then 'leaving' else 'staying' end as group,
             count(f.id)::float8 / count(distinct a.id) as per_account
        from accounts a
        left join analysis_results r on r.account_id = a.id and r.run_id = (select max(id) from analysis_runs)
        left join refusals f on f.account_id = a.id
       where a.status <> 'prospect' group by 1`);
    const per = Object.fromEntries(rows.map((row) => [row.group, row.per_account]));
    expect(per.leaving).toBeGreaterThan(2 * (per.staying ?? 0));
    const { rows: [mismatched] } = await get().pool.query<{ n: number }>(`
      select count(*)::int as n from refusals f join tenders t on t.id = f.tender_id where t.account_id <> f.account_id or f.kind <> 'lost-tender'`);
    expect(mismatched?.n).toBe(0);
    const { rows: [groups] } = await get().pool.query<{ share: number }>(`
      select avg((f.direction in (select distinct product_group from ledger_lines))::int)::float8 as share from refusals f where f.direction is not null`);
    expect(groups?.share).toBeGreaterThan(0.7);
  }, 120_000);
});
