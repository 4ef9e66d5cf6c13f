/**
 * The dossier's routes through app.inject(): the four route plugins registered under /api/v1 on the
 * app builder, signed-in users of each role, and what the HTTP contract adds to the use-cases (status
 * codes, strict bodies, If-Match, the role rules of config.access, marketing's JSON).
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.ts';
import { SESSION_COOKIE } from '../src/api/plugins/auth.plugin.ts';
import { createSession } from '../src/app/sessions.ts';
import { toUserView } from '../src/app/users.ts';
import { loadConfig } from '../src/config.ts';
import { users, type Role } from '../src/db/schema/index.ts';
import { describeDatabases } from './database.ts';

type Signed = { token: string; csrf: string; id: string };

describeDatabases('account dossier routes', (get) => {
  let app: FastifyInstance;
  const signed = {} as Record<Role | 'otherKam', Signed>;

  beforeAll(async () => {
    const database = get();
    const config = await loadConfig({});
    app = await buildApp({ database, config });
    await app.ready();
    const people: [Role | 'otherKam', Role][] = [['admin', 'admin'], ['director', 'director'], ['kam', 'kam'], ['otherKam', 'kam'], ['marketing', 'marketing']];
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

  function call(who: Signed, method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: object, headers: Record<string, string> = {}) {
    return app.inject({
      method,
      url: `/api/v1${url}`,
      cookies: { [SESSION_COOKIE]: who.token },
      headers: { 'x-csrf-token': who.csrf, ...headers },
      ...(payload === undefined ? {} : { payload }),
    });
  }

  async function created(response: LightMyRequestResponse) {
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ id: string; version: number }>();
  }

  it('creates an account for the KAM, hides it from other KAMs and hides the money from marketing', async () => {
    const account = await created(await call(signed.kam, 'POST', '/accounts', {
      name: 'Fabryka Mebli Orzeł', codes: ['ORZ-1'], annualPotential: 250000, paymentDaysLate: 7, privateNotes: 'prezes lubi golfa',
    }));
    expect((await call(signed.kam, 'GET', `/accounts/${account.id}`)).json()).toMatchObject({ ownerId: signed.kam.id, annualPotential: 250000 });
    const foreign = await call(signed.otherKam, 'GET', `/accounts/${account.id}`);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().code).toBe('not-found');
    expect((await call(signed.otherKam, 'GET', '/accounts')).json().items).toEqual([]);

    for (const url of [`/accounts/${account.id}`, '/accounts?q=orz-1']) {
      const response = await call(signed.marketing, 'GET', url);
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('Fabryka Mebli Orzeł');
      for (const hidden of ['annualPotential', 'paymentDaysLate', 'privateNotes', 'golfa', '250000']) expect(response.body).not.toContain(hidden);
    }
    expect((await call(signed.marketing, 'POST', '/accounts', { name: 'X' })).statusCode).toBe(403);
    expect((await call(signed.marketing, 'GET', `/accounts/${account.id}/tenders`)).statusCode).toBe(403);
    expect((await call(signed.marketing, 'GET', `/accounts/${account.id}/history`)).statusCode).toBe(403);
    expect((await call(signed.marketing, 'GET', `/accounts/${account.id}/contacts`)).statusCode).toBe(200);
  });

  it('rejects unknown fields, malformed ids and a missing CSRF token', async () => {
    const unknown = await call(signed.director, 'POST', '/accounts', { name: 'X', ownerNotes: 'y' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ code: 'invalid-input', details: { field: 'ownerNotes' } });
    expect((await call(signed.director, 'GET', '/accounts/not-a-uuid')).statusCode).toBe(400);
    expect((await call(signed.director, 'GET', '/accounts?colour=red')).statusCode).toBe(400);
    const noCsrf = await app.inject({ method: 'POST', url: '/api/v1/accounts', cookies: { [SESSION_COOKIE]: signed.director.token }, payload: { name: 'X' } });
    expect(noCsrf.statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/v1/accounts' })).statusCode).toBe(401);
  });

  it('takes the version from the body or If-Match and answers a stale one with 409 and the current record', async () => {
    const account = await created(await call(signed.kam, 'POST', '/accounts', { name: 'Wersjonowany' }));
    const first = await call(signed.kam, 'PATCH', `/accounts/${account.id}`, { region: 'Małopolska', version: 1 });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ region: 'Małopolska', version: 2 });
    const second = await call(signed.kam, 'PATCH', `/accounts/${account.id}`, { region: 'Podkarpacie' }, { 'if-match': '"2"' });
    expect(second.json().version).toBe(3);
    const stale = await call(signed.kam, 'PATCH', `/accounts/${account.id}`, { region: 'Śląsk' }, { 'if-match': '"2"' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'conflict', details: { current: { id: account.id, version: 3, region: 'Podkarpacie' } } });
    expect(stale.json().details.current.updatedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await call(signed.kam, 'PATCH', `/accounts/${account.id}`, { region: 'Śląsk' })).statusCode).toBe(400);

    const history = await call(signed.kam, 'GET', `/accounts/${account.id}/history?pageSize=2`);
    expect(history.statusCode).toBe(200);
    expect(history.json()).toMatchObject({ total: 3, items: [{ field: 'region', oldValue: 'Małopolska', newValue: 'Podkarpacie' }, { field: 'region' }] });
  });

  it('leaves deleting accounts and keeping competitors to directors and administrators', async () => {
    const account = await created(await call(signed.kam, 'POST', '/accounts', { name: 'Do skasowania' }));
    expect((await call(signed.kam, 'DELETE', `/accounts/${account.id}`)).statusCode).toBe(403);
    expect((await call(signed.kam, 'POST', '/competitors', { name: 'Rywal' })).statusCode).toBe(403);
    const rival = await created(await call(signed.director, 'POST', '/competitors', { name: 'Rywal' }));
    expect((await call(signed.director, 'POST', '/competitors', { name: 'rywal' })).statusCode).toBe(409);
    const entry = await call(signed.kam, 'POST', `/accounts/${account.id}/competitors`, { competitorId: rival.id, shareOfWallet: 20 });
    expect(entry.statusCode, entry.body).toBe(201);
    expect(entry.json()).toMatchObject({ competitorName: 'Rywal', shareOfWallet: 20 });
    const tender = await call(signed.kam, 'POST', `/accounts/${account.id}/tenders`, { title: 'Przetarg', date: '2024-06-30', winningCompetitorId: rival.id, outcome: 'lost' });
    expect(tender.statusCode, tender.body).toBe(201);
    expect(tender.json()).toMatchObject({ date: '2024-06-30', winningCompetitorName: 'Rywal' });
    expect((await call(signed.director, 'DELETE', `/accounts/${account.id}`, undefined, { 'if-match': '"7"' })).statusCode).toBe(409);
    expect((await call(signed.director, 'DELETE', `/accounts/${account.id}`)).statusCode).toBe(204);
    expect((await call(signed.director, 'GET', `/accounts/${account.id}`)).statusCode).toBe(404);
  });

  it('lets only an administrator erase a contact', async () => {
    const account = await created(await call(signed.kam, 'POST', '/accounts', { name: 'RODO' }));
    const contact = await created(await call(signed.kam, 'POST', `/accounts/${account.id}/contacts`, { name: 'Adam Mazur', email: 'adam@example.pl' }));
    expect((await call(signed.director, 'POST', `/contacts/${contact.id}/erase`)).statusCode).toBe(403);
    const erased = await call(signed.admin, 'POST', `/contacts/${contact.id}/erase`);
    expect(erased.statusCode, erased.body).toBe(200);
    expect(erased.json()).toMatchObject({ contactId: contact.id, historyRowsBlanked: 1, contact: { name: 'erased', email: null } });
    expect(erased.json().erasedAt).toMatch(/^\d{4}-/);
  });

  it('documents the dossier routes in the OpenAPI document', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json<{ paths: Record<string, Record<string, { 'x-access'?: unknown; summary?: string }>> }>();
    expect(document.paths['/api/v1/accounts']?.get?.['x-access']).toEqual(['admin', 'director', 'kam', 'marketing']);
    expect(document.paths['/api/v1/accounts/{accountId}/team']?.put?.summary).toMatch(/team/);
    expect(Object.keys(document.paths).filter((path) => path.startsWith('/api/v1/accounts'))).toHaveLength(17);
  });

  it('declares access on every dossier route', () => {
    const dossier = app.routeAccess.filter((route) => route.url.startsWith('/api/v1/accounts') || route.url.startsWith('/api/v1/c'));
    expect(dossier.length).toBeGreaterThanOrEqual(25);
    expect(dossier.find((route) => route.method === 'POST' && route.url === '/api/v1/contacts/:contactId/erase')?.access).toEqual(['admin']);
    expect(dossier.find((route) => route.method === 'DELETE' && route.url === '/api/v1/accounts/:accountId')?.access).toEqual(['admin', 'director']);
  });
});
