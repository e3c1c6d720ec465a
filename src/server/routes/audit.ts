/**
 * The audit log (SPEC §7): who changed what, when. Admin-only (`audit:read`), newest first, paged
 * by id so a page boundary never skips or repeats a row while new rows arrive.
 *
 * The query helpers here (limit, before, time bounds) are shared with the alert history.
 */
import { parseDuration } from '../../model/duration.js';
import type { AuditEntry } from '../../store/store.js';
import { ApiError } from '../errors.js';
import { route, type RouteSpec } from '../route.js';

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

function auditView(entry: AuditEntry) {
  return { id: entry.id, at: iso(entry.at), actor: entry.actor, action: entry.action, kind: entry.kind, name: entry.name, details: entry.details ?? null };
}

interface AuditQueryString {
  limit?: string;
  before?: string;
  since?: string;
  until?: string;
  actor?: string;
  kind?: string;
  name?: string;
}

export function auditRoutes(): RouteSpec[] {
  return [
    route({
      method: 'GET', url: '/api/v1/audit', permission: 'audit:read', tag: 'audit',
      summary: 'The audit log, newest first: who changed what and when (filter by actor, kind, name, time)',
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...pageQueryProperties,
            ...timeQueryProperties,
            actor: { type: 'string', minLength: 1, maxLength: 200, description: 'e.g. token:ci' },
            kind: { type: 'string', minLength: 1, maxLength: 100, description: 'webhook, template, silence, alert, rules, token, …' },
            name: { type: 'string', minLength: 1, maxLength: 200 },
          },
        },
      },
      handler: (request, _reply, { runtime }) => {
        const query = request.query as AuditQueryString;
        const now = runtime.engine.now();
        const page = parsePage(query);
        const since = parseTimeParameter('since', query.since, now);
        const until = parseTimeParameter('until', query.until, now);
        const rows = runtime.store.listAudit({ ...page, actor: query.actor, kind: query.kind, name: query.name, since, until });
        return { audit: rows.map(auditView), nextBefore: nextBefore(rows, page) };
      },
    }),
  ];
}
