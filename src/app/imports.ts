/**
 * Import runs as the API offers them: an uploaded file imported as a job whose progress the client
 * polls, and the records of past imports with their rejected lines as CSV. The import itself is
 * `importLedger` (import-ledger.ts), the same use-case the command line calls.
 *
 * Jobs live in the server's memory: an import is one transaction, so a server that stops mid-way
 * leaves no half-import behind, and the client that polls learns from a 404 that it must upload again.
 */
import { randomUUID } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import type pg from 'pg';
import { z } from 'zod';
import { isKamertonError, KamertonError } from '../core/errors.ts';
import { DATE_FORMATS, LEDGER_FIELDS, type RowError } from '../ingest/types.ts';
import type { Actor } from './actor.ts';
import {
  assertMayImport,
  importLedger,
  sourceSchema,
  type ImportInput,
  type ImportPhase,
  type ImportRecord,
  type RememberedOptions,
} from './import-ledger.ts';
import { parseInput, type Page } from './input.ts';
import { neutraliseFormula } from './report-csv.ts';

export type ImportJobView = {
  id: string;
  fileName: string;
  state: 'running' | 'done' | 'failed';
  phase: ImportPhase | null;
  /** Reading: bytes (rows for XLSX) done and the total when known. */
  done: number;
  total: number | null;
  startedAt: string;
  finishedAt: string | null;
  /** The import's record once done. */
  record: ImportRecord | null;
  /** Why it failed: the error's code, message and details (file, line, column...). */
  error: { code: string; message: string; details: Record<string, unknown> } | null;
};

type Job = ImportJobView & { userId: string | null };

/** How long a finished job stays to be polled. */
const KEEP_FINISHED_MS = 60 * 60 * 1000;

export class ImportJobs {
  private readonly jobs = new Map<string, Job>();

  /** `timeZone`: the company's (config.timeZone), for the win-back detection of each import. */
  constructor(private readonly pool: pg.Pool, private readonly timeZone: string) {}

  /**
   * Starts importing `input` (a file the caller owns: `discard` removes it when the job ends) and
   * returns the job at once. Only one import runs at a time (the ledger's lock): a second waits.
   */
  start(actor: Actor, input: ImportInput & { fileName: string }, discard: () => Promise<void>): ImportJobView {
    assertMayImport(actor);
    this.forgetOld();
    const job: Job = {
      id: randomUUID(),
      userId: actor.userId,
      fileName: input.fileName,
      state: 'running',
      phase: null,
      done: 0,
      total: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      record: null,
      error: null,
    };
    this.jobs.set(job.id, job);
    void importLedger(this.pool, actor, input, {
      timeZone: this.timeZone,
      onProgress: (phase, done, total) => {
        job.phase = phase;
        if (phase === 'reading') {
          job.done = done;
          job.total = total;
        }
      },
    }).then((record) => {
      job.state = 'done';
      job.record = record;
    }, (error: unknown) => {
      job.state = 'failed';
      // The upload's temporary path means nothing to the user: errors name the file as uploaded.
      job.error = isKamertonError(error)
        ? { code: error.code, message: error.message.split(input.path).join(input.fileName), details: namingUpload(error.details, input.path, input.fileName) }
        // An unexpected failure's message may hold internals: it goes to the log, not to the client.
        : { code: 'internal', message: 'The import failed unexpectedly; nothing was changed. The server log has the details.', details: {} };
      if (!isKamertonError(error)) console.error(error);
    }).finally(() => {
      job.finishedAt = new Date().toISOString();
      void discard().catch(() => {});
    });
    return view(job);
  }

  /** The job `id`, for whoever may import; not-found once forgotten. */
  get(actor: Actor, id: string): ImportJobView {
    assertMayImport(actor);
    const job = this.jobs.get(id);
    if (job === undefined) throw new KamertonError('not-found', 'No such import job (finished jobs are kept for an hour).', { field: 'jobId', value: id });
    return view(job);
  }

  /** Waits until every running job has ended (a server shutting down, a test). */
  async settle(): Promise<void> {
    while ([...this.jobs.values()].some((job) => job.state === 'running')) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  private forgetOld(): void {
    const before = Date.now() - KEEP_FINISHED_MS;
    for (const [id, job] of this.jobs) {
      if (job.finishedAt !== null && Date.parse(job.finishedAt) < before) this.jobs.delete(id);
    }
  }
}

/** An error's details with the upload's temporary path replaced by the file's name. */
function namingUpload(details: Record<string, unknown>, path: string, fileName: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).map(([key, value]) => [key, typeof value === 'string' ? value.split(path).join(fileName) : value]));
}

function view(job: Job): ImportJobView {
  const { userId: _userId, ...rest } = job;
  return { ...rest };
}

/** Removes a file, quietly when it is already gone. */
export async function removeFile(path: string): Promise<void> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/** How to read an uploaded file: the reading flags of `kamerton import`, each optional (detected when absent). */
export const readOptionsSchema = z.strictObject({
  delimiter: z.enum([';', ',', '\t', 'whitespace']).optional(),
  encoding: z.enum(['utf-8', 'windows-1250']).optional(),
  header: z.boolean().optional().describe('False for a file without a header line (then map gives column numbers).'),
  decimal: z.enum([',', '.']).optional(),
  dateFormat: z.enum(DATE_FORMATS).optional(),
  sheet: z.string().min(1).max(200).optional().describe('XLSX: the sheet to read (default: the first).'),
  map: z.partialRecord(z.enum(LEDGER_FIELDS), z.union([z.string().min(1).max(200), z.number().int().min(1).max(1000), z.null()])).optional()
    .describe('Field to header text or 1-based column number, overriding the header names; null for no column.'),
  strict: z.boolean().optional().describe('Stop at the first bad line instead of rejecting it and going on.'),
});

