/**
 * What one HTTP attempt produced: the Axibase "Log Response" (status, headers, the first 4 KiB of
 * the body) plus latency and, when no response arrived, a catalogue error code.
 */
import type { DeliveryErrorInfo } from './errors.js';

/** Axibase logs the response body; we keep its first 4 KiB. */
export const RESPONSE_BODY_LIMIT = 4096;

export interface AttemptResult {
  webhook: string;
  url: string;
  /** The `webhook-id` / `idempotency-key` sent: the event id, or a batch id derived from its events. */
  messageId: string;
  eventIds: string[];
  /** When the request started, epoch ms (injected clock). */
  time: number;
  /** HTTP status; null when no response arrived. */
  statusCode: number | null;
  latencyMs: number;
  responseHeaders: Record<string, string>;
  /** At most RESPONSE_BODY_LIMIT bytes, decoded as UTF-8. */
  responseBody: string;
  responseTruncated: boolean;
  /** Set when no response arrived (or the request could not be built). */
  error: DeliveryErrorInfo | null;
  /** Any 2xx. */
  ok: boolean;
}

export function isSuccessStatus(status: number | null): boolean {
  return status !== null && status >= 200 && status < 300;
}

/** One line for logs, `last_error` and the test command: `HTTP 503` or `timeout: …`. */
export function attemptSummary(result: Pick<AttemptResult, 'statusCode' | 'error'>): string {
  if (result.error !== null) return `${result.error.code}: ${result.error.message}`;
  return `HTTP ${result.statusCode ?? '?'}`;
}
