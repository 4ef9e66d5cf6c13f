/**
 * The demo company: loaded into an empty database it gives what `kamerton demo` promises (the users,
 * about 300 accounts owned by the three KAMs, decision maps that are trees inside each account, valid
 * NIPs, competitor shares that fit in 100%, tenders of the last three years, a history row for every
 * record), the same seed gives the same companies, and a second load is refused. Then the routes:
 * GET /api/v1/demo, POST as an administrator and as others, the demo users signing in.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.ts';
import { SESSION_COOKIE } from '../src/api/plugins/auth.plugin.ts';
import { listAccounts } from '../src/app/accounts.ts';
import { SYSTEM_ACTOR } from '../src/app/actor.ts';
import { isValidNip, surnameFor } from '../src/app/demo-data.ts';
import { DEMO_ACCOUNT_COUNT, demoAvailable, loadDemo, planDemo, type DemoSummary } from '../src/app/demo.ts';
import { createSession } from '../src/app/sessions.ts';
import { authenticate, createUser, type UserView } from '../src/app/users.ts';
import { formatDemoSummary } from '../src/cli/demo.ts';
import { loadConfig } from '../src/config.ts';
import { accountCodes, accountCompetitors, accounts, accountTeam, competitors, contacts, history, tenders, users } from '../src/db/schema/index.ts';
import { describeDatabases } from './database.ts';

const SEED = 7;

/** The NIP checksum written out again, independently of the code under test. */
function nipChecksumHolds(nip: string): boolean {
  const weights = [6, 5, 7, 2, 3, 4, 5, 6, 7];
  const digits = [...nip].map(Number);
  const sum = weights.reduce((total, weight, i) => total + weight * (digits[i] as number), 0);
  return nip.length === 10 && sum % 11 !== 10 && sum % 11 === digits[9];
}

