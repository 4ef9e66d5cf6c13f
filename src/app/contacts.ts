/**
 * Contacts, the decision-making map of an account: who decides, who buys, who influences, and who
 * reports to whom. A contact is read and changed by those who may read and change its account;
 * marketing reads contacts too. Reports-to lines stay inside one account and never form a cycle.
 * An administrator erases a person's data on request (GDPR): their fields and their values in the
 * history are blanked, and the erasure itself is recorded.
 */
import { and, desc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { KamertonError } from '../core/errors.ts';
import type { Db } from '../db/client.ts';
import { ATTITUDES, BUYING_ROLES, contacts, history, RELATIONSHIPS } from '../db/schema/index.ts';
import { isUuid, loadAccessibleAccount, type Executor, type Transaction } from './access.ts';
import {
  containsPattern,
  definedFields,
  orderBy,
  optionalText,
  pageQueryFields,
  pageWindow,
  queryFlag,
  staleVersion,
} from './accounts.ts';
import type { Actor } from './actor.ts';
import { parseInput, type Page } from './input.ts';
import { diffFields, recordChanges, recordCreate, recordDelete, recordErase, type HistoryTarget } from './history.ts';

export type ContactView = typeof contacts.$inferSelect;

/** An e-mail address, or empty (no address). */
const emailSchema = z.string().trim().max(320)
  .refine((value) => value === '' || z.email().safeParse(value).success, { message: 'not an e-mail address' })
  .transform((value) => (value === '' ? null : value))
  .nullable();

const contactFields = {
  name: z.string().trim().min(1).max(300),
  position: optionalText(300),
  department: optionalText(300),
  email: emailSchema,
  phone: optionalText(50),
  buyingRole: z.enum(BUYING_ROLES),
  influence: z.number().int().min(1).max(5).nullable().describe('Influence on the buying decision, 1 (little) to 5 (decisive).'),
  attitude: z.enum(ATTITUDES),
  relationship: z.enum(RELATIONSHIPS).describe('How well we know the person.'),
  reportsToId: z.uuid().nullable().describe('Another contact of the same account.'),
  leftCompany: z.boolean(),
};

/** A new contact: a name, and any other fields. */
export const contactCreateSchema = z.strictObject(contactFields).partial().extend({ name: contactFields.name });
/** A change to a contact: any fields; those left out keep their values. */
export const contactPatchSchema = z.strictObject(contactFields).partial();

export type ContactCreate = z.input<typeof contactCreateSchema>;
export type ContactPatch = z.input<typeof contactPatchSchema>;

const CONTACT_HISTORY_FIELDS = [
  'name', 'position', 'department', 'email', 'phone', 'buyingRole', 'influence', 'attitude', 'relationship',
  'reportsToId', 'leftCompany',
] as const satisfies readonly (keyof ContactView)[];

export const CONTACT_SORTS = ['name', 'position', 'department', 'buyingRole', 'influence', 'createdAt', 'updatedAt'] as const;

export const contactListQuerySchema = z.strictObject({
  ...pageQueryFields,
  sort: z.enum(CONTACT_SORTS).optional().describe('Sort field (default name).'),
  q: z.string().trim().max(200).optional().describe('Text search in the name, position, department and e-mail.'),
  buyingRole: z.enum(BUYING_ROLES).optional(),
  leftCompany: queryFlag.optional(),
});
export type ContactListQuery = z.input<typeof contactListQuerySchema>;

/** The contacts of account `accountId`, for those who may read the account (marketing included). */
export async function listContacts(db: Db, actor: Actor, accountId: string, query: ContactListQuery = {}): Promise<Page<ContactView>> {
  const q = parseInput(contactListQuerySchema, query);
  await loadAccessibleAccount(db, actor, accountId, 'read');
  const filters: (SQL | undefined)[] = [eq(contacts.accountId, accountId)];
  if (q.buyingRole !== undefined) filters.push(eq(contacts.buyingRole, q.buyingRole));
  if (q.leftCompany !== undefined) filters.push(eq(contacts.leftCompany, q.leftCompany));
  if (q.q !== undefined && q.q !== '') {
    const pattern = containsPattern(q.q);
    filters.push(or(ilike(contacts.name, pattern), ilike(contacts.position, pattern), ilike(contacts.department, pattern), ilike(contacts.email, pattern)));
  }
  const where = and(...filters);
  const sort = q.sort ?? 'name';
  const direction = q.order ?? (sort === 'createdAt' || sort === 'updatedAt' || sort === 'influence' ? 'desc' : 'asc');
  const expression = sort === 'name' ? sql`lower(${contacts.name})` : contacts[sort];
  const { limit, offset } = pageWindow(q);
  const [counted] = await db.select({ total: sql<number>`count(*)::int` }).from(contacts).where(where);
  const items = await db.select().from(contacts).where(where).orderBy(...orderBy(expression, direction, contacts.id)).limit(limit).offset(offset);
  return { items, total: counted?.total ?? 0, page: q.page, pageSize: q.pageSize };
}

/** Contact `contactId` of account `accountId`; not-found when either is missing or out of the actor's reach. */
export async function getContact(db: Db, actor: Actor, accountId: string, contactId: string): Promise<ContactView> {
  await loadAccessibleAccount(db, actor, accountId, 'read');
  return loadContact(db, accountId, contactId);
}

/** Adds a contact to account `accountId`. */
export async function createContact(db: Db, actor: Actor, accountId: string, input: ContactCreate): Promise<ContactView> {
  const fields = definedFields(parseInput(contactCreateSchema, input));
  return db.transaction(async (tx) => {
    await loadAccessibleAccount(tx, actor, accountId, 'write', { lock: true });
    if (fields.reportsToId !== undefined && fields.reportsToId !== null) await assertReportsTo(tx, accountId, null, fields.reportsToId);
    const [created] = await tx.insert(contacts).values({ ...fields, accountId }).returning() as [ContactView];
    await recordCreate(tx, actor, contactTarget(created), created);
    return created;
  });
}

/**
 * Changes the fields of `patch` on a contact, made on `version`. A reports-to line must name another
 * contact of the same account and must not close a cycle. An erased contact cannot be changed.
 */
export async function updateContact(
  db: Db, actor: Actor, accountId: string, contactId: string, patch: ContactPatch, version: number,
): Promise<ContactView> {
  const fields = definedFields(parseInput(contactPatchSchema, patch));
  return db.transaction(async (tx) => {
    // The account's lock makes reports-to changes under one account happen one at a time, so that two
    // changes that each look acyclic cannot close a cycle together.
    await loadAccessibleAccount(tx, actor, accountId, 'write', { lock: true });
    const before = await loadContact(tx, accountId, contactId);
    if (before.version !== version) throw staleVersion('contact', before);
    if (before.erasedAt !== null) {
      throw new KamertonError('conflict', 'The contact\'s personal data was erased on request: it cannot be changed.', { field: 'contactId', value: contactId });
    }
    const after: ContactView = { ...before, ...fields };
    const changes = diffFields(before, after, CONTACT_HISTORY_FIELDS);
    if (changes.length === 0) return before;
    if (after.reportsToId !== null && after.reportsToId !== before.reportsToId) await assertReportsTo(tx, accountId, contactId, after.reportsToId);
    const [updated] = await tx.update(contacts)
      .set({ ...fields, version: sql`${contacts.version} + 1`, updatedAt: sql`now()` })
      .where(and(eq(contacts.id, contactId), eq(contacts.version, version)))
      .returning();
    if (updated === undefined) throw staleVersion('contact', await loadContact(tx, accountId, contactId));
    await recordChanges(tx, actor, contactTarget(updated), changes);
    return updated;
  });
}

/**
 * Deletes a contact. Those who reported to them now report to no one, and that change is recorded in
 * their history too (the database would make it silently). With `version`, a stale one is a conflict.
 */
export async function deleteContact(db: Db, actor: Actor, accountId: string, contactId: string, version?: number): Promise<void> {
  await db.transaction(async (tx) => {
    await loadAccessibleAccount(tx, actor, accountId, 'write', { lock: true });
    const contact = await loadContact(tx, accountId, contactId);
    if (version !== undefined && contact.version !== version) throw staleVersion('contact', contact);
    const reports = await tx.update(contacts)
      .set({ reportsToId: null, version: sql`${contacts.version} + 1`, updatedAt: sql`now()` })
      .where(and(eq(contacts.reportsToId, contactId), sql`${contacts.id} <> ${contactId}`))
      .returning({ id: contacts.id });
    for (const report of reports) {
      await recordChanges(tx, actor, { entity: 'contact', entityId: report.id, accountId }, [{ field: 'reportsToId', oldValue: contactId, newValue: null }]);
    }
    await recordDelete(tx, actor, contactTarget(contact), contact);
    await tx.delete(contacts).where(eq(contacts.id, contactId));
  });
}

/** What an erasure did: the contact as it is now (null when it had been deleted), and the history rows it blanked. */
export type Erasure = { contactId: string; erasedAt: Date; historyRowsBlanked: number; contact: ContactView | null };

/**
 * Erases the personal data of contact `contactId` on the person's request (GDPR; an administrator
 * only): the name becomes "erased", every other field about the person is blanked, the old and new
 * values of the contact's history rows are set to null, and an 'erase' row records who did it and when.
 * The contact stays, so the account's map keeps its shape. A contact deleted earlier still has its
 * values in the history (its delete row keeps the whole record): erasing it blanks those. Erasing
 * twice changes nothing the second time.
 */
export async function eraseContact(db: Db, actor: Actor, contactId: string): Promise<Erasure> {
  if (actor.role !== 'admin' && actor.role !== 'system') {
    throw new KamertonError('forbidden', 'Only an administrator erases a person\'s data.');
  }
  if (!isUuid(contactId)) throw contactNotFound(contactId);
  return db.transaction(async (tx) => {
    const [contact] = await tx.select().from(contacts).where(eq(contacts.id, contactId)).for('update');
    const ofContact = and(eq(history.entity, 'contact'), eq(history.entityId, contactId));
    const [latest] = await tx.select({ accountId: history.accountId, action: history.action, at: history.at })
      .from(history).where(ofContact).orderBy(desc(history.id)).limit(1);
    if (contact === undefined && latest === undefined) throw contactNotFound(contactId);
    if (contact !== undefined && contact.erasedAt !== null) {
      return { contactId, erasedAt: contact.erasedAt, historyRowsBlanked: 0, contact };
    }
    if (contact === undefined && latest?.action === 'erase') {
      return { contactId, erasedAt: latest.at, historyRowsBlanked: 0, contact: null };
    }
    // The history trigger lets values be blanked only in a transaction that says it is erasing.
    await tx.execute(sql`set local kamerton.erasing = 'on'`);
    const [erased] = contact === undefined ? [null] : await tx.update(contacts).set({
      name: 'erased',
      position: null,
      department: null,
      email: null,
      phone: null,
      buyingRole: 'other',
      influence: null,
      attitude: 'neutral',
      relationship: 'none',
      reportsToId: null,
      erasedAt: sql`now()`,
      version: sql`${contacts.version} + 1`,
      updatedAt: sql`now()`,
    }).where(eq(contacts.id, contactId)).returning() as [ContactView];
    const blanked = await tx.update(history)
      .set({ oldValue: null, newValue: null })
      .where(and(ofContact, sql`(${history.oldValue} is not null or ${history.newValue} is not null)`))
      .returning({ id: history.id });
    const accountId = erased?.accountId ?? latest?.accountId ?? null;
    const erasedAt = await recordErase(tx, actor, { entity: 'contact', entityId: contactId, accountId });
    return { contactId, erasedAt, historyRowsBlanked: blanked.length, contact: erased };
  });
}

function contactTarget(contact: ContactView): HistoryTarget {
  return { entity: 'contact', entityId: contact.id, accountId: contact.accountId };
}

async function loadContact(db: Executor, accountId: string, contactId: string): Promise<ContactView> {
  if (!isUuid(contactId)) throw contactNotFound(contactId);
  const [contact] = await db.select().from(contacts).where(and(eq(contacts.id, contactId), eq(contacts.accountId, accountId)));
  if (contact === undefined) throw contactNotFound(contactId);
  return contact;
}

function contactNotFound(id: string): KamertonError {
  return new KamertonError('not-found', 'Contact not found.', { field: 'contactId', value: id });
}

/**
 * Throws invalid-input naming reportsToId unless `reportsToId` is a contact of account `accountId`
 * and, for an existing contact `contactId`, is not the contact itself nor anyone below them.
 */
async function assertReportsTo(tx: Transaction, accountId: string, contactId: string | null, reportsToId: string): Promise<void> {
  const [manager] = await tx.select({ accountId: contacts.accountId }).from(contacts).where(eq(contacts.id, reportsToId));
  if (manager === undefined || manager.accountId !== accountId) {
    throw new KamertonError('invalid-input', 'reportsToId: not a contact of this account', { field: 'reportsToId', value: reportsToId });
  }
  if (contactId === null) return;
  if (reportsToId === contactId) {
    throw new KamertonError('invalid-input', 'reportsToId: a contact cannot report to themselves', { field: 'reportsToId', value: reportsToId });
  }
  // Walk up from the new manager: reaching the contact means the manager reports to them, a cycle.
  // UNION (not UNION ALL) ends the walk even on a cycle already in the data.
  const result = await tx.execute<{ cycle: boolean }>(sql`
    with recursive chain(id) as (
      select ${reportsToId}::uuid
      union
      select c.reports_to_id from ${contacts} c join chain on c.id = chain.id where c.reports_to_id is not null
    )
    select exists (select 1 from chain where id = ${contactId}::uuid) as cycle`);
  if (result.rows[0]?.cycle === true) {
    throw new KamertonError('invalid-input', 'reportsToId: the contact would report to someone who reports to them', {
      field: 'reportsToId',
      value: reportsToId,
    });
  }
}
