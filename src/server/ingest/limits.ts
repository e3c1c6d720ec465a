/**
 * Bounds on one ingestion batch. The route also caps the body size in bytes; these bound the work a
 * body can cause once it is in memory, and each one is reported as an error naming the limit.
 */
export interface IngestLimits {
  /** Characters in one line of line protocol or NDJSON. Long enough for a 64 KiB Telegraf string field. */
  maxLineLength: number;
  /** Fields in one line of line protocol (each field becomes a sample). */
  maxFieldsPerLine: number;
  /** Data lines of line protocol or NDJSON, or items of a JSON array (blank and comment lines do not count). */
  maxBatchLines: number;
  /** Errors listed in one response; the rest are counted in a final `too-many-errors` entry. */
  maxErrors: number;
}

export const DEFAULT_INGEST_LIMITS: Readonly<IngestLimits> = Object.freeze({
  maxLineLength: 256 * 1024,
  maxFieldsPerLine: 1000,
  maxBatchLines: 100_000,
  maxErrors: 1000,
});

export function resolveLimits(overrides: Partial<IngestLimits> | undefined): IngestLimits {
  return overrides === undefined ? DEFAULT_INGEST_LIMITS : { ...DEFAULT_INGEST_LIMITS, ...overrides };
}
