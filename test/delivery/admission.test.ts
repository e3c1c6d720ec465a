import { describe, expect, it } from 'vitest';
import { admissionPlan, admit } from '../../src/delivery/admission.js';
import { CollectingSink, Directory, InMemoryOutbox, makeEvent, makeWebhook } from './helpers/fakes.js';

describe('the bounded outbox plan', () => {
  it.each([
    ['under the limit', 5, 3, 10, false, { dropPending: 0, dropIncoming: 0, backlogged: false }],
    ['exactly at the limit: backlogged', 7, 3, 10, true, { dropPending: 0, dropIncoming: 0, backlogged: true }],
    ['over, not lossy: queue all, backlogged', 9, 3, 10, false, { dropPending: 0, dropIncoming: 0, backlogged: true }],
    ['far over, not lossy: no drop', 50_000, 300, 10, false, { dropPending: 0, dropIncoming: 0, backlogged: true }],
    ['over, lossy: drop the oldest pending', 9, 3, 10, true, { dropPending: 2, dropIncoming: 0, backlogged: true }],
    ['a burst larger than the limit, lossy', 2, 15, 10, true, { dropPending: 2, dropIncoming: 5, backlogged: true }],
  ])('%s', (_title, depth, incoming, limit, lossy, expected) => {
    expect(admissionPlan(depth, incoming, limit, lossy)).toEqual(expected);
  });
});

describe('admit (SPEC §6 lossy)', () => {
  const lossy = makeWebhook({ name: 'lossy', lossy: true });
  const durable = makeWebhook({ name: 'durable' });

  function setup(): { outbox: InMemoryOutbox; sink: CollectingSink; deps: Parameters<typeof admit>[1] } {
    const outbox = new InMemoryOutbox();
    const sink = new CollectingSink();
    return { outbox, sink, deps: { outbox, webhooks: new Directory(lossy, durable), events: sink } };
  }

  it('drops the oldest pending notifications of a lossy webhook and reports each as delivery.failed', async () => {
    const { outbox, sink, deps } = setup();
    const old = [makeEvent(), makeEvent(), makeEvent()];
    for (const event of old) outbox.add(event, 'lossy', { orderingKey: null });
    const fresh = [makeEvent(), makeEvent()];
    const result = await admit(fresh.map((event) => ({ webhook: 'lossy', event })), deps, 1_000, 3);
    expect(result.accepted.map((item) => item.event.id)).toEqual(fresh.map((event) => event.id));
    expect(result.droppedRows.map((row) => row.event.id)).toEqual([old[0]?.id, old[1]?.id]);
    expect(outbox.statuses()).toEqual(['dropped', 'dropped', 'pending']);
    expect(result.backlogged).toEqual(['lossy']);
    expect(sink.events.map((event) => [event.type, (event.data as { reason: string }).reason, (event.data as { event_id: string }).event_id])).toEqual([
      ['delivery.failed', 'dropped', old[0]?.id],
      ['delivery.failed', 'dropped', old[1]?.id],
    ]);
  });

  it('drops from the incoming ones when in-flight rows leave no pending row to drop', async () => {
    const { outbox, deps } = setup();
    outbox.add(makeEvent(), 'lossy', { orderingKey: null });
    outbox.claimDue(0, 10, 60_000);
    const fresh = [makeEvent(), makeEvent(), makeEvent()];
    const result = await admit(fresh.map((event) => ({ webhook: 'lossy', event })), deps, 1_000, 2);
    expect(result.droppedIncoming.map((item) => item.event.id)).toEqual([fresh[0]?.id, fresh[1]?.id]);
    expect(result.accepted.map((item) => item.event.id)).toEqual([fresh[2]?.id]);
  });

  it('queues everything for a webhook that is not lossy and reports it backlogged', async () => {
    const { outbox, sink, deps } = setup();
    for (let i = 0; i < 3; i++) outbox.add(makeEvent(), 'durable', { orderingKey: null });
    const fresh = [makeEvent(), makeEvent()];
    const result = await admit([...fresh.map((event) => ({ webhook: 'durable', event })), { webhook: 'lossy', event: makeEvent() }], deps, 1_000, 3);
    expect(result.accepted).toHaveLength(3);
    expect(result.backlogged).toEqual(['durable']);
    expect(outbox.statuses()).toEqual(['pending', 'pending', 'pending']);
    expect(sink.events).toEqual([]);
  });
});
