/**
 * How much of the outbox is unfinished, per webhook: read from `outbox_usage`, which triggers keep
 * exact as rows are inserted, claimed, settled, dropped, re-queued or pruned (migration 3). One
 * small table read, whatever the backlog, so ingestion can check the budget on every batch.
 */
import type { OutboxUsage } from '../store.js';
import type { SqliteConnection } from './connection.js';
import { integer, text } from './rows.js';

export function outboxUsage(c: SqliteConnection): OutboxUsage[] {
  return c
    .all('SELECT webhook, rows, bytes FROM outbox_usage WHERE rows > 0 ORDER BY webhook')
    .map((row) => ({ webhook: text(row, 'webhook'), rows: integer(row, 'rows'), eventBytes: integer(row, 'bytes') }));
}
