import { describe, expect, it } from 'vitest';
import { MINUTE, minuteSeries, rebucket, total } from '../../../src/console/charts/series.js';

const end = Date.UTC(2026, 10, 29, 12, 0, 30);
const lastMinute = Date.UTC(2026, 10, 29, 12, 0);

describe('per-minute counters become a dense 24-hour series', () => {
  it('fills quiet minutes with zeros and places each bucket at its minute', () => {
    const series = minuteSeries([
      { minute: lastMinute, successes: 3, failures: 1 },
      { minute: new Date(lastMinute - 10 * MINUTE).toISOString(), successes: 2, failures: 0 },
    ], end);
    expect(series.successes).toHaveLength(1440);
    expect(series.start).toBe(lastMinute - 1439 * MINUTE);
    expect(series.successes[1439]).toBe(3);
    expect(series.failures[1439]).toBe(1);
    expect(series.successes[1429]).toBe(2);
    expect(total(series.successes)).toBe(5);
  });

  it('ignores buckets outside the span and unreadable minutes', () => {
    const series = minuteSeries([
      { minute: lastMinute - 1440 * MINUTE, successes: 9, failures: 9 },
      { minute: lastMinute + MINUTE, successes: 9, failures: 9 },
      { minute: 'garbage', successes: 9, failures: 9 },
    ], end, 60);
    expect(total(series.successes) + total(series.failures)).toBe(0);
  });

  it('sums groups for hourly sparklines', () => {
    expect(rebucket([1, 2, 3, 4, 5], 2)).toEqual([3, 7, 5]);
  });
});
