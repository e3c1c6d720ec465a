/**
 * Backpressure that hurts only whom it must (SPEC §6, issue 12 item 5), through the real routes:
 * one webhook whose receiver is down never refuses samples by itself; its notifications keep being
 * stored until the global outbox budget; only then is ingestion refused (503, Retry-After), and the
 * refusal clears the moment the depths drain. A backlogged webhook shows in the API and /metrics
 * and as a delivery.backlog event to the webhooks that subscribe to it.
 *
 * The runtime's delivery worker is not started here: "the receiver is down" is notifications that
 * stay queued, and "it is back" is delivering them through the store's claim and settle.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliveryBacklogData } from '../../src/model/event.js';
import { DEFAULT_LIMITS } from '../../src/server/limits.js';
import type { OutboxRow } from '../../src/store/store.js';
import { startTestServer, type TestServer } from './helpers.js';

const RULES = `
rules:
  - name: to-dead
    metric: a
    condition: value > 0
    notify: [{ webhook: dead }]
  - name: to-live
    metric: b
    condition: value > 0
    notify: [{ webhook: live }]
  - name: to-lossy
    metric: c
    condition: value > 0
    notify: [{ webhook: lossy }]
webhooks:
  - name: dead
    url: http://127.0.0.1:9/dead
    outbox_limit: 4
  - name: live
    url: http://127.0.0.1:9/live
    events: [alert.open]
  - name: lossy
    url: http://127.0.0.1:9/lossy
    lossy: true
    outbox_limit: 3
    events: [alert.open]
  - name: watcher
    url: http://127.0.0.1:9/watcher
    events: [delivery.backlog]
`;

/** Room for a few dozen alert notifications (each counts as its JSON plus 512 bytes). */
const BUDGET = 40_000;

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(): Promise<TestServer> {
  const limits = { ...DEFAULT_LIMITS, outbox_budget: BUDGET };
  server = await startTestServer({ files: { 'rules.yaml': RULES }, limits });
  return server;
}

/** One sample that opens an alert of the rule reading `metric` on a new entity: one notification. */
function ingest(s: TestServer, metric: string, entity: string) {
  const body = `${JSON.stringify({ metric, entity, value: 1, time: s.clock.now() })}\n`;
  return s.call('POST', '/api/v1/samples', { token: s.tokens.ingest, body, contentType: 'application/x-ndjson' });
}

const depth = (s: TestServer, webhook: string) => s.runtime.store.outboxDepth(webhook);
const queued = (s: TestServer, webhook: string): OutboxRow[] =>
  s.runtime.store.listOutbox({ webhook, limit: 1000 }).reverse();

/** Delivers every queued notification of `webhook` (its receiver came back). */
function deliverAll(s: TestServer, webhook: string): void {
  for (;;) {
    const rows = s.runtime.store.claimDue(s.clock.now(), 1000, 60_000).filter((row) => row.webhook === webhook);
    if (rows.length === 0) return;
    for (const row of rows) s.runtime.store.markDelivered(row.id, s.clock.now());
  }
}

/** Fills the outbox through `dead` until ingestion is refused; every answer before that is 2xx. */
async function fillUntilRefused(s: TestServer) {
  for (let i = 0; i < 500; i++) {
    const response = await ingest(s, 'a', `host-${i}`);
    if (response.status === 503) return { response, accepted: i };
    expect(response.status, response.text).toBe(200);
  }
  throw new Error('the outbox budget was never reached');
}

