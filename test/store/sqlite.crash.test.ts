/**
 * Crash safety (SPEC §4, §10 "kill -9 during a delivery storm loses nothing"): child processes commit
 * engine batches and deliver outbox rows against one database file and are killed with SIGKILL at
 * an arbitrary moment; the file, reopened, must hold every committed batch completely — alert state,
 * history, event and outbox rows together — and nothing of an uncommitted one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite.js';
import { tempDir } from './helpers.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const WEBHOOKS = ['w0', 'w1', 'w2'];
const LEASE_MS = 600_000;
/** The only statuses these children produce, in the order rows of one ordering key must show them. */
const STATUS_RANK: Record<string, number> = { done: 0, inflight: 1, pending: 2 };

interface Child {
  process: ChildProcess;
  /** The last number the child printed (a committed batch, or the count of settled rows). */
  last: () => number;
  /** Resolves once the child printed a number >= target. */
  reached: (target: number) => Promise<void>;
  killed: () => Promise<void>;
}

function start(script: string, args: string[]): Child {
  const child = spawn(process.execPath, [fixture(script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let last = -1;
  let buffered = '';
  let stderr = '';
  const waiters: Array<{ target: number; resolve: () => void }> = [];
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line !== '') last = Number(line);
    for (const waiter of waiters.filter((entry) => last >= entry.target)) waiter.resolve();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    process: child,
    last: () => last,
    reached: (target) =>
      new Promise<void>((resolve, reject) => {
        if (last >= target) return resolve();
        waiters.push({ target, resolve });
        // The child dying early (e.g. an import error) must fail the test, not hang it.
        void exited.then(() => reject(new Error(`${script} exited before reaching ${target} (last ${last}): ${stderr}`)));
      }),
    killed: () => {
      child.kill('SIGKILL');
      return exited;
    },
  };
}

interface Snapshot {
  lastBatch: number;
  outboxIds: number[];
  inflightIds: number[];
}

/** Everything that must hold after a crash, for batches 0 … lastBatch. */
function verify(path: string, lastReported: number): Snapshot {
  // Reopening runs WAL recovery and the migrations check, as a restarted tocsin would.
  const store = new SqliteStore(path);
  const states = new Map(store.loadAlertStates().map((state) => [state.seriesKey, state.state as { batch: number }]));
  store.close();

  const lastBatch = states.get('progress')?.batch ?? -1;
  // Every batch the child reported is there; at most the one it was committing when killed is extra.
  expect(lastBatch).toBeGreaterThanOrEqual(lastReported);
  expect(lastBatch).toBeLessThanOrEqual(lastReported + 1);

  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const perBatch = (sql: string) => db.prepare(sql).all().map((row) => [Number(row['batch']), Number(row['n'])]);
    const expected = (count: number) => Array.from({ length: lastBatch + 1 }, (_, batch) => [batch, count]);
    expect(perBatch('SELECT time AS batch, COUNT(*) AS n FROM alert_history GROUP BY time ORDER BY time')).toEqual(expected(1));
    expect(perBatch(`SELECT CAST(SUBSTR(event_id, 2) AS INTEGER) AS batch, COUNT(*) AS n FROM events GROUP BY batch ORDER BY batch`)).toEqual(expected(1));
    expect(perBatch(`SELECT CAST(SUBSTR(event_id, 2) AS INTEGER) AS batch, COUNT(*) AS n FROM outbox GROUP BY batch ORDER BY batch`)).toEqual(
      expected(WEBHOOKS.length),
    );
    // Each series state is the one of the newest committed batch that touched it.
    for (let series = 0; series < 10 && series <= lastBatch; series++) {
      const newest = lastBatch - ((lastBatch - series) % 10);
      expect(states.get(`s${series}`)?.batch).toBe(newest);
    }

    const rows = db.prepare('SELECT id, webhook, status FROM outbox ORDER BY id').all();
    for (const webhook of WEBHOOKS) {
      // One ordering key per webhook: delivered rows are a prefix, then at most one inflight, then pending.
      const ranks = rows.filter((row) => row['webhook'] === webhook).map((row) => STATUS_RANK[String(row['status'])]);
      expect(ranks).toEqual([...ranks].sort((a, b) => (a ?? 9) - (b ?? 9)));
      expect(ranks.filter((rank) => rank === STATUS_RANK['inflight']).length).toBeLessThanOrEqual(1);
    }
    // A row is done exactly when its attempt is logged: settle writes both or neither.
    const mismatched = db
      .prepare(
        `SELECT COUNT(*) AS n FROM outbox o
         WHERE (o.status = 'done') <> EXISTS (SELECT 1 FROM delivery_attempts a WHERE a.outbox_id = o.id)`,
      )
      .get();
    expect(mismatched?.['n']).toBe(0);
    // Counters are in the same transaction too.
    for (const row of db.prepare(`SELECT webhook, COUNT(*) AS n FROM outbox WHERE status = 'done' GROUP BY webhook`).all()) {
      const totals = db.prepare('SELECT successes FROM webhook_totals WHERE webhook = ?').get(String(row['webhook']));
      expect(totals?.['successes']).toBe(row['n']);
    }
    return {
      lastBatch,
      outboxIds: rows.map((row) => Number(row['id'])),
      inflightIds: rows.filter((row) => row['status'] === 'inflight').map((row) => Number(row['id'])),
    };
  } finally {
    db.close();
  }
}

describe('crash safety: SIGKILL never leaves half a batch', () => {
  let dir: { dir: string; cleanup: () => void };
  let path: string;
  const children: Child[] = [];

  beforeAll(() => {
    dir = tempDir();
    path = join(dir.dir, 'data', 'tocsin.db');
  });
  afterAll(async () => {
    await Promise.all(children.map((child) => child.killed()));
    dir.cleanup();
  });

  let afterFirstCrash: Snapshot;

  it('keeps every committed batch whole when the committing process is killed', async () => {
    const writer = start('commit-loop.mjs', [path, '0']);
    children.push(writer);
    await writer.reached(300);
    await writer.killed();
    afterFirstCrash = verify(path, writer.last());
  });

  it('keeps batches whole and deliveries in order when a writer and a delivery worker are killed together', async () => {
    const first = afterFirstCrash.lastBatch + 1;
    const writer = start('commit-loop.mjs', [path, String(first)]);
    const deliverer = start('deliver-loop.mjs', [path, String(LEASE_MS)]);
    children.push(writer, deliverer);
    await Promise.all([writer.reached(first + 300), deliverer.reached(100)]);
    await Promise.all([writer.killed(), deliverer.killed()]);
    const afterSecondCrash = verify(path, writer.last());
    expect(afterSecondCrash.outboxIds.slice(0, afterFirstCrash.outboxIds.length)).toEqual(afterFirstCrash.outboxIds);

    // The killed worker's rows come back once their lease has passed, ahead of pending ones.
    const store = new SqliteStore(path);
    try {
      const reclaimed = store.claimDue(Date.now() + LEASE_MS + 1, afterSecondCrash.inflightIds.length, 1_000).map((row) => row.id);
      expect(reclaimed).toEqual(afterSecondCrash.inflightIds);
    } finally {
      store.close();
    }
  });
});
