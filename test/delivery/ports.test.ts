/**
 * The ports fit the real modules: the SQLite store is an OutboxPort and the templates' renderer a
 * Renderer as they are (checked by the type checker below), and the worker keeps its guarantees on it — order per alert under retries,
 * attempts logged and counted, delivery.failed on rejection.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboxDepthPort, OutboxPort, Renderer } from '../../src/delivery/ports.js';
import { createSecretResolver } from '../../src/delivery/secrets.js';
import { DeliveryWorker } from '../../src/delivery/worker.js';
import type { TocsinEvent } from '../../src/model/event.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { DeliveryLogStore, OutboxStore } from '../../src/store/store.js';
import type { Renderer as TemplatesRenderer } from '../../src/templates/render.js';
import { CollectingSink, Directory, FakeRenderer, makeEvent, makeWebhook, ManualClock, ScriptedSender } from './helpers/fakes.js';

// Compile-time contract: if the store's interface drifts from the port, typechecking fails here.
export const storeIsAPort = (store: OutboxStore & DeliveryLogStore): OutboxPort & OutboxDepthPort => store;
export const templatesAreARenderer = (renderer: TemplatesRenderer): Renderer => renderer;

let store: SqliteStore | undefined;
afterEach(() => {
  store?.close();
  store = undefined;
});

const alert = (alertId: string, type: TocsinEvent['type'] = 'alert.open') => makeEvent({ type, data: { alert_id: alertId, rule: 'cpu-high' } });

describe('the worker on the SQLite store', () => {
  it('delivers in order per alert under retries, logs and counts every attempt', async () => {
    const clock = new ManualClock();
    store = new SqliteStore(':memory:', { now: () => clock.now() });
    const openA = alert('A');
    const cancelA = alert('A', 'alert.cancel');
    const openB = alert('B');
    store.commit({ now: clock.now(), outbox: [openA, cancelA, openB].map((event) => ({ event, webhook: 'hook', template: null, orderingKey: (event.data as { alert_id: string }).alert_id })) });
    let failed = false;
    const sender = new ScriptedSender(({ request }) => {
      if (!failed && request.headers['webhook-id'] === openA.id) {
        failed = true;
        return { statusCode: 503 };
      }
      return { statusCode: 200 };
    }, clock);
    const webhook = makeWebhook({ template: 'slack', retry: { initial: '1s', max: '1s' } });
    const worker = new DeliveryWorker({ outbox: store, webhooks: new Directory(webhook), renderer: new FakeRenderer(), sender, clock, random: () => 1, secrets: createSecretResolver({ env: {} }) });
    await worker.runOnce();
    await worker.runOnce();
    clock.advance(1_000);
    await worker.runOnce();
    await worker.runOnce();
    expect(sender.sentEventIds()).toEqual([openA.id, openB.id, openA.id, cancelA.id]);
    expect(store.listOutbox({}).map((row) => row.status)).toEqual(['done', 'done', 'done']);
    expect(store.listDeliveryAttempts({ webhook: 'hook' }).map((attempt) => [attempt.eventId, attempt.statusCode]).reverse()).toEqual([
      [openA.id, 503],
      [openB.id, 200],
      [openA.id, 200],
      [cancelA.id, 200],
    ]);
    expect(store.webhookStats('hook', 0)).toMatchObject({ successes: 3, failures: 1 });
  });

  it('fails a rejected notification and emits delivery.failed', async () => {
    const clock = new ManualClock();
    store = new SqliteStore(':memory:', { now: () => clock.now() });
    const event = alert('A');
    store.commit({ now: clock.now(), outbox: [{ event, webhook: 'hook', template: null, orderingKey: 'A' }] });
    const sink = new CollectingSink();
    const sender = new ScriptedSender(() => ({ statusCode: 410 }), clock);
    const worker = new DeliveryWorker({ outbox: store, webhooks: new Directory(makeWebhook()), renderer: new FakeRenderer(), sender, events: sink, clock, secrets: createSecretResolver({ env: {} }) });
    await worker.runOnce();
    expect(store.listOutbox({}).map((row) => [row.status, row.lastError])).toEqual([['failed', 'HTTP 410 (answers other than 408, 429 and 5xx are not retried)']]);
    expect(sink.events.map((failure) => failure.data)).toMatchObject([{ event_id: event.id, last_status: 410, reason: 'rejected' }]);
  });
});
