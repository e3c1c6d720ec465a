/**
 * `{{formatDate time "yyyy-LL-dd HH:mm:ss"}}` without luxon for the common case: a time as
 * Date#toISOString writes it (every event time is one), shown in UTC in en-US. Parsing the ISO text
 * and formatting through luxon cost several microseconds per call, the largest part of rendering
 * the slack and test presets. Here the fields are read off the text and each format token is
 * written the way luxon writes it for en-US (ASCII digits padded with zeros, English names), so
 * the output is luxon's byte for byte (test/templates/utc-date.test.ts compares them on many dates
 * and formats). Anything else returns null and the caller asks luxon:
 *
 * - a time in another shape (offsets, no milliseconds, years before 1000 or after 9999);
 * - a format with a token not listed in TOKENS (luxon has many more: week numbers, eras, macros…);
 * - luxon defaults that change how en-US is written (luxon-defaults.ts).
 */
import { DateTime } from 'luxon';
import { whileLuxonDefaultsAllow } from './luxon-defaults.js';

export interface UtcFields {
  /** Epoch milliseconds. */
  ms: number;
  year: number;
  /** 1–12. */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** ISO weekday: 1 Monday … 7 Sunday (luxon's `weekday`). */
  weekday: number;
}

const CANONICAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$/;
const DAY_MS = 86_400_000;

const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const daysIn = (year: number, month: number) => (month === 2 ? (isLeap(year) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31);

/** The fields of `YYYY-MM-DDTHH:mm:ss.sssZ` (a real date, year 1000–9999), or null for any other text. */
export function canonicalUtc(text: string): UtcFields | null {
  const match = CANONICAL.exec(text);
  if (match === null) return null;
  const [year, month, day, hour, minute, second, millisecond] = match.slice(1).map(Number) as [number, number, number, number, number, number, number];
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) return null;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  // 1970-01-01 was a Thursday (ISO weekday 4).
  const weekday = ((((Math.floor(ms / DAY_MS) + 3) % 7) + 7) % 7) + 1;
  return { ms, year, month, day, hour, minute, second, millisecond, weekday };
}

// --- Formats ---------------------------------------------------------------------------------

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const hour12 = (hour: number) => (hour % 12 === 0 ? 12 : hour % 12);

type Writer = (f: UtcFields) => string;

/** The luxon tokens written here, as luxon writes them for en-US in the UTC zone. */
const TOKENS: ReadonlyMap<string, Writer> = new Map<string, Writer>([
  ['yyyy', (f) => pad(f.year, 4)],
  ['y', (f) => String(f.year)],
  ['M', (f) => String(f.month)],
  ['MM', (f) => pad(f.month, 2)],
  ['L', (f) => String(f.month)],
  ['LL', (f) => pad(f.month, 2)],
  ['MMM', (f) => MONTHS[f.month - 1]!.slice(0, 3)],
  ['LLL', (f) => MONTHS[f.month - 1]!.slice(0, 3)],
  ['MMMM', (f) => MONTHS[f.month - 1]!],
  ['LLLL', (f) => MONTHS[f.month - 1]!],
  ['d', (f) => String(f.day)],
  ['dd', (f) => pad(f.day, 2)],
  ['EEE', (f) => WEEKDAYS[f.weekday - 1]!.slice(0, 3)],
  ['ccc', (f) => WEEKDAYS[f.weekday - 1]!.slice(0, 3)],
  ['EEEE', (f) => WEEKDAYS[f.weekday - 1]!],
  ['cccc', (f) => WEEKDAYS[f.weekday - 1]!],
  ['H', (f) => String(f.hour)],
  ['HH', (f) => pad(f.hour, 2)],
  ['h', (f) => String(hour12(f.hour))],
  ['hh', (f) => pad(hour12(f.hour), 2)],
  ['a', (f) => (f.hour < 12 ? 'AM' : 'PM')],
  ['m', (f) => String(f.minute)],
  ['mm', (f) => pad(f.minute, 2)],
  ['s', (f) => String(f.second)],
  ['ss', (f) => pad(f.second, 2)],
  ['SSS', (f) => pad(f.millisecond, 3)],
  // The UTC zone's names and offset.
  ['z', () => 'UTC'],
  ['ZZZZ', () => 'UTC'],
  ['ZZ', () => '+00:00'],
]);

type Part = string | Writer;

const formats = new Map<string, Part[] | null>();
const FORMAT_CACHE_LIMIT = 100;

/** A format as literal text and token writers, or null when it has a token not in TOKENS. Cached: formats come from templates. */
function compileFormat(format: string): Part[] | null {
  let parts = formats.get(format);
  if (parts === undefined) {
    parts = [];
    for (const { literal, val } of splitFormat(format)) {
      const writer = literal ? undefined : TOKENS.get(val);
      if (writer !== undefined) parts.push(writer);
      // luxon prints a token that is no letter run as it is; a letter run it may know is left to it.
      else if (literal || !/^[A-Za-z]+$/.test(val)) parts.push(val);
      else {
        parts = null;
        break;
      }
    }
    if (formats.size >= FORMAT_CACHE_LIMIT) formats.clear();
    formats.set(format, parts);
  }
  return parts;
}

/**
 * luxon's Formatter.parseFormat (not exported by luxon), line for line: runs of one character are
 * a token; text in single quotes is literal ('' is a quote); whitespace runs are literal.
 */
export function splitFormat(format: string): Array<{ literal: boolean; val: string }> {
  let current: string | null = null;
  let currentFull = '';
  let bracketed = false;
  const splits: Array<{ literal: boolean; val: string }> = [];
  for (let i = 0; i < format.length; i++) {
    const c = format.charAt(i);
    if (c === "'") {
      if (currentFull.length > 0 || bracketed) splits.push({ literal: bracketed || /^\s+$/.test(currentFull), val: currentFull === '' ? "'" : currentFull });
      current = null;
      currentFull = '';
      bracketed = !bracketed;
    } else if (bracketed) {
      currentFull += c;
    } else if (c === current) {
      currentFull += c;
    } else {
      if (currentFull.length > 0) splits.push({ literal: /^\s+$/.test(currentFull), val: currentFull });
      currentFull = c;
      current = c;
    }
  }
  if (currentFull.length > 0) splits.push({ literal: bracketed || /^\s+$/.test(currentFull), val: currentFull });
  return splits;
}

/** luxon's `toFormat(format)` of these fields in UTC, en-US, or null when the format or luxon's defaults are not covered. */
export function formatUtc(fields: UtcFields, format: string): string | null {
  if (!luxonWritesPlainEnglish()) return null;
  const parts = compileFormat(format);
  if (parts === null) return null;
  let out = '';
  for (const part of parts) out += typeof part === 'string' ? part : part(fields);
  return out;
}

/** Whether the hand-written tokens may stand in for luxon under its current defaults. */
export const luxonWritesPlainEnglish = whileLuxonDefaultsAllow(() => {
  const probe = '2024-02-29T13:04:05.006Z';
  const format = "yyyy y M MM L LL MMM LLL MMMM LLLL d dd EEE ccc EEEE cccc H HH h hh a m mm s ss SSS z ZZZZ ZZ 'x'";
  const fields = canonicalUtc(probe);
  if (fields === null) return false;
  let mine = '';
  for (const { literal, val } of splitFormat(format)) mine += literal ? val : (TOKENS.get(val)?.(fields) ?? val);
  return DateTime.fromISO(probe, { zone: 'utc' }).setZone('UTC').setLocale('en-US').toFormat(format) === mine;
});
