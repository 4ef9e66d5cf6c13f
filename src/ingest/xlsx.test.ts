import { createReadStream, existsSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDay } from '../core/calendar.ts';
import type { LedgerLine, ReadOptions } from './types.ts';
import { abandonStream, checkXlsxArchive, moneyFromNumber, readXlsxDailyLedger, readXlsxLines } from './xlsx.ts';
import { rejection } from '../../test/fixtures/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'kamerton-xlsx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fixtureCount = 0;

type Sheet = { name: string; rows: ExcelJS.CellValue[][] };

/** Writes a workbook with these sheets and rows (row 1 first; `[]` leaves a row empty). */
async function workbook(sheets: Sheet[]): Promise<string> {
  const book = new ExcelJS.Workbook();
  for (const sheet of sheets) {
    const ws = book.addWorksheet(sheet.name);
    sheet.rows.forEach((values, k) => {
      if (values.length > 0) ws.getRow(k + 1).values = values;
    });
  }
  const path = join(dir, `book-${fixtureCount++}.xlsx`);
  await book.xlsx.writeFile(path);
  return path;
}

async function lines(path: string, options: ReadOptions = {}): Promise<{ lines: LedgerLine[]; info: Awaited<ReturnType<typeof readXlsxLines>> }> {
  const out: LedgerLine[] = [];
  const info = await readXlsxLines(path, options, (line) => out.push(line));
  return { lines: out, info };
}

const utc = (y: number, m: number, d: number, h = 0): Date => new Date(Date.UTC(y, m - 1, d, h));

/** Good filler rows, so that a test's few bad rows stay under the 5% limit. */
function goodRows(count: number): ExcelJS.CellValue[][] {
  return Array.from({ length: count }, (_, k) => [utc(2023, 1, 1 + (k % 28)), `F${k}`, 10]);
}

describe('readXlsxLines', () => {
  it('reads a Polish-header workbook with every kind of date and amount cell', async () => {
    const path = await workbook([{
      name: 'Sprzedaż',
      rows: [
        ['Data sprzedaży', 'Kod kontrahenta', 'Nazwa kontrahenta', 'Wartość netto', 'Koszt', 'Ilość', 'Towar'],
        [utc(2023, 4, 30), 'K1', 'Alfa sp. z o.o.', 1234.56, 1000, 3, 'T-1'],
        [utc(2023, 4, 30, 15), 'K1', null, 0.1 + 0.2, null, null, null],
        ['2023-05-01', 'K2', 'Beta', '1 234,56 zł', '12,5', '1,5', null],
        ['02.05.2023', 'K2', null, -12.5, null, null, null],
        [],
        ['03/05/2023', { richText: [{ text: 'K' }, { text: '3' }] }, null, 1.005, 0, null, null],
        ['20230504', 1001, null, { formula: 'D2*2', result: 20 }, null, null, null],
        [45051, 'K4', null, 7, null, null, null],
        [20230506, 'K4', null, 8, null, null, null],
        ['2023-05-07T00:00:00', 'K4', null, '9', null, null, null],
        [{ formula: 'A2+8', result: 45054 }, 'K5', null, 1, null, null, null],
      ],
    }]);
    const { lines: read, info } = await lines(path, { decimal: ',' });
    expect(info).toMatchObject({ format: 'xlsx', delimiter: null, encoding: null, decimal: ',', lines: 10, rejectedLines: 0, errors: [] });
    expect(info.columns).toEqual({
      date: 'Data sprzedaży', client: 'Kod kontrahenta', clientName: 'Nazwa kontrahenta', revenue: 'Wartość netto', cost: 'Koszt',
      quantity: 'Ilość', product: 'Towar',
    });
    expect(read.map((l) => [l.line, formatDay(l.date), l.client, l.revenue, l.cost, l.margin])).toEqual([
      [2, '2023-04-30', 'K1', 123456, 100000, 23456],
      [3, '2023-04-30', 'K1', 30, 0, 30],
      [4, '2023-05-01', 'K2', 123456, 1250, 122206],
      [5, '2023-05-02', 'K2', -1250, 0, -1250],
      [7, '2023-05-03', 'K3', 101, 0, 101],
      [8, '2023-05-04', '1001', 2000, 0, 2000],
      [9, '2023-05-05', 'K4', 700, 0, 700],
      [10, '2023-05-06', 'K4', 800, 0, 800],
      [11, '2023-05-07', 'K4', 900, 0, 900],
      [12, '2023-05-08', 'K5', 100, 0, 100],
    ]);
    expect(read[0]).toMatchObject({ clientName: 'Alfa sp. z o.o.', quantity: 3, product: 'T-1' });
    expect(read[1]!.clientName).toBeNull();
    expect(read[2]!.quantity).toBe(1.5);
  });
});

