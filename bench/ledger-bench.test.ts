import { describe, expect, it } from 'vitest';
import {
  checkImportRecord,
  databaseUrl,
  formatLedgerTable,
  formatTargets,
  ratioToPeer,
  redactUrl,
  resolveServerUrl,
  type Cell,
  type Step,
  type Timing,
} from './ledger-bench.ts';

describe('the external server', () => {
  const env = { TEST_DATABASE_URL: 'postgres://ci:secret@127.0.0.1:5432/postgres', DATABASE_URL: 'postgres://app@db/kamerton' };

  it('takes --server-url first, then TEST_DATABASE_URL, then DATABASE_URL', () => {
    expect(resolveServerUrl('postgresql://x@h/d', env)).toEqual({ url: 'postgresql://x@h/d', from: '--server-url' });
    expect(resolveServerUrl(null, env)).toEqual({ url: env.TEST_DATABASE_URL, from: 'TEST_DATABASE_URL' });
    expect(resolveServerUrl(null, { DATABASE_URL: env.DATABASE_URL, TEST_DATABASE_URL: ' ' })).toEqual({ url: env.DATABASE_URL, from: 'DATABASE_URL' });
  });

  it('is skipped, with the reason, when none is given or --server-url says none', () => {
    expect(resolveServerUrl(null, {})).toEqual({ url: null, reason: expect.stringMatching(/neither TEST_DATABASE_URL nor DATABASE_URL/) });
    expect(resolveServerUrl('none', env)).toEqual({ url: null, reason: '--server-url none' });
  });

  it('refuses a URL that is not postgres://, without printing its password', () => {
    expect(() => resolveServerUrl('mysql://root:hunter2@h/d', {})).toThrow(/--server-url must be a postgres:\/\/ URL/);
    expect(() => resolveServerUrl('mysql://root:hunter2@h/d', {})).not.toThrow(/hunter2/);
  });

  it('masks the password when printed and names another database on the same server', () => {
    expect(redactUrl('postgres://ci:secret@127.0.0.1:5432/postgres')).toBe('postgres://ci:***@127.0.0.1:5432/postgres');
    expect(redactUrl('postgres://ci@127.0.0.1/postgres')).toBe('postgres://ci@127.0.0.1/postgres');
    expect(databaseUrl('postgres://ci:secret@127.0.0.1:5432/postgres?sslmode=disable', 'kamerton_bench_copy'))
      .toBe('postgres://ci:secret@127.0.0.1:5432/kamerton_bench_copy?sslmode=disable');
  });
});

describe('the import records', () => {
  const first = { lines: 1000, accepted: 1000, rejected: 0, added: 1000, unchanged: 0, removed: 0 };

  it('accept a first import that added every line and a second that found every line unchanged', () => {
    expect(checkImportRecord(first, 1000, 'first')).toEqual([]);
    expect(checkImportRecord({ ...first, added: 0, unchanged: 1000 }, 1000, 'again')).toEqual([]);
  });

  it('name every figure that differs', () => {
    expect(checkImportRecord({ ...first, accepted: 998, rejected: 2, added: 998 }, 1000, 'first')).toEqual([
      'the import: accepted 998, expected 1000',
      'the import: rejected 2, expected 0',
      'the import: added 998, expected 1000',
    ]);
    expect(checkImportRecord(first, 1000, 'again')).toEqual(['the second import: added 1000, expected 0', 'the second import: unchanged 0, expected 1000']);
  });
});

describe('the table and the targets', () => {
  const timing = (seconds: number, postgres: number | null = null): Timing => ({ seconds, cpuSeconds: seconds / 2, peakRssMb: 100, postgresCpuSeconds: postgres });
  const cell = (database: string, step: Step, seconds: number[], postgres: number | null = null): Cell => ({
    database,
    ledger: '1M lines',
    step,
    runs: seconds.map((s) => timing(s, postgres)),
  });
  const cells = [
    cell('embedded', 'copy', [2, 1, 3], 1),
    cell('embedded', 'import', [5, 6, 4], 3),
    cell('embedded', 'reimport', [8]),
    cell('embedded', 'duckdb', [1]),
    cell('embedded', 'run', [0.5]),
    cell('embedded', 'analyze', []),
    cell('server', 'copy', [1]),
    cell('server', 'import', [4]),
  ];

  it('takes each step against its peer in the same database, by medians', () => {
    expect(ratioToPeer(cells, cells[1]!)).toBe(2.5);
    expect(ratioToPeer(cells, cells[2]!)).toBe(4);
    expect(ratioToPeer(cells, cells[4]!)).toBe(0.5);
    expect(ratioToPeer(cells, cells[7]!)).toBe(4);
    expect(ratioToPeer(cells, cells[5]!)).toBeNull();
  });

  it('prints a row for each step measured, with the medians, the range and the ratio', () => {
    const table = formatLedgerTable(cells).split('\n');
    expect(table).toHaveLength(2 + 7);
    expect(table[2]).toBe('| embedded | 1M lines | peer: bare COPY of the CSV | 3 | 2.00 | 1.00-3.00 | 1.00 | 1.00 | 100 | 1.00x |');
    expect(table[3]).toBe('| embedded | 1M lines | kamerton import, empty database | 3 | 5.00 | 4.00-6.00 | 2.50 | 3.00 | 100 | 2.50x |');
    expect(table[5]).toContain('| - | 100 | 1.00x |');
  });

  it('judges the import against 3x and the analysis run against 1x, for each database', () => {
    expect(formatTargets(cells)).toBe(
      "Target, the import at most 3x the bare COPY's time: embedded, 1M lines: 2.50x, met; server, 1M lines: 4.00x, NOT met.\n" +
        "Target, the analysis run at most 1x DuckDB's time: embedded, 1M lines: 0.50x, met.",
    );
  });
});
