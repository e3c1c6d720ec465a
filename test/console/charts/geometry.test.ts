import { describe, expect, it } from 'vitest';
import { divergingBars, sparklinePath } from '../../../src/console/charts/geometry.js';

describe('chart geometry', () => {
  it('draws a sparkline from left to right, highest value at the top', () => {
    expect(sparklinePath([0, 5, 10], 100, 12)).toBe('M0 11 L50 6 L100 1');
  });

  it('keeps a flat line at the bottom when everything is zero, and shares a scale when given one', () => {
    expect(sparklinePath([0, 0], 10, 12)).toBe('M0 11 L10 11');
    expect(sparklinePath([5], 10, 12, 10)).toBe('M0 6');
    expect(sparklinePath([], 10, 12)).toBe('');
  });

  it('puts successes above the axis and failures below it, on one scale', () => {
    const { bars, axisY, max } = divergingBars([0, 4, 2], [0, 0, 4], 30, 100);
    expect(axisY).toBe(50);
    expect(max).toBe(4);
    expect(bars).toEqual([
      { index: 1, kind: 'success', count: 4, x: 10, y: 0, width: 10, height: 50 },
      { index: 2, kind: 'success', count: 2, x: 20, y: 25, width: 10, height: 25 },
      { index: 2, kind: 'failure', count: 4, x: 20, y: 50, width: 10, height: 50 },
    ]);
  });

  it('keeps a single failure visible among many successes', () => {
    const { bars } = divergingBars([1000], [1], 10, 100);
    expect(bars.find((b) => b.kind === 'failure')?.height).toBe(1);
  });

  it('draws nothing for an idle day', () => {
    expect(divergingBars([0, 0], [0, 0], 10, 10).bars).toEqual([]);
  });
});
