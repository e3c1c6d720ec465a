/**
 * The window of one (rule, series): samples ordered by time, oldest first (SPEC §4).
 *
 * - An out-of-order sample is inserted in place; a sample with the time of a kept one replaces it.
 * - `length(N)` keeps the newest N samples; `time(D)` keeps samples with time > latest − D, where
 *   latest is the newest sample time of the series (data time, never wall time).
 * - Every window is also bounded by `maxSamples`: beyond it the oldest samples are dropped.
 *
 * Memory matters more than anything else here: the engine holds one window per series and rule,
 * tens of thousands of them. Samples live in ONE Float64Array of interleaved (time, value) pairs
 * used as a ring buffer: a single allocation per window (two typed arrays cost ~250 bytes of
 * headers instead of ~140), and appending in time order, the hot path, is O(1) and allocation-free
 * once the buffer has grown. A null value is stored as NaN, so no side array is needed.
 * The buffer starts tiny (1 slot for `length(1)`, 2 otherwise) and doubles up to the window's limit.
 */
import type { WindowView } from '../parser/window.js';
import type { WindowSpec } from './rule.js';
import type { JournaledWindow, WindowJournal } from './undo.js';

export const DEFAULT_MAX_WINDOW_SAMPLES = 10_000;

/** Plain-JSON form of a window, for persistence (SPEC §4: windows are snapshotted). */
export interface WindowSnapshot {
  times: number[];
  values: Array<number | null>;
}

/** Rough per-window cost of the object and the typed array's header, measured on Node 24 (V8). */
const OVERHEAD_BYTES = 300;
const BYTES_PER_SLOT = 16;

export class SeriesWindow implements WindowView, JournaledWindow {
  /** Samples kept at most: N for length(N) (capped by maxSamples), maxSamples for time(D). */
  private readonly limit: number;
  /** The span D of a time(D) window; 0 for length windows. */
  private readonly spanMs: number;
  private readonly initialCapacity: number;
  /** Interleaved pairs: buffer[2k] = time, buffer[2k + 1] = value (NaN = null). */
  private buffer: Float64Array;
  private capacity: number;
  /** Physical slot of the oldest sample. */
  private head = 0;
  private count = 0;
  /**
   * While an engine batch may still be undone (src/engine/undo.ts): the journal, and the buffer the
   * batch began with, whose overwritten slots are journaled (a buffer grown since is new and is
   * simply dropped on rollback).
   */
  private undo: WindowJournal | null = null;
  private undoBuffer: Float64Array | null = null;

  constructor(spec: WindowSpec, maxSamples: number = DEFAULT_MAX_WINDOW_SAMPLES) {
    // Specs come from the loader, which validates them; a bad one here is a programming error.
    if (!Number.isInteger(maxSamples) || maxSamples < 1) throw new RangeError(`maxSamples must be a positive integer, got ${maxSamples}`);
    if (spec.kind === 'length') {
      if (!Number.isInteger(spec.size) || spec.size < 1) throw new RangeError(`length(N) needs a positive integer N, got ${spec.size}`);
      this.limit = Math.min(spec.size, maxSamples);
      this.spanMs = 0;
    } else {
      if (!(spec.ms > 0) || !Number.isFinite(spec.ms)) throw new RangeError(`time(D) needs a positive duration, got ${spec.ms} ms`);
      this.limit = maxSamples;
      this.spanMs = spec.ms;
    }
    this.initialCapacity = Math.min(2, this.limit);
    this.capacity = this.initialCapacity;
    this.buffer = new Float64Array(2 * this.capacity);
  }

  get length(): number {
    return this.count;
  }

  /** Time of the newest kept sample, which is the series' latest time; null when empty. */
  get latestTime(): number | null {
    return this.count === 0 ? null : this.buffer[2 * this.slot(this.count - 1)]!;
  }

  time(index: number): number {
    this.checkIndex(index);
    return this.buffer[2 * this.slot(index)]!;
  }

  value(index: number): number | null {
    this.checkIndex(index);
    const x = this.buffer[2 * this.slot(index) + 1]!;
    return x === x ? x : null;
  }

  /**
   * Adds a sample (time in epoch ms). Returns false, leaving the window unchanged, when the sample
   * is too old to matter: not newer than latest − D in a time window, or older than every kept
   * sample of a full window (and for a time that is not a finite number).
   */
  insert(time: number, value: number | null): boolean {
    if (!Number.isFinite(time)) return false;
    const stored = value === null ? NaN : value;
    const n = this.count;
    if (n === 0) {
      this.place(0, time, stored);
      return true;
    }
    const latest = this.buffer[2 * this.slot(n - 1)]!;
    if (time > latest) {
      // Hot path: in-order append.
      if (this.spanMs > 0) this.evictNotNewerThan(time - this.spanMs);
      if (this.count === this.limit) this.dropOldest();
      this.place(this.count, time, stored);
      return true;
    }
    if (this.spanMs > 0 && time <= latest - this.spanMs) return false;
    const index = this.lowerBound(time);
    if (index < n && this.buffer[2 * this.slot(index)] === time) {
      if (this.undo !== null) this.keep(index, index);
      this.buffer[2 * this.slot(index) + 1] = stored;
      return true;
    }
    if (n === this.limit) {
      if (index === 0) return false;
      this.dropOldest();
      this.place(index - 1, time, stored);
      return true;
    }
    this.place(index, time, stored);
    return true;
  }

