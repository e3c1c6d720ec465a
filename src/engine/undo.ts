/**
 * The undo log of one engine batch (SPEC §4: a failed commit never leaves the engine ahead of the
 * store). While `Engine.atomically` runs, every change the engine makes to its memory is preceded
 * by a record of how to put it back; if the batch's commit fails, the records are played back and
 * the engine is exactly as it was before the batch, so the same samples sent again decide the same
 * events. When the batch commits, the log is emptied.
 *
 * Why an undo log rather than a copy of the state: a batch touches a few series out of many, and
 * a window may hold 10 000 samples. Recording only what changes keeps the cost proportional to the
 * batch, never to the engine's size. And because every live batch runs inside it, the hot path
 * allocates nothing in the steady state: series records and window writes go into flat arrays that
 * are reused from batch to batch (closures only for the rare changes: new series, map entries).
 */

/** The part of a window the journal restores (SeriesWindow implements it). */
export interface JournaledWindow {
  /** Puts back one slot of the buffer the batch began with. */
  restoreSlot(at: number, time: number, value: number): void;
  /** Puts back the ring's shape (and its buffer, if it grew in the batch). */
  restoreShape(buffer: Float64Array, capacity: number, head: number, count: number): void;
  /** The batch is over: stop journaling. */
  endUndo(): void;
}

/**
 * Window writes of the batch: for each window its shape when the batch first wrote to it, and the
 * old contents of each slot of that buffer it overwrote, in flat arrays.
 */
export class WindowJournal {
  // Arrays are overwritten from the start in each batch and never truncated: truncating would
  // free their storage and make every batch grow it again.
  private readonly marked: JournaledWindow[] = [];
  private readonly buffers: Float64Array[] = [];
  /** (capacity, head, count) per marked window. */
  private shapes = new Int32Array(3 * 64);
  private marks = 0;
  private readonly written: JournaledWindow[] = [];
  /** (offset, time, value) per written slot. */
  private slots = new Float64Array(3 * 64);
  private writes = 0;

  mark(window: JournaledWindow, buffer: Float64Array, capacity: number, head: number, count: number): void {
    const i = this.marks++;
    this.marked[i] = window;
    this.buffers[i] = buffer;
    if (3 * i + 3 > this.shapes.length) this.shapes = grown(this.shapes);
    this.shapes[3 * i] = capacity;
    this.shapes[3 * i + 1] = head;
    this.shapes[3 * i + 2] = count;
  }

  slot(window: JournaledWindow, at: number, time: number, value: number): void {
    const i = this.writes++;
    this.written[i] = window;
    if (3 * i + 3 > this.slots.length) this.slots = grown(this.slots);
    this.slots[3 * i] = at;
    this.slots[3 * i + 1] = time;
    this.slots[3 * i + 2] = value;
  }

  /** Slots newest first (so the oldest content wins), then the shapes. */
  rollback(): void {
    const { slots, shapes } = this;
    for (let i = this.writes - 1; i >= 0; i--) {
      this.written[i]!.restoreSlot(slots[3 * i]!, slots[3 * i + 1]!, slots[3 * i + 2]!);
    }
    for (let i = 0; i < this.marks; i++) {
      this.marked[i]!.restoreShape(this.buffers[i]!, shapes[3 * i]!, shapes[3 * i + 1]!, shapes[3 * i + 2]!);
    }
  }

  end(): void {
    for (let i = 0; i < this.marks; i++) this.marked[i]!.endUndo();
    // Drop the references (a forgotten series' window must not stay alive here), keep the storage.
    this.marked.fill(NONE, 0, this.marks);
    this.buffers.fill(NO_BUFFER, 0, this.marks);
    this.written.fill(NONE, 0, this.writes);
    this.marks = 0;
    this.writes = 0;
  }
}

const NONE: JournaledWindow = { restoreSlot() {}, restoreShape() {}, endUndo() {} };
const NO_BUFFER = new Float64Array(0);

function grown<A extends Int32Array | Float64Array | Uint8Array>(array: A): A {
  const next = new (array.constructor as new (length: number) => A)(array.length * 2);
  next.set(array);
  return next;
}

