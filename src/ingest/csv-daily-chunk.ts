/**
 * The hot loop of `readDailyLedger`: one byte range of a delimited file read straight into a
 * (client, day) table. It runs in a worker thread for each chunk of a large file, or in the main
 * thread for a small one or when the chunks have to be read again in one pass. Line numbers in its
 * result count from the range's start (1-based); the caller adds the lines before the range.
 */
import { ClientDayTable, type ClientDayPart } from './client-day-table.ts';
import type { CsvLayout } from './csv-layout.ts';
import { LineChecker } from './csv-line-checker.ts';
import { bufferSizeFor, InvalidUtf8Error, RecordReader } from './csv-record-reader.ts';
import { RollupKernel } from './rollup-kernel.ts';
import { RowErrorLog } from './row-errors.ts';
import type { RowError } from './types.ts';

export type DailyChunkResult = {
  /** The rollup kernel's part (when it read) and the JavaScript table's. */
  parts: ClientDayPart[];
  /** Physical lines of the range read (all of them unless the read stopped early). */
  lines: number;
  /** Data lines read, good and bad (blank lines not counted). */
  dataLines: number;
  errorCount: number;
  /** The first 1,000 bad lines, numbered from the range's start. */
  errors: RowError[];
  /** The range ended inside a quoted field: when it is not the file's last, the split was wrong. */
  endedInQuotes: boolean;
  /** The first line (from the range's start) that is not valid UTF-8 in a file taken as UTF-8, or null. */
  invalidUtf8Line: number | null;
};

/** Records between two looks at the clock for progress. */
const PROGRESS_EVERY = 1 << 16;

/**
 * Reads `[start, end)` of the open file `fd` (which starts and ends at line boundaries, or at the end
 * of the file). In strict mode the read stops at the first bad line, which is then the result's only
 * error. `onProgress` gets the range's bytes read so far, now and then.
 */
export function readDailyChunk(
  fd: number,
  start: number,
  end: number,
  layout: CsvLayout,
  onProgress?: (bytesRead: number) => void,
  bufferSize?: number,
  useKernel = true,
): DailyChunkResult {
  const checker = new LineChecker(layout);
  const kernel = useKernel ? RollupKernel.create(layout, checker.decode, bufferSizeFor(start, end, bufferSize)) : null;
  // The kernel's read buffer while the reader reads into it (a record longer than the buffer makes the
  // reader take a bigger one of its own, and the JavaScript path reads the rest of the range).
  let kernelBuffer = kernel?.buffer ?? null;
  const reader = new RecordReader(fd, start, end, layout.delimiter, layout.encoding === 'utf-8', bufferSize, kernelBuffer ?? undefined);
  const table = new ClientDayTable(layout.hasMargin, checker.decode);
  const log = new RowErrorLog(layout.file, false);
  const s = reader.scanner;
  let dataLines = 0;
  let invalidUtf8Line: number | null = null;
  let untilProgress = PROGRESS_EVERY;
  /** Counts `lines` data lines read, and reports the progress every PROGRESS_EVERY of them. */
  const count = (lines: number): void => {
    dataLines += lines;
    untilProgress -= lines;
    if (untilProgress <= 0) {
      untilProgress = PROGRESS_EVERY;
      onProgress?.(reader.bytesRead);
    }
  };
  try {
    for (;;) {
      if (kernel !== null && reader.buf === kernelBuffer) {
        for (;;) {
          const stop = kernel.run(reader.position, reader.plainLimit);
          reader.skipTo(kernel.position, kernel.linesTaken);
          if (kernel.buffer !== kernelBuffer) {
            kernelBuffer = kernel.buffer;
            reader.rebind(kernelBuffer);
          }
          count(kernel.linesTaken);
          if (stop === 'declined' || (stop === 'limit' && !reader.more())) break;
        }
      }
      // The line the kernel declined, one it could not reach (longer than the buffer, after text that
      // is not UTF-8), the end of the range; or every line when there is no kernel.
      if (!reader.next()) break;
      count(1);
      const buf = reader.buf;
      if (checker.check(buf, s)) {
        table.add(buf, checker.clientStart, checker.clientEnd, checker.nameStart, checker.nameEnd, checker.day, checker.revenue, checker.margin);
      } else {
        checker.error.line = reader.recordLine;
        log.add(checker.error);
        if (layout.strict) break;
      }
    }
  } catch (error) {
    if (!(error instanceof InvalidUtf8Error)) throw error;
    invalidUtf8Line = error.line;
  }
  onProgress?.(reader.bytesRead);
  const parts = kernel !== null ? [kernel.finish(), table.export()] : [table.export()];
  return {
    parts,
    lines: reader.lines,
    dataLines,
    errorCount: log.count,
    errors: log.errors,
    endedInQuotes: reader.endedInQuotes,
    invalidUtf8Line,
  };
}
