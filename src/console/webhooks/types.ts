/** Shapes of the webhooks API answers the console reads (API.md, group A). */
import type { MinuteCount } from '../charts/series.js';

export interface WebhookRow {
  name: string;
  url: string;
  description?: string;
  enabled?: boolean;
  events?: string[];
  events_policy?: 'include' | 'exclude';
  min_severity?: string;
  rules?: string[];
  template?: string;
  source?: 'file' | 'api';
  successes?: number;
  failures?: number;
  lastSuccessAt?: unknown;
  lastFailureAt?: unknown;
  outboxDepth?: number;
  outboxLimit?: number;
  /** Depth reached outbox_limit (until it falls to half of it). */
  backlogged?: boolean;
  backloggedSince?: unknown;
}

export interface WebhookStats {
  successes?: number;
  failures?: number;
  lastSuccessAt?: unknown;
  lastFailureAt?: unknown;
  perMinute?: MinuteCount[];
}

export interface DeliveryAttempt {
  id: number;
  outboxId?: number | null;
  eventId?: string;
  eventType?: string;
  time: unknown;
  statusCode: number | null;
  latencyMs: number;
  responseHeaders?: Record<string, string> | null;
  responseBody?: string | null;
  error?: unknown;
  ok: boolean;
  alertId?: string | null;
  /** The outbox row's state, when the API joins it (pending, done, failed, …). */
  status?: string | null;
}

/** The answer of POST /webhooks/:name/test. */
export interface TestResult {
  ok: boolean;
  statusCode: number | null;
  latencyMs: number;
  responseHeaders?: Record<string, string> | null;
  responseBody?: string | null;
  error?: unknown;
  time?: unknown;
  eventIds?: string[];
}

/** Error fields arrive as text or as `{code, message}`. */
export function errorText(error: unknown): string | null {
  if (error === null || error === undefined || error === '') return null;
  if (typeof error === 'string') return error;
  if (typeof error === 'object') {
    const e = error as { code?: unknown; message?: unknown };
    if (typeof e.message === 'string') return typeof e.code === 'string' ? `${e.code}: ${e.message}` : e.message;
  }
  return JSON.stringify(error);
}

/** `all events`, `alert.open, alert.cancel`, `all except rule.error`. */
export function describeEvents(events: unknown, policy: unknown): string {
  const list = Array.isArray(events) ? events.map(String) : ['*'];
  const all = list.length === 0 || list.includes('*');
  if (policy === 'exclude') return all ? 'none (all excluded)' : `all except ${list.join(', ')}`;
  return all ? 'all events' : list.join(', ');
}
