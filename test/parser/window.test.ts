import { describe, expect, it } from 'vitest';
import { ArrayWindow, compile, type WindowView } from '../../src/parser/index.js';
import { percentileOf } from '../../src/parser/window.js';
import { codes, compileBoth, evaluate } from './helpers.js';

/**
 * One series, seven samples ten seconds apart, one without a number:
 *   t(s)   0   10    20  30  40  50  60
 *   value  4  null    8  15  16  23  42
 * Hand-computed below; the non-null values are 4 8 15 16 23 42 (sum 108, mean 18).
 */
const SERIES = new ArrayWindow([
  { time: 0, value: 4 },
  { time: 10_000, value: null },
  { time: 20_000, value: 8 },
  { time: 30_000, value: 15 },
  { time: 40_000, value: 16 },
  { time: 50_000, value: 23 },
  { time: 60_000, value: 42 },
]);

const run = (source: string, window: unknown = SERIES, context: Record<string, unknown> = {}) =>
  compileBoth(source).evaluate({ ...context, window });

describe('window functions over the whole window, the last N samples and a span', () => {
  // Columns: f(), f(3) (samples at 40 50 60 s), f('25 second') (newer than 60 − 25 = 35 s: the same three).
  it.each([
    ['avg', 18, 27],
    ['min', 4, 16],
    ['max', 42, 42],
    ['sum', 108, 81],
    ['count', 6, 3],
    // R6: n = 6, h = 7 × 0.5 = 3.5 → 15 + 0.5 × (16 − 15); n = 3, h = 2 → 23
    ['median', 15.5, 23],
    // deviations from 18: −14 −10 −3 −2 5 24 → 910 / (6 − 1); from 27: −11 −4 15 → 362 / (3 − 1)
    ['variance', 182, 181],
    ['stdev', Math.sqrt(182), Math.sqrt(181)],
    ['first', 4, 16],
    ['last', 42, 42],
    ['delta', 38, 26],
    // per second between the first and last samples with a number: 38 / 60 s; 26 / 20 s
    ['rate', 38 / 60, 1.3],
    // weights 1…n oldest to newest: (4 + 16 + 45 + 64 + 115 + 252) / 21; (16 + 46 + 126) / 6
    ['wavg', 496 / 21, 188 / 6],
  ])('%s() = %d, %s(3) = %s(25 second) = %d', (fn, all, recent) => {
    expect(run(`${fn}()`)).toBeCloseTo(all, 12);
    expect(run(`${fn}(3)`)).toBeCloseTo(recent, 12);
    expect(run(`${fn}('25 second')`)).toBeCloseTo(recent, 12);
    expect(run(`${fn}('25s')`)).toBeCloseTo(recent, 12);
    // a count or span that covers more than the window is the whole window
    expect(run(`${fn}(100)`)).toBeCloseTo(all, 12);
    expect(run(`${fn}('1 hour')`)).toBeCloseTo(all, 12);
  });

  it.each(['avg', 'min', 'max', 'sum', 'median', 'variance', 'stdev', 'first', 'last', 'delta', 'rate', 'wavg'])(
    '%s() of an empty window, of only nulls and without a window is null',
    (fn) => {
      expect(run(`${fn}()`, new ArrayWindow([]))).toBe(null);
      expect(run(`${fn}()`, new ArrayWindow([{ time: 0, value: null }, { time: 1000, value: null }]))).toBe(null);
      expect(compileBoth(`${fn}()`).evaluate({})).toBe(null);
      expect(run(`${fn}()`, null)).toBe(null);
      expect(run(`${fn}()`, 'not a window')).toBe(null);
      expect(run(`percentile(50)`, new ArrayWindow([]))).toBe(null);
    },
  );

  it('count() of an empty window, of only nulls and without a window is 0', () => {
    expect(run('count()', new ArrayWindow([]))).toBe(0);
    expect(run('count()', new ArrayWindow([{ time: 0, value: null }]))).toBe(0);
    expect(compileBoth('count()').evaluate({})).toBe(0);
    expect(run('count()', null)).toBe(0);
  });

  it('count() ignores nulls: the last 6 samples hold 5 numbers', () => {
    expect(run('count(6)')).toBe(5);
    expect(run('count(7)')).toBe(6);
  });

  it('a span keeps samples strictly newer than the newest time − span (as a time(D) window)', () => {
    expect(run("count('30 second')")).toBe(3);
    expect(run("count('31 second')")).toBe(4);
    expect(run("count('1 ms')")).toBe(1);
  });

  it('with one number: stdev, variance and rate need two and are null; delta is 0', () => {
    const one = new ArrayWindow([{ time: 0, value: 7 }]);
    expect([run('stdev()', one), run('variance()', one), run('rate()', one), run('delta()', one)]).toEqual([null, null, null, 0]);
    expect([run('median()', one), run('percentile(99)', one), run('wavg()', one)]).toEqual([7, 7, 7]);
  });

  it('stdev is the sample standard deviation (n − 1)', () => {
    const two = new ArrayWindow([{ time: 0, value: 1 }, { time: 1000, value: 3 }]);
    expect(run('variance()', two)).toBe(2);
    expect(run('stdev()', two)).toBe(Math.SQRT2);
  });

  it('variance stays accurate for large values with a small spread', () => {
    const window = new ArrayWindow([1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16].map((value, i) => ({ time: i * 1000, value })));
    expect(run('variance()', window)).toBeCloseTo(30, 6);
  });

  it('N may be computed; it is rounded down, and nothing is read when it is null or below 1', () => {
    expect(run('avg(repeat_count)', SERIES, { repeat_count: 3 })).toBe(27);
    expect(run('avg(repeat_count)', SERIES, { repeat_count: 3.9 })).toBe(27);
    expect(run('avg(repeat_count)', SERIES, {})).toBe(null);
    expect(run('count(repeat_count - 5)', SERIES, { repeat_count: 3 })).toBe(0);
  });
});

