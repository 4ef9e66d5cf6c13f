/**
 * Backups: Kamerton's own logical dump of its database, and the restore of one. The embedded
 * PostgreSQL package ships no pg_dump, and a pg_dump file would tie a backup to the server's major
 * version; this format is read and written by Kamerton itself, on the embedded engine and on any
 * PostgreSQL server of version 15 or newer alike.
 *
 * The file is gzip-compressed JSON lines (so `zcat FILE | head -1` shows what it is):
 *   line 1      the header: {format: 'kamerton-backup', formatVersion: 1, createdAt, kamerton (the
 *               version that made it), postgres (the server's version), migrations (hash and
 *               createdAt of every migration applied, the schema version), tables: [{name, columns,
 *               rows}] in the order they are restored}
 *   then        the rows, table after table in the header's order, exactly `rows` lines per table;
 *               each row is a JSON array of the values of the table's `columns`, each value the text
 *               PostgreSQL itself prints for it (`value::text`) or null.
 * The text form is what makes every type round-trip exactly: numeric keeps all its digits (a JSON
 * number read by JavaScript would not), timestamps keep their microseconds, jsonb stays apart from
 * SQL null (row_to_json would make a jsonb null and an SQL null the same `null`), and a type added
 * later needs no code here, since PostgreSQL parses back the text it printed (as COPY does). The
 * settings that change that text (DateStyle, IntervalStyle, extra_float_digits, bytea_output,
 * TimeZone) are pinned in both directions.
 *
 * The tables come from the Drizzle schema module, so a table added to the schema is in the next
 * backup without a change here (test/backup.int.test.ts also compares them with the catalogue).
 * Login sessions are left out: they are short-lived, a restored one would sign someone in again on
 * another server or after a revocation, and everyone simply signs in again after a restore.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { is } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { KamertonError } from '../core/errors.ts';
import { quoteIdentifier } from '../db/client.ts';
import { appliedMigrations, MIGRATIONS_FOLDER } from '../db/migrate.ts';
import * as schema from '../db/schema/index.ts';

export const BACKUP_FORMAT = 'kamerton-backup';
export const BACKUP_FORMAT_VERSION = 1;

/** A migration as drizzle records it: the hash of its SQL and its creation time in milliseconds (as text). */
export type BackupMigration = { hash: string; createdAt: string };

export type BackupHeader = {
  format: typeof BACKUP_FORMAT;
  formatVersion: typeof BACKUP_FORMAT_VERSION;
  /** When the backup's snapshot was taken (the database's clock), ISO 8601. */
  createdAt: string;
  /** The Kamerton version that made it. */
  kamerton: string;
  /** The server it was made on (for the reader; a backup restores onto any supported server). */
  postgres: string;
  migrations: BackupMigration[];
  tables: { name: string; columns: string[]; rows: number }[];
};

export type TableRows = { name: string; rows: number };

export type BackupSummary = {
  tables: TableRows[];
  rows: number;
  /** Bytes written (compressed). */
  bytes: number;
  createdAt: string;
};

export type RestoreSummary = {
  tables: TableRows[];
  rows: number;
  /** The backup's header fields a user wants to see: when and by which version it was made. */
  createdAt: string;
  kamerton: string;
  /** With `force`, the rows that were in the database before and are gone now (tables that had any). */
  replaced: TableRows[];
};

/** Called after each page of rows: rows done so far, and the total. */
export type ProgressCallback = (rows: number, total: number) => void;

export type BackupOptions = {
  /** Rows read per round trip (a cursor's FETCH); the memory used grows with this, not with the tables. */
  pageSize?: number;
  onProgress?: ProgressCallback;
};

export type RestoreOptions = {
  /** Replace whatever the database holds (history included) instead of refusing a database that is not empty. */
  force?: boolean;
  /** Rows sent per INSERT. */
  batchSize?: number;
  onProgress?: ProgressCallback;
};

// ---------------------------------------------------------------------------------------------------
// The tables, from the schema module.

type TableInfo = {
  /** The name in the backup: the table's name, qualified by its schema when that is not public. */
  name: string;
  /** Quoted and qualified, for SQL. */
  sql: string;
  /** Every column but generated ones (the database computes those), in the schema's order. */
  columns: string[];
  primaryKey: string[];
  /** The columns the rows are written in the order of: the primary key, else `KEYLESS_ORDER`. */
  order: string[];
  /** Backup names of the other tables this one refers to. */
  references: string[];
  /** Columns of foreign keys to the table itself (contacts.reports_to_id), set after the table's rows are in. */
  selfReferences: string[];
};

/**
 * The order of a table without a primary key: every column, since the same data must give the same
 * file, led by those named here. The ledger's lines go by date first, as imports store them, so that
 * a restored ledger keeps its block range index on the date useful (src/db/schema/ledger.ts).
 */
