import { describe, expect, it } from 'vitest';
import { formatClock, formatDuration, formatLatency, formatTime, formatValue, secondsSince, toEpoch } from '../../../src/console/lib/format.js';

describe('display formats', () => {
  it('reads API times given as epoch ms or ISO 8601', () => {
    expect(toEpoch(1_700_000_000_000)).toBe(1_700_000_000_000);
    expect(toEpoch('2026-03-14T09:26:53.000Z')).toBe(Date.UTC(2026, 2, 14, 9, 26, 53));
    expect(toEpoch('not a time')).toBeNull();
    expect(toEpoch(null)).toBeNull();
  });

  it.each([
    ['2026-03-14T09:26:53.000Z', 0, '2026-03-14 09:26:53'],
    ['2026-03-14T23:30:00.000Z', 60, '2026-03-15 00:30:00'],
    [null, 0, '—'],
  ])('formatTime(%s, offset %i) = %s', (value, offset, shown) => {
    expect(formatTime(value, offset)).toBe(shown);
  });

  it('formats chart clock labels in the given offset', () => {
    expect(formatClock(Date.UTC(2026, 0, 1, 22, 5), -120)).toBe('20:05');
  });

  it.each([
    [0, '0s'],
    [42, '42s'],
    [200, '3m 20s'],
    [3600, '1h'],
    [3900, '1h 5m'],
    [86_400 + 7200 + 59, '1d 2h'],
    [86_400 + 59, '1d'],
    [-1, '—'],
    [Number.NaN, '—'],
  ])('formatDuration(%s) = %s', (seconds, shown) => {
    expect(formatDuration(seconds)).toBe(shown);
  });

  it.each([
    [3.21, '3.2 ms'],
    [12.6, '13 ms'],
    [undefined, '—'],
  ])('formatLatency(%s) = %s', (ms, shown) => {
    expect(formatLatency(ms)).toBe(shown);
  });

  it.each([
    [42, '42'],
    [0.1 + 0.2, '0.3'],
    [null, '—'],
    ['text', 'text'],
    [{ a: 1 }, '{"a":1}'],
  ])('formatValue(%o) = %s', (value, shown) => {
    expect(formatValue(value)).toBe(shown);
  });

  it('measures an open duration against the given now', () => {
    expect(secondsSince('2026-01-01T00:00:00Z', Date.UTC(2026, 0, 1, 0, 1, 30))).toBe(90);
    expect(secondsSince(undefined, 0)).toBeNull();
  });
});
