import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../../../src/store/sqlite.js';
import type { OutboxInput } from '../../../src/store/store.js';
import { attemptLog, memoryStore, notification } from '../helpers.js';

let store: SqliteStore;
beforeEach(() => {
  store = memoryStore();
});
afterEach(() => store.close());

const LEASE = 30_000;
const claimedEvents = (now: number, limit = 100): string[] => store.claimDue(now, limit, LEASE).map((row) => row.eventId);

describe('outbox: claimDue delivers the events of one alert in order', () => {
  const cases: Array<{ name: string; rows: OutboxInput[]; claims: string[][] }> = [
    {
      name: 'rows of one alert go one at a time, in insertion order',
      rows: [notification('open', 'chat', 'a1'), notification('repeat', 'chat', 'a1'), notification('cancel', 'chat', 'a1')],
      claims: [['open'], ['repeat'], ['cancel']],
    },
    {
      name: 'different alerts do not wait for each other',
      rows: [notification('a1-open', 'chat', 'a1'), notification('a2-open', 'chat', 'a2'), notification('a1-cancel', 'chat', 'a1')],
      claims: [['a1-open', 'a2-open'], ['a1-cancel'], []],
    },
    {
      name: 'rows without an ordering key are not ordered',
      rows: [notification('x', 'chat', null), notification('y', 'chat', null)],
      claims: [['x', 'y'], []],
    },
    {
      name: 'the same alert on two webhooks is ordered per webhook only',
      rows: [notification('open@chat', 'chat', 'a1'), notification('open@pager', 'pager', 'a1'), notification('cancel@chat', 'chat', 'a1')],
      claims: [['open@chat', 'open@pager'], ['cancel@chat'], []],
    },
  ];

  for (const testCase of cases) {
    it(testCase.name, () => {
      store.commit({ now: 0, outbox: testCase.rows });
      for (const expected of testCase.claims) {
        const rows = store.claimDue(0, 100, LEASE);
        expect(rows.map((row) => row.eventId)).toEqual(expected);
        for (const row of rows) expect(store.markDelivered(row.id, 1)).toBe(true);
      }
    });
  }

  it('keeps a due row waiting while an earlier row of its alert waits for a retry', () => {
    store.commit({ now: 0, outbox: [notification('open', 'chat', 'a1'), notification('cancel', 'chat', 'a1')] });
    const [open] = store.claimDue(0, 10, LEASE);
    store.reschedule(open!.id, 60_000, 'HTTP 503', 10);
    expect(claimedEvents(30_000)).toEqual([]);
    expect(claimedEvents(60_000)).toEqual(['open']);
  });

  it.each(['failed', 'discarded', 'dropped'] as const)('lets later rows go once an earlier one is %s', (status) => {
    store.commit({ now: 0, outbox: [notification('open', 'chat', 'a1'), notification('cancel', 'chat', 'a1')] });
    const [open] = store.claimDue(0, 10, LEASE);
    store.markFailed(open!.id, status, 'HTTP 400', 10);
    expect(claimedEvents(10)).toEqual(['cancel']);
  });

  it('claims nothing before notBefore, and the earliest due rows first up to the limit', () => {
    store.commit({
      now: 0,
      outbox: [
        notification('late', 'chat', null, { notBefore: 5_000 }),
        notification('soon', 'chat', null, { notBefore: 1_000 }),
        notification('now', 'chat', null),
      ],
    });
    expect(claimedEvents(0)).toEqual(['now']);
    expect(claimedEvents(5_000, 1)).toEqual(['soon']);
    expect(claimedEvents(5_000, 1)).toEqual(['late']);
  });

  it('claims only the given webhook when asked', () => {
    store.commit({ now: 0, outbox: [notification('c', 'chat', null), notification('p', 'pager', null)] });
    expect(store.claimDue(0, 10, LEASE, { webhook: 'pager' }).map((row) => row.eventId)).toEqual(['p']);
    expect(claimedEvents(0)).toEqual(['c']);
  });

  it('marks claimed rows inflight with a lease and counts the attempt', () => {
    store.commit({ now: 0, outbox: [notification('e1', 'chat', 'a1')] });
    const [row] = store.claimDue(100, 10, LEASE);
    expect(row).toMatchObject({ status: 'inflight', attempts: 1, leaseUntil: 100 + LEASE, alertId: 'a1', createdAt: 0, queuedAt: 0 });
    expect(row!.event.id).toBe('e1');
  });
});

