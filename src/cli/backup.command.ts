/**
 * `kamerton backup FILE` and `kamerton restore FILE`. The database modules load only when one of the
 * commands runs (see serve.command.ts), so that `kamerton analyze` starts without them.
 */
import type { Command } from 'commander';

export type RestoreFlags = { force?: boolean };

export function registerBackupCommands(program: Command): void {
  program
    .command('backup')
    .description(
      'Copy every table of the database, with its schema version, into FILE (gzip-compressed JSON lines, ' +
        'readable by its owner only). The server may keep running: the backup is one consistent snapshot. ' +
        'Login sessions are not copied. An existing FILE is replaced once the new backup is complete.',
    )
    .argument('<file>', 'the backup file to write, e.g. kamerton-2025-01-31.jsonl.gz')
    .action(async (file: string) => {
      const { runBackup } = await import('./backup.ts');
      await runBackup(file);
    });
  program
    .command('restore')
    .description(
      'Restore a backup made by `kamerton backup` into the database, all or nothing. The database must be ' +
        'empty and have the backup\'s schema version (the same Kamerton version, or one with the same migrations).',
    )
    .argument('<file>', 'the backup file to read')
    .option('--force', 'replace everything the database holds (history included) with the backup')
    .action(async (file: string, flags: RestoreFlags) => {
      const { runRestore } = await import('./backup.ts');
      await runRestore(file, flags);
    });
}
