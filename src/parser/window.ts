/**
 * The window interface that window functions read. The engine implements it over compact typed
 * arrays; `ArrayWindow` is the simple implementation for tests, the CLI and library users.
 * Samples are ordered by time, oldest first; a null value is a sample without a number.
 */
export interface WindowView {
  readonly length: number;
  time(index: number): number;
  value(index: number): number | null;
}

export interface WindowSample {
  time: number;
  value: number | null;
}

export class ArrayWindow implements WindowView {
  private readonly samples: WindowSample[];
  constructor(samples: Iterable<WindowSample>) {
    this.samples = [...samples].sort((a, b) => a.time - b.time);
  }
  get length(): number {
    return this.samples.length;
  }
  time(index: number): number {
    return this.samples[index]!.time;
  }
  value(index: number): number | null {
    return this.samples[index]!.value;
  }
  /** From plain values (times 0, 1000, 2000 …) or `{time, value}` objects, as in a JSON context. */
  static from(input: unknown): ArrayWindow | null {
    if (!Array.isArray(input)) return null;
    const samples: WindowSample[] = [];
    input.forEach((item: unknown, index) => {
      if (typeof item === 'number' || item === null) samples.push({ time: index * 1000, value: item });
      else if (item !== null && typeof item === 'object') {
        const record = item as Record<string, unknown>;
        const time = typeof record.time === 'number' ? record.time : typeof record.time === 'string' ? Date.parse(record.time) : index * 1000;
        const value = typeof record.value === 'number' ? record.value : null;
        samples.push({ time: Number.isFinite(time) ? time : index * 1000, value });
      }
    });
    return new ArrayWindow(samples);
  }
}

/**
 * Which part of the window a function reads: `all`, the last N samples (`avg(5)`), or the samples
 * newer than the newest time − span (`avg('10 minute')`), the same rule as a `time(D)` window.
 */
export const ALL = 0;
export const LAST_N = 1;
export const SPAN = 2;

