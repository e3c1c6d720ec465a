/**
 * Timers of the engine as a binary min-heap of (deadline, series). Entries are never removed when
 * a series' deadline changes; a popped entry is checked against the series' current deadline and
 * dropped when stale. This keeps rescheduling O(log n) without an index into the heap.
 */
export interface TimerEntry<T> {
  at: number;
  target: T;
}

export class TimerQueue<T> {
  private readonly heap: TimerEntry<T>[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(at: number, target: T): void {
    const heap = this.heap;
    heap.push({ at, target });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.at <= heap[i]!.at) break;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  }

  peek(): TimerEntry<T> | undefined {
    return this.heap[0];
  }

  pop(): TimerEntry<T> | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && heap[left]!.at < heap[smallest]!.at) smallest = left;
        if (right < heap.length && heap[right]!.at < heap[smallest]!.at) smallest = right;
        if (smallest === i) break;
        [heap[smallest], heap[i]] = [heap[i]!, heap[smallest]!];
        i = smallest;
      }
    }
    return top;
  }

  clear(): void {
    this.heap.length = 0;
  }
}
