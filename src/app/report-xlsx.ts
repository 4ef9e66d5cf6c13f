/**
 * The analysis as a workbook a key account manager can use as it is (`kamerton analyze --out
 * FILE.xlsx`; later the server's download): a summary with the coloured ABC-XYZ matrix and the
 * key-client band, every client with real numbers, dates and filters, the lost and slipping clients,
 * and the rejected ledger lines; with the customer-alive model (`analyze --model`), the model's four
 * columns at the end of the clients sheet and a last sheet, Model, with its parameters and forecast.
 *
 * The workbook is written with ExcelJS's streaming writer, row by row, so that 100,000 clients cost
 * the memory of a few thousand rows rather than of the whole sheet. The streaming writer keeps styles
 * (with `useStyles`), column widths (set before the first row is written), frozen panes (given when
 * the sheet is added, because its view is written first) and autofilters (written when the sheet is
 * committed). Each sheet is committed before the next is started, and the writer waits for the zip
 * to catch up every so often (see `waitForZip`), so nothing buffers more than a slice of one sheet.
 *
 * Labels are English, like the CLI's output; the sheet layout is the contract, not the wording.
 * The accounts' export (src/app/export-accounts.ts) writes its sheet with this module's table sheet,
 * formats, dates and pacing, so that both workbooks look and behave alike.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import type { EventEmitter } from 'node:events';
import ExcelJS from 'exceljs';
import { formatDay, parseIsoDay } from '../core/calendar.ts';
import { KamertonError } from '../core/errors.ts';
import type { AnalysisParams, ClientResult, KeyBand, Segment } from '../core/types.ts';
import { SEGMENTS } from '../core/types.ts';
import type { ModelSummary } from '../core/customer-alive.ts';
import type { AnalysisDocument } from './analysis-document.ts';
import { neutraliseFormula } from './report-csv.ts';

export type ReportMeta = {
  /** The ledger file as the user named it. */
  file: string;
  params: AnalysisParams;
  /** The date the report is made, supplied by the caller (the analysis itself has no clock). */
  generatedOn: string;
};

export type CellValue = string | number | boolean | Date | null;
export type SheetColumn = { header: string; width: number; numFmt?: string };

export const MONEY = '#,##0.00';
const SHARE = '0.0%';
export const INTEGER = '#,##0';
export const DATE = 'yyyy-mm-dd';
/** Expected purchases: a fraction of a purchase means something over many clients. */
const DECIMAL = '#,##0.00';
/** Model parameters, which run from about 0.01 to some hundreds. */
const PARAMETER = '0.0000';
/** Below this probability of being alive a client is counted as likely inactive (as the CLI summary does). */
const LIKELY_INACTIVE_BELOW = 0.5;
/** Excel's limit of rows per sheet. */
const MAX_ROWS = 1_048_576;
const MS_PER_DAY = 86_400_000;
/** Rows written between two waits for the zip; about 700 kB of sheet XML. */
const ROWS_PER_SLICE = 1000;

/**
 * A traffic light over the matrix: the further a segment is from AX (large and regular) the warmer
 * its colour, by the sum of its ABC and XYZ ranks. AX is green, AY and BX light green, AZ, BY and CX
 * yellow, BZ and CY orange, CZ red.
 */
const TRAFFIC_LIGHT = ['FF63BE7B', 'FFB1D580', 'FFFFEB84', 'FFFBAA77', 'FFF8696B'] as const;

function segmentColour(segment: Segment): string {
  const rank = 'ABC'.indexOf(segment[0] ?? 'A') + 'XYZ'.indexOf(segment[1] ?? 'X');
  return TRAFFIC_LIGHT[rank] ?? TRAFFIC_LIGHT[4];
}

const BAND_COLOUR: Record<KeyBand, string> = { below: 'FFFFEB84', within: 'FF63BE7B', above: 'FFFBAA77' };

const HEADER_STYLE: Partial<ExcelJS.Style> = {
  font: { bold: true, color: { argb: 'FFFFFFFF' } },
  fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF305496' } },
  alignment: { vertical: 'middle', wrapText: true },
};

