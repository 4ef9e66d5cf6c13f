/**
 * The authorisation matrix: every operation of the OpenAPI document, tried as each role (and without
 * a session) on the role's own records and, for a key account manager, on another manager's. The
 * operations come from the document itself, so a route added later is tried too, and fails here
 * until the matrix knows how to call it (a request body below) and what it may answer.
 *
 * Each request gets fresh records and a fresh session, so that a delete, an erasure or a logout tried
 * by one role changes nothing for the next.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.ts';
import { SYSTEM_ACTOR } from '../src/app/actor.ts';
import { createAccount } from '../src/app/accounts.ts';
import { createAccountCompetitor, createCompetitor } from '../src/app/competitors.ts';
import { createContact } from '../src/app/contacts.ts';
import { createSession } from '../src/app/sessions.ts';
import { importLedger } from '../src/app/import-ledger.ts';
import { runAnalysis } from '../src/app/run-analysis.ts';
import { createTender } from '../src/app/tenders.ts';
import { createRefusal } from '../src/app/refusals.ts';
import { createWinBackAction, createWinBackList } from '../src/app/win-back.ts';
import { DEFAULT_ANALYSIS_PARAMS } from '../src/core/types.ts';
import { createUser, type UserView } from '../src/app/users.ts';
import { loadConfig } from '../src/config.ts';
import type { Role } from '../src/db/schema/users.ts';
import { describeDatabases } from './database.ts';

type Caller = Role | 'anonymous';
const CALLERS: Caller[] = ['anonymous', 'admin', 'director', 'kam', 'marketing'];
const PASSWORD = 'haslo-do-macierzy';

type Operation = { method: string; path: string; access: 'public' | Role[]; hasBody: boolean };

/** Records made afresh for one request: the key account manager's own, and another manager's. */
type Records = {
  user: string; competitor: string; freeCompetitor: string;
  account: string; contact: string; entry: string; tender: string; refusal: string;
  foreignAccount: string; foreignContact: string; foreignEntry: string; foreignTender: string; foreignRefusal: string;
  winBackList: string; winBackAction: string;
};

const unique = (): string => randomBytes(4).toString('hex');

/** A valid body for every operation that takes one: a new route with a body must be added here. */
const BODIES: Record<string, (r: Records) => object> = {
  'POST /api/v1/setup': () => ({ email: `setup-${unique()}@example.com`, name: 'Setup', password: PASSWORD }),
  'POST /api/v1/auth/login': () => ({ email: 'admin@example.com', password: PASSWORD }),
  'POST /api/v1/users': () => ({ email: `new-${unique()}@example.com`, name: 'Nowy', role: 'kam', password: PASSWORD }),
  'PATCH /api/v1/users/{id}': () => ({ version: 1, name: 'Zmieniony' }),
  'POST /api/v1/accounts': () => ({ name: `Firma ${unique()}` }),
  'PATCH /api/v1/accounts/{accountId}': () => ({ version: 1, description: 'Opis' }),
  'PUT /api/v1/accounts/{accountId}/team': () => ({ version: 1, userIds: [] }),
  'POST /api/v1/accounts/owner': (r) => ({ accountIds: [r.account, r.foreignAccount], ownerId: null }),
  'POST /api/v1/accounts/{accountId}/contacts': () => ({ name: 'Jan Kowalski' }),
  'PATCH /api/v1/accounts/{accountId}/contacts/{contactId}': () => ({ version: 1, position: 'Dyrektor zakupów' }),
  'POST /api/v1/competitors': () => ({ name: `Konkurent ${unique()}` }),
  'PATCH /api/v1/competitors/{competitorId}': () => ({ version: 1, website: 'https://example.com' }),
  'POST /api/v1/accounts/{accountId}/competitors': (r) => ({ competitorId: r.freeCompetitor }),
  'PATCH /api/v1/accounts/{accountId}/competitors/{entryId}': () => ({ version: 1, notes: 'Tani' }),
  'POST /api/v1/accounts/{accountId}/tenders': () => ({ title: 'Przetarg', date: '2026-03-01' }),
  'PATCH /api/v1/accounts/{accountId}/tenders/{tenderId}': () => ({ version: 1, reason: 'Cena' }),
  'POST /api/v1/win-back/lists': () => ({ name: `Lista ${unique()}`, criteria: { lostWithinMonths: 12, wasAbc: ['A', 'B'] } }),
  'PATCH /api/v1/win-back/lists/{listId}': () => ({ version: 1, name: 'Zmieniona' }),
  'POST /api/v1/win-back/actions': (r) => ({ accountId: r.account, offerType: 'discount', discountPercent: 10, dueOn: '2026-12-31' }),
  'PATCH /api/v1/win-back/actions/{actionId}': () => ({ version: 1, outcome: 'no-answer' }),
  'POST /api/v1/accounts/{accountId}/refusals': () => ({ kind: 'declined-offer', reason: 'price', occurredOn: '2026-03-01' }),
  'PATCH /api/v1/refusals/{refusalId}': () => ({ version: 1, note: 'Za drogo' }),
  'POST /api/v1/analysis-runs': () => ({ period: 'quarter' }),
  'PUT /api/v1/settings/key-score-weights': () => ({ profit: 30, reliability: 15, longTermPlans: 15, growth: 15, opportunities: 15, reputation: 10 }),
  'PUT /api/v1/activity-rules': () => ({ lostDays: 180, pAliveLost: 0.2, minRepeatPurchases: 2, pAliveDrop: 0.3, timeUnit: 'week', horizon: 52, note: 'Matrix' }),
};

