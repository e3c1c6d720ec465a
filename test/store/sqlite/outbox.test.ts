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

  it('marks claimed rows inflight with a lease and a new fence; attempts counts requests sent, not claims', () => {
    store.commit({ now: 0, outbox: [notification('e1', 'chat', 'a1')] });
    const [row] = store.claimDue(100, 10, LEASE);
    expect(row).toMatchObject({ status: 'inflight', attempts: 0, fence: 1, leaseUntil: 100 + LEASE, alertId: 'a1', createdAt: 0, queuedAt: 0 });
    expect(row!.event.id).toBe('e1');
  });
});

describe('outbox: the lease of a crashed worker expires', () => {
  it('hands an inflight row out again once its lease has passed, not before', () => {
    store.commit({ now: 0, outbox: [notification('open', 'chat', 'a1'), notification('cancel', 'chat', 'a1')] });
    expect(claimedEvents(0)).toEqual(['open']);
    expect(claimedEvents(LEASE - 1)).toEqual([]);
    const [again] = store.claimDue(LEASE, 10, LEASE);
    expect(again).toMatchObject({ eventId: 'open', attempts: 0, fence: 2, leaseUntil: 2 * LEASE });
  });

  it('ignores the outcome of the stale worker when a fence is given', () => {
    store.commit({ now: 0, outbox: [notification('open', 'chat', 'a1')] });
    const [first] = store.claimDue(0, 10, LEASE);
    const [second] = store.claimDue(LEASE, 10, LEASE);
    expect(store.settle([{ id: first!.id, at: LEASE + 1, outcome: 'delivered', fence: first!.fence }])).toEqual([false]);
    expect(store.getOutboxRow(first!.id)?.status).toBe('inflight');
    expect(store.settle([{ id: second!.id, at: LEASE + 2, outcome: 'delivered', fence: second!.fence }])).toEqual([true]);
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

describe('outbox: the settlement fence is its own counter (issue 12.6)', () => {
  it('rejects a stale settlement after a manual retry reset attempts', () => {
    store.commit({ now: 0, outbox: [notification('open', 'chat', 'a1')] });
    // Worker A claims; its lease runs out; worker B claims, sends, and the notification fails for good.
    const [stale] = store.claimDue(0, 10, LEASE);
    const [second] = store.claimDue(LEASE, 10, LEASE);
    expect(store.settle([{ id: second!.id, at: LEASE + 1, fence: second!.fence, sent: true, outcome: 'failed', error: 'HTTP 400' }])).toEqual([true]);
    // An operator retries it: attempts start again; worker C claims it.
    expect(store.retryDelivery(second!.id, LEASE + 2)).toMatchObject({ status: 'pending', attempts: 0 });
    const [third] = store.claimDue(LEASE + 3, 10, LEASE);
    expect(third).toMatchObject({ attempts: 0 });
    // Worker A wakes up with its old claim: whatever its number, it is not the current claim's.
    expect(store.settle([{ id: stale!.id, at: LEASE + 4, fence: stale!.fence, sent: true, outcome: 'delivered' }])).toEqual([false]);
    expect(store.getOutboxRow(stale!.id)).toMatchObject({ status: 'inflight', fence: third!.fence });
    expect(store.settle([{ id: third!.id, at: LEASE + 5, fence: third!.fence, sent: true, outcome: 'delivered' }])).toEqual([true]);
    expect(store.getOutboxRow(third!.id)).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('counts requests sent, not claims or rows handed back unsent', () => {
    store.commit({ now: 0, outbox: [notification('open', 'chat', 'a1')] });
    const [first] = store.claimDue(0, 10, LEASE);
    // Handed back unsent (the worker stopped): not an attempt.
    store.settle([{ id: first!.id, at: 1, fence: first!.fence, outcome: 'retry', nextAttemptAt: 1, error: 'released unsent' }]);
    const [second] = store.claimDue(1, 10, LEASE);
    store.settle([{ id: second!.id, at: 2, fence: second!.fence, sent: true, outcome: 'retry', nextAttemptAt: 2, error: 'HTTP 503' }]);
    const [third] = store.claimDue(2, 10, LEASE);
    expect(third).toMatchObject({ attempts: 1, fence: 3 });
    store.settle([{ id: third!.id, at: 3, fence: third!.fence, sent: true, outcome: 'delivered' }]);
    expect(store.getOutboxRow(third!.id)).toMatchObject({ status: 'done', attempts: 2, fence: 3 });
  });
});

describe('outbox: what a settlement causes is written in its transaction (issue 12.6)', () => {
  const failed = (id: number, fence: number) => ({ id, at: 5, fence, sent: true, outcome: 'failed' as const, error: 'HTTP 400' });

  it('writes the follow-up batch with the outcomes that applied', () => {
    store.commit({ now: 0, outbox: [notification('open', 'chat', 'a1')] });
    const [row] = store.claimDue(0, 10, LEASE);
    const seen: boolean[][] = [];
    store.settle([failed(row!.id, row!.fence), failed(row!.id, row!.fence - 1)], (applied) => {
      seen.push([...applied]);
      return { now: 5, outbox: [notification('failed-open', 'pager', null)] };
    });
    expect(seen).toEqual([[true, false]]);
    expect(store.listOutbox({ webhook: 'pager' }).map((entry) => entry.eventId)).toEqual(['failed-open']);
  });

  it('keeps neither when writing the follow-up fails: the row stays claimed, nothing is lost', () => {
    store.commit({ now: 0, outbox: [notification('open', 'chat', 'a1')] });
    const [row] = store.claimDue(0, 10, LEASE);
    expect(() =>
      store.settle([{ ...failed(row!.id, row!.fence), log: attemptLog(row!.id, 'open', 'chat', 5, false) }], () => {
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect(store.getOutboxRow(row!.id)).toMatchObject({ status: 'inflight', attempts: 0, fence: row!.fence });
    expect(store.listDeliveryAttempts({ webhook: 'chat' })).toEqual([]);
  });
});

describe('outbox: restart and fair claiming (issue 12.1, 12.4)', () => {
  it('makes rows left in flight by a stopped process due at once, with a new fence', () => {
    store.commit({ now: 0, outbox: [notification('open', 'chat', 'a1'), notification('cancel', 'chat', 'a1'), notification('x', 'pager', null)] });
    const claimed = store.claimDue(0, 10, 5 * 60_000);
    expect(claimed.map((row) => row.eventId)).toEqual(['open', 'x']);
    expect(store.releaseOrphanedClaims(1_000)).toBe(2);
    const again = store.claimDue(1_000, 10, LEASE);
    expect(again.map((row) => row.eventId)).toEqual(['open', 'x']);
    for (const [index, row] of again.entries()) expect(row.fence).toBe(claimed[index]!.fence + 2);
    // A settlement of the old claim does not apply.
    expect(store.settle([{ id: claimed[0]!.id, at: 1_001, fence: claimed[0]!.fence, outcome: 'delivered' }])).toEqual([false]);
    expect(store.releaseOrphanedClaims(2_000)).toBe(2);
  });

  it('claims each webhook within its own budget; a full budget takes nothing, others still get theirs', () => {
    const rows = Array.from({ length: 20 }, (_, index) => [notification(`h${index}`, 'hung', null), notification(`k${index}`, 'healthy', null)]).flat();
    store.commit({ now: 0, outbox: [...rows, notification('r0', 'removed', null)] });
    const first = store.claimDue(0, 1_000, LEASE, { budgets: { hung: 4, healthy: 4 }, defaultBudget: 1 });
    const count = (claimed: typeof first, webhook: string) => claimed.filter((row) => row.webhook === webhook).length;
    expect([count(first, 'hung'), count(first, 'healthy'), count(first, 'removed')]).toEqual([4, 4, 1]);
    // The hung webhook holds its whole budget; the healthy one keeps claiming.
    const second = store.claimDue(0, 1_000, LEASE, { budgets: { hung: 0, healthy: 4 }, defaultBudget: 1 });
    expect([count(second, 'hung'), count(second, 'healthy')]).toEqual([0, 4]);
    expect(second.map((row) => row.eventId)).toEqual(['k4', 'k5', 'k6', 'k7']);
  });

  it('keeps the order per ordering key when claiming by budget', () => {
    store.commit({ now: 0, outbox: [notification('open', 'chat', 'a1'), notification('cancel', 'chat', 'a1'), notification('other', 'chat', 'a2')] });
    const claimed = store.claimDue(0, 100, LEASE, { budgets: { chat: 10 }, defaultBudget: 10 });
    expect(claimed.map((row) => row.eventId)).toEqual(['open', 'other']);
  });
});

describe('outbox: a long queue behind one series head', () => {
  it('hands out the next row of a key only once the one before finished, through drops and manual retries', () => {
    store.commit({ now: 0, outbox: ['e1', 'e2', 'e3', 'e4'].map((id) => notification(id, 'chat', 's1')) });
    const [e1] = store.claimDue(0, 10, LEASE);
    expect(e1?.eventId).toBe('e1');
    store.settle([{ id: e1!.id, at: 1, fence: e1!.fence, sent: true, outcome: 'failed', error: 'HTTP 400' }]);
    // e2 pending, e3 and e4 behind it; the lossy limit drops e2.
    expect(store.dropOldestPending('chat', 1, 2).map((row) => row.eventId)).toEqual(['e2']);
    const [e3] = store.claimDue(2, 10, LEASE);
    expect(e3?.eventId).toBe('e3');
    store.settle([{ id: e3!.id, at: 3, fence: e3!.fence, sent: true, outcome: 'retry', nextAttemptAt: 3, error: 'HTTP 503' }]);
    // An operator re-queues e1: it goes before e3 and e4 again.
    store.retryDelivery(e1!.id, 4);
    expect(claimedEvents(4)).toEqual(['e1']);
    expect(claimedEvents(4)).toEqual([]);
    const again = store.listOutbox({ eventId: 'e1' })[0]!;
    store.settle([{ id: again.id, at: 5, fence: again.fence, sent: true, outcome: 'delivered' }]);
    expect(claimedEvents(5)).toEqual(['e3']);
    // Nothing else is due: e4 waits behind e3, whose lease is the next moment anything could change.
    expect(store.nextDueAt()).toBe(5 + LEASE);
  });
});
