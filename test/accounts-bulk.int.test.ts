/**
 * What the web app asks of the accounts beyond one dossier, through app.inject(): the users' directory,
 * one owner given to many accounts at once (recorded as a single change of owner is), and the accounts
 * as a CSV or XLSX file, filtered like the list, without money for marketing and with formulas
 * neutralised.
 */
import ExcelJS from 'exceljs';
import { eq, inArray } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.ts';
import { SESSION_COOKIE } from '../src/api/plugins/auth.plugin.ts';
import { createAccount, readSelectedAccounts, setAccountTeam, updateAccount, type AccountCreate } from '../src/app/accounts.ts';
import type { Actor } from '../src/app/actor.ts';
import { createSession } from '../src/app/sessions.ts';
import { toUserView } from '../src/app/users.ts';
import { loadConfig } from '../src/config.ts';
import { accounts, history, users, type Role } from '../src/db/schema/index.ts';
import { describeDatabases } from './database.ts';
import { rejection } from './fixtures/errors.ts';

type Person = 'admin' | 'director' | 'kam' | 'otherKam' | 'marketing';
type Signed = { token: string; csrf: string; id: string; actor: Actor };

const FORMULA_NAME = '=HYPERLINK("x")';

describeDatabases('the accounts in bulk: directory, owners, export', (get) => {
  let app: FastifyInstance;
  const signed = {} as Record<Person, Signed>;
  let inactiveKam: string;
  let counter = 0;

  beforeAll(async () => {
    const database = get();
    app = await buildApp({ database, config: await loadConfig({}) });
    await app.ready();
    // Names out of alphabetical order, one of them lower-case, so that the directory's order shows.
    const people: [Person, Role, string][] = [
      ['admin', 'admin', 'Zofia Admin'], ['director', 'director', 'Dariusz Dyrektor'], ['kam', 'kam', 'anna Kowalska'],
      ['otherKam', 'kam', 'Bartosz Nowak'], ['marketing', 'marketing', 'Marta Marketing'],
    ];
    for (const [key, role, name] of people) {
      const [row] = await database.db.insert(users).values({ email: `${key}@example.com`, name, role, passwordHash: 'unused' }).returning();
      if (row === undefined) throw new Error('no user');
      const { token, session } = await createSession(database.db, toUserView(row), { hours: 1 });
      signed[key] = { token, csrf: session.csrfToken, id: row.id, actor: { userId: row.id, role } };
    }
    const [inactive] = await database.db.insert(users)
      .values({ email: 'gone@example.com', name: 'Celina Odeszła', role: 'kam', active: false, passwordHash: 'unused' }).returning();
    inactiveKam = inactive!.id;
  });

  afterAll(async () => {
    await app.close();
  });

  function call(who: Signed, method: 'GET' | 'POST', url: string, payload?: object) {
    return app.inject({
      method,
      url: `/api/v1${url}`,
      cookies: { [SESSION_COOKIE]: who.token },
      headers: { 'x-csrf-token': who.csrf },
      ...(payload === undefined ? {} : { payload }),
    });
  }

  async function newAccount(owner: Person | null, extra: Partial<AccountCreate> = {}) {
    counter += 1;
    return createAccount(get().db, signed.director.actor, {
      name: `Klient ${counter}`, codes: [`B${counter}`], ...extra, ownerId: owner === null ? null : signed[owner].id,
    });
  }

  async function accountRows(ids: string[]) {
    return get().db.select().from(accounts).where(inArray(accounts.id, ids));
  }

  it('lists the active users by name, with id, name and role only, to every role', async () => {
    for (const who of Object.values(signed)) {
      const response = await call(who, 'GET', '/users/directory');
      expect(response.statusCode, response.body).toBe(200);
      const { items } = response.json<{ items: { id: string; name: string; role: Role }[] }>();
      expect(items.map((u) => u.name)).toEqual(['anna Kowalska', 'Bartosz Nowak', 'Dariusz Dyrektor', 'Marta Marketing', 'Zofia Admin']);
      expect(items.find((u) => u.id === inactiveKam)).toBeUndefined();
      expect(items[0]).toEqual({ id: signed.kam.id, name: 'anna Kowalska', role: 'kam' });
      expect(response.body).not.toContain('@example.com');
    }
    expect((await app.inject({ method: 'GET', url: '/api/v1/users/directory' })).statusCode).toBe(401);
  });

  it('gives many accounts one owner, recording each change as a single change of owner does', async () => {
    const { db } = get();
    const a = await newAccount('otherKam');
    const b = await newAccount(null);
    const already = await newAccount('kam');
    // The new owner is on this one's team, and leaves it, as with a change through PATCH.
    const teamed = await setAccountTeam(db, signed.director.actor, (await newAccount('otherKam')).id, [signed.kam.id], 1);
    const patched = await setAccountTeam(db, signed.director.actor, (await newAccount('otherKam')).id, [signed.kam.id], 1);

    const response = await call(signed.director, 'POST', '/accounts/owner', { accountIds: [a.id, b.id, already.id, teamed.id], ownerId: signed.kam.id });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ updated: 3 });
    const rows = new Map((await accountRows([a.id, b.id, already.id, teamed.id])).map((row) => [row.id, row]));
    for (const id of [a.id, b.id, already.id, teamed.id]) expect(rows.get(id)?.ownerId).toBe(signed.kam.id);
    expect(rows.get(a.id)?.version).toBe(2);
    expect(rows.get(b.id)?.version).toBe(2);
    expect(rows.get(already.id)?.version).toBe(1);
    expect(rows.get(teamed.id)?.version).toBe(3);

    // The same change made through PATCH on a twin account writes the same rows.
    await updateAccount(db, signed.director.actor, patched.id, { ownerId: signed.kam.id }, patched.version);
    // The last two changes of each: the team set first wrote one of its own.
    const changeRows = async (id: string) => (await db.select().from(history).where(eq(history.entityId, id)).orderBy(history.id))
      .filter((row) => row.action === 'update')
      .slice(-2)
      .map((row) => ({ action: row.action, entity: row.entity, accountId: row.accountId === id, userId: row.userId, field: row.field, oldValue: row.oldValue, newValue: row.newValue }));
    expect(await changeRows(teamed.id)).toEqual(await changeRows(patched.id));
    expect(await changeRows(teamed.id)).toEqual([
      { action: 'update', entity: 'account', accountId: true, userId: signed.director.id, field: 'ownerId', oldValue: signed.otherKam.id, newValue: signed.kam.id },
      { action: 'update', entity: 'account', accountId: true, userId: signed.director.id, field: 'teamIds', oldValue: JSON.stringify([signed.kam.id]), newValue: '[]' },
    ]);
    const bRows = await db.select().from(history).where(eq(history.entityId, b.id)).orderBy(history.id);
    expect(bRows.filter((row) => row.action === 'update')).toMatchObject([{ field: 'ownerId', oldValue: null, newValue: signed.kam.id }]);
    expect((await db.select().from(history).where(eq(history.entityId, already.id))).filter((row) => row.action === 'update')).toEqual([]);
    expect((await call(signed.kam, 'GET', `/accounts/${teamed.id}`)).json()).toMatchObject({ ownerId: signed.kam.id, teamIds: [] });

    const cleared = await call(signed.admin, 'POST', '/accounts/owner', { accountIds: [a.id], ownerId: null });
    expect(cleared.json()).toEqual({ updated: 1 });
    expect((await accountRows([a.id]))[0]).toMatchObject({ ownerId: null, version: 3 });
  });

  it('changes nothing when one id names no account, and refuses an owner who is no active KAM or director', async () => {
    const a = await newAccount('otherKam');
    const missing = '00000000-0000-4000-8000-000000000001';
    const notFound = await call(signed.director, 'POST', '/accounts/owner', { accountIds: [a.id, missing], ownerId: signed.kam.id });
    expect(notFound.statusCode).toBe(404);
    expect(notFound.json()).toMatchObject({ code: 'not-found', details: { field: 'accountIds', missing: [missing] } });
    expect((await accountRows([a.id]))[0]).toMatchObject({ ownerId: signed.otherKam.id, version: 1 });

    for (const ownerId of [signed.marketing.id, signed.admin.id, inactiveKam, missing]) {
      const refused = await call(signed.director, 'POST', '/accounts/owner', { accountIds: [a.id], ownerId });
      expect(refused.statusCode, ownerId).toBe(400);
      expect(refused.json()).toMatchObject({ code: 'invalid-input', details: { field: 'ownerId' } });
    }
    expect((await call(signed.director, 'POST', '/accounts/owner', { accountIds: [signed.director.id], ownerId: signed.director.id })).statusCode).toBe(404);
    const director = await call(signed.director, 'POST', '/accounts/owner', { accountIds: [a.id], ownerId: signed.director.id });
    expect(director.json()).toEqual({ updated: 1 });

    for (const body of [
      { accountIds: [], ownerId: null },
      { accountIds: [a.id, a.id], ownerId: null },
      { accountIds: Array.from({ length: 1001 }, () => a.id), ownerId: null },
      { accountIds: ['not-a-uuid'], ownerId: null },
      { accountIds: [a.id] },
      { accountIds: [a.id], ownerId: null, version: 1 },
    ]) {
      expect((await call(signed.director, 'POST', '/accounts/owner', body)).statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
    }
    expect((await call(signed.kam, 'POST', '/accounts/owner', { accountIds: [a.id], ownerId: signed.kam.id })).statusCode).toBe(403);
    expect((await call(signed.marketing, 'POST', '/accounts/owner', { accountIds: [a.id], ownerId: null })).statusCode).toBe(403);
    expect((await accountRows([a.id]))[0]).toMatchObject({ ownerId: signed.director.id, version: 2 });
  });

  /** The export's CSV rows, split into cells (none of the test's values holds a separator or a quote but the formula's). */
  function csvRows(body: string): string[][] {
    expect(body.startsWith('\uFEFF')).toBe(true);
    expect(body.endsWith('\r\n')).toBe(true);
    return body.slice(1, -2).split('\r\n').map((line) => line.split(';'));
  }

  it('exports the accounts the caller may see, filtered and sorted like the list, as CSV', async () => {
    const industry = 'Eksport-test';
    await newAccount('kam', { name: 'Eksport Alfa', industry, region: 'Mazowsze', annualPotential: 7777.5, employees: 40, taxId: '1234567890', codes: ['EA-1', 'EA-2'] });
    await newAccount('otherKam', { name: 'Eksport Beta', industry, annualPotential: 99 });
    await newAccount('kam', { name: 'Eksport Gamma', industry: 'Inna', annualPotential: 5 });

    const response = await call(signed.director, 'GET', `/accounts/export?format=csv&industry=${industry}&sort=name&order=desc`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="kamerton-accounts-\d{4}-\d{2}-\d{2}\.csv"$/);
    const rows = csvRows(response.body);
    expect(rows[0]).toEqual([
      'name', 'codes', 'taxId', 'status', 'ownerName', 'industry', 'region', 'employees', 'segment', 'types', 'isKey', 'activity',
      'lastPurchase', 'revenue', 'margin', 'annualPotential',
    ]);
    expect(rows.slice(1).map((row) => row[0])).toEqual(['Eksport Beta', 'Eksport Alfa']);
    expect(rows[2]).toEqual([
      'Eksport Alfa', 'EA-1|EA-2', '1234567890', 'prospect', 'anna Kowalska', industry, 'Mazowsze', '40', '', '', '', '', '', '', '', '7777,50',
    ]);

    const kam = csvRows((await call(signed.kam, 'GET', '/accounts/export?format=csv&q=Eksport')).body);
    expect(kam.slice(1).map((row) => row[0])).toEqual(['Eksport Alfa', 'Eksport Gamma']);

    const marketing = await call(signed.marketing, 'GET', `/accounts/export?format=csv&industry=${industry}`);
    const marketingRows = csvRows(marketing.body);
    expect(marketingRows[0]).toEqual(['name', 'codes', 'taxId', 'status', 'ownerName', 'industry', 'region', 'employees', 'segment', 'types', 'isKey', 'activity', 'lastPurchase']);
    expect(marketingRows).toHaveLength(3);
    expect(marketing.body).not.toContain('7777');
    expect((await call(signed.marketing, 'GET', '/accounts/export?format=csv&sort=annualPotential')).statusCode).toBe(400);

    expect((await call(signed.director, 'GET', '/accounts/export')).headers['content-type']).toBe('text/csv; charset=utf-8');
    for (const url of ['/accounts/export?format=pdf', '/accounts/export?format=csv&page=2', '/accounts/export?format=csv&colour=red']) {
      expect((await call(signed.director, 'GET', url)).statusCode, url).toBe(400);
    }
    expect((await app.inject({ method: 'GET', url: '/api/v1/accounts/export?format=csv' })).statusCode).toBe(401);
  });

  it('refuses a selection larger than the cap before reading any account', async () => {
    await newAccount('kam', { industry: 'Limit' });
    await newAccount('kam', { industry: 'Limit' });
    let batches = 0;
    const refused = await rejection(readSelectedAccounts(get().db, signed.director.actor, { industry: 'Limit' }, 1, () => {
      batches += 1;
    }));
    expect(refused).toMatchObject({ code: 'too-large', details: { max: 1 } });
    expect(batches).toBe(0);
    expect(await readSelectedAccounts(get().db, signed.director.actor, { industry: 'Limit' }, 2, () => undefined)).toBe(2);
  });

  it('neutralises a name that a spreadsheet would take for a formula, in CSV and in XLSX', async () => {
    await newAccount('kam', { name: FORMULA_NAME, region: '+48 region', industry: 'Formuły' });
    const csv = await call(signed.director, 'GET', '/accounts/export?format=csv&industry=Formuły');
    expect(csv.body).toContain(`\r\n"'=HYPERLINK(""x"")";`);
    expect(csv.body).toContain(";'+48 region;");

    const xlsx = await call(signed.director, 'GET', '/accounts/export?format=xlsx&industry=Formuły');
    expect(xlsx.statusCode, xlsx.body).toBe(200);
    expect(xlsx.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(xlsx.headers['content-disposition']).toMatch(/^attachment; filename="kamerton-accounts-\d{4}-\d{2}-\d{2}\.xlsx"$/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('Accounts');
    expect(sheet?.getRow(1).getCell(1).value).toBe('Name');
    const cell = sheet?.getRow(2).getCell(1);
    expect(cell?.value).toBe(`'${FORMULA_NAME}`);
    expect(cell?.formula).toBeUndefined();
    expect(sheet?.getRow(2).getCell(7).value).toBe("'+48 region");
  });

  it('writes real numbers and dates in the workbook, and leaves the money columns out for marketing', async () => {
    const industry = 'Arkusz';
    await newAccount('kam', { name: 'Arkusz Alfa', industry, annualPotential: 2500, employees: 12 });
    const director = new ExcelJS.Workbook();
    await director.xlsx.load((await call(signed.director, 'GET', `/accounts/export?format=xlsx&industry=${industry}`)).rawPayload as unknown as ArrayBuffer);
    const headers = (sheet: ExcelJS.Worksheet | undefined) => (sheet?.getRow(1).values as unknown[]).slice(1);
    const directorSheet = director.getWorksheet('Accounts');
    expect(headers(directorSheet)).toEqual([
      'Name', 'ERP codes', 'NIP', 'Status', 'Owner', 'Industry', 'Region', 'Employees', 'Segment', 'Key-client types', 'Key client',
      'Activity', 'Last purchase', 'Revenue (latest run)', 'Margin (latest run)', 'Annual potential',
    ]);
    expect(directorSheet?.getRow(2).getCell(8).value).toBe(12);
    expect(directorSheet?.getRow(2).getCell(16).value).toBe(2500);

    const marketing = new ExcelJS.Workbook();
    await marketing.xlsx.load((await call(signed.marketing, 'GET', `/accounts/export?format=xlsx&industry=${industry}`)).rawPayload as unknown as ArrayBuffer);
    const marketingSheet = marketing.getWorksheet('Accounts');
    expect(headers(marketingSheet)).toEqual(headers(directorSheet).slice(0, 13));
    expect(marketingSheet?.getRow(2).values).not.toContain(2500);

    // No account matches: a workbook with the header row only.
    const empty = new ExcelJS.Workbook();
    await empty.xlsx.load((await call(signed.kam, 'GET', '/accounts/export?format=xlsx&industry=nic-takiego')).rawPayload as unknown as ArrayBuffer);
    expect(empty.getWorksheet('Accounts')?.rowCount).toBe(1);
  });
});