/**
 * Writes the workbook to `path`. It is written to a temporary file beside `path` and renamed over it
 * at the end, so a failure never leaves a half-written workbook where a complete one is expected.
 * Text from the ledger (client codes, names, rejected values) goes through `neutraliseFormula`:
 * ExcelJS writes every string as a string, so it cannot become a formula in this workbook, but a
 * manager who saves the sheet as CSV or pastes it elsewhere would turn `=HYPERLINK(...)` back into a
 * live formula. Neutralising here too makes the workbook and the CSV report show the same text.
 */
export async function writeXlsxReport(path: string, doc: AnalysisDocument, meta: ReportMeta): Promise<void> {
  if (doc.clients.length + 1 > MAX_ROWS) {
    throw new KamertonError(
      'too-large',
      `${doc.clients.length} clients do not fit in an Excel sheet (at most ${MAX_ROWS - 1} rows); write a CSV report instead`,
      { field: 'clients', value: String(doc.clients.length) },
    );
  }
  const temporary = `${path}.${randomUUID()}.tmp`;
  const output = createWriteStream(temporary);
  // A failure of the file (no such directory, a full disk) arrives as an event at any moment; it is
  // turned into a rejection that every wait below races against, so the write stops instead of hanging.
  const failed = new Promise<never>((_, reject) => output.once('error', reject));
  failed.catch(() => undefined);
  try {
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false });
    workbook.creator = 'Kamerton';
    const pace = (sheet: ExcelJS.Worksheet) => Promise.race([waitForZip(sheet), failed]);
    writeSummarySheet(workbook, doc, meta);
    await writeClientsSheet(workbook, doc, pace);
    await writeLostAndSlippingSheet(workbook, doc, pace);
    writeRejectedLinesSheet(workbook, doc);
    // Last, so that the sheets of a report without a model keep their places with one.
    if (doc.model !== undefined) writeModelSheet(workbook, doc, doc.model);
    await Promise.race([workbook.commit(), failed]);
    if (!output.closed) await Promise.race([new Promise<void>((resolve) => output.once('close', () => resolve())), failed]);
    await rename(temporary, path);
  } catch (error) {
    output.destroy();
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

type Pace = (sheet: ExcelJS.Worksheet) => Promise<void>;

/** The part of ExcelJS 4.4's streaming internals that `waitForZip` reads (see there). */
type SheetStreamInternals = {
  stream?: { pipes?: (EventEmitter & { _writableState?: { needDrain?: boolean } })[] };
};

/**
 * Waits until the zip has taken the sheet XML written so far. ExcelJS's streaming writer pushes each
 * committed row into the zip entry's input without looking at back-pressure, and the writer's loop
 * never yields, so without this the whole sheet's XML (about 70 MB for 100,000 clients) piles up in
 * memory before deflate sees any of it. The entry's input is a readable-stream Writable that flags
 * `needDrain` and emits 'drain' like any Node stream. This reads ExcelJS internals (pinned to ~4.4 in
 * package.json); should they change, the wait finds nothing to wait for and the report is still
 * written correctly, only with the memory the whole sheet needs.
 */
export async function waitForZip(sheet: ExcelJS.Worksheet): Promise<void> {
  const input = (sheet as unknown as SheetStreamInternals).stream?.pipes?.[0];
  if (input?._writableState?.needDrain === true) await new Promise((resolve) => input.once('drain', resolve));
}

function writeSummarySheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, doc: AnalysisDocument, meta: ReportMeta): void {
  const sheet = workbook.addWorksheet('Summary');
  sheet.columns = [{ width: 30 }, { width: 24 }, { width: 24 }, { width: 24 }, { width: 16 }, { width: 16 }];
  const { params } = meta;
  const hasMargin = doc.totals.margin !== null;

  const title = sheet.addRow(['Kamerton: ABC-XYZ analysis of the sales ledger']);
  title.font = { bold: true, size: 14 };
  sheet.addRow(['Generated on', meta.generatedOn]);

  section(sheet, 'Input');
  sheet.addRow(['Ledger file', neutraliseFormula(meta.file)]);

  section(sheet, 'Parameters');
  sheet.addRow(['Period', params.period]);
  sheet.addRow(['As-of date', params.asOf === null ? 'the last date in the file' : formatDay(params.asOf)]);
  sheet.addRow(['Window start', params.from === null ? 'the first date in the file' : formatDay(params.from)]);
  sheet.addRow(['ABC metric', params.metric]);
  sheet.addRow(['ABC cut-offs', `A below ${params.abc[0]}%, B below ${params.abc[1]}% of the cumulative share`]);
  sheet.addRow(['XYZ mode', params.xyzMode]);
  sheet.addRow([
    'XYZ thresholds',
    params.xyzMode === 'frequency'
      ? `X from ${params.xyzFreq[0]}%, Y from ${params.xyzFreq[1]}% of the periods with a purchase`
      : `X up to ${params.xyz[0]}%, Y up to ${params.xyz[1]}% coefficient of variation`,
  ]);
  sheet.addRow(['Breadwinner', `${params.breadwinner}% or more of the total positive ${hasMargin ? 'margin' : 'revenue'}`]);
  sheet.addRow(['Key segments', params.keySegments.join(', ')]);
  sheet.addRow(['Lost after', `${params.lostDays} days without a purchase`]);

  section(sheet, 'Window');
  valueRow(sheet, 'From', isoToExcelDate(doc.window.from), DATE);
  valueRow(sheet, 'To', isoToExcelDate(doc.window.to), DATE);
  valueRow(sheet, 'As of', isoToExcelDate(doc.window.asOf), DATE);
  sheet.addRow(['Period', doc.window.period]);
  valueRow(sheet, 'Periods', doc.window.periods, INTEGER);

  section(sheet, 'Totals');
  valueRow(sheet, 'Lines read', doc.totals.lines, INTEGER);
  valueRow(sheet, 'Rejected lines', doc.totals.rejectedLines, INTEGER);
  valueRow(sheet, 'Lines outside the window', doc.totals.linesOutsideWindow, INTEGER);
  valueRow(sheet, 'Clients', doc.totals.clients, INTEGER);
  valueRow(sheet, 'Revenue', doc.totals.revenue, MONEY);
  if (doc.totals.margin === null) sheet.addRow(['Margin', 'the ledger has no cost or margin column']);
  else valueRow(sheet, 'Margin', doc.totals.margin, MONEY);

  section(sheet, 'ABC-XYZ matrix');
  sheet.addRow([
    params.xyzMode === 'frequency'
      ? 'Rows: ABC by share of the metric. Columns: XYZ by how often the client buys.'
      : 'Rows: ABC by share of the metric. Columns: XYZ by how stable the client\'s revenue is.',
  ]);
  const axis = sheet.addRow(['', 'X', 'Y', 'Z']);
  axis.font = { bold: true };
  axis.alignment = { horizontal: 'center' };
  for (const abc of ['A', 'B', 'C'] as const) {
    const row = sheet.addRow([abc]);
    row.height = hasMargin ? 62 : 48;
    row.getCell(1).font = { bold: true };
    row.getCell(1).alignment = { horizontal: 'center', vertical: 'middle' };
    (['X', 'Y', 'Z'] as const).forEach((xyz, i) => {
      const segment: Segment = `${abc}${xyz}`;
      const cell = row.getCell(i + 2);
      cell.value = matrixCellText(segment, doc);
      cell.fill = solidFill(segmentColour(segment));
      cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
      cell.border = thinBorder();
    });
  }

  sheet.addRow([]);
  styleHeader(sheet.addRow(['Segment', 'Clients', 'Revenue', 'Revenue share', 'Margin', 'Margin share']));
  for (const segment of SEGMENTS) {
    const cell = doc.matrix[segment];
    const row = sheet.addRow([segment, cell.clients, cell.revenue, cell.revenueShare, cell.margin, cell.marginShare]);
    row.getCell(1).fill = solidFill(segmentColour(segment));
    row.getCell(2).numFmt = INTEGER;
    row.getCell(3).numFmt = MONEY;
    row.getCell(4).numFmt = SHARE;
    row.getCell(5).numFmt = MONEY;
    row.getCell(6).numFmt = SHARE;
  }

  section(sheet, 'Key clients');
  const key = doc.keyClients;
  valueRow(sheet, 'Key clients', key.count, INTEGER);
  valueRow(sheet, 'Share of revenue', key.revenueShare, SHARE);
  if (hasMargin) valueRow(sheet, 'Share of margin', key.marginShare, SHARE);
  const bandRow = sheet.addRow(['Band (30-55% of revenue)', key.band ?? 'not defined']);
  if (key.band !== null) bandRow.getCell(2).fill = solidFill(BAND_COLOUR[key.band]);
  const explanation = sheet.addRow([bandExplanation(key.band)]);
  sheet.mergeCells(explanation.number, 1, explanation.number, 6);
  explanation.getCell(1).alignment = { wrapText: true, vertical: 'top' };
  explanation.height = 32;
  sheet.addRow([`Key clients are those in the key segments (${params.keySegments.join(', ')}), the breadwinners and the promising; see the Clients sheet.`]);

  if (doc.model !== undefined) {
    section(sheet, 'Customer-alive model');
    sheet.addRow(['BG/NBD with Gamma-Gamma spend: each client\'s P(alive) and expected purchases and revenue are on the Clients sheet, the model on the Model sheet.']);
  }

  sheet.commit();
}

