/**
 * SPEC §4 and §7: active alerts, their history, the "explain" view (transitions with the values
 * that caused them, each notification sent or why not, delivery attempts) and acknowledgement,
 * through the real app with samples posted by an ingest token.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers.js';

const RULES = `
rules:
  - name: cpu-high
    metric: cpu
    condition: value > 90
    for: 1m
    severity: major
    labels: { team: infra }
  - name: disk-full
    metric: disk
    condition: value > 95
    severity: critical
  - name: load-high
    metric: load
    condition: value > 10
    severity: warning
    repeat: { every: 2 }
webhooks:
  - name: ops
    url: http://127.0.0.1:9/ops
    template: flat
  - name: pager
    url: http://127.0.0.1:9/pager
    template: flat
    min_severity: critical
    auth: { type: bearer, token: pager-bearer-secret-1234 }
`;

interface Alert {
  alertId: string;
  rule: string;
  entity: string;
  status: string;
  severity: string;
  value: number | null;
  openValue: number | null;
  openTime: string | null;
  since: string | null;
  duration: number;
  acknowledged: boolean;
  active: boolean;
  endedAt?: string;
  reason?: string;
}

interface Notification {
  webhook: string;
  sent: boolean;
  reason?: string;
  delivery: { status: string } | null;
  attempts: Array<{ ok: boolean; statusCode: number | null; responseBody: string | null; responseHeaders: Record<string, string> | null }>;
}

interface Explained {
  alert: Alert;
  transitions: Array<{ type: string; value: number | null; time: string; details: Record<string, unknown> }>;
  events: Array<{ event: { id: string; type: string }; notifications: Notification[] }>;
  acknowledgements: Array<{ by: string; comment: string }>;
  summary: string[];
}

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer({ files: { 'rules.yaml': RULES } });
});
afterEach(async () => {
  await server.close();
});

async function sample(metric: string, entity: string, value: number) {
  const response = await server.call('POST', '/api/v1/samples', { token: server.tokens.ingest, body: [{ metric, entity, time: server.clock.now(), value }] });
  expect(response.status).toBe(200);
}

async function alerts(query = ''): Promise<Alert[]> {
  const response = await server.call('GET', `/api/v1/alerts${query}`, { token: server.tokens.viewer });
  expect(response.status).toBe(200);
  return (response.json as { alerts: Alert[] }).alerts;
}

async function explain(id: string): Promise<Explained> {
  const response = await server.call('GET', `/api/v1/alerts/${id}`, { token: server.tokens.viewer });
  expect(response.status).toBe(200);
  return response.json as Explained;
}

/** cpu-high on web-1: pending at the first sample, open one minute later. */
async function openCpuAlert(value = 96): Promise<Alert> {
  await sample('cpu', 'web-1', 95);
  server.clock.advance(61_000);
  await sample('cpu', 'web-1', value);
  const open = (await alerts()).find((a) => a.rule === 'cpu-high');
  expect(open?.status).toBe('open');
  return open!;
}

describe('GET /api/v1/alerts lists open, pending and no-data alerts', () => {
  it('is empty while nothing breaks a rule', async () => {
    await sample('cpu', 'web-1', 50);
    expect(await alerts()).toEqual([]);
  });

  it('shows a pending alert, then the open one with its value, open time and duration', async () => {
    const start = server.clock.now();
    await sample('cpu', 'web-1', 95);
    const [pending] = await alerts();
    expect(pending).toMatchObject({ rule: 'cpu-high', entity: 'web-1', status: 'pending', severity: 'major', value: 95, openTime: null, since: new Date(start).toISOString() });

    server.clock.advance(61_000);
    await sample('cpu', 'web-1', 97);
    server.clock.advance(30_000);
    const [open] = await alerts();
    expect(open).toMatchObject({
      alertId: pending!.alertId, status: 'open', value: 97, openValue: 97, openTime: new Date(start + 61_000).toISOString(), duration: 30, acknowledged: false, active: true,
    });
  });

  it('lists the most severe first and filters by rule, severity, status and entity', async () => {
    await sample('load', 'web-1', 20);
    await sample('disk', 'db-1', 99);
    await sample('cpu', 'web-2', 99);
    expect((await alerts()).map((a) => a.rule)).toEqual(['disk-full', 'cpu-high', 'load-high']);

    const cases: Array<[string, string[]]> = [
      ['?rule=load-high', ['load-high']],
      ['?severity=critical', ['disk-full']],
      ['?status=pending', ['cpu-high']],
      ['?status=open', ['disk-full', 'load-high']],
      ['?entity=web-2', ['cpu-high']],
      ['?status=nodata', []],
    ];
    for (const [query, rules] of cases) expect((await alerts(query)).map((a) => a.rule), query).toEqual(rules);
  });

  it.each([
    ['?status=firing', 'status'],
    ['?severity=urgent', 'severity'],
    ['?colour=red', 'colour'],
  ])('refuses %s with a 400 naming the parameter', async (query, name) => {
    const response = await server.call('GET', `/api/v1/alerts${query}`, { token: server.tokens.viewer });
    expect(response.status).toBe(400);
    expect(response.text).toContain(name);
  });
});

