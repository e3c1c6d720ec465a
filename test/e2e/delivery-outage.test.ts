/**
 * SPEC §10 "a receiver down for minutes gets everything once it is back (within discard_after)":
 * the receiver of a webhook stops listening for 30 s — every connection refused — while alerts keep
 * coming. The real delivery path (SQLite outbox, worker, HTTP sender, `events` preset) retries with
 * the webhook's backoff (retry: 200ms … 2s) and, once the receiver listens again, delivers
 * everything queued before and during the outage: nothing discarded, the events of each alert in
 * order, promptly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { EgressGuard, HttpSender, parseWebhook, type Webhook } from '../../src/delivery/index.js';
import { DeliveryWorker } from '../../src/delivery/worker.js';
import type { TocsinEvent } from '../../src/model/event.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { createRenderer, presetTemplate } from '../../src/templates/index.js';
import { alertsOutOfOrder, alertsSentBackwards, alertStorm, deliveryGaps, idMismatches, outboxRows, RecordingReceiver } from './fixtures/storm.js';

const OUTAGE_MS = 30_000;
const RETRY = { initial: '200ms', max: '2s' };
/**
 * Once the receiver is back, every alert's next attempt is at most retry.max (2 s) away. The slack
 * is for a loaded machine: late timers, and a due retry waiting behind the rows already claimed
 * (concurrency 4). A backoff that ignored retry.max (default 1m) would miss it by far.
 */
const RESUME_SLACK_MS = 5_000;
/** The whole backlog (~1 000 requests) normally drains in 2–4 s; the rest is room for a loaded machine. */
const DRAINED_WITHIN_MS = 20_000;
const ALERTS_BEFORE = 100;
const ALERTS_DURING = 20;
const EVENTS_PER_ALERT = 10;
/** Events 0–5 of the first alerts are queued before the outage, 6–9 during it. */
const QUEUED_BEFORE = 6;
const ALERTS_TOTAL = ALERTS_BEFORE + ALERTS_DURING;

/**
 * A port outside the kernel's ephemeral range (32768–60999 on Linux), so that no other test's
 * `listen(0)` can take it while our receiver is down and we listen on it again.
 */
async function listenOnFixedPort(receiver: RecordingReceiver): Promise<void> {
  for (let tries = 0; ; tries++) {
    try {
      await receiver.listen(20_000 + Math.floor(Math.random() * 12_000));
      return;
    } catch (error) {
      if (tries >= 20) throw error;
    }
  }
}

function webhookFor(url: string): Webhook {
  const parsed = parseWebhook({ name: 'outage', url, template: 'events', retry: RETRY });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.webhook;
}

describe('receiver down for 30 s', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-delivery-outage-'));
  const store = new SqliteStore(join(dir, 'tocsin.db'));
  const receiver = new RecordingReceiver();
  const sender = new HttpSender({ egress: new EgressGuard({}) });
  const failures: TocsinEvent[] = [];
  let worker: DeliveryWorker | undefined;

  afterAll(async () => {
    await worker?.stop();
    await sender.close();
    await receiver.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gets everything queued before and during the outage once it is back, in order per alert', async () => {
    await listenOnFixedPort(receiver);
    const webhook = webhookFor(receiver.url);
    expect(webhook.discard_after).toBe('5m');
    const storm = alertStorm(ALERTS_TOTAL, EVENTS_PER_ALERT, Date.parse('2026-03-14T09:00:00Z'));
    const old = storm.slice(0, ALERTS_BEFORE);
    const queue = (events: TocsinEvent[]) => {
      store.commit({ now: Date.now(), outbox: outboxRows(events, webhook.name) });
      // As the runtime's pipeline does after each commit.
      worker?.wake();
    };

    // The runtime's wiring (src/service/runtime.ts), delivery.failed events collected.
    worker = new DeliveryWorker({
      outbox: store,
      webhooks: { get: (name) => (name === webhook.name ? webhook : undefined) },
      renderer: createRenderer({ get: (name) => presetTemplate(name) }),
      sender,
      events: { emit: (event) => void failures.push(event) },
    });
    queue(old.flatMap((alert) => alert.events.slice(0, QUEUED_BEFORE)));
    worker.start();
    await receiver.until(() => receiver.arrivals.length >= 150, 20_000, () => `${receiver.arrivals.length} arrivals before the outage`);

    await receiver.stop();
    const downAt = Date.now();
    const beforeOutage = receiver.arrivals.length;
    expect(beforeOutage).toBeLessThan(ALERTS_BEFORE * QUEUED_BEFORE);

    // Alerts keep coming while the receiver is down: later events of the same alerts, and new alerts.
    await sleep(OUTAGE_MS / 3);
    queue(old.flatMap((alert) => alert.events.slice(QUEUED_BEFORE)));
    queue(storm.slice(ALERTS_BEFORE).flatMap((alert) => alert.events));
    await sleep(downAt + OUTAGE_MS - Date.now());
    expect(receiver.arrivals.length).toBe(beforeOutage);

    await receiver.listen();
    const backAt = Date.now();
    await receiver.until(() => store.outboxDepth() === 0, 60_000, () => `${store.outboxDepth()} notifications still queued`);
    const finishedAt = Date.now();

    // Everything arrived, named by its event id, in order per alert.
    expect(deliveryGaps(receiver.arrivals, storm)).toEqual({ missing: [], unexpected: [] });
    expect(idMismatches(receiver.arrivals)).toEqual([]);
    expect(alertsOutOfOrder(receiver.arrivals, storm)).toEqual([]);
    // Retries included: an alert's next event went out only after its previous one was accepted.
    expect(alertsSentBackwards(receiver.arrivals, storm)).toEqual([]);

    // Nothing given up on: the outage is far shorter than discard_after (5m).
    expect(failures).toEqual([]);
    for (const status of ['failed', 'discarded', 'dropped'] as const) expect(store.listOutbox({ status, limit: 1 })).toEqual([]);
    expect(store.webhookTotals().map((totals) => [totals.webhook, totals.successes >= ALERTS_TOTAL * EVENTS_PER_ALERT])).toEqual([['outage', true]]);

    // The outage was real (attempts were refused) and the worker kept retrying through it.
    const attempts = store.listDeliveryAttempts({ webhook: webhook.name, limit: 10_000 });
    expect(attempts.length).toBeLessThan(10_000);
    const refused = attempts.filter((attempt) => attempt.error?.startsWith('connection_refused:')).map((attempt) => attempt.time);
    expect(refused.length).toBeGreaterThan(0);
    // Backoff is capped at retry.max, so attempts went on up to the end of the outage.
    expect(Math.max(...refused)).toBeGreaterThan(backAt - webhook.timing.retryMaxMs - RESUME_SLACK_MS);

    // Promptly: each alert resumed within retry.max of the return, and the backlog was gone soon after.
    const resumedAfter = new Map<string, number>();
    for (const arrival of receiver.arrivals) {
      if (arrival.at >= backAt && !resumedAfter.has(arrival.alertId)) resumedAfter.set(arrival.alertId, arrival.at - backAt);
    }
    expect(resumedAfter.size).toBe(storm.length);
    expect([...resumedAfter].filter(([, ms]) => ms > webhook.timing.retryMaxMs + RESUME_SLACK_MS)).toEqual([]);
    expect(finishedAt - backAt).toBeLessThan(DRAINED_WITHIN_MS);
  }, 120_000);
});