async function writeClientsSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, doc: AnalysisDocument, pace: Pace): Promise<void> {
  const columns: SheetColumn[] = [
    { header: 'Rank', width: 8, numFmt: INTEGER },
    { header: 'Client', width: textWidth(doc.clients, (c) => c.client, 10, 30) },
    { header: 'Name', width: textWidth(doc.clients, (c) => c.name ?? '', 14, 50) },
    { header: 'Segment', width: 10 },
    { header: 'ABC', width: 7 },
    { header: 'XYZ', width: 7 },
    { header: 'Key client', width: 10 },
    { header: 'Key-client types', width: 22 },
    { header: 'Revenue', width: 16, numFmt: MONEY },
    { header: 'Margin', width: 16, numFmt: MONEY },
    { header: 'Share', width: 9, numFmt: SHARE },
    { header: 'Cumulative share', width: 12, numFmt: SHARE },
    { header: 'Active periods', width: 10, numFmt: INTEGER },
    { header: 'CV', width: 9, numFmt: SHARE },
    { header: 'Activity', width: 10 },
    { header: 'First purchase', width: 12, numFmt: DATE },
    { header: 'Last purchase', width: 12, numFmt: DATE },
    { header: 'Days since last purchase', width: 12, numFmt: INTEGER },
    { header: 'Growth', width: 9, numFmt: SHARE },
  ];
  const model = doc.model;
  if (model !== undefined) {
    const horizon = `${model.horizon} ${model.horizon === 1 ? model.timeUnit : `${model.timeUnit}s`}`;
    columns.push(
      { header: 'Repeat purchases', width: 10, numFmt: INTEGER },
      { header: 'P(alive)', width: 9, numFmt: SHARE },
      { header: `Expected purchases (${horizon})`, width: 14, numFmt: DECIMAL },
      { header: `Expected revenue (${horizon})`, width: 16, numFmt: MONEY },
    );
  }
  const segmentColumn = 4;
  const sheet = startTableSheet(workbook, 'Clients', columns, doc.clients.length, null);
  for (const [i, c] of doc.clients.entries()) {
    const row = sheet.addRow([
      i + 1,
      neutraliseFormula(c.client),
      c.name === null ? null : neutraliseFormula(c.name),
      c.segment,
      c.abc,
      c.xyz,
      c.isKey,
      c.types.join(', '),
      c.revenue,
      c.margin,
      c.share,
      c.cumulativeShare,
      c.activePeriods,
      c.cv,
      c.activity,
      isoToExcelDate(c.firstPurchase),
      isoToExcelDate(c.lastPurchase),
      c.daysSinceLastPurchase,
      c.growth,
      ...(model === undefined
        ? []
        : [c.repeatPurchases ?? null, c.pAlive ?? null, c.expectedPurchases ?? null, c.expectedRevenue ?? null]),
    ] satisfies CellValue[]);
    row.getCell(segmentColumn).fill = solidFill(segmentColour(c.segment));
    row.commit();
    if (i % ROWS_PER_SLICE === ROWS_PER_SLICE - 1) await pace(sheet);
  }
  sheet.commit();
}

