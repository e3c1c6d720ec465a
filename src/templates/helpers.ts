/**
 * The Handlebars helpers templates may call (SPEC §5), and the catalogue the checker validates
 * calls against: arity, hash options, block or not. Every helper is total: a value it cannot use
 * gives empty text (or false), never an exception, so a template that passed its check cannot fail
 * at send time.
 */
import { DateTime, Duration, IANAZone, Settings } from 'luxon';
import { formatDuration } from '../model/duration.js';
import { clockDuration } from './clock-duration.js';
import { canonicalUtc, formatUtc, luxonWritesPlainEnglish } from './utc-date.js';
import { toText } from './context.js';
import { activeBudget } from './budget.js';

export interface HelperSpec {
  name: string;
  /** Positional parameters: at least `min`, at most `max` (Infinity: variadic). */
  min: number;
  max: number;
  /** Allowed hash options (`tz="UTC"`). */
  hash: readonly string[];
  /** Used as `{{#name …}}…{{/name}}` (the built-ins if, unless, each, with). */
  block: boolean;
  signature: string;
  description: string;
  /** Absent for Handlebars' own built-ins. */
  fn?: (...args: unknown[]) => unknown;
}

type Options = { hash?: Record<string, unknown> };

/**
 * Handlebars passes its options object last; helpers see only their own arguments. The text a
 * helper makes is charged to the render budget (budget.ts), printed or not: `{{json @root}}` in a
 * loop is work even inside a condition.
 */
function helper(fn: (args: unknown[], hash: Record<string, unknown>) => unknown): (...args: unknown[]) => unknown {
  return (...all: unknown[]) => {
    const options = all[all.length - 1] as Options | undefined;
    let result: unknown;
    try {
      result = fn(all.slice(0, -1), options?.hash ?? {});
    } catch {
      return '';
    }
    if (typeof result === 'string') activeBudget()?.charge(result.length);
    return result;
  };
}

function toDateTime(value: unknown): DateTime | null {
  let dt: DateTime | null = null;
  if (typeof value === 'number' && Number.isFinite(value)) dt = DateTime.fromMillis(value, { zone: 'utc' });
  else if (typeof value === 'string' && value !== '') dt = DateTime.fromISO(value, { zone: 'utc' });
  return dt !== null && dt.isValid ? dt : null;
}

/**
 * Answers by zone name, kept: luxon's check builds an Intl.DateTimeFormat every time (over a
 * millisecond on a loaded machine), and formatDate asks once per call, in loops too. Bounded,
 * since a zone can come from event data.
 */
const zoneValidity = new Map<string, boolean>();

export function isValidTimeZone(zone: string): boolean {
  if (zone.toUpperCase() === 'UTC') return true;
  let valid = zoneValidity.get(zone);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(zone);
    if (zoneValidity.size >= 1000) zoneValidity.clear();
    zoneValidity.set(zone, valid);
  }
  return valid;
}

/**
 * Luxon results by their arguments. Outside UTC some formats cost a millisecond and more (a named
 * offset, `ZZZZ`, builds an Intl.DateTimeFormat per call), and a template in a loop formats the
 * same time over and over: with this, a render computes each distinct one once. Bounded.
 */
const luxonResults = new Map<string, string>();
let luxonDefaults: unknown[] = [];
const primitive = (x: unknown) => x === undefined || x === null || typeof x === 'string' || typeof x === 'number';

/** `{{formatDate open_time "yyyy-LL-dd HH:mm" tz="Europe/Berlin" locale="de"}}`; no format: ISO 8601. */
export function formatDate(value: unknown, format?: unknown, tz?: unknown, locale?: unknown): string {
  const fast = typeof value === 'string' && isUtc(tz) && isEnUs(locale) ? utcFast(value, format) : null;
  if (fast !== null) return fast;
  if (!primitive(value) || !primitive(format) || !primitive(tz) || !primitive(locale)) {
    return formatDateWithLuxon(value, format, tz, locale);
  }
  // Luxon's process-wide defaults shape the output too (numbering system, calendar): a change
  // empties the memo. Compared by identity (a zone's name can cost an Intl.DateTimeFormat).
  const defaults = [
    Settings.defaultLocale,
    Settings.defaultNumberingSystem,
    Settings.defaultOutputCalendar,
    Settings.defaultZone,
  ];
  if (defaults.some((d, i) => d !== luxonDefaults[i])) {
    luxonResults.clear();
    luxonDefaults = defaults;
  }
  const key = [value, format, tz, locale].map((x) => `${typeof x}:${String(x)}`).join('\u0000');
  let result = luxonResults.get(key);
  if (result === undefined) {
    result = formatDateWithLuxon(value, format, tz, locale);
    if (luxonResults.size >= 10_000) luxonResults.clear();
    luxonResults.set(key, result);
  }
  return result;
}

