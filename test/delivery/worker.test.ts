import { describe, expect, it } from 'vitest';
import type { TocsinEvent } from '../../src/model/event.js';
import type { Logger } from '../../src/delivery/ports.js';
import { createSecretResolver } from '../../src/delivery/secrets.js';
import type { Webhook } from '../../src/delivery/webhook.js';
import { DeliveryWorker, type WorkerOptions } from '../../src/delivery/worker.js';
import { CollectingSink, Directory, FakeRenderer, InMemoryOutbox, makeEvent, makeWebhook, ManualClock, ScriptedSender, type Reply } from './helpers/fakes.js';

interface Harness {
  clock: ManualClock;
  outbox: InMemoryOutbox;
  sender: ScriptedSender;
  sink: CollectingSink;
  warnings: string[];
  worker: DeliveryWorker;
}

function harness(
  webhooks: Webhook[],
  reply: (call: { index: number; webhook: Webhook; body: string }) => Reply | Promise<Reply>,
  options: WorkerOptions = {},
  outbox = new InMemoryOutbox(),
): Harness {
  const clock = new ManualClock();
  const sender = new ScriptedSender(({ index, webhook, request }) => reply({ index, webhook, body: request.body }), clock);
  const sink = new CollectingSink();
  const warnings: string[] = [];
  const log: Logger = { warn: (_fields, message) => warnings.push(message), error: (_fields, message) => warnings.push(message), debug: () => {} };
  const worker = new DeliveryWorker(
    { outbox, webhooks: new Directory(...webhooks), renderer: new FakeRenderer(), sender, events: sink, clock, random: () => 1, secrets: createSecretResolver({ env: {} }), log },
    options,
  );
  return { clock, outbox, sender, sink, warnings, worker };
}

const alert = (alertId: string, type: TocsinEvent['type'] = 'alert.open') => makeEvent({ type, data: { alert_id: alertId, rule: 'cpu-high' } });
const ok: Reply = { statusCode: 200 };
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('delivering a notification', () => {
  it('sends it once, marks it delivered and logs the attempt', async () => {
    const h = harness([makeWebhook({ template: 'slack' })], () => ({ statusCode: 202, responseBody: 'accepted' }));
    const event = alert('a1');
    const id = h.outbox.add(event, 'hook', { at: h.clock.now() });
    await h.worker.runOnce();
    expect(h.outbox.row(id).status).toBe('done');
    const [call] = h.sender.requests;
    expect(call?.request.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'tocsin/0.1.0',
      'webhook-id': event.id,
      'idempotency-key': event.id,
    });
    expect(JSON.parse(call?.request.body ?? '')).toMatchObject({ template: 'slack', id: event.id });
    expect(h.outbox.logs).toMatchObject([{ outboxId: id, eventId: event.id, webhook: 'hook', statusCode: 202, responseBody: 'accepted', ok: true, error: null }]);
    expect(h.outbox.counts('hook')).toEqual({ successes: 1, failures: 0 });
  });

  it('retries a 503 after the backoff and then succeeds', async () => {
    const h = harness([makeWebhook({ retry: { initial: '1s', max: '1m' } })], ({ index }) => (index === 0 ? { statusCode: 503 } : ok));
    const id = h.outbox.add(alert('a1'), 'hook', { at: h.clock.now() });
    await h.worker.runOnce();
    expect(h.outbox.row(id)).toMatchObject({ status: 'pending', nextAttemptAt: h.clock.now() + 1_000, lastError: 'HTTP 503' });
    await h.worker.runOnce();
    expect(h.sender.requests).toHaveLength(1); // not due yet
    h.clock.advance(1_000);
    await h.worker.runOnce();
    expect(h.outbox.row(id).status).toBe('done');
    expect(h.outbox.counts('hook')).toEqual({ successes: 1, failures: 1 });
  });

  it('fails a 4xx at once and emits delivery.failed', async () => {
    const h = harness([makeWebhook()], () => ({ statusCode: 404 }));
    const event = alert('a1');
    const id = h.outbox.add(event, 'hook', { at: h.clock.now() });
    await h.worker.runOnce();
    h.clock.advance(60_000);
    await h.worker.runOnce();
    expect(h.sender.requests).toHaveLength(1);
    expect(h.outbox.row(id).status).toBe('failed');
    expect(h.sink.events).toHaveLength(1);
    expect(h.sink.events[0]).toMatchObject({
      type: 'delivery.failed',
      severity: 'warning',
      data: { webhook: 'hook', event_id: event.id, event_type: 'alert.open', attempts: 1, last_status: 404, reason: 'rejected' },
    });
  });

  it('discards after discard_after and emits delivery.failed', async () => {
    const h = harness([makeWebhook({ discard_after: '10s', retry: { initial: '1s', max: '2s' } })], () => ({ error: { code: 'connection_refused', message: 'connect ECONNREFUSED' } }));
    const id = h.outbox.add(alert('a1'), 'hook', { at: h.clock.now() });
    for (let step = 0; step < 20 && h.outbox.row(id).status === 'pending'; step++) {
      await h.worker.runOnce();
      h.clock.advance(1_000);
    }
    expect(h.outbox.row(id).status).toBe('discarded');
    expect(h.sender.requests.length).toBeGreaterThan(3);
    expect(h.sink.events.map((event) => (event.data as { reason: string }).reason)).toEqual(['discarded']);
    expect(h.outbox.row(id).lastError).toMatch(/^not delivered within discard_after \(10s\)/);
  });

  it('never reports the failure of a delivery.failed event (no loops)', async () => {
    const h = harness([makeWebhook()], () => ({ statusCode: 400 }));
    h.outbox.add(makeEvent({ type: 'delivery.failed', data: { webhook: 'other', event_id: 'x' } }), 'hook', { at: h.clock.now() });
    await h.worker.runOnce();
    expect(h.sink.events).toEqual([]);
  });

  it('fails a notification whose template throws, visibly', async () => {
    const h = harness([makeWebhook({ template: 'broken' })], () => ok);
    const id = h.outbox.add(alert('a1'), 'hook', { at: h.clock.now() });
    await h.worker.runOnce();
    expect(h.sender.requests).toEqual([]);
    expect(h.outbox.row(id).status).toBe('failed');
    expect(h.outbox.logs[0]?.error).toMatch(/^render_failed: template 'broken' failed/);
    expect(h.sink.events).toHaveLength(1);
  });

  it('retries when a secret cannot be read (it may appear)', async () => {
    const h = harness([makeWebhook({ auth: { type: 'bearer', token: { env: 'MISSING_TOKEN' } } })], () => ok);
    const id = h.outbox.add(alert('a1'), 'hook', { at: h.clock.now() });
    await h.worker.runOnce();
    expect(h.sender.requests).toEqual([]);
    expect(h.outbox.row(id).status).toBe('pending');
    expect(h.outbox.logs[0]?.error).toMatch(/^secret_unavailable: auth.token: environment variable MISSING_TOKEN is not set/);
  });

  it.each([
    ['removed', [] as Webhook[], "webhook 'hook' no longer exists"],
    ['disabled', [makeWebhook({ enabled: false })], "webhook 'hook' is disabled"],
  ])('fails notifications of a webhook that was %s, without a request', async (_title, webhooks, error) => {
    const h = harness(webhooks, () => ok);
    const id = h.outbox.add(alert('a1'), 'hook', { at: h.clock.now() });
    await h.worker.runOnce();
    expect(h.sender.requests).toEqual([]);
    expect(h.outbox.row(id)).toMatchObject({ status: 'failed', lastError: error });
  });
});

