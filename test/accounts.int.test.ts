/**
 * The account dossier's use-cases on a real database: who sees which account, what marketing is not
 * shown, the history every change leaves (and that it cannot be rewritten), the GDPR erasure,
 * reports-to lines, stale versions, ERP codes, and the lists' filters, search, sort and pages.
 */
import { eq, sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { listAccountHistory } from '../src/app/account-history.ts';
import {
  createAccount,
  deleteAccount,
  getAccount,
  listAccounts,
  setAccountTeam,
  updateAccount,
  type AccountCreate,
  type AccountView,
} from '../src/app/accounts.ts';
import { SYSTEM_ACTOR, type Actor } from '../src/app/actor.ts';
import {
  createAccountCompetitor,
  createCompetitor,
  deleteAccountCompetitor,
  deleteCompetitor,
  listAccountCompetitors,
  listCompetitors,
  updateAccountCompetitor,
  updateCompetitor,
} from '../src/app/competitors.ts';
import { createContact, deleteContact, eraseContact, getContact, listContacts, updateContact } from '../src/app/contacts.ts';
import { formatHistoryValue, diffFields } from '../src/app/history.ts';
import { createTender, deleteTender, listTenders, updateTender } from '../src/app/tenders.ts';
import type { Db } from '../src/db/client.ts';
import { history, users, type Role } from '../src/db/schema/index.ts';
import { describeDatabases } from './database.ts';
import { rejection } from './fixtures/errors.ts';

async function addUser(db: Db, role: Role, name: string): Promise<Actor> {
  const [user] = await db.insert(users).values({ email: `${name}@example.com`, name, role, passwordHash: 'not-a-real-hash' }).returning();
  if (user === undefined) throw new Error('no user');
  return { userId: user.id, role };
}

function userIdOf(actor: Actor): string {
  if (actor.userId === null) throw new Error('the system has no user id');
  return actor.userId;
}

async function historyOf(db: Db, entityId: string) {
  return db.select().from(history).where(eq(history.entityId, entityId)).orderBy(history.id);
}

it('keeps values as text: null, ISO dates, plain numbers, JSON objects', () => {
  expect(formatHistoryValue(null)).toBeNull();
  expect(formatHistoryValue(undefined)).toBeNull();
  expect(formatHistoryValue(new Date('2024-03-01T10:00:00Z'))).toBe('2024-03-01T10:00:00.000Z');
  expect(formatHistoryValue(1234.5)).toBe('1234.5');
  expect(formatHistoryValue(false)).toBe('false');
  expect(formatHistoryValue('tekst')).toBe('tekst');
  expect(formatHistoryValue(['A1', 'B2'])).toBe('["A1","B2"]');
  expect(diffFields({ a: 1, b: new Date(0), c: ['x'] }, { a: 2, b: new Date(0), c: ['x'] }, ['a', 'b', 'c']))
    .toEqual([{ field: 'a', oldValue: '1', newValue: '2' }]);
});

describeDatabases('account dossiers', (get) => {
  let director: Actor;
  let admin: Actor;
  let kam: Actor;
  let otherKam: Actor;
  let marketing: Actor;
  let counter = 0;

  beforeAll(async () => {
    const { db } = get();
    director = await addUser(db, 'director', 'dyrektor');
    admin = await addUser(db, 'admin', 'admin');
    kam = await addUser(db, 'kam', 'anna');
    otherKam = await addUser(db, 'kam', 'bartosz');
    marketing = await addUser(db, 'marketing', 'marta');
  });

  /** A new account owned by `owner` (via the director), with a unique name and ERP code. */
  async function newAccount(owner: Actor, extra: Partial<AccountCreate> = {}): Promise<AccountView> {
    counter += 1;
    return createAccount(get().db, director, { codes: [`K${counter}`], ...extra, name: extra.name ?? `Klient ${counter}`, ownerId: userIdOf(owner) });
  }

  it('makes the creating KAM the owner and records the creation', async () => {
    const { db } = get();
    const account = await createAccount(db, kam, { name: 'Hurtownia Wisła', codes: ['WIS-1'], annualPotential: 120000 });
    expect(account.ownerId).toBe(kam.userId);
    expect(account.ownerName).toBe('anna');
    expect(account.version).toBe(1);
    const rows = await historyOf(db, account.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'create', entity: 'account', field: null, oldValue: null, userId: kam.userId, accountId: account.id });
    expect(JSON.parse(rows[0]?.newValue ?? '{}')).toMatchObject({ name: 'Hurtownia Wisła', codes: ['WIS-1'], annualPotential: 120000 });
  });

  it('refuses a KAM who names another owner, and lets the director assign one', async () => {
    const { db } = get();
    const refused = await rejection(createAccount(db, kam, { name: 'Cudzy', ownerId: otherKam.userId }));
    expect(refused.code).toBe('forbidden');
    expect(refused.details.field).toBe('ownerId');
    const assigned = await createAccount(db, director, { name: 'Przydzielony', ownerId: otherKam.userId });
    expect(assigned.ownerId).toBe(otherKam.userId);
    const notKam = await rejection(createAccount(db, director, { name: 'Zły właściciel', ownerId: marketing.userId }));
    expect(notKam.code).toBe('invalid-input');
    expect(notKam.details.field).toBe('ownerId');
  });

  it('shows a KAM only the accounts they own or are on the team of', async () => {
    const { db } = get();
    const own = await newAccount(kam);
    const foreign = await newAccount(otherKam);
    const visible = async () => (await listAccounts(db, kam, { pageSize: 200 })).items.map((a) => a.id);
    expect(await visible()).toContain(own.id);
    expect(await visible()).not.toContain(foreign.id);
    expect((await rejection(getAccount(db, kam, foreign.id))).code).toBe('not-found');
    expect((await rejection(updateAccount(db, kam, foreign.id, { name: 'x' }, 1))).code).toBe('not-found');
    expect((await rejection(listContacts(db, kam, foreign.id))).code).toBe('not-found');
    expect((await rejection(listTenders(db, kam, foreign.id))).code).toBe('not-found');
    expect((await rejection(listAccountHistory(db, kam, foreign.id))).code).toBe('not-found');

    const teamed = await setAccountTeam(db, director, foreign.id, [userIdOf(kam)], foreign.version);
    expect(teamed.teamIds).toEqual([kam.userId]);
    expect(teamed.version).toBe(2);
    expect(await visible()).toContain(foreign.id);
    expect((await getAccount(db, kam, foreign.id)).name).toBe(foreign.name);
    // A team member changes the account, but only its owner or a director sets its team.
    expect((await updateAccount(db, kam, foreign.id, { region: 'Pomorze' }, 2)).region).toBe('Pomorze');
    expect((await rejection(setAccountTeam(db, kam, foreign.id, [], 3))).code).toBe('forbidden');
    const teamRows = (await historyOf(db, foreign.id)).filter((row) => row.field === 'teamIds');
    expect(teamRows).toMatchObject([{ action: 'update', oldValue: '[]', newValue: JSON.stringify([kam.userId]) }]);
  });

  it('shows the director and the administrator every account', async () => {
    const { db } = get();
    const a = await newAccount(kam);
    const b = await newAccount(otherKam);
    for (const actor of [director, admin]) {
      const ids = (await listAccounts(db, actor, { pageSize: 200 })).items.map((item) => item.id);
      expect(ids).toEqual(expect.arrayContaining([a.id, b.id]));
      expect((await getAccount(db, actor, b.id)).id).toBe(b.id);
    }
  });

  it('gives marketing no financial fields, payment data or private notes, and no writes', async () => {
    const { db } = get();
    const account = await newAccount(kam, { name: 'Tajny Sp. z o.o.', annualPotential: 500000, paymentDaysLate: 12.5, privateNotes: 'negocjuje twardo' });
    const seen = await getAccount(db, marketing, account.id);
    expect(seen.name).toBe('Tajny Sp. z o.o.');
    for (const key of ['annualPotential', 'paymentDaysLate', 'privateNotes']) expect(Object.keys(seen)).not.toContain(key);
    const listed = (await listAccounts(db, marketing, { q: 'Tajny' })).items;
    expect(listed).toHaveLength(1);
    expect(Object.keys(listed[0] ?? {})).not.toContain('annualPotential');
    expect(Object.keys(listed[0] ?? {})).not.toContain('privateNotes');
    // The director sees them.
    expect(await getAccount(db, director, account.id)).toMatchObject({ annualPotential: 500000, paymentDaysLate: 12.5, privateNotes: 'negocjuje twardo' });

    expect((await rejection(createAccount(db, marketing, { name: 'Nowy' }))).code).toBe('forbidden');
    expect((await rejection(updateAccount(db, marketing, account.id, { name: 'x' }, account.version))).code).toBe('forbidden');
    expect((await rejection(deleteAccount(db, marketing, account.id))).code).toBe('forbidden');
    expect((await rejection(createContact(db, marketing, account.id, { name: 'Jan' }))).code).toBe('forbidden');
    expect((await rejection(listTenders(db, marketing, account.id))).code).toBe('forbidden');
    expect((await rejection(listAccountCompetitors(db, marketing, account.id))).code).toBe('forbidden');
    expect((await rejection(listCompetitors(db, marketing))).code).toBe('forbidden');
    expect((await rejection(listAccountHistory(db, marketing, account.id))).code).toBe('forbidden');
    const sortByMoney = await rejection(listAccounts(db, marketing, { sort: 'annualPotential' }));
    expect(sortByMoney.code).toBe('invalid-input');
    expect(sortByMoney.details.field).toBe('sort');
    // Marketing reads contacts.
    await createContact(db, kam, account.id, { name: 'Jan Kowalski', position: 'Prezes' });
    expect((await listContacts(db, marketing, account.id)).items.map((c) => c.name)).toEqual(['Jan Kowalski']);
  });

  it('records one history row per changed field and bumps the version', async () => {
    const { db } = get();
    const account = await newAccount(kam, { name: 'Zmienny', industry: 'budownictwo', employees: 10 });
    const updated = await updateAccount(db, kam, account.id, { name: 'Zmienny SA', employees: 12, industry: 'budownictwo', status: 'active' }, 1);
    expect(updated).toMatchObject({ name: 'Zmienny SA', employees: 12, status: 'active', version: 2 });
    const rows = (await historyOf(db, account.id)).filter((row) => row.action === 'update');
    expect(rows.map((row) => [row.field, row.oldValue, row.newValue])).toEqual([
      ['name', 'Zmienny', 'Zmienny SA'],
      ['employees', '10', '12'],
      ['status', 'prospect', 'active'],
    ]);
    expect(rows.every((row) => row.userId === kam.userId)).toBe(true);
    // The same values again change nothing: no history, no new version.
    const same = await updateAccount(db, kam, account.id, { name: 'Zmienny SA' }, 2);
    expect(same.version).toBe(2);
    expect((await historyOf(db, account.id)).filter((row) => row.action === 'update')).toHaveLength(3);
  });

  it('refuses a change made on a stale version and hands back the current record in the reader\'s shape', async () => {
    const { db } = get();
    const account = await newAccount(kam, { name: 'Wersja', annualPotential: 1000 });
    await updateAccount(db, director, account.id, { region: 'Mazowsze' }, 1);
    const stale = await rejection(updateAccount(db, kam, account.id, { region: 'Śląsk' }, 1));
    expect(stale.code).toBe('conflict');
    expect(stale.details.current).toMatchObject({ id: account.id, version: 2, region: 'Mazowsze', annualPotential: 1000 });
    expect((await getAccount(db, kam, account.id)).region).toBe('Mazowsze');
    expect((await rejection(deleteAccount(db, director, account.id, 1))).code).toBe('conflict');
  });

  it('lets exactly one of two simultaneous changes on the same version through', async () => {
    const { db } = get();
    const account = await newAccount(kam);
    const results = await Promise.allSettled([
      updateAccount(db, kam, account.id, { region: 'Kujawy' }, 1),
      updateAccount(db, director, account.id, { region: 'Warmia' }, 1),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const [refused] = results.filter((result) => result.status === 'rejected');
    expect((refused as PromiseRejectedResult).reason).toMatchObject({ code: 'conflict', details: { current: { version: 2 } } });
    expect((await historyOf(get().db, account.id)).filter((row) => row.field === 'region')).toHaveLength(1);
  });

  it('moves a new owner out of the team, and lets only a director or an administrator change the owner', async () => {
    const { db } = get();
    const account = await newAccount(kam);
    await setAccountTeam(db, kam, account.id, [userIdOf(otherKam)], 1);
    const refused = await rejection(updateAccount(db, kam, account.id, { ownerId: otherKam.userId }, 2));
    expect(refused).toMatchObject({ code: 'forbidden', details: { field: 'ownerId' } });
    const moved = await updateAccount(db, director, account.id, { ownerId: otherKam.userId }, 2);
    expect(moved).toMatchObject({ ownerId: otherKam.userId, ownerName: 'bartosz', teamIds: [], version: 3 });
    const rows = (await historyOf(db, account.id)).filter((row) => row.action === 'update').map((row) => [row.field, row.oldValue, row.newValue]);
    expect(rows.slice(-2)).toEqual([
      ['ownerId', kam.userId, otherKam.userId],
      ['teamIds', JSON.stringify([otherKam.userId]), '[]'],
    ]);
    // The former owner no longer sees it.
    expect((await rejection(getAccount(db, kam, account.id))).code).toBe('not-found');
  });

  it('records changes by the system (the demo, imports) without a user', async () => {
    const { db } = get();
    const account = await createAccount(db, SYSTEM_ACTOR, { name: 'Z importu', ownerId: kam.userId });
    expect(account.ownerId).toBe(kam.userId);
    expect((await historyOf(db, account.id))[0]).toMatchObject({ action: 'create', userId: null });
  });

  it('refuses an ERP code that belongs to another account and names it', async () => {
    const { db } = get();
    const first = await newAccount(kam, { name: 'Pierwszy', codes: ['ERP-100', 'ERP-101'] });
    const duplicate = await rejection(createAccount(db, director, { name: 'Drugi', codes: ['ERP-200', 'ERP-101'] }));
    expect(duplicate.code).toBe('conflict');
    expect(duplicate.details).toMatchObject({ field: 'codes', value: 'ERP-101' });
    expect(duplicate.message).toContain('ERP-101');
    const second = await newAccount(kam, { name: 'Drugi', codes: ['ERP-200'] });
    const taken = await rejection(updateAccount(db, kam, second.id, { codes: ['ERP-200', 'ERP-100'] }, 1));
    expect(taken.code).toBe('conflict');
    expect(taken.details.value).toBe('ERP-100');
    // Moving codes within one account, and freeing one for another, works.
    const moved = await updateAccount(db, kam, first.id, { codes: ['ERP-100'] }, 1);
    expect(moved.codes).toEqual(['ERP-100']);
    expect((await updateAccount(db, kam, second.id, { codes: ['ERP-101', 'ERP-200'] }, 1)).codes).toEqual(['ERP-101', 'ERP-200']);
    const codeRows = (await historyOf(db, first.id)).filter((row) => row.field === 'codes');
    expect(codeRows).toMatchObject([{ oldValue: '["ERP-100","ERP-101"]', newValue: '["ERP-100"]' }]);
    const twice = await rejection(createAccount(db, director, { name: 'Dwa razy', codes: ['X1', 'X1'] }));
    expect(twice.code).toBe('invalid-input');
    expect(twice.details.field).toBe('codes');
  });

  it('rejects unknown fields and invalid values, naming the field', async () => {
    const { db } = get();
    const unknown = await rejection(createAccount(db, director, { name: 'X', ownerNotes: 'y' } as never));
    expect(unknown.code).toBe('invalid-input');
    expect(unknown.details.field).toBe('ownerNotes');
    const badNip = await rejection(createAccount(db, director, { name: 'X', taxId: '12345' }));
    expect(badNip.details.field).toBe('taxId');
    const reputation = await rejection(createAccount(db, director, { name: 'X', reputationInfluence: 6 }));
    expect(reputation.details.field).toBe('reputationInfluence');
  });

  it('filters, searches, sorts and pages the list', async () => {
    const { db } = get();
    const owner = await addUser(db, 'kam', 'lista');
    const make = (name: string, extra: Partial<AccountCreate>) => newAccount(owner, { ...extra, name });
    const alfa = await make('Alfa', { codes: ['L-ALFA-9'], industry: 'Spożywcza', region: 'Mazowsze', status: 'active', imageMaker: true, taxId: '526-000-12-46' });
    const beta = await make('Beta', { codes: ['L-BETA'], industry: 'spożywcza', region: 'Śląsk', status: 'prospect', expert: true });
    const gamma = await make('Gamma', { codes: ['L-GAMMA'], industry: 'Budowlana', region: 'Mazowsze', status: 'active' });
    const delta = await make('delta', { codes: ['L-DELTA'], industry: 'Budowlana', region: 'Mazowsze', status: 'lost' });
    const names = async (query: Parameters<typeof listAccounts>[2]) =>
      (await listAccounts(db, owner, { pageSize: 200, ...query })).items.map((a) => a.name);

    expect(await names({})).toEqual(['Alfa', 'Beta', 'delta', 'Gamma']);
    expect(await names({ sort: 'name', order: 'desc' })).toEqual(['Gamma', 'delta', 'Beta', 'Alfa']);
    expect(await names({ status: 'active' })).toEqual(['Alfa', 'Gamma']);
    expect(await names({ industry: 'SPOŻYWCZA' })).toEqual(['Alfa', 'Beta']);
    expect(await names({ region: 'mazowsze', status: 'active' })).toEqual(['Alfa', 'Gamma']);
    expect(await names({ imageMaker: 'true' })).toEqual(['Alfa']);
    expect(await names({ expert: true })).toEqual(['Beta']);
    expect(await names({ q: 'alfa-9' })).toEqual(['Alfa']);
    expect(await names({ q: 'l-' })).toEqual(['Alfa', 'Beta', 'delta', 'Gamma']);
    expect(await names({ q: '5260001246' })).toEqual(['Alfa']);
    expect(await names({ q: '526-000' })).toEqual(['Alfa']);
    expect(await names({ q: 'amm' })).toEqual(['Gamma']);
    expect(await names({ q: '%' })).toEqual([]);
    expect(alfa.taxId).toBe('5260001246');

    const directorView = await listAccounts(db, director, { ownerId: userIdOf(owner), sort: 'name', page: 2, pageSize: 3 });
    expect(directorView).toMatchObject({ total: 4, page: 2, pageSize: 3 });
    expect(directorView.items.map((a) => a.id)).toEqual([gamma.id]);
    const firstPage = await listAccounts(db, director, { ownerId: userIdOf(owner), page: '1', pageSize: '2' });
    expect(firstPage.items.map((a) => a.id)).toEqual([alfa.id, beta.id]);
    expect(firstPage.total).toBe(4);
    expect((await listAccounts(db, director, { ownerId: userIdOf(owner), sort: 'status' })).items.map((a) => a.status))
      .toEqual(['active', 'active', 'lost', 'prospect']);
    expect(delta.status).toBe('lost');

    const unowned = await createAccount(db, director, { name: 'Bez opiekuna' });
    expect((await listAccounts(db, director, { ownerId: 'none', pageSize: 200 })).items.map((a) => a.id)).toContain(unowned.id);
    expect((await rejection(listAccounts(db, director, { pageSize: 500 }))).details.field).toBe('pageSize');
    expect((await rejection(listAccounts(db, director, { sort: 'privateNotes' as never }))).details.field).toBe('sort');
  });

  it('lets only a director or an administrator delete an account, recording it and its records', async () => {
    const { db } = get();
    const account = await newAccount(kam, { name: 'Do usunięcia' });
    const contact = await createContact(db, kam, account.id, { name: 'Ewa Nowak' });
    const tender = await createTender(db, kam, account.id, { title: 'Przetarg 1', date: '2024-05-01' });
    expect((await rejection(deleteAccount(db, kam, account.id))).code).toBe('forbidden');
    await deleteAccount(db, director, account.id, account.version);
    expect((await rejection(getAccount(db, director, account.id))).code).toBe('not-found');
    const accountRows = await historyOf(db, account.id);
    expect(accountRows.at(-1)).toMatchObject({ action: 'delete', oldValue: expect.stringContaining('Do usunięcia'), userId: director.userId });
    expect((await historyOf(db, contact.id)).at(-1)).toMatchObject({ action: 'delete', accountId: account.id });
    expect((await historyOf(db, tender.id)).at(-1)).toMatchObject({ action: 'delete', accountId: account.id });
  });

  it('records the history of contacts and reads it back newest first', async () => {
    const { db } = get();
    const account = await newAccount(kam);
    const contact = await createContact(db, kam, account.id, { name: 'Piotr Zieliński', email: 'p.zielinski@example.pl', influence: 3 });
    const changed = await updateContact(db, kam, account.id, contact.id, { influence: 5, attitude: 'supporter', email: 'p.zielinski@example.pl' }, 1);
    expect(changed.version).toBe(2);
    const rows = await historyOf(db, contact.id);
    expect(rows.map((row) => [row.action, row.field, row.oldValue, row.newValue])).toEqual([
      ['create', null, null, expect.stringContaining('Piotr Zieliński')],
      ['update', 'influence', '3', '5'],
      ['update', 'attitude', 'neutral', 'supporter'],
    ]);
    const stale = await rejection(updateContact(db, kam, account.id, contact.id, { influence: 1 }, 1));
    expect(stale.code).toBe('conflict');
    expect(stale.details.current).toMatchObject({ id: contact.id, version: 2, influence: 5 });
    await deleteContact(db, kam, account.id, contact.id, 2);
    expect((await rejection(getContact(db, kam, account.id, contact.id))).code).toBe('not-found');

    const page = await listAccountHistory(db, kam, account.id, { pageSize: 2 });
    expect(page.total).toBe(5);
    expect(page.items.map((item) => [item.entity, item.action])).toEqual([['contact', 'delete'], ['contact', 'update']]);
    expect(page.items[0]?.userName).toBe('anna');
    const last = await listAccountHistory(db, kam, account.id, { pageSize: 2, page: 3 });
    expect(last.items.map((item) => [item.entity, item.action])).toEqual([['account', 'create']]);
  });

  it('keeps reports-to lines inside one account and free of cycles', async () => {
    const { db } = get();
    const account = await newAccount(kam);
    const elsewhere = await newAccount(kam);
    const ceo = await createContact(db, kam, account.id, { name: 'Prezes' });
    const cfo = await createContact(db, kam, account.id, { name: 'Dyrektor finansowy', reportsToId: ceo.id });
    const buyer = await createContact(db, kam, account.id, { name: 'Kupiec', reportsToId: cfo.id });
    const stranger = await createContact(db, kam, elsewhere.id, { name: 'Obcy' });

    const cycle = await rejection(updateContact(db, kam, account.id, ceo.id, { reportsToId: buyer.id }, ceo.version));
    expect(cycle.code).toBe('invalid-input');
    expect(cycle.details.field).toBe('reportsToId');
    const self = await rejection(updateContact(db, kam, account.id, ceo.id, { reportsToId: ceo.id }, ceo.version));
    expect(self.details.field).toBe('reportsToId');
    const foreign = await rejection(createContact(db, kam, account.id, { name: 'X', reportsToId: stranger.id }));
    expect(foreign).toMatchObject({ code: 'invalid-input', details: { field: 'reportsToId' } });
    // A line that is not a cycle is fine.
    expect((await updateContact(db, kam, account.id, buyer.id, { reportsToId: ceo.id }, buyer.version)).reportsToId).toBe(ceo.id);

    // Deleting a manager leaves their reports without one, and says so in their history.
    await deleteContact(db, kam, account.id, ceo.id);
    const cfoNow = await getContact(db, kam, account.id, cfo.id);
    expect(cfoNow.reportsToId).toBeNull();
    expect((await historyOf(db, cfo.id)).at(-1)).toMatchObject({ action: 'update', field: 'reportsToId', oldValue: ceo.id, newValue: null });
  });

  it('erases a person on request: fields and history values blanked, the erasure recorded (admin only)', async () => {
    const { db, pool } = get();
    const account = await newAccount(kam);
    const contact = await createContact(db, kam, account.id, {
      name: 'Joanna Wiśniewska', position: 'Kierownik zakupów', department: 'Zakupy', email: 'j.wisniewska@example.pl', phone: '+48 600 100 200',
    });
    await updateContact(db, kam, account.id, contact.id, { phone: '+48 600 999 999' }, 1);
    const other = await createContact(db, kam, account.id, { name: 'Zostaje' });

    expect((await rejection(eraseContact(db, director, contact.id))).code).toBe('forbidden');
    expect((await rejection(eraseContact(db, kam, contact.id))).code).toBe('forbidden');
    const erasure = await eraseContact(db, admin, contact.id);
    expect(erasure.historyRowsBlanked).toBe(2);
    expect(erasure.contact).toMatchObject({ name: 'erased', position: null, department: null, email: null, phone: null, version: 3 });
    expect(erasure.contact?.erasedAt).toBeInstanceOf(Date);
    expect(erasure.erasedAt).toEqual(erasure.contact?.erasedAt);

    const rows = await historyOf(db, contact.id);
    expect(rows.map((row) => row.action)).toEqual(['create', 'update', 'erase']);
    expect(rows.every((row) => row.oldValue === null && row.newValue === null)).toBe(true);
    expect(rows.at(-1)?.userId).toBe(admin.userId);
    const stored = await pool.query<{ n: number }>(
      `select count(*)::int as n from history where old_value like '%Wiśniewska%' or new_value like '%Wiśniewska%' or new_value like '%600 100 200%' or new_value like '%600 999 999%'`,
    );
    expect(stored.rows[0]?.n).toBe(0);
    // Nobody else's history is touched.
    expect((await historyOf(db, other.id))[0]?.newValue).toContain('Zostaje');

    const change = await rejection(updateContact(db, kam, account.id, contact.id, { name: 'Joanna' }, 3));
    expect(change.code).toBe('conflict');
    expect(await eraseContact(db, admin, contact.id)).toMatchObject({ historyRowsBlanked: 0, contact: { version: 3 } });
    expect((await historyOf(db, contact.id)).filter((row) => row.action === 'erase')).toHaveLength(1);
    expect((await rejection(eraseContact(db, admin, '00000000-0000-4000-8000-000000000000'))).code).toBe('not-found');
  });

  it('erases a deleted contact\'s values from the history too', async () => {
    const { db } = get();
    const account = await newAccount(kam);
    const contact = await createContact(db, kam, account.id, { name: 'Tomasz Lewandowski', email: 't.lewandowski@example.pl' });
    await deleteContact(db, kam, account.id, contact.id);
    const erasure = await eraseContact(db, admin, contact.id);
    expect(erasure).toMatchObject({ contactId: contact.id, contact: null, historyRowsBlanked: 2 });
    const rows = await historyOf(db, contact.id);
    expect(rows.map((row) => [row.action, row.oldValue, row.newValue, row.accountId])).toEqual([
      ['create', null, null, account.id],
      ['delete', null, null, account.id],
      ['erase', null, null, account.id],
    ]);
    expect(await eraseContact(db, admin, contact.id)).toMatchObject({ contact: null, historyRowsBlanked: 0, erasedAt: erasure.erasedAt });
    expect(await historyOf(db, contact.id)).toHaveLength(3);
  });

  it('refuses to update or delete history rows, even while erasing beyond the blanking', async () => {
    const { pool } = get();
    const [row] = (await pool.query<{ id: string }>('select id from history order by id limit 1')).rows;
    await expect(pool.query('update history set field = $1 where id = $2', ['x', row?.id])).rejects.toThrow(/append-only/);
    await expect(pool.query('update history set new_value = null where id = $1', [row?.id])).rejects.toThrow(/append-only/);
    await expect(pool.query('delete from history where id = $1', [row?.id])).rejects.toThrow(/append-only/);
    const client = await pool.connect();
    try {
      await client.query('begin');
      await client.query(`set local kamerton.erasing = 'on'`);
      await expect(client.query(`update history set new_value = 'forged' where id = $1`, [row?.id])).rejects.toThrow(/append-only/);
      await client.query('rollback');
    } finally {
      client.release();
    }
  });

  it('keeps competitors for directors and records competitor entries on an account', async () => {
    const { db } = get();
    expect((await rejection(createCompetitor(db, kam, { name: 'Konkurent' }))).code).toBe('forbidden');
    const rival = await createCompetitor(db, director, { name: 'Rywal SA', website: 'https://rywal.example' });
    const duplicate = await rejection(createCompetitor(db, admin, { name: 'RYWAL sa' }));
    expect(duplicate).toMatchObject({ code: 'conflict', details: { field: 'name' } });
    const renamed = await updateCompetitor(db, director, rival.id, { description: 'Tani importer' }, 1);
    expect(renamed.version).toBe(2);
    expect((await listCompetitors(db, kam, { q: 'rywal' })).items.map((c) => c.id)).toEqual([rival.id]);
    expect((await historyOf(db, rival.id)).map((row) => [row.entity, row.action, row.field, row.accountId]))
      .toEqual([['competitor', 'create', null, null], ['competitor', 'update', 'description', null]]);

    const account = await newAccount(kam);
    const tooMuch = await rejection(createAccountCompetitor(db, kam, account.id, { competitorId: rival.id, shareOfWallet: 101 }));
    expect(tooMuch).toMatchObject({ code: 'invalid-input', details: { field: 'shareOfWallet' } });
    const unknownRival = await rejection(createAccountCompetitor(db, kam, account.id, { competitorId: '00000000-0000-4000-8000-000000000000' }));
    expect(unknownRival).toMatchObject({ code: 'invalid-input', details: { field: 'competitorId' } });
    const entry = await createAccountCompetitor(db, kam, account.id, { competitorId: rival.id, shareOfWallet: 30, strengths: 'cena' });
    expect(entry).toMatchObject({ competitorName: 'Rywal SA', shareOfWallet: 30 });
    expect((await rejection(createAccountCompetitor(db, kam, account.id, { competitorId: rival.id }))).code).toBe('conflict');
    const foreign = await newAccount(otherKam);
    expect((await rejection(createAccountCompetitor(db, kam, foreign.id, { competitorId: rival.id }))).code).toBe('not-found');

    const updated = await updateAccountCompetitor(db, kam, account.id, entry.id, { shareOfWallet: 45.5, weaknesses: 'serwis' }, 1);
    expect(updated).toMatchObject({ shareOfWallet: 45.5, version: 2 });
    expect((await listAccountCompetitors(db, kam, account.id)).items.map((e) => e.id)).toEqual([entry.id]);
    const inUse = await rejection(deleteCompetitor(db, director, rival.id));
    expect(inUse.code).toBe('conflict');
    await deleteAccountCompetitor(db, kam, account.id, entry.id, 2);
    expect((await historyOf(db, entry.id)).map((row) => [row.entity, row.action, row.field, row.oldValue, row.newValue])).toEqual([
      ['account-competitor', 'create', null, null, expect.stringContaining('"shareOfWallet":30')],
      ['account-competitor', 'update', 'shareOfWallet', '30', '45.5'],
      ['account-competitor', 'update', 'weaknesses', null, 'serwis'],
      ['account-competitor', 'delete', null, expect.stringContaining('serwis'), null],
    ]);
    await deleteCompetitor(db, director, rival.id, 2);
    expect((await historyOf(db, rival.id)).at(-1)?.action).toBe('delete');
  });

  it('records tenders and checks their winning competitor', async () => {
    const { db } = get();
    const account = await newAccount(kam);
    const rival = await createCompetitor(db, director, { name: 'Zwycięzca' });
    const unknown = await rejection(createTender(db, kam, account.id, {
      title: 'Dostawa 2024', date: '2024-02-01', winningCompetitorId: '00000000-0000-4000-8000-000000000000',
    }));
    expect(unknown).toMatchObject({ code: 'invalid-input', details: { field: 'winningCompetitorId' } });
    const badDate = await rejection(createTender(db, kam, account.id, { title: 'Zła data', date: '2024-02-30' }));
    expect(badDate.details.field).toBe('date');
    const older = await createTender(db, kam, account.id, { title: 'Dostawa 2023', date: '2023-03-01', value: 50000 });
    const newer = await createTender(db, kam, account.id, { title: 'Dostawa 2024', date: '2024-02-01', value: 80000 });
    expect((await listTenders(db, kam, account.id)).items.map((t) => t.id)).toEqual([newer.id, older.id]);
    expect((await listTenders(db, kam, account.id, { sort: 'value', order: 'asc' })).items.map((t) => t.id)).toEqual([older.id, newer.id]);
    const lost = await updateTender(db, kam, account.id, newer.id, { outcome: 'lost', reason: 'cena', winningCompetitorId: rival.id }, 1);
    expect(lost).toMatchObject({ outcome: 'lost', winningCompetitorName: 'Zwycięzca', version: 2 });
    expect((await listTenders(db, kam, account.id, { outcome: 'lost' })).items.map((t) => t.id)).toEqual([newer.id]);
    expect((await rejection(updateTender(db, kam, account.id, newer.id, { value: 1 }, 1))).code).toBe('conflict');
    await deleteTender(db, kam, account.id, older.id);
    expect((await historyOf(db, newer.id)).map((row) => [row.action, row.field, row.oldValue, row.newValue])).toEqual([
      ['create', null, null, expect.stringContaining('"date":"2024-02-01"')],
      ['update', 'outcome', 'pending', 'lost'],
      ['update', 'reason', null, 'cena'],
      ['update', 'winningCompetitorId', null, rival.id],
    ]);
    expect((await historyOf(db, older.id)).map((row) => row.action)).toEqual(['create', 'delete']);
    const otherAccount = await newAccount(otherKam);
    expect((await rejection(updateTender(db, kam, otherAccount.id, newer.id, { value: 1 }, 2))).code).toBe('not-found');
  });

  it('writes nothing when a change fails halfway', async () => {
    const { db } = get();
    const account = await newAccount(kam, { codes: ['HALF-1'] });
    const taken = await newAccount(kam, { codes: ['HALF-2'] });
    const before = await db.select({ n: sql<number>`count(*)::int` }).from(history);
    await rejection(updateAccount(db, kam, account.id, { name: 'Nowa nazwa', codes: ['HALF-1', 'HALF-2'] }, 1));
    expect((await getAccount(db, kam, account.id)).name).toBe(account.name);
    expect(await db.select({ n: sql<number>`count(*)::int` }).from(history)).toEqual(before);
    expect(taken.codes).toEqual(['HALF-2']);
  });
});