const KEYLESS_ORDER: Readonly<Record<string, readonly string[]>> = { ledger_lines: ['sale_date'] };

/** Tables of the schema that a backup leaves out, and why (see the module comment). */
const NOT_BACKED_UP: ReadonlySet<string> = new Set(['sessions']);

function tableName(config: { name: string; schema: string | undefined }): string {
  return config.schema === undefined || config.schema === 'public' ? config.name : `${config.schema}.${config.name}`;
}

function describeTable(table: PgTable): TableInfo {
  const config = getTableConfig(table);
  const name = tableName(config);
  const references = new Set<string>();
  const selfReferences: string[] = [];
  for (const key of config.foreignKeys) {
    const reference = key.reference();
    const target = tableName(getTableConfig(reference.foreignTable));
    if (target === name) selfReferences.push(...reference.columns.map((c) => c.name));
    else references.add(target);
  }
  const primaryKey = config.primaryKeys[0]?.columns.map((c) => c.name) ?? config.columns.filter((c) => c.primary).map((c) => c.name);
  const columns = config.columns.filter((c) => c.generated === undefined).map((c) => c.name);
  const leading = KEYLESS_ORDER[name] ?? [];
  return {
    name,
    sql: `${quoteIdentifier(config.schema ?? 'public')}.${quoteIdentifier(config.name)}`,
    columns,
    primaryKey,
    order: primaryKey.length > 0 ? primaryKey : [...leading, ...columns.filter((c) => !leading.includes(c))],
    references: [...references].sort(),
    selfReferences,
  };
}

/**
 * Every table of the schema, each after the tables it refers to (so that rows can be inserted in
 * this order with the foreign keys checked as they go), ties broken by name so the order is stable.
 */
function schemaTables(): TableInfo[] {
  const byName = new Map<string, TableInfo>();
  for (const value of Object.values(schema)) {
    if (is(value, PgTable)) {
      const info = describeTable(value);
      byName.set(info.name, info);
    }
  }
  const ordered: TableInfo[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (info: TableInfo, path: string[]): void => {
    if (state.get(info.name) === 'done') return;
    if (state.get(info.name) === 'visiting') {
      // Rows of two tables that refer to each other cannot be inserted one table after the other.
      throw new Error(`the schema's foreign keys form a cycle (${[...path, info.name].join(' -> ')}): backups cannot order these tables`);
    }
    state.set(info.name, 'visiting');
    for (const target of info.references) {
      const referenced = byName.get(target);
      if (referenced === undefined) throw new Error(`table ${info.name} refers to ${target}, which is not in the schema module`);
      visit(referenced, [...path, info.name]);
    }
    state.set(info.name, 'done');
    ordered.push(info);
  };
  for (const name of [...byName.keys()].sort()) visit(byName.get(name) as TableInfo, []);
  return ordered;
}

let tablesCache: TableInfo[] | null = null;

function allTables(): TableInfo[] {
  tablesCache ??= schemaTables();
  return tablesCache;
}

function backedUpTables(): TableInfo[] {
  return allTables().filter((t) => !NOT_BACKED_UP.has(t.name));
}

// ---------------------------------------------------------------------------------------------------
// Shared pieces.

let versionCache: string | null = null;

function kamertonVersion(): string {
  versionCache ??= (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return versionCache;
}

/** The code's migrations, in order, as a backup header records them. */
function codeMigrations(): BackupMigration[] {
  return readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).map((m) => ({ hash: m.hash, createdAt: String(m.folderMillis) }));
}

/** The migrations applied to the database of `client`, as a backup header records them. */
async function appliedBackupMigrations(client: pg.ClientBase): Promise<BackupMigration[]> {
  return (await appliedMigrations(client)).map((r) => ({ hash: r.hash, createdAt: r.created_at }));
}

/**
 * Pins, for the transaction, the settings that decide how values are printed as text and read back,
 * so that a backup reads the same whatever the server's or the role's defaults are.
 */
async function pinTextFormats(client: pg.ClientBase): Promise<void> {
  await client.query(
    "select set_config('datestyle', 'ISO, YMD', true), set_config('intervalstyle', 'postgres', true), " +
      "set_config('extra_float_digits', '3', true), set_config('bytea_output', 'hex', true), set_config('timezone', 'UTC', true)",
  );
}

/** Releases a pooled client, discarding it when `failed` (its connection may be in any state). */
function release(client: pg.PoolClient, failed: boolean): void {
  client.release(failed ? true : undefined);
}

async function rollbackQuietly(client: pg.ClientBase): Promise<void> {
  try {
    await client.query('rollback');
  } catch {
    // The connection is gone: the server rolls the transaction back by itself, and the client is discarded.
  }
}

function fileError(file: string, error: unknown, doing: 'read' | 'write'): KamertonError {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT' ? (doing === 'read' ? 'no such file' : 'its folder does not exist')
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'EISDIR' ? 'it is a folder'
    : code === 'ENOSPC' ? 'the disk is full'
    : error instanceof Error ? error.message : String(error);
  return new KamertonError('invalid-input', `Cannot ${doing} ${file}: ${why}.`, { file });
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

// ---------------------------------------------------------------------------------------------------
// Backup.

const DEFAULT_PAGE_SIZE = 5000;
const CURSOR = 'kamerton_backup';

/**
 * Writes a backup of the database of `pool` to `out`: a file path, or a stream (which is ended).
 * Everything is read in one REPEATABLE READ, read-only transaction, so the backup is one consistent
 * snapshot while the server goes on working; rows are read through a cursor a page at a time and
 * streamed through gzip, so memory does not grow with the database. A path is written under a
 * temporary name beside it and renamed when complete, readable by its owner only (a backup holds
 * password hashes and personal data): a failed backup leaves no half-written file, and an existing
 * file of that name is replaced only by a complete one.
 */
export async function backupDatabase(pool: pg.Pool, out: string | Writable, options: BackupOptions = {}): Promise<BackupSummary> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new Error(`pageSize must be a positive integer, not ${pageSize}`);
  // Opened before the database work, so that a bad path fails at once.
  const target = typeof out === 'string' ? await openOutputFile(out) : { stream: out, commit: async () => {}, abort: async () => {} };
  // Errors of the destination (a full disk) are the file's; any other (the database's) pass as they are.
  let writeError: unknown = null;
  target.stream.once('error', (error) => {
    writeError = error;
  });
  let client: pg.PoolClient | null = null;
  let failed = false;
  try {
    client = await pool.connect();
    await client.query('begin isolation level repeatable read read only');
    await pinTextFormats(client);
    const tables = backedUpTables();
    const header = await readHeader(client, tables);
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        callback(null, chunk);
      },
    });
    try {
      await pipeline(backupLines(client, header, tables, pageSize, options.onProgress), createGzip(), counter, target.stream);
    } catch (error) {
      throw typeof out === 'string' && error === writeError ? fileError(out, error, 'write') : error;
    }
    await client.query('commit');
    await target.commit();
    const counts = header.tables.map((t) => ({ name: t.name, rows: t.rows }));
    return { tables: counts, rows: counts.reduce((sum, t) => sum + t.rows, 0), bytes, createdAt: header.createdAt };
  } catch (error) {
    failed = true;
    await target.abort();
    if (client !== null) await rollbackQuietly(client);
    throw error;
  } finally {
    if (client !== null) release(client, failed);
  }
}