describe('one webhook whose receiver is down', () => {
  it('refuses nothing: samples for rules notifying others are accepted, its own rows keep being stored', async () => {
    const s = await start();
    for (let i = 0; i < 10; i++) expect((await ingest(s, 'a', `host-${i}`)).status).toBe(200);
    expect(depth(s, 'dead')).toBe(10); // far over its outbox_limit of 4, nothing dropped
    const other = await ingest(s, 'b', 'web-1');
    expect(other.status, other.text).toBe(200);
    expect(depth(s, 'live')).toBe(1);
    expect(s.runtime.outboxState().budget.full).toBe(false);
  });

  it('keeps storing its notifications until the global budget, then ingest answers 503 with Retry-After', async () => {
    const s = await start();
    const { response, accepted } = await fillUntilRefused(s);
    const state = s.runtime.outboxState();
    expect(state.budget.usedBytes).toBeGreaterThanOrEqual(BUDGET);
    // Everything that was accepted is stored: the budget, not the webhook's limit, bounded it.
    expect(depth(s, 'dead')).toBe(accepted);
    expect(accepted).toBeGreaterThan(4 * 5);
    // At the budget, every rule is refused (the budget is global), with what, why and what to do.
    expect(response.headers['retry-after']).toBe('5');
    const error = (response.json as { error: { code: string; message: string; hint: string } }).error;
    expect(error.code).toBe('outbox_full');
    expect(error.message).toMatch(
      /the outbox is full: \d+ undelivered notifications take [\d.]+ KiB, the outbox budget is 39.1 KiB; nothing of/,
    );
    expect(error.message).toContain(`dead (${accepted} waiting`);
    expect(error.hint).toMatch(/after Retry-After.*\/webhooks\/dead\/deliveries.*lossy: true.*outbox_budget=BYTES/);
    const openBefore = s.runtime.engine.alerts().length;
    const refused = await ingest(s, 'b', 'web-1');
    expect(refused.status).toBe(503);
    expect(s.runtime.engine.alerts()).toHaveLength(openBefore);
    expect(depth(s, 'live')).toBe(0);
  });

  it('is accepted again as soon as the backlog drains, without a commit that touches that webhook', async () => {
    const s = await start();
    await fillUntilRefused(s);
    expect((await ingest(s, 'b', 'web-1')).status).toBe(503);
    deliverAll(s, 'dead');
    const accepted = await ingest(s, 'b', 'web-1');
    expect(accepted.status, accepted.text).toBe(200);
    expect(depth(s, 'live')).toBe(1);
  });
});

describe('a lossy webhook at its limit', () => {
  it('drops its oldest notifications, counted, instead of queueing toward the budget', async () => {
    const s = await start();
    for (let i = 0; i < 8; i++) expect((await ingest(s, 'c', `host-${i}`)).status).toBe(200);
    expect(depth(s, 'lossy')).toBe(3);
    expect(queued(s, 'lossy').filter((row) => row.status === 'dropped')).toHaveLength(5);
    const metrics = await s.call('GET', '/metrics', { token: s.tokens.viewer });
    expect(metrics.text).toContain('tocsin_deliveries_total{webhook="lossy",outcome="dropped"} 5');
  });
});

