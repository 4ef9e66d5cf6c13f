/**
 * The `kamerton` command line. bin/kamerton.js (and `npm run kamerton`) run this module: it parses the
 * arguments, runs the command, and turns the outcome into an exit code and, on failure, a message on
 * stderr: 0 done, 2 bad input or arguments, 1 an unexpected failure.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import type { ErrorCode, ErrorDetails } from '../core/errors.ts';
import { isKamertonError } from '../core/errors.ts';
import { debugEnabled } from '../config.ts';
import { registerAnalyzeCommand } from './analyze.command.ts';
import { registerModelCheckCommand } from './model-check.command.ts';
import { registerServeCommand } from './serve.command.ts';
import { registerDevCommand } from './dev.command.ts';
import { registerUserCommand } from './user.command.ts';
import { registerDemoCommand } from './demo.command.ts';
import { registerBackupCommands } from './backup.command.ts';
import { registerLedgerCommands } from './ledger.command.ts';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export function createProgram(): Command {
  const program = new Command('kamerton')
    .description('Kamerton: Key Account Management for B2B companies.')
    .version(packageJson.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'print this help')
    // Commander would exit by itself with code 1 on a usage error; we need 2, so it throws instead.
    // Subcommands copy these settings when they are created, so they come before the commands.
    .exitOverride()
    .showHelpAfterError('(kamerton analyze --help lists the options)');
  registerAnalyzeCommand(program);
  registerModelCheckCommand(program);
  registerServeCommand(program);
  registerDevCommand(program);
  registerUserCommand(program);
  registerDemoCommand(program);
  registerBackupCommands(program);
  registerLedgerCommands(program);
  return program;
}

/** The exit code for each error code: bad input is the user's to fix (2), anything else is ours (1). */
export function exitCodeFor(code: ErrorCode): 1 | 2 {
  switch (code) {
    case 'invalid-input':
    case 'too-large':
      return 2;
    case 'not-found':
    case 'forbidden':
    case 'conflict':
    case 'unauthenticated':
      return 1;
  }
}

/**
 * A closing hint for the errors whose message cannot know the way out. A conflict's message says
 * what to do itself (upgrade Kamerton, restore into an empty database, use another e-mail address).
 */
const hints: Partial<Record<ErrorCode, string>> = {
  'invalid-input': 'Check the input and the flags; kamerton help <command> lists the flags.',
  'too-large': 'The file is larger than Kamerton reads safely; split it or export fewer rows.',
  'not-found': 'Check that what is named exists.',
  forbidden: 'Check the permissions.',
};

/**
 * Where an error happened, from its details, leaving out what its message already says: the
 * readers' messages name the file, line and column themselves, other errors only carry them in
 * their details. Null when the message says it all.
 */
export function describeWhere(message: string, details: ErrorDetails): string | null {
  const parts: string[] = [];
  const add = (part: string, mentioned: string) => {
    if (!message.includes(mentioned)) parts.push(part);
  };
  if (details.file !== undefined) add(details.file, details.file);
  if (details.line !== undefined) add(`line ${details.line}`, `line ${details.line}`);
  if (details.column !== undefined && details.column !== null) add(`column "${details.column}"`, details.column);
  if (details.field !== undefined) {
    add(`${details.field.startsWith('--') ? 'flag' : 'field'} ${details.field}`, details.field);
  }
  if (details.value !== undefined && details.value !== null) add(`value "${details.value}"`, details.value);
  return parts.length > 0 ? `in ${parts.join(', ')}` : null;
}

function reportFailure(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (or the help, or the version).
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
    return error.exitCode === 0 ? 0 : 2;
  }
  if (isKamertonError(error)) {
    const lines = [`kamerton: ${error.message}`];
    const where = describeWhere(error.message, error.details);
    if (where !== null) lines.push(`  ${where}`);
    const hint = hints[error.code];
    if (hint !== undefined) lines.push(`  ${hint}`);
    process.stderr.write(`${lines.join('\n')}\n`);
    return exitCodeFor(error.code);
  }
  const message = error instanceof Error ? error.message : String(error);
  const lines = [`kamerton: unexpected failure: ${message}`];
  if (debugEnabled() && error instanceof Error && error.stack !== undefined) {
    lines.push(error.stack);
  } else {
    lines.push('  This is a fault in Kamerton or in the machine (disk, memory); DEBUG=1 prints the stack trace.');
  }
  process.stderr.write(`${lines.join('\n')}\n`);
  return 1;
}

export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await createProgram().parseAsync([...argv]);
    return 0;
  } catch (error) {
    return reportFailure(error);
  }
}

process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  // Whoever read our output has gone (`kamerton analyze ... | head`): stop quietly, as Unix tools do.
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.stderr.write(`kamerton: cannot write the output: ${error.message}\n`);
  process.exit(1);
});

process.exitCode = await runCli(process.argv);
