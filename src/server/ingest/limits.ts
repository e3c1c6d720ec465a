/**
 * Bounds on one ingestion batch. The route also caps the body size in bytes; these bound the work a
 * body can cause once it is in memory and what a sample may carry into the engine (names, tags,
 * time), and each one is reported as an error naming the limit. The defaults are those of
 * schemas/limits.schema.json (src/server/limits.ts reads it).
 */
import { DEFAULT_LIMITS, ingestLimitsOf } from '../limits.js';

export interface IngestLimits {
  /** Characters in one line of line protocol or NDJSON. Long enough for a 64 KiB Telegraf string field. */
  maxLineLength: number;
  /** Fields in one line of line protocol (each field becomes a sample). */
  maxFieldsPerLine: number;
  /** Data lines of line protocol or NDJSON, or items of a JSON array (blank and comment lines do not count). */
  maxBatchLines: number;
  /** Errors listed in one response; the rest are counted in a final `too-many-errors` entry. */
  maxErrors: number;
  /** Characters (UTF-16 code units) of a metric name; for line protocol the name is `measurement.field`. */
  maxMetricNameLength: number;
  maxEntityNameLength: number;
  maxTagKeyLength: number;
  maxTagValueLength: number;
  /** Tags of one sample (the tag that names the entity in line protocol is not one). */
  maxTagsPerSample: number;
  /** A sample older than this before `now` is refused (a unit mistake reads seconds as 1970). */
  maxSampleAgeMs: number;
  /** A sample later than this after `now` is refused. */
  maxSampleFutureMs: number;
}

export const DEFAULT_INGEST_LIMITS: Readonly<IngestLimits> = Object.freeze(ingestLimitsOf(DEFAULT_LIMITS));

export function resolveLimits(overrides: Partial<IngestLimits> | undefined): IngestLimits {
  return overrides === undefined ? DEFAULT_INGEST_LIMITS : { ...DEFAULT_INGEST_LIMITS, ...overrides };
}

/** How a rejected sender or its operator gets past a limit, named as `--limit` spells it. */
export function raiseHint(what: string, limit: string): string {
  return `${what}, or ask the operator to raise ${limit} (tocsin run --limit ${limit}=…)`;
}
