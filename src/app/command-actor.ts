/**
 * Whom a command-line run is recorded under: the active user with `--as EMAIL`, else the first active
 * administrator, else the system (a database without users yet). Plain SQL through `pg` rather than
 * users.ts's query builder: `kamerton import` and `kamerton analysis run` ask nothing else of drizzle,
 * and loading it cost their start-up 0.15 s (src/db/client.ts, openConnection).
 */
import type pg from 'pg';
import { KamertonError } from '../core/errors.ts';
import type { Role } from '../db/schema/users.ts';
import { SYSTEM_ACTOR, type Actor } from './actor.ts';

export async function commandActor(pool: pg.Pool, email: string | undefined): Promise<Actor> {
  if (email !== undefined) {
    // Addresses compare without regard to case, as users.ts compares them.
    const { rows: [user] } = await pool.query<{ id: string; role: Role }>(
      'select id, role from users where lower(email) = lower($1) and active',
      [email.trim()],
    );
    if (user === undefined) throw new KamertonError('not-found', `--as: no active user has the e-mail address ${email}`, { field: '--as', value: email });
    return { userId: user.id, role: user.role };
  }
  const { rows: [admin] } = await pool.query<{ id: string }>(
    `select id from users where role = 'admin' and active order by created_at, id limit 1`,
  );
  return admin === undefined ? SYSTEM_ACTOR : { userId: admin.id, role: 'admin' };
}
