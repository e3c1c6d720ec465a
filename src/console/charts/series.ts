/**
 * Counter series for the charts: the API's per-minute buckets (only minutes with invocations) as
 * dense arrays over a fixed span, so a quiet hour shows as a gap and not as a missing stretch.
 */
import { toEpoch } from '../lib/format.js';

export const MINUTE = 60_000;

export interface MinuteCount {
  minute: unknown;
  successes: number;
  failures: number;
}

export interface DenseSeries {
  /** Epoch ms of the first (oldest) minute. */
  start: number;
  successes: number[];
  failures: number[];
}

/** `minutes` one-minute slots ending with the minute that contains `end`, oldest first. */
export function minuteSeries(perMinute: readonly MinuteCount[], end: number, minutes = 24 * 60): DenseSeries {
  const last = Math.floor(end / MINUTE) * MINUTE;
  const start = last - (minutes - 1) * MINUTE;
  const successes = new Array<number>(minutes).fill(0);
  const failures = new Array<number>(minutes).fill(0);
  for (const bucket of perMinute) {
    const at = toEpoch(bucket.minute);
    if (at === null) continue;
    const index = Math.floor((at - start) / MINUTE);
    if (index < 0 || index >= minutes) continue;
    successes[index] = (successes[index] ?? 0) + (bucket.successes || 0);
    failures[index] = (failures[index] ?? 0) + (bucket.failures || 0);
  }
  return { start, successes, failures };
}

/** Sums consecutive groups of `size` values (per-minute → per-hour for a sparkline). */
export function rebucket(values: readonly number[], size: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i += size) {
    let sum = 0;
    for (let j = i; j < Math.min(i + size, values.length); j += 1) sum += values[j] ?? 0;
    out.push(sum);
  }
  return out;
}

export function total(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0);
}
