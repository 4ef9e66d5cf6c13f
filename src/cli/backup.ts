/**
 * The work of `kamerton backup` and `kamerton restore` (backup.command.ts registers them). Both open
 * the database as every command does: through a running server's embedded database when there is
 * one, else by starting it, or on DATABASE_URL's server. The summary goes to standard output, the
 * progress bar to standard error when that is a terminal.
 */
import { backupDatabase, restoreDatabase, type TableRows } from '../app/backup.ts';
import { loadConfig, type Config } from '../config.ts';
import { openDatabase } from '../db/client.ts';
import { createProgressBar, formatBytes, type ProgressStream } from './progress.ts';
import type { RestoreFlags } from './backup.command.ts';

/** Where a command reads its settings and writes its output: the process's own, or a test's. */
export type CommandIo = {
  env: Record<string, string | undefined>;
  stdout: { write(text: string): boolean };
  stderr: ProgressStream;
};

function processIo(): CommandIo {
  return { env: process.env, stdout: process.stdout, stderr: process.stderr };
}

export async function runBackup(file: string, io: CommandIo = processIo()): Promise<void> {
  const config = await loadConfig(io.env);
  const database = await openDatabase(config);
  const progress = createProgressBar(io.stderr, { label: 'Backing up', unit: 'rows' });
  try {
    const summary = await backupDatabase(database.pool, file, { onProgress: (done, total) => progress.update(done, total) });
    progress.finish();
    io.stdout.write(
      `Backed up ${count(summary.rows)} rows of ${summary.tables.length} tables from ${describeDatabase(config)} ` +
        `to ${file} (${formatBytes(summary.bytes)}), as of ${summary.createdAt}.\n` +
        `${tableLines(summary.tables)}Login sessions are not part of a backup.\n`,
    );
  } finally {
    progress.finish();
    await database.close();
  }
}

export async function runRestore(file: string, flags: RestoreFlags, io: CommandIo = processIo()): Promise<void> {
  const config = await loadConfig(io.env);
  const database = await openDatabase(config);
  const progress = createProgressBar(io.stderr, { label: 'Restoring', unit: 'rows' });
  try {
    const summary = await restoreDatabase(database.pool, file, {
      force: flags.force === true,
      onProgress: (done, total) => progress.update(done, total),
    });
    progress.finish();
    const replaced = summary.replaced.length === 0
      ? ''
      : `It replaced what the database held: ${summary.replaced.map((t) => `${count(t.rows)} ${t.name}`).join(', ')}.\n`;
    io.stdout.write(
      `Restored ${count(summary.rows)} rows of ${summary.tables.length} tables into ${describeDatabase(config)} ` +
        `from ${file} (made by Kamerton ${summary.kamerton}, as of ${summary.createdAt}).\n` +
        `${tableLines(summary.tables)}${replaced}Login sessions are not part of a backup: everyone signs in again.\n`,
    );
  } finally {
    progress.finish();
    await database.close();
  }
}

function describeDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'>): string {
  return config.databaseUrl === null ? `the embedded PostgreSQL in ${config.dataDir}` : 'the PostgreSQL server of DATABASE_URL';
}

function tableLines(tables: TableRows[]): string {
  const width = Math.max(...tables.map((t) => t.name.length));
  return tables.map((t) => `  ${t.name.padEnd(width)}  ${count(t.rows).padStart(12)}\n`).join('');
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

