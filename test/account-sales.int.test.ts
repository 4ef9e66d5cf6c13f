/**
 * An account's sales and timeline over HTTP, from a small imported ledger whose figures are counted by
 * hand below: months zero-filled, products and groups with and without a cost, totals in złote; the
 * timeline's deliveries, tenders and changes newest first, paged backwards without losing or
 * repeating an item; and who may read them. The export's analysis columns are checked here too, where
 * a ledger and a run exist.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.ts';
import { SESSION_COOKIE } from '../src/api/plugins/auth.plugin.ts';
import { assignOwner } from '../src/app/accounts.ts';
import type { Actor } from '../src/app/actor.ts';
import { SYSTEM_ACTOR } from '../src/app/actor.ts';
import { importLedger } from '../src/app/import-ledger.ts';
import { runAnalysis } from '../src/app/run-analysis.ts';
import { createSession } from '../src/app/sessions.ts';
import { createTender } from '../src/app/tenders.ts';
import { toUserView } from '../src/app/users.ts';
import { loadConfig } from '../src/config.ts';
import { DEFAULT_ANALYSIS_PARAMS } from '../src/core/types.ts';
import { accountCodes, users, type Role } from '../src/db/schema/index.ts';
import { describeDatabases } from './database.ts';

type Person = 'director' | 'kam' | 'otherKam' | 'marketing';
type Signed = { token: string; csrf: string; id: string; actor: Actor };
type Item = { kind: 'delivery' | 'tender' | 'change'; at: string; document?: string | null; id?: string | number; field?: string | null };

/**
 * S1's lines: January (one with a cost, one with an empty cost cell, which is zero cost, one more with
 * a cost), nothing in February, March (a document, a line without a document, and one without a
 * document, product or cost on the same day). S2's line is another account's and must count nowhere.
 */
const LEDGER = [
  'document;line;date;client;product;group;quantity;revenue;cost',
  'FV/1;1;2025-01-10;S1;P-A;G1;2;100,00;60,00',
  'FV/1;2;2025-01-10;S1;P-B;G1;1;50,00;',
  'FV/2;1;2025-01-20;S1;P-A;G1;1;30,00;20,00',
  'FV/3;1;2025-03-05;S1;P-C;;5;200,00;150,00',
  ';;2025-03-05;S1;P-C;;1;10,00;5,00',
  ';;2025-03-05;S1;;;;5,00;',
  'FV/4;1;2025-03-06;S2;P-A;G1;1;999,00;1,00',
].join('\n');

/** An older source without a cost column: S1's November line has no margin, and S3 has none at all. */
const ARCHIVE = ['date;client;product;revenue', '2024-11-15;S1;P-D;40,00', '2024-11-20;S3;P-E;70,00'].join('\n');

