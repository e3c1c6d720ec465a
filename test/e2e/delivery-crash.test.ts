/**
 * SPEC §6 and §10 "kill -9 during a delivery storm loses nothing": 10 000 notifications (500 alerts ×
 * 20 events) wait in the outbox of a SQLite file; a child process running the real delivery path
 * (tocsin's worker, HTTP sender, `events` preset) is killed with SIGKILL midway, then a new one is
 * started on the same file. The receiver must get every event at least once, each request carrying
 * its event id as `webhook-id`, and the events of every alert in order — the ones the killed worker
 * held included, which the successor sends again at once (the file is the process's own: whatever
 * is in flight at start was left by a process that is gone; issue 12.1).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite.js';
import { alertsOutOfOrder, alertsSentBackwards, alertStorm, deliveryGaps, idMismatches, outboxRows, RecordingReceiver, type StormAlert } from './fixtures/storm.js';

const ALERTS = 500;
const EVENTS_PER_ALERT = 20;
const TOTAL = ALERTS * EVENTS_PER_ALERT;
/** "Some thousands" delivered before the kill. */
const KILL_AFTER = 3_000;
const LEASE_MS = 2_000;
/**
 * The database goes to a RAM-backed directory when there is one: SIGKILL ends a process, not the
 * machine, so the page cache — and every committed transaction — survives it on any file system,
 * and 20 000 small claim/settle transactions on a busy shared disk would double the test's time.
 */
const scratch = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
const worker = fileURLToPath(new URL('./fixtures/delivery-worker.mjs', import.meta.url));

interface Worker {
  process: ChildProcess;
  /** Resolves when the child exits: 'drained' after a clean finish, 'killed' after SIGKILL. */
  exited: Promise<'drained' | 'killed'>;
}

function startWorker(db: string, url: string, run: string): Worker {
  const child = spawn(process.execPath, [worker, db, url, String(LEASE_MS), run], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<'drained' | 'killed'>((resolve, reject) => {
    child.once('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0 && stdout.includes('drained')) resolve('drained');
      else reject(new Error(`delivery worker ${run} exited with ${code ?? signal}: ${stderr}`));
    });
  });
  // Until awaited, an early failure must not surface as an unhandled rejection.
  exited.catch(() => {});
  return { process: child, exited };
}

/** `promise`, or a failure naming `what` was awaited once `ms` have passed (instead of a bare test timeout). */
async function within<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`gave up after ${ms} ms: ${what()}`)), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('delivery killed with SIGKILL during a storm of 10 000 notifications', () => {
  const dir = mkdtempSync(join(scratch, 'tocsin-delivery-crash-'));
  const db = join(dir, 'tocsin.db');
  const receiver = new RecordingReceiver();
  const children: Worker[] = [];
  let storm: StormAlert[];

  beforeAll(async () => {
    await receiver.listen();
    storm = alertStorm(ALERTS, EVENTS_PER_ALERT, Date.parse('2026-03-14T09:00:00Z'));
    // Queued as the engine's pipeline would: round-robin over the alerts, so every alert's events
    // are spread across the whole outbox and the kill lands in the middle of many of them.
    const events = Array.from({ length: EVENTS_PER_ALERT }, (_, index) => storm.map((alert) => alert.events[index])).flat();
    const store = new SqliteStore(db);
    store.commit({ now: Date.now(), outbox: outboxRows(events.filter((event) => event !== undefined), 'storm') });
    expect(store.outboxDepth('storm')).toBe(TOTAL);
    store.close();
  });

  afterAll(async () => {
    for (const child of children) if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
    await Promise.allSettled(children.map((child) => child.exited));
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every event at least once, with its id, in order per alert, after a restart', async () => {
    const first = startWorker(db, receiver.url, 'first');
    children.push(first);
    // A child that dies on its own (an import error, say) fails the test with its stderr at once.
    await Promise.race([
      receiver.until(() => receiver.arrivals.length >= KILL_AFTER, 20_000, () => `${receiver.arrivals.length} events before the kill`),
      first.exited.then((how) => Promise.reject(new Error(`the first delivery worker ${how} before the kill`))),
    ]);
    first.process.kill('SIGKILL');
    expect(await first.exited).toBe('killed');
    const beforeRestart = receiver.distinct().size;
    expect(beforeRestart).toBeLessThan(TOTAL);

    // What the killed worker held: claimed, leased, maybe sent, never settled.
    const store = new SqliteStore(db);
    const held = store.listOutbox({ webhook: 'storm', status: 'inflight', limit: 1_000 });
    store.close();
    expect(held.length).toBeGreaterThan(0);

    const second = startWorker(db, receiver.url, 'second');
    children.push(second);
    expect(await within(second.exited, 40_000, () => `${receiver.distinct().size} of ${TOTAL} events delivered`)).toBe('drained');

    // Every event at least once, and nothing the outbox did not hold.
    expect(deliveryGaps(receiver.arrivals, storm)).toEqual({ missing: [], unexpected: [] });
    // Each request names its event in webhook-id and Idempotency-Key, so a duplicate is recognisable.
    expect(idMismatches(receiver.arrivals)).toEqual([]);
    expect(alertsOutOfOrder(receiver.arrivals, storm)).toEqual([]);

    // The rows the killed worker held were sent again by its successor, before the later events of
    // their alerts.
    const resent = receiver.arrivals.filter((arrival) => arrival.run === 'second');
    expect(alertsSentBackwards(resent, storm)).toEqual([]);
    for (const row of held) {
      const again = resent.filter((arrival) => arrival.eventId === row.eventId);
      expect(again.length, `held row ${row.id} sent again`).toBeGreaterThan(0);
    }

    // The file agrees: every notification delivered, nothing failed or discarded.
    const after = new SqliteStore(db);
    try {
      expect(after.outboxDepth()).toBe(0);
      expect(after.webhookTotals().map((totals) => [totals.webhook, totals.failures])).toEqual([['storm', 0]]);
      expect(after.listOutbox({ webhook: 'storm', status: 'done', limit: 1 })).toHaveLength(1);
      for (const status of ['failed', 'discarded', 'dropped'] as const) expect(after.listOutbox({ status, limit: 1 })).toEqual([]);
    } finally {
      after.close();
    }
  }, 60_000);
});