describe('GET /api/v1/alerts/:id explains an alert', () => {
  it('shows the transition with the value that caused it and each notification, sent or why not', async () => {
    const open = await openCpuAlert(96);
    const explained = await explain(open.alertId);
    expect(explained.alert).toMatchObject({ alertId: open.alertId, status: 'open', active: true });
    expect(explained.transitions.map((t) => [t.type, t.value])).toEqual([['open', 96]]);
    expect(explained.events.map((e) => e.event.type)).toEqual(['alert.open']);
    const notifications = explained.events[0]!.notifications;
    expect(notifications.find((n) => n.webhook === 'ops')).toMatchObject({ sent: true, delivery: { status: 'pending' }, attempts: [] });
    const pager = notifications.find((n) => n.webhook === 'pager');
    expect(pager).toMatchObject({ sent: false, delivery: null });
    expect(pager?.reason).toContain('min_severity');
    expect(explained.summary.join('\n')).toContain('pager: not sent');
  });

  it('shows each delivery attempt of a sent notification, without the webhook secrets a receiver echoed', async () => {
    await sample('disk', 'db-1', 99);
    const [alert] = await alerts();
    const eventId = (await explain(alert!.alertId)).events[0]!.event.id;
    for (const [statusCode, ok] of [[503, false], [200, true]] as const) {
      server.runtime.store.recordAttempt({
        outboxId: null, eventId, webhook: 'pager', time: server.clock.now(), statusCode, latencyMs: 12, ok, error: ok ? null : 'HTTP 503',
        responseHeaders: { 'content-type': 'application/json', authorization: 'Bearer pager-bearer-secret-1234' },
        responseBody: `{"echo":{"authorization":"Bearer pager-bearer-secret-1234","token":"pager-bearer-secret-1234"}}`,
      });
    }
    const explained = await explain(alert!.alertId);
    const pager = explained.events[0]!.notifications.find((n) => n.webhook === 'pager')!;
    expect(pager.sent).toBe(true);
    expect(pager.attempts.map((a) => [a.statusCode, a.ok])).toEqual([[503, false], [200, true]]);
    expect(JSON.stringify(explained)).not.toContain('pager-bearer-secret-1234');
    expect(explained.summary.join('\n')).toContain('pager: delivered (HTTP 200, 2 attempts)');
  });

  it('still explains an alert after it was cancelled, with the cancel and its reason', async () => {
    const open = await openCpuAlert(96);
    server.clock.advance(10_000);
    await sample('cpu', 'web-1', 40);
    expect(await alerts()).toEqual([]);
    const explained = await explain(open.alertId);
    expect(explained.alert).toMatchObject({ alertId: open.alertId, status: 'cancelled', active: false, openValue: 96, value: 40, reason: 'condition_false', duration: 10 });
    expect(explained.transitions.map((t) => [t.type, t.value])).toEqual([['open', 96], ['cancel', 40]]);
    expect(explained.events.map((e) => e.event.type)).toEqual(['alert.open', 'alert.cancel']);
  });

  it('answers 404 with a hint for an unknown id', async () => {
    const response = await server.call('GET', '/api/v1/alerts/no-such-alert', { token: server.tokens.viewer });
    expect(response.status).toBe(404);
    expect(response.json).toMatchObject({ error: { code: 'not_found' } });
    expect((response.json as { error: { hint: string } }).error.hint).toContain('GET /api/v1/alerts');
  });
});

