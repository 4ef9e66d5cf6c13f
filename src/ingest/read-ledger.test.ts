import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dayFromCivil } from '../core/calendar.ts';
import { DailyLedgerBuilder } from '../core/daily-ledger.ts';
import { KamertonError } from '../core/errors.ts';
import { readDailyChunk } from './csv-daily-chunk.ts';
import { detectLayout } from './csv-layout.ts';
import { splitAtLines } from './csv-parallel.ts';
import { readDailyLedger, readLedgerLines } from './read-ledger.ts';
import type { LedgerLine, ReadOptions } from './types.ts';
import { windows1250 } from '../../test/fixtures/windows-1250.ts';

const dir = mkdtempSync(join(tmpdir(), 'kamerton-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileNumber = 0;
function write(content: string | Uint8Array, extension = 'csv'): string {
  const path = join(dir, `ledger${fileNumber++}.${extension}`);
  writeFileSync(path, content);
  return path;
}

const day = (y: number, m: number, d: number) => dayFromCivil(y, m, d);

/** Good lines to append so that a few bad lines stay under the 5% that stops a run. */
function goodLines(n: number, delimiter: string, fields: string[]): string {
  return Array.from({ length: n }, () => fields.join(delimiter)).join('\n') + '\n';
}

async function rejection(promise: Promise<unknown>): Promise<KamertonError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(KamertonError);
  return error as KamertonError;
}

async function allLines(path: string, options: ReadOptions = {}) {
  const lines: LedgerLine[] = [];
  const info = await readLedgerLines(path, options, (line) => lines.push(line));
  return { lines, info };
}

describe('readDailyLedger on delimited text', () => {
  it('detects each delimiter and reads the same rollup', async () => {
    const rows = [
      ['date', 'client', 'revenue', 'cost'],
      ['2024-01-02', 'C1', '100.50', '60'],
      ['2024-01-02', 'C1', '-20.00', '-10'],
      ['2024-01-03', 'C2', '7.25', ''],
    ];
    const builder = new DailyLedgerBuilder(true);
    builder.add('C1', null, day(2024, 1, 2), 10050, 4050);
    builder.add('C1', null, day(2024, 1, 2), -2000, -1000);
    builder.add('C2', null, day(2024, 1, 3), 725, 725);
    for (const delimiter of [';', ',', '\t'] as const) {
      const read = await readDailyLedger(write(rows.map((r) => r.join(delimiter)).join('\n') + '\n'));
      expect(read.delimiter).toBe(delimiter);
      expect(read.ledger).toEqual(builder.build());
      expect(read).toMatchObject({ format: 'csv', encoding: 'utf-8', decimal: '.', lines: 3, rejectedLines: 0, errors: [] });
      expect(read.columns).toEqual({ date: 'date', client: 'client', revenue: 'revenue', cost: 'cost' });
    }
  });

  it('reads Polish numbers with decimal commas, grouping spaces and złote in a semicolon file, CRLF', async () => {
    const text = 'Data;Klient;Wartość netto;Marża\r\n01.02.2024;K1;"1 234,56 zł";12,5\r\n02.02.2024;K1;1\u00a0000,00;-3,25\r\n';
    const read = await readDailyLedger(write(text));
    expect(read.decimal).toBe(',');
    expect(read.ledger.hasMargin).toBe(true);
    expect(Array.from(read.ledger.revenue)).toEqual([123456, 100000]);
    expect(Array.from(read.ledger.margin)).toEqual([1250, -325]);
    expect(Array.from(read.ledger.days)).toEqual([day(2024, 2, 1), day(2024, 2, 2)]);
  });

  it('stops with an error asking for --decimal when the amounts cannot tell the separator', async () => {
    const error = await rejection(readDailyLedger(write('date;client;revenue\n2024-01-01;A;1,234\n2024-01-02;B;2,500\n')));
    expect(error.code).toBe('invalid-input');
    expect(error.message).toContain('--decimal');
    const read = await readDailyLedger(write('date;client;revenue\n2024-01-01;A;1,234\n'), { decimal: ',' });
    expect(Array.from(read.ledger.revenue)).toEqual([123]);
  });

  it('reads UTF-8 with and without a BOM and Windows-1250, with Polish headers and names', async () => {
    const text = 'Kontrahent;Data sprzedaży;Wartość netto;Nazwa kontrahenta\n' +
      'ŻAK;2024-03-01;10,00;Hurtownia Żółć Łąka\nśląsk;2024-03-02;5,00;Śląskie Źródła\n';
    const expected = new DailyLedgerBuilder(false);
    expected.add('ŻAK', 'Hurtownia Żółć Łąka', day(2024, 3, 1), 1000, 0);
    expected.add('śląsk', 'Śląskie Źródła', day(2024, 3, 2), 500, 0);
    const files = [
      { bytes: Buffer.from(text, 'utf8'), encoding: 'utf-8' },
      { bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]), encoding: 'utf-8' },
      { bytes: windows1250(text), encoding: 'windows-1250' },
    ];
    for (const file of files) {
      const read = await readDailyLedger(write(file.bytes));
      expect(read.encoding).toBe(file.encoding);
      expect(read.columns).toEqual({ client: 'Kontrahent', date: 'Data sprzedaży', revenue: 'Wartość netto', clientName: 'Nazwa kontrahenta' });
      expect(read.ledger).toEqual(expected.build());
    }
  });

  it('names the line when a file read as UTF-8 turns out not to be UTF-8 after its first megabyte', async () => {
    const header = 'date,client,revenue\n';
    const filler = '2024-01-01,C0000001,12.34\n'.repeat(45_000);
    const bad = Buffer.concat([Buffer.from(header + filler), windows1250('2024-01-02,Łódź,1.00\n'), Buffer.from(filler)]);
    expect(bad.length).toBeGreaterThan(1024 * 1024 * 2);
    const path = write(bad);
    for (const workers of [1, 2]) {
      const error = await rejection(readDailyLedger(path, { workers }));
      expect(error.details).toMatchObject({ file: path, line: 45_002 });
      expect(error.message).toContain('--encoding windows-1250');
    }
    const read = await readDailyLedger(path, { encoding: 'windows-1250' });
    expect(read.ledger.clients).toEqual(['C0000001', 'Łódź']);
  });

  it('reads whitespace-separated text like the CDNOW log: leading blanks, runs of spaces, CRLF', async () => {
    const text = 'customer_id  date number_of_cds  dollar_value\r\n' +
      ' 00001  19970101  1  11.77\r\n 00002  19970112  1  12.00\r\n\r\n 00002  19970112  5  77.00\r\n';
    const read = await readDailyLedger(write(text, 'txt'), { delimiter: 'whitespace', map: { revenue: 'dollar_value' } });
    expect(read.delimiter).toBe('whitespace');
    expect(read.lines).toBe(3);
    expect(read.ledger.clients).toEqual(['00001', '00002']);
    expect(Array.from(read.ledger.revenue)).toEqual([1177, 8900]);
    expect(Array.from(read.ledger.lines)).toEqual([1, 2]);
  });

  it('reads the real CDNOW master log', async () => {
    const path = join(import.meta.dirname, '../../../shared/datasets/cdnow/CDNOW_master.txt');
    const read = await readDailyLedger(path, { delimiter: 'whitespace', map: { revenue: 'dollar_value' } });
    expect(read.lines).toBe(69_659);
    expect(read.rejectedLines).toBe(0);
    expect(read.ledger.clients.length).toBe(23_570);
    let lines = 0;
    for (const n of read.ledger.lines) lines += n;
    expect(lines).toBe(69_659);
  });

  it('reads a file without a header by column numbers, numbering its lines from 1', async () => {
    const text = 'x;A1;2024-05-01;q;10.00\nx;A2;2024-05-02;q;oops\n' + goodLines(40, ';', ['x', 'A1', '2024-05-01', 'q', '1']);
    const read = await readDailyLedger(write(text), { header: false, map: { client: 2, date: 3, revenue: 5 } });
    expect(read.ledger.clients).toEqual(['A1']);
    expect(read.columns).toEqual({ client: 'column 2', date: 'column 3', revenue: 'column 5' });
    expect(read.errors).toEqual([{ line: 2, column: 'column 5', value: 'oops', message: expect.stringContaining('amount') }]);
  });

  it('reports every kind of bad line with its physical line, column and value, and goes on', async () => {
    const rows = [
      'date;client;revenue;cost;client name',
      '2024-01-05;A;10,00;5,00;"Firma\nA"', // lines 2-3: a quoted line break
      '',
      '2024-02-30;A;10,00;5,00;x', // 5: impossible date
      ';A;10,00;5,00;x', // 6: empty date
      '2024-01-06; ;10,00;5,00;x', // 7: empty client
      '2024-01-06;A;;5,00;x', // 8: empty revenue
      '2024-01-06;A;12.5.1;5,00;x', // 9: unreadable revenue
      '2024-01-06;A;10,00;abc;x', // 10: unreadable cost
      '2024-01-06;A;10,00', // 11: too few fields
      '2024-01-07;B;1,00;;', // 12: good, empty cost is zero cost
      '2024-01-08;B;2,00;1,00;"unterminated', // 13: a quote left open to the end
      'more',
    ];
    // 200 good lines after line 12 keep the bad ones under 5%; the unterminated quote comes last.
    const good = Array.from({ length: 200 }, (_, i) => `2024-03-01;G${i};1,00;;`);
    const goodPath = write([...rows.slice(0, 11), ...good, ...rows.slice(11)].join('\n'));
    const read = await readDailyLedger(goodPath, { decimal: ',' });
    expect(read.errors).toEqual([
      { line: 5, column: 'date', value: '2024-02-30', message: expect.stringContaining('not a valid date') },
      { line: 6, column: 'date', value: '', message: 'empty date' },
      { line: 7, column: 'client', value: ' ', message: 'empty client' },
      { line: 8, column: 'revenue', value: '', message: 'empty revenue' },
      { line: 9, column: 'revenue', value: '12.5.1', message: expect.stringContaining('not a readable amount') },
      { line: 10, column: 'cost', value: 'abc', message: expect.stringContaining('not a readable amount') },
      { line: 11, column: null, value: null, message: 'expected 5 fields, found 3' },
      { line: 213, column: null, value: null, message: expect.stringContaining('not closed') },
    ]);
    expect(read.rejectedLines).toBe(8);
    expect(read.lines).toBe(210);
    expect(read.ledger.names[read.ledger.clients.indexOf('A')]).toBe('Firma\nA');
    const b = read.ledger.clients.indexOf('B');
    expect(read.ledger.margin[read.ledger.offsets[b]!]).toBe(100);
  });

  it('stops at the first bad line in strict mode, naming file, line, column and value', async () => {
    const path = write('date,client,revenue\n2024-01-01,A,1\n2024-01-02,B,x\n2024-01-03,C,y\n');
    for (const workers of [1, 2]) {
      const error = await rejection(readDailyLedger(path, { strict: true, workers }));
      expect(error.details).toMatchObject({ file: path, line: 3, column: 'revenue', value: 'x' });
    }
  });

  it('stops when more than 5% of the lines are bad, and goes on at exactly 5%', async () => {
    const good = (n: number) => Array.from({ length: n }, (_, i) => `2024-01-01,C${i},1.00`);
    const at5 = write(['date,client,revenue', ...good(19), '2024-01-01,X,bad'].join('\n'));
    expect((await readDailyLedger(at5)).rejectedLines).toBe(1);
    const over5 = write(['date,client,revenue', ...good(18), '2024-01-01,X,bad', '2024-01-01,Y,bad'].join('\n'));
    const error = await rejection(readDailyLedger(over5));
    expect(error.message).toContain('mapped wrong');
  });

  it('reads a header-only file as an empty ledger and stops on an empty file', async () => {
    const read = await readDailyLedger(write('date;client;revenue\r\n'));
    expect(read).toMatchObject({ lines: 0, rejectedLines: 0 });
    expect(read.ledger.clients).toEqual([]);
    const error = await rejection(readDailyLedger(write('')));
    expect(error.message).toContain('the file is empty');
  });

  it('calls onProgress with the bytes read, ending with the whole file', async () => {
    const path = write('date,client,revenue\n2024-01-01,A,1\n');
    const calls: [number, number | null][] = [];
    await readDailyLedger(path, { onProgress: (done, total) => calls.push([done, total]) });
    const size = statSync(path).size;
    expect(calls.at(-1)).toEqual([size, size]);
  });
});