/** Slipping clients first (they can still be kept), then the lost; within each, in ABC rank order. */
async function writeLostAndSlippingSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, doc: AnalysisDocument, pace: Pace): Promise<void> {
  const columns: SheetColumn[] = [
    { header: 'Client', width: textWidth(doc.clients, (c) => c.client, 10, 30) },
    { header: 'Name', width: textWidth(doc.clients, (c) => c.name ?? '', 14, 50) },
    { header: 'Activity', width: 10 },
    { header: 'Segment', width: 10 },
    { header: 'Key client', width: 10 },
    { header: 'Revenue', width: 16, numFmt: MONEY },
    { header: 'Share', width: 9, numFmt: SHARE },
    { header: 'First purchase', width: 12, numFmt: DATE },
    { header: 'Last purchase', width: 12, numFmt: DATE },
    { header: 'Days since last purchase', width: 12, numFmt: INTEGER },
  ];
  const slipping = doc.clients.filter((c) => c.activity === 'slipping').length;
  const lost = doc.clients.filter((c) => c.activity === 'lost').length;
  const note = `${slipping} slipping and ${lost} lost clients: slipping first, then lost, each by rank.`;
  const sheet = startTableSheet(workbook, 'Lost and slipping', columns, slipping + lost, note);
  let written = 0;
  for (const activity of ['slipping', 'lost'] as const) {
    for (const c of doc.clients) {
      if (c.activity !== activity) continue;
      const row = sheet.addRow([
        neutraliseFormula(c.client),
        c.name === null ? null : neutraliseFormula(c.name),
        c.activity,
        c.segment,
        c.isKey,
        c.revenue,
        c.share,
        isoToExcelDate(c.firstPurchase),
        isoToExcelDate(c.lastPurchase),
        c.daysSinceLastPurchase,
      ] satisfies CellValue[]);
      row.getCell(4).fill = solidFill(segmentColour(c.segment));
      row.commit();
      written += 1;
      if (written % ROWS_PER_SLICE === 0) await pace(sheet);
    }
  }
  sheet.commit();
}