export type ReadOptionsInput = z.input<typeof readOptionsSchema>;

export const importListQuerySchema = z.object({
  source: z.string().optional().describe('Only the imports of this source.'),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

type ImportRow = {
  id: string; source: string; file_name: string; sha256: string; format: 'csv' | 'xlsx'; user_id: string | null;
  started_at: Date; finished_at: Date; lines: number; accepted: number; rejected: number; unchanged: number; added: number;
  removed: number; new_accounts: number; matched_by: 'document-line' | 'values'; documents: number;
  first_day: string | null; last_day: string | null;
};

export type ImportSummary = Omit<ImportRecord, 'newAccounts' | 'errors'> & { newAccounts: number };

function summaryOf(row: ImportRow): ImportSummary {
  return {
    id: Number(row.id),
    source: row.source,
    fileName: row.file_name,
    sha256: row.sha256,
    format: row.format,
    userId: row.user_id,
    startedAt: row.started_at.toISOString(),
    finishedAt: row.finished_at.toISOString(),
    lines: row.lines,
    accepted: row.accepted,
    rejected: row.rejected,
    unchanged: row.unchanged,
    added: row.added,
    removed: row.removed,
    matchedBy: row.matched_by,
    documents: row.documents,
    firstDay: row.first_day,
    lastDay: row.last_day,
    newAccounts: row.new_accounts,
  };
}

const IMPORT_COLUMNS = `id, source, file_name, sha256, format, user_id, started_at, finished_at, lines, accepted, rejected, unchanged,
  added, removed, new_accounts, matched_by, documents, first_day::text, last_day::text`;

/** The imports, newest first: whoever may import sees them. */
export async function listImports(pool: pg.Pool, actor: Actor, query: z.input<typeof importListQuerySchema>): Promise<Page<ImportSummary>> {
  assertMayImport(actor);
  const q = parseInput(importListQuerySchema, query);
  const { rows } = await pool.query<ImportRow & { total: string }>(
    `select ${IMPORT_COLUMNS}, count(*) over () as total from imports where $1::text is null or source = $1
      order by id desc limit $2 offset $3`,
    [q.source ?? null, q.pageSize, (q.page - 1) * q.pageSize],
  );
  const total = rows[0] === undefined ? await countImports(pool, q.source ?? null) : Number(rows[0].total);
  return { items: rows.map(summaryOf), total, page: q.page, pageSize: q.pageSize };
}

async function countImports(pool: pg.Pool, source: string | null): Promise<number> {
  const { rows: [row] } = await pool.query<{ n: string }>('select count(*) as n from imports where $1::text is null or source = $1', [source]);
  return Number(row!.n);
}

/** One import's record: its figures, the accounts it created and its first 1,000 rejected lines. */
export async function getImport(pool: pg.Pool, actor: Actor, id: number): Promise<ImportRecord> {
  assertMayImport(actor);
  const { rows: [row] } = await pool.query<ImportRow>(`select ${IMPORT_COLUMNS} from imports where id = $1`, [id]);
  if (row === undefined) throw new KamertonError('not-found', 'Import not found.', { field: 'importId', value: String(id) });
  const { rows: created } = await pool.query<{ code: string; account_id: string }>(
    'select code, account_id from import_new_accounts where import_id = $1 order by code',
    [id],
  );
  const { rows: errors } = await pool.query<RowError>(
    'select line, "column", value, message from import_rejects where import_id = $1 order by line limit 1000',
    [id],
  );
  return { ...summaryOf(row), newAccounts: created.map((r) => ({ code: r.code, accountId: r.account_id })), errors };
}

/**
 * Every rejected line of import `id` as CSV (UTF-8 with BOM, `;`, CRLF, as Polish spreadsheets open
 * it): line, column, value, reason. Values come from the uploaded file, so they are neutralised
 * against spreadsheet formulas.
 */
export async function rejectedLinesCsv(pool: pg.Pool, actor: Actor, id: number): Promise<string> {
  await getImport(pool, actor, id);
  const { rows } = await pool.query<RowError>(
    'select line, "column", value, message from import_rejects where import_id = $1 order by line',
    [id],
  );
  const cell = (text: string | null): string => {
    const safe = neutraliseFormula(text ?? '');
    return /[";\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const lines = ['line;column;value;message', ...rows.map((r) => `${r.line};${cell(r.column)};${cell(r.value)};${cell(r.message)}`)];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** The reading options a source remembers from its last import that named some (import_sources). */
export type ImportSource = {
  source: string;
  options: RememberedOptions;
  importId: number;
  userId: string | null;
  updatedAt: string;
};

/** The remembered options of `source`, or null when none are (no permission check: callers check). */
export async function loadSourceOptions(pool: pg.Pool, source: string): Promise<ImportSource | null> {
  const { rows: [row] } = await pool.query<{ options: RememberedOptions; import_id: string; user_id: string | null; updated_at: Date }>(
    'select options, import_id, user_id, updated_at from import_sources where source = $1',
    [source],
  );
  if (row === undefined) return null;
  return { source, options: row.options, importId: Number(row.import_id), userId: row.user_id, updatedAt: row.updated_at.toISOString() };
}

/** How the files of `source` are read, as remembered; not-found before any import of it named options. */
export async function getImportSource(pool: pg.Pool, actor: Actor, source: string): Promise<ImportSource> {
  assertMayImport(actor);
  const name = parseInput(sourceSchema, source);
  const found = await loadSourceOptions(pool, name);
  if (found === null) throw new KamertonError('not-found', `No reading options are remembered for the source ${name}.`, { field: 'source', value: name });
  return found;
}
