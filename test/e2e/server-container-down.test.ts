/**
 * The service end to end (issue: server): a real `tocsin run` server with the example rules, an
 * ingest token, Telegraf-style line protocol that breaks the example container rule, and a real
 * webhook receiver on 127.0.0.1 that gets the rendered, signed payload.
 */
import { createHmac } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/cli/commands/run.js';
import { createToken } from '../../src/server/access.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

const SECRET = 'e2e-signing-secret';
const dir = mkdtempSync(join(tmpdir(), 'tocsin-e2e-'));
const received: Received[] = [];
let receiver: Server;
let server: RunningServer;
let clock = Date.parse('2026-11-29T10:00:00Z');

function waitFor<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      const value = probe();
      if (value !== undefined) return resolve(value);
      if (Date.now() - started > timeoutMs) return reject(new Error('timed out waiting'));
      setTimeout(poll, 20);
    };
    poll();
  });
}

beforeAll(async () => {
  receiver = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(200, { 'content-type': 'text/plain' }).end('got it');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const port = (receiver.address() as AddressInfo).port;

  const config = join(dir, 'rules');
  cpSync('rules', config, { recursive: true });
  writeFileSync(join(config, 'webhooks.yaml'), [
    'webhooks:',
    '  - name: ops-chat',
    `    url: http://127.0.0.1:${port}/hooks/ops`,
    '    template: flat',
    `    signature: { type: hmac-sha256, secret: ${SECRET} }`,
    '    events: [alert.open, alert.cancel, alert.nodata, alert.flapping]',
    '  - name: pager',
    `    url: http://127.0.0.1:${port}/hooks/pager`,
    '    enabled: false',
    '',
  ].join('\n'));
  const started = await startServer({ config, data: join(dir, 'data', 'tocsin.db'), host: '127.0.0.1', port: '0', log: pino({ level: 'silent' }), now: () => clock }, {
    stdout: () => {},
    stderr: () => {},
  });
  if (typeof started === 'number') throw new Error(`server did not start: exit ${started}`);
  server = started;
  server.runtime.start();
});

afterAll(async () => {
  await server?.stop();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

async function call(method: string, path: string, token: string, body?: string, contentType = 'application/json') {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': contentType } : {}) },
    ...(body !== undefined ? { body } : {}),
  });
  return { status: response.status, text: await response.text() };
}

describe('line protocol that breaks the example container rule', () => {
  it('reaches the configured webhook as a rendered, signed payload', async () => {
    const created = createToken(server.runtime.store, { name: 'telegraf', role: 'ingest', actor: 'test', now: clock });
    if (!created.ok) throw new Error(created.error);
    const token = created.token;

    // The inventory says web-1 is a production container that should be running.
    expect((await call('PUT', '/api/v1/entities/web-1', token, JSON.stringify({ tags: { env: 'prod', status: 'running' } }))).status).toBe(200);

    // Telegraf: measurement docker.container, field down → metric docker.container.down.
    const ns = (ms: number) => `${BigInt(ms) * 1_000_000n}`;
    expect((await call('POST', '/api/v1/write', token, `docker.container,entity=web-1 down=1i ${ns(clock)}\n`, 'text/plain')).status).toBe(204);
    clock += 61_000; // the rule's `for: 1m` runs on the server's clock
    expect((await call('POST', '/api/v1/write', token, `docker.container,entity=web-1 down=1i ${ns(clock)}\n`, 'text/plain')).status).toBe(204);

    const delivery = await waitFor(() => received.find((r) => r.headers['x-signature'] !== undefined));
    // The signature is an HMAC-SHA256 of the exact body, checked here by independent code.
    expect(delivery.headers['x-signature']).toBe(createHmac('sha256', SECRET).update(delivery.body).digest('base64'));
    const payload = JSON.parse(delivery.body) as Record<string, unknown>;
    expect(payload).toMatchObject({ rule: 'container-down', rule_name: 'container-down', alert_type: 'OPEN', entity: 'web-1', severity: 'major', value: 1, metric: 'docker.container.down' });
    expect(delivery.headers['content-type']).toMatch(/^application\/json/);
    expect(delivery.headers['webhook-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(delivery.headers['idempotency-key']).toBe(delivery.headers['webhook-id']);
    expect(delivery.headers['user-agent']).toMatch(/^tocsin\//);

    // A bad batch changes nothing: one bad line among good ones is a 400 naming it.
    const bad = await call('POST', '/api/v1/write', token, `docker.container,entity=web-1 down=0i ${ns(clock + 1000)}\ndocker.container down=0i\n`, 'text/plain');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('line 2');
    expect(server.runtime.engine.alerts().filter((a) => a.state.phase === 'open')).toHaveLength(1);
  });
});
