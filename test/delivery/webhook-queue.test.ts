import { describe, expect, it } from 'vitest';
import type { ClaimedRow } from '../../src/delivery/ports.js';
import { WebhookQueue } from '../../src/delivery/webhook-queue.js';
import { makeEvent } from './helpers/fakes.js';

let nextId = 1;
const row = (orderingKey: string | null): ClaimedRow => ({ id: nextId++, event: makeEvent(), webhook: 'hook', template: null, orderingKey, attempts: 0, fence: 1, queuedAt: 0 });
const ids = (rows: Array<{ rows: ClaimedRow[] }>) => rows.map((job) => job.rows.map((r) => r.orderingKey ?? `#${r.id}`).join('+'));

describe('which jobs of a webhook may start', () => {
  it('starts jobs in claim order up to the concurrency', () => {
    const queue = new WebhookQueue();
    for (const key of ['a', 'b', 'c']) queue.add(row(key), 0, 0, 100);
    expect(ids(queue.startable(2))).toEqual(['a', 'b']);
    expect(ids(queue.startable(2))).toEqual([]);
  });

  it('never starts a second job of a key in flight, nor lets a later job of that key overtake', () => {
    const queue = new WebhookQueue();
    queue.add(row('a'), 0, 0, 100);
    const [first] = queue.startable(4);
    queue.add(row('a'), 0, 0, 100);
    queue.add(row('b'), 0, 0, 100);
    expect(ids(queue.startable(4))).toEqual(['b']);
    if (first === undefined) throw new Error('no job');
    queue.sent(first);
    queue.settled(first);
    expect(ids(queue.startable(4))).toEqual(['a']);
  });

  it('frees the request slot at the response, and the key only once the outcome is stored', () => {
    const queue = new WebhookQueue();
    queue.add(row('a'), 0, 0, 100);
    const [first] = queue.startable(1);
    if (first === undefined) throw new Error('no job');
    queue.add(row('a'), 0, 0, 100);
    queue.add(row('b'), 0, 0, 100);
    expect(ids(queue.startable(1))).toEqual([]);
    queue.sent(first);
    // The slot is free for b; the second a still waits for the first a's outcome.
    expect(ids(queue.startable(1))).toEqual(['b']);
    queue.settled(first);
    expect(ids(queue.startable(2))).toEqual(['a']);
  });

  it('releases the waiting rows of a key', () => {
    const queue = new WebhookQueue();
    queue.add(row('a'), 0, 0, 100);
    queue.startable(4);
    const waiting = row('a');
    queue.add(waiting, 0, 0, 100);
    queue.add(row('b'), 0, 0, 100);
    expect(queue.takeKey('a')).toEqual([waiting]);
    expect(ids(queue.startable(4))).toEqual(['b']);
  });
});

describe('batches', () => {
  it('collect rows until the window has passed', () => {
    const queue = new WebhookQueue();
    queue.add(row('a'), 1_000, 500, 100);
    queue.add(row('b'), 1_200, 500, 100);
    expect(queue.batchDueAt).toBe(1_500);
    queue.flushIfDue(1_499);
    expect(queue.startable(4)).toEqual([]);
    queue.flushIfDue(1_500);
    expect(ids(queue.startable(4))).toEqual(['a+b']);
    expect(queue.batchDueAt).toBeNull();
  });

  it('are cut at the maximum size', () => {
    const queue = new WebhookQueue();
    for (const key of ['a', 'b', 'c']) queue.add(row(key), 0, 500, 2);
    expect(ids(queue.startable(4))).toEqual(['a+b']);
    expect(queue.takeAll().map((r) => r.orderingKey)).toEqual(['c']);
  });
});
