import { describe, expect, it } from 'vitest';
import { formatApiTable, formatVerdicts, percentile, summarise, type Sample } from './api-bench.ts';

describe('percentile', () => {
  it('takes the nearest rank: the smallest value with at least p% of the values at or below it', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile(values, 10)).toBe(1);
    expect(percentile(values, 11)).toBe(2);
    expect(percentile(values, 100)).toBe(10);
  });

  it('sorts numerically, not as text', () => {
    expect(percentile([100, 9, 20], 50)).toBe(20);
  });

  it('gives the 99th percentile of 1..1000 as 990', () => {
    expect(percentile(Array.from({ length: 1000 }, (_, i) => i + 1), 99)).toBe(990);
  });

  it('refuses an empty list and a percentile out of (0, 100]', () => {
    expect(() => percentile([], 50)).toThrow(/no values/);
    expect(() => percentile([1], 0)).toThrow(/above 0/);
    expect(() => percentile([1], 101)).toThrow(/at most 100/);
  });
});

describe('summarise and the table', () => {
  const sample = (user: Sample['user'], program: Sample['program'], latency: number, errors = 0): Sample => ({
    user, program, count: 300, seconds: 30, errors, latenciesMs: Array.from({ length: 100 }, (_, i) => latency + i / 100),
    cpu: { server: program === 'api' ? 600 : null, postgres: 3000, client: 30 },
  });

  it('gives the rate per second, the percentiles and the CPU milliseconds per request of a sample', () => {
    expect(summarise(sample('director', 'api', 10))).toEqual({ perSecond: 10, p50: 10.49, p99: 10.98, serverCpu: 2, postgresCpu: 10, clientCpu: 0.1 });
    expect(summarise(sample('director', 'sql', 10)).serverCpu).toBeNull();
  });

  it('sets the API p99 against the bare list SQL of the same user and judges it against 3x', () => {
    const { table, verdicts } = formatApiTable([
      sample('director', 'api', 20), sample('director', 'sql', 10),
      sample('kam', 'api', 40), sample('kam', 'sql', 10), sample('kam', 'sql-all', 12, 1),
    ]);
    expect(verdicts.map((v) => [v.user, v.met])).toEqual([['director', true], ['kam', false]]);
    expect(verdicts[0]!.ratio).toBeCloseTo(20.98 / 10.98, 10);
    expect(table).toContain('| director | API: GET /api/v1/accounts | 1 | 10 | 20.5 | 21.0 | 21.0-21.0 | 0 | 2.0, 10.0, 0.1 | 1.91x |');
    expect(table).toContain('| KAM | bare SQL: all 7 queries of the request | 1 | 10 | 12.5 | 13.0 | 13.0-13.0 | 1 | -, 10.0, 0.1 | 1.18x |');
    expect(formatVerdicts(verdicts)).toBe("Target (API p99 at most 3x the bare SQL's): director 1.91x, met; KAM 3.73x, NOT met.");
  });

  it('takes the median of the runs', () => {
    const { table } = formatApiTable([sample('director', 'sql', 10), sample('director', 'sql', 30), sample('director', 'sql', 20)]);
    expect(table).toContain('| director | bare SQL: count + page | 3 | 10 | 20.5 | 21.0 | 11.0-31.0 | 0 | -, 10.0, 0.1 | 1.00x |');
  });

  it('does not judge without both the API and the bare SQL', () => {
    const { verdicts } = formatApiTable([sample('director', 'api', 20)]);
    expect(formatVerdicts(verdicts)).toMatch(/not judged/);
  });
});

