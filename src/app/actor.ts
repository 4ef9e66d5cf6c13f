/**
 * Who is acting: every use-case that reads or changes data takes the actor and decides, with the
 * data in hand, what that person may see and do (docs/api.md has the access rules). Null userId is
 * the system itself (the demo, an import run from the command line by the machine's administrator).
 */
import type { Role } from '../db/schema/users.ts';

export type Actor = { userId: string; role: Role } | { userId: null; role: 'system' };

export const SYSTEM_ACTOR: Actor = { userId: null, role: 'system' };