describe('readXlsxLines: bad rows', () => {
  it('reports a bad row with its row number, column header and value, and goes on', async () => {
    const path = await workbook([{
      name: 'Ledger',
      rows: [
        ['date', 'client', 'revenue', 'due date'],
        ['31.04.2023', 'A', 10, null],
        ...goodRows(120),
        [utc(2023, 2, 1), '  ', 10, null],
        [utc(2023, 2, 1), 'B', 'dużo', null],
        [utc(2023, 2, 1), 'B', null, null],
        [utc(2023, 2, 1), 'B', 5, 'jutro'],
        [{ error: '#N/A' }, 'B', 5, null],
      ],
    }]);
    const { lines: read, info } = await lines(path);
    expect(info.lines).toBe(126);
    expect(info.rejectedLines).toBe(6);
    expect(read).toHaveLength(120);
    expect(info.errors).toEqual([
      { line: 2, column: 'date', value: '31.04.2023', message: expect.stringContaining('not a valid date') },
      { line: 123, column: 'client', value: '  ', message: 'empty client' },
      { line: 124, column: 'revenue', value: 'dużo', message: 'not a readable amount (decimal separator ".")' },
      { line: 125, column: 'revenue', value: '', message: 'empty revenue' },
      { line: 126, column: 'due date', value: 'jutro', message: expect.stringContaining('not a valid date') },
      { line: 127, column: 'date', value: '#N/A', message: expect.stringContaining('not a valid date') },
    ]);
  });

  it('checks only the rollup fields for the daily ledger: a bad due date does not reject the line there', async () => {
    const path = await workbook([{ name: 'L', rows: [['date', 'client', 'revenue', 'due date'], ...goodRows(30), [utc(2023, 2, 1), 'B', 5, 'jutro']] }]);
    const read = await readXlsxDailyLedger(path, {});
    expect(read.rejectedLines).toBe(0);
    expect(read.ledger.clients).toContain('B');
  });

  it('in strict mode stops at the first bad row, naming file, row, column and value', async () => {
    const path = await workbook([{ name: 'L', rows: [['date', 'client', 'revenue'], [utc(2023, 1, 2), 'A', 1], [utc(2023, 1, 2), 'A', '12,5,0']] }]);
    const error = await rejection(readXlsxLines(path, { strict: true }, () => {}));
    expect(error.code).toBe('invalid-input');
    expect(error.details).toMatchObject({ file: path, line: 3, column: 'revenue', value: '12,5,0' });
  });

  it('stops when more than 5% of the rows are bad, saying the columns are probably mapped wrong', async () => {
    const path = await workbook([{
      name: 'L',
      rows: [['date', 'client', 'revenue'], ...goodRows(18), [utc(2023, 1, 2), 'A', 'x'], [utc(2023, 1, 2), 'A', 'y']],
    }]);
    const error = await rejection(readXlsxDailyLedger(path, {}));
    expect(error.message).toContain('2 of 20 lines');
    expect(error.message).toContain('probably mapped wrong');
  });
});