/** formatDate through luxon alone: every case the hand-written UTC path does not take, and its reference in tests. */
export function formatDateWithLuxon(value: unknown, format?: unknown, tz?: unknown, locale?: unknown): string {
  const parsed = toDateTime(value);
  if (parsed === null) return '';
  const zone = typeof tz === 'string' && tz !== '' ? tz : 'UTC';
  if (!isValidTimeZone(zone)) return '';
  const dt = parsed.setZone(zone).setLocale(typeof locale === 'string' && locale !== '' ? locale : 'en-US');
  if (!dt.isValid) return '';
  switch (format) {
    case undefined:
    case null:
    case 'iso':
      return dt.toISO() ?? '';
    case 'rfc2822':
      return dt.toRFC2822() ?? '';
    case 'http':
      return dt.toHTTP() ?? '';
    case 'millis':
      return String(dt.toMillis());
    case 'seconds':
      return String(Math.floor(dt.toSeconds()));
    default:
      return typeof format === 'string' ? dt.toFormat(format) : '';
  }
}

const isUtc = (tz: unknown) => tz === undefined || tz === null || tz === '' || tz === 'UTC';
const isEnUs = (locale: unknown) => locale === undefined || locale === null || locale === '' || locale === 'en-US';

/**
 * formatDate of an event time (Date#toISOString's shape) in UTC and en-US, the case of every
 * preset, without luxon (utc-date.ts); null when not covered, and luxon does it. The ISO form of
 * such a time in UTC is the text itself.
 */
function utcFast(value: string, format: unknown): string | null {
  const fields = canonicalUtc(value);
  if (fields === null) return null;
  switch (format) {
    case undefined:
    case null:
    case 'iso':
      return luxonWritesPlainEnglish() ? value : null;
    case 'millis':
      return String(fields.ms);
    case 'seconds':
      return String(Math.floor(fields.ms / 1000));
    default:
      return typeof format === 'string' ? formatUtc(fields, format) : null;
  }
}

/** `{{duration alert_duration}}` → `1h 5m`; with a luxon format: `{{duration alert_duration "hh:mm:ss"}}`. Seconds unless unit="ms". */
export function duration(value: unknown, format?: unknown, unit?: unknown): string {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(number)) return '';
  const ms = unit === 'ms' ? number : number * 1000;
  if (typeof format === 'string' && format !== '') {
    const whole = Math.round(ms);
    // Clock formats (the flat preset's dd:hh:mm:ss) are written by hand, identically; luxon does the rest.
    return clockDuration(whole, format) ?? Duration.fromMillis(whole).toFormat(format);
  }
  return formatDuration(ms);
}

/** Half away from zero, on the decimal digits people see (1.005 → 1.01), not on the binary value. */
export function round(value: unknown, digits?: unknown): number | '' {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(number)) return '';
  const places = typeof digits === 'number' && Number.isInteger(digits) ? Math.max(-15, Math.min(15, digits)) : 0;
  const magnitude = Math.abs(number);
  const rounded = Number(`${Math.round(Number(`${magnitude}e${places}`))}e${-places}`);
  const result = Math.sign(number) * rounded;
  // Very large or tiny magnitudes make the exponent trick overflow; fall back to the plain value.
  return Number.isFinite(result) ? (Object.is(result, -0) ? 0 : result) : number;
}

