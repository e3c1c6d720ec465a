/**
 * SPEC §4: "a restart neither re-fires nor loses a cancel". A child runs the engine on a SQLite file,
 * is killed with SIGKILL mid-stream, and is started again on the same file (the source sends the
 * stream again, at least once). The events it recorded must be exactly those of a run that never
 * crashed: same ids, no second open of an alert, every cancel present, every notification queued once.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { Pipeline } from '../../src/service/pipeline.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { parseWebhook, type Webhook } from '../../src/delivery/webhook.js';
// @ts-expect-error plain JavaScript fixture shared with the child process
import { batches, rule, webhookConfig } from './fixtures/crash-stream.mjs';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-engine-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const child = fileURLToPath(new URL('./fixtures/engine-loop.mjs', import.meta.url));

interface Row { event_id: string; type: string; alert_id: string | null }

function runChild(db: string, killAfterBatch: number | null): Promise<{ lastBatch: number; done: boolean }> {
  return new Promise((resolve, reject) => {
    const process_ = spawn(process.execPath, [child, db], { stdio: ['ignore', 'pipe', 'pipe'] });
    let lastBatch = -1;
    let done = false;
    let stderr = '';
    let buffered = '';
    process_.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'done') done = true;
        else lastBatch = Number(line);
        if (killAfterBatch !== null && lastBatch >= killAfterBatch) process_.kill('SIGKILL');
      }
    });
    process_.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    process_.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' || code === 0) resolve({ lastBatch, done });
      else reject(new Error(`child exited with ${code}: ${stderr}`));
    });
  });
}

function eventsOf(db: string): { events: Row[]; outbox: Array<{ event_id: string; webhook: string }> } {
  const database = new DatabaseSync(db, { readOnly: true });
  const events = database.prepare('SELECT event_id, type, alert_id FROM events ORDER BY time, event_id').all() as unknown as Row[];
  const outbox = database.prepare('SELECT event_id, webhook FROM outbox').all() as unknown as Array<{ event_id: string; webhook: string }>;
  database.close();
  return { events, outbox };
}

function cleanRun(db: string): void {
  const store = new SqliteStore(db, { durability: 'normal' });
  const parsed = parseWebhook(webhookConfig());
  if (!parsed.ok) throw new Error('bad webhook fixture');
  const webhooks = new Map<string, Webhook>([['hook', parsed.webhook]]);
  const pipeline = new Pipeline({ engine: new Engine({ clock: { mode: 'data' }, rules: [rule()] }), store, webhooks: () => webhooks });
  for (const batch of batches()) pipeline.ingest(batch);
  pipeline.tick();
  store.close();
}

describe('engine on SQLite killed with SIGKILL mid-stream', () => {
  it('records exactly the events of an uninterrupted run after a restart', async () => {
    const clean = join(dir, 'clean.db');
    cleanRun(clean);
    const expected = eventsOf(clean);
    expect(expected.events.filter((e) => e.type === 'alert.open').length).toBeGreaterThan(50);

    const crashed = join(dir, 'crashed.db');
    const first = await runChild(crashed, 25);
    expect(first.done).toBe(false);
    const partial = eventsOf(crashed);
    expect(partial.events.length).toBeGreaterThan(0);
    expect(partial.events.length).toBeLessThan(expected.events.length);
    const second = await runChild(crashed, null);
    expect(second.done).toBe(true);

    const actual = eventsOf(crashed);
    expect(actual.events.map((e) => e.event_id).sort()).toEqual(expected.events.map((e) => e.event_id).sort());
    const opens = new Map<string, number>();
    for (const e of actual.events) if (e.type === 'alert.open') opens.set(e.alert_id!, (opens.get(e.alert_id!) ?? 0) + 1);
    expect([...opens.values()].every((n) => n === 1)).toBe(true);
    const cancels = actual.events.filter((e) => e.type === 'alert.cancel').length;
    expect(cancels).toBe(expected.events.filter((e) => e.type === 'alert.cancel').length);
    expect(actual.outbox.length).toBe(expected.outbox.length);
    expect(new Set(actual.outbox.map((r) => r.event_id)).size).toBe(actual.outbox.length);
  });
});