describe('readXlsxLines: sheets, headers and columns', () => {
  const twoSheets = (): Promise<string> => workbook([
    { name: 'Pierwszy', rows: [['date', 'client', 'revenue'], [utc(2023, 1, 2), 'A', 1]] },
    { name: 'Sprzedaż 2023', rows: [['data', 'klient', 'wartość'], [utc(2023, 3, 4), 'Z', 2], [utc(2023, 3, 5), 'Z', 3]] },
  ]);

  it('reads the first sheet by default and the named one with `sheet`', async () => {
    const path = await twoSheets();
    expect((await lines(path)).lines.map((l) => l.client)).toEqual(['A']);
    expect((await lines(path, { sheet: 'Sprzedaż 2023' })).lines.map((l) => l.client)).toEqual(['Z', 'Z']);
    expect((await lines(path, { sheet: 'sprzedaż 2023' })).lines).toHaveLength(2);
  });

  it('refuses an unknown sheet, listing the sheets', async () => {
    const path = await twoSheets();
    const error = await rejection(readXlsxLines(path, { sheet: 'Arkusz1' }, () => {}));
    expect(error.code).toBe('invalid-input');
    expect(error.message).toContain('no sheet named "Arkusz1"');
    expect(error.message).toContain('"Pierwszy", "Sprzedaż 2023"');
  });

  it('reads a sheet without a header from column numbers', async () => {
    const path = await workbook([{ name: 'L', rows: [['x', 'A', utc(2023, 1, 2), 0, 12.5], ['x', 'B', '2023-01-03', 0, 1]] }]);
    const { lines: read, info } = await lines(path, { header: false, map: { client: 2, date: 3, revenue: 5 } });
    expect(read.map((l) => [l.line, l.client, formatDay(l.date), l.revenue])).toEqual([[1, 'A', '2023-01-02', 1250], [2, 'B', '2023-01-03', 100]]);
    expect(info.columns).toEqual({ client: 'column 2', date: 'column 3', revenue: 'column 5' });
  });

  it('stops on a missing required column, listing the headers found', async () => {
    const path = await workbook([{ name: 'L', rows: [['Data', 'Towar', 'Wartość'], [utc(2023, 1, 2), 'T', 1]] }]);
    const error = await rejection(readXlsxLines(path, {}, () => {}));
    expect(error.message).toContain('"Data", "Towar", "Wartość"');
    expect(error.message).toContain('"kontrahent"');
  });

  it('detects a decimal comma in amounts written as text, and asks when it cannot tell', async () => {
    const comma = await workbook([{ name: 'L', rows: [['date', 'client', 'revenue'], [utc(2023, 1, 2), 'A', '12,50'], [utc(2023, 1, 2), 'A', 3]] }]);
    const read = await lines(comma);
    expect(read.info.decimal).toBe(',');
    expect(read.lines.map((l) => l.revenue)).toEqual([1250, 300]);
    const unclear = await workbook([{ name: 'L', rows: [['date', 'client', 'revenue'], [utc(2023, 1, 2), 'A', '1,250']] }]);
    const error = await rejection(readXlsxLines(unclear, {}, () => {}));
    expect(error.message).toContain('--decimal');
    expect((await lines(unclear, { decimal: '.' })).lines[0]!.revenue).toBe(125000);
  });

  it('reads a sheet with a header and no data as no lines, and stops on an empty sheet naming what it lacks', async () => {
    const headerOnly = await workbook([{ name: 'L', rows: [['date', 'client', 'revenue']] }]);
    const read = await readXlsxDailyLedger(headerOnly, {});
    expect(read.lines).toBe(0);
    expect(read.ledger.clients).toEqual([]);
    const empty = await workbook([{ name: 'L', rows: [] }]);
    const error = await rejection(readXlsxDailyLedger(empty, {}));
    expect(error.message).toContain('Headers found: (none: the sheet or file is empty)');
  });

  it('reports progress', async () => {
    const path = await workbook([{ name: 'L', rows: [['date', 'client', 'revenue'], ...goodRows(3)] }]);
    const calls: [number, number | null][] = [];
    await readXlsxLines(path, { onProgress: (done, total) => calls.push([done, total]) }, () => {});
    expect(calls.at(-1)).toEqual([4, 4]);
  });
});

describe('readXlsxDailyLedger', () => {
  it('folds the rows into the per-client, per-day rollup with margins from the margin column or revenue less cost', async () => {
    const path = await workbook([{
      name: 'L',
      rows: [
        ['date', 'client', 'client name', 'revenue', 'cost', 'margin'],
        [utc(2023, 1, 2), 'B', 'Beta', 100, 60, null],
        [utc(2023, 1, 2), 'B', null, -20, -12, null],
        [utc(2023, 1, 3), 'A', null, 50, 10, 45],
        [utc(2023, 1, 3), 'A', 'Alfa', 50, null, null],
      ],
    }]);
    const read = await readXlsxDailyLedger(path, {});
    const ledger = read.ledger;
    expect(ledger.hasMargin).toBe(true);
    expect(ledger.clients).toEqual(['A', 'B']);
    expect(ledger.names).toEqual(['Alfa', 'Beta']);
    expect(Array.from(ledger.revenue)).toEqual([10000, 8000]);
    expect(Array.from(ledger.margin)).toEqual([4500 + 5000, 4000 - 800]);
    expect(Array.from(ledger.lines)).toEqual([2, 2]);
    expect(Array.from(ledger.purchaseLines)).toEqual([2, 1]);
    expect(read.lines).toBe(4);
  });

  it('has no margin when the sheet has neither cost nor margin', async () => {
    const path = await workbook([{ name: 'L', rows: [['date', 'client', 'revenue'], [utc(2023, 1, 2), 'A', 1]] }]);
    const read = await readXlsxDailyLedger(path, {});
    expect(read.ledger.hasMargin).toBe(false);
    expect(Array.from(read.ledger.margin)).toEqual([0]);
  });
});