describe('outbox: the lease of a crashed worker expires', () => {
  it('hands an inflight row out again once its lease has passed, not before', () => {
    store.commit({ now: 0, outbox: [notification('open', 'chat', 'a1'), notification('cancel', 'chat', 'a1')] });
    expect(claimedEvents(0)).toEqual(['open']);
    expect(claimedEvents(LEASE - 1)).toEqual([]);
    const [again] = store.claimDue(LEASE, 10, LEASE);
    expect(again).toMatchObject({ eventId: 'open', attempts: 2, leaseUntil: 2 * LEASE });
  });

  it('ignores the outcome of the stale worker when a fence is given', () => {
    store.commit({ now: 0, outbox: [notification('open', 'chat', 'a1')] });
    const [first] = store.claimDue(0, 10, LEASE);
    const [second] = store.claimDue(LEASE, 10, LEASE);
    expect(store.settle([{ id: first!.id, at: LEASE + 1, outcome: 'delivered', attempts: first!.attempts }])).toEqual([false]);
    expect(store.getOutboxRow(first!.id)?.status).toBe('inflight');
    expect(store.settle([{ id: second!.id, at: LEASE + 2, outcome: 'delivered', attempts: second!.attempts }])).toEqual([true]);
    expect(store.getOutboxRow(first!.id)?.status).toBe('done');
  });

  it('tells the next due time, ignoring rows that wait behind an earlier one', () => {
    expect(store.nextDueAt()).toBeNull();
    store.commit({ now: 0, outbox: [notification('open', 'chat', 'a1'), notification('cancel', 'chat', 'a1', { notBefore: 5 })] });
    expect(store.nextDueAt()).toBe(0);
    store.claimDue(0, 10, 1_000);
    expect(store.nextDueAt()).toBe(1_000);
    expect(store.nextDueAt({ webhook: 'other' })).toBeNull();
  });
});

describe('outbox: outcomes', () => {
  it('applies delivered, retry and failure outcomes, logging attempts in the same transaction', () => {
    store.commit({ now: 0, outbox: [notification('a', 'chat', null), notification('b', 'chat', null), notification('c', 'chat', null)] });
    const [a, b, c] = store.claimDue(0, 10, LEASE);
    const applied = store.settle([
      { id: a!.id, at: 10, outcome: 'delivered', log: attemptLog(a!.id, 'a', 'chat', 10, true) },
      { id: b!.id, at: 10, outcome: 'retry', nextAttemptAt: 1_000, error: 'HTTP 503', log: attemptLog(b!.id, 'b', 'chat', 10, false) },
      { id: c!.id, at: 10, outcome: 'failed', error: 'HTTP 404', log: attemptLog(c!.id, 'c', 'chat', 10, false) },
    ]);
    expect(applied).toEqual([true, true, true]);
    expect(store.getOutboxRow(a!.id)).toMatchObject({ status: 'done', leaseUntil: null });
    expect(store.getOutboxRow(b!.id)).toMatchObject({ status: 'pending', nextAttemptAt: 1_000, lastError: 'HTTP 503', leaseUntil: null });
    expect(store.getOutboxRow(c!.id)).toMatchObject({ status: 'failed', lastError: 'HTTP 404' });
    expect(store.listDeliveryAttempts({ webhook: 'chat' }).map((attempt) => attempt.eventId)).toEqual(['c', 'b', 'a']);
    expect(store.webhookStats('chat', 0)).toMatchObject({ successes: 1, failures: 2 });
  });

  it('refuses outcomes for rows that are not inflight', () => {
    store.commit({ now: 0, outbox: [notification('a', 'chat', null)] });
    const [id] = store.commit({ now: 0, outbox: [notification('b', 'chat', null)] }).outboxIds;
    expect(store.markDelivered(id!, 5)).toBe(false);
    expect(store.getOutboxRow(id!)?.status).toBe('pending');
    expect(store.markDelivered(999, 5)).toBe(false);
  });

  it('re-queues a failed row with a fresh discard period (API retry)', () => {
    const [id] = store.commit({ now: 0, outbox: [notification('a', 'chat', 'a1')] }).outboxIds;
    store.claimDue(0, 1, LEASE);
    store.markFailed(id!, 'discarded', 'gave up after 5m', 300_000);
    const retried = store.retryDelivery(id!, 400_000, {
      now: 400_000,
      audit: [{ actor: 'ops', action: 'retry', kind: 'delivery', name: String(id), at: 400_000 }],
    });
    expect(retried).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: 400_000, queuedAt: 400_000, createdAt: 0 });
    expect(store.listAudit({ kind: 'delivery' })).toHaveLength(1);
    expect(claimedEvents(400_000)).toEqual(['a']);
  });

  it('does not re-queue a row that is pending, inflight or done', () => {
    const [id] = store.commit({ now: 0, outbox: [notification('a', 'chat', null)] }).outboxIds;
    const audit = { now: 1, audit: [{ actor: 'ops', action: 'retry', kind: 'delivery', name: String(id), at: 1 }] };
    expect(store.retryDelivery(id!, 1, audit)).toBeNull();
    store.claimDue(0, 1, LEASE);
    expect(store.retryDelivery(id!, 1, audit)).toBeNull();
    store.markDelivered(id!, 2);
    expect(store.retryDelivery(id!, 3, audit)).toBeNull();
    expect(store.listAudit({})).toEqual([]);
  });
});

