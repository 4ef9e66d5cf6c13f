/**
 * Users: the people who sign in. Only an administrator (or the system itself, from the command line)
 * manages them. A user is never deleted, because history rows name them; deactivating one ends their
 * sessions in the same transaction, so a departed employee is out at once. The last active
 * administrator can be neither demoted nor deactivated: nobody could manage users afterwards.
 *
 * The input schemas live here, not in the routes, because the command line (`kamerton user add`)
 * calls these use-cases too; the routes reuse them for validation and the OpenAPI document.
 */
import { randomBytes } from 'node:crypto';
import { and, asc, desc, eq, ilike, ne, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { KamertonError } from '../core/errors.ts';
import type { Db } from '../db/client.ts';
import { ROLES, sessions, users, type Role } from '../db/schema/index.ts';
import { isUuid } from './access.ts';
import type { Actor } from './actor.ts';
import { parseInput, versionSchema, type Page } from './input.ts';
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, PASSWORD_POLICY, verifyPassword } from './passwords.ts';

type Transaction = Parameters<Parameters<Db['transaction']>[0]>[0];
/** The database or a transaction on it: use-cases that take part in a caller's transaction take this. */
export type Executor = Db | Transaction;

/** A user as every response shows it: never the password hash. */
export type UserView = {
  id: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
  version: number;
};


type UserRow = typeof users.$inferSelect;

/** The one place a user row becomes something that leaves the server. */
export function toUserView(row: Omit<UserRow, 'passwordHash'>): UserView {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    active: row.active,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    version: row.version,
  };
}

export const emailSchema = z.email('Enter a valid e-mail address.').max(320).describe('E-mail address; unique without regard to case.');
export const userNameSchema = z.string().trim().min(1, 'Enter a name.').max(200).describe('Full name.');
export const roleSchema = z.enum(ROLES).describe('admin: users and settings; director: every account; kam: own accounts; marketing: accounts without financial fields.');
export const passwordSchema = z.string()
  .min(MIN_PASSWORD_LENGTH, PASSWORD_POLICY)
  .max(MAX_PASSWORD_LENGTH, PASSWORD_POLICY)
  .describe(PASSWORD_POLICY);

export const createUserInput = z.strictObject({
  email: emailSchema,
  name: userNameSchema,
  role: roleSchema,
  password: passwordSchema,
});
export type CreateUserInput = z.input<typeof createUserInput>;

/** The fields a change may carry besides the version; each is optional. */
export const userChangeFields = {
  name: userNameSchema.optional(),
  role: roleSchema.optional(),
  active: z.boolean().optional().describe('false deactivates the user and ends their sessions at once.'),
  password: passwordSchema.optional(),
};
export const updateUserInput = z.strictObject({ version: versionSchema, ...userChangeFields });
export type UpdateUserInput = z.input<typeof updateUserInput>;

export const setupInput = z.strictObject({ email: emailSchema, name: userNameSchema, password: passwordSchema });
export type SetupInput = z.input<typeof setupInput>;

export const USER_SORT_FIELDS = ['name', 'email', 'role', 'createdAt'] as const;

export const userListQuery = z.strictObject({
  page: z.coerce.number().int().min(1).default(1).describe('Page number, from 1.'),
  pageSize: z.coerce.number().int().min(1).max(200).default(50).describe('Items per page, at most 200.'),
  sort: z.enum(USER_SORT_FIELDS).default('name'),
  order: z.enum(['asc', 'desc']).default('asc'),
  q: z.string().trim().min(1).max(200).optional().describe('Text searched in the name and the e-mail address.'),
  role: roleSchema.optional(),
  active: z.enum(['true', 'false']).optional().describe('Only active (true) or only deactivated (false) users.'),
});
export type UserListQuery = z.input<typeof userListQuery>;

/** Managing users is the administrator's work (and the system's, for the command line). */
function assertManagesUsers(actor: Actor): void {
  if (actor.role !== 'admin' && actor.role !== 'system') {
    throw new KamertonError('forbidden', 'Only an administrator manages users.');
  }
}

/** The columns of a user without the password hash, for selects whose rows leave the server. */
export const userViewColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  active: users.active,
  createdAt: users.createdAt,
  updatedAt: users.updatedAt,
  version: users.version,
};

