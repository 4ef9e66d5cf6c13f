/**
 * An analysis run over the stored ledger gives exactly what `kamerton analyze` gives on the same file
 * with the same parameters (each ledger client its own account): on the CDNOW purchase log and on a
 * synthetic ledger with costs, through the use-cases and through the command line.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateLedger } from '../bench/generate-ledger.ts';
import { SYSTEM_ACTOR, type Actor } from '../src/app/actor.ts';
import type { AnalysisDocument } from '../src/app/analysis-document.ts';
import { analyzeFile, toAnalysisDocument } from '../src/app/analyze-file.ts';
import { importLedger } from '../src/app/import-ledger.ts';
import { runAnalysis } from '../src/app/run-analysis.ts';
import { dayFromCivil } from '../src/core/calendar.ts';
import { DEFAULT_ANALYSIS_PARAMS, type AnalysisParams } from '../src/core/types.ts';
import type { ReadOptions } from '../src/ingest/types.ts';
import { describeDatabases } from './database.ts';
import { rejection } from './fixtures/errors.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const cdnowDir = join(repo, '..', 'shared', 'datasets', 'cdnow');
const cdnowMaster = join(cdnowDir, 'CDNOW_master.txt');
const cdnowSample = join(cdnowDir, 'CDNOW_sample.txt');
const CDNOW_READ: ReadOptions = { delimiter: 'whitespace', map: { client: 1, date: 2, quantity: 3, revenue: 4 } };

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
        const file = toAnalysisDocument(await analyzeFile(cdnowMaster, CDNOW_READ, params));
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
      const file = toAnalysisDocument(await analyzeFile(path, { workers: 1 }, params));
      expect(run.document).toEqual(file);
    });
  }
});

function kamerton(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repo, 'bin', 'kamerton.js'), ...args], { cwd: repo, env: { ...process.env, ...env } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

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
      kamerton(['analyze', cdnowSample, ...read, ...flags, '--format', 'json'], {}),
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
