import { describe, expect, it } from 'vitest';
import { SettleBatcher } from '../../src/service/settle-batcher.js';
import type { DeliveryOutcome } from '../../src/store/store.js';

const delivered = (id: number): DeliveryOutcome => ({ id, at: 0, outcome: 'delivered' });

describe('settlements made in one turn of the event loop', () => {
  it('are applied in one call, and each caller gets its own results', async () => {
    const calls: number[][] = [];
    const batcher = new SettleBatcher((outcomes) => {
      calls.push(outcomes.map((o) => o.id));
      return outcomes.map((o) => o.id % 2 === 0);
    });
    const [a, b] = await Promise.all([batcher.settle([delivered(1), delivered(2)]), batcher.settle([delivered(4)])]);
    expect(calls).toEqual([[1, 2, 4]]);
    expect(a).toEqual([false, true]);
    expect(b).toEqual([true]);
    await batcher.settle([delivered(6)]);
    expect(calls).toEqual([[1, 2, 4], [6]]);
  });

  it('with a window, wait for it (or until enough outcomes wait) and apply them together', async () => {
    const calls: number[][] = [];
    const batcher = new SettleBatcher((outcomes) => {
      calls.push(outcomes.map((o) => o.id));
      return outcomes.map(() => true);
    }, { windowMs: 30, maxOutcomes: 3 });
    const first = batcher.settle([delivered(1)]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = batcher.settle([delivered(2)]);
    expect(calls).toEqual([]);
    await Promise.all([first, second]);
    expect(calls).toEqual([[1, 2]]);
  });

  it('apply at once when enough outcomes wait, without waiting for the window', async () => {
    const calls: number[][] = [];
    // A window longer than the test's timeout: the test passes only if the size cuts it short.
    const batcher = new SettleBatcher((outcomes) => {
      calls.push(outcomes.map((o) => o.id));
      return outcomes.map(() => true);
    }, { windowMs: 60_000, maxOutcomes: 3 });
    await Promise.all([batcher.settle([delivered(3), delivered(4)]), batcher.settle([delivered(5)])]);
    expect(calls).toEqual([[3, 4, 5]]);
  });

  it('reject every caller when the store fails', async () => {
    const batcher = new SettleBatcher(() => {
      throw new Error('disk full');
    });
    await expect(Promise.all([batcher.settle([delivered(1)]), batcher.settle([delivered(2)])])).rejects.toThrow('disk full');
  });
});
