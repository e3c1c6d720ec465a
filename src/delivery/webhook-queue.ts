/**
 * The claimed rows of one webhook inside the worker: a batch being collected, jobs waiting, and
 * the ordering keys in flight. Pure bookkeeping, no I/O, so the ordering rules are easy to see:
 * jobs start in claim order, never two jobs of one key at once, never more than `concurrency`
 * requests at once. A job holds its request slot until the response (`sent`) and its keys until
 * its outcome is stored (`settled`): the next request may go out while the store catches up,
 * but the next event of the same alert waits until the earlier one's fate is recorded.
 */
import type { ClaimedRow } from './ports.js';

/** One request: a single row, or the rows of one batch. */
export interface Job {
  rows: ClaimedRow[];
  keys: string[];
}

/** Unordered rows get a key of their own, so they never wait for each other. */
export function keyOf(row: ClaimedRow): string {
  return row.orderingKey === null ? `\u0000row:${row.id}` : row.orderingKey;
}

function job(rows: ClaimedRow[]): Job {
  return { rows, keys: rows.map(keyOf) };
}

export class WebhookQueue {
  #buffer: ClaimedRow[] = [];
  #flushAt = 0;
  #jobs: Job[] = [];
  readonly #busyKeys = new Set<string>();
  #inFlight = 0;

  /** `batchMs` 0: the row is a job of its own; otherwise it joins the batch being collected. */
  add(row: ClaimedRow, now: number, batchMs: number, maxBatchEvents: number): void {
    if (batchMs === 0) {
      this.#jobs.push(job([row]));
      return;
    }
    if (this.#buffer.length === 0) this.#flushAt = now + batchMs;
    this.#buffer.push(row);
    if (this.#buffer.length >= maxBatchEvents) this.#flush();
  }

  /** When the batch being collected is due, or null when none is. */
  get batchDueAt(): number | null {
    return this.#buffer.length === 0 ? null : this.#flushAt;
  }

  flushIfDue(now: number): void {
    if (this.#buffer.length > 0 && now >= this.#flushAt) this.#flush();
  }

  #flush(): void {
    this.#jobs.push(job(this.#buffer));
    this.#buffer = [];
  }

  /** Takes the jobs that may start now and counts them as in flight. */
  startable(concurrency: number): Job[] {
    // Called on every response and every settlement: most calls find every slot taken.
    if (this.#inFlight >= concurrency || this.#jobs.length === 0) return [];
    const started: Job[] = [];
    const passedOver: Job[] = [];
    // Keys of the jobs passed over: a later job of the same key waits too, so claim order is kept.
    let waitingKeys: Set<string> | null = null;
    let next = 0;
    for (; next < this.#jobs.length && this.#inFlight < concurrency; next++) {
      const candidate = this.#jobs[next]!;
      if (candidate.keys.some((key) => this.#busyKeys.has(key) || waitingKeys?.has(key) === true)) {
        passedOver.push(candidate);
        waitingKeys ??= new Set();
        for (const key of candidate.keys) waitingKeys.add(key);
        continue;
      }
      started.push(candidate);
      this.#inFlight++;
      for (const key of candidate.keys) this.#busyKeys.add(key);
    }
    if (started.length === 0) return started;
    // The usual case, nothing passed over: drop the started jobs from the front in place.
    if (passedOver.length === 0) this.#jobs.splice(0, next);
    else this.#jobs = [...passedOver, ...this.#jobs.slice(next)];
    return started;
  }

  /** The job's request is over (answered, failed, or never made): its slot is free. */
  sent(_done: Job): void {
    this.#inFlight--;
  }

  /** The job's outcome is stored: later jobs of its keys may start. Call after `sent`. */
  settled(done: Job): void {
    for (const key of done.keys) this.#busyKeys.delete(key);
  }

  /** Removes and returns the unsent rows that share a key with `key` (their whole jobs). */
  takeKey(key: string): ClaimedRow[] {
    const taken: ClaimedRow[] = [];
    this.#jobs = this.#jobs.filter((candidate) => {
      if (!candidate.keys.includes(key)) return true;
      taken.push(...candidate.rows);
      return false;
    });
    taken.push(...this.#buffer.filter((row) => keyOf(row) === key));
    this.#buffer = this.#buffer.filter((row) => keyOf(row) !== key);
    return taken;
  }

  /** Removes and returns every unsent row. */
  takeAll(): ClaimedRow[] {
    const taken = [...this.#buffer, ...this.#jobs.flatMap((candidate) => candidate.rows)];
    this.#buffer = [];
    this.#jobs = [];
    return taken;
  }
}