/** At most 1,000 rows (the document keeps no more), so no pacing is needed. */
function writeRejectedLinesSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, doc: AnalysisDocument): void {
  const columns: SheetColumn[] = [
    { header: 'Line', width: 10, numFmt: INTEGER },
    { header: 'Column', width: 20 },
    { header: 'Value', width: 30 },
    { header: 'Message', width: 70 },
  ];
  const total = doc.totals.rejectedLines;
  const listed = doc.errors.length;
  const note =
    total === 0
      ? 'No line was rejected.'
      : total > listed
        ? `Only the first ${listed.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rejected lines are listed.`
        : `${total} rejected ${total === 1 ? 'line' : 'lines'}, all listed.`;
  const sheet = startTableSheet(workbook, 'Rejected lines', columns, doc.errors.length, note);
  for (const error of doc.errors) {
    const row = sheet.addRow([
      error.line,
      error.column === null ? null : neutraliseFormula(error.column),
      error.value === null ? null : neutraliseFormula(error.value),
      neutraliseFormula(error.message),
    ] satisfies CellValue[]);
    row.commit();
  }
  sheet.commit();
}

/** The customer-alive model: what was fitted, its parameters, and the forecast summed over the clients. */
function writeModelSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, doc: AnalysisDocument, model: ModelSummary): void {
  const sheet = workbook.addWorksheet('Model');
  sheet.columns = [{ width: 34 }, { width: 22 }, { width: 60 }];
  const units = `${model.timeUnit}s`;
  const title = sheet.addRow(['Customer-alive model: BG/NBD (Fader, Hardie & Lee 2005)']);
  title.font = { bold: true, size: 14 };

  section(sheet, 'Fitted on');
  valueRow(sheet, 'Purchases up to', isoToExcelDate(doc.window.asOf), DATE);
  sheet.addRow(['Time unit', model.timeUnit]);
  valueRow(sheet, `Horizon (${units})`, model.horizon, INTEGER);
  valueRow(sheet, 'Clients', model.clients, INTEGER);
  valueRow(sheet, 'Clients with a repeat purchase', model.repeatBuyers, INTEGER);

  section(sheet, 'BG/NBD: purchases and drop-out');
  parameterRow(sheet, 'r', model.params.r, 'shape of the purchase rates across clients');
  parameterRow(sheet, 'alpha', model.params.alpha, `scale of the purchase rates, in ${units}`);
  parameterRow(sheet, 'a', model.params.a, 'drop-out probability after a purchase: Beta(a, b)');
  parameterRow(sheet, 'b', model.params.b, '');
  valueRow(sheet, 'Log-likelihood', model.logLikelihood, DECIMAL);
  sheet.addRow(['Converged', model.converged ? 'yes' : 'no']);
  valueRow(sheet, 'Iterations', model.iterations, INTEGER);

  section(sheet, 'Gamma-Gamma: spend per purchase');
  const spend = model.spend;
  if (spend === null) {
    sheet.addRow(['Not fitted', 'too few repeat buyers with a positive spend, or a spend that barely varies per client; each client\'s purchases are valued at its own mean spend']);
  } else {
    parameterRow(sheet, 'p', spend.params.p, 'shape of the spend around a client\'s mean');
    parameterRow(sheet, 'q', spend.params.q, 'shape of the client means');
    parameterRow(sheet, 'v', spend.params.v, 'scale of the client means, in money');
    valueRow(sheet, 'Log-likelihood', spend.logLikelihood, DECIMAL);
    sheet.addRow(['Converged', spend.converged ? 'yes' : 'no']);
    valueRow(sheet, 'Clients', spend.clients, INTEGER);
  }

  section(sheet, `Forecast over the next ${model.horizon} ${model.horizon === 1 ? model.timeUnit : units}`);
  let inactive = 0;
  let purchases = 0;
  let revenue = 0;
  for (const c of doc.clients) {
    if (c.pAlive === undefined || c.pAlive === null) continue;
    if (c.pAlive < LIKELY_INACTIVE_BELOW) inactive++;
    purchases += c.expectedPurchases ?? 0;
    revenue += c.expectedRevenue ?? 0;
  }
  valueRow(sheet, 'Likely inactive (P(alive) below 50%)', inactive, INTEGER);
  valueRow(sheet, 'Expected purchases', purchases, DECIMAL);
  valueRow(sheet, 'Expected revenue', revenue, MONEY);
  sheet.addRow([]);
  const note = sheet.addRow([
    'A purchase is a day with a purchase. P(alive) is the probability that the client still buys at the as-of date; ' +
      'the expected purchases and revenue are over the horizon after it. See docs/analysis.md.',
  ]);
  sheet.mergeCells(note.number, 1, note.number, 3);
  note.getCell(1).alignment = { wrapText: true, vertical: 'top' };
  note.height = 32;
  sheet.commit();
}

