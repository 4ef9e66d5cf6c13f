/**
 * What the ledger readers take and give. A reader turns a CSV, whitespace-separated text or XLSX
 * file into validated ledger lines, and reports every line it cannot use with its line number,
 * column and value; the fast path (`readDailyLedger`) folds the lines straight into the per-client,
 * per-day rollup that the analysis needs.
 */
import type { DailyLedger } from '../core/types.ts';

/** Every field a ledger line can have: the CLI's --map and the API's import options list them from here. */
export const LEDGER_FIELDS = [
  'date', 'client', 'revenue', 'cost', 'margin', 'quantity', 'product', 'group',
  'document', 'line', 'dueDate', 'paidDate', 'clientName',
] as const;
export type LedgerField = (typeof LEDGER_FIELDS)[number];

export type Delimiter = ';' | ',' | '\t' | 'whitespace';
export type Encoding = 'utf-8' | 'windows-1250';
export type DecimalSeparator = ',' | '.';
export const DATE_FORMATS = ['YYYY-MM-DD', 'DD.MM.YYYY', 'DD/MM/YYYY', 'YYYYMMDD', 'excel-serial'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

export type ReadOptions = {
  /** Chosen from the file name's extension when absent (.xlsx is XLSX, anything else is text). */
  format?: 'csv' | 'xlsx';
  /** XLSX: the sheet to read; the first sheet when absent. */
  sheet?: string;
  /** Detected among `;` `,` tab when absent; whitespace is never detected. */
  delimiter?: Delimiter;
  /** Detected (UTF-8 with or without BOM, else Windows-1250) when absent. */
  encoding?: Encoding;
  /** False for files without a header line (then `map` must give column numbers). */
  header?: boolean;
  /**
   * Field to header text, or to a 1-based column number; overrides the header synonyms. Null leaves the
   * field without a column even when a header's name would match it (the browser's mapping can unset one).
   */
  map?: Partial<Record<LedgerField, string | number | null>>;
  /** Detected from the numbers when absent; a clear error when detection cannot tell. */
  decimal?: DecimalSeparator;
  /** Detected per value among the accepted formats when absent. */
  dateFormat?: DateFormat;
  /** Any bad line is an error instead of being reported and counted. */
  strict?: boolean;
  /** Worker threads for the fast path; defaults to the number of cores (at most 8). */
  workers?: number;
  /** Called now and then with bytes (or, for XLSX, rows) done and the total when known. */
  onProgress?: (done: number, total: number | null) => void;
};

/** One line that could not be used. `line` is 1-based and counts the header (for XLSX, the row). */
export type RowError = { line: number; column: string | null; value: string | null; message: string };

/** A validated ledger line, as the import into the database stores it. */
export type LedgerLine = {
  line: number;
  date: number;
  client: string;
  clientName: string | null;
  /** Minor units (grosze). */
  revenue: number;
  /** Minor units; null when the file has no cost column. */
  cost: number | null;
  /** Minor units; null when the file has neither a cost nor a margin column. */
  margin: number | null;
  quantity: number | null;
  product: string | null;
  group: string | null;
  document: string | null;
  documentLine: string | null;
  dueDate: number | null;
  paidDate: number | null;
};

/** How the file was read: what a report or an import record shows about the input. */
export type ReadInfo = {
  file: string;
  format: 'csv' | 'xlsx';
  delimiter: Delimiter | null;
  encoding: Encoding | null;
  decimal: DecimalSeparator;
  /** The header text (or `column N`) each found field was read from. */
  columns: Partial<Record<LedgerField, string>>;
  /** Data lines read (the header not counted), good and bad. */
  lines: number;
  rejectedLines: number;
  /** The first 1,000 bad lines in line order. */
  errors: RowError[];
};

export type DailyLedgerRead = ReadInfo & { ledger: DailyLedger };

/**
 * What a consumer of full lines (the import) adds to `onLine`. The readers call `drain` every few
 * thousand lines and wait for the promise it may return, so that a slower consumer (a COPY into the
 * database) holds the read back instead of piling the file up in memory; `rejected` hears of every
 * bad line, not only the first 1,000 that the result keeps.
 */
export type LineHooks = {
  drain?: () => Promise<void> | undefined;
  rejected?: (error: RowError) => void;
};

/** How many lines the readers pass between two calls of `LineHooks.drain`. */
export const DRAIN_EVERY_LINES = 4096;
