/**
 * Issue 14 item 2, "a warning never bricks the service": after every kind of change the API (and
 * the token CLI) can make, the server is stopped and started again on the same config directory and
 * data file, as `tocsin run` starts it, and must start and answer POST /api/v1/reload with 200.
 * Warnings (two webhooks alike, even through differently written URLs of one address) are reported
 * in the answer and the reload response, never turned into a refusal.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/cli/commands/run.js';
import { runTokenCreate, runTokenRevoke } from '../../src/cli/commands/token.js';
import { createToken } from '../../src/server/access.js';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-restart-'));
const configDir = join(dir, 'rules');
const dataFile = join(dir, 'data', 'tocsin.db');
let receiver: Server;
let port = 0;
let server: RunningServer | null = null;
let admin = '';
let ingest = '';
const clock = Date.now();

interface Answer {
  status: number;
  json: Record<string, unknown>;
  text: string;
}

async function start(): Promise<number | RunningServer> {
  const errors: string[] = [];
  const started = await startServer(
    { config: configDir, data: dataFile, host: '127.0.0.1', port: '0', log: pino({ level: 'silent' }), now: () => clock },
    { stdout: () => {}, stderr: (text) => void errors.push(text) },
  );
  if (typeof started === 'number') throw new Error(`tocsin did not start (exit ${started}):\n${errors.join('')}`);
  return started;
}

async function call(method: string, path: string, body?: unknown, token = admin): Promise<Answer> {
  if (server === null) throw new Error('no server');
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: the text says what happened
  }
  return { status: response.status, json, text };
}

/** Stops the server, starts it again on the same files, and checks that it runs and reloads. */
async function restartAndReload(after: string): Promise<Answer> {
  await server?.stop();
  server = null;
  const started = await start().catch((error: Error) => error);
  expect(started, `restart after ${after}`).not.toBeInstanceOf(Error);
  server = started as RunningServer;
  const reload = await call('POST', '/api/v1/reload');
  expect(reload.status, `reload after ${after}: ${reload.text}`).toBe(200);
  return reload;
}

const hook = (name: string, url: string, extra: Record<string, unknown> = {}) => ({ name, url, template: 'flat', events: ['alert.open', 'alert.cancel'], ...extra });

beforeAll(async () => {
  receiver = createServer((request, response) => response.writeHead(request.url?.startsWith('/fail') ? 400 : 200).end('ok'));
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  port = (receiver.address() as AddressInfo).port;
  mkdirSync(configDir, { recursive: true });
  writeFileSync(join(configDir, 'rules.yaml'), [
    'rules:',
    '  - name: disk-full',
    '    metric: disk',
    '    condition: value > 95',
    '    severity: critical',
    '    notify: [{ webhook: ops-a }]',
    '',
  ].join('\n'));
  server = (await start()) as RunningServer;
  const made = (role: 'admin' | 'ingest') => {
    const created = createToken(server!.runtime.store, { name: `restart-${role}`, role, actor: 'test', now: clock });
    if (!created.ok) throw new Error(created.error);
    return created.token;
  };
  admin = made('admin');
  ingest = made('ingest');
});

