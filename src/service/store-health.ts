/**
 * Whether the store takes writes, as the service has seen it: the first StoreUnavailableError
 * (disk full, I/O error, lock timeout) starts a problem, the next successful write ends it. One
 * log line at each end instead of one per failed request or timer tick; /readyz shows the problem
 * while it lasts (docs/operations.md, "Disk full / failed commit").
 */
import type { Logger } from 'pino';
import { StoreUnavailableError, type StoreUnavailableReason } from '../store/errors.js';

export interface StoreProblem {
  reason: StoreUnavailableReason;
  /** The first failure's message. */
  message: string;
  hint: string;
  /** What failed first: 'ingest', 'engine timers', 'window snapshot', … */
  during: string;
  since: number;
  lastAt: number;
  failures: number;
}

export class StoreHealth {
  #problem: StoreProblem | null = null;
  readonly #seen = new WeakSet<StoreUnavailableError>();
  readonly #log: Logger;
  readonly #now: () => number;

  constructor(log: Logger, now: () => number) {
    this.#log = log;
    this.#now = now;
  }

  /** The current problem (a copy), or null while writes succeed. */
  get problem(): StoreProblem | null {
    return this.#problem === null ? null : { ...this.#problem };
  }

  /** Records a failed write; the same error reported twice (service, then API) counts once. */
  failed(error: StoreUnavailableError, during: string): void {
    if (this.#seen.has(error)) return;
    this.#seen.add(error);
    const now = this.#now();
    if (this.#problem !== null) {
      this.#problem.failures++;
      this.#problem.lastAt = now;
      return;
    }
    this.#problem = {
      reason: error.reason, message: error.message, hint: error.hint, during, since: now, lastAt: now, failures: 1,
    };
    this.#log.error({ reason: error.reason, during, hint: error.hint },
      `store: ${error.message} (${during}); `
        + 'ingestion answers 503 and the engine keeps its state until a write succeeds');
  }

  /** A write went through: the store is usable again. */
  succeeded(): void {
    const problem = this.#problem;
    if (problem === null) return;
    this.#problem = null;
    const since = new Date(problem.since).toISOString();
    this.#log.warn({ reason: problem.reason, failures: problem.failures, since },
      `store: writes succeed again after ${problem.failures} failed write(s) since ${since}`);
  }

  /** Runs a store-writing step, recording a StoreUnavailableError it throws (and rethrowing it). */
  watch<T>(during: string, body: () => T): T {
    try {
      return body();
    } catch (error) {
      if (error instanceof StoreUnavailableError) this.failed(error, during);
      throw error;
    }
  }
}