const comparable = (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');

const HELPER_LIST: HelperSpec[] = [
  {
    name: 'formatDate', min: 1, max: 2, hash: ['tz', 'locale'], block: false,
    signature: '{{formatDate time "yyyy-LL-dd HH:mm" tz="UTC" locale="en-US"}}',
    description: 'Formats an ISO 8601 time or epoch milliseconds with a luxon format (or iso, rfc2822, http, millis, seconds) in a time zone (default UTC).',
    fn: helper(([value, format], hash) => formatDate(value, format, hash.tz, hash.locale)),
  },
  {
    name: 'duration', min: 1, max: 2, hash: ['unit'], block: false,
    signature: '{{duration seconds ["hh:mm:ss"] unit="ms"}}',
    description: 'Seconds (or unit="ms" milliseconds) as 1h 5m, or with a luxon duration format.',
    fn: helper(([value, format], hash) => duration(value, format, hash.unit)),
  },
  {
    name: 'round', min: 1, max: 2, hash: [], block: false,
    signature: '{{round value 2}}',
    description: 'Rounds a number to N decimal digits (default 0), half away from zero.',
    fn: helper(([value, digits]) => round(value, digits)),
  },
  {
    name: 'json', min: 1, max: 1, hash: [], block: false,
    signature: '{{json labels}}',
    description: 'The value as JSON text.',
    fn: helper(([value]) => JSON.stringify(value ?? null)),
  },
  {
    name: 'default', min: 2, max: 2, hash: [], block: false,
    signature: '{{default entity.label entity.name}}',
    description: 'The value, or the fallback when it is missing, null or empty.',
    fn: helper(([value, fallback]) => (value === null || value === undefined || value === '' ? fallback : value)),
  },
  { name: 'eq', min: 2, max: 2, hash: [], block: false, signature: '(eq status "open")', description: 'Equal (same type and value).', fn: helper(([a, b]) => a === b) },
  { name: 'ne', min: 2, max: 2, hash: [], block: false, signature: '(ne status "cancel")', description: 'Not equal.', fn: helper(([a, b]) => a !== b) },
  { name: 'gt', min: 2, max: 2, hash: [], block: false, signature: '(gt value 90)', description: 'Greater than (two numbers or two texts; otherwise false).', fn: helper(([a, b]) => comparable(a, b) && (a as number) > (b as number)) },
  { name: 'lt', min: 2, max: 2, hash: [], block: false, signature: '(lt value 10)', description: 'Less than.', fn: helper(([a, b]) => comparable(a, b) && (a as number) < (b as number)) },
  { name: 'gte', min: 2, max: 2, hash: [], block: false, signature: '(gte value 90)', description: 'Greater than or equal.', fn: helper(([a, b]) => comparable(a, b) && (a as number) >= (b as number)) },
  { name: 'lte', min: 2, max: 2, hash: [], block: false, signature: '(lte value 10)', description: 'Less than or equal.', fn: helper(([a, b]) => comparable(a, b) && (a as number) <= (b as number)) },
  { name: 'and', min: 2, max: Infinity, hash: [], block: false, signature: '(and a b …)', description: 'True when every argument is truthy.', fn: helper((args) => args.every(Boolean)) },
  { name: 'or', min: 2, max: Infinity, hash: [], block: false, signature: '(or a b …)', description: 'True when any argument is truthy.', fn: helper((args) => args.some(Boolean)) },
  { name: 'not', min: 1, max: 1, hash: [], block: false, signature: '(not entity.enabled)', description: 'True when the argument is falsy.', fn: helper(([a]) => !a) },
  { name: 'upper', min: 1, max: 1, hash: [], block: false, signature: '{{upper status}}', description: 'Upper case text.', fn: helper(([a]) => toText(a).toUpperCase()) },
  { name: 'lower', min: 1, max: 1, hash: [], block: false, signature: '{{lower severity}}', description: 'Lower case text.', fn: helper(([a]) => toText(a).toLowerCase()) },
  // Handlebars' own (log is left out: templates must not write to the server log).
  { name: 'if', min: 1, max: 1, hash: [], block: true, signature: '{{#if x}}…{{else}}…{{/if}}', description: 'Renders the block when x is truthy.' },
  { name: 'unless', min: 1, max: 1, hash: [], block: true, signature: '{{#unless x}}…{{/unless}}', description: 'Renders the block when x is falsy.' },
  { name: 'each', min: 1, max: 1, hash: [], block: true, signature: '{{#each tags}}{{@key}}={{this}} {{/each}}', description: 'Renders the block for each item of a list or map (@key, @index, @first, @last).' },
  { name: 'with', min: 1, max: 1, hash: [], block: true, signature: '{{#with entity}}{{name}}{{/with}}', description: 'Renders the block with x as the context.' },
  { name: 'lookup', min: 2, max: 2, hash: [], block: false, signature: '{{lookup tags "image-name"}}', description: 'Reads a key that is not a plain name (dashes, dots, spaces).' },
];

export const HELPERS: ReadonlyMap<string, HelperSpec> = new Map(HELPER_LIST.map((spec) => [spec.name, spec]));
