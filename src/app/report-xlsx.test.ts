import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dayFromCivil } from '../core/calendar.ts';
import type { ClientResult } from '../core/types.ts';
import { DEFAULT_ANALYSIS_PARAMS, SEGMENTS } from '../core/types.ts';
import { clientResult, emptyMatrix, keyAndFormulaClients } from '../../test/fixtures/analysis-document.ts';
import type { AnalysisDocument } from './analysis-document.ts';
import type { ReportMeta } from './report-xlsx.ts';
import { writeXlsxReport } from './report-xlsx.ts';


/** A small analysis by hand: the values need not add up, they need to exercise every kind of cell. */
function fixture(): AnalysisDocument {
  const clients: ClientResult[] = [
    ...keyAndFormulaClients(),
    clientResult({
      client: '@SUM(A1)', revenue: 29999.99, margin: 5000, share: 0.15, cumulativeShare: 1, activePeriods: 1,
      firstPurchase: '2023-03-03', lastPurchase: '2023-03-03', daysSinceLastPurchase: 303, activity: 'lost',
    }),
    clientResult({ client: '-5', name: 'Zwroty', revenue: -12.5, margin: -3.1 }),
  ];
  const matrix = emptyMatrix();
  matrix.AX = { clients: 1, revenue: 120000.5, margin: 30000.25, revenueShare: 0.6, marginShare: 0.83 };
  matrix.BY = { clients: 1, revenue: 50000, margin: 1000.1, revenueShare: 0.25, marginShare: 0.03 };
  matrix.CZ = { clients: 2, revenue: 29987.49, margin: 4996.9, revenueShare: 0.15, marginShare: 0.14 };
  return {
    window: { from: '2023-01-01', to: '2023-12-31', period: 'month', periods: 12, asOf: '2023-12-31' },
    totals: { lines: 40000, rejectedLines: 1500, linesOutsideWindow: 7, clients: clients.length, revenue: 199988, margin: 36000 },
    matrix,
    keyClients: { count: 1, revenueShare: 0.6, marginShare: 0.83, band: 'above' },
    clients,
    errors: [
      { line: 17, column: 'Wartość netto', value: '12,3,4', message: 'unreadable number' },
      { line: 18, column: 'Data', value: '=1+2', message: 'invalid date' },
      { line: 40, column: null, value: null, message: 'expected 5 fields, found 3' },
    ],
  };
}

const META: ReportMeta = {
  file: 'ledger.csv',
  params: { ...DEFAULT_ANALYSIS_PARAMS, asOf: dayFromCivil(2023, 12, 31) },
  generatedOn: '2024-01-02',
};

async function writeAndRead(path: string, doc: AnalysisDocument): Promise<ExcelJS.Workbook> {
  await writeXlsxReport(path, doc, META);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  return workbook;
}

function sheet(workbook: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const found = workbook.getWorksheet(name);
  if (found === undefined) throw new Error(`no sheet ${name}`);
  return found;
}

function rowValues(row: ExcelJS.Row): unknown[] {
  return (row.values as unknown[]).slice(1);
}

/** The cell of a sheet whose text starts with `prefix`. */
function findCell(ws: ExcelJS.Worksheet, prefix: string): ExcelJS.Cell {
  let found: ExcelJS.Cell | undefined;
  ws.eachRow((row) => {
    row.eachCell((cell) => {
      if (found === undefined && typeof cell.value === 'string' && cell.value.startsWith(prefix)) found = cell;
    });
  });
  if (found === undefined) throw new Error(`no cell starting with ${prefix}`);
  return found;
}

function utcDate(year: number, month: number, day: number): Date {
  return new Date(Date.UTC(year, month - 1, day));
}