describeDatabases('an account\'s sales and timeline', (get) => {
  let app: FastifyInstance;
  const signed = {} as Record<Person, Signed>;
  let s1: string;
  let s2: string;
  let s3: string;

  beforeAll(async () => {
    const database = get();
    app = await buildApp({ database, config: await loadConfig({}) });
    await app.ready();
    const people: [Person, Role][] = [['director', 'director'], ['kam', 'kam'], ['otherKam', 'kam'], ['marketing', 'marketing']];
    for (const [key, role] of people) {
      const [row] = await database.db.insert(users).values({ email: `${key}@example.com`, name: key, role, passwordHash: 'unused' }).returning();
      if (row === undefined) throw new Error('no user');
      const { token, session } = await createSession(database.db, toUserView(row), { hours: 1 });
      signed[key] = { token, csrf: session.csrfToken, id: row.id, actor: { userId: row.id, role } };
    }
    const folder = mkdtempSync(join(tmpdir(), 'kamerton-sales-'));
    writeFileSync(join(folder, 'ledger.csv'), LEDGER);
    writeFileSync(join(folder, 'archive.csv'), ARCHIVE);
    await importLedger(database.pool, SYSTEM_ACTOR, { path: join(folder, 'ledger.csv') });
    await importLedger(database.pool, SYSTEM_ACTOR, { path: join(folder, 'archive.csv'), source: 'archive' });
    const accountOf = async (code: string) =>
      (await database.db.select().from(accountCodes).where(eq(accountCodes.code, code)))[0]!.accountId;
    s1 = await accountOf('S1');
    s2 = await accountOf('S2');
    s3 = await accountOf('S3');
    await assignOwner(database.db, signed.director.actor, { accountIds: [s1], ownerId: signed.kam.id });
    await assignOwner(database.db, signed.director.actor, { accountIds: [s2], ownerId: signed.otherKam.id });
    await createTender(database.db, signed.kam.actor, s1, { title: 'Przetarg na meble', date: '2025-02-01', value: 5000, outcome: 'lost', reason: 'Cena' });
  });

  afterAll(async () => {
    await app.close();
  });

  function call(who: Signed, url: string) {
    return app.inject({ method: 'GET', url: `/api/v1${url}`, cookies: { [SESSION_COOKIE]: who.token } });
  }

  it('sums the account\'s sales by month, product and group, in złote, margins null without a cost', async () => {
    const response = await call(signed.kam, `/accounts/${s1}/sales`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({
      months: [
        // November's only line had no cost column: its margin is unknown, not zero.
        { month: '2024-11', revenue: 40, margin: null, lines: 1 },
        { month: '2024-12', revenue: 0, margin: 0, lines: 0 },
        { month: '2025-01', revenue: 180, margin: 100, lines: 3 },
        { month: '2025-02', revenue: 0, margin: 0, lines: 0 },
        { month: '2025-03', revenue: 215, margin: 60, lines: 3 },
      ],
      products: [
        { product: 'P-C', group: null, revenue: 210, margin: 55, quantity: 6, lines: 2, lastDay: '2025-03-05' },
        { product: 'P-A', group: 'G1', revenue: 130, margin: 50, quantity: 3, lines: 2, lastDay: '2025-01-20' },
        { product: 'P-B', group: 'G1', revenue: 50, margin: 50, quantity: 1, lines: 1, lastDay: '2025-01-10' },
        { product: 'P-D', group: null, revenue: 40, margin: null, quantity: 0, lines: 1, lastDay: '2024-11-15' },
      ],
      groups: [
        { group: null, revenue: 255, margin: 60, products: 2, lines: 4 },
        { group: 'G1', revenue: 180, margin: 100, products: 2, lines: 3 },
      ],
      totals: { revenue: 435, margin: 160, lines: 7, firstDay: '2024-11-15', lastDay: '2025-03-05' },
    });
  });

  it('gives null margins throughout for an account whose ledger has no cost', async () => {
    expect((await call(signed.director, `/accounts/${s3}/sales`)).json()).toEqual({
      months: [{ month: '2024-11', revenue: 70, margin: null, lines: 1 }],
      products: [{ product: 'P-E', group: null, revenue: 70, margin: null, quantity: 0, lines: 1, lastDay: '2024-11-20' }],
      groups: [{ group: null, revenue: 70, margin: null, products: 1, lines: 1 }],
      totals: { revenue: 70, margin: null, lines: 1, firstDay: '2024-11-20', lastDay: '2024-11-20' },
    });
  });

  it('answers an account without ledger lines with empty sales', async () => {
    const created = await app.inject({
      method: 'POST', url: '/api/v1/accounts', cookies: { [SESSION_COOKIE]: signed.kam.token }, headers: { 'x-csrf-token': signed.kam.csrf },
      payload: { name: 'Bez sprzedaży' },
    });
    const response = await call(signed.kam, `/accounts/${created.json().id}/sales`);
    expect(response.json()).toEqual({ months: [], products: [], groups: [], totals: { revenue: 0, margin: null, lines: 0, firstDay: null, lastDay: null } });
  });

  it('lets the director read any account\'s sales, a KAM only their own, and marketing none', async () => {
    expect((await call(signed.director, `/accounts/${s2}/sales`)).json().totals).toEqual({ revenue: 999, margin: 998, lines: 1, firstDay: '2025-03-06', lastDay: '2025-03-06' });
    const foreign = await call(signed.kam, `/accounts/${s2}/sales`);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().code).toBe('not-found');
    expect((await call(signed.marketing, `/accounts/${s1}/sales`)).statusCode).toBe(403);
    expect((await call(signed.kam, `/accounts/${s2}/timeline`)).statusCode).toBe(404);
    expect((await call(signed.marketing, `/accounts/${s1}/timeline`)).statusCode).toBe(403);
    expect((await call(signed.kam, '/accounts/00000000-0000-4000-8000-000000000000/sales')).statusCode).toBe(404);
  });

  it('lists deliveries, tenders and changes newest first, a day\'s deliveries by document', async () => {
    const response = await call(signed.kam, `/accounts/${s1}/timeline`);
    expect(response.statusCode, response.body).toBe(200);
    const { items, nextBefore } = response.json<{ items: Item[]; nextBefore: string | null }>();
    expect(nextBefore).toBeNull();
    const changes = items.filter((item) => item.kind === 'change');
    // Changes are made now, long after the 2025 ledger: they lead, the newest (the tender's creation) first.
    expect(items.slice(0, changes.length)).toEqual(changes);
    expect(changes[0]).toMatchObject({ entity: 'tender', action: 'create', userName: 'kam' });
    expect(changes.find((c) => c.field === 'ownerId')).toMatchObject({ entity: 'account', action: 'update', newValue: signed.kam.id, userName: 'director' });
    expect(items.slice(changes.length)).toEqual([
      { kind: 'delivery', at: '2025-03-05', document: 'FV/3', lines: 1, revenue: 200, products: 1 },
      { kind: 'delivery', at: '2025-03-05', document: null, lines: 2, revenue: 15, products: 1 },
      {
        kind: 'tender', at: '2025-02-01', id: expect.any(String), title: 'Przetarg na meble', outcome: 'lost', value: 5000, reason: 'Cena',
        winningCompetitorName: null,
      },
      { kind: 'delivery', at: '2025-01-20', document: 'FV/2', lines: 1, revenue: 30, products: 1 },
      { kind: 'delivery', at: '2025-01-10', document: 'FV/1', lines: 2, revenue: 150, products: 2 },
      { kind: 'delivery', at: '2024-11-15', document: null, lines: 1, revenue: 40, products: 1 },
    ]);
  });

  it('pages backwards in time without losing or repeating an item, and never splits a day', async () => {
    const all = (await call(signed.kam, `/accounts/${s1}/timeline?limit=200`)).json<{ items: Item[] }>().items;
    const walked: Item[] = [];
    const sizes: number[] = [];
    let before: string | null = null;
    for (let pages = 0; pages < 20; pages++) {
      const response = await call(signed.kam, `/accounts/${s1}/timeline?limit=1${before === null ? '' : `&before=${encodeURIComponent(before)}`}`);
      expect(response.statusCode, response.body).toBe(200);
      const page = response.json<{ items: Item[]; nextBefore: string | null }>();
      walked.push(...page.items);
      sizes.push(page.items.length);
      before = page.nextBefore;
      if (before === null) break;
    }
    expect(walked).toEqual(all);
    // The two deliveries of 5 March come on one page, though the limit is one.
    expect(sizes).toContain(2);
    expect(sizes.filter((size) => size !== 1)).toEqual([2]);

    const beforeMarch = (await call(signed.kam, `/accounts/${s1}/timeline?before=2025-03-05`)).json<{ items: Item[]; nextBefore: string | null }>();
    expect(beforeMarch.items.map((item) => `${item.kind} ${item.at}`))
      .toEqual(['tender 2025-02-01', 'delivery 2025-01-20', 'delivery 2025-01-10', 'delivery 2024-11-15']);
    expect(beforeMarch.nextBefore).toBeNull();
    const twoItems = (await call(signed.kam, `/accounts/${s1}/timeline?before=2025-03-05T00:00:00.001Z&limit=2`)).json<{ items: Item[]; nextBefore: string | null }>();
    expect(twoItems.items.map((item) => `${item.kind} ${item.at}`)).toEqual(['delivery 2025-03-05', 'delivery 2025-03-05']);
    expect(twoItems.nextBefore).toBe('2025-03-05T00:00:00.000Z');
    for (const query of ['before=yesterday', 'before=2025-02-30', 'limit=0', 'limit=201', 'page=2']) {
      expect((await call(signed.kam, `/accounts/${s1}/timeline?${query}`)).statusCode, query).toBe(400);
    }
  });

  it('fills the export\'s analysis columns from the latest run, and filters by them', async () => {
    await runAnalysis(get().pool, SYSTEM_ACTOR, DEFAULT_ANALYSIS_PARAMS);
    const rowsOf = (body: string) => body.slice(1, -2).split('\r\n').slice(1).map((line) => line.split(';'));
    const s1Row = rowsOf((await call(signed.kam, '/accounts/export?format=csv&q=S1')).body)[0];
    const { analysis } = (await call(signed.kam, `/accounts/${s1}`)).json<{ analysis: { segment: string; revenue: number; margin: number } }>();
    expect(s1Row?.slice(8)).toEqual([analysis.segment, expect.any(String), expect.stringMatching(/^(true|false)$/),
      expect.stringMatching(/^(active|slipping|lost)$/), '2025-03-05', analysis.revenue.toFixed(2).replace('.', ','), analysis.margin.toFixed(2).replace('.', ','), '']);
    const sameSegment = rowsOf((await call(signed.director, `/accounts/export?format=csv&segment=${analysis.segment}`)).body);
    expect(sameSegment.map((row) => row[1])).toContain('S1');
    expect(new Set(sameSegment.map((row) => row[8]))).toEqual(new Set([analysis.segment]));
    const otherSegment = analysis.segment === 'CZ' ? 'AX' : 'CZ';
    expect(rowsOf((await call(signed.director, `/accounts/export?format=csv&segment=${otherSegment}`)).body).map((row) => row[1])).not.toContain('S1');

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await call(signed.kam, '/accounts/export?format=xlsx&q=S1')).rawPayload as unknown as ArrayBuffer);
    const row = workbook.getWorksheet('Accounts')?.getRow(2);
    expect(row?.getCell(13).value).toEqual(new Date(Date.UTC(2025, 2, 5)));
    expect(row?.getCell(14).value).toBe(analysis.revenue);
    expect(row?.getCell(15).value).toBe(analysis.margin);
  });
});