describe('moneyFromNumber', () => {
  it('reads a number cell as the amount Excel shows, rounded half away from zero to the grosz', () => {
    expect(moneyFromNumber(0.1 + 0.2)).toBe(30);
    expect(moneyFromNumber(1.005)).toBe(101);
    expect(moneyFromNumber(-1.005)).toBe(-101);
    expect(moneyFromNumber(1234.56)).toBe(123456);
    expect(moneyFromNumber(1e-9)).toBe(0);
    expect(moneyFromNumber(1e20)).toBeNaN();
    expect(moneyFromNumber(Number.NaN)).toBeNaN();
  });
});

/** A ZIP archive built by hand: `entries` name their stored data; `shared` makes every entry point at one body. */
function zip(entries: { name: string; data: Buffer; uncompressed: number }[], shared = false): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  let firstOffset = 0;
  entries.forEach((entry, k) => {
    const name = Buffer.from(entry.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(entry.data.length, 18);
    local.writeUInt32LE(entry.uncompressed, 22);
    local.writeUInt16LE(name.length, 26);
    const at = shared && k > 0 ? firstOffset : offset;
    if (!shared || k === 0) {
      locals.push(local, name, entry.data);
      firstOffset = offset;
      offset += 30 + name.length + entry.data.length;
    }
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(entry.data.length, 20);
    central.writeUInt32LE(entry.uncompressed, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(at, 42);
    centrals.push(central, name);
  });
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

function fixture(name: string, bytes: Buffer | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('the unzipped-size guard', () => {
  it('refuses a zip bomb: a few kilobytes that unzip to many megabytes of zeros', async () => {
    const zeros = Buffer.alloc(20 * 1024 * 1024);
    const bomb = fixture('bomb.xlsx', zip([{ name: 'xl/worksheets/sheet1.xml', data: deflateRawSync(zeros, { level: 9 }), uncompressed: zeros.length }]));
    const error = await rejection(readXlsxDailyLedger(bomb, {}));
    expect(error.code).toBe('too-large');
    expect(error.message).toContain('zip bomb');
    expect(error.message).toContain('xl/worksheets/sheet1.xml');
  });

  it('refuses entries that share one compressed body, the overlapping zip bomb', async () => {
    const body = deflateRawSync(Buffer.from('<x/>'.repeat(1000)));
    const entries = Array.from({ length: 50 }, (_, k) => ({ name: `xl/e${k}.xml`, data: body, uncompressed: 4000 }));
    const error = await rejection(checkXlsxArchive(fixture('overlap.xlsx', zip(entries, true))));
    expect(error.code).toBe('too-large');
    expect(error.message).toContain('overlap');
  });

  it('refuses a workbook that would unzip beyond the size limit', async () => {
    const path = await workbook([{ name: 'L', rows: [['date', 'client', 'revenue'], ...goodRows(50)] }]);
    const summary = await checkXlsxArchive(path);
    expect(summary.uncompressedBytes).toBeGreaterThan(summary.compressedBytes);
    const error = await rejection(checkXlsxArchive(path, { maxUncompressedBytes: summary.uncompressedBytes - 1, maxRatio: 250, ratioFromBytes: 1 }));
    expect(error.code).toBe('too-large');
    expect(error.message).toContain(`more than ${summary.uncompressedBytes - 1} bytes`);
  });

  it('refuses a file that is no ZIP archive, and names an old .xls workbook', async () => {
    const csv = fixture('ledger.xlsx', 'date;client;revenue\n2023-01-02;A;1\n');
    const error = await rejection(readXlsxLines(csv, {}, () => {}));
    expect(error.code).toBe('invalid-input');
    expect(error.message).toContain('not an XLSX workbook');
    const xls = fixture('old.xlsx', Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(600)]));
    expect((await rejection(checkXlsxArchive(xls))).message).toContain('old binary .xls');
    expect((await rejection(checkXlsxArchive(fixture('empty.xlsx', '')))).code).toBe('invalid-input');
    expect((await rejection(checkXlsxArchive(join(dir, 'missing.xlsx')))).message).toContain('cannot open');
  });
});

describe('the unzipped-size guard against archives that lie', () => {
  it('refuses an entry that unzips to more than its declared size', async () => {
    const zeros = Buffer.alloc(20 * 1024 * 1024);
    const liar = fixture('liar.xlsx', zip([{ name: 'xl/sharedStrings.xml', data: deflateRawSync(zeros), uncompressed: 1000 }]));
    const error = await rejection(readXlsxLines(liar, {}, () => {}));
    expect(error.code).toBe('too-large');
    expect(error.message).toContain('more than the 1000 bytes it declares');
  });

  it('refuses local entries hidden from the central directory', async () => {
    const body = deflateRawSync(Buffer.from('<x/>'));
    const archive = zip([{ name: 'a.xml', data: body, uncompressed: 4 }]);
    // Ten bytes slipped in before the first local header shift it away from where the directory says.
    const shifted = Buffer.concat([Buffer.alloc(10), archive]);
    shifted.writeUInt32LE(shifted.readUInt32LE(shifted.length - 6) + 10, shifted.length - 6);
    const error = await rejection(checkXlsxArchive(fixture('hidden.xlsx', shifted)));
    expect(error.code).toBe('invalid-input');
    expect(error.message).toContain('damaged or altered ZIP entry a.xml');
  });
});

describe('workbooks from other writers', () => {
  const deflated = (name: string, xml: string) => {
    const data = Buffer.from(xml);
    return { name, data: deflateRawSync(data), uncompressed: data.length };
  };
  const cell = (ref: string, xml: string, type?: string): string => `<c r="${ref}"${type ? ` t="${type}"` : ''}>${xml}</c>`;
  const sheetXml = (rows: string[]): string =>
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' +
    rows.map((cells, k) => `<row r="${k + 1}">${cells}</row>`).join('') + '</sheetData></worksheet>';

  it('reads a workbook whose shared strings come before the sheets and whose workbook part comes last', async () => {
    const strings = ['data', 'klient', 'wartość', 'K&1'];
    const path = fixture('hand-made.xlsx', zip([
      deflated('xl/_rels/workbook.xml.rels', '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>' +
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/>' +
        '</Relationships>'),
      deflated('xl/sharedStrings.xml', '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
        strings.map((t) => `<si><t>${t.replace('&', '&amp;')}</t></si>`).join('') + '</sst>'),
      deflated('xl/worksheets/sheet1.xml', sheetXml([
        cell('A1', '<v>0</v>', 's') + cell('B1', '<v>1</v>', 's') + cell('C1', '<v>2</v>', 's'),
        cell('A2', '<is><t>2023-01-02</t></is>', 'inlineStr') + cell('B2', '<v>3</v>', 's') + cell('C2', '<v>12.5</v>'),
      ])),
      deflated('xl/worksheets/sheet2.xml', sheetXml([
        cell('A1', '<v>0</v>', 's') + cell('B1', '<v>1</v>', 's') + cell('C1', '<v>2</v>', 's'),
        cell('A2', '<v>44929</v>') + cell('B2', '<is><t>Z</t></is>', 'inlineStr') + cell('C2', '<f>1+1</f><v>2</v>'),
      ])),
      deflated('xl/workbook.xml', '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>' +
        '<sheet name="Q&amp;A" sheetId="1" r:id="rId1"/><sheet name="Dane" sheetId="2" r:id="rId2"/></sheets></workbook>'),
    ]));
    const first = await lines(path);
    expect(first.lines.map((l) => [l.line, formatDay(l.date), l.client, l.revenue])).toEqual([[2, '2023-01-02', 'K&1', 1250]]);
    const second = await lines(path, { sheet: 'dane' });
    expect(second.lines.map((l) => [formatDay(l.date), l.client, l.revenue])).toEqual([['2023-01-03', 'Z', 200]]);
    const error = await rejection(readXlsxLines(path, { sheet: 'Q' }, () => {}));
    expect(error.message).toContain('"Q&A", "Dane"');
  });
});

describe('abandonStream', () => {
  it('lets a file stream destroyed before it opened fail quietly once its file is deleted', async () => {
    // What ExcelJS does with a skipped sheet's temporary copy: the stream over it is made, left
    // unread and destroyed, and the file deleted. Without abandonStream's listener the stream's late
    // open throws ENOENT where nothing catches it, which fails this run as an unhandled error.
    for (let k = 0; k < 20; k++) {
      const path = join(dir, `abandoned-${k}.xml`);
      writeFileSync(path, '<worksheet/>');
      abandonStream(createReadStream(path));
      unlinkSync(path);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(existsSync(join(dir, 'abandoned-0.xml'))).toBe(false);
  });
});
