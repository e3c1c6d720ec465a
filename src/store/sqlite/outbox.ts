/**
 * The durable outbox (SPEC §6): rows are inserted in the engine's transaction, claimed with a lease
 * by delivery workers, and settled. The claim is the SQLite form of the PostgreSQL pattern
 *
 *   UPDATE outbox SET status = 'inflight', … WHERE id IN (
 *     SELECT id FROM outbox o WHERE <due> AND NOT EXISTS (<earlier unfinished row of the same key>)
 *     ORDER BY next_attempt_at, id LIMIT n FOR UPDATE SKIP LOCKED) RETURNING *
 *
 * which stays correct with several workers: a worker that skips a row locked by another still sees
 * that row as unfinished in NOT EXISTS, so it cannot take the row behind it. SQLite needs no SKIP
 * LOCKED because BEGIN IMMEDIATE serialises writers.
 */
import type { TocsinEvent } from '../../model/event.js';
import {
  OUTBOX_STATUSES,
  type ClaimOptions,
  type DeliveryOutcome,
  type EpochMs,
  type OutboxDepth,
  type OutboxInput,
  type OutboxQuery,
  type OutboxRow,
  type OutboxStatus,
} from '../store.js';
import type { Parameters, Row, SqliteConnection } from './connection.js';
import { logAttempt, OutcomeTally } from './delivery-log.js';
import { clampLimit, integer, integerOrNull, json, text, textOrNull, where } from './rows.js';

export function insertOutbox(c: SqliteConnection, input: OutboxInput, now: EpochMs): number {
  const row = c.get(
    `INSERT INTO outbox (event_id, event, webhook, template, ordering_key, alert_id, status, attempts,
                         next_attempt_at, created_at, queued_at, updated_at)
     VALUES (:eventId, :event, :webhook, :template, :orderingKey, :alertId, 'pending', 0, :notBefore, :now, :now, :now)
     ON CONFLICT (event_id, webhook) DO NOTHING
     RETURNING id`,
    {
      eventId: input.event.id,
      event: JSON.stringify(input.event),
      webhook: input.webhook,
      template: input.template,
      orderingKey: input.orderingKey,
      alertId: input.alertId !== undefined ? input.alertId : alertIdOf(input.event),
      notBefore: input.notBefore ?? now,
      now,
    },
  );
  if (row !== undefined) return integer(row, 'id');
  // Already queued (same event id for the same webhook): the existing row stands.
  const existing = c.get('SELECT id FROM outbox WHERE event_id = :eventId AND webhook = :webhook', { eventId: input.event.id, webhook: input.webhook });
  if (existing === undefined) throw new Error('store: outbox insert neither inserted nor found a row');
  return integer(existing, 'id');
}

/** `data.alert_id` of alert.* events (SPEC §1). */
function alertIdOf(event: TocsinEvent): string | null {
  const data = event.data;
  return 'alert_id' in data && typeof data.alert_id === 'string' ? data.alert_id : null;
}

function isOutboxStatus(value: string): value is OutboxStatus {
  return (OUTBOX_STATUSES as readonly string[]).includes(value);
}

export function toOutboxRow(row: Row): OutboxRow {
  const status = text(row, 'status');
  if (!isOutboxStatus(status)) throw new Error(`store: outbox row ${String(row['id'])} has unknown status '${status}'`);
  return {
    id: integer(row, 'id'),
    eventId: text(row, 'event_id'),
    // Written by insertOutbox from a TocsinEvent; the store is its only writer.
    event: json(row, 'event') as TocsinEvent,
    webhook: text(row, 'webhook'),
    template: textOrNull(row, 'template'),
    orderingKey: textOrNull(row, 'ordering_key'),
    alertId: textOrNull(row, 'alert_id'),
    status,
    attempts: integer(row, 'attempts'),
    nextAttemptAt: integer(row, 'next_attempt_at'),
    createdAt: integer(row, 'created_at'),
    queuedAt: integer(row, 'queued_at'),
    leaseUntil: integerOrNull(row, 'lease_until'),
    lastError: textOrNull(row, 'last_error'),
    updatedAt: integer(row, 'updated_at'),
  };
}