describe('events of one alert stay in order', () => {
  it.each([
    ['the claim hands out one row per alert (the store contract)', true],
    ['the claim hands out a whole alert at once: the worker holds the cancel back', false],
  ])('a cancel never overtakes its open while the open is retried: %s', async (_title, ordered) => {
    const openA = alert('A');
    const cancelA = alert('A', 'alert.cancel');
    const openB = alert('B');
    let failed = false;
    const h = harness(
      [makeWebhook({ template: 'slack', retry: { initial: '1s', max: '1s' } })],
      ({ body }) => {
        if (!failed && (JSON.parse(body) as { id: string }).id === openA.id) {
          failed = true;
          return { statusCode: 500 };
        }
        return ok;
      },
      {},
      new InMemoryOutbox({ ordered }),
    );
    for (const event of [openA, cancelA, openB]) h.outbox.add(event, 'hook', { at: h.clock.now() });
    await h.worker.runOnce();
    await h.worker.runOnce();
    h.clock.advance(1_000);
    await h.worker.runOnce();
    await h.worker.runOnce();
    expect(h.sender.sentEventIds()).toEqual([openA.id, openB.id, openA.id, cancelA.id]);
    expect(h.outbox.statuses()).toEqual(['done', 'done', 'done']);
  });
});

describe('per-webhook concurrency', () => {
  it('keeps at most `concurrency` requests in flight per webhook', async () => {
    const h = harness([makeWebhook({ name: 'slow', concurrency: 2 }), makeWebhook({ name: 'fast', concurrency: 3 })], async () => {
      for (let i = 0; i < 5; i++) await tick();
      return ok;
    });
    for (let i = 0; i < 8; i++) {
      h.outbox.add(makeEvent(), 'slow', { at: h.clock.now(), orderingKey: null });
      h.outbox.add(makeEvent(), 'fast', { at: h.clock.now(), orderingKey: null });
    }
    await h.worker.runOnce();
    expect(h.outbox.statuses().every((status) => status === 'done')).toBe(true);
    expect(h.sender.peak.get('slow')).toBe(2);
    expect(h.sender.peak.get('fast')).toBe(3);
  });
});

