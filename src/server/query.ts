/**
 * Query parameters shared by the list routes: paging (`limit`, `before`) and times (`since`,
 * `until` as ISO 8601, epoch ms, or a duration meaning "that long ago").
 */
import { parseDuration } from '../model/duration.js';
import { ApiError } from './errors.js';

export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

/**
 * Query strings are not coerced (an unknown shape is a 400, not a guess), so numbers arrive as
 * digit strings and are converted here.
 */
export const pageQueryProperties = {
  limit: { type: 'string', pattern: '^[0-9]{1,7}$', description: `rows per page, 1 to ${MAX_PAGE} (default ${DEFAULT_PAGE})` },
  before: { type: 'string', pattern: '^[0-9]{1,15}$', description: 'only rows older than this id: the nextBefore of the previous page' },
} as const;

export const timeQueryProperties = {
  since: { type: 'string', minLength: 1, maxLength: 40, description: 'from this time on (inclusive): ISO 8601, epoch ms, or a duration ago (2h)' },
  until: { type: 'string', minLength: 1, maxLength: 40, description: 'before this time (exclusive): ISO 8601, epoch ms, or a duration ago (30m)' },
} as const;

export interface Page {
  limit: number;
  beforeId?: number;
}

export function parsePage(query: { limit?: string; before?: string }): Page {
  const limit = query.limit === undefined ? DEFAULT_PAGE : Number(query.limit);
  if (limit < 1 || limit > MAX_PAGE) {
    throw new ApiError(400, 'invalid_query', `limit ${query.limit} is out of range`, { hint: `ask for 1 to ${MAX_PAGE} rows and page on with ?before=<nextBefore>` });
  }
  return query.before === undefined ? { limit } : { limit, beforeId: Number(query.before) };
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** A point in time from a query string: epoch ms, ISO 8601, or a duration meaning "that long ago". */
export function parseTimeParameter(name: string, text: string | undefined, now: number): number | undefined {
  if (text === undefined) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  const ago = parseDuration(text);
  if (ago !== null) return now - ago;
  const parsed = ISO_DATE.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(parsed)) {
    throw new ApiError(400, 'invalid_query', `${name} '${text}' is not a time`, {
      hint: `give an ISO 8601 time (2026-11-29T10:00:00Z), epoch milliseconds, or a duration ago (${name}=2h)`,
    });
  }
  return parsed;
}

/** The cursor for the next page, or null when this page was the last one. */
export function nextBefore(rows: ReadonlyArray<{ id: number }>, page: Page): number | null {
  return rows.length === page.limit ? (rows[rows.length - 1]?.id ?? null) : null;
}

export const iso = (ms: number): string => new Date(ms).toISOString();

