/**
 * The durable outbox (SPEC §6): rows are inserted in the engine's transaction, claimed with a lease
 * by delivery workers, and settled. The claim is the SQLite form of the PostgreSQL pattern
 *
 *   UPDATE outbox SET status = 'inflight', lease_until = …, fence = fence + 1 WHERE id IN (
 *     SELECT id FROM outbox o WHERE o.webhook = $webhook AND <due> AND o.head
 *       AND NOT EXISTS (<earlier unfinished row of the same (webhook, key)>)
 *     ORDER BY next_attempt_at, id LIMIT <the webhook's free budget> FOR UPDATE SKIP LOCKED) RETURNING *
 *
 * which stays correct with several workers: a worker that skips a row locked by another still sees
 * that row as unfinished in NOT EXISTS, so it cannot take the row behind it. SQLite needs no SKIP
 * LOCKED because BEGIN IMMEDIATE serialises writers. The key of an alert notification is its
 * series (rule + series key), so order holds across the alert's episodes as well.
 *
 * Fair claiming (`budgets`): the claim runs once per webhook that has work, each with its own
 * limit (the free part of the webhook's budget of claimed rows), so a webhook whose receiver hangs
 * fills only its own budget and never the rows another webhook could send.
 *
 * `head` is an index hint kept in the same transactions: 1 when no earlier row of the row's key is
 * unfinished (set at insert, passed on when a row finishes). The claim reads only head rows, so a
 * backlog queued behind its heads costs nothing; NOT EXISTS stays the guarantee.
 *
 * Every claim bumps `fence`, a counter that only grows; a settlement applies only with the fence of
 * its claim. `attempts` counts requests sent (settlements that say so), not claims.
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
  type SettleFollow,
} from '../store.js';
import { isEmptyBatch, writeBatch } from './batch.js';
import type { Parameters, Row, SqliteConnection } from './connection.js';
import { logAttempt, OutcomeTally } from './delivery-log.js';
import { clampLimit, integer, integerOrNull, json, text, textOrNull, where } from './rows.js';

export function insertOutbox(c: SqliteConnection, input: OutboxInput, now: EpochMs): number {
  const row = c.get(
    `INSERT INTO outbox (event_id, event, webhook, template, ordering_key, alert_id, status, attempts,
                         next_attempt_at, created_at, queued_at, updated_at, head)
     VALUES (:eventId, :event, :webhook, :template, :orderingKey, :alertId, :status, 0, :notBefore, :now, :now, :now,
             CASE WHEN :orderingKey IS NULL THEN 1 WHEN EXISTS (${UNFINISHED_OF_KEY}) THEN 0 ELSE 1 END)
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
      status: input.dropped === undefined ? 'pending' : 'dropped',
    },
  );
  if (row !== undefined) {
    if (input.dropped !== undefined) {
      c.run('UPDATE outbox SET last_error = :error WHERE id = :id', { error: input.dropped, id: integer(row, 'id') });
    }
    return integer(row, 'id');
  }
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
    fence: integer(row, 'fence'),
    nextAttemptAt: integer(row, 'next_attempt_at'),
    createdAt: integer(row, 'created_at'),
    queuedAt: integer(row, 'queued_at'),
    leaseUntil: integerOrNull(row, 'lease_until'),
    lastError: textOrNull(row, 'last_error'),
    updatedAt: integer(row, 'updated_at'),
  };
}

/** Any unfinished row of (:webhook, :orderingKey). */
const UNFINISHED_OF_KEY = `SELECT 1 FROM outbox
  WHERE webhook = :webhook AND ordering_key = :orderingKey AND status IN ('pending', 'inflight')`;

/** The earliest unfinished row of a key becomes its head: after a row of the key finished. */
const PROMOTE_HEAD = `UPDATE outbox SET head = 1 WHERE id = (
    SELECT MIN(id) FROM outbox
    WHERE webhook = :webhook AND ordering_key = :orderingKey AND status IN ('pending', 'inflight'))
  AND head = 0`;

function promoteHead(c: SqliteConnection, webhook: string, orderingKey: string | null): void {
  if (orderingKey !== null) c.run(PROMOTE_HEAD, { webhook, orderingKey });
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
      : `o.status = 'pending' AND o.head = 1 AND o.next_attempt_at <= :now`;
  const order = which === 'expired' ? 'o.lease_until, o.id' : 'o.next_attempt_at, o.id';
  return `
    UPDATE outbox SET status = 'inflight', lease_until = :leaseUntil, fence = fence + 1, updated_at = :now
    WHERE id IN (
      SELECT o.id FROM outbox o
      WHERE ${due} ${byWebhook ? 'AND o.webhook = :webhook' : ''} AND NOT ${BLOCKED_BY_EARLIER}
      ORDER BY ${order} LIMIT :limit)
    RETURNING *`;
}