/** True when an earlier row of the same (webhook, ordering key) is still to be delivered. */
const BLOCKED_BY_EARLIER = `EXISTS (
  SELECT 1 FROM outbox earlier
  WHERE earlier.webhook = o.webhook AND earlier.ordering_key = o.ordering_key
    AND earlier.id < o.id AND earlier.status IN ('pending', 'inflight'))`;

function claimSql(which: 'expired' | 'pending', byWebhook: boolean): string {
  const due =
    which === 'expired'
      ? `o.status = 'inflight' AND o.lease_until <= :now`
      : `o.status = 'pending' AND o.next_attempt_at <= :now`;
  const order = which === 'expired' ? 'o.lease_until, o.id' : 'o.next_attempt_at, o.id';
  return `
    UPDATE outbox SET status = 'inflight', lease_until = :leaseUntil, attempts = attempts + 1, updated_at = :now
    WHERE id IN (
      SELECT o.id FROM outbox o
      WHERE ${due} ${byWebhook ? 'AND o.webhook = :webhook' : ''} AND NOT ${BLOCKED_BY_EARLIER}
      ORDER BY ${order} LIMIT :limit)
    RETURNING *`;
}

export function claimDue(c: SqliteConnection, now: EpochMs, limit: number, leaseMs: number, options: ClaimOptions = {}): OutboxRow[] {
  if (limit <= 0) return [];
  const byWebhook = options.webhook !== undefined;
  const parameters = (left: number): Parameters => ({
    now,
    leaseUntil: now + leaseMs,
    limit: left,
    ...(byWebhook ? { webhook: options.webhook ?? null } : {}),
  });
  // Relaxed: a claim lost to a power cut only means the row is claimed again.
  return c.transaction('relaxed', () => {
    // Rows of crashed workers first: they are the oldest work.
    const rows = c.statement(claimSql('expired', byWebhook)).all(parameters(limit)).map(toOutboxRow);
    if (rows.length < limit) {
      rows.push(...c.statement(claimSql('pending', byWebhook)).all(parameters(limit - rows.length)).map(toOutboxRow));
    }
    return rows.sort((a, b) => a.id - b.id);
  });
}

function settleOne(c: SqliteConnection, outcome: DeliveryOutcome, tally: OutcomeTally): boolean {
  const fence = outcome.attempts === undefined ? '' : 'AND attempts = :attempts';
  const target: Parameters = { id: outcome.id, at: outcome.at, ...(outcome.attempts === undefined ? {} : { attempts: outcome.attempts }) };
  let changes: number;
  switch (outcome.outcome) {
    case 'delivered':
      changes = c.run(
        `UPDATE outbox SET status = 'done', lease_until = NULL, updated_at = :at WHERE id = :id AND status = 'inflight' ${fence}`,
        target,
      ).changes;
      break;
    case 'retry':
      changes = c.run(
        `UPDATE outbox SET status = 'pending', lease_until = NULL, next_attempt_at = :nextAttemptAt, last_error = :error, updated_at = :at
         WHERE id = :id AND status = 'inflight' ${fence}`,
        { ...target, nextAttemptAt: outcome.nextAttemptAt, error: outcome.error },
      ).changes;
      break;
    case 'failed':
    case 'discarded':
    case 'dropped':
      changes = c.run(
        `UPDATE outbox SET status = :status, lease_until = NULL, last_error = :error, updated_at = :at
         WHERE id = :id AND status = 'inflight' ${fence}`,
        { ...target, status: outcome.outcome, error: outcome.error },
      ).changes;
      break;
  }
  // The request was sent whether or not the row was still ours: the log records what happened.
  if (outcome.log !== undefined) logAttempt(c, outcome.log, tally);
  return changes === 1;
}

export function settle(c: SqliteConnection, outcomes: readonly DeliveryOutcome[]): boolean[] {
  if (outcomes.length === 0) return [];
  return c.transaction('relaxed', () => {
    const tally = new OutcomeTally();
    const applied = outcomes.map((outcome) => settleOne(c, outcome, tally));
    tally.write(c);
    return applied;
  });
}

export function retryDelivery(c: SqliteConnection, id: number, at: EpochMs): OutboxRow | null {
  const row = c.get(
    `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = :at, queued_at = :at, lease_until = NULL, updated_at = :at
     WHERE id = :id AND status IN ('failed', 'discarded', 'dropped')
     RETURNING *`,
    { id, at },
  );
  return row === undefined ? null : toOutboxRow(row);
}