describe('readDailyLedger on an XLSX workbook', () => {
  it('hands a .xlsx file to the XLSX reader', async () => {
    const ExcelJS = (await import('exceljs')).default;
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Sprzedaż');
    sheet.addRow(['Data', 'Klient', 'Wartość netto']);
    sheet.addRow([new Date(Date.UTC(2024, 0, 15)), 'K1', 12.5]);
    const path = join(dir, 'ledger.xlsx');
    await workbook.xlsx.writeFile(path);
    const read = await readDailyLedger(path);
    expect(read.format).toBe('xlsx');
    expect(read.ledger.clients).toEqual(['K1']);
    expect(Array.from(read.ledger.revenue)).toEqual([1250]);
  });
});

describe('readDailyLedger on several worker threads', () => {
  function randomLedger(lines: number, seed: number): string {
    let x = seed;
    const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const out = ['Data;Kontrahent;Wartość;Koszt;Nazwa kontrahenta'];
    for (let i = 0; i < lines; i++) {
      const r = next();
      const client = `K${Math.floor(next() * 50)}`;
      const d = `${String(1 + Math.floor(next() * 28)).padStart(2, '0')}.0${1 + Math.floor(next() * 9)}.2024`;
      const name = next() < 0.3 ? `"Firma ${client}; ""${i}"""` : '';
      if (r < 0.02) out.push(`${d};${client};zła kwota;1,00;${name}`);
      else if (r < 0.03) out.push(`31.02.2024;${client};1,00;;${name}`);
      else if (r < 0.04) out.push('');
      else out.push(`${d};${client};${(next() * 2000 - 200).toFixed(2).replace('.', ',')};${(next() * 100).toFixed(2).replace('.', ',')};${name}`);
    }
    return out.join(next() < 0.5 ? '\n' : '\r\n') + '\n';
  }

  it('gives the same rollup, counts and errors with 2 and 3 workers as in one thread', async () => {
    for (const seed of [1, 2, 3]) {
      const path = write(randomLedger(3000, seed));
      const single = await readDailyLedger(path, { workers: 1 });
      expect(single.rejectedLines).toBeGreaterThan(0);
      for (const workers of [2, 3]) {
        expect(await readDailyLedger(path, { workers })).toEqual(single);
      }
    }
  });

  it('reads Windows-1250 in parallel, up to a last line without a line feed', async () => {
    const rows = ['Kontrahent;Data sprzedaży;Wartość netto;Nazwa kontrahenta'];
    for (let i = 0; i < 500; i++) rows.push(`Ż${i % 7};2024-02-${String(1 + (i % 28)).padStart(2, '0')};${i},50;${i % 5 === 0 ? 'Łąka' : ''}`);
    const path = write(windows1250(rows.join('\r\n')));
    const single = await readDailyLedger(path, { workers: 1 });
    expect(single.encoding).toBe('windows-1250');
    expect(single.lines).toBe(500);
    expect(single.ledger.names).toContain('Łąka');
    expect(await readDailyLedger(path, { workers: 3 })).toEqual(single);
  });

  it('reads again in one pass when a split point falls inside a quoted field with line breaks', async () => {
    const long = Array.from({ length: 400 }, (_, i) => `line ${i} of a long note`).join('\n');
    const text = `date;client;revenue;client name\n2024-01-01;A;1,00;x\n2024-01-02;B;2,00;"${long}"\n2024-01-03;C;bad;\n` +
      goodLines(40, ';', ['2024-01-04', 'D', '4,00', 'd']);
    const path = write(text);
    // The middle of the file is inside the quoted note: the first chunk ends inside quotes.
    const fd = openSync(path, 'r');
    try {
      const layout = detectLayout(path, readFileSync(path), true, {});
      const bounds = splitAtLines(fd, layout.dataStart, statSync(path).size, 2);
      expect(readDailyChunk(fd, bounds[0]!, bounds[1]!, layout).endedInQuotes).toBe(true);
    } finally {
      closeSync(fd);
    }
    const parallel = await readDailyLedger(path, { workers: 2 });
    expect(parallel).toEqual(await readDailyLedger(path, { workers: 1 }));
    expect(parallel.ledger.clients).toEqual(['A', 'B', 'D']);
    expect(parallel.errors).toEqual([{ line: 403, column: 'revenue', value: 'bad', message: expect.any(String) }]);
  });
});