/**
 * Webhooks that have pending rows or expired claims: a skip scan over the partial index of pending
 * rows (one seek per webhook, however long its backlog), plus the few in-flight rows.
 */
const WEBHOOKS_WITH_WORK = `
  WITH RECURSIVE pending(name) AS (
    SELECT (SELECT MIN(webhook) FROM outbox WHERE status = 'pending')
    UNION ALL
    SELECT (SELECT MIN(webhook) FROM outbox WHERE status = 'pending' AND webhook > pending.name)
    FROM pending WHERE pending.name IS NOT NULL
  )
  SELECT name FROM pending WHERE name IS NOT NULL
  UNION
  SELECT webhook AS name FROM outbox WHERE status = 'inflight' AND lease_until <= :now`;

function claimFor(c: SqliteConnection, now: EpochMs, limit: number, leaseMs: number, webhook?: string): OutboxRow[] {
  const byWebhook = webhook !== undefined;
  const parameters = (left: number): Parameters => ({
    now,
    leaseUntil: now + leaseMs,
    limit: left,
    ...(byWebhook ? { webhook } : {}),
  });
  // Rows of crashed workers first: they are the oldest work.
  const rows = c.statement(claimSql('expired', byWebhook)).all(parameters(limit)).map(toOutboxRow);
  if (rows.length < limit) {
    rows.push(...c.statement(claimSql('pending', byWebhook)).all(parameters(limit - rows.length)).map(toOutboxRow));
  }
  return rows;
}

export function claimDue(
  c: SqliteConnection,
  now: EpochMs,
  limit: number,
  leaseMs: number,
  options: ClaimOptions = {},
): OutboxRow[] {
  if (limit <= 0) return [];
  // Relaxed: a claim lost to a power cut only means the row is claimed again.
  return c.transaction('relaxed', () => {
    const budgets = options.budgets;
    if (budgets === undefined) return claimFor(c, now, limit, leaseMs, options.webhook).sort((a, b) => a.id - b.id);
    const rows: OutboxRow[] = [];
    const names =
      options.webhook !== undefined
        ? [options.webhook]
        : c.all(WEBHOOKS_WITH_WORK, { now }).map((row) => text(row, 'name'));
    for (const name of names) {
      const budget = Math.min(budgets[name] ?? options.defaultBudget ?? limit, limit - rows.length);
      if (budget > 0) rows.push(...claimFor(c, now, budget, leaseMs, name));
    }
    return rows.sort((a, b) => a.id - b.id);
  });
}

/**
 * Makes every in-flight row due now. For a store whose only deliverer is this process (SQLite:
 * the file is the process's own), an in-flight row at start was claimed by a process that is gone:
 * waiting for its lease would delay it for nothing. The fence moves on, so a settlement of the old
 * claim, should one ever arrive, does not apply.
 */
export function releaseOrphanedClaims(c: SqliteConnection, now: EpochMs): number {
  return c.transaction('relaxed', () => {
    const released = c.run(
      `UPDATE outbox SET status = 'pending', lease_until = NULL, next_attempt_at = :now, fence = fence + 1,
         last_error = 'claimed by a delivery worker that stopped without settling it; due again at once',
         updated_at = :now
       WHERE status = 'inflight'`,
      { now },
    ).changes;
    // The head hints are rebuilt once per start, so no earlier fault can leave a series waiting.
    c.run(`UPDATE outbox SET head = CASE WHEN ${BLOCKED_BY_EARLIER.replaceAll('o.', 'outbox.')} THEN 0 ELSE 1 END
           WHERE status IN ('pending', 'inflight')`);
    return released;
  });
}

/** Runs an UPDATE … RETURNING webhook, ordering_key that ends a row; passes the head on. */
function finish(c: SqliteConnection, sql: string, parameters: Parameters): number {
  const row = c.get(sql, parameters);
  if (row === undefined) return 0;
  promoteHead(c, text(row, 'webhook'), textOrNull(row, 'ordering_key'));
  return 1;
}

