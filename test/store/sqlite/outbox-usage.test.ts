/**
 * `outboxUsage()` (migration 3's trigger-kept table) always equals a count of the unfinished rows:
 * whatever moves a row — insert, duplicate insert, claim, each settlement, lossy drop, manual
 * retry, lease expiry, pruning — the budget check sees the real depth.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { MIGRATIONS, migrate } from '../../../src/store/migrations.js';
import { SqliteStore } from '../../../src/store/sqlite.js';
import { memoryStore, notification, tempDir } from '../helpers.js';

let store: SqliteStore;
beforeEach(() => {
  store = memoryStore();
});
afterEach(() => store.close());

/** The reference: counted from the rows themselves. */
function counted(): Array<{ webhook: string; rows: number; eventBytes: number }> {
  const byWebhook = new Map<string, { webhook: string; rows: number; eventBytes: number }>();
  for (const status of ['pending', 'inflight'] as const) {
    for (const row of store.listOutbox({ status, limit: 10_000 })) {
      const entry = byWebhook.get(row.webhook) ?? { webhook: row.webhook, rows: 0, eventBytes: 0 };
      entry.rows += 1;
      entry.eventBytes += Buffer.byteLength(JSON.stringify(row.event), 'utf8');
      byWebhook.set(row.webhook, entry);
    }
  }
  return [...byWebhook.values()].sort((a, b) => (a.webhook < b.webhook ? -1 : 1));
}

describe('outbox usage per webhook', () => {
  it('follows every way a row enters or leaves the unfinished set', () => {
    expect(store.outboxUsage()).toEqual([]);
    const initial = [
      notification('a', 'chat', 'k1'), notification('b', 'chat', null), notification('c', 'pager', 'k2'),
    ];
    store.commit({ now: 0, outbox: [...initial, notification('d', 'chat', 'k3')] });
    expect(store.outboxUsage()).toEqual(counted());
    expect(store.outboxUsage().map((u) => [u.webhook, u.rows])).toEqual([['chat', 3], ['pager', 1]]);

    // A duplicate event for the same webhook is not queued again.
    store.commit({ now: 1, outbox: [notification('a', 'chat', 'k1'), notification('é-ünïcode', 'pager', null)] });
    expect(store.outboxUsage()).toEqual(counted());

    const claimed = store.claimDue(10, 10, 1_000);
    expect(store.outboxUsage()).toEqual(counted());
    const [first, second, third, fourth, fifth] = claimed;
    store.markDelivered(first!.id, 11);
    store.reschedule(second!.id, 50, 'HTTP 503', 11);
    store.markFailed(third!.id, 'failed', 'HTTP 400', 11);
    store.markFailed(fourth!.id, 'discarded', 'too old', 11);
    expect(store.outboxUsage()).toEqual(counted());
    expect(fifth).toBeDefined();

    // A settlement that lost its lease changes nothing.
    store.markDelivered(first!.id, 12);
    expect(store.outboxUsage()).toEqual(counted());

    store.commit({ now: 20, outbox: [notification('e', 'chat', null), notification('f', 'chat', null)] });
    expect(store.dropOldestPending('chat', 1, 21)).toHaveLength(1);
    expect(store.outboxUsage()).toEqual(counted());

    expect(store.retryDelivery(third!.id, 30)).not.toBeNull();
    expect(store.outboxUsage()).toEqual(counted());

    // Leases that expire are claimed again: still unfinished.
    store.claimDue(5_000, 10, 1_000);
    expect(store.outboxUsage()).toEqual(counted());

    for (const row of store.claimDue(100_000, 100, 1_000)) store.markDelivered(row.id, 100_001);
    for (const row of store.listOutbox({ status: 'inflight', limit: 100 })) store.markDelivered(row.id, 100_001);
    store.prune({ finishedOutboxBefore: 1_000_000 });
    expect(store.outboxUsage()).toEqual(counted());
    expect(store.outboxUsage()).toEqual([]);
  });
});

describe('migration 3', () => {
  it('counts the unfinished rows a store already had', () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'old.db');
      const db = new DatabaseSync(path);
      migrate(db, 0, MIGRATIONS.filter((m) => m.version < 3));
      const insert = db.prepare(
        `INSERT INTO outbox (event_id, event, webhook, status, next_attempt_at, created_at, queued_at, updated_at)
         VALUES (?, ?, ?, ?, 0, 0, 0, 0)`,
      );
      insert.run('e1', '{"x":"ü"}', 'chat', 'pending');
      insert.run('e2', '{"y":1}', 'chat', 'inflight');
      insert.run('e3', '{"z":1}', 'chat', 'done');
      insert.run('e4', '{}', 'pager', 'pending');
      db.close();
      const reopened = new SqliteStore(path);
      try {
        expect(reopened.outboxUsage()).toEqual([
          { webhook: 'chat', rows: 2, eventBytes: Buffer.byteLength('{"x":"ü"}') + 7 },
          { webhook: 'pager', rows: 1, eventBytes: 2 },
        ]);
      } finally {
        reopened.close();
      }
    } finally {
      cleanup();
    }
  });
});