afterAll(async () => {
  await server?.stop();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe('the server starts and reloads after every kind of API change (issue 14 item 2)', () => {
  it('webhook created', async () => {
    const created = await call('POST', '/api/v1/webhooks', hook('ops-a', `http://127.0.0.1:${port}/hook`));
    expect(created.status, created.text).toBe(201);
    await restartAndReload('a webhook was created');
  });

  it('a second webhook alike (same address written differently) is a warning, before and after a restart', async () => {
    const created = await call('POST', '/api/v1/webhooks', hook('ops-b', `http://127.1:${port}/hook`));
    expect(created.status, created.text).toBe(201);
    expect(created.json.warnings).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'duplicate-webhook' })]));
    const reload = await restartAndReload('a duplicate webhook was created');
    const diagnostics = reload.json.diagnostics as Array<{ severity: string; code: string }>;
    expect(diagnostics).toEqual(expect.arrayContaining([expect.objectContaining({ severity: 'warning', code: 'duplicate-webhook' })]));
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    // Both still work: nothing was dropped to make the warning go away.
    expect((await call('GET', '/api/v1/webhooks/ops-a')).status).toBe(200);
    expect((await call('GET', '/api/v1/webhooks/ops-b')).status).toBe(200);
  });

  it('webhook changed (with a warning of its own: retry.initial above retry.max)', async () => {
    const changed = await call('PUT', '/api/v1/webhooks/ops-a', hook('ops-a', `http://127.0.0.1:${port}/hook`, { description: 'changed', retry: { initial: '10m', max: '1m' } }));
    expect(changed.status, changed.text).toBe(200);
    expect(changed.json.warnings).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'retry-initial-above-max' })]));
    const reload = await restartAndReload('a webhook was changed');
    expect(reload.json.diagnostics).toEqual(expect.arrayContaining([expect.objectContaining({ severity: 'warning', code: 'retry-initial-above-max' })]));
  });

  it('template created, used by a webhook, changed', async () => {
    const text = JSON.stringify({ text: '#rule_name is #status on #entity' });
    expect((await call('POST', '/api/v1/templates', { name: 'short', text, events: ['alert.open', 'alert.cancel'] })).status).toBe(201);
    await restartAndReload('a template was created');
    const used = await call('PUT', '/api/v1/webhooks/ops-b', hook('ops-b', `http://127.1:${port}/hook`, { template: 'short' }));
    expect(used.status, used.text).toBe(200);
    await restartAndReload('a webhook took the template');
    const changed = await call('PUT', '/api/v1/templates/short', { text: JSON.stringify({ text: '#rule_name: #status' }), events: ['alert.open', 'alert.cancel'] });
    expect(changed.status, changed.text).toBe(200);
    await restartAndReload('a template was changed');
  });

  it('silence created, changed, deleted', async () => {
    const created = await call('POST', '/api/v1/silences', { matchers: [{ name: 'entity', value: 'db-9' }], duration: '1h', comment: 'maintenance' });
    expect(created.status, created.text).toBe(201);
    const id = created.json.id as string;
    await restartAndReload('a silence was created');
    expect((await call('PUT', `/api/v1/silences/${id}`, { matchers: [{ name: 'entity', value: 'db-8' }], duration: '2h', comment: 'longer' })).status).toBe(200);
    await restartAndReload('a silence was changed');
    expect((await call('DELETE', '/api/v1/silences', { ids: [id] })).status).toBe(200);
    await restartAndReload('a silence was deleted');
  });

  it('samples, entity and metric metadata, an alert acknowledged', async () => {
    expect((await call('PUT', '/api/v1/entities/db-1', { label: 'DB 1', tags: { env: 'prod' } }, ingest)).status).toBeLessThan(300);
    expect((await call('PUT', '/api/v1/metrics/disk', { label: 'Disk', units: '%' }, ingest)).status).toBeLessThan(300);
    const sent = await call('POST', '/api/v1/samples', [{ metric: 'disk', entity: 'db-1', time: clock, value: 99 }], ingest);
    expect(sent.status, sent.text).toBeLessThan(300);
    await restartAndReload('samples opened an alert');
    const alerts = (await call('GET', '/api/v1/alerts')).json.alerts as Array<{ alertId: string }>;
    expect(alerts.length).toBeGreaterThan(0);
    const acked = await call('POST', `/api/v1/alerts/${alerts[0]!.alertId}/ack`, { comment: 'on it' });
    expect(acked.status, acked.text).toBeLessThan(300);
    await restartAndReload('an alert was acknowledged');
  });

  it('webhook tested', async () => {
    const tested = await call('POST', '/api/v1/webhooks/ops-a/test');
    expect(tested.status, tested.text).toBe(200);
    await restartAndReload('a webhook was tested');
  });

  it('a failed delivery retried', async () => {
    // A webhook for config.changed whose receiver answers 400: the next change fails at once.
    const created = await call('POST', '/api/v1/webhooks', { name: 'audit-feed', url: `http://127.0.0.1:${port}/fail`, template: 'events', events: ['config.changed'] });
    expect(created.status, created.text).toBe(201);
    expect((await call('PUT', '/api/v1/entities/db-2', { tags: {} }, ingest)).status).toBeLessThan(300);
    expect((await call('POST', '/api/v1/reload')).status).toBe(200);
    let failed: { outboxId: number; status: string } | undefined;
    for (let i = 0; i < 200 && failed === undefined; i++) {
      const log = (await call('GET', '/api/v1/webhooks/audit-feed/deliveries')).json.deliveries as Array<{ outboxId: number | null; status: string }>;
      failed = log.find((d): d is { outboxId: number; status: string } => d.outboxId !== null && d.status === 'failed');
      if (failed === undefined) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(failed, 'a failed delivery to audit-feed').toBeDefined();
    const retried = await call('POST', `/api/v1/deliveries/${failed!.outboxId}/retry`);
    expect(retried.status, retried.text).toBe(200);
    await restartAndReload('a delivery was retried');
    expect((await call('DELETE', '/api/v1/webhooks', { names: ['audit-feed'] })).status).toBe(200);
    await restartAndReload('the failing webhook was deleted');
  });

  it('token created and revoked (the CLI, on the same data file)', async () => {
    const quiet = { stdout: () => {}, stderr: () => {} };
    expect(runTokenCreate({ role: 'viewer', name: 'dashboard', data: dataFile }, quiet)).toBe(0);
    await restartAndReload('a token was created');
    expect(await runTokenRevoke({ idOrName: 'dashboard', data: dataFile, yes: true }, quiet)).toBe(0);
    await restartAndReload('a token was revoked');
  });

  it('a reload, then webhooks and the template deleted', async () => {
    await restartAndReload('a reload');
    const deleted = await call('DELETE', '/api/v1/webhooks', { names: ['ops-b'] });
    expect(deleted.status, deleted.text).toBe(200);
    await restartAndReload('a webhook was deleted');
    expect((await call('DELETE', '/api/v1/templates', { names: ['short'] })).status).toBe(200);
    await restartAndReload('a template was deleted');
    // The rule still names ops-a; deleting it leaves a warning, never a refusal.
    expect((await call('DELETE', '/api/v1/webhooks', { names: ['ops-a'] })).status).toBe(200);
    await restartAndReload('the webhook a rule notifies was deleted');
  });
});