/** A digest of the accounts' names and ERP codes, in name order. */
function digestOf(items: { name: string; codes: readonly string[] }[]): string {
  const lines = items.map((item) => `${item.name}|${[...item.codes].sort().join(',')}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

it('knows a published NIP and the feminine forms of surnames', () => {
  // 526-104-08-28: 5*6 + 2*5 + 6*7 + 1*2 + 0*3 + 4*4 + 0*5 + 8*6 + 2*7 = 162, and 162 mod 11 = 8.
  expect(isValidNip('5261040828')).toBe(true);
  expect(isValidNip('5261040829')).toBe(false);
  expect(isValidNip('526104082')).toBe(false);
  expect(['Kowalski', 'Zawadzki', 'Czarnecki', 'Konieczny', 'Biały', 'Nowak', 'Duda'].map((name) => surnameFor(name, 'f')))
    .toEqual(['Kowalska', 'Zawadzka', 'Czarnecka', 'Konieczna', 'Biała', 'Nowak', 'Duda']);
});

describeDatabases('loading the demo company', (get) => {
  let summary: DemoSummary;

  beforeAll(async () => {
    expect(await demoAvailable(get().db)).toBe(true);
    const started = performance.now();
    summary = await loadDemo(get(), SYSTEM_ACTOR, { seed: SEED });
    console.log(`the demo company loaded in ${((performance.now() - started) / 1000).toFixed(2)} s: ` +
      `${summary.accounts} accounts, ${summary.contacts} contacts, ${summary.tenders} tenders, ${summary.historyRows} history rows`);
  });

  it('makes a director, three KAMs and a marketing person who sign in with the printed password', async () => {
    const { db } = get();
    const rows = await db.select().from(users);
    expect(rows.map((user) => user.role).sort()).toEqual(['director', 'kam', 'kam', 'kam', 'marketing']);
    expect(summary.users.map((user) => user.email).sort()).toEqual(rows.map((user) => user.email).sort());
    for (const user of rows) {
      expect(user.email).toMatch(/^[a-z]+\.[a-z]+@demo\.kamerton\.pl$/);
      expect(await authenticate(db, user.email, summary.password)).toMatchObject({ id: user.id });
    }
    expect(await authenticate(db, rows[0]?.email ?? '', 'not-the-password')).toBeNull();
    const printed = formatDemoSummary(summary, 1.5, { administrator: false });
    expect(printed).toContain(summary.password);
    for (const user of rows) expect(printed).toContain(user.email);
    expect(printed).toMatch(/deactivate them/);
    expect(printed).toMatch(/kamerton user add --role admin/);
    expect(formatDemoSummary(summary, 1.5, { administrator: true })).not.toMatch(/kamerton user add/);
  });

  it('makes about 300 accounts, every one owned by a KAM, mostly active, with ERP codes and valid NIPs', async () => {
    const { db } = get();
    const rows = await db.select().from(accounts);
    const codes = groupBy(await db.select().from(accountCodes), (row) => row.accountId);
    const kams = new Set((await db.select().from(users)).filter((user) => user.role === 'kam').map((user) => user.id));
    expect(rows.length).toBe(DEMO_ACCOUNT_COUNT);
    expect(summary.accounts).toBe(rows.length);
    const owners = groupBy(rows, (row) => row.ownerId ?? 'none');
    expect([...owners.keys()].sort()).toEqual([...kams].sort());
    for (const owned of owners.values()) expect(owned.length).toBeGreaterThan(60);
    const statuses = groupBy(rows, (row) => row.status);
    expect((statuses.get('active') ?? []).length).toBeGreaterThan(rows.length / 2);
    for (const status of ['prospect', 'lost', 'won-back']) expect((statuses.get(status) ?? []).length).toBeGreaterThan(5);
    expect(new Set(rows.map((row) => row.name)).size).toBe(rows.length);
    for (const row of rows) {
      expect(nipChecksumHolds(row.taxId ?? ''), `${row.name}: ${row.taxId}`).toBe(true);
      const own = (codes.get(row.id) ?? []).map((code) => code.code);
      if (row.status === 'prospect') expect(own).toEqual([]);
      else expect(own.length).toBeGreaterThanOrEqual(1);
      for (const code of own) expect(code).toMatch(/^K[0-9]{5}$/);
      expect(row.industry).toBeTruthy();
      expect(row.region).toMatch(/^[a-ząćęłńóśźż-]+$/);
      expect(row.description).toMatch(/Siedziba: /);
    }
    expect(new Set(rows.map((row) => row.taxId)).size).toBe(rows.length);
    // Image-makers and experts are few, and each says why.
    const flagged = rows.filter((row) => row.imageMaker || row.expert);
    expect(flagged.length).toBeGreaterThan(0);
    expect(flagged.length).toBeLessThan(rows.length / 4);
    for (const row of flagged) expect(row.imageMaker ? row.imageMakerReason : row.expertReason).toBeTruthy();
    // A Pareto-like spread: the largest fifth of the accounts holds more than half the potential.
    const potentials = rows.map((row) => row.annualPotential ?? 0).sort((a, b) => b - a);
    const total = potentials.reduce((sum, value) => sum + value, 0);
    expect(potentials.slice(0, rows.length / 5).reduce((sum, value) => sum + value, 0)).toBeGreaterThan(total / 2);
    // Some accounts have a team besides the owner, and the owner is never on their own team.
    const team = await db.select().from(accountTeam);
    expect(team.length).toBeGreaterThan(10);
    const ownerOf = new Map(rows.map((row) => [row.id, row.ownerId]));
    for (const member of team) expect(member.userId).not.toBe(ownerOf.get(member.accountId));
  });

  it('gives each account 3 to 8 contacts in one reports-to tree under a decision-maker', async () => {
    const { db } = get();
    const all = await db.select().from(contacts);
    expect(summary.contacts).toBe(all.length);
    const byId = new Map(all.map((contact) => [contact.id, contact]));
    const byAccount = groupBy(all, (contact) => contact.accountId);
    expect(byAccount.size).toBe(DEMO_ACCOUNT_COUNT);
    for (const people of byAccount.values()) {
      expect(people.length).toBeGreaterThanOrEqual(3);
      expect(people.length).toBeLessThanOrEqual(8);
      const tops = people.filter((contact) => contact.reportsToId === null);
      expect(tops.length).toBe(1);
      expect(tops[0]?.buyingRole).toBe('decision-maker');
      for (const contact of people) {
        // Up the line: every step stays in the account, and the top is reached without a cycle.
        const seen = new Set<string>();
        let current = contact;
        while (current.reportsToId !== null) {
          expect(seen.has(current.id)).toBe(false);
          seen.add(current.id);
          const boss = byId.get(current.reportsToId);
          expect(boss?.accountId).toBe(contact.accountId);
          current = boss as typeof current;
        }
        expect(current.id).toBe(tops[0]?.id);
        expect(contact.email ?? 'x@y.pl').toMatch(/^[a-z0-9.-]+@[a-z0-9.-]+\.pl$/);
      }
      expect(people.filter((contact) => contact.buyingRole === 'champion').length).toBeLessThanOrEqual(1);
    }
    expect(all.some((contact) => contact.leftCompany)).toBe(true);
    expect(new Set(all.map((contact) => contact.buyingRole)).size).toBeGreaterThanOrEqual(7);
    expect(new Set(all.map((contact) => contact.attitude)).size).toBe(5);
  });

  it('lists 8 to 12 competitors, 0 to 3 per account with shares within 100%, and tenders of the last three years', async () => {
    const { db } = get();
    const competitorRows = await db.select().from(competitors);
    expect(competitorRows.length).toBeGreaterThanOrEqual(8);
    expect(competitorRows.length).toBeLessThanOrEqual(12);
    const entries = await db.select().from(accountCompetitors);
    expect(summary.competitorEntries).toBe(entries.length);
    for (const list of groupBy(entries, (entry) => entry.accountId).values()) {
      expect(list.length).toBeLessThanOrEqual(3);
      expect(list.reduce((sum, entry) => sum + (entry.shareOfWallet ?? 0), 0)).toBeLessThanOrEqual(100);
    }
    const tenderRows = await db.select().from(tenders);
    expect(summary.tenders).toBe(tenderRows.length);
    const threeYearsAgo = new Date(Date.now() - 3 * 366 * 86_400_000).toISOString().slice(0, 10);
    const today = new Date().toISOString().slice(0, 10);
    for (const list of groupBy(tenderRows, (tender) => tender.accountId).values()) expect(list.length).toBeLessThanOrEqual(5);
    for (const tender of tenderRows) {
      expect(tender.date >= threeYearsAgo && tender.date <= today, tender.date).toBe(true);
      if (tender.outcome === 'lost') expect(tender.winningCompetitorId).not.toBeNull();
      else expect(tender.winningCompetitorId).toBeNull();
      if (tender.outcome !== 'pending') expect(tender.reason).toBeTruthy();
    }
    expect(new Set(tenderRows.map((tender) => tender.outcome))).toEqual(new Set(['won', 'lost', 'pending', 'withdrawn']));
  });

  it('writes one create row of history per record, by the system, as the use-cases would', async () => {
    const { db } = get();
    const all = await db.select().from(history);
    expect(all.length).toBe(summary.historyRows);
    // The records of the dossiers are created by the system; after them the analysis runs move some
    // accounts' status (lost, active again) and the win-back detection others (won back), each
    // change a row by the system, and the demo's win-back lists and actions have their own rows.
    const winBack = all.filter((row) => row.entity === 'win-back-list' || row.entity === 'win-back-action');
    expect(winBack.length).toBeGreaterThan(0);
    const statusChanges = all.filter((row) => row.entity === 'account' && row.action === 'update');
    expect(statusChanges.every((row) => row.field === 'status' && row.userId === null)).toBe(true);
    expect(statusChanges.length).toBeGreaterThan(0);
    expect(statusChanges.every((row) => ['lost', 'active', 'won-back'].includes(row.newValue ?? ''))).toBe(true);
    const rows = all.filter((row) => !winBack.includes(row) && !statusChanges.includes(row));
    expect(rows.every((row) => row.action === 'create' && row.userId === null)).toBe(true);
    const counts = Object.fromEntries([...groupBy(rows, (row) => row.entity)].map(([entity, list]) => [entity, list.length]));
    expect(counts).toEqual({
      competitor: summary.competitors,
      account: summary.accounts,
      contact: summary.contacts,
      'account-competitor': summary.competitorEntries,
      tender: summary.tenders,
      refusal: summary.refusals,
    });
    const [account] = await db.select().from(accounts).limit(1);
    const row = rows.find((entry) => entry.entity === 'account' && entry.entityId === account?.id);
    const record = JSON.parse(row?.newValue ?? '{}') as Record<string, unknown>;
    expect(record).toMatchObject({ id: account?.id, name: account?.name, ownerId: account?.ownerId, version: 1 });
    expect(record).toHaveProperty('codes');
    expect(record).toHaveProperty('teamIds');
    expect(record).toHaveProperty('ownerName');
  });

  it('shows each KAM the accounts they own or share, through the same use-cases as the API', async () => {
    const { db } = get();
    const kams = (await db.select().from(users)).filter((user) => user.role === 'kam');
    const team = await db.select().from(accountTeam);
    for (const kam of kams) {
      const page = await listAccounts(db, { userId: kam.id, role: 'kam' }, { pageSize: 1 });
      const owned = summary.users.find((user) => user.email === kam.email)?.accounts ?? 0;
      expect(page.total).toBe(owned + team.filter((member) => member.userId === kam.id).length);
    }
  });

  it('gives the same companies and codes for the same seed, and others for another seed', async () => {
    const { db } = get();
    const rows = await db.select().from(accounts);
    const codes = groupBy(await db.select().from(accountCodes), (row) => row.accountId);
    const loaded = digestOf(rows.map((row) => ({ name: row.name, codes: (codes.get(row.id) ?? []).map((code) => code.code) })));
    const planned = (seed: number) => digestOf(planDemo(seed, new Date()).accounts.map((account) => account.fields));
    expect(loaded).toBe(planned(SEED));
    expect(planned(SEED)).toBe(planned(SEED));
    expect(planned(SEED + 1)).not.toBe(loaded);
  });

  it('loads three years of ledger through the import and analyses it, every client account in the run', async () => {
    const { pool } = get();
    const { rows: [stored] } = await pool.query(
      `select (select count(*)::int from ledger_lines) as lines, (select count(*)::int from imports) as imports,
              (select count(*)::int from analysis_results where run_id = $1 and segment is not null) as results,
              (select count(*)::int from analysis_results where run_id = $1 and segment is null and 'promising' = any(types)) as promising,
              (select count(*)::int from analysis_results where run_id = $1 and payment_days_late is not null and product_groups > 0) as scored,
              (select count(*)::int from accounts where status <> 'prospect') as clients,
              (select count(*)::int from analysis_results where run_id = $1 and 'breadwinner' = any(types)) as breadwinners,
              (select count(*)::int from analysis_results where run_id = $1 and activity = 'lost') as lost,
              (select max(sale_date) - min(sale_date) from ledger_lines) as span`,
      [summary.ledger.analysisRunId],
    );
    expect(summary.ledger.lines).toBeGreaterThan(10_000);
    expect(stored).toMatchObject({ lines: summary.ledger.lines, imports: 1, results: stored.clients });
    expect(stored.breadwinners).toBeGreaterThan(0);
    // Prospects with a budget are promising without a purchase; the ledger's due dates and groups feed the key score.
    expect(stored.promising).toBeGreaterThan(0);
    expect(stored.scored).toBeGreaterThan(stored.clients / 2);
    expect(stored.lost).toBeGreaterThan(0);
    expect(stored.span).toBeGreaterThan(3 * 365 - 15);
    const { rows: lostAccounts } = await pool.query(
      `select r.activity from analysis_results r join accounts a on a.id = r.account_id where r.run_id = $1 and a.status = 'lost'`,
      [summary.ledger.analysisRunId],
    );
    expect(lostAccounts.every((row: { activity: string }) => row.activity === 'lost')).toBe(true);
  });

  it('refuses a second load with a conflict and leaves the data as it was', async () => {
    const { db } = get();
    expect(await demoAvailable(db)).toBe(false);
    await expect(loadDemo(get(), SYSTEM_ACTOR, { seed: SEED })).rejects.toMatchObject({ code: 'conflict' });
    await expect(loadDemo(get(), SYSTEM_ACTOR, { seed: SEED + 1 })).rejects.toMatchObject({ code: 'conflict' });
    expect(await db.$count(accounts)).toBe(DEMO_ACCOUNT_COUNT);
    expect(await db.$count(users)).toBe(5);
    expect(await db.$count(history)).toBe(summary.historyRows);
  });

  it('is for an administrator only, and takes a seed of 32 bits', async () => {
    const { db } = get();
    const [director] = (await db.select().from(users)).filter((user) => user.role === 'director');
    await expect(loadDemo(get(), { userId: director?.id ?? '', role: 'director' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(loadDemo(get(), SYSTEM_ACTOR, { seed: -1 })).rejects.toMatchObject({ code: 'invalid-input' });
    await expect(loadDemo(get(), SYSTEM_ACTOR, { seed: 1.5 })).rejects.toMatchObject({ code: 'invalid-input' });
  });
});

describeDatabases('the demo routes', (get) => {
  let app: FastifyInstance;
  const signed = {} as Record<'admin' | 'director', { user: UserView; token: string; csrf: string }>;

  beforeAll(async () => {
    const database = get();
    app = await buildApp({ database, config: await loadConfig({}) });
    await app.ready();
    for (const role of ['admin', 'director'] as const) {
      const user = await createUser(database.db, SYSTEM_ACTOR, { email: `${role}@example.com`, name: role, role, password: 'haslo-testowe-1' });
      const { token, session } = await createSession(database.db, user, { hours: 1 });
      signed[role] = { user, token, csrf: session.csrfToken };
    }
  });

  afterAll(async () => {
    await app.close();
  });

  const post = (who: 'admin' | 'director', csrf = true) => app.inject({
    method: 'POST',
    url: '/api/v1/demo',
    cookies: { [SESSION_COOKIE]: signed[who].token },
    headers: csrf ? { 'x-csrf-token': signed[who].csrf } : {},
  });

  it('offers the demo while there is no account, loads it for an administrator only, then answers 409', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/demo' })).json()).toEqual({ available: true });
    expect((await app.inject({ method: 'POST', url: '/api/v1/demo' })).statusCode).toBe(401);
    expect((await post('director')).statusCode).toBe(403);
    expect((await post('admin', false)).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/v1/demo' })).json()).toEqual({ available: true });

    // Two loads at once: one is made, the other waits for it and is refused.
    const [first, second] = await Promise.all([post('admin'), post('admin')]);
    expect([first.statusCode, second.statusCode].sort(), `${first.body} ${second.body}`).toEqual([201, 409]);
    const loaded = first.statusCode === 201 ? first : second;
    const summary = loaded.json<DemoSummary>();
    expect(summary).toMatchObject({ seed: 1, accounts: DEMO_ACCOUNT_COUNT });
    expect(summary.users.filter((user) => user.role === 'kam')).toHaveLength(3);
    expect((await app.inject({ method: 'GET', url: '/api/v1/demo' })).json()).toEqual({ available: false });

    const again = await post('admin');
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'conflict' });

    // A demo KAM signs in with the password the load returned, and sees their accounts.
    const kam = summary.users.find((user) => user.role === 'kam');
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: kam?.email, password: summary.password } });
    expect(login.statusCode, login.body).toBe(200);
    const cookie = login.cookies.find((c) => c.name === SESSION_COOKIE)?.value ?? '';
    const list = await app.inject({ method: 'GET', url: '/api/v1/accounts?pageSize=1', cookies: { [SESSION_COOKIE]: cookie } });
    expect(list.json().total).toBeGreaterThanOrEqual(kam?.accounts ?? 1);
  });
});

describeDatabases('the first-run setup after `kamerton demo`', (get) => {
  it('stays open while the demo company has no administrator, and closes once one is made', async () => {
    const database = get();
    const app = await buildApp({ database, config: await loadConfig({}) });
    await app.ready();
    try {
      await loadDemo(database, SYSTEM_ACTOR, { seed: 7 });
      expect((await app.inject({ method: 'GET', url: '/api/v1/setup' })).json()).toEqual({ needed: true });
      const setup = await app.inject({
        method: 'POST', url: '/api/v1/setup', payload: { email: 'admin@firma.pl', name: 'Admin', password: 'dobre-haslo-123' },
      });
      expect(setup.statusCode).toBe(201);
      expect((await app.inject({ method: 'GET', url: '/api/v1/setup' })).json()).toEqual({ needed: false });
      const again = await app.inject({
        method: 'POST', url: '/api/v1/setup', payload: { email: 'other@firma.pl', name: 'Other', password: 'dobre-haslo-123' },
      });
      expect(again.statusCode).toBe(409);
    } finally {
      await app.close();
    }
  });
});
