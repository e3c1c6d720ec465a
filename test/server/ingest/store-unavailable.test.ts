/**
 * Issue 12 item 2 through the API: when the store cannot commit a batch (disk full), ingestion
 * answers 503 with what happened, that nothing was applied and that the batch may be sent again;
 * the engine holds no alert the store does not; /readyz says the store takes no writes; and the
 * same batch sent again opens the alert and queues its notification.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../../src/store/errors.js';
import type { CommitBatch } from '../../../src/store/store.js';
import { startTestServer, type TestServer } from '../helpers.js';

const RULES = `
rules:
  - name: disk-full
    metric: disk
    condition: value > 95
    severity: critical
  - name: cpu-high
    metric: cpu
    condition: value > 90
    for: 1m
webhooks:
  - name: ops
    url: http://127.0.0.1:9/ops
    template: flat
`;

let server: TestServer;
/** While set, every store commit fails as on a full disk. */
let diskFull = false;

beforeEach(async () => {
  server = await startTestServer({ files: { 'rules.yaml': RULES } });
  diskFull = false;
  const store = server.runtime.store;
  const full = () => new StoreUnavailableError('disk_full', 'SQLite: database or disk is full');
  const commit = store.commit.bind(store);
  store.commit = (batch: CommitBatch) => {
    if (diskFull) throw full();
    return commit(batch);
  };
  const acknowledge = store.acknowledge.bind(store);
  store.acknowledge = (...args: Parameters<typeof store.acknowledge>) => {
    if (diskFull) throw full();
    return acknowledge(...args);
  };
});

afterEach(async () => {
  await server.close();
});

const batch = () => [
  { metric: 'disk', entity: 'db-1', time: server.clock.now(), value: 99 },
  { metric: 'disk', entity: 'db-2', time: server.clock.now(), value: 12 },
  { metric: 'cpu', entity: 'web-1', time: server.clock.now(), value: 97 },
];

async function activeAlerts(): Promise<Array<{ rule: string; entity: string; status: string }>> {
  const response = await server.call('GET', '/api/v1/alerts', { token: server.tokens.viewer });
  expect(response.status).toBe(200);
  return (response.json as { alerts: Array<{ rule: string; entity: string; status: string }> }).alerts
    .map(({ rule, entity, status }) => ({ rule, entity, status }));
}

describe('ingest while the store cannot commit', () => {
  it('answers 503 with a hint, applies nothing, and the same batch sent again opens the alerts', async () => {
    diskFull = true;
    const body = batch();
    const refused = await server.call('POST', '/api/v1/samples', { token: server.tokens.ingest, body });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('30');
    expect(refused.json).toEqual({
      error: {
        code: 'store_unavailable',
        message: 'the batch of 3 sample(s) was not applied: the disk holding the data file is full '
          + '(SQLite: database or disk is full); nothing of this change was stored',
        hint: 'free space on the data file\'s filesystem (see docs/operations.md, "Disk full / failed commit"), '
          + 'then send the same request again; nothing of this request was applied, so sending it again is safe',
        details: { reason: 'disk_full' },
      },
    });
    // The engine is not ahead of the store: no open alert, no pending one.
    expect(await activeAlerts()).toEqual([]);
    expect(server.runtime.engine.seriesCount()).toBe(0);

    const notReady = await server.call('GET', '/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.json).toMatchObject({
      status: 'not ready', store: { writable: false, reason: 'disk_full', failed_writes: 1, first_failed: 'ingest' },
    });
    expect((await server.call('GET', '/healthz')).status).toBe(200);

    diskFull = false;
    const accepted = await server.call('POST', '/api/v1/samples', { token: server.tokens.ingest, body });
    expect(accepted.status).toBe(200);
    expect(await activeAlerts()).toEqual([
      { rule: 'disk-full', entity: 'db-1', status: 'open' },
      { rule: 'cpu-high', entity: 'web-1', status: 'pending' },
    ]);
    expect(server.runtime.store.outboxDepth('ops')).toBe(1);
    expect((await server.call('GET', '/readyz')).status).toBe(200);
  });

  it('line protocol gets the same 503, and a failed timer commit is retried by the next tick', async () => {
    const lines = `cpu,host=web-1 value=97 ${server.clock.now()}000000\n`;
    const write = () =>
      server.call('POST', '/api/v1/write', { token: server.tokens.ingest, body: lines, contentType: 'text/plain' });
    const first = await write();
    expect(first.status).toBe(204);
    expect(await activeAlerts()).toEqual([{ rule: 'cpu-high', entity: 'web-1', status: 'pending' }]);

    // The pending period ends while the disk is full: the open cannot be stored, so it is not made.
    server.clock.advance(61_000);
    diskFull = true;
    // The service's timer loop logs nothing per tick for this error (storeHealth logs it once).
    expect(() => server.runtime.tick()).toThrow(StoreUnavailableError);
    expect(() => server.runtime.tick()).toThrow(StoreUnavailableError);
    expect(await activeAlerts()).toEqual([{ rule: 'cpu-high', entity: 'web-1', status: 'pending' }]);
    const refused = await write();
    expect(refused.status).toBe(503);
    expect((refused.json as { error: { code: string } }).error.code).toBe('store_unavailable');
    const ready = await server.call('GET', '/readyz');
    expect(ready.json).toMatchObject({ store: { first_failed: 'engine timers', failed_writes: 3 } });

    diskFull = false;
    server.runtime.tick();
    expect(await activeAlerts()).toEqual([{ rule: 'cpu-high', entity: 'web-1', status: 'open' }]);
    expect(server.runtime.store.outboxDepth('ops')).toBe(1);
    expect((await server.call('GET', '/readyz')).status).toBe(200);
  });

  it('other writes (acknowledge) get the same 503 instead of a 500', async () => {
    const opened = await server.call('POST', '/api/v1/samples', { token: server.tokens.ingest, body: [batch()[0]] });
    expect(opened.status).toBe(200);
    const listed = await server.call('GET', '/api/v1/alerts', { token: server.tokens.viewer });
    const alertId = (listed.json as { alerts: Array<{ alertId: string }> }).alerts[0]!.alertId;
    const acknowledge = () =>
      server.call('POST', `/api/v1/alerts/${alertId}/ack`, {
        token: server.tokens.operator, body: { comment: 'looking' },
      });
    diskFull = true;
    const ack = await acknowledge();
    expect(ack.status).toBe(503);
    expect((ack.json as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'store_unavailable',
      message: expect.stringMatching(/^the change was not applied: the disk holding the data file is full/),
    });
    // Counted once, though both the service and the API saw the error.
    const ready = await server.call('GET', '/readyz');
    expect(ready.json).toMatchObject({ store: { first_failed: 'acknowledge', failed_writes: 1 } });
    diskFull = false;
    const again = await acknowledge();
    expect(again.status).toBe(200);
  });
});