export class UndoLog<T extends { undoEpoch: number }> {
  /** Identifies the current batch: a record whose `undoEpoch` equals it is already saved. */
  epoch = 1;
  readonly windows = new WindowJournal();
  private readonly steps: Array<() => void> = [];
  /**
   * Records saved in this batch, each with `objectWidth` values in `objects` and `numberWidth` in
   * `numbers` (numbers apart: in a plain array each would be a heap allocation). Overwritten from
   * the start in each batch, never truncated (see WindowJournal).
   */
  private readonly records: T[] = [];
  private count = 0;
  private readonly objects: unknown[] = [];
  private numbers = new Float64Array(64);
  /** 1 where the saved number was null. */
  private nulls = new Uint8Array(64);
  private readonly objectWidth: number;
  private readonly numberWidth: number;
  private readonly restoreRecord: (record: T, saved: SavedFields) => void;
  private readonly cursor: SavedFields;

  /**
   * `restore(record, saved)` puts a record back from the values its owner saved with
   * `saveObject`/`saveNumber`, read back in the same order with `saved.object()`/`saved.number()`.
   */
  constructor(widths: { objects: number; numbers: number }, restore: (record: T, saved: SavedFields) => void) {
    this.objectWidth = widths.objects;
    this.numberWidth = widths.numbers;
    this.restoreRecord = restore;
    this.cursor = new SavedFields(this);
  }

  /** Whether `record` is seen for the first time in this batch; if so the caller saves its values next. */
  first(record: T): boolean {
    if (record.undoEpoch === this.epoch) return false;
    record.undoEpoch = this.epoch;
    const i = this.count++;
    this.records[i] = record;
    if ((i + 1) * this.numberWidth > this.numbers.length) {
      this.numbers = grown(this.numbers);
      this.nulls = grown(this.nulls);
    }
    this.objectAt = i * this.objectWidth;
    this.numberAt = i * this.numberWidth;
    return true;
  }

  private objectAt = 0;
  private numberAt = 0;

  saveObject(value: unknown): void {
    this.objects[this.objectAt++] = value;
  }

  saveNumber(value: number | null): void {
    const at = this.numberAt++;
    this.nulls[at] = value === null ? 1 : 0;
    this.numbers[at] = value ?? 0;
  }

  /** @internal for SavedFields */
  readObject(at: number): unknown {
    return this.objects[at];
  }

  /** @internal for SavedFields */
  readNumber(at: number): number | null {
    return this.nulls[at] === 1 ? null : this.numbers[at]!;
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
  member<V>(set: Set<V>, value: V): void {
    if (set.has(value)) this.steps.push(() => void set.add(value));
    else this.steps.push(() => void set.delete(value));
  }

  /** Before assigning `target[key]`. */
  property<O extends object, K extends keyof O>(target: O, key: K): void {
    const value = target[key];
    this.steps.push(() => {
      target[key] = value;
    });
  }

  /** Any other change (rare ones only: it allocates a closure): `undo` puts it back. */
  step(undo: () => void): void {
    this.steps.push(undo);
  }

  /**
   * Puts everything back. Records, map entries and windows are independent, so their order is free
   * between the three; records are restored newest first, so where two records share an object (a
   * reload moves a series' state object to the series of the new rule) the oldest save wins.
   */
  rollback(): void {
    for (let i = this.steps.length - 1; i >= 0; i--) this.steps[i]!();
    this.windows.rollback();
    for (let i = this.count - 1; i >= 0; i--) {
      this.cursor.start(i * this.objectWidth, i * this.numberWidth);
      this.restoreRecord(this.records[i]!, this.cursor);
    }
    this.end();
  }

  /** The batch is over (committed or rolled back). */
  end(): void {
    this.windows.end();
    this.steps.length = 0;
    // Drop the references (a forgotten series must not stay alive here), keep the storage.
    this.records.fill(undefined as unknown as T, 0, this.count);
    this.objects.fill(undefined, 0, this.count * this.objectWidth);
    this.count = 0;
    this.epoch++;
  }
}

/** Reads one record's saved values back, in the order they were saved. */
export class SavedFields {
  private objectAt = 0;
  private numberAt = 0;
  private readonly log: { readObject(at: number): unknown; readNumber(at: number): number | null };

  constructor(log: { readObject(at: number): unknown; readNumber(at: number): number | null }) {
    this.log = log;
  }

  start(objectAt: number, numberAt: number): void {
    this.objectAt = objectAt;
    this.numberAt = numberAt;
  }

  object<V>(): V {
    return this.log.readObject(this.objectAt++) as V;
  }

  number(): number | null {
    return this.log.readNumber(this.numberAt++);
  }
}
