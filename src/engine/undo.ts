/**
 * The undo log of one engine batch (SPEC §4: a failed commit never leaves the engine ahead of the
 * store). While `Engine.atomically` runs, every change the engine makes to its memory is preceded
 * by a record of how to put it back; if the batch's commit fails, the records are played backwards
 * and the engine is exactly as it was before the batch, so the same samples sent again decide the
 * same events. When the batch commits, the log is dropped.
 *
 * Why an undo log rather than copying the state: a batch touches a few series out of many, and a
 * window may hold 10 000 samples. Recording only what changes keeps the cost proportional to the
 * batch (a few words per sample), never to the engine's size; see SeriesWindow.beginUndo for the
 * windows' part.
 */

/** A window that can take back the writes of the current batch (SeriesWindow). */
export interface UndoableWindow {
  beginUndo(): void;
  rollback(): void;
  endUndo(): void;
}

export class UndoLog {
  private readonly steps: Array<() => void> = [];
  /** Objects already recorded whole in this batch (series): the first record is the one that counts. */
  private readonly seen = new Set<object>();
  private readonly windows: UndoableWindow[] = [];

  /**
   * Whether `target` is recorded for the first time in this batch. The caller then records its
   * whole previous value with `push`; later changes in the same batch need no record.
   */
  first(target: object): boolean {
    if (this.seen.has(target)) return false;
    this.seen.add(target);
    return true;
  }

  /** Records how to undo one change; steps run in reverse order on rollback. */
  push(step: () => void): void {
    this.steps.push(step);
  }

  /** Before `map.set(key, …)` or `map.delete(key)`: rollback puts the entry back as it is now. */
  entry<K, V>(map: Map<K, V>, key: K): void {
    if (map.has(key)) {
      const value = map.get(key) as V;
      this.steps.push(() => void map.set(key, value));
    } else {
      this.steps.push(() => void map.delete(key));
    }
  }

  /** Before `set.add(value)` or `set.delete(value)`. */
  member<T>(set: Set<T>, value: T): void {
    if (set.has(value)) this.steps.push(() => void set.add(value));
    else this.steps.push(() => void set.delete(value));
  }

  /** Before assigning `target[key]`. */
  property<T extends object, K extends keyof T>(target: T, key: K): void {
    const value = target[key];
    this.steps.push(() => {
      target[key] = value;
    });
  }

  /** A window written in this batch: its writes are journaled until the batch ends. */
  window(window: UndoableWindow): void {
    window.beginUndo();
    this.windows.push(window);
    this.steps.push(() => window.rollback());
  }

  /** Puts everything back, newest change first. */
  rollback(): void {
    for (let i = this.steps.length - 1; i >= 0; i--) this.steps[i]!();
    this.end();
  }

  /** The batch is over (committed or rolled back): windows stop journaling. */
  end(): void {
    for (const window of this.windows) window.endUndo();
    this.windows.length = 0;
    this.steps.length = 0;
    this.seen.clear();
  }
}