/** What a role allowed to call an operation gets back on its own records, when not a plain success. */
const ALLOWED_ANSWERS: Record<string, number> = {
  // The database already has users: the first-run setup is over.
  'POST /api/v1/setup': 409,
  // The records made for each request are accounts: the demo company is only for an empty database.
  'POST /api/v1/demo': 409,
  // The matrix sends no multipart body; a real upload is tested in ledger-api.int.test.ts.
  'POST /api/v1/imports': 406,
  'POST /api/v1/imports/preview': 406,
  // The matrix's import names no reading options, so the source remembers none.
  'GET /api/v1/imports/sources/{source}': 404,
  // Jobs live in the server's memory: a made-up id is not found, once the caller may ask at all.
  'GET /api/v1/imports/jobs/{jobId}': 404,
  // The records made for each request are in no analysis run, so they have no score yet.
  'GET /api/v1/accounts/{accountId}/key-score': 404,
};

/** An import and an analysis run made once, for the routes that read them. */
const ledger = { importId: 0, runId: 0 };

function fill(path: string, r: Records, foreign: boolean): string {
  return path
    .replace('{id}', r.user)
    .replace('{competitorId}', r.freeCompetitor)
    .replace('{accountId}', foreign ? r.foreignAccount : r.account)
    .replace('{contactId}', foreign ? r.foreignContact : r.contact)
    .replace('{entryId}', foreign ? r.foreignEntry : r.entry)
    .replace('{tenderId}', foreign ? r.foreignTender : r.tender)
    .replace('{listId}', r.winBackList)
    .replace('{actionId}', r.winBackAction)
    .replace('{refusalId}', foreign ? r.foreignRefusal : r.refusal)
    .replace('{importId}', String(ledger.importId))
    .replace('{runId}', String(ledger.runId))
    .replace('{jobId}', '00000000-0000-4000-8000-000000000000')
    .replace('{source}', 'erp');
}

