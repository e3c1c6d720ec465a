/**
 * Coalesces the delivery worker's settlements: every settle call made within a short window is
 * applied in a single store transaction. A transaction's fixed cost (writing its pages to the
 * WAL at commit) is most of what a settlement costs, so one per response capped delivery far
 * below the HTTP rate (bench/delivery.js). The worker still awaits each call before the next event
 * of the same alert may start, so ordering holds; the request slot is free already, so the window
 * costs no throughput, only that much delay between two events of one alert.
 */
import type { DeliveryOutcome } from '../store/store.js';

/** The service's window: a few ms of delay between two events of one alert, for transactions of dozens of outcomes at high rates. */
export const DELIVERY_SETTLE_WINDOW_MS = 5;

export interface SettleBatcherOptions {
  /** How long the first waiting settlement waits for others; 0 = until the end of this event-loop turn. */
  windowMs?: number;
  /** Apply at once (next turn) when this many outcomes wait. */
  maxOutcomes?: number;
}

export class SettleBatcher<T extends DeliveryOutcome = DeliveryOutcome> {
  private pending: Array<{
    outcomes: T[];
    resolve: (applied: boolean[]) => void;
    reject: (error: unknown) => void;
  }> = [];
  private waiting = 0;
  /** The window's timer, and the next-turn flush once the window is full: at most one of them is set. */
  private timeout: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private readonly apply: (outcomes: T[]) => boolean[];
  private readonly windowMs: number;
  private readonly maxOutcomes: number;

  constructor(apply: (outcomes: T[]) => boolean[], options: SettleBatcherOptions = {}) {
    this.apply = apply;
    this.windowMs = Math.max(0, options.windowMs ?? 0);
    this.maxOutcomes = Math.max(1, options.maxOutcomes ?? 256);
  }

  settle(outcomes: T[]): Promise<boolean[]> {
    return new Promise((resolve, reject) => {
      this.pending.push({ outcomes, resolve, reject });
      this.waiting += outcomes.length;
      if (this.immediate !== null) return;
      if (this.waiting >= this.maxOutcomes || this.windowMs === 0) this.flushNextTurn();
      else this.timeout ??= setTimeout(() => this.flush(), this.windowMs);
    });
  }

  private flushNextTurn(): void {
    if (this.timeout !== null) clearTimeout(this.timeout);
    this.timeout = null;
    this.immediate = setImmediate(() => this.flush());
  }

  private flush(): void {
    if (this.timeout !== null) clearTimeout(this.timeout);
    this.timeout = null;
    this.immediate = null;
    const calls = this.pending;
    this.pending = [];
    this.waiting = 0;
    try {
      const applied = this.apply(calls.flatMap((call) => call.outcomes));
      let offset = 0;
      for (const call of calls) {
        call.resolve(applied.slice(offset, offset + call.outcomes.length));
        offset += call.outcomes.length;
      }
    } catch (error) {
      for (const call of calls) call.reject(error);
    }
  }
}
