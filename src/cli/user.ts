/** The work of `kamerton user add` (user.command.ts registers it). */
import { SYSTEM_ACTOR } from '../app/actor.ts';
import { createUser } from '../app/users.ts';
import { loadConfig } from '../config.ts';
import { KamertonError } from '../core/errors.ts';
import { openDatabase } from '../db/client.ts';
import { readHidden, readStdinLine } from './prompt.ts';
import type { UserAddFlags } from './user.command.ts';

export async function addUser(flags: UserAddFlags): Promise<void> {
  const password = await readPassword(flags.passwordStdin === true);
  const config = await loadConfig();
  const database = await openDatabase(config);
  try {
    const user = await createUser(database.db, SYSTEM_ACTOR, {
      email: flags.email,
      name: flags.name ?? flags.email.split('@')[0] ?? flags.email,
      role: flags.role,
      password,
    });
    process.stdout.write(`Added ${user.role} ${user.name} <${user.email}>.\n`);
  } finally {
    await database.close();
  }
}

async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin) return readStdinLine(process.stdin);
  if (process.stdin.isTTY !== true || process.stderr.isTTY !== true) {
    throw new KamertonError('invalid-input', 'No terminal to ask for the password in: give it on standard input with --password-stdin.', {
      field: '--password-stdin',
    });
  }
  const first = await readHidden('Password: ');
  const second = await readHidden('The same password again: ');
  if (first !== second) throw new KamertonError('invalid-input', 'The two passwords differ.', { field: 'password' });
  return first;
}
