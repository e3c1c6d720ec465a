/**
 * Numbers of line protocol, read straight from the body text by index range (no substring on the
 * common path): float, integer (`5i`), unsigned (`5u`) field values and timestamps.
 *
 * Results are numbers with two sentinels, so the scanner's hot loop allocates nothing:
 * NaN means "not this syntax", ±Infinity means "syntax fine, value out of range".
 */
import { DOT, LOWER_E, MINUS, NINE, PLUS, UPPER_E, ZERO } from './char-codes.js';


/**
 * Powers of ten that are exact doubles. A mantissa below 2^53 divided by one of them is correctly
 * rounded (one IEEE division of two exact values), which is Clinger's fast path: `98.2` parses to
 * exactly what `Number('98.2')` gives, without creating the string.
 */
const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
const MAX_EXACT_DIGITS = 15;

const isDigit = (code: number): boolean => code >= ZERO && code <= NINE;

/**
 * A float field value as InfluxDB reads it: `-?(digits[.digits]|.digits)([eE][+-]?digits)?`
 * (`1`, `1.5`, `-.5`, `1.`, `1e3`, `6.02E+23`). No `+` sign, no `inf`/`nan`: a non-finite value has
 * no place in a sample.
 */
export function parseFloatToken(text: string, start: number, end: number): number {
  let i = start;
  const negative = i < end && text.charCodeAt(i) === MINUS;
  if (negative) i++;
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = 0;
  for (; i < end; i++) {
    const code = text.charCodeAt(i);
    if (!isDigit(code)) break;
    mantissa = mantissa * 10 + (code - ZERO);
    digits++;
  }
  if (i < end && text.charCodeAt(i) === DOT) {
    for (i++; i < end; i++) {
      const code = text.charCodeAt(i);
      if (!isDigit(code)) break;
      mantissa = mantissa * 10 + (code - ZERO);
      digits++;
      fractionDigits++;
    }
  }
  if (digits === 0) return Number.NaN;
  if (i === end) {
    if (digits <= MAX_EXACT_DIGITS) {
      const value = mantissa / (POW10[fractionDigits] ?? 1);
      return negative ? -value : value;
    }
    return Number(text.slice(start, end));
  }
  const marker = text.charCodeAt(i);
  if (marker !== LOWER_E && marker !== UPPER_E) return Number.NaN;
  i++;
  if (i < end && (text.charCodeAt(i) === PLUS || text.charCodeAt(i) === MINUS)) i++;
  const exponentStart = i;
  while (i < end && isDigit(text.charCodeAt(i))) i++;
  if (i === exponentStart || i !== end) return Number.NaN;
  // Rare forms go to the engine's own correctly rounded conversion; the syntax is already ours.
  return Number(text.slice(start, end));
}

const INT64_MAX = '9223372036854775807';
const INT64_MIN_MAGNITUDE = '9223372036854775808';
const UINT64_MAX = '18446744073709551615';

/** Index of the first non-'0' digit in [start, end), or `end` when all are zeros. */
function skipLeadingZeros(text: string, start: number, end: number): number {
  let i = start;
  while (i < end && text.charCodeAt(i) === ZERO) i++;
  return i;
}

/** Whether the digit string [start, end) (no leading zeros) is greater than `limit`. */
function exceeds(text: string, start: number, end: number, limit: string): boolean {
  const length = end - start;
  if (length !== limit.length) return length > limit.length;
  for (let i = 0; i < length; i++) {
    const difference = text.charCodeAt(start + i) - limit.charCodeAt(i);
    if (difference !== 0) return difference > 0;
  }
  return false;
}