function parameterRow(sheet: ExcelJS.Worksheet, name: string, value: number, meaning: string): void {
  const row = sheet.addRow([name, value, meaning]);
  row.getCell(2).numFmt = PARAMETER;
  row.getCell(2).alignment = { horizontal: 'left' };
}

/**
 * Adds a sheet holding one table of `rows` rows: an optional note in the first row, then the header
 * row, frozen, with an autofilter over the whole table (Excel itself saves a filter's range down to
 * the last row, and some readers filter only the rows inside it). Column widths and number formats
 * must be set before the first row is written, and the frozen pane when the sheet is added (see the
 * module comment).
 */
export function startTableSheet(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  name: string,
  columns: SheetColumn[],
  rows: number,
  note: string | null,
): ExcelJS.Worksheet {
  const headerRow = note === null ? 1 : 2;
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', xSplit: 0, ySplit: headerRow }] });
  sheet.columns = columns.map((c) => ({ width: c.width, style: c.numFmt === undefined ? {} : { numFmt: c.numFmt } }));
  if (note !== null) {
    const noteRow = sheet.addRow([note]);
    noteRow.font = { italic: true };
    noteRow.commit();
  }
  const header = sheet.addRow(columns.map((c) => c.header));
  styleHeader(header);
  header.commit();
  sheet.autoFilter = { from: { row: headerRow, column: 1 }, to: { row: headerRow + rows, column: columns.length } };
  return sheet;
}