describe('percentile(p[, n | span]) by the R6 method', () => {
  // h = (n + 1) · p / 100; below the first order statistic → the minimum, above the last → the maximum.
  it.each([
    [0, 4],
    [10, 4], // h = 0.7
    [25, 7], // h = 1.75 → 4 + 0.75 × (8 − 4)
    [50, 15.5], // h = 3.5
    [75, 27.75], // h = 5.25 → 23 + 0.25 × (42 − 23)
    [85, 41.05], // h = 5.95 → 23 + 0.95 × (42 − 23)
    [90, 42], // h = 6.3 ≥ n
    [100, 42],
  ])('percentile(%d) = %d', (p, expected) => {
    expect(run(`percentile(${p})`)).toBeCloseTo(expected, 12);
  });

  it.each([
    ['percentile(25, 3)', 16], // h = 1
    ['percentile(60, 3)', 30.6], // h = 2.4 → 23 + 0.4 × 19
    ['percentile(75, 3)', 42], // h = 3
    ["percentile(60, '25 second')", 30.6],
  ])('%s = %d', (source, expected) => {
    expect(run(source)).toBeCloseTo(expected, 12);
  });

  it('matches hand-computed R6 values for 1…4 and 15 20 35 40 50', () => {
    expect([25, 50, 75].map((p) => percentileOf([1, 2, 3, 4], p))).toEqual([1.25, 2.5, 3.75]);
    expect([30, 40, 50, 100].map((p) => percentileOf([15, 20, 35, 40, 50], p))).toEqual([19, 26, 35, 50]);
  });

  it('p may be computed; outside 0…100 or null it gives null', () => {
    expect(run('percentile(value)', SERIES, { value: 50 })).toBe(15.5);
    expect(run('percentile(value)', SERIES, { value: 101 })).toBe(null);
    expect(run('percentile(value)', SERIES, {})).toBe(null);
  });

  it('median() is percentile(50)', () => {
    expect(run('median() == percentile(50)')).toBe(true);
    expect(run("median('25 second') == percentile(50, 3)")).toBe(true);
  });
});

describe('window arguments are checked when compiling', () => {
  it.each([
    ['avg(0)', 'window-argument'],
    ['avg(2.5)', 'window-argument'],
    // regression: a negative count was not recognised as a literal and read nothing at run time
    ['avg(-1)', 'window-argument'],
    ['count(- 3)', 'window-argument'],
    ['avg(null)', 'window-argument'],
    ['avg(tags.span)', 'window-argument'],
    ['percentile(101)', 'window-argument'],
    ['percentile(-5)', 'window-argument'],
    ["avg('abc')", 'invalid-duration'],
    ["avg('5')", 'invalid-duration'],
    ["avg('0 second')", 'invalid-duration'],
    ['avg(1e999)', 'invalid-number'],
    ['avg(true)', 'argument-type'],
    ["percentile('95')", 'argument-type'],
    ['avg(1, 2)', 'wrong-arity'],
    ['percentile()', 'wrong-arity'],
    ["percentile(50, 5, '1m')", 'wrong-arity'],
  ])('%s → %s', (source, code) => {
    expect(codes(source)).toEqual([code]);
  });

  it.each(["avg('5 minute')", "avg('10 minutes')", "avg('1h30m')", "avg('1.5 hour')", 'avg(5)', 'avg(--5)', 'avg(value)', 'percentile(99.9)'])(
    '%s is accepted',
    (source) => {
      expect(codes(source)).toEqual([]);
    },
  );
});

describe('window implementations', () => {
  /** A columnar window such as the engine keeps: typed arrays, NaN for a missing value. */
  class ColumnWindow implements WindowView {
    private readonly times: Float64Array;
    private readonly values: Float64Array;
    constructor(times: number[], values: number[]) {
      this.times = Float64Array.from(times);
      this.values = Float64Array.from(values);
    }
    get length(): number {
      return this.times.length;
    }
    time(index: number): number {
      return this.times[index]!;
    }
    value(index: number): number | null {
      return this.values[index]!;
    }
  }

  it('any WindowView works; NaN values are ignored like null', () => {
    const window = new ColumnWindow([0, 1000, 2000], [1, Number.NaN, 5]);
    expect([run('avg()', window), run('count()', window), run('min()', window), run('rate()', window)]).toEqual([3, 2, 1, 2]);
  });

  it('ArrayWindow sorts samples by time', () => {
    const window = new ArrayWindow([{ time: 2000, value: 3 }, { time: 0, value: 1 }, { time: 1000, value: 2 }]);
    expect([run('first()', window), run('last()', window), run('last(2)', window)]).toEqual([1, 3, 3]);
    expect(run('first(2)', window)).toBe(2);
  });

  it('ArrayWindow.from reads plain values (one second apart) and {time, value} objects', () => {
    expect(ArrayWindow.from('nope')).toBe(null);
    const plain = ArrayWindow.from([1, null, 3])!;
    expect([plain.length, plain.time(2), plain.value(1)]).toEqual([3, 2000, null]);
    const objects = ArrayWindow.from([
      { time: '2024-01-01T00:00:10Z', value: 5 },
      { time: Date.UTC(2024, 0, 1), value: 'x' },
      { value: 7 },
    ])!;
    expect([objects.time(0), objects.value(0), objects.time(1), objects.value(2)]).toEqual([
      2000,
      7,
      Date.UTC(2024, 0, 1),
      5,
    ]);
    expect(evaluate('avg()', { window: [1, 2, 3, 'x', true] })).toBe(2);
  });
});
