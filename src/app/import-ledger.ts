/**
 * The `import` use-case: a sales ledger file into the stored ledger, atomically. The file replaces,
 * within its source, the lines of every document it holds (and, for lines without a document, every
 * such line dated within the file's span of them), so importing the same file twice changes nothing,
 * a corrected export replaces what it corrects, and a line deleted in the ERP disappears. Each run is
 * recorded with what it changed and every line it rejected.
 *
 * The whole import is one transaction on a connection of its own: a bad line in strict mode, a
 * database error or a killed process leaves the database as it was. Imports run one at a time (a
 * transaction-scoped advisory lock), because two at once could both create an account for one new
 * client code and would replace each other's documents in an order nobody chose.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import pg from 'pg';
import { z } from 'zod';
import { formatDay } from '../core/calendar.ts';
import { KamertonError } from '../core/errors.ts';
import {
  createNewAccounts,
  createStaging,
  findRepeatedStagedKey,
  LEDGER_LOCK,
  loadLedgerKeys,
  moveRollup,
  prepareEmptyLoad,
  replaceScope,
  type LedgerChange,
} from '../db/ledger-store.ts';
import { LedgerCopy } from '../db/ledger-copy.ts';
import { readLedgerValues } from '../ingest/read-ledger.ts';
import type { ReadInfo, ReadOptions, RowError } from '../ingest/types.ts';
import { assertManagesAccounts } from './roles.ts';
import type { Actor } from './actor.ts';
import { parseInput } from './input.ts';
import { SOURCE_PATTERN, SOURCE_RULE } from './source.ts';
import { DEFAULT_TIME_ZONE } from './clock.ts';
import { detectWinBacks } from './win-back-refresh.ts';

export const DEFAULT_SOURCE = 'erp';

export const sourceSchema = z.string()
  .regex(SOURCE_PATTERN, `A source is ${SOURCE_RULE}.`)
  .describe('The system the ledger comes from; a file replaces lines of its own source only.');

export type ImportInput = {
  path: string;
  /** The name the record shows (an upload's original name); the path's last part when absent. */
  fileName?: string;
  source?: string;
  read?: ReadOptions;
};

export type ImportPhase = 'reading' | 'storing';

export type ImportOptions = {
  /** Reading: bytes (rows for XLSX) done and the total when known; storing: no figures. */
  onProgress?: (phase: ImportPhase, done: number, total: number | null) => void;
  /**
   * The company's time zone (config.timeZone; default Europe/Warsaw): a win-back action counts the
   * purchases after the company's day it was created on (src/app/win-back-refresh.ts).
   */
  timeZone?: string;
};

export type NewAccount = { code: string; accountId: string };

/** The reading options remembered per source (import_sources): how its files are read. */
export type RememberedOptions = Pick<ReadOptions, 'map' | 'delimiter' | 'encoding' | 'header' | 'decimal' | 'dateFormat' | 'sheet'>;

/**
 * The reading options of `read` that a source remembers, or null when it names none: an import run
 * without options (the command line's default) leaves the source's memory as it was, while one that
 * named a mapping or any reading option replaces it. The browser always sends the full mapping the
 * preview showed, so each browser import remembers how its file was read.
 */
export function rememberedOptions(read: ReadOptions | undefined): RememberedOptions | null {
  if (read === undefined) return null;
  const out: RememberedOptions = {};
  if (read.map !== undefined && Object.keys(read.map).length > 0) out.map = { ...read.map };
  for (const key of ['delimiter', 'encoding', 'header', 'decimal', 'dateFormat', 'sheet'] as const) {
    if (read[key] !== undefined) (out as Record<string, unknown>)[key] = read[key];
  }
  return Object.keys(out).length === 0 ? null : out;
}