/** Whether [start, end) is one or more digits. */
function allDigits(text: string, start: number, end: number): boolean {
  if (start >= end) return false;
  for (let i = start; i < end; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}

/** Digits [start, end) as a number; exact up to 15 digits, nearest double beyond. */
function digitsValue(text: string, start: number, end: number): number {
  if (end - start > MAX_EXACT_DIGITS) return Number(text.slice(start, end));
  let value = 0;
  for (let i = start; i < end; i++) value = value * 10 + (text.charCodeAt(i) - ZERO);
  return value;
}

/**
 * An integer field value without its `i` suffix: `-?digits` within int64, as InfluxDB stores it.
 * Beyond ±2^53 the sample value is the nearest double (samples carry numbers).
 */
export function parseIntegerToken(text: string, start: number, end: number): number {
  const negative = start < end && text.charCodeAt(start) === MINUS;
  const digitsStart = negative ? start + 1 : start;
  if (!allDigits(text, digitsStart, end)) return Number.NaN;
  const significant = skipLeadingZeros(text, digitsStart, end);
  if (exceeds(text, significant, end, negative ? INT64_MIN_MAGNITUDE : INT64_MAX)) return negative ? -Infinity : Infinity;
  const magnitude = digitsValue(text, significant, end);
  return negative && magnitude !== 0 ? -magnitude : magnitude;
}

/** An unsigned field value without its `u` suffix: digits within uint64. */
export function parseUnsignedToken(text: string, start: number, end: number): number {
  if (!allDigits(text, start, end)) return Number.NaN;
  const significant = skipLeadingZeros(text, start, end);
  if (exceeds(text, significant, end, UINT64_MAX)) return Infinity;
  return digitsValue(text, significant, end);
}

export type Precision = 'ns' | 'us' | 'ms' | 's';

export const PRECISIONS: readonly Precision[] = ['ns', 'us', 'ms', 's'];

/**
 * The `precision` query parameter. InfluxDB 1.x clients spell nanoseconds and microseconds `n` and
 * `u`; both spellings are accepted. Minutes and hours (`m`, `h`, 1.x only) are not.
 */
export function parsePrecision(text: string): Precision | null {
  switch (text) {
    case 'ns': case 'n': return 'ns';
    case 'us': case 'u': return 'us';
    case 'ms': return 'ms';
    case 's': return 's';
    default: return null;
  }
}

/** Digits dropped to reach milliseconds, and the factor applied after. */
const DROPPED_DIGITS: Record<Precision, number> = { ns: 6, us: 3, ms: 0, s: 0 };
const MILLIS_FACTOR: Record<Precision, number> = { ns: 1, us: 1, ms: 1, s: 1000 };

/**
 * InfluxDB's timestamp range (int64 nanoseconds minus one at each end, about 1677 to 2262),
 * expressed in each precision's unit so the check is a comparison of digit strings.
 */
const MAX_MAGNITUDE: Record<Precision, string> = {
  ns: '9223372036854775806',
  us: '9223372036854775',
  ms: '9223372036854',
  s: '9223372036',
};

/**
 * A timestamp `-?digits` in `precision` units, as epoch milliseconds. The division is done on the
 * digits, never through a double: a 19-digit nanosecond value is not exact as a number, but its
 * leading 13 digits are. Sub-millisecond remainders round toward the past (floor), so a sample
 * never lands in a later millisecond than it happened.
 */
export function timestampToMillis(text: string, start: number, end: number, precision: Precision): number {
  const negative = start < end && text.charCodeAt(start) === MINUS;
  const digitsStart = negative ? start + 1 : start;
  if (!allDigits(text, digitsStart, end)) return Number.NaN;
  const significant = skipLeadingZeros(text, digitsStart, end);
  if (exceeds(text, significant, end, MAX_MAGNITUDE[precision])) return negative ? -Infinity : Infinity;
  const keptEnd = Math.max(significant, end - DROPPED_DIGITS[precision]);
  const millis = digitsValue(text, significant, keptEnd) * MILLIS_FACTOR[precision];
  if (!negative) return millis;
  let remainder = false;
  for (let i = keptEnd; i < end; i++) {
    if (text.charCodeAt(i) !== ZERO) {
      remainder = true;
      break;
    }
  }
  const floored = -millis - (remainder ? 1 : 0);
  return floored === 0 ? 0 : floored;
}

/** `now` as InfluxDB stamps a point without a timestamp: truncated to the batch's precision. */
export function defaultTime(now: number, precision: Precision): number {
  return precision === 's' ? Math.floor(now / 1000) * 1000 : Math.floor(now);
}
