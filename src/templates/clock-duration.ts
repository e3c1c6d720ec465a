/**
 * `{{duration x "dd:hh:mm:ss"}}` without luxon, for the clock formats (two-digit days, hours,
 * minutes, seconds joined by ':'). The `flat` preset formats every alert's duration this way, and
 * luxon's Duration#toFormat (shiftTo, then Intl.NumberFormat per unit) was the largest single cost
 * of rendering it. The output is luxon's, byte for byte (test/templates/clock-duration.test.ts
 * compares the two on many values); anything outside the proven domain returns null, and the
 * caller falls back to luxon:
 *
 * - only whole, non-negative milliseconds below CLOCK_LIMIT_MS (luxon writes negative durations as
 *   `00:00:-59:-60`, and above ~10^15 its floating-point unit shifting stops being exact);
 * - only while luxon writes numbers with ASCII digits (its default locale could use another
 *   numbering system, which luxon would honour).
 */
import { Duration } from 'luxon';
import { whileLuxonDefaultsAllow } from './luxon-defaults.js';

/** Below this many milliseconds (about 31,700 years) luxon's shiftTo arithmetic is exact. */
export const CLOCK_LIMIT_MS = 1e15;

const UNIT_MS = { dd: 86_400_000, hh: 3_600_000, mm: 60_000, ss: 1000 } as const;
type ClockToken = keyof typeof UNIT_MS;
const ORDER: readonly ClockToken[] = ['dd', 'hh', 'mm', 'ss'];

/** The unit sizes of a clock format, largest first: `dd:hh:mm:ss` → [86400000, 3600000, 60000, 1000]. */
type ClockFormat = readonly number[];

const formats = new Map<string, ClockFormat | null>();
const FORMAT_CACHE_LIMIT = 100;

/** A format made of dd, hh, mm, ss (each at most once, largest first) joined by ':', or null. */
export function parseClockFormat(format: string): ClockFormat | null {
  let parsed = formats.get(format);
  if (parsed === undefined) {
    parsed = parseUncached(format);
    // Formats come from templates, so there are few; the limit only guards against misuse.
    if (formats.size >= FORMAT_CACHE_LIMIT) formats.clear();
    formats.set(format, parsed);
  }
  return parsed;
}

function parseUncached(format: string): ClockFormat | null {
  const sizes: number[] = [];
  let previous = -1;
  for (const part of format.split(':')) {
    const index = ORDER.indexOf(part as ClockToken);
    if (index <= previous) return null;
    sizes.push(UNIT_MS[part as ClockToken]);
    previous = index;
  }
  return sizes;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * luxon's `Duration.fromMillis(ms).toFormat(format)` for a clock format, or null when the value
 * or the format is outside what is proven identical (the caller then asks luxon). As luxon does:
 * the largest unit takes everything above it (`hh:mm:ss` of two days is `48:00:00`), each smaller
 * unit the rest, every number rounded down and padded to at least two digits.
 */
export function clockDuration(ms: number, format: string): string | null {
  if (!(ms >= 0 && ms < CLOCK_LIMIT_MS) || !Number.isInteger(ms) || !luxonWritesAsciiDigits()) return null;
  const sizes = parseClockFormat(format);
  if (sizes === null) return null;
  let out = '';
  let rest = ms;
  for (let i = 0; i < sizes.length; i++) {
    const size = sizes[i]!;
    const count = Math.floor(rest / size);
    rest -= count * size;
    out += i === 0 ? pad2(count) : `:${pad2(count)}`;
  }
  return out;
}

/** luxon writes duration numbers with plain ASCII digits under its current defaults (luxon-defaults.ts). */
const luxonWritesAsciiDigits = whileLuxonDefaultsAllow(
  () => Duration.fromMillis(1_234_567_890).toFormat('S') === '1234567890' && Duration.fromMillis(93_784_000).toFormat('dd:hh:mm:ss') === '01:02:03:04',
);
