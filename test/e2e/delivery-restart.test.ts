/**
 * Issue 12.1: `tocsin run` killed with SIGKILL while it delivers 2,000 alerts to a receiver that
 * answers in 40 ms, then started again on the same store. The notifications the dead process had
 * claimed must not wait for their lease (5 minutes): on SQLite the store file is the process's own,
 * so whatever is in flight at start was left by a process that is gone and is due at once. Real
 * processes (bin/tocsin.js on dist/), Influx line protocol in, a receiver on 127.0.0.1.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite.js';
import { configDirectory, JsonReceiver, removeDirectory, waitUntil } from './fixtures/live-server.js';

const ALERTS = 2_000;
const KILL_AFTER = 300;
/** Generous: the whole stream takes a few seconds; the dead process's lease would be 5 minutes. */
const RESTART_BOUND_MS = 30_000;
const bin = fileURLToPath(new URL('../../bin/tocsin.js', import.meta.url));

interface Tocsin {
  child: ChildProcess;
  url: Promise<string>;
  exited: Promise<string>;
}

function run(config: string, data: string): Tocsin {
  const child = spawn(process.execPath, [bin, 'run', '--config', config, '--data', data, '--host', '127.0.0.1', '--port', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, TOCSIN_LOG_LEVEL: 'warn' },
  });
  let stderr = '';
  const url = new Promise<string>((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      const found = /tocsin (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (found) resolve(found[1]!);
    });
    child.once('exit', () => reject(new Error(`tocsin run exited before listening: ${stderr}`)));
  });
  url.catch(() => {});
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? String(code))));
  return { child, url, exited };
}

describe('tocsin run killed with SIGKILL during a delivery storm, then restarted on the same store', () => {
  const receiver = new JsonReceiver(() => ({ status: 200, delayMs: 40 }));
  let where: ReturnType<typeof configDirectory> | undefined;
  const processes: Tocsin[] = [];

  afterAll(async () => {
    for (const process of processes) if (process.child.exitCode === null && process.child.signalCode === null) process.child.kill('SIGKILL');
    await Promise.all(processes.map((process) => process.exited));
    await receiver.close();
    if (where) removeDirectory(where.dir);
  });

  it('delivers all 2,000 soon after the restart, duplicates only with the same webhook-id', async () => {
    await receiver.listen();
    where = configDirectory({
      'hot.yaml': ['rules:', '  - name: hot', '    metric: temp', '    window: length(1)', '    condition: value > 80', '    severity: warning', ''].join('\n'),
      'webhooks.yaml': ['webhooks:', '  - name: sink', `    url: ${receiver.url()}`, '    template: events', '    events: [alert.open]', ''].join('\n'),
    });
    const created = spawnSync(process.execPath, [bin, 'token', 'create', '--role', 'ingest', '--name', 'feed', '--data', where.dataFile], { encoding: 'utf8' });
    expect(created.status, created.stderr).toBe(0);
    const token = created.stdout.trim().split('\n').at(-1)!;

    const first = run(where.config, where.dataFile);
    processes.push(first);
    const lines = Array.from({ length: ALERTS }, (_, index) => `temp,entity=host-${String(index).padStart(4, '0')} value=95`);
    const written = await fetch(`${await first.url}/api/v1/write`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      body: `${lines.join('\n')}\n`,
    });
    expect(written.status).toBe(204);

    await waitUntil(() => receiver.accepted.length >= KILL_AFTER, 60_000, () => `${receiver.accepted.length} delivered before the kill`);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const beforeRestart = new Set(receiver.accepted.map((request) => request.webhookId)).size;
    expect(beforeRestart).toBeLessThan(ALERTS);
    const check = new SqliteStore(where.dataFile);
    const leftInFlight = check.listOutbox({ webhook: 'sink', status: 'inflight', limit: 1_000 });
    check.close();
    expect(leftInFlight.length).toBeGreaterThan(0);

    const second = run(where.config, where.dataFile);
    processes.push(second);
    await second.url;
    const distinct = () => new Set(receiver.accepted.map((request) => request.webhookId)).size;
    await waitUntil(() => distinct() === ALERTS, RESTART_BOUND_MS, () => `${distinct()} of ${ALERTS} alerts delivered ${RESTART_BOUND_MS} ms after the restart`);

    // Every request names its event: a duplicate is the same event with the same webhook-id.
    const mismatched = receiver.accepted.filter((request) => (request.body as { events: Array<{ id: string }> }).events[0]?.id !== request.webhookId);
    expect(mismatched).toEqual([]);
    // The ones the dead process held went out again, from the new process.
    const delivered = new Set(receiver.accepted.map((request) => request.webhookId));
    for (const row of leftInFlight) expect(delivered.has(row.eventId)).toBe(true);

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe('0');
    const after = new SqliteStore(where.dataFile);
    try {
      expect(after.outboxDepth()).toBe(0);
      expect(after.listOutbox({ webhook: 'sink', status: 'done', limit: ALERTS + 1 })).toHaveLength(ALERTS);
    } finally {
      after.close();
    }
  }, 120_000);
});
