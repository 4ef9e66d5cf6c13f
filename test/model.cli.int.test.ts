/**
 * The customer-alive model on the command line, end to end: `kamerton analyze --model bgnbd` on a
 * small ledger made here (the document, its schema, the reports and the summary carry the model) and
 * `kamerton model-check` on the CDNOW sample of Fader, Hardie & Lee (2005), whose published
 * parameters and holdout it must reproduce.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import ExcelJS from 'exceljs';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisDocument } from '../src/app/analysis-document.ts';
import type { ModelCheck } from '../src/app/model-check.ts';
import { registerAnalyzeCommand } from '../src/cli/analyze.command.ts';
import { registerModelCheckCommand } from '../src/cli/model-check.command.ts';
import { isKamertonError } from '../src/core/errors.ts';
import { kamerton, repo, type Run } from './fixtures/cli.ts';

const cdnowSample = join(repo, '..', 'shared', 'datasets', 'cdnow', 'CDNOW_sample.txt');
const MODEL_FIELDS = ['repeatPurchases', 'pAlive', 'expectedPurchases', 'expectedRevenue'];

function validator() {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  const schema: unknown = JSON.parse(readFileSync(join(repo, 'docs', 'analysis-result.schema.json'), 'utf8'));
  return ajv.compile(schema as object);
}

let dir: string;
let ledger: string;
let lastDate: string;
/** Each client's distinct purchase days, as the ledger was written. */
const purchaseDays = new Map<string, Set<string>>();

