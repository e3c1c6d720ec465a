/**
 * Timers of the engine as an indexed binary min-heap. Each timer is an entry object owned by its
 * series (one per series and timer kind) that remembers its own position in the heap, so moving a
 * deadline or cancelling a timer updates the entry in place (O(log n)) instead of pushing another
 * one: the heap holds at most one live entry per series and kind, and shrinks when series go.
 */
export interface TimerEntry<T, K extends string = string> {
  /** Due time (engine clock); meaningful while the entry is in the heap. */
  at: number;
  /** Position in the heap; -1 when not scheduled. */
  index: number;
  readonly target: T;
  readonly kind: K;
}

export class TimerQueue<T, K extends string = string> {
  private readonly heap: TimerEntry<T, K>[] = [];

  get size(): number {
    return this.heap.length;
  }

  /** A new, unscheduled timer for `target`. */
  entry(target: T, kind: K): TimerEntry<T, K> {
    return { at: Infinity, index: -1, target, kind };
  }

  scheduled(entry: TimerEntry<T, K>): boolean {
    return entry.index >= 0;
  }

  /** Schedules the entry at `at`, or moves it there when it is already scheduled. */
  set(entry: TimerEntry<T, K>, at: number): void {
    if (entry.index < 0) {
      entry.at = at;
      entry.index = this.heap.length;
      this.heap.push(entry);
      this.up(entry.index);
      return;
    }
    if (at === entry.at) return;
    const earlier = at < entry.at;
    entry.at = at;
    if (earlier) this.up(entry.index);
    else this.down(entry.index);
  }

  /** Unschedules the entry (nothing happens when it is not scheduled). */
  delete(entry: TimerEntry<T, K>): void {
    const i = entry.index;
    if (i < 0) return;
    entry.index = -1;
    const last = this.heap.pop()!;
    if (last === entry) return;
    this.heap[i] = last;
    last.index = i;
    this.up(i);
    this.down(last.index);
  }

  peek(): TimerEntry<T, K> | undefined {
    return this.heap[0];
  }

  pop(): TimerEntry<T, K> | undefined {
    const top = this.heap[0];
    if (top) this.delete(top);
    return top;
  }

  clear(): void {
    for (const entry of this.heap) entry.index = -1;
    this.heap.length = 0;
  }

  private up(i: number): void {
    const heap = this.heap;
    const entry = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = heap[parent]!;
      if (above.at <= entry.at) break;
      heap[i] = above;
      above.index = i;
      i = parent;
    }
    heap[i] = entry;
    entry.index = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const entry = heap[i]!;
    const n = heap.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && heap[right]!.at < heap[left]!.at ? right : left;
      if (heap[child]!.at >= entry.at) break;
      heap[i] = heap[child]!;
      heap[i]!.index = i;
      i = child;
    }
    heap[i] = entry;
    entry.index = i;
  }
}