describe('outbox: depth and lossy webhooks', () => {
  it('counts pending and inflight rows per webhook', () => {
    store.commit({
      now: 0,
      outbox: [notification('a', 'chat', null), notification('b', 'chat', null), notification('c', 'pager', null), notification('d', 'pager', null)],
    });
    store.claimDue(0, 1, LEASE, { webhook: 'chat' });
    const [delivered] = store.claimDue(0, 1, LEASE, { webhook: 'pager' });
    store.markDelivered(delivered!.id, 1);
    expect(store.outboxDepth()).toBe(3);
    expect(store.outboxDepth('chat')).toBe(2);
    expect(store.outboxDepth('pager')).toBe(1);
    expect(store.outboxDepth('nobody')).toBe(0);
    expect(store.outboxDepths()).toEqual([
      { webhook: 'chat', pending: 1, inflight: 1 },
      { webhook: 'pager', pending: 1, inflight: 0 },
    ]);
  });

  it('drops the oldest pending rows of one webhook, never inflight ones or other webhooks', () => {
    store.commit({
      now: 0,
      outbox: ['1', '2', '3', '4'].map((id) => notification(id, 'lossy', null)).concat(notification('keep', 'other', null)),
    });
    store.claimDue(0, 1, LEASE, { webhook: 'lossy' });
    const dropped = store.dropOldestPending('lossy', 2, 50);
    expect(dropped.map((row) => [row.eventId, row.status])).toEqual([
      ['2', 'dropped'],
      ['3', 'dropped'],
    ]);
    expect(store.outboxDepth('lossy')).toBe(2);
    expect(store.outboxDepth('other')).toBe(1);
    expect(store.dropOldestPending('lossy', 0, 50)).toEqual([]);
  });
});

describe('outbox: lookups', () => {
  it('lists rows newest first by webhook, status, event or alert, with a paging cursor', () => {
    store.commit({
      now: 0,
      outbox: [notification('e1', 'chat', 'a1'), notification('e1', 'pager', 'a1'), notification('e2', 'chat', 'a2')],
    });
    expect(store.listOutbox({ webhook: 'chat' }).map((row) => row.eventId)).toEqual(['e2', 'e1']);
    expect(store.listOutbox({ eventId: 'e1' }).map((row) => row.webhook)).toEqual(['pager', 'chat']);
    expect(store.listOutbox({ alertId: 'a2' }).map((row) => row.eventId)).toEqual(['e2']);
    expect(store.listOutbox({ status: 'pending', limit: 2 }).map((row) => row.id)).toEqual([3, 2]);
    expect(store.listOutbox({ beforeId: 2 }).map((row) => row.id)).toEqual([1]);
  });

  it('takes the alert id from the event unless given', () => {
    const ids = store.commit({
      now: 0,
      outbox: [notification('e1', 'chat', 'a1'), notification('e2', 'chat', null, { alertId: 'explicit' }), notification('e3', 'chat', null)],
    }).outboxIds;
    expect(ids.map((id) => store.getOutboxRow(id)?.alertId)).toEqual(['a1', 'explicit', null]);
  });
});

describe('queueing is idempotent per (event id, webhook)', () => {
  it('does not queue an event twice for the same webhook, and returns the existing row id', () => {
    const store = memoryStore();
    const first = store.commit({ now: 1, outbox: [notification('e1', 'hook', 'a1'), notification('e1', 'other', 'a1')] });
    const again = store.commit({ now: 2, outbox: [notification('e1', 'hook', 'a1')] });
    expect(again.outboxIds).toEqual([first.outboxIds[0]]);
    expect(store.outboxDepth('hook')).toBe(1);
    expect(store.outboxDepth('other')).toBe(1);
    store.close();
  });
});
