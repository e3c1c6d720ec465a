/**
 * Puts samples in data-time order before the engine sees them. Replay runs the engine on data time
 * (SPEC §4): a sample older than one already applied would be judged against timers that have
 * already fired, so an export grouped by series (all of one series, then the next) gave silently
 * wrong open and no-data times. Replay therefore never applies a sample out of order:
 *
 * - sort on (the default): samples are held in memory, up to `limit`; at the end of the file they
 *   are sorted by time (stably: samples with the same time keep their file order) and applied.
 *   If the file is longer than `limit` and its first `limit` samples are in time order, those are
 *   applied and the rest streams, each sample checked against the latest time; if they are not in
 *   order, or a later line is out of order, the replay stops with an OrderError.
 * - sort off (`--no-sort`): every sample streams in file order, memory stays flat, and the first
 *   line older than its predecessors stops the replay with an OrderError.
 */
import type { Sample } from '../../model/sample.js';

export interface TimeOrderOptions {
  sort: boolean;
  /** The most samples held in memory to sort. */
  limit: number;
  /** Receives samples in time order, in batches of at most `batchSize`. */
  apply: (samples: Sample[]) => void;
  batchSize: number;
}

/** A line whose time is earlier than a line before it, where replay cannot reorder it. */
export class OrderError extends Error {
  readonly line: number;
  readonly time: number;
  readonly latestLine: number;
  readonly latestTime: number;
  /** Why it cannot be sorted: 'no-sort', or 'limit' (more samples than the sort limit). */
  readonly reason: 'no-sort' | 'limit';
  /** Samples already applied when the line was met (0 when nothing was). */
  readonly applied: number;

  constructor(
    line: number, time: number, latestLine: number, latestTime: number, reason: 'no-sort' | 'limit', applied: number,
  ) {
    super(`line ${line} is out of time order`);
    this.line = line;
    this.time = time;
    this.latestLine = latestLine;
    this.latestTime = latestTime;
    this.reason = reason;
    this.applied = applied;
  }
}

export class TimeOrder {
  private held: Sample[] = [];
  private batch: Sample[] = [];
  private streaming: boolean;
  private latestTime = -Infinity;
  private latestLine = 0;
  private applied = 0;
  /** The first line held that is out of order (a sort is needed), kept for the error beyond the limit. */
  private firstDisorder: { line: number; time: number; latestLine: number; latestTime: number } | null = null;
  /** How many samples were reordered in memory (0 when the file was in order). */
  sortedCount = 0;

  private readonly options: TimeOrderOptions;

  constructor(options: TimeOrderOptions) {
    this.options = options;
    this.streaming = !options.sort;
  }

  /** The latest sample time seen (−Infinity before the first). */
  get latest(): number {
    return this.latestTime;
  }

  add(sample: Sample, line: number): void {
    const time = sample.time;
    if (this.streaming) {
      if (time < this.latestTime) {
        const reason = this.options.sort ? 'limit' : 'no-sort';
        throw new OrderError(line, time, this.latestLine, this.latestTime, reason, this.applied);
      }
      this.latestTime = time;
      this.latestLine = line;
      this.batch.push(sample);
      if (this.batch.length >= this.options.batchSize) this.flushBatch();
      return;
    }
    if (time < this.latestTime) {
      this.firstDisorder ??= { line, time, latestLine: this.latestLine, latestTime: this.latestTime };
    } else {
      this.latestTime = time;
      this.latestLine = line;
    }
    this.held.push(sample);
    if (this.held.length > this.options.limit) {
      const d = this.firstDisorder;
      if (d !== null) throw new OrderError(d.line, d.time, d.latestLine, d.latestTime, 'limit', 0);
      // In order so far: apply what is held and stream the rest, still refusing any step back.
      this.streaming = true;
      const held = this.held;
      this.held = [];
      this.applyInBatches(held);
    }
  }

  /** Applies everything still held or batched; call once at the end of the input. */
  finish(): void {
    if (this.streaming) {
      this.flushBatch();
      return;
    }
    const held = this.held;
    this.held = [];
    if (this.firstDisorder !== null) {
      // Array.prototype.sort is stable (ES2019): samples with one time keep their file order.
      held.sort((a, b) => a.time - b.time);
      this.sortedCount = held.length;
    }
    this.applyInBatches(held);
  }

  private applyInBatches(samples: Sample[]): void {
    const size = this.options.batchSize;
    for (let i = 0; i < samples.length; i += size) {
      const batch = samples.slice(i, i + size);
      this.applied += batch.length;
      this.options.apply(batch);
    }
  }

  private flushBatch(): void {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    this.applied += batch.length;
    this.options.apply(batch);
  }
}
