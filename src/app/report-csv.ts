/**
 * The clients table of an analysis as CSV (`kamerton analyze --out FILE.csv`; later the server's
 * download). One row per client in ABC rank order, the same fields as the JSON document's `clients`,
 * so that a spreadsheet, a script or a re-import sees the numbers the summary and the JSON show.
 *
 * Decisions, for whoever re-reads these files:
 * - The header row holds the JSON document's field names (`client`, `revenue`, `cumulativeShare` ...)
 *   in both styles, not Polish or English prose: a header that never changes with the language is
 *   the one a re-import, a script and docs/analysis.md can rely on. The style changes only the
 *   separator and the decimal mark.
 * - Style 'pl' writes `;` and decimal commas (what Excel in a Polish locale opens directly); style
 *   'en' writes `,` and decimal points. Numbers carry no thousands separators.
 * - Money (revenue, margin) is written with exactly two decimals, as money is. Fractions (share,
 *   cumulativeShare, cv, growth) are written at full precision, the shortest decimal that reads back
 *   as the same double, never in exponent notation (which Excel in some locales takes for text), so
 *   the CSV holds exactly what the JSON holds. Counts are integers.
 * - With the customer-alive model (`analyze --model`), four columns follow at the end, named like
 *   the JSON fields: repeatPurchases (an integer), pAlive and expectedPurchases (fractions, at full
 *   precision) and expectedRevenue (money); without a model the file is exactly as before.
 * - Key-client types are joined with `|`, which is neither separator, so the cell needs no quotes in
 *   either style. `isKey` is `true` or `false`. A null (no margin column, no cv, no growth) is an
 *   empty cell.
 * - UTF-8 with a BOM (without it Excel reads UTF-8 as the ANSI code page and garbles Polish letters),
 *   CRLF line ends, and RFC 4180 quoting of a field holding the separator, a quote or a line break.
 * - Every text cell goes through `neutraliseFormula` (client codes and names come from the ledger and
 *   are untrusted); numbers are written as numbers and never touched, so a negative revenue stays -12.5.
 *
 * The accounts' export (src/app/export-accounts.ts) writes its rows with `csvRow`, by the same rules.
 */
import { randomUUID } from 'node:crypto';
import { rename, unlink, writeFile } from 'node:fs/promises';
import type { AnalysisDocument, DocumentClient } from './analysis-document.ts';

export type CsvStyle = 'pl' | 'en';

/**
 * Makes a text harmless for spreadsheets, following the OWASP guidance on CSV injection: a text
 * starting with `=`, `+`, `-`, `@`, a tab or a carriage return would be taken by Excel, LibreOffice or
 * Google Sheets for a formula (`=HYPERLINK(...)`, `@SUM(...)`, `-2+3`), so it gets a leading single
 * quote, which makes the program show it as text. Apply it to text cells only: a number written as a
 * number is no formula and must stay a number.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** How a column's values are written (see the module comment). */
export type CsvColumnKind = 'text' | 'money' | 'fraction' | 'integer' | 'boolean';
/** A cell's value: a list (key-client types, ERP codes) is joined with `|`; null is an empty cell. */
export type CsvValue = string | number | boolean | readonly string[] | null;
type CsvColumn = { field: keyof DocumentClient; kind: CsvColumnKind };

/** The byte order mark every CSV of Kamerton starts with, and the end of each of its rows. */
export const CSV_BOM = '\uFEFF';
export const CSV_ROW_END = '\r\n';

/** The JSON document's client fields in its order (see docs/analysis-result.schema.json). */
const COLUMNS: readonly CsvColumn[] = [
  { field: 'client', kind: 'text' },
  { field: 'name', kind: 'text' },
  { field: 'revenue', kind: 'money' },
  { field: 'margin', kind: 'money' },
  { field: 'share', kind: 'fraction' },
  { field: 'cumulativeShare', kind: 'fraction' },
  { field: 'abc', kind: 'text' },
  { field: 'cv', kind: 'fraction' },
  { field: 'activePeriods', kind: 'integer' },
  { field: 'xyz', kind: 'text' },
  { field: 'segment', kind: 'text' },
  { field: 'types', kind: 'text' },
  { field: 'isKey', kind: 'boolean' },
  { field: 'firstPurchase', kind: 'text' },
  { field: 'lastPurchase', kind: 'text' },
  { field: 'daysSinceLastPurchase', kind: 'integer' },
  { field: 'activity', kind: 'text' },
  { field: 'growth', kind: 'fraction' },
];