describe('delivery.backlog', () => {
  it('tells subscribing webhooks once when a webhook becomes backlogged and once when it drains', async () => {
    const s = await start();
    for (let i = 0; i < 6; i++) await ingest(s, 'a', `host-${i}`);
    s.runtime.tick();
    s.runtime.tick();
    const backlogged = queued(s, 'watcher');
    expect(backlogged).toHaveLength(1);
    const event = backlogged[0]!.event;
    expect(event).toMatchObject({ type: 'delivery.backlog', version: 1, severity: 'warning' });
    expect(event.data).toMatchObject({
      webhook: 'dead', status: 'backlogged', depth: 6, limit: 4, lossy: false, backlog_seconds: 0, budget_bytes: BUDGET,
    });
    const message = (event.data as DeliveryBacklogData).message;
    expect(message).toMatch(/^webhook dead has 6 notifications waiting \(its outbox_limit is 4\)/);
    // Never queued for the backlogged webhook itself; `live` did not subscribe.
    expect(queued(s, 'dead').some((row) => row.event.type === 'delivery.backlog')).toBe(false);
    expect(queued(s, 'live')).toEqual([]);

    s.clock.advance(90_000);
    deliverAll(s, 'dead');
    s.runtime.tick();
    s.runtime.tick();
    const events = queued(s, 'watcher').map((row) => row.event.data as DeliveryBacklogData);
    expect(events.map((data) => data.status)).toEqual(['backlogged', 'drained']);
    expect(events[1]).toMatchObject({ webhook: 'dead', depth: 0, backlog_seconds: 90, since: events[0]!.since });
  });

  it('is not repeated after a restart while the webhook stays backlogged', async () => {
    const s = await start();
    for (let i = 0; i < 6; i++) await ingest(s, 'a', `host-${i}`);
    s.runtime.tick();
    const { BacklogMonitor } = await import('../../src/service/backlog-monitor.js');
    const emitted: unknown[] = [];
    const restarted = new BacklogMonitor({
      store: s.runtime.store,
      webhooks: () => s.runtime.configuration.webhooks,
      budgetBytes: BUDGET,
      emit: (events) => emitted.push(...events),
    });
    expect(restarted.check(s.clock.now())).toEqual([]);
    const dead = restarted.outboxState().webhooks.find((w) => w.webhook === 'dead');
    expect(dead).toMatchObject({ backlogged: true, depth: 6 });
    deliverAll(s, 'dead');
    expect(restarted.check(s.clock.now()).map((e) => (e.data as DeliveryBacklogData).status)).toEqual(['drained']);
  });
});

describe('a backlogged webhook is visible', () => {
  it('in the webhook list and detail, GET /api/v1/outbox and /metrics', async () => {
    const s = await start();
    for (let i = 0; i < 6; i++) await ingest(s, 'a', `host-${i}`);
    s.runtime.tick();
    const since = new Date(s.clock.now()).toISOString();

    const list = (await s.call('GET', '/api/v1/webhooks', { token: s.tokens.viewer })).json as {
      webhooks: Array<Record<string, unknown>>;
    };
    const row = (name: string) => list.webhooks.find((w) => w.name === name);
    expect(row('dead')).toMatchObject({ outboxDepth: 6, outboxLimit: 4, backlogged: true, backloggedSince: since });
    expect(row('live')).toMatchObject({ outboxDepth: 0, outboxLimit: 10000, backlogged: false, backloggedSince: null });

    const detail = (await s.call('GET', '/api/v1/webhooks/dead', { token: s.tokens.viewer })).json;
    expect(detail).toMatchObject({
      outbox_limit: 4, outboxDepth: 6, outboxLimit: 4, backlogged: true, backloggedSince: since,
    });

    const outbox = (await s.call('GET', '/api/v1/outbox', { token: s.tokens.viewer })).json as Record<string, unknown>;
    expect(outbox).toMatchObject({ rows: 7, budgetBytes: BUDGET, full: false, retryAfterSeconds: null });
    expect(outbox.webhooks).toContainEqual(
      expect.objectContaining({ webhook: 'dead', depth: 6, limit: 4, lossy: false,
        backlogged: true, backloggedSince: since }),
    );

    const metrics = (await s.call('GET', '/metrics', { token: s.tokens.viewer })).text;
    expect(metrics).toContain('tocsin_outbox_depth{webhook="dead"} 6');
    expect(metrics).toContain('tocsin_outbox_backlogged{webhook="dead"} 1');
    expect(metrics).toContain('tocsin_outbox_backlogged{webhook="live"} 0');
    expect(metrics).toContain(`tocsin_outbox_budget_bytes ${BUDGET}`);
    expect(metrics).toMatch(new RegExp(`tocsin_outbox_bytes ${s.runtime.outboxState().budget.usedBytes}\\n`));

    deliverAll(s, 'dead');
    s.runtime.tick();
    const after = (await s.call('GET', '/metrics', { token: s.tokens.viewer })).text;
    expect(after).toContain('tocsin_outbox_backlogged{webhook="dead"} 0');
  });
});
