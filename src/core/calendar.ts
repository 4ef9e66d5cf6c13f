/**
 * Civil dates as whole day numbers (days since 1970-01-01 in the proleptic Gregorian calendar).
 *
 * A ledger date has no time of day and no time zone, so the analysis never touches `Date`: a day
 * number compares, subtracts and hashes as a plain integer, and the same ledger gives the same
 * result on every machine whatever its TZ. The conversions are Howard Hinnant's `days_from_civil`
 * and `civil_from_days` ("chrono-Compatible Low-Level Date Algorithms", 2013), exact for every
 * year of the proleptic Gregorian calendar.
 */

export type DayNumber = number;

export type CivilDate = { year: number; month: number; day: number };

export type Period = 'week' | 'month' | 'quarter';

export function dayFromCivil(year: number, month: number, day: number): DayNumber {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDay(dayNumber: DayNumber): CivilDate {
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** True when the triple names a real calendar day (no 31 April, no 29 February in 2023). */
export function isValidCivil(year: number, month: number, day: number): boolean {
  return (
    Number.isInteger(year) && Number.isInteger(month) && Number.isInteger(day) &&
    month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
  );
}

/** ISO 8601 `YYYY-MM-DD`. */
export function formatDay(dayNumber: DayNumber): string {
  const { year, month, day } = civilFromDay(dayNumber);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Parses ISO `YYYY-MM-DD` strictly (used for command-line flags such as --as-of); null when invalid. */
export function parseIsoDay(text: string): DayNumber | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  return isValidCivil(year, month, day) ? dayFromCivil(year, month, day) : null;
}

/** Day of the week with Monday = 0 ... Sunday = 6 (ISO 8601 weeks start on Monday). */
export function weekday(dayNumber: DayNumber): number {
  // 1970-01-01 was a Thursday (index 3 when Monday is 0).
  return (((dayNumber + 3) % 7) + 7) % 7;
}

/**
 * The absolute index of the period holding a day: consecutive periods have consecutive indices, so
 * per-period sums can be kept before the analysis window is known.
 */
export function periodIndex(dayNumber: DayNumber, period: Period): number {
  switch (period) {
    case 'week':
      // Day 4 (1970-01-05) was the first Monday, so weeks are counted from it.
      return (dayNumber - weekday(dayNumber) - 4) / 7;
    case 'month': {
      const { year, month } = civilFromDay(dayNumber);
      return year * 12 + (month - 1);
    }
    case 'quarter': {
      const { year, month } = civilFromDay(dayNumber);
      return year * 4 + Math.floor((month - 1) / 3);
    }
  }
}

/** First day of the period with this index. */
export function periodStart(index: number, period: Period): DayNumber {
  switch (period) {
    case 'week':
      return index * 7 + 4;
    case 'month':
      return dayFromCivil(Math.floor(index / 12), (((index % 12) + 12) % 12) + 1, 1);
    case 'quarter':
      return dayFromCivil(Math.floor(index / 4), ((((index % 4) + 4) % 4) * 3) + 1, 1);
  }
}

/** Last day of the period with this index. */
export function periodEnd(index: number, period: Period): DayNumber {
  return periodStart(index + 1, period) - 1;
}

/**
 * The same day of the month `months` later (earlier when negative), clamped to the month's last day:
 * 2024-02-29 minus 12 months is 2023-02-28.
 */
export function addMonths(dayNumber: DayNumber, months: number): DayNumber {
  const { year, month, day } = civilFromDay(dayNumber);
  const total = year * 12 + (month - 1) + months;
  const y = Math.floor(total / 12);
  const m = total - y * 12 + 1;
  return dayFromCivil(y, m, Math.min(day, daysInMonth(y, m)));
}