/** The customer-alive model's client fields, after the others, only when the document has a model. */
const MODEL_COLUMNS: readonly CsvColumn[] = [
  { field: 'repeatPurchases', kind: 'integer' },
  { field: 'pAlive', kind: 'fraction' },
  { field: 'expectedPurchases', kind: 'fraction' },
  { field: 'expectedRevenue', kind: 'money' },
];

/** The clients table as one CSV text: BOM, header row, a CRLF after every row. */
export function clientsCsv(doc: AnalysisDocument, style: CsvStyle): string {
  const columns = doc.model === undefined ? COLUMNS : [...COLUMNS, ...MODEL_COLUMNS];
  const rows: string[] = [csvRow(columns.map((c) => [c.field, 'text']), style)];
  for (const client of doc.clients) {
    // A model field missing from a client (which a document with a model never has) is an empty cell.
    rows.push(csvRow(columns.map((c) => [client[c.field] ?? null, c.kind]), style));
  }
  return `${CSV_BOM}${rows.join(CSV_ROW_END)}${CSV_ROW_END}`;
}

/**
 * One row of a CSV in `style`, without its line end: each value written as its kind says (text
 * neutralised and quoted, money with two decimals...), the cells joined by the style's separator.
 * Other CSVs of Kamerton (the accounts' export) are written with it, so that every file follows the
 * module comment's rules.
 */
export function csvRow(cells: readonly (readonly [CsvValue, CsvColumnKind])[], style: CsvStyle): string {
  const separator = style === 'pl' ? ';' : ',';
  const decimal = style === 'pl' ? ',' : '.';
  return cells.map(([value, kind]) => formatCell(value, kind, separator, decimal)).join(separator);
}

/**
 * Writes the clients table to `path`. The text goes to a temporary file beside it first and is then
 * renamed over `path`, so a failure (a full disk, a killed process) never leaves a half-written report
 * where a complete one is expected.
 */
export async function writeCsvReport(path: string, doc: AnalysisDocument, style: CsvStyle): Promise<void> {
  const temporary = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(temporary, clientsCsv(doc, style), 'utf8');
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

function formatCell(value: CsvValue, kind: CsvColumnKind, separator: string, decimal: string): string {
  if (value === null) return '';
  switch (kind) {
    case 'text': {
      const text = isList(value) ? value.join('|') : String(value);
      return quoteField(neutraliseFormula(text), separator);
    }
    case 'money':
      return withDecimal((value as number).toFixed(2), decimal);
    case 'fraction':
      return withDecimal(formatPlainNumber(value as number), decimal);
    case 'integer':
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
  }
}

function isList(value: CsvValue): value is readonly string[] {
  return Array.isArray(value);
}

function withDecimal(text: string, decimal: string): string {
  return decimal === '.' ? text : text.replace('.', decimal);
}

/**
 * The shortest decimal that reads back as the same double (what `String` gives), with exponent
 * notation (`1.5e-7`, `1e+21`) spelled out in plain digits.
 */
function formatPlainNumber(x: number): string {
  const text = String(x);
  const e = text.indexOf('e');
  if (e < 0) return text;
  const sign = text.startsWith('-') ? '-' : '';
  const [whole = '', fraction = ''] = text.slice(sign.length, e).split('.');
  const digits = whole + fraction;
  // Where the decimal point falls within `digits` once the exponent is applied.
  const point = whole.length + Number(text.slice(e + 1));
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** RFC 4180: a field holding the separator, a double quote or a line break is quoted, its quotes doubled. */
function quoteField(text: string, separator: string): string {
  if (text.includes(separator) || /["\r\n]/.test(text)) return `"${text.replace(/"/g, '""')}"`;
  return text;
}
