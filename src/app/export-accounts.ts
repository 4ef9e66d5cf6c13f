/**
 * The accounts as a file to download: the accounts the caller may see that the list's filters, search
 * and sort select (src/app/accounts.ts reads them, with the list's own query), as CSV or as an Excel
 * workbook, at most 100,000 of them.
 *
 * The files follow the analysis reports' rules, with their helpers. The CSV is src/app/report-csv.ts's:
 * UTF-8 with a BOM, `;` and decimal commas, CRLF, RFC 4180 quoting, every text neutralised against
 * spreadsheet formulas, and a header of the API's field names (those of `analysis` without the
 * prefix). The workbook is src/app/report-xlsx.ts's: a frozen, filtered table sheet with real numbers
 * and dates, English labels, text neutralised too. Money (the latest analysis run's revenue and
 * margin, the annual potential) is left out, columns and all, for those who do not see the financial
 * fields.
 *
 * The file is built in memory, a thousand accounts at a time, and sent whole: 100,000 accounts make a
 * CSV of some 13 MB and a workbook of 9 MB (6 and 12 s on the benchmark machine), and a failure while
 * reading is still an error answer, not a download that stops half-way.
 */
import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import { z } from 'zod';
import { dayFromCivil, formatDay } from '../core/calendar.ts';
import type { Db } from '../db/client.ts';
import { accountSelectionSchema, readSelectedAccounts, type AccountView } from './accounts.ts';
import type { Actor } from './actor.ts';
import { parseInput } from './input.ts';
import { CSV_BOM, CSV_ROW_END, csvRow, neutraliseFormula, type CsvColumnKind, type CsvValue } from './report-csv.ts';
import {
  DATE, INTEGER, isoToExcelDate, MONEY, startTableSheet, waitForZip, type CellValue, type SheetColumn,
} from './report-xlsx.ts';
import { seesFinancialFields } from './roles.ts';

/** The most accounts one export holds; a larger selection is refused, to be narrowed by its filters. */
export const EXPORT_MAX_ACCOUNTS = 100_000;

export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const accountExportQuerySchema = z.strictObject({
  format: z.enum(EXPORT_FORMATS).default('csv').describe('csv (the default: UTF-8 with BOM, `;`, decimal commas) or xlsx (an Excel workbook).'),
  ...accountSelectionSchema.shape,
});
export type AccountExportQuery = z.input<typeof accountExportQuerySchema>;

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export type AccountExport = { fileName: string; contentType: string; body: Buffer; accounts: number };

/**
 * One column of the export: its CSV header (the API's field name), its workbook label, how its values
 * are written, and its value for an account. `money` columns are left out for those without money.
 */
type ExportColumn = {
  field: string;
  label: string;
  kind: CsvColumnKind;
  width: number;
  numFmt?: string;
  /** A day (YYYY-MM-DD): the workbook gets a real date. */
  day?: boolean;
  money?: boolean;
  value: (account: AccountView) => CsvValue;
};

const COLUMNS: readonly ExportColumn[] = [
  { field: 'name', label: 'Name', kind: 'text', width: 40, value: (a) => a.name },
  { field: 'codes', label: 'ERP codes', kind: 'text', width: 16, value: (a) => a.codes },
  { field: 'taxId', label: 'NIP', kind: 'text', width: 13, value: (a) => a.taxId },
  { field: 'status', label: 'Status', kind: 'text', width: 10, value: (a) => a.status },
  { field: 'ownerName', label: 'Owner', kind: 'text', width: 24, value: (a) => a.ownerName },
  { field: 'industry', label: 'Industry', kind: 'text', width: 20, value: (a) => a.industry },
  { field: 'region', label: 'Region', kind: 'text', width: 18, value: (a) => a.region },
  { field: 'employees', label: 'Employees', kind: 'integer', width: 11, numFmt: INTEGER, value: (a) => a.employees },
  { field: 'segment', label: 'Segment', kind: 'text', width: 9, value: (a) => a.analysis?.segment ?? null },
  { field: 'types', label: 'Key-client types', kind: 'text', width: 22, value: (a) => a.analysis?.types ?? null },
  { field: 'isKey', label: 'Key client', kind: 'boolean', width: 10, value: (a) => a.analysis?.isKey ?? null },
  { field: 'activity', label: 'Activity', kind: 'text', width: 10, value: (a) => a.analysis?.activity ?? null },
  { field: 'lastPurchase', label: 'Last purchase', kind: 'text', width: 12, numFmt: DATE, day: true, value: (a) => a.analysis?.lastPurchase ?? null },
  { field: 'revenue', label: 'Revenue (latest run)', kind: 'money', width: 16, numFmt: MONEY, money: true, value: (a) => a.analysis?.revenue ?? null },
  { field: 'margin', label: 'Margin (latest run)', kind: 'money', width: 16, numFmt: MONEY, money: true, value: (a) => a.analysis?.margin ?? null },
  { field: 'annualPotential', label: 'Annual potential', kind: 'money', width: 16, numFmt: MONEY, money: true, value: (a) => a.annualPotential ?? null },
];

