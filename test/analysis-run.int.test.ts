/**
 * An analysis run over the stored ledger gives exactly what `kamerton analyze` gives on the same file
 * with the same parameters (each ledger client its own account): on the CDNOW purchase log and on a
 * synthetic ledger with costs, through the use-cases and through the command line.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateLedger } from '../bench/generate-ledger.ts';
import { SYSTEM_ACTOR, type Actor } from '../src/app/actor.ts';
import type { AnalysisDocument } from '../src/app/analysis-document.ts';
import { analyzeFile, toAnalysisDocument } from '../src/app/analyze-file.ts';
import { importLedger } from '../src/app/import-ledger.ts';
import { getAccountKeyScore, setKeyScoreWeights } from '../src/app/key-scores.ts';
import { runAnalysis } from '../src/app/run-analysis.ts';
import { DEFAULT_ACTIVITY_RULES } from '../src/core/activity.ts';
import { dayFromCivil } from '../src/core/calendar.ts';
import { DEFAULT_ANALYSIS_PARAMS, type AnalysisParams } from '../src/core/types.ts';
import type { ReadOptions } from '../src/ingest/types.ts';
import { describeDatabases } from './database.ts';
import { kamerton, repo } from './fixtures/cli.ts';
import { rejection } from './fixtures/errors.ts';

const cdnowDir = join(repo, '..', 'shared', 'datasets', 'cdnow');
const cdnowMaster = join(cdnowDir, 'CDNOW_master.txt');
const cdnowSample = join(cdnowDir, 'CDNOW_sample.txt');
const CDNOW_READ: ReadOptions = { delimiter: 'whitespace', map: { client: 1, date: 2, quantity: 3, revenue: 4 } };

/**
 * A run fits the customer-alive model with the activity rules' time unit and horizon (the defaults
 * here) and judges activity by the rules: `analyze --model bgnbd` with the same unit and horizon.
 */
const RUN_MODEL = { timeUnit: DEFAULT_ACTIVITY_RULES.timeUnit, horizon: DEFAULT_ACTIVITY_RULES.horizon };

const PARAM_SETS: [string, AnalysisParams][] = [
  ['the defaults', { ...DEFAULT_ANALYSIS_PARAMS }],
  ['quarters, XYZ by the coefficient of variation, 70/90', { ...DEFAULT_ANALYSIS_PARAMS, period: 'quarter', xyzMode: 'cv', abc: [70, 90] }],
  [
    'weeks in a window with an as-of date inside the ledger',
    { ...DEFAULT_ANALYSIS_PARAMS, period: 'week', from: dayFromCivil(1997, 3, 1), asOf: dayFromCivil(1997, 12, 31), lostDays: 90 },
  ],
];

describeDatabases('analysis runs over the stored ledger', (get) => {
  describe('the CDNOW purchase log', () => {
    beforeAll(async () => {
      await importLedger(get().pool, SYSTEM_ACTOR, { path: cdnowMaster, source: 'cdnow', read: CDNOW_READ });
    });

    for (const [name, params] of PARAM_SETS) {
      it(`equals kamerton analyze on the file with ${name}`, async () => {
        const run = await runAnalysis(get().pool, SYSTEM_ACTOR, params);
        const file = toAnalysisDocument(await analyzeFile(cdnowMaster, CDNOW_READ, params, RUN_MODEL));
        expect(file.totals.rejectedLines).toBe(0);
        expect(run.document).toEqual(file);
      });
    }

    it('keeps every account\'s result with the run, and the run with its parameters', async () => {
      const database = get();
      const run = await runAnalysis(database.pool, SYSTEM_ACTOR, { ...DEFAULT_ANALYSIS_PARAMS, period: 'quarter' });
      const { rows } = await database.pool.query<{ client: string; rank: number; segment: string; types: string[]; revenue: number }>(
        `select r.client, r.rank, r.segment, r.types, r.revenue::float8 as revenue
           from analysis_results r join account_codes c on c.account_id = r.account_id and c.code = r.client
          where r.run_id = $1 order by r.rank`,
        [run.id],
      );
      expect(rows).toHaveLength(run.document.clients.length);
      expect(rows.map((r) => [r.client, r.segment, r.types, r.revenue])).toEqual(
        run.document.clients.map((c) => [c.client, c.segment, c.types, c.revenue]),
      );
      const { rows: [stored] } = await database.pool.query('select params, summary from analysis_runs where id = $1', [run.id]);
      expect(stored.params).toMatchObject({ period: 'quarter', asOf: null, abc: [80, 95] });
      expect(stored.summary.matrix).toEqual(run.document.matrix);
    });

    it('lets only a director or an administrator run an analysis', async () => {
      const kam: Actor = { userId: '00000000-0000-4000-8000-000000000002', role: 'kam' };
      expect(await rejection(runAnalysis(get().pool, kam, DEFAULT_ANALYSIS_PARAMS))).toMatchObject({ code: 'forbidden' });
    });
  });
});

