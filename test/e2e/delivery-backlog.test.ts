/**
 * Backpressure end to end (SPEC §6, issue 12 item 5): a real `tocsin run` server (HTTP, SQLite,
 * delivery worker, timers) and a real receiver on 127.0.0.1 whose `/dead` path answers 503.
 *
 * - Samples for a rule that notifies another webhook keep being accepted, and that webhook's
 *   notifications arrive, while `dead` is far over its outbox_limit.
 * - `dead`'s notifications keep being stored until the global budget (limit outbox_budget); only then
 *   is ingestion refused: 503 with Retry-After.
 * - A webhook subscribed to delivery.backlog hears `backlogged`, then `drained`.
 * - Once `/dead` answers again the backlog drains and samples are accepted, with no commit in
 *   between that touches `dead`.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/cli/commands/run.js';
import type { DeliveryBacklogData, TocsinEvent } from '../../src/model/event.js';
import { createToken } from '../../src/server/access.js';
import { Receiver } from '../delivery/helpers/receiver.js';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-e2e-backlog-'));
let receiver: Receiver;
let server: RunningServer;
let token: string;
let deadIsUp = false;

/** Polls `probe` every 50 ms until it returns a value; fails after `timeoutMs`. */
async function until<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function call(method: string, path: string, body?: string) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/x-ndjson' }),
    },
    ...(body === undefined ? {} : { body }),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const sample = (metric: string, entity: string) =>
  call('POST', '/api/v1/samples', `${JSON.stringify({ metric, entity, value: 1, time: Date.now() })}\n`);

/** delivery.backlog events the watcher received (the `events` preset: {"events":[{type, data}]}). */
function backlogEvents(): DeliveryBacklogData[] {
  return receiver.requests
    .filter((request) => request.path === '/watcher')
    .flatMap((request) => (JSON.parse(request.body) as { events: TocsinEvent[] }).events)
    .filter((event) => event.type === 'delivery.backlog')
    .map((event) => event.data as DeliveryBacklogData);
}

beforeAll(async () => {
  receiver = await Receiver.http((request) =>
    request.path === '/dead' && !deadIsUp ? { status: 503, body: 'down for maintenance' } : { status: 200 });
  const config = join(dir, 'config');
  mkdirSync(config);
  writeFileSync(join(config, 'rules.yaml'), [
    'rules:',
    '  - { name: to-dead, metric: a, condition: value > 0, notify: [{ webhook: dead }] }',
    '  - { name: to-live, metric: b, condition: value > 0, notify: [{ webhook: live }] }',
    'webhooks:',
    // Short retries, so the backlog drains within a second of the receiver's return.
    `  - { name: dead, url: '${receiver.url('/dead')}', outbox_limit: 5,`,
    '      retry: { initial: 100ms, max: 300ms }, discard_after: 10m }',
    `  - { name: live, url: '${receiver.url('/live')}', events: [alert.open] }`,
    `  - { name: watcher, url: '${receiver.url('/watcher')}', events: [delivery.backlog] }`,
    '',
  ].join('\n'));
  const started = await startServer(
    {
      config, data: join(dir, 'data', 'tocsin.db'), host: '127.0.0.1', port: '0', limit: [`outbox_budget=${48 * 1024}`],
      log: pino({ level: 'silent' }), tickIntervalMs: 100,
    },
    { stdout: () => {}, stderr: () => {} },
  );
  if (typeof started === 'number') throw new Error(`server did not start: exit ${started}`);
  server = started;
  const created = createToken(server.runtime.store, { name: 'e2e', role: 'admin', actor: 'test', now: Date.now() });
  if (!created.ok) throw new Error(created.error);
  token = created.token;
});

afterAll(async () => {
  await server?.stop();
  await receiver?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('one receiver down', () => {
  it('hurts only its own webhook until the global budget, then refuses with 503 until the backlog drains', async () => {
    // Far over dead's outbox_limit of 5: still accepted, and live's notification goes out.
    for (let i = 0; i < 12; i++) expect((await sample('a', `host-${i}`)).status).toBe(200);
    expect((await sample('b', 'web-1')).status).toBe(200);
    const liveGotIt = () => (receiver.requests.some((r) => r.path === '/live') ? true : undefined);
    await until(liveGotIt, 'the live webhook to get its notification');
    await until(() => (backlogEvents().length > 0 ? true : undefined), 'delivery.backlog at the watcher');
    expect(backlogEvents()[0]).toMatchObject({ webhook: 'dead', status: 'backlogged', limit: 5, lossy: false });

    const detail = JSON.parse((await call('GET', '/api/v1/webhooks/dead')).text) as Record<string, unknown>;
    expect(detail).toMatchObject({ outboxLimit: 5, backlogged: true });
    expect(detail.outboxDepth).toBeGreaterThanOrEqual(12);
    const metrics = (await call('GET', '/metrics')).text;
    expect(metrics).toContain('tocsin_outbox_backlogged{webhook="dead"} 1');
    expect(metrics).toMatch(/tocsin_outbox_depth\{webhook="dead"\} (1[2-9]|[2-9]\d)/);

    // Keep feeding dead's rule: stored until the budget, then 503 for every rule.
    let refused: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 12; i < 400 && refused === undefined; i++) {
      const response = await sample('a', `host-${i}`);
      if (response.status === 503) refused = response;
      else expect(response.status, response.text).toBe(200);
    }
    expect(refused, 'the budget was never reached').toBeDefined();
    expect(refused!.headers.get('retry-after')).toBe('5');
    expect(JSON.parse(refused!.text)).toMatchObject({ error: { code: 'outbox_full' } });
    const outbox = JSON.parse((await call('GET', '/api/v1/outbox')).text) as {
      full: boolean; bytes: number; budgetBytes: number; webhooks: Array<{ webhook: string; depth: number }>;
    };
    expect(outbox.full).toBe(true);
    expect(outbox.bytes).toBeGreaterThanOrEqual(48 * 1024);
    expect(outbox.webhooks.find((w) => w.webhook === 'dead')!.depth).toBeGreaterThan(5 * 3);
    expect((await sample('b', 'web-2')).status).toBe(503);

    // The receiver comes back: deliveries drain the outbox, and samples are accepted again.
    deadIsUp = true;
    const underBudget = async () => {
      const now = JSON.parse((await call('GET', '/api/v1/outbox')).text) as { full: boolean };
      return now.full ? undefined : true;
    };
    await until(underBudget, 'the outbox to drain under its budget');
    const accepted = await sample('b', 'web-2');
    expect(accepted.status, accepted.text).toBe(200);
    const drained = () => (backlogEvents().some((e) => e.status === 'drained') ? true : undefined);
    await until(drained, 'delivery.backlog drained at the watcher');
    expect(backlogEvents().map((e) => e.status)).toEqual(['backlogged', 'drained']);
    expect(receiver.requests.some((r) => r.path === '/dead' && r.body.includes('delivery.backlog'))).toBe(false);
  }, 60_000);
});
