/**
 * Issue 12.6: a notification a lossy webhook dropped (its outbox full of rows in flight, so the
 * new one could not be queued) still shows in the alert's explanation, as dropped and why — not as
 * queued forever.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_OUTBOX_LIMIT } from '../../../src/delivery/admission.js';
import { startTestServer, type TestServer } from '../helpers.js';

const CONFIG = `
rules:
  - name: disk-full
    metric: disk
    condition: value > 95
    severity: critical
webhooks:
  - name: chat
    url: http://127.0.0.1:9/chat
    template: flat
    lossy: true
`;

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer({ files: { 'rules.yaml': CONFIG } });
});
afterEach(() => server.close());

describe('GET /api/v1/alerts/:id shows dropped notifications', () => {
  it('says a notification was dropped when the lossy webhook had no room for it', async () => {
    const store = server.runtime.store;
    const now = server.clock.now();
    // The webhook's whole outbox is in flight: nothing pending can make room.
    const filler = Array.from({ length: DEFAULT_OUTBOX_LIMIT }, (_, index) => ({
      event: { id: `filler-${index}`, type: 'webhook.test', version: 1, time: new Date(now).toISOString(), severity: 'info', data: {} },
      webhook: 'chat',
      template: null,
      orderingKey: null,
    })) as Parameters<typeof store.commit>[0]['outbox'];
    store.commit({ now, outbox: filler });
    expect(store.claimDue(now, DEFAULT_OUTBOX_LIMIT, 600_000)).toHaveLength(DEFAULT_OUTBOX_LIMIT);

    const posted = await server.call('POST', '/api/v1/samples', { token: server.tokens.ingest, body: [{ metric: 'disk', entity: 'db-1', time: now, value: 99 }] });
    expect(posted.status).toBe(200);
    const listed = await server.call('GET', '/api/v1/alerts', { token: server.tokens.viewer });
    const [alert] = (listed.json as { alerts: Array<{ alertId: string }> }).alerts;
    const explained = await server.call('GET', `/api/v1/alerts/${alert!.alertId}`, { token: server.tokens.viewer });
    expect(explained.status).toBe(200);
    const body = explained.json as { events: Array<{ notifications: Array<{ webhook: string; delivery: unknown }> }>; summary: string[] };
    expect(body.events[0]!.notifications.find((n) => n.webhook === 'chat')?.delivery).toMatchObject({
      status: 'dropped',
      attempts: 0,
      lastError: 'dropped: lossy webhook over its outbox limit',
    });
    expect(body.summary.join('\n')).toContain('chat: dropped after 0 attempts: dropped: lossy webhook over its outbox limit');
  });
});