// Counted per status so each count reads one small partial index (outbox_due*, outbox_leased)
// instead of every row the webhook ever had.
export function outboxDepth(c: SqliteConnection, webhook?: string): number {
  const byWebhook = webhook === undefined ? '' : 'AND webhook = :webhook';
  const parameters: Parameters = webhook === undefined ? {} : { webhook };
  const pending = c.get(`SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending' ${byWebhook}`, parameters);
  const inflight = c.get(`SELECT COUNT(*) AS n FROM outbox WHERE status = 'inflight' ${byWebhook}`, parameters);
  return (pending === undefined ? 0 : integer(pending, 'n')) + (inflight === undefined ? 0 : integer(inflight, 'n'));
}

export function outboxDepths(c: SqliteConnection): OutboxDepth[] {
  const depths = new Map<string, OutboxDepth>();
  const depth = (webhook: string): OutboxDepth => {
    let entry = depths.get(webhook);
    if (entry === undefined) depths.set(webhook, (entry = { webhook, pending: 0, inflight: 0 }));
    return entry;
  };
  for (const row of c.all(`SELECT webhook, COUNT(*) AS n FROM outbox WHERE status = 'pending' GROUP BY webhook`)) {
    depth(text(row, 'webhook')).pending = integer(row, 'n');
  }
  for (const row of c.all(`SELECT webhook, COUNT(*) AS n FROM outbox WHERE status = 'inflight' GROUP BY webhook`)) {
    depth(text(row, 'webhook')).inflight = integer(row, 'n');
  }
  return [...depths.values()].sort((a, b) => (a.webhook < b.webhook ? -1 : a.webhook > b.webhook ? 1 : 0));
}

export function dropOldestPending(c: SqliteConnection, webhook: string, count: number, at: EpochMs): OutboxRow[] {
  if (count <= 0) return [];
  const rows = c.all(
    `UPDATE outbox SET status = 'dropped', last_error = 'dropped: lossy webhook over its queue limit', updated_at = :at
     WHERE id IN (
       SELECT id FROM outbox
       WHERE webhook = :webhook AND status = 'pending'
       ORDER BY id LIMIT :count)
     RETURNING *`,
    { webhook, count, at },
  );
  return rows.map(toOutboxRow).sort((a, b) => a.id - b.id);
}

export function nextDueAt(c: SqliteConnection, options: ClaimOptions = {}): EpochMs | null {
  const byWebhook = options.webhook === undefined ? '' : 'AND o.webhook = :webhook';
  const parameters: Parameters = options.webhook === undefined ? {} : { webhook: options.webhook };
  // A due row that waits behind an earlier one is not "due": reporting it would make a worker spin.
  const pending = c.get(
    `SELECT o.next_attempt_at AS at FROM outbox o
     WHERE o.status = 'pending' ${byWebhook} AND NOT ${BLOCKED_BY_EARLIER}
     ORDER BY o.next_attempt_at LIMIT 1`,
    parameters,
  );
  const lease = c.get(`SELECT MIN(o.lease_until) AS at FROM outbox o WHERE o.status = 'inflight' ${byWebhook}`, parameters);
  const times = [pending, lease].map((row) => (row === undefined ? null : integerOrNull(row, 'at'))).filter((at) => at !== null);
  return times.length === 0 ? null : Math.min(...times);
}

export function getOutboxRow(c: SqliteConnection, id: number): OutboxRow | null {
  const row = c.get('SELECT * FROM outbox WHERE id = :id', { id });
  return row === undefined ? null : toOutboxRow(row);
}

export function listOutbox(c: SqliteConnection, query: OutboxQuery): OutboxRow[] {
  const clause = where([
    ['webhook = :webhook', 'webhook', query.webhook],
    ['status = :status', 'status', query.status],
    ['event_id = :eventId', 'eventId', query.eventId],
    ['alert_id = :alertId', 'alertId', query.alertId],
    ['id < :beforeId', 'beforeId', query.beforeId],
  ]);
  return c
    .all(`SELECT * FROM outbox ${clause.sql} ORDER BY id DESC LIMIT :limit`, { ...clause.parameters, limit: clampLimit(query.limit) })
    .map(toOutboxRow);
}