/** A unique violation (PostgreSQL 23505) as node-postgres raises it, or as drizzle wraps it. */
function isUniqueViolation(error: unknown): boolean {
  const code = (value: unknown): unknown => (typeof value === 'object' && value !== null ? (value as { code?: unknown }).code : undefined);
  return code(error) === '23505' || code((error as { cause?: unknown } | null)?.cause) === '23505';
}

function emailTaken(email: string): KamertonError {
  return new KamertonError('conflict', `A user with the e-mail address ${email} already exists.`, { field: 'email', value: email });
}

function byEmail(email: string): SQL {
  return sql`lower(${users.email}) = lower(${email})`;
}

/**
 * Serialises changes that could leave the company without an active administrator (demotions,
 * deactivations, the first-run setup), so two administrators demoting each other at once cannot
 * both succeed. A transaction-scoped advisory lock: released by the commit or the rollback.
 */
async function lockAdministrators(tx: Transaction): Promise<void> {
  // Any constant of our own: "KAMUSERS" in ASCII, as a bigint.
  await tx.execute(sql`select pg_advisory_xact_lock(5422700455195398739)`);
}

/** How many users there are, active or not (0 means the first-run setup is open). */
export async function countUsers(db: Executor): Promise<number> {
  return db.$count(users);
}

/**
 * Whether the first-run setup is open: while no active administrator exists. That is an empty
 * database, or one where `kamerton demo` made the demo company's users but no administrator.
 */
export async function setupNeeded(db: Executor): Promise<boolean> {
  return (await db.$count(users, and(eq(users.role, 'admin'), eq(users.active, true)))) === 0;
}

