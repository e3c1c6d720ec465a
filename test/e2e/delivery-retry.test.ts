/**
 * End to end: the retry policy, discard_after, timeouts, order per alert, batching and lossy
 * webhooks, with a real worker and receiver. Durations are milliseconds so the suite stays fast.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { admit } from '../../src/delivery/admission.js';
import type { TocsinEvent } from '../../src/model/event.js';
import { deliver } from '../delivery/helpers/e2e.js';
import { CollectingSink, Directory, InMemoryOutbox, makeEvent, makeWebhook } from '../delivery/helpers/fakes.js';
import { Receiver } from '../delivery/helpers/receiver.js';

const fast = { retry: { initial: '10ms', max: '40ms' }, discard_after: '5s', timeout: '2s' };
let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

const alert = (alertId: string, type: TocsinEvent['type'] = 'alert.open') => makeEvent({ type, data: { alert_id: alertId, rule: 'cpu-high' } });
const idOf = (body: string) => (JSON.parse(body) as { id: string }).id;

describe('retries (SPEC §6)', () => {
  it('retries 5xx until the receiver answers 2xx', async () => {
    receiver = await Receiver.http((_request, index) => ({ status: index < 2 ? 503 : 200 }));
    const { outbox, sink } = await deliver(makeWebhook({ url: receiver.url(), ...fast }), [{ event: alert('a1') }]);
    expect(receiver.requests).toHaveLength(3);
    expect(outbox.statuses()).toEqual(['done']);
    expect(outbox.logs.map((log) => [log.statusCode, log.ok])).toEqual([[503, false], [503, false], [200, true]]);
    expect(outbox.counts('hook')).toEqual({ successes: 1, failures: 2 });
    expect(sink.events).toEqual([]);
  });

  it('honours Retry-After in seconds', async () => {
    receiver = await Receiver.http((_request, index) => (index === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }));
    const { outbox } = await deliver(makeWebhook({ url: receiver.url(), ...fast }), [{ event: alert('a1') }]);
    const retry = outbox.settlements.find((settlement) => settlement.outcome === 'retry');
    // The backoff alone would be at most 10 ms; the receiver asked for a second.
    expect(retry?.outcome === 'retry' && retry.nextAttemptAt - retry.at).toBe(1_000);
    expect(receiver.requests).toHaveLength(2);
    expect(outbox.statuses()).toEqual(['done']);
  });

  it('does not retry other 4xx and reports delivery.failed', async () => {
    receiver = await Receiver.http(() => ({ status: 422, body: '{"error":"unknown field"}' }));
    const event = alert('a1');
    const { outbox, sink } = await deliver(makeWebhook({ url: receiver.url(), ...fast }), [{ event }]);
    expect(receiver.requests).toHaveLength(1);
    expect(outbox.statuses()).toEqual(['failed']);
    expect(outbox.logs[0]).toMatchObject({ statusCode: 422, responseBody: '{"error":"unknown field"}' });
    expect(sink.events.map((failed) => failed.data)).toEqual([
      { webhook: 'hook', event_id: event.id, event_type: 'alert.open', attempts: 1, last_status: 422, last_error: 'HTTP 422 (answers other than 408, 429 and 5xx are not retried)', reason: 'rejected' },
    ]);
  });

  it('discards after discard_after and reports delivery.failed', async () => {
    receiver = await Receiver.http(() => ({ status: 500 }));
    const { outbox, sink } = await deliver(makeWebhook({ url: receiver.url(), ...fast, discard_after: '300ms' }), [{ event: alert('a1') }]);
    expect(receiver.requests.length).toBeGreaterThan(2);
    expect(outbox.statuses()).toEqual(['discarded']);
    expect(sink.events.map((failed) => (failed.data as { reason: string }).reason)).toEqual(['discarded']);
  });

  it('treats a receiver slower than the timeout as a retryable timeout', async () => {
    receiver = await Receiver.http((_request, index) => (index === 0 ? { status: 200, delayMs: 1_000 } : { status: 200 }));
    const { outbox } = await deliver(makeWebhook({ url: receiver.url(), ...fast, timeout: '100ms' }), [{ event: alert('a1') }]);
    expect(outbox.logs.map((log) => log.error?.split(':')[0] ?? null)).toEqual(['timeout', null]);
    expect(outbox.statuses()).toEqual(['done']);
  });

  it('retries when nobody listens (connection refused)', async () => {
    const closed = await Receiver.http();
    const url = closed.url();
    await closed.close();
    const { outbox } = await deliver(makeWebhook({ url, ...fast, discard_after: '100ms' }), [{ event: alert('a1') }]);
    expect(outbox.statuses()).toEqual(['discarded']);
    expect(outbox.logs.every((log) => log.error?.startsWith('connection_refused:'))).toBe(true);
  });
});

describe('order per alert under retries', () => {
  it('delivers open before cancel for each alert, even when the open needs retries', async () => {
    const openA = alert('A');
    const cancelA = alert('A', 'alert.cancel');
    const openB = alert('B');
    const cancelB = alert('B', 'alert.cancel');
    let failures = 0;
    receiver = await Receiver.http((request) => (idOf(request.body) === openA.id && failures++ < 2 ? { status: 503 } : { status: 200 }));
    const webhook = makeWebhook({ url: receiver.url(), template: 'slack', ...fast });
    const { outbox } = await deliver(webhook, [openA, openB, cancelA, cancelB].map((event) => ({ event })));
    const received = receiver.requests.map((request) => idOf(request.body));
    expect(received.filter((id) => id === openA.id || id === cancelA.id)).toEqual([openA.id, openA.id, openA.id, cancelA.id]);
    expect(received.filter((id) => id === openB.id || id === cancelB.id)).toEqual([openB.id, cancelB.id]);
    expect(outbox.statuses()).toEqual(['done', 'done', 'done', 'done']);
  });
});

describe('batching', () => {
  it('sends events due within the window as one {"events": [...]} body', async () => {
    receiver = await Receiver.http(() => ({ status: 200 }));
    const events = [alert('a1'), alert('a2'), alert('a3')];
    const { outbox } = await deliver(makeWebhook({ url: receiver.url(), template: 'events', batch: '200ms', ...fast }), events.map((event) => ({ event })));
    expect(receiver.requests).toHaveLength(1);
    const body = JSON.parse(receiver.requests[0]?.body ?? '') as { events: Array<{ id: string; type: string; createdAt: string }> };
    expect(body.events.map((item) => item.id)).toEqual(events.map((event) => event.id));
    expect(receiver.requests[0]?.headers['webhook-id']).not.toBe(events[0]?.id);
    expect(outbox.statuses()).toEqual(['done', 'done', 'done']);
  });
});

describe('lossy webhooks (SPEC §6 lossy)', () => {
  it('drop their oldest notifications when over the limit; the newest are delivered', async () => {
    receiver = await Receiver.http(() => ({ status: 200 }));
    const webhook = makeWebhook({ url: receiver.url(), template: 'slack', lossy: true, ...fast });
    const outbox = new InMemoryOutbox();
    const sink = new CollectingSink();
    const old = [makeEvent(), makeEvent(), makeEvent(), makeEvent()];
    for (const event of old) outbox.add(event, 'hook', { at: Date.now(), orderingKey: null });
    const fresh = [makeEvent(), makeEvent()];
    const admitted = await admit(fresh.map((event) => ({ webhook: 'hook', event })), { outbox, webhooks: new Directory(webhook), events: sink }, Date.now(), 3);
    expect(admitted.droppedRows).toHaveLength(3);
    expect(sink.events).toHaveLength(3);
    await deliver(webhook, admitted.accepted.map((item) => ({ event: item.event })), {}, outbox);
    expect(receiver.requests.map((request) => idOf(request.body))).toEqual([old[3]?.id, fresh[0]?.id, fresh[1]?.id]);
    expect(outbox.statuses()).toEqual(['dropped', 'dropped', 'dropped', 'done', 'done', 'done']);
  });
});
