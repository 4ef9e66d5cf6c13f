import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inferSchema, initParser } from 'udsv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClientResult } from '../core/types.ts';
import { clientResult, emptyMatrix, keyAndFormulaClients } from '../../test/fixtures/analysis-document.ts';
import type { AnalysisDocument } from './analysis-document.ts';
import { clientsCsv, neutraliseFormula, writeCsvReport } from './report-csv.ts';

const FIELDS = [
  'client', 'name', 'revenue', 'margin', 'share', 'cumulativeShare', 'abc', 'cv', 'activePeriods', 'xyz',
  'segment', 'types', 'isKey', 'firstPurchase', 'lastPurchase', 'daysSinceLastPurchase', 'activity', 'growth',
] as const;


/** A small analysis by hand: the values need not add up, they need to exercise every kind of cell. */
function fixture(): AnalysisDocument {
  const clients: ClientResult[] = [
    ...keyAndFormulaClients(),
    clientResult({
      client: 'K-003', name: 'Zażółć gęślą jaźń', revenue: 29999.99, margin: 5000, share: 1 / 7, cumulativeShare: 0.9999998,
      cv: 0.4, activePeriods: 3, types: ['breadwinner', 'promising'], isKey: true,
      firstPurchase: '2023-10-02', lastPurchase: '2023-12-01', daysSinceLastPurchase: 30, activity: 'active',
    }),
    clientResult({
      client: '@SUM(A1)', name: null, revenue: 0.03, margin: null, share: 1.5e-7, cumulativeShare: 1,
      cv: 1.7320508075688772, activePeriods: 1, firstPurchase: '2023-03-03', lastPurchase: '2023-03-03',
      daysSinceLastPurchase: 303, activity: 'lost',
    }),
    clientResult({ client: '-5', name: 'Kowalski; Nowak, "Sp. z o.o."\r\nOddział 2', revenue: -12.5, margin: -3.1 }),
    clientResult({ client: 'K-006', name: '\tTabbed', revenue: 0, margin: 0 }),
  ];
  const matrix = emptyMatrix();
  return {
    window: { from: '2023-01-01', to: '2023-12-31', period: 'month', periods: 12, asOf: '2023-12-31' },
    totals: { lines: 100, rejectedLines: 0, linesOutsideWindow: 0, clients: clients.length, revenue: 200000, margin: 36000 },
    matrix,
    keyClients: { count: 2, revenueShare: 0.75, marginShare: 0.97, band: 'above' },
    clients,
    errors: [],
  };
}

function lines(csv: string): string[] {
  return csv.slice(1).split('\r\n');
}

describe('neutraliseFormula', () => {
  it('prefixes a single quote to a text starting with a formula character', () => {
    for (const text of ['=1+2', '+48 22 123', '-5', '@SUM(A1)', '\tx', '\rx']) {
      expect(neutraliseFormula(text)).toBe(`'${text}`);
    }
  });

  it('leaves other texts alone, formula characters inside them included', () => {
    for (const text of ['', 'K-001', 'a=b', ' =1', "'=1", 'Zażółć']) {
      expect(neutraliseFormula(text)).toBe(text);
    }
  });
});

