/**
 * The company's calendar: which day and hour it is in the company's time zone (config.timeZone). The
 * core has no clock, so the callers pass `now`; a test passes any instant it likes.
 */

/** The company's time zone when KAMERTON_TIME_ZONE does not say otherwise (src/config.ts). */
export const DEFAULT_TIME_ZONE = 'Europe/Warsaw';

type LocalTime = { day: string; hour: number };

const formats = new Map<string, Intl.DateTimeFormat>();

/** A formatter per zone, kept: making one costs far more than formatting with it, and a tick asks for it per user. */
function formatIn(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (format === undefined) {
    // hourCycle h23: midnight is 00, never 24 (en-US with hour12: false gives "24" in some versions).
    format = new Intl.DateTimeFormat('en-US', {
      timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23',
    });
    formats.set(timeZone, format);
  }
  return format;
}

/** The calendar day (YYYY-MM-DD) and the hour (0-23) of `now` in `timeZone`, an IANA name. */
export function localTimeIn(timeZone: string, now: Date): LocalTime {
  const parts = Object.fromEntries(formatIn(timeZone).formatToParts(now).map((part) => [part.type, part.value]));
  return { day: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) };
}

/** The calendar day (YYYY-MM-DD) of `now` in `timeZone`, an IANA name. */
export function todayIn(timeZone: string, now: Date): string {
  return localTimeIn(timeZone, now).day;
}