describe('readLedgerLines', () => {
  it('accepts and rejects the same lines as readDailyLedger, whose rollup its lines rebuild', async () => {
    let x = 7;
    const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const rows = ['date,client,revenue,margin,client name'];
    for (let i = 0; i < 2000; i++) {
      const revenue = next() < 0.02 ? '12,5' : (next() * 500 - 50).toFixed(2);
      const margin = next() < 0.01 ? 'x' : next() < 0.1 ? '' : (next() * 50).toFixed(2);
      rows.push(`2024-0${1 + Math.floor(next() * 9)}-1${Math.floor(next() * 10)},K${Math.floor(next() * 40)},"${revenue}",${margin},${next() < 0.2 ? 'Name' + i : ''}`);
    }
    const path = write(rows.join('\n'));
    const daily = await readDailyLedger(path);
    const { lines, info } = await allLines(path);
    const builder = new DailyLedgerBuilder(true);
    for (const line of lines) builder.add(line.client, line.clientName, line.date, line.revenue, line.margin ?? 0);
    expect(daily.ledger).toEqual(builder.build());
    expect(info.errors).toEqual(daily.errors);
    expect(info.lines).toBe(daily.lines);
    expect(daily.rejectedLines).toBeGreaterThan(0);
  });

  it('gives every field of each good line, in file order, and rejects bad optional fields', async () => {
    const text = [
      'Data;Kontrahent;Nazwa kontrahenta;Towar;Grupa towarowa;Ilość;Wartość netto;Koszt zakupu;Nr dokumentu;Lp;Termin płatności;Data zapłaty',
      '2024-04-02;K1;Firma;T-1;Farby;2,5;100,00;60,00;FV/1/2024;1;2024-04-16;2024-04-20',
      '2024-04-02;K1;;;;;-10,00;;FV/2/2024;;;',
      '2024-04-03;K2;;;;dużo;1,00;;;;;',
      '2024-04-03;K2;;;;;1,00;;;;2024-13-01;',
    ].join('\r\n') + '\r\n' + goodLines(40, ';', ['2024-04-05', 'K3', '', '', '', '', '1,00', '', '', '', '', '']);
    const { lines, info } = await allLines(write(text));
    expect(lines.length).toBe(42);
    expect(lines.slice(0, 2)).toEqual([
      {
        line: 2, date: day(2024, 4, 2), client: 'K1', clientName: 'Firma', revenue: 10000, cost: 6000, margin: 4000, quantity: 2.5,
        product: 'T-1', group: 'Farby', document: 'FV/1/2024', documentLine: '1', dueDate: day(2024, 4, 16), paidDate: day(2024, 4, 20),
      },
      {
        line: 3, date: day(2024, 4, 2), client: 'K1', clientName: null, revenue: -1000, cost: 0, margin: -1000, quantity: null,
        product: null, group: null, document: 'FV/2/2024', documentLine: null, dueDate: null, paidDate: null,
      },
    ]);
    expect(info.errors).toEqual([
      { line: 4, column: 'Ilość', value: 'dużo', message: expect.stringContaining('quantity') },
      { line: 5, column: 'Termin płatności', value: '2024-13-01', message: expect.stringContaining('date') },
    ]);
    expect(info).toMatchObject({ lines: 44, rejectedLines: 2, delimiter: ';', decimal: ',' });
  });

  it('stops at the first bad line in strict mode', async () => {
    const seen: LedgerLine[] = [];
    const path = write('date,client,revenue\n2024-01-01,A,1\n2024-01-02,,2\n2024-01-03,C,3\n');
    const error = await rejection(readLedgerLines(path, { strict: true }, (line) => seen.push(line)));
    expect(error.details).toMatchObject({ line: 3, column: 'client' });
    expect(seen.map((l) => l.client)).toEqual(['A']);
  });

  it('gives null cost and margin without those columns, and the margin column when there is one', async () => {
    const plain = await allLines(write('date,client,revenue\n2024-01-01,A,5\n'));
    expect(plain.lines[0]).toMatchObject({ cost: null, margin: null });
    const withMargin = await allLines(write('date,client,revenue,margin\n2024-01-01,A,5,2\n2024-01-01,A,5,\n'));
    expect(withMargin.lines.map((l) => [l.cost, l.margin])).toEqual([[null, 200], [null, 500]]);
  });
});