function settleOne(c: SqliteConnection, outcome: DeliveryOutcome, tally: OutcomeTally): boolean {
  const fence = outcome.fence === undefined ? '' : 'AND fence = :fence';
  // Only a request that went out counts as an attempt: a claim handed back unsent does not.
  const sent = outcome.sent === true ? ', attempts = attempts + 1' : '';
  const target: Parameters = {
    id: outcome.id,
    at: outcome.at,
    ...(outcome.fence === undefined ? {} : { fence: outcome.fence }),
  };
  let changes: number;
  switch (outcome.outcome) {
    case 'delivered':
      changes = finish(
        c,
        `UPDATE outbox SET status = 'done', lease_until = NULL, updated_at = :at ${sent}
         WHERE id = :id AND status = 'inflight' ${fence}
         RETURNING webhook, ordering_key`,
        target,
      );
      break;
    case 'retry':
      changes = c.run(
        `UPDATE outbox SET status = 'pending', lease_until = NULL, next_attempt_at = :nextAttemptAt,
           last_error = :error, updated_at = :at ${sent}
         WHERE id = :id AND status = 'inflight' ${fence}`,
        { ...target, nextAttemptAt: outcome.nextAttemptAt, error: outcome.error },
      ).changes;
      break;
    case 'failed':
    case 'discarded':
    case 'dropped':
      changes = finish(
        c,
        `UPDATE outbox SET status = :status, lease_until = NULL, last_error = :error, updated_at = :at ${sent}
         WHERE id = :id AND status = 'inflight' ${fence}
         RETURNING webhook, ordering_key`,
        { ...target, status: outcome.outcome, error: outcome.error },
      );
      break;
  }
  // The request was sent whether or not the row was still ours: the log records what happened.
  if (outcome.log !== undefined) logAttempt(c, outcome.log, tally);
  return changes === 1;
}

/**
 * Applies the outcomes in one transaction. `follow` sees which applied and returns what must be
 * written with them (the delivery.failed events of the failures, routed): both commit, or neither.
 */
export function settle(c: SqliteConnection, outcomes: readonly DeliveryOutcome[], follow?: SettleFollow): boolean[] {
  if (outcomes.length === 0) return [];
  return c.transaction('relaxed', () => {
    const tally = new OutcomeTally();
    const applied = outcomes.map((outcome) => settleOne(c, outcome, tally));
    tally.write(c);
    const also = follow?.(applied);
    if (also !== undefined && !isEmptyBatch(also)) writeBatch(c, also);
    return applied;
  });
}

export function retryDelivery(c: SqliteConnection, id: number, at: EpochMs): OutboxRow | null {
  return c.transaction('relaxed', () => {
    const row = c.get(
      // attempts starts again (discard_after too, from queued_at); the fence never goes back.
      `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = :at, queued_at = :at, lease_until = NULL,
         updated_at = :at,
         head = CASE WHEN ordering_key IS NULL OR NOT EXISTS (
           SELECT 1 FROM outbox earlier
           WHERE earlier.webhook = outbox.webhook AND earlier.ordering_key = outbox.ordering_key
             AND earlier.id < outbox.id AND earlier.status IN ('pending', 'inflight')) THEN 1 ELSE 0 END
       WHERE id = :id AND status IN ('failed', 'discarded', 'dropped')
       RETURNING *`,
      { id, at },
    );
    if (row === undefined) return null;
    const retried = toOutboxRow(row);
    // Pending rows of its key queued after it now wait behind it again.
    if (retried.orderingKey !== null) {
      c.run(
        `UPDATE outbox SET head = 0
         WHERE webhook = :webhook AND ordering_key = :orderingKey AND id > :id AND status = 'pending' AND head = 1`,
        { webhook: retried.webhook, orderingKey: retried.orderingKey, id },
      );
    }
    return retried;
  });
}

// Counted per status so each count reads one small partial index (outbox_pending_by_webhook, outbox_leased)
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
  const dropped = rows.map(toOutboxRow).sort((a, b) => a.id - b.id);
  for (const key of new Set(dropped.map((row) => row.orderingKey))) promoteHead(c, webhook, key);
  return dropped;
}

export function nextDueAt(c: SqliteConnection, options: ClaimOptions = {}): EpochMs | null {
  const byWebhook = options.webhook === undefined ? '' : 'AND o.webhook = :webhook';
  const parameters: Parameters = options.webhook === undefined ? {} : { webhook: options.webhook };
  // A due row that waits behind an earlier one is not "due": reporting it would make a worker spin.
  const pending = c.get(
    `SELECT o.next_attempt_at AS at FROM outbox o
     WHERE o.status = 'pending' AND o.head = 1 ${byWebhook} AND NOT ${BLOCKED_BY_EARLIER}
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
