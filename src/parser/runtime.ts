/**
 * What both evaluators (the interpreter and the generated code) call at run time: the scalar and
 * window functions, LIKE, and the few readings that are more than a type test. One module, so the
 * two tiers cannot drift apart on what a tag or a time reads as.
 */
import * as functions from './functions.js';
import { like } from './like.js';
import * as win from './window.js';

export type Value = number | string | boolean | null;
export type EvaluationContext = object;

/** A tag value as text: numbers and booleans are shown as text, anything else is null. */
export function tagText(raw: unknown): string | null {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  return null;
}

/** Whether some number or boolean reads as this text through `tagText`. */
export function textOfNumberOrBoolean(text: string): boolean {
  return text === 'true' || text === 'false' || String(Number(text)) === text;
}

/** A time given as text (ISO 8601): epoch milliseconds, or null when it does not parse. */
export function parseTime(text: string): number | null {
  const t = Date.parse(text);
  return Number.isFinite(t) ? t : null;
}

/** `tags[key]` with a computed key: own keys only, the value as text. */
export function mapGet(map: unknown, key: unknown): string | null {
  if (typeof map !== 'object' || map === null || typeof key !== 'string' || !Object.hasOwn(map, key)) return null;
  return tagText((map as Record<string, unknown>)[key]);
}

/** Keys that a plain object inherits; reading them must check ownership. */
export function inherited(key: string): boolean {
  return key === '__proto__' || key in Object.prototype;
}

/** The context an evaluation sees when it is given something that is not an object. */
export const EMPTY: EvaluationContext = Object.freeze({});

export const runtime = { ...functions, ...win, like, parseTime, mapGet, tagText };

/** Window functions by the name the language gives them. */
export const WINDOW_FUNCTIONS = {
  avg: 'wAvg', min: 'wMin', max: 'wMax', sum: 'wSum', count: 'wCount', median: 'wMedian',
  stdev: 'wStdev', variance: 'wVariance', first: 'wFirst', last: 'wLast', delta: 'wDelta',
  rate: 'wRate', wavg: 'wWavg', percentile: 'wPercentile',
} as const satisfies Record<string, keyof typeof win>;
