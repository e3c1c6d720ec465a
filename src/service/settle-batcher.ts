/**
 * Coalesces the delivery worker's settlements: every settle call made within one turn of the event
 * loop is applied in a single store transaction. The worker still awaits each call, so an alert's
 * next event is claimed only after its previous one is settled, and ordering holds.
 */
import type { DeliveryOutcome } from '../store/store.js';

export class SettleBatcher {
  private pending: Array<{ outcomes: DeliveryOutcome[]; resolve: (applied: boolean[]) => void; reject: (error: unknown) => void }> = [];
  private scheduled = false;
  private readonly apply: (outcomes: DeliveryOutcome[]) => boolean[];

  constructor(apply: (outcomes: DeliveryOutcome[]) => boolean[]) {
    this.apply = apply;
  }

  settle(outcomes: DeliveryOutcome[]): Promise<boolean[]> {
    return new Promise((resolve, reject) => {
      this.pending.push({ outcomes, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const calls = this.pending;
    this.pending = [];
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
