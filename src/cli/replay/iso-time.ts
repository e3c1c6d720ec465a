/**
 * A fixed-format ISO 8601 reader for sample times, ~10× cheaper than `Date.parse` per line: replay
 * reads one time per sample, and `Date.parse` was a large share of its parse cost.
 *
 * It reads only `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (the `T` and `Z` in either case), the
 * form exporters and `toISOString` print, with an explicit zone and calendar-valid fields, and
 * returns what `Date.parse` returns for it (a fraction of up to nine digits, truncated to milliseconds). Anything else
 * (no zone, which `Date.parse` reads as local time; a space for `T`; `24:00`; day 30 of February,
 * which V8 rolls over into March; `+0100`; a six-digit year) returns `undefined`, and the caller
 * falls back to `Date.parse`, so the two never disagree. test/cli/replay/iso-time.test.ts checks
 * that against `Date.parse` with fast-check.
 */

const ZERO = 48;

/** The two-digit number at `i`, or -1. */
function two(text: string, i: number): number {
  const a = text.charCodeAt(i) - ZERO;
  const b = text.charCodeAt(i + 1) - ZERO;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const isLeap = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Epoch milliseconds of an ISO 8601 date-time in the fixed form above, or undefined for any other text. */
export function parseIsoTime(text: string): number | undefined {
  const length = text.length;
  if (length < 20) return undefined;
  const century = two(text, 0);
  const yearLow = two(text, 2);
  if (century < 0 || yearLow < 0 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
  const year = century * 100 + yearLow;
  const month = two(text, 5);
  const day = two(text, 8);
  if (month < 1 || month > 12 || day < 1) return undefined;
  if (day > (month === 2 && isLeap(year) ? 29 : MONTH_DAYS[month - 1]!)) return undefined;
  const t = text.charCodeAt(10);
  if (t !== 84 && t !== 116) return undefined; // T or t
  const hour = two(text, 11);
  const minute = two(text, 14);
  const second = two(text, 17);
  if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  let i = 19;
  let millis = 0;
  let subMillisecond = false;
  if (text.charCodeAt(i) === 46) {
    // Any number of digits; milliseconds are the first three, the rest is truncated as V8 does.
    i++;
    const start = i;
    let scale = 100;
    for (;;) {
      const digit = text.charCodeAt(i) - ZERO;
      if (!(digit >= 0 && digit <= 9)) break;
      millis += digit * scale;
      if (scale === 0 && digit !== 0) subMillisecond = true;
      scale = scale > 1 ? scale / 10 : 0; // integers only: nines beyond the third digit must not round up
      i++;
    }
    // Nine digits at most (nanoseconds): V8 reads longer fractions in its own way (…00.0001000000Z is 1 ms).
    if (i === start || i - start > 9) return undefined;
  }
  let offsetMinutes = 0;
  const zone = text.charCodeAt(i);
  if (zone === 90 || zone === 122) {
    // Z or z
    if (i + 1 !== length) return undefined;
  } else if (zone === 43 || zone === 45) {
    if (i + 6 !== length || text.charCodeAt(i + 3) !== 58) return undefined;
    const offsetHours = two(text, i + 1);
    const offsetMins = two(text, i + 4);
    if (offsetHours < 0 || offsetHours > 23 || offsetMins < 0 || offsetMins > 59) return undefined;
    offsetMinutes = (offsetHours * 60 + offsetMins) * (zone === 43 ? 1 : -1);
  } else {
    return undefined;
  }
  const days = daysFromCivil(year, month, day);
  const time = ((days * 24 + hour) * 60 + minute - offsetMinutes) * 60_000 + second * 1000 + millis;
  // V8 truncates toward zero: before 1970 a sub-millisecond rest rounds up; leave that to Date.parse.
  return time < 0 && subMillisecond ? undefined : time;
}
