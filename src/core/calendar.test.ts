import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  addMonths, civilFromDay, dayFromCivil, formatDay, isValidCivil, parseIsoDay, periodEnd, periodIndex,
  periodStart, weekday,
} from './calendar.ts';

describe('calendar', () => {
  it('numbers days from 1970-01-01', () => {
    expect(dayFromCivil(1970, 1, 1)).toBe(0);
    expect(dayFromCivil(2000, 3, 1)).toBe(11017);
    expect(formatDay(dayFromCivil(1997, 1, 1))).toBe('1997-01-01');
    expect(dayFromCivil(1969, 12, 31)).toBe(-1);
  });

  it('round-trips every day between 1900 and 2100', () => {
    fc.assert(fc.property(fc.integer({ min: -25567, max: 47482 }), (d) => {
      const c = civilFromDay(d);
      expect(isValidCivil(c.year, c.month, c.day)).toBe(true);
      expect(dayFromCivil(c.year, c.month, c.day)).toBe(d);
    }));
  });

  it('agrees with the JavaScript Date in UTC', () => {
    fc.assert(fc.property(fc.integer({ min: -25567, max: 47482 }), (d) => {
      expect(formatDay(d)).toBe(new Date(d * 86_400_000).toISOString().slice(0, 10));
    }));
  });

  it('rejects impossible dates', () => {
    expect(isValidCivil(2023, 2, 29)).toBe(false);
    expect(isValidCivil(2024, 2, 29)).toBe(true);
    expect(isValidCivil(1900, 2, 29)).toBe(false);
    expect(isValidCivil(2000, 2, 29)).toBe(true);
    expect(isValidCivil(2023, 4, 31)).toBe(false);
    expect(isValidCivil(2023, 13, 1)).toBe(false);
    expect(parseIsoDay('2023-02-30')).toBeNull();
    expect(parseIsoDay('2023-02-28')).toBe(dayFromCivil(2023, 2, 28));
  });

  it('starts weeks on Monday', () => {
    // 2024-01-01 was a Monday, 2024-01-07 a Sunday.
    expect(weekday(dayFromCivil(2024, 1, 1))).toBe(0);
    expect(weekday(dayFromCivil(2024, 1, 7))).toBe(6);
    const w = periodIndex(dayFromCivil(2024, 1, 7), 'week');
    expect(formatDay(periodStart(w, 'week'))).toBe('2024-01-01');
    expect(formatDay(periodEnd(w, 'week'))).toBe('2024-01-07');
    expect(periodIndex(dayFromCivil(2024, 1, 8), 'week')).toBe(w + 1);
  });

  it('finds month and quarter boundaries', () => {
    const m = periodIndex(dayFromCivil(2024, 2, 15), 'month');
    expect(formatDay(periodStart(m, 'month'))).toBe('2024-02-01');
    expect(formatDay(periodEnd(m, 'month'))).toBe('2024-02-29');
    const q = periodIndex(dayFromCivil(2023, 12, 31), 'quarter');
    expect(formatDay(periodStart(q, 'quarter'))).toBe('2023-10-01');
    expect(formatDay(periodEnd(q, 'quarter'))).toBe('2023-12-31');
    expect(periodIndex(dayFromCivil(2024, 1, 1), 'quarter')).toBe(q + 1);
  });

  it('adds calendar months, clamping to the month end', () => {
    expect(formatDay(addMonths(dayFromCivil(2024, 2, 29), -12))).toBe('2023-02-28');
    expect(formatDay(addMonths(dayFromCivil(2023, 12, 31), -24))).toBe('2021-12-31');
    expect(formatDay(addMonths(dayFromCivil(2023, 3, 31), -1))).toBe('2023-02-28');
    expect(formatDay(addMonths(dayFromCivil(2023, 1, 15), 13))).toBe('2024-02-15');
  });
});
