/** The unit of work (`CommitBatch`) and retention pruning: the two operations that span every table. */
import type { CommitBatch, CommitResult, PruneCounts, PruneCutoffs } from '../store.js';
import { insertAudit } from './access.js';
import { deleteAlertState, insertEvent, insertHistory, upsertAlertState } from './alerts.js';
import type { SqliteConnection } from './connection.js';
import { insertOutbox } from './outbox.js';

/** Writes a batch; the caller holds the transaction. */
export function writeBatch(c: SqliteConnection, batch: CommitBatch): CommitResult {
  const { now } = batch;
  for (const key of batch.deleteAlertStates ?? []) deleteAlertState(c, key);
  for (const state of batch.upsertAlertStates ?? []) upsertAlertState(c, state, now);
  for (const entry of batch.history ?? []) insertHistory(c, entry);
  for (const entry of batch.events ?? []) insertEvent(c, entry, now);
  const outboxIds = (batch.outbox ?? []).map((input) => insertOutbox(c, input, now));
  for (const entry of batch.audit ?? []) insertAudit(c, entry);
  return { outboxIds };
}

export function isEmptyBatch(batch: CommitBatch): boolean {
  return (
    (batch.upsertAlertStates?.length ?? 0) +
      (batch.deleteAlertStates?.length ?? 0) +
      (batch.history?.length ?? 0) +
      (batch.events?.length ?? 0) +
      (batch.outbox?.length ?? 0) +
      (batch.audit?.length ?? 0) ===
    0
  );
}

/** What each cutoff deletes. Only finished outbox rows are pruned: pending work is never lost to retention. */
const PRUNE_SQL: Record<keyof PruneCutoffs, string> = {
  deliveryAttemptsBefore: 'DELETE FROM delivery_attempts WHERE time < :cutoff',
  finishedOutboxBefore: `DELETE FROM outbox WHERE status IN ('done', 'failed', 'discarded', 'dropped') AND updated_at < :cutoff`,
  historyBefore: 'DELETE FROM alert_history WHERE time < :cutoff',
  eventsBefore: 'DELETE FROM events WHERE time < :cutoff',
  counterMinutesBefore: 'DELETE FROM webhook_counts_minute WHERE minute < :cutoff',
  auditBefore: 'DELETE FROM audit_log WHERE at < :cutoff',
};

export function prune(c: SqliteConnection, cutoffs: PruneCutoffs): PruneCounts {
  const keys = Object.keys(PRUNE_SQL) as Array<keyof PruneCutoffs>;
  const counts = Object.fromEntries(keys.map((key) => [key, 0])) as PruneCounts;
  // Relaxed: a prune lost to a power cut is simply repeated next time.
  c.transaction('relaxed', () => {
    for (const key of keys) {
      const cutoff = cutoffs[key];
      if (cutoff !== undefined) counts[key] = c.run(PRUNE_SQL[key], { cutoff }).changes;
    }
  });
  return counts;
}
