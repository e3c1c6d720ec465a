/**
 * SPEC §6: every delivery attempt is logged (status, latency, response headers and body, error)
 * and counted per webhook; a notification that failed for good can be queued again by hand.
 * Through the real app, a real delivery worker and a receiver on 127.0.0.1.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Receiver } from '../../delivery/helpers/receiver.js';
import { startTestServer, type TestServer } from '../helpers.js';

const FILES = {
  'rules.yaml': `rules:
  - name: disk-full
    metric: disk
    condition: value > 95
    severity: critical
`,
};
const SECRET = 'receiver-token-5b8e21';

interface Attempt {
  id: number;
  outboxId: number | null;
  eventId: string;
  eventType: string | null;
  time: string;
  ok: boolean;
  statusCode: number | null;
  latencyMs: number;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
  error: string | null;
  status: string | null;
}

let server: TestServer;
let receiver: Receiver;

beforeEach(async () => {
  server = await startTestServer({ files: FILES });
  receiver = await Receiver.http();
});
afterEach(async () => {
  await server.close();
  await receiver.close();
});

async function createHook(overrides: Record<string, unknown> = {}): Promise<void> {
  const body = { name: 'pager', url: receiver.url(), template: 'flat', events: ['alert.open'], auth: { type: 'bearer', token: SECRET }, ...overrides };
  const response = await server.call('POST', '/api/v1/webhooks', { token: server.tokens.admin, body });
  expect(response.status, response.text).toBe(201);
}

async function deliveries(query = ''): Promise<Attempt[]> {
  const response = await server.call('GET', `/api/v1/webhooks/pager/deliveries${query}`, { token: server.tokens.viewer });
  expect(response.status, response.text).toBe(200);
  return (response.json as { deliveries: Attempt[] }).deliveries;
}

/** Polls until `check` holds: the delivery worker runs on its own. */
async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** An alert opens and its notification goes to the receiver through the outbox. */
async function openAlert(): Promise<void> {
  server.runtime.start();
  const sent = await server.call('POST', '/api/v1/samples', { token: server.tokens.ingest, body: [{ metric: 'disk', entity: 'db-1', time: server.clock.now(), value: 99 }] });
  expect(sent.status, sent.text).toBe(200);
}

const outboxStatus = () => server.runtime.store.listOutbox({ webhook: 'pager' })[0]?.status;

describe('the delivery log', () => {
  it('shows the attempt of a test, and counts it', async () => {
    await createHook();
    receiver.answer(() => ({ status: 200, headers: { 'x-request-id': 'abc' }, body: '{"ok":true}' }));
    const tested = await server.call('POST', '/api/v1/webhooks/pager/test', { token: server.tokens.operator });
    expect(tested.status).toBe(200);

    const [attempt, ...rest] = await deliveries();
    expect(rest).toEqual([]);
    expect(attempt).toMatchObject({ outboxId: null, eventType: 'webhook.test', ok: true, statusCode: 200, responseBody: '{"ok":true}', error: null, status: null });
    expect(attempt?.eventId).toBe((tested.json as { eventIds: string[] }).eventIds[0]);
    expect(attempt?.responseHeaders?.['x-request-id']).toBe('abc');

    const stats = await server.call('GET', '/api/v1/webhooks/pager/stats?hours=1', { token: server.tokens.viewer });
    expect(stats.status).toBe(200);
    const body = stats.json as { webhook: string; successes: number; failures: number; lastSuccessAt: string | null; lastFailureAt: string | null; perMinute: Array<{ minute: string; successes: number; failures: number }> };
    expect(body).toMatchObject({ webhook: 'pager', successes: 1, failures: 0, lastFailureAt: null });
    expect(body.lastSuccessAt).toBe(attempt?.time);
    expect(body.perMinute.reduce((sum, m) => sum + m.successes, 0)).toBe(1);

    const listed = await server.call('GET', '/api/v1/webhooks', { token: server.tokens.viewer });
    expect((listed.json as { webhooks: Array<Record<string, unknown>> }).webhooks[0]).toMatchObject({ name: 'pager', successes: 1, failures: 0 });
  });

  it('pages newest first with limit and before', async () => {
    await createHook();
    for (let i = 0; i < 3; i++) await server.call('POST', '/api/v1/webhooks/pager/test', { token: server.tokens.operator });
    const all = (await deliveries()).map((a) => a.id);
    expect(all).toEqual([...all].sort((a, b) => b - a));
    const first = await server.call('GET', '/api/v1/webhooks/pager/deliveries?limit=2', { token: server.tokens.viewer });
    const page = first.json as { deliveries: Attempt[]; nextBefore: number | null };
    expect(page.deliveries.map((a) => a.id)).toEqual(all.slice(0, 2));
    expect((await deliveries(`?before=${page.nextBefore}`)).map((a) => a.id)).toEqual(all.slice(2));
  });

  it('never shows a secret a receiver echoes back', async () => {
    await createHook();
    receiver.answer((request) => ({ status: 200, headers: { 'x-echo': String(request.headers.authorization) }, body: JSON.stringify({ headers: request.headers }) }));
    const tested = await server.call('POST', '/api/v1/webhooks/pager/test', { token: server.tokens.operator });
    expect(receiver.requests[0]?.headers.authorization).toBe(`Bearer ${SECRET}`);
    const listed = await server.call('GET', '/api/v1/webhooks/pager/deliveries', { token: server.tokens.viewer });
    for (const response of [tested, listed]) {
      expect(response.text).not.toContain(SECRET);
      expect(response.text).toContain('********');
    }
  });

  it.each([
    ['an unknown webhook', '/api/v1/webhooks/nope/deliveries', 404],
    ['an unknown webhook', '/api/v1/webhooks/nope/stats', 404],
    ['a limit out of range', '/api/v1/webhooks/pager/deliveries?limit=0', 400],
    ['a limit that is not a number', '/api/v1/webhooks/pager/deliveries?limit=ten', 400],
    ['hours beyond what is kept', '/api/v1/webhooks/pager/stats?hours=48', 400],
  ])('refuses %s', async (_case, url, status) => {
    await createHook();
    expect((await server.call('GET', url, { token: server.tokens.viewer })).status).toBe(status);
  });
});