describeDatabases('the authorisation matrix', (get) => {
  let app: FastifyInstance;
  let operations: Operation[];
  const people = {} as Record<Role | 'otherKam', UserView>;

  beforeAll(async () => {
    const database = get();
    app = await buildApp({ database, config: await loadConfig({}) });
    await app.ready();
    for (const [key, role] of [['admin', 'admin'], ['director', 'director'], ['kam', 'kam'], ['otherKam', 'kam'], ['marketing', 'marketing']] as const) {
      people[key] = await createUser(database.db, SYSTEM_ACTOR, { email: `${key}@example.com`, name: key, role, password: PASSWORD });
    }
    const file = join(mkdtempSync(join(tmpdir(), 'kamerton-matrix-')), 'ledger.csv');
    writeFileSync(file, 'date;client;revenue\n2025-01-10;M1;100,00\n2025-02-10;M2;50,00\n');
    ledger.importId = (await importLedger(database.pool, SYSTEM_ACTOR, { path: file })).id;
    await runAnalysis(database.pool, SYSTEM_ACTOR, DEFAULT_ANALYSIS_PARAMS);
    ledger.runId = (await runAnalysis(database.pool, SYSTEM_ACTOR, DEFAULT_ANALYSIS_PARAMS)).id;
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
      paths: Record<string, Record<string, { 'x-access': 'public' | Role[]; requestBody?: unknown }>>;
    };
    operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ method: method.toUpperCase(), path, access: op['x-access'], hasBody: op.requestBody !== undefined })),
    );
  });

  afterAll(async () => {
    await app.close();
  });

  async function records(): Promise<Records> {
    const { db } = get();
    const director = { userId: people.director.id, role: 'director' as const };
    const user = await createUser(db, SYSTEM_ACTOR, { email: `u-${unique()}@example.com`, name: 'U', role: 'kam', password: PASSWORD });
    const competitor = await createCompetitor(db, director, { name: `X ${unique()}` });
    const freeCompetitor = await createCompetitor(db, director, { name: `Y ${unique()}` });
    const dossier = async (owner: UserView) => {
      const account = await createAccount(db, director, { name: `A ${unique()}`, ownerId: owner.id });
      const contact = await createContact(db, director, account.id, { name: 'Anna' });
      const entry = await createAccountCompetitor(db, director, account.id, { competitorId: competitor.id });
      const tender = await createTender(db, director, account.id, { title: 'T', date: '2026-01-15' });
      const refusal = await createRefusal(db, director, account.id, { kind: 'complaint', reason: 'quality', occurredOn: '2026-01-20' });
      return { account: account.id, contact: contact.id, entry: entry.id, tender: tender.id, refusal: refusal.id };
    };
    const own = await dossier(people.kam);
    const foreign = await dossier(people.otherKam);
    // The KAM's own list (a KAM changes only their lists) and an action on the KAM's own account.
    const winBackList = await createWinBackList(db, { userId: people.kam.id, role: 'kam' }, { name: `W ${unique()}`, criteria: {} });
    const winBackAction = await createWinBackAction(db, director, { accountId: own.account, offerType: 'gift', dueOn: '2026-12-31' }, { today: '2026-01-01' });
    return {
      winBackList: winBackList.id, winBackAction: winBackAction.id,
      user: user.id, competitor: competitor.id, freeCompetitor: freeCompetitor.id, ...own,
      foreignAccount: foreign.account, foreignContact: foreign.contact, foreignEntry: foreign.entry, foreignTender: foreign.tender,
      foreignRefusal: foreign.refusal,
    };
  }

  async function call(op: Operation, caller: Caller, r: Records, foreign = false): Promise<{ status: number; body: string }> {
    const headers: Record<string, string> = {};
    if (caller !== 'anonymous') {
      const { token, session } = await createSession(get().db, people[caller], { hours: 1 });
      headers.cookie = `kamerton_session=${token}`;
      headers['x-csrf-token'] = session.csrfToken;
    }
    const key = `${op.method} ${op.path}`;
    const body = op.hasBody ? BODIES[key]?.(r) : undefined;
    const response = await app.inject({ method: op.method as 'GET', url: fill(op.path, r, foreign), headers, ...(body === undefined ? {} : { payload: body }) });
    return { status: response.statusCode, body: response.body };
  }

  it('knows how to call every operation that takes a body', () => {
    const missing = operations.filter((op) => op.hasBody && BODIES[`${op.method} ${op.path}`] === undefined).map((op) => `${op.method} ${op.path}`);
    expect(missing, 'add a body for these to BODIES').toEqual([]);
    expect(operations.length).toBeGreaterThan(35);
  });

  it('lets exactly the roles an operation names call it, and answers the others 401 or 403', async () => {
    const wrong: string[] = [];
    for (const op of operations) {
      for (const caller of CALLERS) {
        const key = `${op.method} ${op.path}`;
        const allowed = op.access === 'public' || (caller !== 'anonymous' && op.access.includes(caller));
        const { status, body } = await call(op, caller, await records());
        const expected = allowed ? null : caller === 'anonymous' ? 401 : 403;
        const ok = expected === null ? (ALLOWED_ANSWERS[key] ?? null) === null ? status >= 200 && status < 300 : status === ALLOWED_ANSWERS[key] : status === expected;
        if (!ok) wrong.push(`${key} as ${caller}: ${status} (expected ${expected ?? ALLOWED_ANSWERS[key] ?? '2xx'}) ${body.slice(0, 160)}`);
      }
    }
    expect(wrong).toEqual([]);
    // Every operation is called by five callers, each with fresh records: some hundreds of requests.
  }, 300_000);

  it('answers a key account manager 404 for another manager\'s records, whatever the operation', async () => {
    const wrong: string[] = [];
    // A refusal is reached by its own id too: another manager's is as unknown as their account.
    const scoped = operations.filter((op) => (op.path.includes('{accountId}') || op.path.includes('{refusalId}')) && op.access !== 'public' && op.access.includes('kam'));
    expect(scoped.length).toBeGreaterThan(15);
    for (const op of scoped) {
      const r = await records();
      const { status, body } = await call(op, 'kam', r, true);
      if (status !== 404) wrong.push(`${op.method} ${op.path}: ${status} ${body.slice(0, 160)}`);
    }
    expect(wrong).toEqual([]);
  }, 300_000);
});