describe('batching (SPEC §6 batch)', () => {
  it('sends the events that became due within the window as one {"events": [...]} body', async () => {
    const h = harness([makeWebhook({ batch: '1s', template: 'events' })], () => ok);
    const events = [alert('a1'), alert('a2'), alert('a3')];
    for (const event of events) h.outbox.add(event, 'hook', { at: h.clock.now() });
    await h.worker.runOnce();
    expect(h.sender.requests).toEqual([]);
    h.clock.advance(1_000);
    await h.worker.runOnce();
    expect(h.sender.requests).toHaveLength(1);
    const body = JSON.parse(h.sender.requests[0]?.request.body ?? '') as { events: Array<{ id: string }> };
    expect(body.events.map((item) => item.id)).toEqual(events.map((event) => event.id));
    expect(h.sender.requests[0]?.meta.eventIds).toEqual(events.map((event) => event.id));
    expect(h.outbox.statuses()).toEqual(['done', 'done', 'done']);
  });

  it('splits a batch at maxBatchEvents', async () => {
    const h = harness([makeWebhook({ batch: '1s' })], () => ok, { maxBatchEvents: 2 });
    for (let i = 0; i < 5; i++) h.outbox.add(makeEvent(), 'hook', { at: h.clock.now(), orderingKey: null });
    await h.worker.runOnce();
    h.clock.advance(1_000);
    await h.worker.runOnce();
    expect(h.sender.requests.map((call) => call.meta.eventIds.length)).toEqual([2, 2, 1]);
  });

  it('reschedules every event of a failed batch', async () => {
    const h = harness([makeWebhook({ batch: '1s' })], () => ({ statusCode: 502 }));
    for (let i = 0; i < 3; i++) h.outbox.add(makeEvent(), 'hook', { at: h.clock.now(), orderingKey: null });
    await h.worker.runOnce();
    h.clock.advance(1_000);
    await h.worker.runOnce();
    expect(h.outbox.statuses()).toEqual(['pending', 'pending', 'pending']);
    expect(h.outbox.logs).toHaveLength(3);
  });
});

/** A response the test lets through when it chooses. */
function heldResponse(): { gate: Promise<void>; release: () => void } {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { gate, release };
}

describe('leases and stopping', () => {
  it('keeps one copy of a row claimed again after its lease ran out, and settles it', async () => {
    const { gate, release } = heldResponse();
    const h = harness([makeWebhook({ concurrency: 1 })], async () => {
      await gate;
      return ok;
    }, { leaseMs: 1_000 });
    h.outbox.add(makeEvent(), 'hook', { at: h.clock.now(), orderingKey: null });
    h.outbox.add(makeEvent(), 'hook', { at: h.clock.now(), orderingKey: null });
    const first = h.worker.runOnce();
    await tick();
    h.clock.advance(2_000);
    const second = h.worker.runOnce();
    release();
    await Promise.all([first, second]);
    expect(h.sender.requests).toHaveLength(2);
    expect(h.outbox.statuses()).toEqual(['done', 'done']);
    expect(h.warnings).toEqual([]);
  });

  it('stop() waits for the request in flight and hands queued rows back', async () => {
    const { gate, release } = heldResponse();
    const h = harness([makeWebhook({ concurrency: 1 })], async () => {
      await gate;
      return ok;
    }, { pollIntervalMs: 5 });
    for (let i = 0; i < 3; i++) h.outbox.add(makeEvent(), 'hook', { at: h.clock.now(), orderingKey: null });
    h.worker.start();
    while (h.sender.requests.length === 0) await tick();
    let stopped = false;
    const stopping = h.worker.stop().then(() => {
      stopped = true;
    });
    await tick();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(h.sender.requests).toHaveLength(1);
    expect(h.outbox.statuses()).toEqual(['done', 'pending', 'pending']);
    expect(h.outbox.rows[1]?.nextAttemptAt).toBe(h.clock.now());
  });
});

describe('fair claiming: each webhook has its own budget of claimed rows', () => {
  it('keeps delivering to a healthy webhook while another one hangs, claiming no more for the hung one than its budget', async () => {
    const hung = makeWebhook({ name: 'hung', concurrency: 2 });
    const fast = makeWebhook({ name: 'fast', concurrency: 4 });
    const never: Array<() => void> = [];
    const h = harness(
      [hung, fast],
      ({ webhook }) => (webhook.name === 'hung' ? new Promise<Reply>((resolve) => never.push(() => resolve(ok))) : ok),
      { claimAhead: 4 },
    );
    for (let index = 0; index < 100; index++) {
      h.outbox.add(alert(`h${index}`), 'hung', { at: h.clock.now() });
      h.outbox.add(alert(`f${index}`), 'fast', { at: h.clock.now() });
    }
    h.worker.start();
    const fastDone = () => h.outbox.rows.filter((row) => row.webhook === 'fast' && row.status === 'done').length;
    for (let round = 0; round < 2_000 && fastDone() < 100; round++) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(fastDone()).toBe(100);
    // The hung webhook holds its budget (claimAhead 4 × concurrency 2) and not a row more.
    expect(h.outbox.rows.filter((row) => row.webhook === 'hung' && row.status === 'inflight')).toHaveLength(8);
    expect(h.sender.requests.filter((request) => request.webhook === 'hung')).toHaveLength(2);
    expect(h.outbox.claims.every((claim) => claim !== undefined && (claim.budgets['hung'] ?? 0) <= 8)).toBe(true);
    for (const release of never) release();
    await h.worker.stop();
  });
});