/** The record of one import, as `kamerton import --format json` prints it and the API returns it. */
export type ImportRecord = {
  id: number;
  source: string;
  fileName: string;
  sha256: string;
  format: 'csv' | 'xlsx';
  userId: string | null;
  startedAt: string;
  finishedAt: string;
  /** Data lines read, good and bad. */
  lines: number;
  accepted: number;
  rejected: number;
  unchanged: number;
  added: number;
  removed: number;
  matchedBy: 'document-line' | 'values';
  documents: number;
  firstDay: string | null;
  lastDay: string | null;
  newAccounts: NewAccount[];
  /** The first 1,000 rejected lines (all of them are stored: `rejectedLinesCsv`). */
  errors: RowError[];
};

/** Who may import the ledger: it changes every account's figures, so those who manage every account. */
export function assertMayImport(actor: Actor): void {
  assertManagesAccounts(actor, 'import the sales ledger');
}

export async function importLedger(pool: pg.Pool, actor: Actor, input: ImportInput, options: ImportOptions = {}): Promise<ImportRecord> {
  assertMayImport(actor);
  const source = parseInput(sourceSchema.optional(), input.source) ?? DEFAULT_SOURCE;
  const fileName = input.fileName ?? basename(input.path);
  try {
    await stat(input.path);
  } catch {
    throw new KamertonError('not-found', `${input.path}: no such file`, { file: input.path });
  }
  const startedAt = new Date();
  const sha256 = fileSha256(input.path);
  // The hash is read alongside the import; its failure must not surface as an unhandled rejection.
  sha256.catch(() => {});

  // A connection of its own rather than one of the pool's: an import's temporary tables and settings
  // never reach a pooled session, and a process killed mid-way drops it, which rolls the import back.
  const client = new pg.Client(pool.options);
  await client.connect();
  try {
    await client.query('begin');
    await client.query('select pg_advisory_xact_lock($1)', [LEDGER_LOCK.toString()]);
    const userId = actor.userId;
    const { rows: [run] } = await client.query<{ id: string }>(
      `insert into imports (source, file_name, sha256, format, user_id, started_at, lines, accepted, rejected, unchanged,
                            added, removed, new_accounts, matched_by, documents)
       values ($1, $2, '', 'csv', $3, $4, 0, 0, 0, 0, 0, 0, 0, 'values', 0) returning id`,
      [source, fileName, userId, startedAt],
    );
    const importId = Number(run!.id);

    await client.query(`set local work_mem = '256MB'`);
    const keys = await loadLedgerKeys(client, source);
    // A source's first import has nothing to replace, so its lines go straight into the ledger.
    const replacing = keys.stored;
    if (replacing) await createStaging(client);
    const completeLoad = keys.empty ? await prepareEmptyLoad(client) : null;
    const rejects: RowError[] = [];
    const copy = new LedgerCopy(client, replacing ? 'import_staging' : 'ledger_lines', keys.codes, source, importId);
    let info: ReadInfo;
    try {
      info = await readLedgerValues(
        input.path,
        { ...input.read, onProgress: (done, total) => options.onProgress?.('reading', done, total) },
        (values) => copy.add(values),
        { drain: () => copy.drain(), rejected: (error) => rejects.push(error) },
      );
      await copy.finish();
    } catch (error) {
      copy.abort(error instanceof Error ? error : new Error(String(error)));
      throw repeatedLineError(input.path, copy, error) ?? error;
    }
    options.onProgress?.('storing', 0, null);

    if (copy.lines === 0 && info.rejectedLines === 0) {
      throw new KamertonError('invalid-input', `${input.path}: the ledger has no data lines`, { file: input.path });
    }
    let change: LedgerChange = { unchanged: 0, added: copy.lines, removed: 0 };
    if (replacing) {
      const repeated = copy.documents.size === 0 ? null : await findRepeatedStagedKey(client);
      if (repeated !== null) {
        const [first, second] = repeated.rows.map((row) => copy.fileLine(row));
        throw repeatedLine(input.path, { document: repeated.document, documentLine: repeated.documentLine, line: second ?? null, first: first ?? null });
      }
      change = await replaceScope(client, source, copy);
    }
    const newAccounts = await createNewAccounts(client, importId, userId, copy);
    await moveRollup(client, copy, replacing);
    await completeLoad?.();
    await storeRejects(client, importId, rejects);
    const remember = rememberedOptions(input.read);
    if (remember !== null) {
      // In the import's transaction: a failed import remembers nothing.
      await client.query(
        `insert into import_sources (source, options, import_id, user_id, updated_at) values ($1, $2, $3, $4, clock_timestamp())
         on conflict (source) do update set options = excluded.options, import_id = excluded.import_id,
                                            user_id = excluded.user_id, updated_at = excluded.updated_at`,
        [source, JSON.stringify(remember), importId, userId],
      );
    }
    const matchedBy = info.columns.document !== undefined && info.columns.line !== undefined ? 'document-line' : 'values';
    const firstDay = copy.firstDay === null ? null : formatDay(copy.firstDay);
    const lastDay = copy.lastDay === null ? null : formatDay(copy.lastDay);
    const { rows: [finished] } = await client.query<{ finished_at: Date }>(
      `update imports set sha256 = $2, format = $3, lines = $4, accepted = $5, rejected = $6, unchanged = $7, added = $8,
              removed = $9, new_accounts = $10, matched_by = $11, documents = $12, first_day = $13, last_day = $14,
              columns = $15, finished_at = clock_timestamp()
        where id = $1 returning finished_at`,
      [importId, await sha256, info.format, info.lines, copy.lines, info.rejectedLines, change.unchanged, change.added,
        change.removed, newAccounts.length, matchedBy, copy.documents.size, firstDay, lastDay, JSON.stringify(info.columns)],
    );
    await detectWinBacks(client, options.timeZone ?? DEFAULT_TIME_ZONE);
    await client.query('commit');
    return {
      id: importId,
      source,
      fileName,
      sha256: await sha256,
      format: info.format,
      userId,
      startedAt: startedAt.toISOString(),
      finishedAt: finished!.finished_at.toISOString(),
      lines: info.lines,
      accepted: copy.lines,
      rejected: info.rejectedLines,
      ...change,
      matchedBy,
      documents: copy.documents.size,
      firstDay,
      lastDay,
      newAccounts,
      errors: info.errors,
    };
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The error of a file that holds a document line twice: an export holds each once. */
function repeatedLine(file: string, at: { document: string; documentLine: string; line: number | null; first: number | null }): KamertonError {
  const where = at.line === null ? 'a line' : `line ${at.line}`;
  const first = at.first === null ? '' : ` of line ${at.first}`;
  return new KamertonError(
    'invalid-input',
    `${file}: ${where} repeats document ${at.document} line ${at.documentLine}${first}; an export holds each document line once`,
    { file, ...(at.line === null ? {} : { line: at.line }), value: at.documentLine },
  );
}

/**
 * The unique index on (source, document, line) refuses a repeated document line during a first
 * import's COPY; PostgreSQL names the key and the COPY row, which is turned into the file's line.
 */
function repeatedLineError(file: string, copy: LedgerCopy, error: unknown): KamertonError | null {
  const pgError = error as { code?: string; constraint?: string; detail?: string; where?: string };
  if (pgError.code !== '23505' || pgError.constraint !== 'ledger_lines_document') return null;
  const key = /=\((.*), (.*), (.*)\) already exists/.exec(pgError.detail ?? '');
  const row = /COPY ledger_lines, line (\d+)/.exec(pgError.where ?? '');
  return repeatedLine(file, {
    document: key?.[2] ?? '?',
    documentLine: key?.[3] ?? '?',
    line: row === null ? null : copy.fileLine(Number(row[1])),
    first: null,
  });
}

async function storeRejects(client: pg.ClientBase, importId: number, rejects: readonly RowError[]): Promise<void> {
  const BATCH = 10_000;
  for (let i = 0; i < rejects.length; i += BATCH) {
    const part = rejects.slice(i, i + BATCH);
    await client.query(
      `insert into import_rejects (import_id, line, "column", value, message)
       select $1, * from unnest($2::integer[], $3::text[], $4::text[], $5::text[])`,
      [importId, part.map((r) => r.line), part.map((r) => r.column), part.map((r) => r.value), part.map((r) => r.message)],
    );
  }
}

function fileSha256(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
