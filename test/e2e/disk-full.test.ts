/**
 * Issue 12 item 2 on a real full filesystem: the data file lives on a small tmpfs that this test
 * mounts (we run as root; where mounting is not allowed the test is skipped and says why) and
 * fills. An ingest whose commit does not fit gets 503 with a hint and changes nothing (no alert in
 * the engine that the store does not have); the window snapshot fails without harm; the server
 * stays up and /readyz says why it is not ready. Once space is freed, the same batch sent again
 * opens the alerts and their notifications reach a real receiver on 127.0.0.1.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/cli/commands/run.js';
import { createToken } from '../../src/server/access.js';
import { StoreUnavailableError } from '../../src/store/errors.js';

/** Room for the store and its WAL with the batches below, small enough to fill in a moment. */
const TMPFS_SIZE = '24m';
const ENTITIES = 200;
const WARMUP_SAMPLES = 10;

const dir = mkdtempSync(join(tmpdir(), 'tocsin-disk-full-'));
const mountPoint = join(dir, 'data');
mkdirSync(mountPoint);
const dataFile = join(mountPoint, 'tocsin.db');
const filler = join(mountPoint, 'filler');

/** Mounts the tmpfs; the reason it could not, or null. */
function mountTmpfs(): string | null {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_SIZE}`, 'tmpfs', mountPoint], { stdio: 'pipe' });
    return null;
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return stderr || (error as Error).message;
  }
}

const mountProblem = mountTmpfs();
if (mountProblem !== null) {
  console.warn(`disk-full e2e skipped: cannot mount a tmpfs at ${mountPoint} (${mountProblem}); `
    + 'it needs root or CAP_SYS_ADMIN');
}

function unmount(): void {
  if (mountProblem !== null) return;
  try {
    execFileSync('umount', [mountPoint], { stdio: 'pipe' });
  } catch {
    // Still busy (a failed start left a file open): detach it now, the kernel frees it when closed.
    execFileSync('umount', ['-l', mountPoint], { stdio: 'pipe' });
  }
}

/** Writes zeros until the filesystem has no block left. */
function fill(): number {
  const fd = openSync(filler, 'w');
  const chunk = Buffer.alloc(256 * 1024);
  let written = 0;
  try {
    for (let i = 0; i < 1_000_000; i++) {
      try {
        written += writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        // The last blocks, smaller than a chunk.
        if (chunk.length > 512) return written + fillRest(fd);
        break;
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

function fillRest(fd: number): number {
  let written = 0;
  for (let size = 128 * 1024; size >= 512; size /= 2) {
    const chunk = Buffer.alloc(size);
    for (let i = 0; i < 10_000; i++) {
      try {
        written += writeSync(fd, chunk);
      } catch {
        break;
      }
    }
  }
  return written;
}

const received: Array<Record<string, unknown>> = [];
let receiver: Server | undefined;
let server: RunningServer | undefined;
let token = '';

describe.skipIf(mountProblem !== null)('the data file on a full filesystem', () => {
  beforeAll(async () => {
    receiver = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => {
        received.push(JSON.parse(body) as Record<string, unknown>);
        response.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as AddressInfo).port;
    const config = join(dir, 'rules');
    mkdirSync(config);
    writeFileSync(join(config, 'rules.yaml'), [
      'rules:',
      '  - name: disk-almost-full',
      '    metric: disk.used_percent',
      '    condition: avg() > 95',
      '    window: length(20)',
      '    severity: critical',
      'webhooks:',
      '  - name: pager',
      `    url: http://127.0.0.1:${port}/hook`,
      '    template: flat',
      '    events: [alert.open]',
      '',
    ].join('\n'));
    const options = { config, data: dataFile, host: '127.0.0.1', port: '0', log: pino({ level: 'silent' }) };
    const started = await startServer(options, { stdout: () => {}, stderr: () => {} });
    if (typeof started === 'number') throw new Error(`server did not start: exit ${started}`);
    server = started;
    const created = createToken(server.runtime.store, {
      name: 'feeder', role: 'ingest', actor: 'test', now: Date.now(),
    });
    if (!created.ok) throw new Error(created.error);
    token = created.token;
  });

  afterAll(async () => {
    try {
      rmSync(filler, { force: true });
      await server?.stop();
      await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
    } finally {
      unmount();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  async function post(samples: unknown[]) {
    const response = await fetch(`${server!.url}/api/v1/samples`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(samples),
    });
    const json = (await response.json()) as Record<string, unknown>;
    return { status: response.status, headers: response.headers, json };
  }

  async function get(path: string) {
    const response = await fetch(`${server!.url}${path}`);
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  it('refuses the batch with 503, applies nothing, stays up, and delivers once space is back', async () => {
    const runtime = server!.runtime;
    const base = Date.now() - 60_000;
    const entity = (i: number) => `db-${String(i).padStart(3, '0')}`;
    const sample = (i: number, time: number, value: number) =>
      ({ metric: 'disk.used_percent', entity: entity(i), time, value });
    // Warm-up: every series gets a window (no alert yet) and the windows are snapshotted.
    const warmup = [];
    for (let s = 0; s < WARMUP_SAMPLES; s++) {
      for (let i = 0; i < ENTITIES; i++) warmup.push(sample(i, base + s * 1_000, 40));
    }
    expect((await post(warmup)).status).toBe(200);
    runtime.snapshotWindows();
    const snapshotsBefore = runtime.store.loadWindowSnapshots();
    expect(snapshotsBefore).toHaveLength(ENTITIES);

    // As an operator's `sqlite3 tocsin.db 'PRAGMA wal_checkpoint(TRUNCATE)'` would: an empty WAL, so
    // every commit must grow a file (else a small commit can still reuse WAL space on a full disk).
    const external = new DatabaseSync(dataFile);
    external.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    external.close();
    expect(fill()).toBeGreaterThan(0);

    // The disks fill up for real: every series goes above 95 %.
    const batch = [];
    for (let i = 0; i < ENTITIES; i++) batch.push(sample(i, base + 30_000, 100_000));
    const refused = await post(batch);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(refused.json.error).toMatchObject({
      code: 'store_unavailable',
      message: `the batch of ${ENTITIES} sample(s) was not applied: the disk holding the data file is full `
        + '(SQLite: database or disk is full); nothing of this change was stored',
      hint: expect.stringContaining('free space on the data file\'s filesystem'),
    });
    expect(runtime.engine.alerts()).toEqual([]);
    expect(runtime.store.loadAlertStates()).toEqual([]);

    // The periodic window snapshot fails as a whole: the previous snapshot is still there.
    expect(() => runtime.snapshotWindows()).toThrow(StoreUnavailableError);
    expect(runtime.store.loadWindowSnapshots()).toEqual(snapshotsBefore);

    // The server stays up and says what is wrong.
    expect((await get('/healthz')).status).toBe(200);
    const notReady = await get('/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.json).toMatchObject({
      status: 'not ready', store: { writable: false, reason: 'disk_full', first_failed: 'ingest' },
    });
    expect(received).toEqual([]);

    // Space is freed; the client sends the same batch again.
    rmSync(filler);
    const accepted = await post(batch);
    expect(accepted.status).toBe(200);
    expect(runtime.engine.alerts()).toHaveLength(ENTITIES);
    expect((await get('/readyz')).status).toBe(200);

    const deadline = Date.now() + 30_000;
    while (new Set(received.map((payload) => payload.entity)).size < ENTITIES && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const opened = received.filter((payload) => payload.alert_type === 'OPEN').map((payload) => String(payload.entity));
    expect(new Set(opened).size).toBe(ENTITIES);
    expect(opened.sort()).toEqual(Array.from({ length: ENTITIES }, (_, i) => entity(i)));
  });
});

// Without a mount, say so in the report rather than only in a skipped suite's name.
if (mountProblem !== null) {
  describe('the data file on a full filesystem (not run)', () => {
    it.skip(`skipped: cannot mount a tmpfs here (${mountProblem}); run as root to test a real full disk`, () => {});
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
  });
}
