/**
 * The server's limits (SPEC §7): body sizes, ingestion bounds (lengths of names, tags per sample,
 * sample age), HTTP timeouts and the connection cap. Their names, kinds and defaults live in
 * schemas/limits.schema.json; operators override them with `--limit NAME=VALUE` or TOCSIN_LIMITS.
 *
 * Parsing is a pure function of the texts given, so `tocsin run` can refuse a bad setting with a
 * usage error before it opens anything.
 */
import { readFileSync } from 'node:fs';
import { closest } from '../parser/diagnostics.js';
import { formatDuration, parseDuration } from '../model/duration.js';
import type { IngestLimits } from './ingest/limits.js';

interface LimitSchema {
  properties: Record<string, { description: string; allOf: Array<{ $ref: string }>; default: number | string }>;
}

// Two levels up from both src/server/ and dist/server/ is the package root.
const SCHEMA_URL = new URL('../../schemas/limits.schema.json', import.meta.url);
const SCHEMA = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as LimitSchema;

export type LimitName =
  | 'body_size' | 'ingest_body_size'
  | 'max_batch_lines' | 'max_line_length' | 'max_fields_per_line' | 'max_errors'
  | 'max_metric_name_length' | 'max_entity_name_length'
  | 'max_tag_key_length' | 'max_tag_value_length' | 'max_tags_per_sample'
  | 'max_sample_age' | 'max_sample_future'
  | 'headers_timeout' | 'request_timeout' | 'keep_alive_timeout' | 'connection_timeout' | 'max_connections'
  | 'outbox_budget';

/** Every limit as a number: counts as they are, durations in milliseconds. */
export type LimitValues = Record<LimitName, number>;

export type LimitKind = 'count' | 'duration';

export const LIMIT_NAMES = Object.keys(SCHEMA.properties) as LimitName[];

export function limitKind(name: LimitName): LimitKind {
  return SCHEMA.properties[name]!.allOf[0]!.$ref.endsWith('/duration') ? 'duration' : 'count';
}

/** The default as the schema writes it (`365d`, `1048576`). */
export function limitDefaultText(name: LimitName): string {
  return String(SCHEMA.properties[name]!.default);
}

export function limitDescription(name: LimitName): string {
  return SCHEMA.properties[name]!.description;
}

function valueOf(name: LimitName, text: string): number | null {
  if (limitKind(name) === 'duration') {
    const ms = parseDuration(text);
    return ms !== null && ms > 0 ? ms : null;
  }
  if (!/^\d+$/.test(text.trim())) return null;
  const count = Number(text.trim());
  return Number.isSafeInteger(count) && count >= 1 ? count : null;
}

export const DEFAULT_LIMITS: Readonly<LimitValues> = Object.freeze(
  Object.fromEntries(LIMIT_NAMES.map((name) => [name, valueOf(name, limitDefaultText(name))!])) as LimitValues,
);

export type LimitsResult = { ok: true; limits: LimitValues } | { ok: false; error: string; hint: string };

/**
 * Limits from `NAME=VALUE` settings: TOCSIN_LIMITS (comma-separated) first, then each `--limit`, so
 * a flag wins over the environment. The first bad setting is reported with its origin.
 */
export function parseLimitSettings(flags: readonly string[], env: string | undefined): LimitsResult {
  const limits: LimitValues = { ...DEFAULT_LIMITS };
  const settings = [
    ...(env ?? '').split(',').filter((part) => part.trim() !== '').map((text) => ({ text, origin: 'TOCSIN_LIMITS' })),
    ...flags.map((text) => ({ text, origin: '--limit' })),
  ];
  for (const { text, origin } of settings) {
    const equals = text.indexOf('=');
    if (equals === -1) {
      const example = origin === '--limit'
        ? '--limit max_sample_age=30d'
        : "TOCSIN_LIMITS='max_sample_age=30d,max_connections=500'";
      return { ok: false, error: `${origin} '${text}' is not NAME=VALUE`, hint: `e.g. ${example}` };
    }
    const name = text.slice(0, equals).trim();
    const value = text.slice(equals + 1).trim();
    if (!(LIMIT_NAMES as string[]).includes(name)) {
      const guess = closest(name, LIMIT_NAMES);
      return {
        ok: false,
        error: `${origin}: unknown limit '${name}'${guess ? ` (did you mean '${guess}'?)` : ''}`,
        hint: `limits are ${LIMIT_NAMES.join(', ')} (docs/operations.md#limits)`,
      };
    }
    const limit = name as LimitName;
    const parsed = valueOf(limit, value);
    if (parsed === null) {
      const expected = limitKind(limit) === 'duration'
        ? 'a duration such as 30s, 5m or 365d'
        : 'a whole number of at least 1';
      const hint = `the default is ${limitDefaultText(limit)}`;
      return { ok: false, error: `${origin}: ${limit} '${value}' is not ${expected}`, hint };
    }
    limits[limit] = parsed;
  }
  if (limits.headers_timeout > limits.request_timeout) {
    return {
      ok: false,
      error: `headers_timeout (${formatDuration(limits.headers_timeout)}) is longer than `
        + `request_timeout (${formatDuration(limits.request_timeout)})`,
      hint: 'the request timeout covers the headers too; raise request_timeout or lower headers_timeout',
    };
  }
  return { ok: true, limits };
}

/** The ingestion parsers' view of the limits. */
export function ingestLimitsOf(limits: LimitValues): IngestLimits {
  return {
    maxLineLength: limits.max_line_length,
    maxFieldsPerLine: limits.max_fields_per_line,
    maxBatchLines: limits.max_batch_lines,
    maxErrors: limits.max_errors,
    maxMetricNameLength: limits.max_metric_name_length,
    maxEntityNameLength: limits.max_entity_name_length,
    maxTagKeyLength: limits.max_tag_key_length,
    maxTagValueLength: limits.max_tag_value_length,
    maxTagsPerSample: limits.max_tags_per_sample,
    maxSampleAgeMs: limits.max_sample_age,
    maxSampleFutureMs: limits.max_sample_future,
  };
}
