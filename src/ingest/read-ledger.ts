/**
 * The entry points every other part calls to read a sales ledger: the per-client, per-day rollup that
 * the analysis needs (`readDailyLedger`) and the full validated lines that an import stores
 * (`readLedgerLines`, or `readLedgerValues` for their bytes). The format comes from `options.format`, else from the file name: `.xlsx` is
 * an Excel workbook (xlsx.ts), anything else delimited or whitespace-separated text (csv-read.ts).
 *
 * The XLSX reader is loaded only for a workbook: it brings ExcelJS, which costs a CSV run about
 * 0.2 s of start-up and 13 MB of memory for nothing.
 */
import { extname } from 'node:path';
import { readCsvDailyLedger, readCsvValues } from './csv-read.ts';
import { LineValues } from './line-values.ts';
import type { DailyLedgerRead, LedgerLine, LineHooks, ReadInfo, ReadOptions } from './types.ts';

function formatOf(path: string, options: ReadOptions): 'csv' | 'xlsx' {
  return options.format ?? (extname(path).toLowerCase() === '.xlsx' ? 'xlsx' : 'csv');
}

export async function readDailyLedger(path: string, options: ReadOptions = {}): Promise<DailyLedgerRead> {
  if (formatOf(path, options) === 'csv') return readCsvDailyLedger(path, options);
  const { readXlsxDailyLedger } = await import('./xlsx.ts');
  return readXlsxDailyLedger(path, options);
}

export async function readLedgerLines(
  path: string,
  options: ReadOptions,
  onLine: (line: LedgerLine) => void,
  hooks: LineHooks = {},
): Promise<ReadInfo> {
  if (formatOf(path, options) === 'csv') return readCsvValues(path, options, (values) => onLine(values.toLine()), hooks);
  const { readXlsxLines } = await import('./xlsx.ts');
  return readXlsxLines(path, options, onLine, hooks);
}

/**
 * Every good line's values as `LineValues` (one object for every line, valid until `onValues`
 * returns): a CSV's texts straight from the file's bytes, a workbook's rows through their strings.
 */
export async function readLedgerValues(
  path: string,
  options: ReadOptions,
  onValues: (values: LineValues) => void,
  hooks: LineHooks = {},
): Promise<ReadInfo> {
  if (formatOf(path, options) === 'csv') return readCsvValues(path, options, onValues, hooks);
  const { readXlsxLines } = await import('./xlsx.ts');
  const values = new LineValues();
  return readXlsxLines(path, options, (line) => onValues(values.setLine(line)), hooks);
}
