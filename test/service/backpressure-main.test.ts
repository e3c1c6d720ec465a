/**
 * Fail-first reproduction of issue 12 item 5 with today's options only (Runtime.outboxLimit):
 * one webhook over its outbox limit must not refuse ingestion for rules that notify others, and a
 * refusal must clear as soon as the depths drain, without another commit touching that webhook.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.js';
import { createToken } from '../../src/server/access.js';
import { Runtime } from '../../src/service/runtime.js';

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
webhooks:
  - name: dead
    url: http://127.0.0.1:9/never
  - name: live
    url: http://127.0.0.1:9/never-either
`;

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-bp-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'rules.yaml'), RULES);
  const runtime = Runtime.open({ configDir: dir, dataFile: join(dir, 'tocsin.db'), log: pino({ level: 'silent' }), outboxLimit: 2 });
  const app = await createApp({ runtime, log: pino({ level: 'silent' }) });
  cleanup.push(async () => {
    await app.close();
    await runtime.stop();
  });
  const created = createToken(runtime.store, { name: 't', role: 'admin', actor: 'test', now: Date.now() });
  if (!created.ok) throw new Error(created.error);
  const ingest = async (lines: string) => {
    const response = await app.inject({ method: 'POST', url: '/api/v1/samples', headers: { authorization: `Bearer ${created.token}`, 'content-type': 'application/x-ndjson' }, payload: lines });
    return response.statusCode;
  };
  const sample = (metric: string, entity: string, value: number) => JSON.stringify({ metric, entity, value, time: Date.now() }) + '\n';
  return { runtime, ingest, sample };
}

describe('backpressure hurts only whom it must', () => {
  it('a webhook over its limit does not refuse samples for rules that notify another webhook', async () => {
    const { runtime, ingest, sample } = await setup();
    for (const entity of ['e1', 'e2', 'e3', 'e4']) expect(await ingest(sample('a', entity, 1))).toBeLessThan(300);
    expect(runtime.store.outboxDepth('dead')).toBe(4);
    expect(await ingest(sample('b', 'x1', 1))).toBeLessThan(300);
    expect(runtime.store.outboxDepth('live')).toBe(1);
  });
});
