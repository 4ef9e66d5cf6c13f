import { describe, expect, it } from 'vitest';
import { RowErrorLog } from './row-errors.ts';
import type { RowError } from './types.ts';
import { thrown } from '../../test/fixtures/errors.ts';

const bad = (line: number, column: string | null = 'Data', value: string | null = 'x'): RowError => ({
  line, column, value, message: 'invalid date',
});

describe('RowErrorLog', () => {
  it('counts every bad line and keeps the first 1000 in line order', () => {
    const log = new RowErrorLog('f.csv', false);
    for (let line = 2; line < 1502; line++) log.add(bad(line));
    expect(log.count).toBe(1500);
    expect(log.errors).toHaveLength(1000);
    expect(log.errors[0]!.line).toBe(2);
    expect(log.errors[999]!.line).toBe(1001);
  });

  it('keeps line order when lines are reported out of order', () => {
    const log = new RowErrorLog('f.csv', false);
    for (const line of [5, 3, 9, 3, 1]) log.add(bad(line));
    expect(log.errors.map((e) => e.line)).toEqual([1, 3, 3, 5, 9]);
  });

  it('in strict mode stops at the first bad line, naming file, line, column and value', () => {
    const log = new RowErrorLog('sales.csv', true);
    const error = thrown(() => log.add(bad(7, 'Data', '31.04.2023')));
    expect(error.code).toBe('invalid-input');
    expect(error.message).toContain('sales.csv');
    expect(error.message).toContain('line 7');
    expect(error.message).toContain('"Data"');
    expect(error.message).toContain('"31.04.2023"');
    expect(error.details).toMatchObject({ file: 'sales.csv', line: 7, column: 'Data', value: '31.04.2023' });
  });

  it('merges the logs of chunks with their line offsets, keeping the first 1000 of the whole file', () => {
    const whole = new RowErrorLog('f.csv', false);
    const first = new RowErrorLog('f.csv', false);
    const second = new RowErrorLog('f.csv', false);
    for (let line = 1; line <= 800; line++) first.add(bad(line * 2));
    for (let line = 1; line <= 900; line++) second.add(bad(line));
    // The second chunk starts after the first chunk's 1,600 lines; merged in either order.
    whole.merge(second, 1600);
    whole.merge(first, 0);
    expect(whole.count).toBe(1700);
    expect(whole.errors).toHaveLength(1000);
    expect(whole.errors[0]!.line).toBe(2);
    expect(whole.errors[799]!.line).toBe(1600);
    expect(whole.errors[800]!.line).toBe(1601);
    expect(whole.errors[999]!.line).toBe(1800);
    // The chunk's own log is not changed by the merge.
    expect(second.errors[0]!.line).toBe(1);
  });

  it('in strict mode a merged chunk with a bad line stops the run with the line in the whole file', () => {
    const whole = new RowErrorLog('f.csv', true);
    const chunk = new RowErrorLog('f.csv', false);
    chunk.add(bad(3));
    const error = thrown(() => whole.merge(chunk, 100));
    expect(error.details.line).toBe(103);
  });

  it('lets up to 5% of bad lines pass and stops above, saying the columns are probably mapped wrong', () => {
    const log = new RowErrorLog('f.csv', false);
    for (let line = 2; line <= 6; line++) log.add(bad(line, 'Data', `v${line}`));
    expect(() => log.check(100)).not.toThrow();
    const error = thrown(() => log.check(99));
    expect(error.code).toBe('invalid-input');
    expect(error.message).toContain('5 of 99 lines');
    expect(error.message).toContain('probably mapped wrong');
    expect(error.message).toContain('line 2, column "Data": invalid date (value "v2")');
    expect(error.message).toContain('line 4');
    expect(error.message).not.toContain('line 5,');
    expect(error.details).toMatchObject({ file: 'f.csv', lines: 99, rejectedLines: 5 });
  });

  it('names a whole-line error without a column', () => {
    const log = new RowErrorLog('f.csv', true);
    const error = thrown(() => log.add({ line: 4, column: null, value: null, message: 'expected 5 fields, found 3' }));
    expect(error.message).toBe('f.csv: line 4: expected 5 fields, found 3 (--strict stops at the first bad line)');
  });

  it('passes a file without lines', () => {
    expect(() => new RowErrorLog('f.csv', false).check(0)).not.toThrow();
  });
});