  /** Forgets every sample and gives the memory back (the buffer shrinks to its starting size). */
  clear(): void {
    this.head = 0;
    this.count = 0;
    if (this.capacity !== this.initialCapacity) {
      this.capacity = this.initialCapacity;
      this.buffer = new Float64Array(2 * this.capacity);
    }
  }

  /** From now on, changes are journaled so that the batch can be undone (see undo.ts). */
  beginUndo(journal: WindowJournal): void {
    this.undo = journal;
    this.undoBuffer = this.buffer;
    journal.mark(this, this.buffer, this.capacity, this.head, this.count);
  }

  restoreSlot(at: number, time: number, value: number): void {
    const buffer = this.undoBuffer!;
    buffer[at] = time;
    buffer[at + 1] = value;
  }

  restoreShape(buffer: Float64Array, capacity: number, head: number, count: number): void {
    this.buffer = buffer;
    this.capacity = capacity;
    this.head = head;
    this.count = count;
  }

  endUndo(): void {
    this.undo = null;
    this.undoBuffer = null;
  }

  toSnapshot(): WindowSnapshot {
    const times: number[] = new Array<number>(this.count);
    const values: Array<number | null> = new Array<number | null>(this.count);
    for (let i = 0; i < this.count; i++) {
      times[i] = this.time(i);
      values[i] = this.value(i);
    }
    return { times, values };
  }

  /**
   * Rebuilds a window from a snapshot. The samples go through `insert`, so a snapshot taken under
   * another spec (a rule changed its window between restarts) is trimmed to the new one.
   * Entries that are not a finite time with a number-or-null value are skipped.
   */
  static fromSnapshot(spec: WindowSpec, snapshot: WindowSnapshot, maxSamples?: number): SeriesWindow {
    const window = new SeriesWindow(spec, maxSamples);
    const n = Math.min(snapshot.times.length, snapshot.values.length);
    for (let i = 0; i < n; i++) {
      const time = snapshot.times[i];
      const value = snapshot.values[i];
      if (typeof time !== 'number' || !Number.isFinite(time)) continue;
      if (value !== null && typeof value !== 'number') continue;
      window.insert(time, value);
    }
    return window;
  }

  /** Approximate heap bytes held by this window, for the memory bench and `/metrics`. */
  estimateBytes(): number {
    return OVERHEAD_BYTES + BYTES_PER_SLOT * this.capacity;
  }

  // ---- ring buffer internals ------------------------------------------------------------------

  private slot(index: number): number {
    const physical = this.head + index;
    return physical >= this.capacity ? physical - this.capacity : physical;
  }

  private checkIndex(index: number): void {
    // Without this an index past the end would silently wrap onto another sample.
    if (index >>> 0 !== index || index >= this.count) throw new RangeError(`window index ${index} outside 0..${this.count - 1}`);
  }

  /** First logical index whose time is ≥ `time` (binary search; the window is sorted). */
  private lowerBound(time: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.buffer[2 * this.slot(mid)]! < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private evictNotNewerThan(cutoff: number): void {
    while (this.count > 0 && this.buffer[2 * this.head]! <= cutoff) this.dropOldest();
  }

  private dropOldest(): void {
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    this.count--;
  }

  /**
   * Writes a sample at logical `index`, shifting the newer samples one place towards the end.
   * For an append nothing moves; a late sample costs one move per newer sample, which is fine
   * because late samples are rare and usually only a little late.
   */
  private place(index: number, time: number, value: number): void {
    if (this.count === this.capacity) this.grow();
    if (this.undo !== null) this.keep(index, this.count);
    const buffer = this.buffer;
    for (let i = this.count; i > index; i--) {
      const to = 2 * this.slot(i);
      const from = 2 * this.slot(i - 1);
      buffer[to] = buffer[from]!;
      buffer[to + 1] = buffer[from + 1]!;
    }
    const at = 2 * this.slot(index);
    buffer[at] = time;
    buffer[at + 1] = value;
    this.count++;
  }

  /**
   * Journals the slots of logical indices `from`..`to` before they are overwritten, when they are
   * slots of the buffer the batch began with (a buffer grown since is new and dropped on rollback).
   */
  private keep(from: number, to: number): void {
    if (this.undoBuffer !== this.buffer) return;
    const buffer = this.buffer;
    for (let i = from; i <= to; i++) {
      const at = 2 * this.slot(i);
      this.undo!.slot(this, at, buffer[at]!, buffer[at + 1]!);
    }
  }

  /** Doubles the buffer (up to the limit), unrolling the ring so the oldest sample is at slot 0. */
  private grow(): void {
    const capacity = Math.min(this.limit, Math.max(2, this.capacity * 2));
    const next = new Float64Array(2 * capacity);
    const firstRun = Math.min(this.count, this.capacity - this.head);
    next.set(this.buffer.subarray(2 * this.head, 2 * (this.head + firstRun)), 0);
    if (firstRun < this.count) next.set(this.buffer.subarray(0, 2 * (this.count - firstRun)), 2 * firstRun);
    this.buffer = next;
    this.capacity = capacity;
    this.head = 0;
  }
}