/** The columns `actor` receives: without the money columns for those who do not see the financial fields. */
function exportColumns(actor: Actor): readonly ExportColumn[] {
  return seesFinancialFields(actor) ? COLUMNS : COLUMNS.filter((column) => column.money !== true);
}

/**
 * The accounts the actor may see that `query` selects, as a file in `query.format`, named
 * kamerton-accounts-YYYY-MM-DD with the day of `now` on the server's clock. More than 100,000 accounts
 * are refused (too-large) before anything is written.
 */
export async function exportAccounts(db: Db, actor: Actor, query: AccountExportQuery, now: Date = new Date()): Promise<AccountExport> {
  const { format, ...selection } = parseInput(accountExportQuerySchema, query);
  const columns = exportColumns(actor);
  const read = (onBatch: (accounts: AccountView[], total: number) => Promise<void> | void) =>
    readSelectedAccounts(db, actor, selection, EXPORT_MAX_ACCOUNTS, onBatch);
  const { body, accounts } = format === 'csv' ? await csvExport(columns, read) : await xlsxExport(columns, read);
  const day = formatDay(dayFromCivil(now.getFullYear(), now.getMonth() + 1, now.getDate()));
  return { fileName: `kamerton-accounts-${day}.${format}`, contentType: EXPORT_CONTENT_TYPES[format], body, accounts };
}

type Reader = (onBatch: (accounts: AccountView[], total: number) => Promise<void> | void) => Promise<number>;

async function csvExport(columns: readonly ExportColumn[], read: Reader): Promise<{ body: Buffer; accounts: number }> {
  const style = 'pl';
  const parts = [CSV_BOM, csvRow(columns.map((c) => [c.field, 'text']), style), CSV_ROW_END];
  const accounts = await read((batch) => {
    for (const account of batch) parts.push(csvRow(columns.map((c) => [c.value(account), c.kind]), style), CSV_ROW_END);
  });
  return { body: Buffer.from(parts.join(''), 'utf8'), accounts };
}

async function xlsxExport(columns: readonly ExportColumn[], read: Reader): Promise<{ body: Buffer; accounts: number }> {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = finished(output);
  // A failure of the stream arrives as an event; handled here, it is awaited below instead of crashing.
  done.catch(() => undefined);
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false });
  workbook.creator = 'Kamerton';
  const sheetColumns: SheetColumn[] = columns.map((c) => ({ header: c.label, width: c.width, ...(c.numFmt === undefined ? {} : { numFmt: c.numFmt }) }));
  let sheet: ExcelJS.Worksheet | null = null;
  try {
    const accounts = await read(async (batch, total) => {
      // The sheet starts with the first batch, when the number of rows its filter spans is known.
      sheet ??= startTableSheet(workbook, 'Accounts', sheetColumns, total, null);
      for (const account of batch) {
        sheet.addRow(columns.map((c) => cellValue(c, account))).commit();
      }
      await waitForZip(sheet);
    });
    (sheet ?? startTableSheet(workbook, 'Accounts', sheetColumns, 0, null)).commit();
    await workbook.commit();
    await done;
    return { body: Buffer.concat(chunks), accounts };
  } catch (error) {
    output.destroy();
    throw error;
  }
}

/** An account's value in a workbook cell: text neutralised, lists joined, days as real dates. */
function cellValue(column: ExportColumn, account: AccountView): CellValue {
  const value = column.value(account);
  if (value === null) return null;
  if (column.day === true) return isoToExcelDate(value as string);
  if (typeof value === 'string') return neutraliseFormula(value);
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return neutraliseFormula(value.join(', '));
}