/** Index of the first sample in range. */
function startIndex(w: WindowView, mode: number, amount: number): number {
  const n = w.length;
  if (mode === LAST_N) {
    const count = Math.floor(amount);
    return count >= n ? 0 : count <= 0 ? n : n - count;
  }
  if (mode === SPAN) {
    if (n === 0) return 0;
    const oldest = w.time(n - 1) - amount;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (w.time(mid) > oldest) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
  return 0;
}

function isWindow(w: unknown): w is WindowView {
  return w !== null && typeof w === 'object' && typeof (w as WindowView).value === 'function';
}

/** Non-null values in range, in time order. Used by the order-statistics functions. */
function collect(w: WindowView, from: number): number[] {
  const out: number[] = [];
  for (let i = from; i < w.length; i++) {
    const x = w.value(i);
    if (x !== null && x === x) out.push(x);
  }
  return out;
}

export function wAvg(w: unknown, mode: number, amount: number): number | null {
  if (!isWindow(w)) return null;
  let sum = 0;
  let count = 0;
  for (let i = startIndex(w, mode, amount); i < w.length; i++) {
    const x = w.value(i);
    if (x !== null && x === x) {
      sum += x;
      count++;
    }
  }
  return count === 0 ? null : sum / count;
}

export function wSum(w: unknown, mode: number, amount: number): number | null {
  if (!isWindow(w)) return null;
  let sum = 0;
  let count = 0;
  for (let i = startIndex(w, mode, amount); i < w.length; i++) {
    const x = w.value(i);
    if (x !== null && x === x) {
      sum += x;
      count++;
    }
  }
  return count === 0 ? null : sum;
}

export function wCount(w: unknown, mode: number, amount: number): number {
  if (!isWindow(w)) return 0;
  let count = 0;
  for (let i = startIndex(w, mode, amount); i < w.length; i++) {
    const x = w.value(i);
    if (x !== null && x === x) count++;
  }
  return count;
}

export function wMin(w: unknown, mode: number, amount: number): number | null {
  if (!isWindow(w)) return null;
  let result: number | null = null;
  for (let i = startIndex(w, mode, amount); i < w.length; i++) {
    const x = w.value(i);
    if (x !== null && x === x && (result === null || x < result)) result = x;
  }
  return result;
}

export function wMax(w: unknown, mode: number, amount: number): number | null {
  if (!isWindow(w)) return null;
  let result: number | null = null;
  for (let i = startIndex(w, mode, amount); i < w.length; i++) {
    const x = w.value(i);
    if (x !== null && x === x && (result === null || x > result)) result = x;
  }
  return result;
}

function firstIndex(w: WindowView, from: number): number {
  for (let i = from; i < w.length; i++) {
    const x = w.value(i);
    if (x !== null && x === x) return i;
  }
  return -1;
}

function lastIndex(w: WindowView, from: number): number {
  for (let i = w.length - 1; i >= from; i--) {
    const x = w.value(i);
    if (x !== null && x === x) return i;
  }
  return -1;
}

export function wFirst(w: unknown, mode: number, amount: number): number | null {
  if (!isWindow(w)) return null;
  const i = firstIndex(w, startIndex(w, mode, amount));
  return i < 0 ? null : w.value(i);
}

export function wLast(w: unknown, mode: number, amount: number): number | null {
  if (!isWindow(w)) return null;
  const i = lastIndex(w, startIndex(w, mode, amount));
  return i < 0 ? null : w.value(i);
}

export function wDelta(w: unknown, mode: number, amount: number): number | null {
  if (!isWindow(w)) return null;
  const from = startIndex(w, mode, amount);
  const a = firstIndex(w, from);
  const b = lastIndex(w, from);
  return a < 0 ? null : (w.value(b) as number) - (w.value(a) as number);
}

/** Change per second between the oldest and newest non-null samples; null with fewer than two. */
export function wRate(w: unknown, mode: number, amount: number): number | null {
  if (!isWindow(w)) return null;
  const from = startIndex(w, mode, amount);
  const a = firstIndex(w, from);
  const b = lastIndex(w, from);
  if (a < 0 || a === b) return null;
  const seconds = (w.time(b) - w.time(a)) / 1000;
  return seconds <= 0 ? null : ((w.value(b) as number) - (w.value(a) as number)) / seconds;
}

/** Weighted average with weights 1, 2, … n from oldest to newest non-null sample. */
export function wWavg(w: unknown, mode: number, amount: number): number | null {
  if (!isWindow(w)) return null;
  let sum = 0;
  let weights = 0;
  let weight = 0;
  for (let i = startIndex(w, mode, amount); i < w.length; i++) {
    const x = w.value(i);
    if (x !== null && x === x) {
      weight++;
      sum += x * weight;
      weights += weight;
    }
  }
  return weights === 0 ? null : sum / weights;
}

/** Sample variance (n − 1), by Welford's method for numerical stability; null with fewer than two. */
export function wVariance(w: unknown, mode: number, amount: number): number | null {
  if (!isWindow(w)) return null;
  let count = 0;
  let mean = 0;
  let m2 = 0;
  for (let i = startIndex(w, mode, amount); i < w.length; i++) {
    const x = w.value(i);
    if (x !== null && x === x) {
      count++;
      const d = x - mean;
      mean += d / count;
      m2 += d * (x - mean);
    }
  }
  return count < 2 ? null : m2 / (count - 1);
}

export function wStdev(w: unknown, mode: number, amount: number): number | null {
  const variance = wVariance(w, mode, amount);
  return variance === null ? null : Math.sqrt(variance);
}

/**
 * Percentile by the R6 method (Hyndman & Fan type 6, as Excel PERCENTILE.EXC and Minitab):
 * h = (n + 1)·p/100, clamped to the first and last order statistics.
 */
export function percentileOf(sorted: readonly number[], p: number): number | null {
  const n = sorted.length;
  if (n === 0 || p === null || !(p >= 0 && p <= 100)) return null;
  const h = ((n + 1) * p) / 100;
  if (h <= 1) return sorted[0]!;
  if (h >= n) return sorted[n - 1]!;
  const k = Math.floor(h);
  const lower = sorted[k - 1]!;
  return lower + (h - k) * (sorted[k]! - lower);
}

export function wPercentile(w: unknown, p: number | null, mode: number, amount: number): number | null {
  if (!isWindow(w) || p === null) return null;
  const values = collect(w, startIndex(w, mode, amount));
  values.sort((a, b) => a - b);
  return percentileOf(values, p);
}

export function wMedian(w: unknown, mode: number, amount: number): number | null {
  return wPercentile(w, 50, mode, amount);
}