describe('POST /api/v1/deliveries/:id/retry', () => {
  it('queues a failed notification again, and it is delivered', async () => {
    await createHook();
    receiver.answer(() => ({ status: 400, body: 'bad payload' }));
    await openAlert();
    await eventually(() => outboxStatus() === 'failed', 'the notification to fail');

    const [failed] = await deliveries();
    expect(failed).toMatchObject({ eventType: 'alert.open', ok: false, statusCode: 400, responseBody: 'bad payload', status: 'failed' });
    const outboxId = failed!.outboxId!;

    receiver.answer(() => ({ status: 204 }));
    const retried = await server.call('POST', `/api/v1/deliveries/${outboxId}/retry`, { token: server.tokens.operator });
    expect(retried.status, retried.text).toBe(200);
    expect(retried.json).toMatchObject({ id: outboxId, webhook: 'pager', eventType: 'alert.open', status: 'pending', attempts: 0 });
    await eventually(() => outboxStatus() === 'done', 'the retried notification to be delivered');

    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[1]?.body).toBe(receiver.requests[0]?.body);
    expect((await deliveries()).map((a) => [a.outboxId, a.ok, a.statusCode])).toEqual([[outboxId, true, 204], [outboxId, false, 400]]);
    const stats = await server.call('GET', '/api/v1/webhooks/pager/stats', { token: server.tokens.viewer });
    expect(stats.json).toMatchObject({ successes: 1, failures: 1 });

    const audit = server.runtime.store.listAudit({ kind: 'delivery' });
    expect(audit.map((a) => [a.actor, a.action, a.name])).toEqual([['token:test-operator', 'retry', String(outboxId)]]);
  });

  it('refuses what cannot be retried', async () => {
    await createHook();
    receiver.answer(() => ({ status: 200 }));
    await openAlert();
    await eventually(() => outboxStatus() === 'done', 'the notification to be delivered');
    const done = server.runtime.store.listOutbox({ webhook: 'pager' })[0]!.id;

    const cases: Array<[string, number, string]> = [
      [String(done), 409, 'not_retryable'],
      ['999999', 404, 'not_found'],
      ['first', 400, 'invalid_request'],
    ];
    for (const [id, status, code] of cases) {
      const response = await server.call('POST', `/api/v1/deliveries/${id}/retry`, { token: server.tokens.operator });
      expect(response.status, id).toBe(status);
      expect((response.json as { error: { code: string } }).error.code).toBe(code);
    }
    expect(server.runtime.store.listAudit({ kind: 'delivery' })).toEqual([]);
  });

  it('refuses to retry for a webhook that no longer exists', async () => {
    await createHook();
    receiver.answer(() => ({ status: 400 }));
    await openAlert();
    await eventually(() => outboxStatus() === 'failed', 'the notification to fail');
    const id = server.runtime.store.listOutbox({ webhook: 'pager' })[0]!.id;
    await server.call('DELETE', '/api/v1/webhooks', { token: server.tokens.admin, body: { names: ['pager'] } });
    const response = await server.call('POST', `/api/v1/deliveries/${id}/retry`, { token: server.tokens.operator });
    expect(response.status).toBe(409);
    expect((response.json as { error: { code: string } }).error.code).toBe('webhook_gone');
  });
});