describe('clientsCsv', () => {
  it('starts with a UTF-8 BOM, ends every row with CRLF and has the JSON field names as header', () => {
    const csv = clientsCsv(fixture(), 'en');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv).not.toMatch(/(?<!\r)\n/);
    expect(lines(csv)[0]).toBe(FIELDS.join(','));
    expect(lines(clientsCsv(fixture(), 'pl'))[0]).toBe(FIELDS.join(';'));
  });

  it('writes semicolons and decimal commas in the pl style, money with two decimals', () => {
    const row = lines(clientsCsv(fixture(), 'pl'))[1];
    expect(row).toBe('K-001;Hurtownia Alfa;120000,50;30000,25;0,6;0,6;A;0,08;12;X;AX;breadwinner;true;2023-01-05;2023-12-28;3;active;0,125');
  });

  it('writes commas and decimal points in the en style', () => {
    const row = lines(clientsCsv(fixture(), 'en'))[1];
    expect(row).toBe('K-001,Hurtownia Alfa,120000.50,30000.25,0.6,0.6,A,0.08,12,X,AX,breadwinner,true,2023-01-05,2023-12-28,3,active,0.125');
  });

  it('writes fractions at full precision without exponent notation', () => {
    const row = lines(clientsCsv(fixture(), 'en'))[4];
    expect(row).toBe("'@SUM(A1),,0.03,,0.00000015,1,C,1.7320508075688772,1,Z,CZ,,false,2023-03-03,2023-03-03,303,lost,");
    expect(lines(clientsCsv(fixture(), 'en'))[3]).toContain(`,${String(1 / 7)},0.9999998,`);
  });

  it('quotes a field holding the separator, a quote or a line break, and only then', () => {
    const en = clientsCsv(fixture(), 'en');
    expect(en).toContain(`\r\n'-5,"Kowalski; Nowak, ""Sp. z o.o.""\r\nOddział 2",-12.50,-3.10,`);
    expect(en).toContain(`\r\nK-003,Zażółć gęślą jaźń,29999.99,`);
    const pl = clientsCsv(fixture(), 'pl');
    expect(pl).toContain(`\r\n'-5;"Kowalski; Nowak, ""Sp. z o.o.""\r\nOddział 2";-12,50;-3,10;`);
    // In the pl style a comma is no separator, so the types and the HYPERLINK need no quotes for it.
    expect(pl).toContain(`\r\nK-002;"'=HYPERLINK(""http://example.com"",""click"")";50000,00;`);
    expect(pl).toContain(';breadwinner|promising;true;');
  });

  it('neutralises text cells that look like formulas but never numbers', () => {
    const csv = clientsCsv(fixture(), 'en');
    expect(csv).toContain(`,"'=HYPERLINK(""http://example.com"",""click"")",`);
    expect(csv).toContain("\r\n'@SUM(A1),");
    expect(csv).toContain("\r\n'-5,");
    expect(csv).toContain("\r\nK-006,'\tTabbed,0.00,0.00,");
    // A negative revenue and a negative growth are numbers: no quote before their minus.
    expect(csv).toContain(',-12.50,-3.10,');
    expect(csv).toContain(',slipping,-0.3\r\n');
  });

  it('writes an empty cell for every null and nothing for an empty ledger but the header', () => {
    const doc = { ...fixture(), clients: [] };
    expect(clientsCsv(doc, 'en')).toBe(`\uFEFF${FIELDS.join(',')}\r\n`);
  });
});

/** What a client's row should read back as: the document's values with the texts neutralised. */
function expectedRow(c: ClientResult): Record<string, unknown> {
  return {
    ...c,
    client: neutraliseFormula(c.client),
    name: c.name === null ? null : neutraliseFormula(c.name),
  };
}

/** A uDSV row back into the document's shape: empty cells to null, types split, dates to ISO days. */
function toClient(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of FIELDS) {
    const value = row[field];
    if (field === 'types') out[field] = value === null || value === '' ? [] : String(value).split('|');
    else if (value instanceof Date) out[field] = value.toISOString().slice(0, 10);
    else out[field] = value === '' || value === undefined ? null : value;
  }
  return out;
}

describe('clientsCsv read back with uDSV', () => {
  it('gives the same values in the en style', () => {
    const doc = fixture();
    const csv = clientsCsv(doc, 'en');
    const schema = inferSchema(csv);
    expect(schema.col).toBe(',');
    const rows = initParser(schema).typedObjs<Record<string, unknown>>(csv);
    expect(rows.map(toClient)).toEqual(doc.clients.map(expectedRow));
  });

  it('gives the same values in the pl style once decimal commas are read as such', () => {
    const doc = fixture();
    const csv = clientsCsv(doc, 'pl');
    const schema = inferSchema(csv);
    expect(schema.col).toBe(';');
    const decimalColumns = new Set(['revenue', 'margin', 'share', 'cumulativeShare', 'cv', 'growth']);
    for (const col of schema.cols) {
      if (decimalColumns.has(col.name)) {
        col.type = 'n';
        col.parse = (text: string) => Number(text.replace(',', '.'));
      }
    }
    const rows = initParser(schema).typedObjs<Record<string, unknown>>(csv);
    expect(rows.map(toClient)).toEqual(doc.clients.map(expectedRow));
  });
});

describe('writeCsvReport', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kamerton-csv-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('replaces the file with the clients table and leaves no temporary file behind', async () => {
    const path = join(dir, 'clients.csv');
    await writeFile(path, 'old content');
    await writeCsvReport(path, fixture(), 'pl');
    const bytes = await readFile(path);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toBe(clientsCsv(fixture(), 'pl'));
    expect(await readdir(dir)).toEqual(['clients.csv']);
  });

  it('fails without leaving a file when the directory does not exist', async () => {
    await expect(writeCsvReport(join(dir, 'missing', 'clients.csv'), fixture(), 'en')).rejects.toThrow();
    expect(await readdir(dir)).toEqual([]);
  });
});
