/**
 * `kamerton analyze` end to end: the real command line run as a child process on small ledgers
 * written to the temporary folder and on the real CDNOW log, its JSON validated against the published
 * schema, plus in-process checks of the pieces a child process cannot reach (the progress bar on a
 * terminal, the chunked JSON writer).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import ExcelJS from 'exceljs';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisDocument } from '../src/app/analysis-document.ts';
import { jsonChunks, registerAnalyzeCommand, writeChunks } from '../src/cli/analyze.command.ts';
import { createProgressBar, renderProgress } from '../src/cli/progress.ts';
import { kamerton, repo } from './fixtures/cli.ts';

const cdnowDir = join(repo, '..', 'shared', 'datasets', 'cdnow');
const cdnowMaster = join(cdnowDir, 'CDNOW_master.txt');
const cdnowSample = join(cdnowDir, 'CDNOW_sample.txt');


function validator() {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  const schema: unknown = JSON.parse(readFileSync(join(repo, 'docs', 'analysis-result.schema.json'), 'utf8'));
  return ajv.compile(schema as object);
}

function expectValid(doc: unknown): void {
  const validate = validator();
  const ok = validate(doc);
  expect(validate.errors ?? [], 'schema errors').toEqual([]);
  expect(ok).toBe(true);
}

let dir: string;
/** The Polish fixture: `;`, decimal commas, DD.MM.YYYY dates, a cost column and one impossible date. */
let plLedger: string;
let badLineNumber: number;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kamerton-cli-'));
  // Worked by hand: revenue K001 6,000 (12 lines), K002 1,800, K003 600, K004 400; total 8,800, cost
  // 60% everywhere, so margin 40% (3,520). ABC 80/95: K001 A (nothing before it), K002 A (6,000 /
  // 8,800 = 68.2% before), K003 B (88.6% before), K004 C (95.5% before). Months January to June 2024:
  // K001 and K002 buy in all six (X), K003 in three (50%: Y), K004 in one (Z). Key: the AX clients
  // K001 and K002, 7,800 / 8,800 = 88.6% of revenue (above the band), both breadwinners (68.2% and
  // 20.5% of the margin). The as-of date is the last line, 2024-06-20.
  const rows: string[][] = [];
  for (let m = 1; m <= 6; m++) {
    const mm = String(m).padStart(2, '0');
    rows.push([`05.${mm}.2024`, 'K001', 'Hurtownia Alfa', '500,00', '300,00']);
    rows.push([`10.${mm}.2024`, 'K002', 'Beta sp. z o.o.', '300,00', '180,00']);
    if (m % 2 === 1) rows.push([`15.${mm}.2024`, 'K003', '=1+1', '200,00', '120,00']);
    if (m === 1) rows.push([`10.01.2024`, 'K004', 'Delta', '400,00', '240,00']);
    if (m === 2) rows.push(['30.02.2024', 'K005', 'Echo', '100,00', '60,00']);
    rows.push([`20.${mm}.2024`, 'K001', 'Hurtownia Alfa', '500,00', '300,00']);
  }
  badLineNumber = rows.findIndex((r) => r[0] === '30.02.2024') + 2;
  plLedger = join(dir, 'sprzedaz.csv');
  writeFileSync(plLedger, `Data;Kontrahent;Nazwa kontrahenta;Wartość netto;Koszt\r\n${rows.map((r) => r.join(';')).join('\r\n')}\r\n`);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('kamerton analyze on a small Polish ledger', () => {
  it('prints a JSON document that the published schema accepts, with the hand-worked answers', async () => {
    const run = await kamerton(['analyze', plLedger, '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as AnalysisDocument;
    expectValid(doc);
    expect(doc.window).toEqual({ from: '2024-01-01', to: '2024-06-30', period: 'month', periods: 6, asOf: '2024-06-20' });
    expect(doc.totals).toEqual({ lines: 23, rejectedLines: 1, linesOutsideWindow: 0, clients: 4, revenue: 8800, margin: 3520 });
    expect(doc.errors).toHaveLength(1);
    expect(doc.errors[0]).toMatchObject({ line: badLineNumber, column: 'Data', value: '30.02.2024' });
    expect(doc.clients.map((c) => [c.client, c.segment, c.activePeriods])).toEqual([
      ['K001', 'AX', 6],
      ['K002', 'AX', 6],
      ['K003', 'BY', 3],
      ['K004', 'CZ', 1],
    ]);
    expect(doc.clients[0]?.name).toBe('Hurtownia Alfa');
    expect(doc.clients[1]?.types).toContain('breadwinner');
    expect(doc.matrix.AX).toMatchObject({ clients: 2, revenue: 7800, margin: 3120 });
    expect(doc.matrix.AX.revenueShare).toBeCloseTo(7800 / 8800, 12);
    expect(doc.keyClients).toMatchObject({ count: 2, band: 'above' });
    expect(doc.keyClients.revenueShare).toBeCloseTo(7800 / 8800, 12);
  });

  it('passes the window flags to the analysis: --from, --as-of, --period and --xyz-mode', async () => {
    const monthly = await kamerton(['analyze', plLedger, '--format', 'json', '--from', '2024-02-15', '--as-of', '2024-05-31']);
    expect(monthly.code).toBe(0);
    const m = JSON.parse(monthly.stdout) as AnalysisDocument;
    expectValid(m);
    expect(m.window).toEqual({ from: '2024-02-01', to: '2024-05-31', period: 'month', periods: 4, asOf: '2024-05-31' });
    // January's five lines and June's three fall outside; K004 bought only in January.
    expect(m.totals).toMatchObject({ linesOutsideWindow: 8, clients: 3, revenue: 4000 + 1200 + 400 });

    const quarterly = await kamerton(['analyze', plLedger, '--format', 'json', '--period', 'quarter', '--xyz-mode', 'cv', '--as-of', '2024-03-31']);
    expect(quarterly.code).toBe(0);
    const q = JSON.parse(quarterly.stdout) as AnalysisDocument;
    expectValid(q);
    expect(q.window).toEqual({ from: '2024-01-01', to: '2024-03-31', period: 'quarter', periods: 1, asOf: '2024-03-31' });
    expect(q.totals.linesOutsideWindow).toBe(10);
    // One period: every client's revenue per period is constant, so its cv is 0 and it is X. K003
    // (January and March) and K004 (January) both have 400 by then: the tie goes by client code.
    expect(q.clients.map((c) => [c.client, c.revenue, c.cv, c.xyz])).toEqual([
      ['K001', 3000, 0, 'X'],
      ['K002', 900, 0, 'X'],
      ['K003', 400, 0, 'X'],
      ['K004', 400, 0, 'X'],
    ]);
  });

  it('reads an XLSX ledger from the sheet named with --sheet', async () => {
    const file = join(dir, 'sprzedaz.xlsx');
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Notes').addRow(['not the ledger']);
    const sheet = workbook.addWorksheet('Sprzedaz');
    sheet.addRow(['Data', 'Kontrahent', 'Wartość netto']);
    sheet.addRow([new Date(Date.UTC(2024, 0, 5)), 'K1', 1000]);
    sheet.addRow([new Date(Date.UTC(2024, 1, 5)), 'K2', 250.5]);
    sheet.addRow([new Date(Date.UTC(2024, 1, 6)), 'K1', 99.5]);
    await workbook.xlsx.writeFile(file);
    const run = await kamerton(['analyze', file, '--sheet', 'Sprzedaz', '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as AnalysisDocument;
    expectValid(doc);
    expect(doc.window).toMatchObject({ from: '2024-01-01', to: '2024-02-29', periods: 2, asOf: '2024-02-06' });
    expect(doc.totals).toMatchObject({ lines: 3, rejectedLines: 0, clients: 2, revenue: 1350, margin: null });
    expect(doc.clients.map((c) => [c.client, c.revenue])).toEqual([['K1', 1099.5], ['K2', 250.5]]);
  });

  it('publishes a strict schema: it rejects an unknown field, a share in percent and a missing cell', async () => {
    const run = await kamerton(['analyze', plLedger, '--format', 'json']);
    const doc = JSON.parse(run.stdout) as AnalysisDocument;
    const validate = validator();
    expect(validate(doc)).toBe(true);
    expect(validate({ ...doc, extra: 1 })).toBe(false);
    expect(validate({ ...doc, clients: doc.clients.map((c, i) => (i === 0 ? { ...c, share: 68.2 } : c)) })).toBe(false);
    const { AX: _dropped, ...eight } = doc.matrix;
    expect(validate({ ...doc, matrix: eight })).toBe(false);
    expect(validate({ ...doc, keyClients: { ...doc.keyClients, band: 'inside' } })).toBe(false);
    expect(validate({ ...doc, window: { ...doc.window, asOf: '20.06.2024' } })).toBe(false);
  });

  it('prints the same bytes on every run', async () => {
    const [a, b] = await Promise.all([
      kamerton(['analyze', plLedger, '--format', 'json']),
      kamerton(['analyze', plLedger, '--format', 'json']),
    ]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
  });

  it('prints a readable summary with the window, the rejected line, the matrix, the key and the lost clients', async () => {
    const run = await kamerton(['analyze', plLedger, '--lost-days', '150']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const text = run.stdout;
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
    expect(text).toContain('2024-01-01 .. 2024-06-30: 6 months, as of 2024-06-20 (the last month is partial)');
    expect(text).toContain('23 read, 1 rejected, 0 outside the window');
    expect(text).toContain(`line ${badLineNumber}, column "Data", value "30.02.2024"`);
    expect(text).toContain('Clients   4; revenue 8,800.00; margin 3,520.00');
    expect(text).toMatch(/ABC-XYZ matrix/);
    // Row A: two clients in AX with 88.6% of revenue and of margin, none in AY or AZ.
    expect(text).toMatch(/^ {2}A +2 +88\.6% +88\.6% +0 +0\.0% +0\.0% +0 +0\.0% +0\.0%$/m);
    expect(text).toContain('Key clients: 2 of 4 clients, 88.6% of revenue, 88.6% of margin');
    expect(text).toContain('above the 30-55% band');
    expect(text).toMatch(/^ +1 +K001 +Hurtownia Alfa +AX +6,000\.00 +68\.2% +segment, breadwinner/m);
    expect(text).toMatch(/^ +2 +K002 +Beta sp\. z o\.o\. +AX +1,800\.00 +20\.5% +segment, breadwinner$/m);
    // K004 last bought on 2024-01-10, 162 days before the as-of date: lost with --lost-days 150.
    expect(text).toMatch(/Lost clients, the top 1 of 1 by revenue/);
    expect(text).toMatch(/K004 +Delta +CZ +400\.00 +2024-01-10 +162/);
  });

  it('writes the clients table as CSV in the input convention, with formulas neutralised', async () => {
    const out = join(dir, 'klienci.csv');
    const run = await kamerton(['analyze', plLedger, '--out', out]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`wrote ${out}`);
    const csv = readFileSync(out, 'utf8');
    expect(csv.startsWith('\uFEFFclient;name;revenue;')).toBe(true);
    expect(csv).toContain('K001;Hurtownia Alfa;6000,00;2400,00;');
    expect(csv).toContain("K003;'=1+1;600,00;");

    const en = join(dir, 'clients-en.csv');
    expect((await kamerton(['analyze', plLedger, '--out', en, '--out-style', 'en'])).code).toBe(0);
    expect(readFileSync(en, 'utf8')).toContain('K001,Hurtownia Alfa,6000.00,2400.00,');
  });

  it('writes an XLSX workbook that holds the clients', async () => {
    const out = join(dir, 'raport.xlsx');
    const run = await kamerton(['analyze', plLedger, '--out', out, '--format', 'json']);
    expect(run.code).toBe(0);
    expectValid(JSON.parse(run.stdout));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(out);
    expect(workbook.worksheets.length).toBeGreaterThanOrEqual(4);
    expect(workbook.worksheets[0]?.name).toBe('Summary');
    const texts: string[] = [];
    workbook.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((cell) => texts.push(String(cell.value)))));
    for (const client of ['K001', 'K002', 'K003', 'K004']) expect(texts).toContain(client);
  });

  it('turns a bad line into an error naming its line and column with --strict, exit code 2, and writes no report', async () => {
    const out = join(dir, 'strict.csv');
    const run = await kamerton(['analyze', plLedger, '--strict', '--out', out]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`line ${badLineNumber}`);
    expect(run.stderr).toContain('Data');
    expect(run.stderr).toContain('30.02.2024');
    expect(existsSync(out)).toBe(false);
  });

  it('stops with exit code 2 and lists the headers found when a required column is missing', async () => {
    const file = join(dir, 'no-revenue.csv');
    writeFileSync(file, 'Data;Klient;Kwota\n2024-01-05;K1;100\n2024-01-06;K2;200\n');
    const run = await kamerton(['analyze', file]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Kwota');
    expect(run.stderr).toContain('Klient');
    expect(run.stderr).toContain('revenue');
  });

  it('names the file when it has a header and no data lines, with exit code 2', async () => {
    const file = join(dir, 'header-only.csv');
    writeFileSync(file, 'Data;Klient;Wartość netto\n');
    const run = await kamerton(['analyze', file]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`${file}: the ledger has no data lines`);
  });

  it('reads a headerless whitespace file with columns given by number (the CDNOW sample)', async () => {
    const run = await kamerton([
      'analyze', cdnowSample, '--no-header', '--delimiter', 'whitespace',
      '--map', 'client=1,date=3,quantity=4,revenue=5', '--format', 'json',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as AnalysisDocument;
    expectValid(doc);
    expect(doc.totals).toMatchObject({ lines: 6919, rejectedLines: 0, clients: 2357, margin: null });
  });
});

describe('kamerton command-line arguments', () => {
  it('lists every flag with its default in --help', async () => {
    const run = await kamerton(['analyze', '--help']);
    expect(run.code).toBe(0);
    // Commander wraps the descriptions to the terminal's width; compare with the wrapping undone.
    const help = run.stdout.replace(/\s+/g, ' ');
    const flags = [
      '--sheet', '--delimiter', '--encoding', '--no-header', '--map', '--decimal', '--date-format', '--strict', '--workers',
      '--period', '--as-of', '--from', '--metric', '--abc', '--xyz-mode', '--xyz-freq', '--xyz ', '--breadwinner',
      '--key-segments', '--lost-days', '--format', '--out ', '--out-style',
    ];
    for (const flag of flags) expect(help).toContain(flag);
    for (const shown of ['(default: "month")', '(default: 80,95)', '(default: 90,50)', '(default: 10,25)', '(default: 10)',
      '(default: AX,AY,BX)', '(default: 180)', '(default: "frequency")', '(default: "revenue")', '(default: "text")']) {
      expect(help).toContain(shown);
    }
  });

  it('prints the version from package.json', async () => {
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };
    const run = await kamerton(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(pkg.version);
  });

  const badFlags: [string, string][] = [
    ['--abc', '95,80'],
    ['--abc', '80'],
    ['--xyz-freq', '50,90'],
    ['--xyz', '25,10'],
    ['--period', 'year'],
    ['--as-of', '2024-02-30'],
    ['--from', '01.01.2024'],
    ['--delimiter', '|'],
    ['--encoding', 'latin1'],
    ['--decimal', 'x'],
    ['--date-format', 'MM/DD/YYYY'],
    ['--key-segments', 'AX,QQ'],
    ['--map', 'bogus=1'],
    ['--map', 'client=0'],
    ['--metric', 'profit'],
    ['--xyz-mode', 'stddev'],
    ['--breadwinner', '150'],
    ['--lost-days', '-5'],
    ['--workers', '0'],
    ['--format', 'xml'],
    ['--out-style', 'de'],
  ];
  it.each(badFlags)('rejects %s %s before reading the file, with a message naming the flag', async (flag, value) => {
    const stderr: string[] = [];
    const program = new Command('kamerton')
      .exitOverride()
      .configureOutput({ writeErr: (text) => stderr.push(text), writeOut: () => undefined });
    registerAnalyzeCommand(program);
    const parsing = program.parseAsync(['analyze', plLedger, `${flag}=${value}`], { from: 'user' });
    await expect(parsing).rejects.toBeInstanceOf(CommanderError);
    expect(stderr.join('')).toContain(flag);
  });

  it('exits with code 2 on a bad flag value, naming the flag', async () => {
    const run = await kamerton(['analyze', plLedger, '--abc', '95,80']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('--abc');
    expect(run.stderr).toContain('95,80');
  });

  it('rejects an unknown flag and a missing file argument with exit code 2', async () => {
    const unknown = await kamerton(['analyze', plLedger, '--frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--frobnicate');
    const missing = await kamerton(['analyze']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('file');
  });

  it('rejects --from after --as-of, an --out that is not .xlsx or .csv, and a file that does not exist', async () => {
    const window = await kamerton(['analyze', plLedger, '--from', '2024-05-01', '--as-of', '2024-04-01']);
    expect(window.code).toBe(2);
    expect(window.stderr).toContain('--from');

    const pdf = join(dir, 'report.pdf');
    const out = await kamerton(['analyze', plLedger, '--out', pdf]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--out');
    expect(existsSync(pdf)).toBe(false);

    const absent = join(dir, 'absent.csv');
    const run = await kamerton(['analyze', absent]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(absent);
  });

  it.runIf(process.platform === 'linux')('exits 1 with a message and a hint on an unexpected failure, the stack only with DEBUG', async () => {
    // procfs refuses new files even to root: a failure of the machine, not of the user's input.
    const run = await kamerton(['analyze', plLedger, '--out', '/proc/kamerton-report.csv']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('unexpected failure');
    expect(run.stderr).toContain('DEBUG=1');
    expect(run.stderr).not.toMatch(/^\s+at /m);
    const debug = await kamerton(['analyze', plLedger, '--out', '/proc/kamerton-report.csv'], { DEBUG: '1' });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/^\s+at /m);
  });
});

describe('large outputs', () => {
  let wide: string;
  beforeAll(() => {
    // 5,000 clients: a JSON document of a few megabytes, far more than a pipe holds.
    const lines = ['date,client,revenue'];
    for (let i = 0; i < 5000; i++) lines.push(`2024-0${1 + (i % 6)}-1${i % 10},C${String(i).padStart(5, '0')},${(i % 97) + 1}.${String(i % 100).padStart(2, '0')}`);
    wide = join(dir, 'wide.csv');
    writeFileSync(wide, `${lines.join('\n')}\n`);
  });

  it('writes the JSON in chunks that join to exactly JSON.stringify of the document', async () => {
    const run = await kamerton(['analyze', wide, '--format', 'json']);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as AnalysisDocument;
    expect(doc.clients).toHaveLength(5000);
    expectValid(doc);
    const chunks = [...jsonChunks(doc)];
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.join('')).toBe(`${JSON.stringify(doc)}\n`);
    expect(run.stdout).toBe(chunks.join(''));
  });

  it('stops quietly with exit code 0 when the reader of stdout goes away', async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [join(repo, 'bin', 'kamerton.js'), 'analyze', wide, '--format', 'json'], { cwd: repo });
      const err: Buffer[] = [];
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.stdout.once('data', () => child.stdout.destroy());
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr: Buffer.concat(err).toString('utf8') }));
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('waits for a slow stream to drain and rejects when it fails', async () => {
    const { Writable } = await import('node:stream');
    const received: string[] = [];
    const slow = new Writable({
      highWaterMark: 16,
      write(chunk: Buffer, _encoding, callback) {
        received.push(chunk.toString());
        setTimeout(callback, 1);
      },
    });
    await writeChunks(slow, ['a'.repeat(20), 'b'.repeat(20), 'c']);
    expect(received.join('')).toBe(`${'a'.repeat(20)}${'b'.repeat(20)}c`);

    const broken = new Writable({
      highWaterMark: 1,
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    await expect(writeChunks(broken, ['xx', 'yy', 'zz'])).rejects.toThrow('EPIPE');
  });
});

describe('progress bar', () => {
  it('draws percentage, bytes, rate and time left on a terminal, and clears itself', () => {
    const written: string[] = [];
    let clock = 0;
    const bar = createProgressBar(
      { isTTY: true, columns: 100, write: (t) => written.push(t) > 0 },
      { label: 'reading sales.csv', unit: 'bytes', now: () => clock },
    );
    bar.update(1024, 10 * 1024 * 1024);
    expect(written).toEqual([]); // nothing during the first moments
    clock = 2000;
    bar.update(5 * 1024 * 1024, 10 * 1024 * 1024);
    expect(written).toHaveLength(1);
    const line = written[0] ?? '';
    expect(line).toContain('50%');
    expect(line).toContain('5.0 MB of 10.0 MB');
    expect(line).toContain('2.5 MB/s');
    expect(line).toContain('ETA 2s');
    bar.update(6 * 1024 * 1024, 10 * 1024 * 1024); // too soon after the last redraw
    expect(written).toHaveLength(1);
    bar.finish();
    expect(written[1]).toBe('\r\x1b[K');
  });

  it('draws nothing when stderr is not a terminal', () => {
    const written: string[] = [];
    let clock = 0;
    const bar = createProgressBar({ isTTY: false, write: (t) => written.push(t) > 0 }, { label: 'x', unit: 'bytes', now: () => clock });
    clock = 5000;
    bar.update(10, 100);
    bar.finish();
    expect(written).toEqual([]);
  });

  it('shows rows and rate without a total, and fits a narrow terminal', () => {
    expect(renderProgress('reading a.xlsx', 'rows', 12345, null, 2, 80)).toBe('reading a.xlsx 12,345 rows  6,173 rows/s');
    expect(renderProgress('reading a.csv', 'bytes', 512, 1024, 1, 40).length).toBeLessThanOrEqual(40);
  });
});

/** The CDNOW log read straight from the file, with nothing of Kamerton's, for the end-to-end checks. */
function readCdnowDirectly() {
  const text = readFileSync(cdnowMaster, 'latin1');
  const rows = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = rows.shift()?.trim().split(/\s+/);
  expect(header).toEqual(['customer_id', 'date', 'number_of_cds', 'dollar_value']);
  const day = (yyyymmdd: string) =>
    Date.UTC(Number(yyyymmdd.slice(0, 4)), Number(yyyymmdd.slice(4, 6)) - 1, Number(yyyymmdd.slice(6, 8))) / 86_400_000;
  const clients = new Map<string, { cents: number; days: Set<number>; months: Set<string> }>();
  let totalCents = 0;
  let lastDay = -Infinity;
  for (const row of rows) {
    const [id = '', date = '', , dollars = ''] = row.trim().split(/\s+/);
    const [whole = '', fraction = ''] = dollars.split('.');
    expect(fraction.length).toBeLessThanOrEqual(2);
    const cents = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
    totalCents += cents;
    const d = day(date);
    lastDay = Math.max(lastDay, d);
    let c = clients.get(id);
    if (c === undefined) clients.set(id, (c = { cents: 0, days: new Set(), months: new Set() }));
    c.cents += cents;
    if (cents >= 0) {
      c.days.add(d);
      c.months.add(date.slice(0, 6));
    }
  }
  return { lines: rows.length, totalCents, lastDay, clients };
}

describe('the real CDNOW log end to end', () => {
  it('matches a direct computation from the raw file: totals, window, ranks, ABC, XYZ and activity', async () => {
    const run = await kamerton([
      'analyze', '../shared/datasets/cdnow/CDNOW_master.txt', '--delimiter', 'whitespace',
      '--map', 'revenue=dollar_value,client=customer_id', '--format', 'json',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as AnalysisDocument;
    expectValid(doc);

    const raw = readCdnowDirectly();
    expect(raw.lines).toBe(69_659);
    expect(raw.clients.size).toBe(23_570);
    expect(doc.window).toEqual({ from: '1997-01-01', to: '1998-06-30', period: 'month', periods: 18, asOf: '1998-06-30' });
    expect(doc.totals).toMatchObject({ lines: 69_659, rejectedLines: 0, linesOutsideWindow: 0, clients: 23_570, margin: null });
    expect(Math.round(doc.totals.revenue * 100)).toBe(raw.totalCents);
    expect(doc.errors).toEqual([]);

    // ABC by revenue, 80/95, decided on whole cents; ties by client in code-point order.
    const ranked = [...raw.clients.entries()].sort(([a, x], [b, y]) => y.cents - x.cents || (a < b ? -1 : a > b ? 1 : 0));
    expect(doc.clients.map((c) => c.client)).toEqual(ranked.map(([id]) => id));
    const positive = ranked.reduce((sum, [, c]) => sum + Math.max(0, c.cents), 0);
    let before = 0;
    const periods = 18;
    const sortedGaps = (days: number[]) => days.slice(1).map((d, i) => d - (days[i] ?? d)).sort((a, b) => a - b);
    const median = (xs: number[]) => {
      const mid = Math.floor(xs.length / 2);
      return xs.length % 2 === 1 ? (xs[mid] ?? 0) : ((xs[mid - 1] ?? 0) + (xs[mid] ?? 0)) / 2;
    };
    const counts = { active: 0, slipping: 0, lost: 0 };
    ranked.forEach(([id, c], i) => {
      const got = doc.clients[i];
      expect(got?.client).toBe(id);
      if (got === undefined) return;
      const abc = c.cents <= 0 ? 'C' : before * 100 < 80 * positive ? 'A' : before * 100 < 95 * positive ? 'B' : 'C';
      if (c.cents > 0) before += c.cents;
      const active = c.months.size;
      const xyz = active * 100 >= 90 * periods ? 'X' : active * 100 >= 50 * periods ? 'Y' : 'Z';
      const days = [...c.days].sort((a, b) => a - b);
      const last = days[days.length - 1] ?? -Infinity;
      const since = raw.lastDay - last;
      const activity =
        since > 180 ? 'lost' : days.length >= 3 && since > 2 * median(sortedGaps(days)) ? 'slipping' : 'active';
      counts[activity]++;
      expect({ client: id, cents: Math.round(got.revenue * 100), abc: got.abc, activePeriods: got.activePeriods, xyz: got.xyz,
        activity: got.activity, since: got.daysSinceLastPurchase })
        .toEqual({ client: id, cents: c.cents, abc, activePeriods: active, xyz, activity, since });
    });
    const byActivity = { active: 0, slipping: 0, lost: 0 };
    for (const c of doc.clients) byActivity[c.activity]++;
    expect(byActivity).toEqual(counts);
    const cells = Object.values(doc.matrix).reduce((sum, cell) => sum + cell.clients, 0);
    expect(cells).toBe(23_570);

    // One reading thread gives the same bytes as several.
    const single = await kamerton([
      'analyze', '../shared/datasets/cdnow/CDNOW_master.txt', '--delimiter', 'whitespace',
      '--map', 'revenue=dollar_value,client=customer_id', '--format', 'json', '--workers', '1',
    ]);
    expect(single.code).toBe(0);
    expect(single.stdout).toBe(run.stdout);
  });

  it('prints a summary of the CDNOW log within 100 columns', async () => {
    const run = await kamerton([
      'analyze', '../shared/datasets/cdnow/CDNOW_master.txt', '--delimiter', 'whitespace',
      '--map', 'revenue=dollar_value,client=customer_id',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    for (const line of run.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
    expect(run.stdout).toContain('1997-01-01 .. 1998-06-30: 18 months, as of 1998-06-30');
    expect(run.stdout).toContain('69,659 read, 0 rejected, 0 outside the window');
    expect(run.stdout).toContain('Clients   23,570; revenue ');
    expect(run.stdout).toMatch(/^Key clients: [\d,]+ of 23,570 clients/m);
    expect(run.stdout).toMatch(/^Lost clients, the top 10 of [\d,]+ by revenue$/m);
  });
});
