/**
 * Issue 12.4: a webhook whose receiver never answers (timeout 5 s) must not slow another webhook.
 * Each webhook has its own budget of claimed rows, so the hung one fills only its own; the healthy
 * one's 600 alerts go out while the hung requests are still waiting for their first timeout. The
 * measure is counts, not the clock: when the healthy receiver has all 600, the hung receiver has
 * seen at most four rounds of requests (three timeouts, room for a very loaded machine); a healthy
 * webhook that waited behind the hung rows (one shared budget) would need dozens of rounds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { configDirectory, JsonReceiver, removeDirectory, startLive, waitUntil, type LiveServer } from './fixtures/live-server.js';

const ALERTS = 600;
const HUNG_CONCURRENCY = 4;

let live: LiveServer | undefined;
const receivers: JsonReceiver[] = [];
afterEach(async () => {
  await live?.stop();
  for (const receiver of receivers.splice(0)) await receiver.close();
  if (live) removeDirectory(live.dir);
  live = undefined;
});

describe('a hung receiver does not delay another webhook', () => {
  it('delivers the healthy webhook’s 600 alerts while the hung one waits for its first timeouts', async () => {
    const hung = await new JsonReceiver(() => 'hang').listen();
    const healthy = await new JsonReceiver(() => ({ status: 200 })).listen();
    receivers.push(hung, healthy);
    const where = configDirectory({
      'hot.yaml': ['rules:', '  - name: hot', '    metric: temp', '    window: length(1)', '    condition: value > 80', '    severity: warning', ''].join('\n'),
      // The hung webhook comes first in the outbox: every alert is queued for it, then for the healthy one.
      'webhooks.yaml': [
        'webhooks:',
        '  - name: a-hung',
        `    url: ${hung.url()}`,
        '    template: events',
        '    events: [alert.open]',
        '    timeout: 5s',
        `    concurrency: ${HUNG_CONCURRENCY}`,
        '  - name: b-healthy',
        `    url: ${healthy.url()}`,
        '    template: events',
        '    events: [alert.open]',
        '',
      ].join('\n'),
    });
    live = await startLive(where);
    const start = Date.now() - 60_000;
    // Six batches, so the outbox fills while delivery runs, as it would under a real feed.
    for (let batch = 0; batch < 6; batch++) {
      const lines = Array.from({ length: ALERTS / 6 }, (_, index) => `temp,entity=host-${batch}-${index} value=95 ${start + batch}`);
      expect(await live.write(lines)).toBe(204);
    }
    const store = live.server.runtime.store;
    expect(store.outboxDepth('a-hung') + healthy.accepted.length).toBeGreaterThan(0);

    await waitUntil(() => healthy.accepted.length >= ALERTS, 60_000, () => `${healthy.accepted.length} of ${ALERTS} at the healthy receiver`);
    const hungRequests = hung.requests;
    const hungAttempts = store.listDeliveryAttempts({ webhook: 'a-hung', limit: 1_000 }).length;
    expect(hungRequests).toBeGreaterThan(0);
    expect(hungRequests, `${hungAttempts} hung attempts timed out before the healthy webhook finished`).toBeLessThanOrEqual(4 * HUNG_CONCURRENCY);
    expect(new Set(healthy.accepted.map((request) => request.webhookId)).size).toBe(ALERTS);
    // The hung webhook still has nearly all of its notifications queued.
    expect(store.outboxDepth('a-hung')).toBeGreaterThanOrEqual(ALERTS - 4 * HUNG_CONCURRENCY);
  }, 90_000);
});
