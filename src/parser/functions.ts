/**
 * Scalar functions of the expression language. Every function takes nulls and returns null (or
 * false for predicates) instead of throwing, and never returns NaN or ±Infinity: a result that is
 * not a finite number is null, as a divide by zero is.
 */
import { DateTime } from 'luxon';

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

export function abs(x: number | null): number | null {
  return x === null ? null : Math.abs(x);
}

/**
 * x · 10^digits (x ≥ 0) computed on the decimal text, so 1.005 shifted by 2 is exactly 100.5 and
 * not 100.49999…. Below 1e-6 and from 1e21 on the text already has an exponent (`1e-7`), which
 * must be added to rather than appended to; the common range takes the short path.
 */
function shiftDecimal(x: number, digits: number): number {
  if ((x >= 1e-6 && x < 1e21) || x === 0) return Number(`${x}e${digits}`);
  const text = String(x);
  const e = text.indexOf('e');
  return e < 0 ? Number(`${text}e${digits}`) : Number(`${text.slice(0, e)}e${Number(text.slice(e + 1)) + digits}`);
}

/** Half away from zero (2.5 → 3, −2.5 → −3), with decimal digits; robust to binary fractions (1.005 → 1.01). */
export function round(x: number | null, digits: number | null = 0): number | null {
  if (x === null || digits === null) return null;
  const d = Math.max(-15, Math.min(15, Math.trunc(digits)));
  const rounded = shiftDecimal(Math.round(shiftDecimal(Math.abs(x), d)), -d);
  // Overflowing the shift (1e308 to 2 digits) means x has no decimals to round.
  if (!Number.isFinite(rounded)) return Number.isFinite(x) ? x : null;
  return rounded === 0 ? 0 : x < 0 ? -rounded : rounded;
}

export function floor(x: number | null): number | null {
  return x === null ? null : Math.floor(x);
}

export function ceil(x: number | null): number | null {
  return x === null ? null : Math.ceil(x);
}

export function sqrt(x: number | null): number | null {
  return x === null ? null : finite(Math.sqrt(x));
}

export function log(x: number | null, base?: number | null): number | null {
  if (x === null || base === null) return null;
  if (base === undefined) return finite(Math.log(x));
  return finite(Math.log(x) / Math.log(base));
}

export function exp(x: number | null): number | null {
  return x === null ? null : finite(Math.exp(x));
}

export function pow(x: number | null, y: number | null): number | null {
  return x === null || y === null ? null : finite(Math.pow(x, y));
}

export function lower(s: string | null): string | null {
  return s === null ? null : s.toLowerCase();
}

export function upper(s: string | null): string | null {
  return s === null ? null : s.toUpperCase();
}

export function contains(s: string | null, part: string | null): boolean {
  return s !== null && part !== null && s.includes(part);
}

export function startsWith(s: string | null, prefix: string | null): boolean {
  return s !== null && prefix !== null && s.startsWith(prefix);
}

export function endsWith(s: string | null, suffix: string | null): boolean {
  return s !== null && suffix !== null && s.endsWith(suffix);
}

export function length(s: string | null): number | null {
  return s === null ? null : [...s].length;
}

const NUMERIC = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

export function toNumber(x: number | string | boolean | null): number | null {
  if (x === null) return null;
  if (typeof x === 'number') return finite(x);
  if (typeof x === 'boolean') return x ? 1 : 0;
  return NUMERIC.test(x) ? finite(Number(x)) : null;
}

export function coalesce(...values: unknown[]): unknown {
  for (const x of values) if (x !== null && x !== undefined) return x;
  return null;
}

export function hour(time: number | null, zone: string): number | null {
  if (time === null) return null;
  const t = DateTime.fromMillis(time, { zone });
  return t.isValid ? t.hour : null;
}

export function dayOfWeek(time: number | null, zone: string): number | null {
  if (time === null) return null;
  const t = DateTime.fromMillis(time, { zone });
  return t.isValid ? t.weekday : null;
}

/** Arithmetic helpers used by compiled code for the cases that need a check. */
export function divide(a: number, b: number): number | null {
  return b === 0 ? null : finite(a / b);
}

export function modulo(a: number, b: number): number | null {
  return b === 0 ? null : finite(a % b);
}