export async function listUsers(db: Db, actor: Actor, query: UserListQuery): Promise<Page<UserView>> {
  assertManagesUsers(actor);
  const q = parseInput(userListQuery, query);
  const conditions: SQL[] = [];
  if (q.q !== undefined) {
    const pattern = `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(or(ilike(users.name, pattern), ilike(users.email, pattern)) as SQL);
  }
  if (q.role !== undefined) conditions.push(eq(users.role, q.role));
  if (q.active !== undefined) conditions.push(eq(users.active, q.active === 'true'));
  const where = conditions.length === 0 ? undefined : and(...conditions);
  // Names and addresses sort without regard to case, whatever the database's collation.
  const column = { name: sql`lower(${users.name})`, email: sql`lower(${users.email})`, role: users.role, createdAt: users.createdAt }[q.sort];
  const direction = q.order === 'asc' ? asc : desc;
  const [rows, total] = await Promise.all([
    db.select(userViewColumns).from(users).where(where)
      .orderBy(direction(column), asc(users.id))
      .limit(q.pageSize).offset((q.page - 1) * q.pageSize),
    db.$count(users, where),
  ]);
  return { items: rows.map(toUserView), total, page: q.page, pageSize: q.pageSize };
}

/** A user as everyone signed in may see them: enough to name an owner or a team member, no more. */
export type DirectoryEntry = { id: string; name: string; role: Role };

/**
 * The active users' ids, names and roles, by name, for every signed-in user: the web app names the
 * owners and team members it shows and filters by, and the director picks the KAMs to assign accounts
 * to. E-mail addresses and everything else about a user stay the administrator's.
 */
export async function listUserDirectory(db: Db, _actor: Actor): Promise<DirectoryEntry[]> {
  // Every actor may read it: the actor is taken, as by every use-case, so that callers say who asks and
  // a rule, should one come, has its place here.
  // Names sort without regard to case, as in the administrators' list, whatever the database's collation.
  return db.select({ id: users.id, name: users.name, role: users.role }).from(users)
    .where(eq(users.active, true)).orderBy(sql`lower(${users.name})`, asc(users.id));
}

export async function getUser(db: Db, actor: Actor, id: string): Promise<UserView> {
  assertManagesUsers(actor);
  const [row] = isUuid(id) ? await db.select(userViewColumns).from(users).where(eq(users.id, id)) : [];
  if (row === undefined) throw new KamertonError('not-found', 'No such user.', { field: 'id', value: id });
  return toUserView(row);
}

export async function createUser(db: Db, actor: Actor, input: CreateUserInput): Promise<UserView> {
  assertManagesUsers(actor);
  const data = parseInput(createUserInput, input);
  const passwordHash = await hashPassword(data.password);
  try {
    const [row] = await db.insert(users)
      .values({ email: data.email, name: data.name, role: data.role, passwordHash })
      .returning(userViewColumns);
    if (row === undefined) throw new Error('insert returned no row');
    return toUserView(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw emailTaken(data.email);
    throw error;
  }
}

/**
 * Changes a user's name, role, active flag or password, on the version the client read (a stale one
 * is refused with the current record). Deactivating ends every session of the user; a new password
 * ends every session but `options.keepSessionId` (the administrator's own, when they change their own).
 */
export async function updateUser(
  db: Db,
  actor: Actor,
  id: string,
  input: UpdateUserInput,
  options: { keepSessionId?: string } = {},
): Promise<UserView> {
  assertManagesUsers(actor);
  const change = parseInput(updateUserInput, input);
  const passwordHash = change.password === undefined ? undefined : await hashPassword(change.password);
  if (!isUuid(id)) throw new KamertonError('not-found', 'No such user.', { field: 'id', value: id });
  return db.transaction(async (tx) => {
    const mayRemoveAdmin = (change.role !== undefined && change.role !== 'admin') || change.active === false;
    if (mayRemoveAdmin) await lockAdministrators(tx);
    const [current] = await tx.select().from(users).where(eq(users.id, id)).for('update');
    if (current === undefined) throw new KamertonError('not-found', 'No such user.', { field: 'id', value: id });
    if (current.version !== change.version) {
      throw new KamertonError('conflict', 'The user was changed by someone else since you read it: review the current record and try again.', {
        field: 'version',
        current: toUserView(current),
      });
    }
    const staysAdmin = (change.role ?? current.role) === 'admin' && (change.active ?? current.active);
    if (current.role === 'admin' && current.active && !staysAdmin) {
      const others = await tx.$count(users, and(eq(users.role, 'admin'), eq(users.active, true), ne(users.id, id)));
      if (others === 0) {
        throw new KamertonError('conflict', 'This is the last active administrator: make another user an administrator first.', {
          field: change.active === false ? 'active' : 'role',
        });
      }
    }
    const [row] = await tx.update(users).set({
      ...(change.name === undefined ? {} : { name: change.name }),
      ...(change.role === undefined ? {} : { role: change.role }),
      ...(change.active === undefined ? {} : { active: change.active }),
      ...(passwordHash === undefined ? {} : { passwordHash }),
      updatedAt: sql`now()`,
      version: sql`${users.version} + 1`,
    }).where(eq(users.id, id)).returning(userViewColumns);
    if (row === undefined) throw new Error('update returned no row');
    if (!row.active) {
      await tx.delete(sessions).where(eq(sessions.userId, id));
    } else if (passwordHash !== undefined) {
      await tx.delete(sessions).where(and(
        eq(sessions.userId, id),
        options.keepSessionId === undefined ? undefined : ne(sessions.id, options.keepSessionId),
      ));
    }
    return toUserView(row);
  });
}

/**
 * A password hash nobody knows, verified when the e-mail address matches no user, so that a wrong
 * address costs the same time as a wrong password and the timing does not tell which addresses exist.
 */
let dummyHash: Promise<string> | null = null;

/** The active user with this e-mail address and password, or null (the same null for every failure). */
export async function authenticate(db: Db, email: string, password: string): Promise<UserView | null> {
  const [row] = await db.select().from(users).where(byEmail(email)).limit(1);
  if (row === undefined) {
    dummyHash ??= hashPassword(randomBytes(24).toString('base64url'));
    await verifyPassword(await dummyHash, password);
    return null;
  }
  const matches = await verifyPassword(row.passwordHash, password);
  return matches && row.active ? toUserView(row) : null;
}

/**
 * The first-run setup: creates the first administrator, only while the database has no active one
 * (afterwards a conflict). The check and the insert hold a lock, so two browsers racing through the
 * setup page cannot both create one.
 */
export async function setUpFirstAdmin(db: Db, input: SetupInput): Promise<UserView> {
  const data = parseInput(setupInput, input);
  const passwordHash = await hashPassword(data.password);
  return db.transaction(async (tx) => {
    await lockAdministrators(tx);
    if (!(await setupNeeded(tx))) {
      throw new KamertonError('conflict', 'Kamerton is already set up: sign in, or ask an administrator for an account.');
    }
    const [row] = await tx.insert(users)
      .values({ email: data.email, name: data.name, role: 'admin', passwordHash })
      .returning(userViewColumns);
    if (row === undefined) throw new Error('insert returned no row');
    return toUserView(row);
  });
}