function section(sheet: ExcelJS.Worksheet, title: string): void {
  sheet.addRow([]);
  const row = sheet.addRow([title]);
  row.font = { bold: true, size: 12, color: { argb: 'FF305496' } };
}

function valueRow(sheet: ExcelJS.Worksheet, label: string, value: CellValue, numFmt: string): void {
  const row = sheet.addRow([label, value ?? 'not defined']);
  if (value !== null) row.getCell(2).numFmt = numFmt;
  row.getCell(2).alignment = { horizontal: 'left' };
}

function styleHeader(row: ExcelJS.Row): void {
  row.eachCell((cell) => {
    cell.style = { ...HEADER_STYLE };
  });
}

function matrixCellText(segment: Segment, doc: AnalysisDocument): string {
  const cell = doc.matrix[segment];
  const lines = [
    segment,
    `${cell.clients.toLocaleString('en-US')} ${cell.clients === 1 ? 'client' : 'clients'}`,
    `${formatPercent(cell.revenueShare)} of revenue`,
  ];
  if (doc.totals.margin !== null) lines.push(`${formatPercent(cell.marginShare)} of margin`);
  return lines.join('\n');
}

function formatPercent(share: number | null): string {
  return share === null ? 'n/a' : `${(share * 100).toFixed(1)}%`;
}

function bandExplanation(band: KeyBand | null): string {
  switch (band) {
    case 'below':
      return 'Key clients bring less than 30% of revenue: the key list is probably too narrow, so review the key segments and criteria.';
    case 'within':
      return 'Key clients bring between 30% and 55% of revenue, the range usual for key accounts.';
    case 'above':
      return 'Key clients bring more than 55% of revenue: the company leans on few clients, and losing one of them would hurt.';
    case null:
      return 'The key clients\' share is not defined because the total revenue in the window is zero or negative.';
  }
}

/**
 * A real Excel date for an ISO day. The Date is midnight UTC of that day; ExcelJS turns a Date into
 * a serial number by its UTC time, so the cell shows the same day whatever the machine's time zone.
 */
export function isoToExcelDate(iso: string | null): Date | null {
  if (iso === null) return null;
  const day = parseIsoDay(iso);
  if (day === null) throw new Error(`The analysis document holds an invalid date: ${iso}`);
  return new Date(day * MS_PER_DAY);
}

/** A column width (in characters) fitting the longest text, within bounds. */
function textWidth(clients: readonly ClientResult[], text: (c: ClientResult) => string, min: number, max: number): number {
  let longest = 0;
  for (const c of clients) {
    longest = Math.max(longest, text(c).length);
    if (longest >= max) break;
  }
  return Math.min(max, Math.max(min, longest + 2));
}

function solidFill(argb: string): ExcelJS.Fill {
  return { type: 'pattern', pattern: 'solid', fgColor: { argb } };
}

function thinBorder(): Partial<ExcelJS.Borders> {
  const side: Partial<ExcelJS.Border> = { style: 'thin', color: { argb: 'FF808080' } };
  return { top: side, left: side, bottom: side, right: side };
}
