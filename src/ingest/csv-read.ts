/**
 * Reading CSV and whitespace-separated ledgers: the fast rollup (`readCsvDailyLedger`, on several
 * cores for a large file) and the full lines (`readCsvValues`, one pass in the main thread). Both decide
 * the layout from the file's start, tokenize the bytes with csv-tokenizer.ts and judge each line with
 * the same LineChecker, so they accept and reject the same lines.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { KamertonError } from '../core/errors.ts';
import { buildDailyLedger, releasePages } from './client-day-table.ts';
import { readDailyChunk, type DailyChunkResult } from './csv-daily-chunk.ts';
import { detectLayout, HEAD_BYTES, type CsvLayout } from './csv-layout.ts';
import { LineChecker } from './csv-line-checker.ts';
import { LineValues } from './line-values.ts';
import { readChunkInWorker, splitAtLines } from './csv-parallel.ts';
import { InvalidUtf8Error, RecordReader } from './csv-record-reader.ts';
import { RowErrorLog } from './row-errors.ts';
import { DRAIN_EVERY_LINES, type DailyLedgerRead, type LineHooks, type ReadInfo, type ReadOptions, type RowError } from './types.ts';

/**
 * Below this many bytes of data a file is read in the main thread alone. Each thread pays fixed costs
 * (a worker's start-up, its own table of every client, the merge), which measured on 2 cores ate the
 * whole gain on an 80 MB ledger of 100k clients and left 10% on 160 MB, 25% on 240 MB.
 * `options.workers`, when given, overrides it.
 */
export const PARALLEL_MIN_BYTES = 96 * 1024 * 1024;
/** The main thread's share of the file beyond an equal one (see readCsvDailyLedger). */
const MAIN_THREAD_EXTRA_SHARE = 0.03;
/** At most this many worker threads by default. */
const MAX_DEFAULT_WORKERS = 8;
/** At most this often is `onProgress` called (milliseconds). */
const PROGRESS_INTERVAL_MS = 250;

type OpenedCsv = { fd: number; size: number; layout: CsvLayout };

function openCsv(path: string, options: ReadOptions): OpenedCsv {
  const fd = openFile(path);
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.allocUnsafe(Math.min(size, HEAD_BYTES));
    let got = 0;
    while (got < head.length) {
      const n = readSync(fd, head, got, head.length - got, got);
      if (n <= 0) break;
      got += n;
    }
    const layout = detectLayout(path, head.subarray(0, got), got >= size, options);
    return { fd, size, layout };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

function openFile(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') {
      throw new KamertonError(code === 'ENOENT' ? 'not-found' : 'invalid-input', `${path}: cannot open the file (${code})`, { file: path });
    }
    throw error;
  }
}