async function readHeader(client: pg.ClientBase, tables: TableInfo[]): Promise<BackupHeader> {
  const info = await client.query<{ now: Date; version: string }>("select now() as now, current_setting('server_version') as version");
  const migrations = await appliedBackupMigrations(client);
  const known = codeMigrations();
  // openDatabase migrates before anything else runs, so this only catches a caller that skipped it:
  // a backup must say truthfully which schema its rows follow.
  if (migrations.length !== known.length || migrations.some((m, i) => m.hash !== known[i]?.hash || m.createdAt !== known[i]?.createdAt)) {
    throw new KamertonError('conflict', 'The database\'s schema is not this Kamerton\'s (its migrations differ): start Kamerton once to migrate it, then back it up.', {
      field: 'database',
    });
  }
  const counted: BackupHeader['tables'] = [];
  for (const table of tables) {
    const result = await client.query<{ n: string }>(`select count(*) as n from ${table.sql}`);
    counted.push({ name: table.name, columns: table.columns, rows: Number(result.rows[0]?.n ?? 0) });
  }
  const row = info.rows[0] as { now: Date; version: string };
  return {
    format: BACKUP_FORMAT,
    formatVersion: BACKUP_FORMAT_VERSION,
    createdAt: row.now.toISOString(),
    kamerton: kamertonVersion(),
    postgres: row.version,
    migrations,
    tables: counted,
  };
}

async function* backupLines(
  client: pg.ClientBase, header: BackupHeader, tables: TableInfo[], pageSize: number, onProgress: ProgressCallback | undefined,
): AsyncGenerator<string> {
  yield `${JSON.stringify(header)}\n`;
  const total = header.tables.reduce((sum, t) => sum + t.rows, 0);
  let done = 0;
  for (const [index, table] of tables.entries()) {
    const values = table.columns.map((c) => `${quoteIdentifier(c)}::text`).join(', ');
    // Ordered by the primary key (a keyless table by its columns): the same data gives the same file,
    // and the history keeps its order.
    const order = table.order.map(quoteIdentifier).join(', ');
    await client.query(`declare ${CURSOR} no scroll cursor for select ${values} from ${table.sql} order by ${order}`);
    let rows = 0;
    for (;;) {
      const page = await client.query<(string | null)[]>({ text: `fetch forward ${pageSize} from ${CURSOR}`, rowMode: 'array' });
      if (page.rows.length === 0) break;
      let chunk = '';
      for (const row of page.rows) chunk += `${JSON.stringify(row)}\n`;
      rows += page.rows.length;
      done += page.rows.length;
      yield chunk;
      onProgress?.(done, total);
      if (page.rows.length < pageSize) break;
    }
    await client.query(`close ${CURSOR}`);
    const announced = header.tables[index]?.rows;
    // One snapshot for the counts and the rows: a difference would be a fault of ours, not the data's.
    if (rows !== announced) throw new Error(`table ${table.name}: counted ${announced} rows but read ${rows}`);
  }
}

