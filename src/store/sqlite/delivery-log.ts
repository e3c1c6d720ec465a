/** The delivery attempts log and per-webhook counters (SPEC §6: Axibase "Log Response", Elastio counters). */
import {
  RESPONSE_BODY_LIMIT_BYTES,
  type DeliveryAttempt,
  type DeliveryAttemptInput,
  type DeliveryAttemptQuery,
  type EpochMs,
  type WebhookStats,
  type WebhookTotals,
} from '../store.js';
import type { Parameters, Row, SqliteConnection } from './connection.js';
import { bool, clampLimit, integer, integerOrNull, json, text, textOrNull, toJsonOrNull, where } from './rows.js';

const MINUTE_MS = 60_000;

/** The first `limit` bytes of UTF-8, cut at a character boundary. */
export function truncateUtf8(body: string, limit: number = RESPONSE_BODY_LIMIT_BYTES): string {
  // Fast path: even if every UTF-16 unit took 3 bytes it would fit.
  if (body.length * 3 <= limit) return body;
  const bytes = Buffer.from(body, 'utf8');
  if (bytes.length <= limit) return body;
  let end = limit;
  // Back up over continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

const INSERT_ATTEMPT = `INSERT INTO delivery_attempts (outbox_id, event_id, alert_id, webhook, time, status_code, latency_ms,
                                  response_headers, response_body, error, ok)
   VALUES (:outboxId, :eventId, (SELECT alert_id FROM outbox WHERE id = :outboxId), :webhook, :time, :statusCode,
           :latencyMs, :responseHeaders, :responseBody, :error, :ok)`;

function attemptParameters(attempt: DeliveryAttemptInput): Parameters {
  return {
    outboxId: attempt.outboxId,
    eventId: attempt.eventId,
    webhook: attempt.webhook,
    time: attempt.time,
    statusCode: attempt.statusCode,
    latencyMs: attempt.latencyMs,
    responseHeaders: toJsonOrNull(attempt.responseHeaders),
    responseBody: attempt.responseBody === null ? null : truncateUtf8(attempt.responseBody),
    error: attempt.error,
    ok: attempt.ok ? 1 : 0,
  };
}

/** Logs one attempt and counts it, returning the logged row (webhook tests show it). */
export function insertAttempt(c: SqliteConnection, attempt: DeliveryAttemptInput): DeliveryAttempt {
  const row = c.get(`${INSERT_ATTEMPT} RETURNING *`, attemptParameters(attempt));
  if (row === undefined) throw new Error('store: INSERT … RETURNING gave no row');
  const tally = new OutcomeTally();
  tally.add(attempt.webhook, attempt.time, attempt.ok);
  tally.write(c);
  return toAttempt(row);
}

/**
 * Logs attempts inside a settle transaction: nothing is read back, and the counters are added to
 * `tally`, written once per webhook and minute when the transaction ends instead of once per row.
 */
export function logAttempt(c: SqliteConnection, attempt: DeliveryAttemptInput, tally: OutcomeTally): void {
  c.run(INSERT_ATTEMPT, attemptParameters(attempt));
  tally.add(attempt.webhook, attempt.time, attempt.ok);
}

/** Successes and failures per webhook and minute, to be added to the stored counters in one go. */
export class OutcomeTally {
  readonly #minutes = new Map<string, { webhook: string; minute: number; successes: number; failures: number }>();
  readonly #totals = new Map<string, { webhook: string; successes: number; failures: number; lastSuccessAt: number | null; lastFailureAt: number | null }>();

  add(webhook: string, at: EpochMs, ok: boolean): void {
    const minute = Math.floor(at / MINUTE_MS) * MINUTE_MS;
    const bucketKey = `${minute}\u0000${webhook}`;
    let bucket = this.#minutes.get(bucketKey);
    if (bucket === undefined) this.#minutes.set(bucketKey, (bucket = { webhook, minute, successes: 0, failures: 0 }));
    let total = this.#totals.get(webhook);
    if (total === undefined) this.#totals.set(webhook, (total = { webhook, successes: 0, failures: 0, lastSuccessAt: null, lastFailureAt: null }));
    if (ok) {
      bucket.successes++;
      total.successes++;
      total.lastSuccessAt = Math.max(total.lastSuccessAt ?? at, at);
    } else {
      bucket.failures++;
      total.failures++;
      total.lastFailureAt = Math.max(total.lastFailureAt ?? at, at);
    }
  }

  write(c: SqliteConnection): void {
    for (const bucket of this.#minutes.values()) {
      c.run(
        `INSERT INTO webhook_counts_minute (webhook, minute, successes, failures) VALUES (:webhook, :minute, :successes, :failures)
         ON CONFLICT (webhook, minute) DO UPDATE SET
           successes = webhook_counts_minute.successes + excluded.successes,
           failures = webhook_counts_minute.failures + excluded.failures`,
        bucket,
      );
    }
    for (const total of this.#totals.values()) {
      c.run(
        `INSERT INTO webhook_totals (webhook, successes, failures, last_success_at, last_failure_at)
         VALUES (:webhook, :successes, :failures, :lastSuccessAt, :lastFailureAt)
         ON CONFLICT (webhook) DO UPDATE SET
           successes = webhook_totals.successes + excluded.successes,
           failures = webhook_totals.failures + excluded.failures,
           last_success_at = COALESCE(excluded.last_success_at, webhook_totals.last_success_at),
           last_failure_at = COALESCE(excluded.last_failure_at, webhook_totals.last_failure_at)`,
        total,
      );
    }
    this.#minutes.clear();
    this.#totals.clear();
  }
}

function toAttempt(row: Row): DeliveryAttempt {
  return {
    id: integer(row, 'id'),
    outboxId: integerOrNull(row, 'outbox_id'),
    eventId: text(row, 'event_id'),
    alertId: textOrNull(row, 'alert_id'),
    webhook: text(row, 'webhook'),
    time: integer(row, 'time'),
    statusCode: integerOrNull(row, 'status_code'),
    latencyMs: integer(row, 'latency_ms'),
    // Written by insertAttempt from a Record<string, string>.
    responseHeaders: json(row, 'response_headers') as Record<string, string> | null,
    responseBody: textOrNull(row, 'response_body'),
    error: textOrNull(row, 'error'),
    ok: bool(row, 'ok'),
  };
}

export function listDeliveryAttempts(c: SqliteConnection, query: DeliveryAttemptQuery): DeliveryAttempt[] {
  const clause = where([
    ['webhook = :webhook', 'webhook', query.webhook],
    // Through the outbox (see migration 2); `event_id`/`alert_id` of an attempt are its row's.
    ['(outbox_id IN (SELECT id FROM outbox WHERE event_id = :eventId) OR (outbox_id IS NULL AND event_id = :eventId))', 'eventId', query.eventId],
    ['outbox_id IN (SELECT id FROM outbox WHERE alert_id = :alertId)', 'alertId', query.alertId],
    ['outbox_id = :outboxId', 'outboxId', query.outboxId],
    ['id < :beforeId', 'beforeId', query.beforeId],
  ]);
  return c
    .all(`SELECT * FROM delivery_attempts ${clause.sql} ORDER BY id DESC LIMIT :limit`, {
      ...clause.parameters,
      limit: clampLimit(query.limit),
    })
    .map(toAttempt);
}

/** Counts one invocation in its minute bucket and in the webhook's totals. */
export function countOutcome(c: SqliteConnection, webhook: string, at: EpochMs, ok: boolean): void {
  const tally = new OutcomeTally();
  tally.add(webhook, at, ok);
  tally.write(c);
}

function toTotals(row: Row): WebhookTotals {
  return {
    webhook: text(row, 'webhook'),
    successes: integer(row, 'successes'),
    failures: integer(row, 'failures'),
    lastSuccessAt: integerOrNull(row, 'last_success_at'),
    lastFailureAt: integerOrNull(row, 'last_failure_at'),
  };
}

export function webhookTotals(c: SqliteConnection): WebhookTotals[] {
  return c.all('SELECT * FROM webhook_totals ORDER BY webhook').map(toTotals);
}

export function webhookStats(c: SqliteConnection, webhook: string, sinceMs: EpochMs): WebhookStats {
  const totals = c.get('SELECT * FROM webhook_totals WHERE webhook = :webhook', { webhook });
  const perMinute = c
    .all('SELECT minute, successes, failures FROM webhook_counts_minute WHERE webhook = :webhook AND minute >= :since ORDER BY minute', {
      webhook,
      // The bucket that contains `sinceMs` counts too.
      since: Math.floor(sinceMs / MINUTE_MS) * MINUTE_MS,
    })
    .map((row) => ({ minute: integer(row, 'minute'), successes: integer(row, 'successes'), failures: integer(row, 'failures') }));
  const base: WebhookTotals =
    totals === undefined ? { webhook, successes: 0, failures: 0, lastSuccessAt: null, lastFailureAt: null } : toTotals(totals);
  return { ...base, perMinute };
}