/** Calls `onProgress` at most every PROGRESS_INTERVAL_MS, and always for the end. */
function throttle(onProgress: ReadOptions['onProgress'], total: number): (done: number, final?: boolean) => void {
  if (onProgress === undefined) return () => {};
  let last = -Infinity;
  return (done, final = false) => {
    const now = performance.now();
    if (!final && now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    onProgress(done, total);
  };
}

function invalidUtf8(file: string, line: number): KamertonError {
  return new KamertonError(
    'invalid-input',
    `${file}: line ${line} is not valid UTF-8, although the start of the file was read as UTF-8; the file is ` +
      `probably in Windows-1250: give --encoding windows-1250`,
    { file, line, field: 'encoding' },
  );
}

function info(layout: CsvLayout, lines: number, log: RowErrorLog): ReadInfo {
  return {
    file: layout.file,
    format: 'csv',
    delimiter: layout.delimiter,
    encoding: layout.encoding,
    decimal: layout.decimal,
    columns: layout.columns,
    lines,
    rejectedLines: log.count,
    errors: log.errors,
  };
}

/** How many workers read the file: `options.workers` when given (1 or less: none), else by size. */
function workerCount(options: ReadOptions, dataBytes: number): number {
  if (options.workers !== undefined) return Math.max(1, Math.floor(options.workers));
  if (dataBytes < PARALLEL_MIN_BYTES) return 1;
  return Math.max(1, Math.min(MAX_DEFAULT_WORKERS, availableParallelism()));
}

/**
 * The per-client, per-day rollup of a CSV or whitespace-separated ledger. A large file is read by
 * `options.workers` threads at once, the main thread and `workers - 1` worker threads (by default one
 * thread per core, at most 8, and the main thread alone below 96 MiB of data); `options.workers: 1`
 * reads in the main thread alone, and any larger number is honoured even for a tiny file.
 */
export async function readCsvDailyLedger(path: string, options: ReadOptions = {}): Promise<DailyLedgerRead> {
  const { fd, size, layout } = openCsv(path, options);
  // Stops the worker threads still reading when the read ends early (an error in another chunk).
  const stopWorkers = new AbortController();
  try {
    const progress = throttle(options.onProgress, size);
    const workers = workerCount(options, size - layout.dataStart);
    let results: DailyChunkResult[] | null = null;
    if (workers > 1) {
      // The main thread starts at once, a worker thread some 0.15 s later (loading the TypeScript
      // modules), so the main thread takes a little more: measured on 2 cores with the 10M-line
      // benchmark, 53% finished together (the worker reached the end 0.1-0.3 s early with 56%).
      const bounds = splitAtLines(fd, layout.dataStart, size, workers, 1 / workers + MAIN_THREAD_EXTRA_SHARE);
      const done = new Array<number>(workers).fill(0);
      const report = (): void => progress(layout.dataStart + done.reduce((a, b) => a + b, 0));
      // The main thread reads the first chunk itself while worker threads read the others: it would
      // otherwise only wait, and a thread fewer saves one start-up and some 25 MB.
      const others = bounds.slice(2).map((end, k) => {
        const i = k + 1;
        const start = bounds[i] as number;
        if (start >= end) return Promise.resolve(readDailyChunk(fd, start, end, layout));
        return readChunkInWorker({ path, start, end, layout }, (bytes) => {
          done[i] = bytes;
          report();
        }, stopWorkers.signal);
      });
      // Should the main thread's read throw, the workers' results are no longer wanted, nor their errors.
      others.forEach((promise) => promise.catch(() => {}));
      const first = readDailyChunk(fd, bounds[0] as number, bounds[1] as number, layout, (bytes) => {
        done[0] = bytes;
        report();
      });
      const parallel = [first, ...(await Promise.all(others))];
      // A chunk other than the last that ended inside a quoted field means the next split point fell
      // inside one: the chunks after it were read from a wrong start, so the file is read again whole.
      const wrongSplit = parallel.some((r, i) => r.endedInQuotes && (bounds[i + 1] as number) < size);
      if (!wrongSplit) results = parallel;
    }
    results ??= [readDailyChunk(fd, layout.dataStart, size, layout, (bytes) => progress(layout.dataStart + bytes))];

    const log = new RowErrorLog(path, layout.strict);
    let linesBefore = layout.linesBefore;
    let dataLines = 0;
    for (const result of results) {
      log.merge({ count: result.errorCount, errors: result.errors }, linesBefore);
      if (result.invalidUtf8Line !== null) throw invalidUtf8(path, result.invalidUtf8Line + linesBefore);
      linesBefore += result.lines;
      dataLines += result.dataLines;
    }
    log.check(dataLines);
    const parts = results.flatMap((r) => r.parts);
    const pages = parts.flatMap((part) => part.pages);
    const ledger = buildDailyLedger(parts, layout.hasMargin);
    await releasePages(pages);
    progress(size, true);
    return { ...info(layout, dataLines, log), ledger };
  } finally {
    stopWorkers.abort();
    closeSync(fd);
  }
}

/**
 * Every good line of a CSV or whitespace-separated ledger, validated, in file order, to `onValues` as it
 * lies in the read buffer (`LineValues`, one object for every line, valid until `onValues` returns): one
 * pass in the main thread, memory staying at the read buffer's size. Bad lines are reported in the
 * result (or, in strict mode, the first one stops the read).
 */
export async function readCsvValues(
  path: string,
  options: ReadOptions,
  onValues: (values: LineValues) => void,
  hooks: LineHooks = {},
): Promise<ReadInfo> {
  const { fd, size, layout } = openCsv(path, options);
  try {
    const progress = throttle(options.onProgress, size);
    const reader = new RecordReader(fd, layout.dataStart, size, layout.delimiter, layout.encoding === 'utf-8');
    const checker = new LineChecker(layout);
    const log = new RowErrorLog(path, layout.strict, hooks.rejected);
    const values = new LineValues();
    const s = reader.scanner;
    let dataLines = 0;
    try {
      while (reader.next()) {
        dataLines++;
        const line = reader.recordLine + layout.linesBefore;
        if (checker.checkValues(reader.buf, s, line, values)) {
          onValues(values);
        } else {
          const error: RowError = { ...checker.error, line };
          log.add(error);
        }
        if ((dataLines & 0xffff) === 0) progress(layout.dataStart + reader.bytesRead);
        if (hooks.drain !== undefined && dataLines % DRAIN_EVERY_LINES === 0) {
          const wait = hooks.drain();
          if (wait !== undefined) await wait;
        }
      }
    } catch (error) {
      if (error instanceof InvalidUtf8Error) throw invalidUtf8(path, error.line + layout.linesBefore);
      throw error;
    }
    log.check(dataLines);
    progress(size, true);
    return info(layout, dataLines, log);
  } finally {
    closeSync(fd);
  }
}
