/**
 * `kamerton user add`: creates a user from the command line (the first administrator on a server
 * without a browser, or anyone when the web app is not at hand). The password comes from a hidden
 * prompt, or from standard input with --password-stdin (for scripts), never from an argument, which
 * other users of the machine could read in the process list. The database modules load only when the
 * command runs (see serve.command.ts).
 */
import { type Command, InvalidArgumentError, Option } from 'commander';

const ROLE_NAMES = ['admin', 'director', 'kam', 'marketing'] as const;

export type UserAddFlags = { email: string; role: (typeof ROLE_NAMES)[number]; name?: string; passwordStdin?: boolean };

export function registerUserCommand(program: Command): Command {
  const user = program.command('user').description('Manage the users of Kamerton.');
  user
    .command('add')
    .description('Add a user. The password is asked for (hidden), or read from standard input with --password-stdin.')
    .requiredOption('--email <address>', 'the user\'s e-mail address, which they sign in with')
    .addOption(new Option('--role <role>', 'admin, director, kam or marketing').choices(ROLE_NAMES).makeOptionMandatory())
    .option('--name <name>', 'the user\'s full name (default: the part of the address before @)', (value: string) => {
      if (value.trim() === '') throw new InvalidArgumentError('the name is empty');
      return value.trim();
    })
    .option('--password-stdin', 'read the password from standard input (its first line)')
    .action(async (flags: UserAddFlags) => {
      const { addUser } = await import('./user.ts');
      await addUser(flags);
    });
  return user;
}
