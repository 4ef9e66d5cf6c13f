/**
 * Login sessions, kept as rows on the server so that they can be ended at any time (logout, a user
 * deactivated). The browser holds a random token in a cookie; the database holds only its SHA-256,
 * so a leaked database dump or backup opens no session. Each session carries its own CSRF token
 * (the synchronizer token pattern), which every state-changing request must send back in a header.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, lte, ne } from 'drizzle-orm';
import { sessions, users } from '../db/schema/index.ts';
import { toUserView, userViewColumns, type Executor, type UserView } from './users.ts';

export type Session = {
  /** SHA-256 of the token, hex: the row's key. */
  id: string;
  csrfToken: string;
  expiresAt: Date;
  user: UserView;
};

/** How often at most a used session's expiry is pushed forward: spares a write on every request. */
const RENEW_AFTER_MS = 60_000;

/** A cookie value longer than any token we issue is not ours; it is not worth hashing. */
const MAX_TOKEN_LENGTH = 128;

/** The session id (the row's key) of a cookie token. */
export function sessionIdOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

function hoursAfter(time: Date, hours: number): Date {
  return new Date(time.getTime() + hours * 3_600_000);
}

/**
 * Starts a session for `user`, lasting `hours` from its last use. Returns the token for the cookie
 * (never stored) and the session. The user's expired sessions are cleared out
 * on the way, so that the table does not grow with every login.
 */
export async function createSession(
  db: Executor,
  user: UserView,
  options: { hours: number; userAgent?: string | null; ip?: string | null; now?: Date },
): Promise<{ token: string; session: Session }> {
  const now = options.now ?? new Date();
  const token = randomToken();
  const id = sessionIdOf(token);
  const csrfToken = randomToken();
  const expiresAt = hoursAfter(now, options.hours);
  await db.delete(sessions).where(and(eq(sessions.userId, user.id), lte(sessions.expiresAt, now)));
  await db.insert(sessions).values({
    id,
    userId: user.id,
    csrfToken,
    createdAt: now,
    lastSeenAt: now,
    expiresAt,
    userAgent: options.userAgent?.slice(0, 500) ?? null,
    ip: options.ip ?? null,
  });
  return { token, session: { id, csrfToken, expiresAt, user } };
}

/**
 * The live session of a cookie token, or null when there is none, it has expired, or its user has
 * been deactivated. The user (and so the role) is read afresh on every request, so a changed role
 * applies at once. A session in use is renewed to last `hours` from now, at most once a minute.
 */
export async function resolveSession(
  db: Executor,
  token: string,
  options: { hours: number; now?: Date },
): Promise<Session | null> {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return null;
  const now = options.now ?? new Date();
  const id = sessionIdOf(token);
  const [row] = await db.select({
    csrfToken: sessions.csrfToken,
    expiresAt: sessions.expiresAt,
    lastSeenAt: sessions.lastSeenAt,
    user: userViewColumns,
  }).from(sessions).innerJoin(users, eq(users.id, sessions.userId)).where(eq(sessions.id, id));
  if (row === undefined || row.expiresAt <= now || !row.user.active) return null;
  let expiresAt = row.expiresAt;
  if (now.getTime() - row.lastSeenAt.getTime() >= RENEW_AFTER_MS) {
    expiresAt = hoursAfter(now, options.hours);
    await db.update(sessions).set({ lastSeenAt: now, expiresAt }).where(eq(sessions.id, id));
  }
  return { id, csrfToken: row.csrfToken, expiresAt, user: toUserView(row.user) };
}

/** Ends one session (logout). Ending one that is already gone is not an error. */
export async function deleteSession(db: Executor, id: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, id));
}

/** Ends every session of a user, but `exceptId` when given; returns how many ended. */
export async function deleteUserSessions(db: Executor, userId: string, exceptId?: string): Promise<number> {
  const ended = await db.delete(sessions)
    .where(and(eq(sessions.userId, userId), exceptId === undefined ? undefined : ne(sessions.id, exceptId)))
    .returning({ id: sessions.id });
  return ended.length;
}