type OutputFile = { stream: Writable; commit(): Promise<void>; abort(): Promise<void> };

async function openOutputFile(file: string): Promise<OutputFile> {
  const temporary = join(dirname(file), `.${basename(file)}.partial-${randomBytes(4).toString('hex')}`);
  // flush: the data is on disk before the file is closed and takes its final name, so that a crash
  // right after a backup cannot leave an empty or partial file under that name.
  const stream = createWriteStream(temporary, { flags: 'wx', mode: 0o600, flush: true });
  try {
    await once(stream, 'open');
  } catch (error) {
    throw fileError(file, error, 'write');
  }
  let settled = false;
  return {
    stream,
    async commit() {
      settled = true;
      try {
        // The stream flushes and closes after it finishes; the file is renamed only once that is done.
        if (!stream.closed) await once(stream, 'close');
        await rename(temporary, file);
      } catch (error) {
        await rm(temporary, { force: true });
        throw fileError(file, error, 'write');
      }
    },
    async abort() {
      if (settled) return;
      settled = true;
      stream.destroy();
      await rm(temporary, { force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Reading a backup file.

/** Longer lines are refused rather than gathered without end (a file that is not a backup may have no line breaks). */
const MAX_LINE_CHARS = 64 * 1024 * 1024;

type LineSource = {
  /** The next line, or null at the end of the file. */
  next(): Promise<string | null>;
  /** Lines returned so far (the number of the last one). */
  readonly line: number;
  close(): Promise<void>;
};

async function openBackupFile(file: string): Promise<LineSource> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw fileError(file, error, 'read');
  }
  const gunzip = createGunzip();
  const source = handle.createReadStream();
  source.on('error', (error) => gunzip.destroy(error));
  source.pipe(gunzip);
  const position = { line: 0 };
  const lines = splitLines(file, gunzip, position);
  return {
    async next() {
      const result = await lines.next();
      return result.done === true ? null : result.value;
    },
    get line() {
      return position.line;
    },
    async close() {
      await lines.return(undefined);
      // Destroying the read stream closes the file (the stream owns the handle).
      source.destroy();
      gunzip.destroy();
    },
  };
}

async function* splitLines(file: string, stream: AsyncIterable<Buffer>, position: { line: number }): AsyncGenerator<string> {
  // fatal: a byte sequence that is not UTF-8 is damage, to be reported, not replaced.
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending = '';
  const chunks = stream[Symbol.asyncIterator]();
  for (;;) {
    let result: IteratorResult<Buffer>;
    try {
      result = await chunks.next();
    } catch (error) {
      throw streamError(file, error, position.line);
    }
    let text: string;
    try {
      text = result.done === true ? decoder.decode() : decoder.decode(result.value, { stream: true });
    } catch {
      throw new KamertonError('invalid-input', `${file} is damaged: line ${position.line + 1} is not UTF-8 text.`, { file, line: position.line + 1 });
    }
    pending += text;
    let start = 0;
    for (let end = pending.indexOf('\n'); end !== -1; end = pending.indexOf('\n', start)) {
      position.line++;
      yield pending.slice(start, end);
      start = end + 1;
    }
    pending = pending.slice(start);
    if (pending.length > MAX_LINE_CHARS) {
      throw new KamertonError('invalid-input', `${file}: line ${position.line + 1} is longer than any backup line; the file is not a Kamerton backup.`, {
        file, line: position.line + 1,
      });
    }
    if (result.done === true) break;
  }
  if (pending !== '') {
    // A backup ends with a line break: a last line without one was cut short.
    position.line++;
    yield pending;
  }
}

function streamError(file: string, error: unknown, line: number): KamertonError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'Z_DATA_ERROR' && line === 0 && /header/i.test((error as Error).message)) {
    return new KamertonError('invalid-input', `${file} is not a Kamerton backup: it is not gzip-compressed.`, { file });
  }
  if (code === 'Z_BUF_ERROR') {
    return new KamertonError('invalid-input', `${file} is truncated: its compressed data ends early, after line ${line}.`, { file, line });
  }
  if (code !== undefined && code.startsWith('Z_')) {
    return new KamertonError('invalid-input', `${file} is damaged after line ${line}: ${(error as Error).message}.`, { file, line });
  }
  return fileError(file, error, 'read');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** Parses and checks line 1. */
function parseHeader(file: string, text: string | null): BackupHeader {
  const notBackup = (why: string): KamertonError =>
    new KamertonError('invalid-input', `${file} is not a Kamerton backup: ${why}.`, { file, line: 1 });
  if (text === null) throw notBackup('it is empty');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw notBackup('its first line is not a backup header');
  }
  if (!isRecord(value) || value.format !== BACKUP_FORMAT) throw notBackup('its first line is not a backup header');
  if (typeof value.formatVersion === 'number' && Number.isInteger(value.formatVersion) && value.formatVersion > BACKUP_FORMAT_VERSION) {
    throw new KamertonError(
      'conflict',
      `${file} was made by a newer Kamerton (${String(value.kamerton)}, backup format ${value.formatVersion}): upgrade Kamerton to restore it.`,
      { file },
    );
  }
  const bad = (field: string): KamertonError => notBackup(`its header's ${field} is missing or malformed`);
  if (value.formatVersion !== BACKUP_FORMAT_VERSION) throw bad('formatVersion');
  if (typeof value.createdAt !== 'string') throw bad('createdAt');
  if (typeof value.kamerton !== 'string') throw bad('kamerton');
  if (typeof value.postgres !== 'string') throw bad('postgres');
  const migrations = value.migrations;
  if (!Array.isArray(migrations) || !migrations.every((m) => isRecord(m) && typeof m.hash === 'string' && typeof m.createdAt === 'string')) {
    throw bad('migrations');
  }
  const tables = value.tables;
  if (
    !Array.isArray(tables) ||
    !tables.every((t) => isRecord(t) && typeof t.name === 'string' && isStringArray(t.columns) && t.columns.length > 0 &&
      typeof t.rows === 'number' && Number.isSafeInteger(t.rows) && t.rows >= 0)
  ) {
    throw bad('tables');
  }
  return {
    format: BACKUP_FORMAT,
    formatVersion: BACKUP_FORMAT_VERSION,
    createdAt: value.createdAt,
    kamerton: value.kamerton,
    postgres: value.postgres,
    migrations: (migrations as BackupMigration[]).map((m) => ({ hash: m.hash, createdAt: m.createdAt })),
    tables: (tables as BackupHeader['tables']).map((t) => ({ name: t.name, columns: [...t.columns], rows: t.rows })),
  };
}

function migrationDate(createdAt: string): string {
  const millis = Number(createdAt);
  return Number.isFinite(millis) ? new Date(millis).toISOString() : createdAt;
}

/**
 * Refuses a backup of another schema version than this code's. Rows follow the schema they were
 * read from; restoring them into another one would misplace or lose columns, so an older backup is
 * restored by the Kamerton that made it, which then upgrades the database the usual way.
 */
function checkSchemaVersion(file: string, header: BackupHeader): void {
  const known = codeMigrations();
  const byTime = new Map(known.map((m) => [m.createdAt, m.hash]));
  const ours = kamertonVersion();
  for (const migration of header.migrations) {
    const hash = byTime.get(migration.createdAt);
    if (hash === undefined) {
      throw new KamertonError(
        'conflict',
        `${file} was made by Kamerton ${header.kamerton} on a newer database schema than this Kamerton's (${ours}): ` +
          `its migration of ${migrationDate(migration.createdAt)} is unknown here. Upgrade Kamerton, then restore it.`,
        { file },
      );
    }
    if (hash !== migration.hash) {
      throw new KamertonError(
        'conflict',
        `${file} was made on a database whose migration of ${migrationDate(migration.createdAt)} differs from this Kamerton's: ` +
          `restore it with the Kamerton that made it (${header.kamerton}).`,
        { file },
      );
    }
  }
  if (header.migrations.length < known.length) {
    throw new KamertonError(
      'conflict',
      `${file} was made by Kamerton ${header.kamerton} on an older database schema (${header.migrations.length} of the ${known.length} ` +
        `migrations of this Kamerton, ${ours}): restore it with Kamerton ${header.kamerton} into an empty database, then upgrade Kamerton, ` +
        'which migrates it.',
      { file },
    );
  }
}

type TablePlan = { table: TableInfo; columns: string[]; rows: number };

/**
 * Matches the header's tables with the code's: the same tables with the same columns (a backup of
 * this schema version has nothing else unless it was edited), in an order that inserts every
 * referenced row before the rows that refer to it.
 */
function planTables(file: string, header: BackupHeader): TablePlan[] {
  const expected = new Map(backedUpTables().map((t) => [t.name, t]));
  const seen = new Set<string>();
  const plans: TablePlan[] = [];
  const invalid = (message: string): KamertonError => new KamertonError('invalid-input', `${file}: ${message}`, { file, line: 1 });
  for (const entry of header.tables) {
    const table = expected.get(entry.name);
    if (table === undefined) throw invalid(`the header lists table ${entry.name}, which this schema does not back up.`);
    if (seen.has(entry.name)) throw invalid(`the header lists table ${entry.name} twice.`);
    const missing = table.columns.filter((c) => !entry.columns.includes(c));
    const unknown = entry.columns.filter((c) => !table.columns.includes(c));
    if (missing.length > 0 || unknown.length > 0 || new Set(entry.columns).size !== entry.columns.length) {
      throw invalid(`the columns of table ${entry.name} differ from the schema's (missing: ${missing.join(', ') || 'none'}; unknown: ${unknown.join(', ') || 'none'}).`);
    }
    const later = table.references.filter((r) => expected.has(r) && !seen.has(r));
    if (later.length > 0) throw invalid(`table ${entry.name} comes before ${later.join(', ')}, which it refers to.`);
    seen.add(entry.name);
    plans.push({ table, columns: entry.columns, rows: entry.rows });
  }
  const absent = [...expected.keys()].filter((name) => !seen.has(name));
  if (absent.length > 0) throw invalid(`the backup lacks table${absent.length > 1 ? 's' : ''} ${absent.join(', ')}.`);
  return plans;
}

// ---------------------------------------------------------------------------------------------------
// Restore.

const DEFAULT_BATCH_SIZE = 1000;
/** A batch is sent early once its values reach this many characters, so that long texts keep it small. */
const BATCH_CHARS = 8 * 1024 * 1024;
/** How long the restore waits for the tables when another connection is using them. */
const LOCK_TIMEOUT = '10s';

/**
 * Restores the backup in `file` into the database of `pool`, in one transaction: a restore that fails
 * (a damaged file, a refused row, a lost connection) leaves the database as it was. The database must
 * have the backup's schema version and be empty; with `force`, whatever it holds is replaced.
 *
 * About `force` and the history: the history table refuses TRUNCATE and DELETE through a trigger
 * (its append-only rule), and a restore does not weaken that rule for anyone else. Replacing a whole
 * database is an owner's act, though, like dropping it: the restore disables the table's TRUNCATE
 * trigger inside its own transaction (which only the table's owner may do; no superuser setting such
 * as session_replication_role is needed), empties every table, and enables the trigger again before
 * committing. Other connections never see the trigger disabled: the tables are locked throughout, and
 * a failure rolls the change back with everything else.
 */
export async function restoreDatabase(pool: pg.Pool, file: string, options: RestoreOptions = {}): Promise<RestoreSummary> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, not ${batchSize}`);
  const input = await openBackupFile(file);
  try {
    // The header is checked before the database is touched.
    const header = parseHeader(file, await input.next());
    checkSchemaVersion(file, header);
    const plans = planTables(file, header);
    const total = plans.reduce((sum, p) => sum + p.rows, 0);
    const client = await pool.connect();
    let failed = false;
    try {
      await client.query('begin');
      await pinTextFormats(client);
      await lockTables(client);
      const applied = await appliedBackupMigrations(client);
      if (applied.length !== header.migrations.length || applied.some((m, i) => m.hash !== header.migrations[i]?.hash)) {
        throw new KamertonError(
          'conflict',
          `The database's schema (${applied.length} migrations) is not the backup's (${header.migrations.length}): ` +
            'start this Kamerton once on it so that it is migrated, then restore.',
          { file },
        );
      }
      const replaced = await emptyDatabase(client, options.force === true);
      let done = 0;
      for (const plan of plans) {
        const before = done;
        done += await restoreTable(client, file, input, plan, batchSize, (rows) => options.onProgress?.(before + rows, total));
      }
      const extra = await input.next();
      if (extra !== null) {
        throw new KamertonError('invalid-input', `${file}, line ${input.line}: the header announces ${formatCount(total)} rows, but the file goes on.`, {
          file, line: input.line,
        });
      }
      await resetSequences(client, plans.map((p) => p.table));
      await client.query('commit');
      const tables = plans.map((p) => ({ name: p.table.name, rows: p.rows }));
      return { tables, rows: total, createdAt: header.createdAt, kamerton: header.kamerton, replaced };
    } catch (error) {
      failed = true;
      await rollbackQuietly(client);
      throw error;
    } finally {
      release(client, failed);
    }
  } finally {
    await input.close();
  }
}

/**
 * Locks every table of the schema for the transaction, so that a running server's requests wait for
 * the restore instead of writing into a half-restored database (or into one just found empty).
 */
async function lockTables(client: pg.ClientBase): Promise<void> {
  await client.query(`select set_config('lock_timeout', '${LOCK_TIMEOUT}', true)`);
  try {
    await client.query(`lock table ${allTables().map((t) => t.sql).join(', ')} in access exclusive mode`);
  } catch (error) {
    if ((error as { code?: string }).code === '55P03') {
      throw new KamertonError(
        'conflict',
        `Another connection kept the tables busy for ${LOCK_TIMEOUT}: try again, or stop the Kamerton server during the restore.`,
        { field: 'database' },
      );
    }
    throw error;
  }
  await client.query("select set_config('lock_timeout', '0', true)");
}

/**
 * Refuses a database that holds any rows (users, accounts, or anything else), or with `force` empties
 * every table of the schema (sessions too: they belong to the users being replaced). Returns what was
 * removed.
 */
async function emptyDatabase(client: pg.ClientBase, force: boolean): Promise<TableRows[]> {
  const tables = allTables();
  const occupied: TableInfo[] = [];
  for (const table of tables) {
    const result = await client.query<{ any: boolean }>(`select exists (select 1 from ${table.sql}) as any`);
    if (result.rows[0]?.any === true) occupied.push(table);
  }
  if (occupied.length === 0) return [];
  if (!force) {
    throw new KamertonError(
      'conflict',
      `The database is not empty (it has rows in ${occupied.map((t) => t.name).join(', ')}): restore into an empty database, ` +
        'or add --force to replace everything in it, history included.',
      { field: '--force' },
    );
  }
  const replaced: TableRows[] = [];
  for (const table of occupied) {
    const result = await client.query<{ n: string }>(`select count(*) as n from ${table.sql}`);
    replaced.push({ name: table.name, rows: Number(result.rows[0]?.n ?? 0) });
  }
  const names = tables.map((t) => t.sql);
  // The enabled TRUNCATE triggers (bit 5 of tgtype) of these tables, with how each was enabled.
  const triggers = await client.query<{ relation: string; name: string; enabled: string }>(
    `select t.tgrelid::regclass::text as relation, t.tgname as name, t.tgenabled as enabled from pg_trigger t
      where t.tgrelid = any($1::text[]::regclass[]) and not t.tgisinternal and t.tgenabled <> 'D' and (t.tgtype & 32) <> 0`,
    [names],
  );
  for (const trigger of triggers.rows) {
    await client.query(`alter table ${trigger.relation} disable trigger ${quoteIdentifier(trigger.name)}`);
  }
  await client.query(`truncate table ${names.join(', ')} restart identity`);
  for (const trigger of triggers.rows) {
    const mode = trigger.enabled === 'A' ? 'enable always' : trigger.enabled === 'R' ? 'enable replica' : 'enable';
    await client.query(`alter table ${trigger.relation} ${mode} trigger ${quoteIdentifier(trigger.name)}`);
  }
  return replaced;
}

type Row = { values: (string | null)[]; line: number };

/** Reads the table's rows from `input` and inserts them in batches; returns how many. */
async function restoreTable(
  client: pg.ClientBase, file: string, input: LineSource, plan: TablePlan, batchSize: number, onRows: (rows: number) => void,
): Promise<number> {
  const { table, columns } = plan;
  const types = await columnTypes(client, table);
  const cast = (column: string, index: number): string => `u.c${index}::${types.get(column) as string}`;
  const unnest = `unnest(${columns.map((_, i) => `$${i + 1}::text[]`).join(', ')}) as u(${columns.map((_, i) => `c${i}`).join(', ')})`;
  const self = new Set(table.selfReferences);
  // Identity columns keep the backup's values (OVERRIDING SYSTEM VALUE changes nothing for others).
  const insert =
    `insert into ${table.sql} (${columns.map(quoteIdentifier).join(', ')}) overriding system value select ` +
    `${columns.map((c, i) => (self.has(c) ? `null::${types.get(c) as string}` : cast(c, i))).join(', ')} from ${unnest}`;
  // A row may refer to a row of its own table further on in the file (a contact's superior), so
  // those columns are inserted as null and set once the whole table is in, from a temporary table.
  let links: { insert: string; finish: string[] } | null = null;
  if (self.size > 0) {
    const temporary = quoteIdentifier(`kamerton_restore_${table.name.replace(/\W/g, '_')}`);
    const keep = [...table.primaryKey, ...table.selfReferences];
    const refIndexes = table.selfReferences.map((c) => columns.indexOf(c));
    await client.query(`create temporary table ${temporary} on commit drop as select ${keep.map(quoteIdentifier).join(', ')} from ${table.sql} with no data`);
    links = {
      insert:
        `insert into ${temporary} (${keep.map(quoteIdentifier).join(', ')}) select ${keep.map((c) => cast(c, columns.indexOf(c))).join(', ')} ` +
        `from ${unnest} where num_nonnulls(${refIndexes.map((i) => `u.c${i}`).join(', ')}) > 0`,
      finish: [
        `update ${table.sql} as t set ${table.selfReferences.map((c) => `${quoteIdentifier(c)} = l.${quoteIdentifier(c)}`).join(', ')} ` +
          `from ${temporary} as l where ${table.primaryKey.map((c) => `t.${quoteIdentifier(c)} = l.${quoteIdentifier(c)}`).join(' and ')}`,
        `drop table ${temporary}`,
      ],
    };
  }
  let batch: Row[] = [];
  let chars = 0;
  let done = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const params = columns.map((_, i) => batch.map((row) => row.values[i] ?? null));
    const first = (batch[0] as Row).line;
    const last = (batch[batch.length - 1] as Row).line;
    try {
      await client.query(insert, params);
      if (links !== null) await client.query(links.insert, params);
    } catch (error) {
      throw refused(file, error, table.name, first, last);
    }
    done += batch.length;
    onRows(done);
    batch = [];
    chars = 0;
  };
  for (let i = 0; i < plan.rows; i++) {
    const text = await input.next();
    if (text === null) {
      throw new KamertonError(
        'invalid-input',
        `${file} is truncated: it ends at line ${input.line}, in table ${table.name}, of which the header announces ` +
          `${formatCount(plan.rows)} rows and the file holds ${formatCount(i)}.`,
        { file, line: input.line },
      );
    }
    batch.push({ values: parseRow(file, input.line, text, table.name, columns.length), line: input.line });
    chars += text.length;
    if (batch.length >= batchSize || chars >= BATCH_CHARS) await flush();
  }
  await flush();
  if (links !== null) {
    try {
      await client.query(links.finish[0] as string);
    } catch (error) {
      throw refused(file, error, table.name, null, null);
    }
    await client.query(links.finish[1] as string);
  }
  return done;
}

function parseRow(file: string, line: number, text: string, table: string, width: number): (string | null)[] {
  const invalid = (why: string): KamertonError =>
    new KamertonError('invalid-input', `${file}, line ${line}: ${why}.`, { file, line, field: table });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalid(`not a valid JSON line (${(error as Error).message})`);
  }
  if (!Array.isArray(value)) throw invalid(`a row of table ${table} is a JSON array of values, and this line is not one`);
  if (value.length !== width) throw invalid(`a row of table ${table} has ${width} values, and this one has ${value.length}`);
  for (const item of value) {
    if (item !== null && typeof item !== 'string') throw invalid(`a row of table ${table} holds only texts and nulls, and this one holds ${JSON.stringify(item)}`);
    // PostgreSQL text cannot hold the NUL character; no backup of ours has one.
    if (typeof item === 'string' && item.includes('\0')) throw invalid(`a value of table ${table} holds a NUL character`);
  }
  return value as (string | null)[];
}

/**
 * A database error while inserting rows from the file: a value or a row the database refuses (SQLSTATE
 * classes 22, data exception, and 23, integrity constraint) is bad input, named by its lines; anything
 * else is passed on.
 */
function refused(file: string, error: unknown, table: string, first: number | null, last: number | null): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !(code.startsWith('22') || code.startsWith('23'))) return error;
  const where = first === null ? '' : first === last ? `, line ${first}` : `, lines ${first}-${last}`;
  const column = (error as { column?: unknown }).column;
  return new KamertonError(
    'invalid-input',
    `${file}${where}: the database refuses a row of table ${table}: ${(error as Error).message}.`,
    { file, ...(first !== null ? { line: first } : {}), field: table, ...(typeof column === 'string' ? { column } : {}) },
  );
}

/** The type of each column of `table` in the database, as SQL (numeric(16,2), timestamp with time zone...). */
async function columnTypes(client: pg.ClientBase, table: TableInfo): Promise<Map<string, string>> {
  const result = await client.query<{ name: string; type: string }>(
    `select attname as name, format_type(atttypid, atttypmod) as type from pg_attribute
      where attrelid = $1::text::regclass and attnum > 0 and not attisdropped`,
    [table.sql],
  );
  const types = new Map(result.rows.map((r) => [r.name, r.type]));
  const missing = table.columns.filter((c) => !types.has(c));
  if (missing.length > 0) {
    throw new KamertonError('conflict', `The database's table ${table.name} lacks the columns ${missing.join(', ')}: its schema is not this Kamerton's.`, {
      field: 'database',
    });
  }
  return types;
}

/**
 * Moves every sequence that feeds a column of the restored tables (history.id's bigserial) past the
 * largest value restored, so that the next row gets a new id instead of colliding with a restored one.
 */
async function resetSequences(client: pg.ClientBase, tables: TableInfo[]): Promise<void> {
  for (const table of tables) {
    const sequences = await client.query<{ column: string; sequence: string }>(
      `select attname as column, pg_get_serial_sequence($1::text, attname) as sequence from pg_attribute
        where attrelid = $1::text::regclass and attnum > 0 and not attisdropped and pg_get_serial_sequence($1::text, attname) is not null`,
      [table.sql],
    );
    for (const { column, sequence } of sequences.rows) {
      await client.query(
        `select setval($1::regclass, m) from (select max(${quoteIdentifier(column)}) as m from ${table.sql}) as x where m is not null`,
        [sequence],
      );
    }
  }
}