describe('POST /api/v1/alerts/:id/ack', () => {
  it('stops repeats and records who acknowledged it and why', async () => {
    // repeat every 2nd true evaluation: the 3rd firing sample repeats.
    for (let i = 0; i < 3; i++) await sample('load', 'web-1', 20);
    const [alert] = await alerts();
    const types = async () => (await explain(alert!.alertId)).transitions.map((t) => t.type);
    expect(await types()).toEqual(['open', 'repeat']);

    const ack = await server.call('POST', `/api/v1/alerts/${alert!.alertId}/ack`, { token: server.tokens.operator, body: { comment: 'on it' } });
    expect(ack.status).toBe(200);
    expect(ack.json).toMatchObject({ acknowledged: true, alertId: alert!.alertId, alreadyAcknowledged: false, acknowledgement: { by: 'token:test-operator', comment: 'on it' } });

    for (let i = 0; i < 4; i++) await sample('load', 'web-1', 20);
    expect(await types()).toEqual(['open', 'repeat', 'acknowledged']);
    const explained = await explain(alert!.alertId);
    expect(explained.alert.acknowledged).toBe(true);
    expect(explained.acknowledgements).toEqual([expect.objectContaining({ by: 'token:test-operator', comment: 'on it' })]);
    expect(server.runtime.store.listAudit({ kind: 'alert' })).toEqual([expect.objectContaining({ actor: 'token:test-operator', action: 'ack', name: alert!.alertId })]);
  });

  it('accepts an empty body', async () => {
    const open = await openCpuAlert();
    const ack = await server.call('POST', `/api/v1/alerts/${open.alertId}/ack`, { token: server.tokens.operator, body: {} });
    expect(ack.status).toBe(200);
    expect((await alerts())[0]?.acknowledged).toBe(true);
  });

  it('refuses alerts that are not open with a 404 saying why', async () => {
    await sample('cpu', 'web-1', 95);
    const [pending] = await alerts();
    const cases: Array<[string, string]> = [[pending!.alertId, 'is pending'], ['no-such-alert', 'is not active']];
    for (const [id, why] of cases) {
      const response = await server.call('POST', `/api/v1/alerts/${id}/ack`, { token: server.tokens.operator, body: {} });
      expect(response.status).toBe(404);
      expect((response.json as { error: { message: string } }).error.message).toContain(why);
    }
    expect(server.runtime.store.listAcknowledgements(pending!.alertId)).toEqual([]);
  });

  it("stores the engine's acknowledged state and the acknowledgement together, or neither", async () => {
    const open = await openCpuAlert();
    const stored = () => server.runtime.store.getAlertStateByAlertId(open.alertId)?.state as { state: { acknowledged: boolean } } | undefined;
    expect(stored()?.state.acknowledged).toBe(false);
    const store = server.runtime.store;
    const original = store.acknowledge.bind(store);
    store.acknowledge = () => {
      throw new Error('disk full');
    };
    try {
      const failed = await server.call('POST', `/api/v1/alerts/${open.alertId}/ack`, { token: server.tokens.operator, body: {} });
      expect(failed.status).toBe(500);
    } finally {
      store.acknowledge = original;
    }
    // Nothing of the failed acknowledgement reached the store: not the engine's change either.
    expect(stored()?.state.acknowledged).toBe(false);
    expect(store.listAcknowledgements(open.alertId)).toEqual([]);
    expect(store.listAudit({ kind: 'alert' })).toEqual([]);
  });

  it('refuses unknown fields', async () => {
    const open = await openCpuAlert();
    const response = await server.call('POST', `/api/v1/alerts/${open.alertId}/ack`, { token: server.tokens.operator, body: { comment: 'x', until: '1h' } });
    expect(response.status).toBe(400);
    expect(response.text).toContain("unknown field 'until'");
  });
});

describe('GET /api/v1/alerts/history', () => {
  it('lists transitions newest first, pages with limit and before, and filters by rule and time', async () => {
    const start = server.clock.now();
    await sample('disk', 'db-1', 99);
    server.clock.advance(60_000);
    await sample('disk', 'db-1', 10);
    server.clock.advance(60_000);
    await sample('disk', 'db-2', 99);

    const get = async (query: string) => {
      const response = await server.call('GET', `/api/v1/alerts/history${query}`, { token: server.tokens.viewer });
      expect(response.status, response.text).toBe(200);
      return response.json as { history: Array<{ id: number; type: string; value: number; time: string }>; nextBefore: number | null };
    };
    const all = await get('?rule=disk-full');
    expect(all.history.map((h) => [h.type, h.value])).toEqual([['open', 99], ['cancel', 10], ['open', 99]]);
    expect(all.nextBefore).toBeNull();

    const first = await get('?limit=2');
    expect(first.history).toHaveLength(2);
    expect(first.nextBefore).toBe(first.history[1]!.id);
    const second = await get(`?limit=2&before=${first.nextBefore}`);
    expect(second.history.map((h) => h.id)).toEqual([all.history[2]!.id]);

    expect((await get(`?since=${start + 30_000}`)).history).toHaveLength(2);
    expect((await get(`?until=${new Date(start + 30_000).toISOString()}`)).history.map((h) => h.type)).toEqual(['open']);
    expect((await get('?since=30s')).history).toHaveLength(1); // a duration ago: the last minute's open only
    expect((await get('?rule=cpu-high')).history).toEqual([]);
  });

  it.each([['?since=yesterday'], ['?limit=0'], ['?limit=5000'], ['?limit=ten']])('refuses %s with a 400', async (query) => {
    const response = await server.call('GET', `/api/v1/alerts/history${query}`, { token: server.tokens.viewer });
    expect(response.status).toBe(400);
  });
});
