import { describe, expect, it } from 'vitest';
import { localTimeIn, todayIn } from './clock.ts';

describe('the company\'s calendar', () => {
  it('gives the day in the zone, not in UTC', () => {
    // 23:30 UTC on 31 December is already New Year's Day in Warsaw (UTC+1 in winter).
    expect(todayIn('Europe/Warsaw', new Date('2025-12-31T23:30:00Z'))).toBe('2026-01-01');
    expect(todayIn('UTC', new Date('2025-12-31T23:30:00Z'))).toBe('2025-12-31');
    expect(todayIn('America/New_York', new Date('2026-01-01T03:00:00Z'))).toBe('2025-12-31');
  });

  it('follows the change to summer time', () => {
    // Warsaw moves to UTC+2 at 01:00 UTC on 29 March 2026: 05:30 UTC is 07:30 there, a day earlier 06:30.
    expect(localTimeIn('Europe/Warsaw', new Date('2026-03-29T05:30:00Z'))).toEqual({ day: '2026-03-29', hour: 7 });
    expect(localTimeIn('Europe/Warsaw', new Date('2026-03-28T05:30:00Z'))).toEqual({ day: '2026-03-28', hour: 6 });
  });

  it('writes midnight as hour 0', () => {
    expect(localTimeIn('Europe/Warsaw', new Date('2026-01-14T23:00:00Z'))).toEqual({ day: '2026-01-15', hour: 0 });
  });
});