describe('writeXlsxReport', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kamerton-xlsx-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the four sheets in order and replaces an existing file without leaving a temporary one', async () => {
    const path = join(dir, 'report.xlsx');
    await writeFile(path, 'old content');
    const workbook = await writeAndRead(path, fixture());
    expect(workbook.worksheets.map((ws) => ws.name)).toEqual(['Summary', 'Clients', 'Lost and slipping', 'Rejected lines']);
    expect(await readdir(dir)).toEqual(['report.xlsx']);
  });

  it('gives the clients sheet a frozen, filtered header and real numbers, shares and dates', async () => {
    const ws = sheet(await writeAndRead(join(dir, 'r.xlsx'), fixture()), 'Clients');
    expect(rowValues(ws.getRow(1))).toEqual([
      'Rank', 'Client', 'Name', 'Segment', 'ABC', 'XYZ', 'Key client', 'Key-client types', 'Revenue', 'Margin', 'Share',
      'Cumulative share', 'Active periods', 'CV', 'Activity', 'First purchase', 'Last purchase', 'Days since last purchase', 'Growth',
    ]);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.autoFilter).toBe('A1:S5');
    expect(ws.rowCount).toBe(5);

    const first = ws.getRow(2);
    expect(rowValues(first)).toEqual([
      1, 'K-001', 'Hurtownia Alfa', 'AX', 'A', 'X', true, 'breadwinner', 120000.5, 30000.25, 0.6, 0.6, 12, 0.08, 'active',
      utcDate(2023, 1, 5), utcDate(2023, 12, 28), 3, 0.125,
    ]);
    expect(first.getCell(1).numFmt).toBe('#,##0');
    expect(first.getCell(9).numFmt).toBe('#,##0.00');
    expect(first.getCell(11).numFmt).toBe('0.0%');
    expect(first.getCell(16).numFmt).toBe('yyyy-mm-dd');
    expect(first.getCell(16).type).toBe(ExcelJS.ValueType.Date);
    expect(first.getCell(4).fill).toMatchObject({ pattern: 'solid', fgColor: { argb: 'FF63BE7B' } });
    expect(ws.getColumn(3).width).toBeGreaterThanOrEqual(14);

    // A negative revenue is a number, not a neutralised text.
    expect(ws.getRow(5).getCell(9).value).toBe(-12.5);
  });

  it('neutralises ledger texts that look like formulas', async () => {
    const workbook = await writeAndRead(join(dir, 'r.xlsx'), fixture());
    const clients = sheet(workbook, 'Clients');
    const name = clients.getRow(3).getCell(3);
    expect(name.value).toBe(`'=HYPERLINK("http://example.com","click")`);
    expect(name.type).toBe(ExcelJS.ValueType.String);
    expect(clients.getRow(4).getCell(2).value).toBe("'@SUM(A1)");
    expect(clients.getRow(5).getCell(2).value).toBe("'-5");
    expect(sheet(workbook, 'Rejected lines').getRow(4).getCell(3).value).toBe("'=1+2");
  });

  it('shows the coloured matrix, the totals and the key-client band on the summary', async () => {
    const ws = sheet(await writeAndRead(join(dir, 'r.xlsx'), fixture()), 'Summary');
    const ax = findCell(ws, 'AX\n');
    expect(ax.value).toBe('AX\n1 client\n60.0% of revenue\n83.0% of margin');
    expect(ax.fill).toMatchObject({ pattern: 'solid', fgColor: { argb: 'FF63BE7B' } });
    const cz = findCell(ws, 'CZ\n');
    expect(cz.value).toBe('CZ\n2 clients\n15.0% of revenue\n14.0% of margin');
    expect(cz.fill).toMatchObject({ fgColor: { argb: 'FFF8696B' } });
    // The matrix reads as A to C down and X to Z across.
    expect(ws.getRow(Number(ax.row)).getCell(1).value).toBe('A');
    expect(findCell(ws, 'AY\n').row).toBe(ax.row);
    expect(findCell(ws, 'BX\n').col).toBe(ax.col);

    const revenue = findCell(ws, 'Revenue');
    expect(ws.getRow(Number(revenue.row)).getCell(2)).toMatchObject({ value: 199988, numFmt: '#,##0.00' });
    expect(ws.getRow(Number(findCell(ws, 'Ledger file').row)).getCell(2).value).toBe('ledger.csv');
    expect(ws.getRow(Number(findCell(ws, 'As-of date').row)).getCell(2).value).toBe('2023-12-31');
    expect(ws.getRow(Number(findCell(ws, 'From').row)).getCell(2).value).toEqual(utcDate(2023, 1, 1));

    const share = ws.getRow(Number(findCell(ws, 'Share of revenue').row)).getCell(2);
    expect(share).toMatchObject({ value: 0.6, numFmt: '0.0%' });
    expect(ws.getRow(Number(findCell(ws, 'Band').row)).getCell(2).value).toBe('above');
    expect(findCell(ws, 'Key clients bring more than 55% of revenue').value).toMatch(/leans on few clients/);
  });

  it('leaves margins out of the summary when the ledger has none', async () => {
    const doc = fixture();
    doc.totals.margin = null;
    doc.keyClients.marginShare = null;
    for (const s of SEGMENTS) doc.matrix[s] = { ...doc.matrix[s], margin: null, marginShare: null };
    const ws = sheet(await writeAndRead(join(dir, 'r.xlsx'), doc), 'Summary');
    expect(findCell(ws, 'AX\n').value).toBe('AX\n1 client\n60.0% of revenue');
    expect(ws.getRow(Number(findCell(ws, 'Margin').row)).getCell(2).value).toBe('the ledger has no cost or margin column');
  });

  it('lists the slipping and then the lost clients with revenue, last purchase and days since', async () => {
    const ws = sheet(await writeAndRead(join(dir, 'r.xlsx'), fixture()), 'Lost and slipping');
    expect(ws.getRow(1).getCell(1).value).toBe('1 slipping and 2 lost clients: slipping first, then lost, each by rank.');
    expect(rowValues(ws.getRow(2))).toEqual([
      'Client', 'Name', 'Activity', 'Segment', 'Key client', 'Revenue', 'Share', 'First purchase', 'Last purchase', 'Days since last purchase',
    ]);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
    expect(ws.autoFilter).toBe('A2:J5');
    expect(rowValues(ws.getRow(3)).slice(0, 3)).toEqual(['K-002', `'=HYPERLINK("http://example.com","click")`, 'slipping']);
    expect(ws.getRow(3).getCell(6)).toMatchObject({ value: 50000, numFmt: '#,##0.00' });
    expect(ws.getRow(3).getCell(9).value).toEqual(utcDate(2023, 9, 30));
    expect(ws.getRow(3).getCell(10).value).toBe(92);
    expect(ws.getRow(4).getCell(1).value).toBe("'@SUM(A1)");
    expect(ws.getRow(5).getCell(1).value).toBe("'-5");
    expect(ws.getRow(5).getCell(9).value).toBeNull();
    expect(ws.rowCount).toBe(5);
  });

  it('lists the rejected lines and says when only the first ones are listed', async () => {
    const ws = sheet(await writeAndRead(join(dir, 'r.xlsx'), fixture()), 'Rejected lines');
    expect(ws.getRow(1).getCell(1).value).toBe('Only the first 3 of 1,500 rejected lines are listed.');
    expect(rowValues(ws.getRow(2))).toEqual(['Line', 'Column', 'Value', 'Message']);
    expect(rowValues(ws.getRow(3))).toEqual([17, 'Wartość netto', '12,3,4', 'unreadable number']);
    expect(ws.getRow(5).getCell(1).value).toBe(40);
    expect(ws.getRow(5).getCell(2).value).toBeNull();
    expect(ws.getRow(5).getCell(4).value).toBe('expected 5 fields, found 3');
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
    expect(ws.autoFilter).toBe('A2:D5');
  });

  it('says that no line was rejected when none was', async () => {
    const doc = { ...fixture(), errors: [] };
    doc.totals = { ...doc.totals, rejectedLines: 0 };
    const ws = sheet(await writeAndRead(join(dir, 'r.xlsx'), doc), 'Rejected lines');
    expect(ws.getRow(1).getCell(1).value).toBe('No line was rejected.');
    expect(ws.rowCount).toBe(2);
  });

  it('writes every client when the sheets are written in several slices', async () => {
    const doc = fixture();
    const template = doc.clients[1] as ClientResult;
    doc.clients = Array.from({ length: 2500 }, (_, i) => ({ ...template, client: `K-${String(i).padStart(4, '0')}`, revenue: 2500 - i }));
    const workbook = await writeAndRead(join(dir, 'r.xlsx'), doc);
    const clients = sheet(workbook, 'Clients');
    expect(clients.rowCount).toBe(2501);
    expect(rowValues(clients.getRow(2501)).slice(0, 2)).toEqual([2500, 'K-2499']);
    expect(clients.getRow(2501).getCell(9).value).toBe(1);
    const lost = sheet(workbook, 'Lost and slipping');
    expect(lost.rowCount).toBe(2502);
    expect(lost.getRow(2502).getCell(1).value).toBe('K-2499');
  });

  it('fails without leaving a file when the directory does not exist', async () => {
    await expect(writeXlsxReport(join(dir, 'missing', 'r.xlsx'), fixture(), META)).rejects.toThrow(/ENOENT/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses more clients than an Excel sheet holds before writing anything', async () => {
    const one = fixture().clients[0] as ClientResult;
    const doc = { ...fixture(), clients: new Array<ClientResult>(1_048_576).fill(one) };
    const path = join(dir, 'r.xlsx');
    await expect(writeXlsxReport(path, doc, META)).rejects.toMatchObject({ code: 'too-large' });
    expect(await readdir(dir)).toEqual([]);
  });
});
