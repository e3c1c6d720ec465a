/**
 * WAL checkpoints on a thread of their own. SQLite checkpoints automatically inside the COMMIT
 * that grows the WAL past 1,000 pages: that commit then copies the pages into the database file
 * and fsyncs it, on the event loop, and a delivery or an ingest request waits for it (the
 * delivery bench showed it as the largest part of a settlement's cost). Here a second connection
 * on a worker thread runs `wal_checkpoint(PASSIVE)`, which never blocks the writer or readers,
 * whenever commits happened since the last one, and the main connection stops checkpointing.
 *
 * The thread starts only once a connection has committed often (`START_AFTER_COMMITS`), so
 * short-lived stores (tests, CLI commands) never pay for a thread. If it cannot run, the main
 * connection checkpoints as before: the WAL never grows without bound.
 */
import { Worker } from 'node:worker_threads';

/** Top-level commits before a connection hands checkpoints to a thread. */
export const START_AFTER_COMMITS = 64;
/** Pause between two checkpoints: the WAL holds at most this long's worth of commits. */
const PAUSE_MS = 25;

// The thread's program: plain JavaScript (an eval worker), so it runs the same from src and dist.
const THREAD = `
const { workerData } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
const signal = new Int32Array(workerData.signal);
const db = new DatabaseSync(workerData.path);
let seen = 0;
while (Atomics.load(signal, 1) === 0) {
  Atomics.wait(signal, 1, 0, ${PAUSE_MS});
  const commits = Atomics.load(signal, 0);
  if (commits === seen || Atomics.load(signal, 1) !== 0) continue;
  seen = commits;
  try {
    db.exec('PRAGMA wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or interrupted: the next round checkpoints what is left.
  }
}
db.close();
`;

const COMMITS = 0;
const STOP = 1;

export class Checkpointer {
  readonly #signal = new Int32Array(new SharedArrayBuffer(8));
  readonly #worker: Worker;

  /** `onFailure` runs when the thread stops by itself (it could not open or checkpoint the file). */
  constructor(path: string, onFailure: (error: unknown) => void) {
    this.#worker = new Worker(THREAD, { eval: true, workerData: { path, signal: this.#signal.buffer } });
    // Never keeps the process alive; close() ends it.
    this.#worker.unref();
    this.#worker.once('error', onFailure);
    this.#worker.once('exit', (code) => {
      if (Atomics.load(this.#signal, STOP) === 0) onFailure(new Error(`checkpoint thread exited with code ${code}`));
    });
  }

  /** Called after each commit: there is something to checkpoint. */
  committed(): void {
    Atomics.add(this.#signal, COMMITS, 1);
  }

  /**
   * Ends the thread after its current checkpoint, if any, without waiting: the thread closes its
   * connection by itself, and as the last connection that close checkpoints what is left.
   */
  close(): void {
    Atomics.store(this.#signal, STOP, 1);
    Atomics.notify(this.#signal, STOP);
  }
}