/** mulberry32: a seeded generator, so that the ledger is the same on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kamerton-model-'));
  // 60 clients over 18 months, bought as BG/NBD supposes: each starts in the first four months and
  // buys at its own rate, with exponential gaps, until it drops out after a purchase with its own
  // probability; every tenth buys once. Three clients (L1-L3) start only in 2024. C07 buys twice on
  // each of its days (one purchase day each); R01 has only a return.
  const random = seeded(1);
  const start = Date.UTC(2023, 0, 2);
  const lines = ['date,client,revenue'];
  const buy = (client: string, day: number, amount: string) => {
    const date = new Date(start + day * 86_400_000).toISOString().slice(0, 10);
    lines.push(`${date},${client},${amount}`);
    const days = purchaseDays.get(client) ?? new Set<string>();
    purchaseDays.set(client, days.add(date));
  };
  for (let k = 1; k <= 60; k++) {
    const client = `C${String(k).padStart(2, '0')}`;
    const weeklyRate = 0.02 + random() * 0.4;
    const dropOut = 0.05 + random() * 0.5;
    let day = Math.floor(random() * 120);
    for (let first = true; day <= 545; first = false) {
      buy(client, day, `${50 + k * 7 + Math.floor(random() * 80)}.50`);
      if (k === 7) buy(client, day, '20.00');
      if (k % 10 === 0 || (!first && random() < dropOut)) break;
      day += Math.max(1, Math.ceil((-Math.log(1 - random()) / weeklyRate) * 7));
    }
  }
  for (const [i, day] of [380, 420, 500].entries()) {
    buy(`L${i + 1}`, day, '300.00');
    buy(`L${i + 1}`, day + 20, '150.00');
  }
  lines.push('2024-03-01,R01,-50.00');
  lastDate = lines.slice(1).map((l) => l.slice(0, 10)).sort().at(-1) ?? '';
  ledger = join(dir, 'ledger.csv');
  writeFileSync(ledger, `${lines.join('\n')}\n`);
});

/** The runs several tests read, each made once: a child process costs a second or two. */
const runs = new Map<string, Promise<Run>>();
function kamertonOnce(args: string[]): Promise<Run> {
  const key = args.join('\0');
  let run = runs.get(key);
  if (run === undefined) runs.set(key, (run = kamerton(args)));
  return run;
}

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('kamerton analyze --model bgnbd', () => {
  it('adds the model after keyClients and its four fields to every client, valid against the schema', async () => {
    const run = await kamertonOnce(['analyze', ledger, '--model', 'bgnbd', '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as AnalysisDocument;
    const validate = validator();
    expect(validate.errors ?? []).toEqual([]);
    expect(validate(doc)).toBe(true);
    expect(Object.keys(doc)).toEqual(['window', 'totals', 'matrix', 'keyClients', 'model', 'clients', 'errors']);
    // The chunked writer prints the document as JSON.stringify would, in this key order.
    expect(run.stdout).toBe(`${JSON.stringify(doc)}\n`);
    const model = doc.model;
    expect(model).toMatchObject({ name: 'bgnbd', timeUnit: 'week', horizon: 52, clients: 63, converged: true });
    for (const value of Object.values(model?.params ?? {})) expect(value).toBeGreaterThan(0);
    expect(Number.isFinite(model?.logLikelihood)).toBe(true);
    for (const c of doc.clients) {
      expect(Object.keys(c).slice(-4)).toEqual(MODEL_FIELDS);
      if (c.client === 'R01') {
        // Only a return: no purchase day to count from, so the model says nothing of it.
        expect([c.repeatPurchases, c.pAlive, c.expectedPurchases, c.expectedRevenue]).toEqual([null, null, null, null]);
        continue;
      }
      expect(c.repeatPurchases).toBe((purchaseDays.get(c.client)?.size ?? 0) - 1);
      expect(c.pAlive).toBeGreaterThanOrEqual(0);
      expect(c.pAlive).toBeLessThanOrEqual(1);
      expect(c.expectedPurchases).toBeGreaterThanOrEqual(0);
      if (model?.spend !== null) expect(c.expectedRevenue).toBeGreaterThanOrEqual(0);
    }
    // BG/NBD lets a client drop out only right after a purchase, so one who never came back is
    // alive for sure (FHL 2005); one with repeat purchases and a long silence since is not.
    const byClient = new Map(doc.clients.map((c) => [c.client, c]));
    expect(byClient.get('C10')).toMatchObject({ repeatPurchases: 0, pAlive: 1 });
    expect(byClient.get('C07')?.repeatPurchases).toBe((purchaseDays.get('C07')?.size ?? 0) - 1);
    expect(doc.clients.some((c) => (c.repeatPurchases ?? 0) > 0 && (c.pAlive ?? 1) < 0.5)).toBe(true);
  });

  it('takes the time unit and the horizon, and leaves the document unchanged without --model', async () => {
    const [days, short, longRun, plain] = await Promise.all([
      kamerton(['analyze', ledger, '--model', 'bgnbd', '--time-unit', 'day', '--format', 'json']),
      kamerton(['analyze', ledger, '--model', 'bgnbd', '--horizon', '4', '--format', 'json']),
      kamertonOnce(['analyze', ledger, '--model', 'bgnbd', '--format', 'json']),
      kamertonOnce(['analyze', ledger, '--format', 'json']),
    ]);
    expect(days.code).toBe(0);
    expect((JSON.parse(days.stdout) as AnalysisDocument).model).toMatchObject({ timeUnit: 'day', horizon: 365 });
    expect(short.code).toBe(0);
    const shortDoc = JSON.parse(short.stdout) as AnalysisDocument;
    expect(shortDoc.model).toMatchObject({ timeUnit: 'week', horizon: 4 });
    const long = JSON.parse(longRun.stdout) as AnalysisDocument;
    // The same fit; four weeks hold fewer expected purchases than 52.
    expect(shortDoc.model?.params).toEqual(long.model?.params);
    const sum = (d: AnalysisDocument) => d.clients.reduce((s, c) => s + (c.expectedPurchases ?? 0), 0);
    expect(sum(shortDoc)).toBeLessThan(sum(long));

    const doc = JSON.parse(plain.stdout) as AnalysisDocument;
    expect(doc).not.toHaveProperty('model');
    for (const field of MODEL_FIELDS) expect(doc.clients[0]).not.toHaveProperty(field);
    expect(validator()(doc)).toBe(true);
  });

  it('publishes a schema that holds the model fields together with the model', async () => {
    const withModel = JSON.parse((await kamertonOnce(['analyze', ledger, '--model', 'bgnbd', '--format', 'json'])).stdout) as AnalysisDocument;
    const without = JSON.parse((await kamertonOnce(['analyze', ledger, '--format', 'json'])).stdout) as AnalysisDocument;
    const validate = validator();
    expect(validate(withModel)).toBe(true);
    // A model without the clients' fields, the fields without a model, a probability above 1, an unknown model.
    expect(validate({ ...withModel, clients: without.clients })).toBe(false);
    expect(validate({ ...without, clients: withModel.clients })).toBe(false);
    expect(validate({ ...withModel, clients: withModel.clients.map((c, i) => (i === 0 ? { ...c, pAlive: 1.5 } : c)) })).toBe(false);
    expect(validate({ ...withModel, model: { ...withModel.model, name: 'pareto-nbd' } })).toBe(false);
  });

  it('prints the model block in the summary', async () => {
    const [run, plain] = await Promise.all([kamerton(['analyze', ledger, '--model', 'bgnbd']), kamerton(['analyze', ledger])]);
    expect(run.code).toBe(0);
    for (const line of run.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
    expect(run.stdout).toMatch(/^Customer-alive model: BG\/NBD .* fitted on 63 clients/m);
    expect(run.stdout).toMatch(/^ {2}r [\d.]+, alpha [\d.]+, a [\d.]+, b [\d.]+; log-likelihood -[\d,.]+; (converged|NOT converged)/m);
    expect(run.stdout).toMatch(/^ {2}Likely inactive \(P\(alive\) below 50\.0%\): \d+ of 63 clients$/m);
    expect(run.stdout).toMatch(/^ {2}Expected over the next 52 weeks: [\d,.]+ purchases, revenue /m);
    expect(run.stdout).toContain('1 client without a purchase up to the as-of date is not modelled.');
    expect(plain.stdout).not.toContain('Customer-alive model');
  });

  it('writes the model columns at the end of the CSV report, and none without a model', async () => {
    const out = join(dir, 'model.csv');
    const plain = join(dir, 'plain.csv');
    const [run, plainRun] = await Promise.all([
      kamerton(['analyze', ledger, '--model', 'bgnbd', '--out', out, '--out-style', 'pl']),
      kamerton(['analyze', ledger, '--out', plain]),
    ]);
    expect(run.code).toBe(0);
    expect(plainRun.code).toBe(0);
    const [header = '', ...rows] = readFileSync(out, 'utf8').split('\r\n');
    expect(header.endsWith(';growth;repeatPurchases;pAlive;expectedPurchases;expectedRevenue')).toBe(true);
    const r01 = rows.find((r) => r.startsWith('R01;'));
    expect(r01?.endsWith(';;;;')).toBe(true);
    const c01 = rows.find((r) => r.startsWith('C01;'))?.split(';') ?? [];
    expect(c01.slice(-4)[0]).toBe(String((purchaseDays.get('C01')?.size ?? 0) - 1));
    expect(c01.slice(-4)[1]).toMatch(/^(0|1|0,\d+)$/);
    expect(c01.slice(-1)[0]).toMatch(/^(\d+,\d{2})?$/);

    // The ledger has decimal points, so the report is in the en style.
    expect(readFileSync(plain, 'utf8').split('\r\n')[0]?.endsWith(',activity,growth')).toBe(true);
  });

  it('writes the model columns on the Clients sheet and a Model sheet in the workbook', async () => {
    const out = join(dir, 'model.xlsx');
    const plain = join(dir, 'plain.xlsx');
    const [run, plainRun] = await Promise.all([
      kamerton(['analyze', ledger, '--model', 'bgnbd', '--out', out]),
      kamerton(['analyze', ledger, '--out', plain]),
    ]);
    expect(run.code).toBe(0);
    expect(plainRun.code).toBe(0);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(out);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['Summary', 'Clients', 'Lost and slipping', 'Rejected lines', 'Model']);
    const headers = (workbook.getWorksheet('Clients')?.getRow(1).values ?? []) as unknown[];
    expect(headers.slice(-4)).toEqual(['Repeat purchases', 'P(alive)', 'Expected purchases (52 weeks)', 'Expected revenue (52 weeks)']);
    const texts: string[] = [];
    workbook.getWorksheet('Model')?.eachRow((row) => row.eachCell((cell) => texts.push(String(cell.value))));
    for (const label of ['r', 'alpha', 'a', 'b', 'Log-likelihood', 'Likely inactive (P(alive) below 50%)']) expect(texts).toContain(label);

    const plainBook = new ExcelJS.Workbook();
    await plainBook.xlsx.readFile(plain);
    expect(plainBook.getWorksheet('Model')).toBeUndefined();
  });

  const badFlags: [string[], string][] = [
    [['--time-unit', 'week'], '--time-unit'],
    [['--horizon', '10'], '--horizon'],
    [['--model', 'pareto'], '--model'],
    [['--model', 'bgnbd', '--time-unit', 'month'], '--time-unit'],
    [['--model', 'bgnbd', '--horizon', '0'], '--horizon'],
    [['--model', 'bgnbd', '--horizon', '2.5'], '--horizon'],
  ];
  it.each(badFlags)('rejects %j before reading the file, naming %s', async (flags, named) => {
    expect(await failureOf(registerAnalyzeCommand, ['analyze', ledger, ...flags])).toContain(named);
  });

  it('exits with code 2 on --horizon without --model, naming the flag', async () => {
    const run = await kamerton(['analyze', ledger, '--horizon', '10']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('--horizon');
  });
});

describe('kamerton model-check on the CDNOW sample (Fader, Hardie & Lee 2005)', () => {
  const args = [
    'model-check', cdnowSample, '--delimiter', 'whitespace', '--no-header', '--map', 'client=2,date=3,revenue=5',
    '--calibration-end', '1997-09-30', '--holdout-end', '1998-06-30',
  ];

  it('reproduces the published parameters and compares the holdout in total and per frequency', async () => {
    const run = await kamerton([...args, '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const check = JSON.parse(run.stdout) as ModelCheck;
    // FHL 2005, Table 1 (weeks): r 0.243, alpha 4.414, a 0.793, b 2.426; LL -9582.4.
    expect(check.model.params.r).toBeCloseTo(0.243, 3);
    expect(check.model.params.alpha).toBeCloseTo(4.414, 2);
    expect(check.model.params.a).toBeCloseTo(0.793, 2);
    expect(check.model.params.b).toBeCloseTo(2.426, 2);
    expect(check.model.logLikelihood).toBeCloseTo(-9582.4, 0);
    expect(check.model.converged).toBe(true);
    expect(check.calibration).toEqual({ from: '1997-01-01', to: '1997-09-30', clients: 2357, leftOut: 0 });
    expect(check.holdout).toEqual({ from: '1997-10-01', to: '1998-06-30', days: 273, length: 39 });
    expect(check.total.actual).toBe(1882);
    // The sum of the clients' conditional expectations E[Y(39) | x, t_x, T], FHL's equation computed
    // independently (mpmath's 2F1 on cdnow_customers_summary.csv with these parameters): 1,653.4,
    // 12% below the actual, as FHL's conditional-expectations figure shows for the low frequencies.
    expect(check.total.predicted).toBeCloseTo(1653.4, 0);
    const independent = [0.22509, 0.52313, 1.04413, 1.52025, 2.16388, 2.65388, 3.50404, 6.15733];
    check.groups.forEach((g, i) => expect(g.meanPredicted).toBeCloseTo(independent[i] ?? 0, 3));
    expect(check.total.relativeError).toBeCloseTo((check.total.predicted - 1882) / 1882, 12);
    expect(check.groups.map((g) => g.label)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7+']);
    expect(check.groups.reduce((s, g) => s + g.clients, 0)).toBe(2357);
    // The summary file's count of clients without a repeat purchase in the calibration period.
    expect(check.groups[0]?.clients).toBe(1411);
    expect(check.groups.reduce((s, g) => s + g.actual, 0)).toBe(1882);
    for (const g of check.groups) {
      expect(g.meanActual).toBeCloseTo(g.actual / g.clients, 12);
      expect(g.meanPredicted).toBeCloseTo(g.predicted / g.clients, 12);
    }
    // The conditional expectations rise with the calibration frequency, as the actual means do.
    const predicted = check.groups.map((g) => g.meanPredicted ?? 0);
    for (let i = 1; i < predicted.length; i++) expect(predicted[i]).toBeGreaterThan(predicted[i - 1] ?? 0);
  });

  it('prints the same figures as a readable table within 100 columns', async () => {
    const run = await kamerton(args);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    for (const line of run.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
    expect(run.stdout).toContain('Calibration  1997-01-01 .. 1997-09-30: 2,357 clients with a purchase by then');
    expect(run.stdout).toContain('Holdout      1997-10-01 .. 1998-06-30: 273 days = 39.00 weeks');
    expect(run.stdout).toMatch(/r 0\.24\d*, alpha 4\.41\d*, a 0\.79\d*, b 2\.42\d*/);
    expect(run.stdout).toMatch(/^Repeat purchase days in the holdout: predicted [\d,.]+, actual 1,882 \([+-][\d.]+%\)$/m);
    expect(run.stdout).toMatch(/^ {4}0 +1,411 +[\d.]+ +[\d.]+ +[\d,]+ +[\d,.]+$/m);
    expect(run.stdout).toMatch(/^ {4}7\+ +[\d,]+ /m);
    expect(run.stdout).toMatch(/^ {2}all +2,357 /m);
  });

  it('counts the clients who first bought after the calibration end as left out', async () => {
    const run = await kamerton(['model-check', ledger, '--calibration-end', '2023-06-30', '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const check = JSON.parse(run.stdout) as ModelCheck;
    // Every C client starts in the first 120 days; L1-L3 start in 2024, R01 never buys.
    expect(check.calibration).toMatchObject({ to: '2023-06-30', clients: 60, leftOut: 3 });
    expect(check.holdout).toMatchObject({ from: '2023-07-01', to: lastDate });
    const actual = [...purchaseDays].filter(([c]) => c.startsWith('C'))
      .reduce((sum, [, days]) => sum + [...days].filter((d) => d > '2023-06-30').length, 0);
    expect(check.total.actual).toBe(actual);
  });

  const badFlags: [string[], string][] = [
    [['--calibration-end', '1997-02-30'], '--calibration-end'],
    [['--calibration-end', '30.09.1997'], '--calibration-end'],
    [['--calibration-end', '1997-09-30', '--holdout-end', '1997-09-30'], '--holdout-end'],
    [['--calibration-end', '1997-09-30', '--holdout-end', '1998-13-01'], '--holdout-end'],
    [['--calibration-end', '1999-01-01'], '--calibration-end'],
    [['--calibration-end', '1996-12-31'], '--calibration-end'],
    [['--calibration-end', '1997-09-30', '--holdout-end', '1998-12-31'], '--holdout-end'],
    [['--calibration-end', '1997-09-30', '--time-unit', 'month'], '--time-unit'],
    [[], '--calibration-end'],
  ];
  it.each(badFlags)('rejects %j, naming %s', async (flags, named) => {
    const read = ['--delimiter', 'whitespace', '--no-header', '--map', 'client=2,date=3,revenue=5'];
    expect(await failureOf(registerModelCheckCommand, ['model-check', cdnowSample, ...read, ...flags])).toContain(named);
  });

  it('exits with code 2 on a calibration end outside the ledger, naming the flag and the ledger\'s dates', async () => {
    const run = await kamerton([...args.slice(0, -4), '--calibration-end', '1999-01-01']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('--calibration-end');
    expect(run.stderr).toContain('1997-01-01 .. 1998-06-30');
  });
});

/**
 * What a command says when it refuses `argv`, run in this process: commander's message for a bad
 * flag value, or the message and field of the KamertonError the command throws.
 */
async function failureOf(register: (program: Command) => Command, argv: string[]): Promise<string> {
  const stderr: string[] = [];
  const program = new Command('kamerton')
    .exitOverride()
    .configureOutput({ writeErr: (text) => stderr.push(text), writeOut: () => undefined });
  register(program);
  const error: unknown = await program.parseAsync(argv, { from: 'user' }).then(
    () => null,
    (e: unknown) => e,
  );
  if (error instanceof CommanderError) return stderr.join('');
  if (isKamertonError(error)) return `${error.message} (${error.details.field ?? ''})`;
  throw new Error(`expected ${argv.join(' ')} to be refused, got ${String(error)}`);
}