describeDatabases('analysis runs over a synthetic ledger with costs', (get) => {
  const path = join(mkdtempSync(join(tmpdir(), 'kamerton-run-')), 'synthetic.csv');

  beforeAll(async () => {
    generateLedger(path, { lines: 60_000, clients: 1500, seed: 7, from: '2023-01-01', to: '2025-06-30' });
    await importLedger(get().pool, SYSTEM_ACTOR, { path });
  });

  for (const [name, params] of [
    ['the defaults', { ...DEFAULT_ANALYSIS_PARAMS }],
    ['ABC by margin, XYZ by the coefficient of variation', { ...DEFAULT_ANALYSIS_PARAMS, metric: 'margin', xyzMode: 'cv' }],
  ] as [string, AnalysisParams][]) {
    it(`equals kamerton analyze on the file with ${name}`, async () => {
      const run = await runAnalysis(get().pool, SYSTEM_ACTOR, params);
      const file = toAnalysisDocument(await analyzeFile(path, { workers: 1 }, params, RUN_MODEL));
      expect(run.document).toEqual(file);
    });
  }
});


describeDatabases('kamerton import and kamerton analysis run', (get) => {
  it('print the import record, and the same JSON as kamerton analyze', async () => {
    const env = { DATABASE_URL: get().url };
    const read = ['--no-header', '--delimiter', 'whitespace', '--map', 'client=1,date=3,quantity=4,revenue=5'];
    const imported = await kamerton(['import', cdnowSample, ...read, '--source', 'cdnow', '--format', 'json'], env);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ source: 'cdnow', lines: 6919, accepted: 6919, added: 6919, removed: 0, userId: null });

    const again = await kamerton(['import', cdnowSample, ...read, '--source', 'cdnow'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('unchanged 6,919, added 0, removed 0');

    const flags = ['--period', 'quarter', '--xyz-mode', 'cv'];
    const [stored, file] = await Promise.all([
      kamerton(['analysis', 'run', ...flags, '--format', 'json'], env),
      kamerton(['analyze', cdnowSample, ...read, ...flags, '--model', 'bgnbd', '--format', 'json'], {}),
    ]);
    expect(stored.stderr).toBe('');
    expect(stored.code).toBe(0);
    expect(JSON.parse(stored.stdout) as AnalysisDocument).toEqual(JSON.parse(file.stdout) as AnalysisDocument);

    const text = await kamerton(['analysis', 'run'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Kamerton analysis run \d+ of the stored ledger \(6,919 lines, as of import \d+\)/);
  });

  it('refuses an unknown --as user by name', async () => {
    const run = await kamerton(['analysis', 'run', '--as', 'nobody@example.com'], { DATABASE_URL: get().url });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no active user has the e-mail address nobody@example.com');
  });
});

describeDatabases('the key-client score over a run', (get) => {
  // A (large) pays 10 days late on 100.00 and on time on 300.00; its unpaid line not yet due does
  // not count: 100 * 10 / 400 = 2.5 days late. B's unpaid line is 20 days past due at the as-of date
  // (2025-03-31): 20 days late. A bought two product groups of the three sold, B one.
  const lines = [
    'Nr dokumentu;Lp;Data sprzedaży;Kod kontrahenta;Grupa towarowa;Wartość netto;Koszt zakupu;Termin płatności;Data zapłaty',
    'F/1;1;01.03.2025;A;Opakowania;100,00;50,00;10.03.2025;20.03.2025',
    'F/1;2;01.03.2025;A;Chemia;300,00;100,00;10.03.2025;05.03.2025',
    'F/2;1;25.03.2025;A;Chemia;1000,00;500,00;24.04.2025;',
    'F/3;1;01.03.2025;B;BHP;200,00;150,00;11.03.2025;',
    'F/4;1;31.03.2025;B;BHP;10,00;5,00;30.04.2025;',
  ];
  let accountA = '';
  let accountB = '';

  beforeAll(async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kamerton-score-')), 'score.csv');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const record = await importLedger(get().pool, SYSTEM_ACTOR, { path });
    accountA = record.newAccounts.find((a) => a.code === 'A')!.accountId;
    accountB = record.newAccounts.find((a) => a.code === 'B')!.accountId;
    await get().pool.query(
      `update accounts set reputation_influence = 5, cooperation_horizon_months = 18, long_term_plans = 'Nowy zakład w 2026' where id = $1`,
      [accountA],
    );
    // The A clients' median yearly revenue: A's 1,400.00 in 31 days, 16,495.16 a year.
    await get().pool.query(
      `insert into accounts (name, status, annual_potential, image_maker) values
         ('Rich prospect', 'prospect', 16500, false), ('Poor prospect', 'prospect', 16495, false),
         ('Famous prospect', 'prospect', null, true), ('Rich but lost', 'lost', 1000000, false)`,
    );
    await runAnalysis(get().pool, SYSTEM_ACTOR, DEFAULT_ANALYSIS_PARAMS);
  });

  it('types accounts from their dossiers: promising by budget, image-maker, even without purchases', async () => {
    const { rows } = await get().pool.query(
      `select a.name, r.segment, r.types, r.is_key, r.rank from analysis_results r join accounts a on a.id = r.account_id
        where r.run_id = (select max(id) from analysis_runs) and r.segment is null order by a.name`,
    );
    expect(rows).toEqual([
      { name: 'Famous prospect', segment: null, types: ['image-maker'], is_key: true, rank: null },
      { name: 'Rich prospect', segment: null, types: ['promising'], is_key: true, rank: null },
    ]);
  });

  it('derives payment delays and product groups from the lines and breaks the score down by criterion', async () => {
    const director: Actor = { userId: null, role: 'system' };
    const a = await getAccountKeyScore(get().db, director, accountA);
    const value = (score: typeof a, criterion: string) => score.criteria.find((c) => c.criterion === criterion);
    expect(value(a, 'reliability')).toMatchObject({ value: 2.5, weight: 15 });
    expect(value(a, 'reliability')!.score).toBeCloseTo(1 - 2.5 / 60, 12);
    expect(value(a, 'opportunities')).toMatchObject({ value: 2, score: 2 / 3 });
    expect(value(a, 'profit')).toMatchObject({ value: 750, score: 1 });
    expect(value(a, 'longTermPlans')).toMatchObject({ value: 18, score: 0.5 });
    expect(value(a, 'reputation')).toMatchObject({ value: 5, score: 1 });
    expect(a.score).toBeCloseTo(a.criteria.reduce((sum, c) => sum + c.contribution, 0), 9);
    const b = await getAccountKeyScore(get().db, director, accountB);
    expect(value(b, 'reliability')).toMatchObject({ value: 20 });
    expect(value(b, 'profit')).toMatchObject({ score: 0 });
    expect(value(b, 'reputation')).toMatchObject({ value: null, score: null, contribution: 0 });
    expect(b.coverage).toBeLessThan(1);
  });

  it('uses the weights the director sets, and hides the money behind a score from marketing', async () => {
    const { db } = get();
    const director: Actor = { userId: null, role: 'system' };
    await setKeyScoreWeights(db, director, { profit: 1, reliability: 0, longTermPlans: 0, growth: 0, opportunities: 0, reputation: 0 });
    expect((await getAccountKeyScore(db, director, accountA)).score).toBe(100);
    expect((await getAccountKeyScore(db, director, accountB)).score).toBe(0);
    const marketing: Actor = { userId: '00000000-0000-4000-8000-000000000003', role: 'marketing' };
    const seen = await getAccountKeyScore(db, marketing, accountA);
    expect(seen.score).toBe(100);
    expect(seen.criteria.find((c) => c.criterion === 'profit')).toMatchObject({ value: null, score: 1 });
    const kam: Actor = { userId: '00000000-0000-4000-8000-000000000004', role: 'kam' };
    expect(await rejection(getAccountKeyScore(db, kam, accountA))).toMatchObject({ code: 'not-found' });
    expect(await rejection(setKeyScoreWeights(db, kam, { profit: 1, reliability: 0, longTermPlans: 0, growth: 0, opportunities: 0, reputation: 0 })))
      .toMatchObject({ code: 'forbidden' });
    expect(await rejection(setKeyScoreWeights(db, director, { profit: 0, reliability: 0, longTermPlans: 0, growth: 0, opportunities: 0, reputation: 0 })))
      .toMatchObject({ code: 'invalid-input' });
  });
});
