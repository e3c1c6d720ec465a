import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WindowSpec } from '../../src/engine/rule.js';
import { WindowJournal } from '../../src/engine/undo.js';
import { DEFAULT_MAX_WINDOW_SAMPLES, SeriesWindow, type WindowSnapshot } from '../../src/engine/window.js';
import { wAvg, ALL } from '../../src/parser/window.js';
import { seeded } from '../helpers/random.js';

type Pair = [time: number, value: number | null];

function contents(w: SeriesWindow): Pair[] {
  const out: Pair[] = [];
  for (let i = 0; i < w.length; i++) out.push([w.time(i), w.value(i)]);
  return out;
}

function filled(spec: WindowSpec, samples: Pair[], maxSamples?: number): SeriesWindow {
  const w = new SeriesWindow(spec, maxSamples);
  for (const [t, v] of samples) w.insert(t, v);
  return w;
}

const length = (size: number): WindowSpec => ({ kind: 'length', size });
const time = (ms: number): WindowSpec => ({ kind: 'time', ms });

/**
 * The SPEC §4 rules written as plainly as possible, over an array: the reference the ring buffer
 * must agree with for any sequence of inserts.
 */
function reference(spec: WindowSpec, inserts: Pair[], maxSamples: number): { kept: Pair[]; accepted: boolean[] } {
  let kept: Pair[] = [];
  const accepted: boolean[] = [];
  const limit = spec.kind === 'length' ? Math.min(spec.size, maxSamples) : maxSamples;
  for (const [t, v] of inserts) {
    const latest = kept.length > 0 ? kept[kept.length - 1]![0] : null;
    if (spec.kind === 'time' && latest !== null && t <= latest - spec.ms) {
      accepted.push(false);
      continue;
    }
    const same = kept.findIndex(([kt]) => kt === t);
    if (same >= 0) {
      kept[same] = [t, v];
      accepted.push(true);
      continue;
    }
    const next = [...kept, [t, v] as Pair].sort((a, b) => a[0] - b[0]);
    const newest = next[next.length - 1]![0];
    let trimmed = spec.kind === 'time' ? next.filter(([kt]) => kt > newest - spec.ms) : next;
    if (trimmed.length > limit) trimmed = trimmed.slice(trimmed.length - limit);
    const survived = trimmed.some(([kt]) => kt === t);
    accepted.push(survived);
    if (survived) kept = trimmed;
  }
  return { kept, accepted };
}

describe('SeriesWindow: ordered by sample time', () => {
  it.each<{ name: string; spec: WindowSpec; inserts: Pair[]; kept: Pair[] }>([
    { name: 'in-order appends', spec: length(5), inserts: [[1, 1], [2, 2], [3, 3]], kept: [[1, 1], [2, 2], [3, 3]] },
    { name: 'an out-of-order sample is inserted in place', spec: length(5), inserts: [[1, 1], [3, 3], [2, 2]], kept: [[1, 1], [2, 2], [3, 3]] },
    { name: 'an out-of-order sample older than all', spec: length(5), inserts: [[5, 5], [9, 9], [1, 1]], kept: [[1, 1], [5, 5], [9, 9]] },
    { name: 'the same time replaces the value', spec: length(5), inserts: [[1, 1], [2, 2], [1, 10]], kept: [[1, 10], [2, 2]] },
    { name: 'the same time as the newest replaces it', spec: length(5), inserts: [[1, 1], [2, 2], [2, 20]], kept: [[1, 1], [2, 20]] },
    { name: 'a replacement may set null', spec: length(5), inserts: [[1, 1], [1, null]], kept: [[1, null]] },
    { name: 'null values are kept as samples without a number', spec: length(3), inserts: [[1, null], [2, 5]], kept: [[1, null], [2, 5]] },
    { name: 'NaN is stored as null', spec: length(3), inserts: [[1, NaN]], kept: [[1, null]] },
    { name: 'negative and fractional times sort too', spec: length(4), inserts: [[0.5, 1], [-3, 2], [0, 3]], kept: [[-3, 2], [0, 3], [0.5, 1]] },
  ])('$name', ({ spec, inserts, kept }) => {
    expect(contents(filled(spec, inserts))).toEqual(kept);
  });
});

describe('SeriesWindow: length(N) keeps the newest N samples', () => {
  it.each<{ name: string; size: number; inserts: Pair[]; kept: Pair[]; lastAccepted: boolean }>([
    { name: 'length(1) keeps only the newest', size: 1, inserts: [[1, 1], [2, 2], [3, 3]], kept: [[3, 3]], lastAccepted: true },
    { name: 'length(1) rejects an older sample', size: 1, inserts: [[5, 5], [4, 4]], kept: [[5, 5]], lastAccepted: false },
    { name: 'length(1) replaces the same time', size: 1, inserts: [[5, 5], [5, 6]], kept: [[5, 6]], lastAccepted: true },
    { name: 'length(3) drops the oldest on append', size: 3, inserts: [[1, 1], [2, 2], [3, 3], [4, 4]], kept: [[2, 2], [3, 3], [4, 4]], lastAccepted: true },
    { name: 'a full window takes an out-of-order sample newer than the oldest', size: 3, inserts: [[1, 1], [3, 3], [5, 5], [2, 2]], kept: [[2, 2], [3, 3], [5, 5]], lastAccepted: true },
    { name: 'a full window rejects a sample older than all', size: 3, inserts: [[2, 2], [3, 3], [5, 5], [1, 1]], kept: [[2, 2], [3, 3], [5, 5]], lastAccepted: false },
    { name: 'a full window replaces the oldest by time', size: 3, inserts: [[2, 2], [3, 3], [5, 5], [2, 9]], kept: [[2, 9], [3, 3], [5, 5]], lastAccepted: true },
    { name: 'a window not yet full takes a sample older than all', size: 3, inserts: [[2, 2], [3, 3], [1, 1]], kept: [[1, 1], [2, 2], [3, 3]], lastAccepted: true },
  ])('$name', ({ size, inserts, kept, lastAccepted }) => {
    const w = filled(length(size), inserts.slice(0, -1));
    const [t, v] = inserts[inserts.length - 1]!;
    expect(w.insert(t, v)).toBe(lastAccepted);
    expect(contents(w)).toEqual(kept);
  });
});

describe('SeriesWindow: time(D) keeps samples newer than latest − D', () => {
  const D = 60_000;
  it.each<{ name: string; inserts: Pair[]; kept: Pair[]; lastAccepted: boolean }>([
    { name: 'a sample exactly D older than the latest is out (strictly newer)', inserts: [[0, 1], [60_000, 2]], kept: [[60_000, 2]], lastAccepted: true },
    { name: 'a sample 1 ms inside the span stays', inserts: [[1, 1], [60_000, 2]], kept: [[1, 1], [60_000, 2]], lastAccepted: true },
    { name: 'a jump ahead empties all but the newest', inserts: [[0, 1], [10_000, 2], [500_000, 3]], kept: [[500_000, 3]], lastAccepted: true },
    { name: 'a late sample exactly at latest − D is rejected', inserts: [[100_000, 1], [40_000, 2]], kept: [[100_000, 1]], lastAccepted: false },
    { name: 'a late sample inside the span is inserted in place', inserts: [[30_000, 1], [100_000, 3], [40_001, 2]], kept: [[40_001, 2], [100_000, 3]], lastAccepted: true },
    { name: 'a late sample inside the span may be older than every kept one', inserts: [[50_000, 1], [100_000, 3], [45_000, 2]], kept: [[45_000, 2], [50_000, 1], [100_000, 3]], lastAccepted: true },
    { name: 'the same time replaces the value', inserts: [[50_000, 1], [100_000, 3], [50_000, 7]], kept: [[50_000, 7], [100_000, 3]], lastAccepted: true },
  ])('$name', ({ inserts, kept, lastAccepted }) => {
    const w = filled(time(D), inserts.slice(0, -1));
    const [t, v] = inserts[inserts.length - 1]!;
    expect(w.insert(t, v)).toBe(lastAccepted);
    expect(contents(w)).toEqual(kept);
  });
});

describe('SeriesWindow: bounded by maxSamples', () => {
  it('defaults to 10 000 samples', () => {
    expect(DEFAULT_MAX_WINDOW_SAMPLES).toBe(10_000);
    const w = new SeriesWindow(time(Number.MAX_SAFE_INTEGER));
    for (let t = 0; t < 10_005; t++) w.insert(t, t);
    expect(w.length).toBe(10_000);
    expect(w.time(0)).toBe(5);
  });

  it.each<{ name: string; spec: WindowSpec; max: number; inserts: Pair[]; kept: Pair[] }>([
    { name: 'a time window drops its oldest', spec: time(1e9), max: 3, inserts: [[1, 1], [2, 2], [3, 3], [4, 4]], kept: [[2, 2], [3, 3], [4, 4]] },
    { name: 'a length window larger than the bound is capped', spec: length(100), max: 2, inserts: [[1, 1], [2, 2], [3, 3]], kept: [[2, 2], [3, 3]] },
    { name: 'a full time window rejects a sample older than all', spec: time(1e9), max: 2, inserts: [[5, 5], [6, 6], [1, 1]], kept: [[5, 5], [6, 6]] },
    { name: 'a full time window takes a late sample newer than the oldest', spec: time(1e9), max: 2, inserts: [[4, 4], [6, 6], [5, 5]], kept: [[5, 5], [6, 6]] },
  ])('$name', ({ spec, max, inserts, kept }) => {
    expect(contents(filled(spec, inserts, max))).toEqual(kept);
  });
});

describe('SeriesWindow: agrees with the plain-array reference', () => {
  const specs = fc.oneof(
    fc.integer({ min: 1, max: 8 }).map(length),
    fc.integer({ min: 1, max: 40 }).map(time),
  );
  const inserts = fc.array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constant(null))), { maxLength: 60 });

  it('for any spec, bound and sequence of inserts (out of order, duplicates, wrap-around)', () => {
    fc.assert(
      fc.property(specs, fc.integer({ min: 1, max: 6 }), inserts, (spec, max, sequence) => {
        const w = new SeriesWindow(spec, max);
        const accepted = sequence.map(([t, v]) => w.insert(t, v));
        const expected = reference(spec, sequence, max);
        expect(contents(w)).toEqual(expected.kept);
        expect(accepted).toEqual(expected.accepted);
        expect(w.latestTime).toBe(expected.kept.length > 0 ? expected.kept[expected.kept.length - 1]![0] : null);
      }),
      { numRuns: 500 },
    );
  });
});

describe('SeriesWindow: as a WindowView for window functions', () => {
  it('feeds avg() in time order after wrap-around', () => {
    const w = filled(length(3), [[1, 1], [2, 2], [3, 3], [4, 4], [5, 5]]);
    expect(wAvg(w, ALL, 0)).toBe(4);
  });

  it.each([-1, 3, 1.5, NaN])('rejects index %s outside the window', (index) => {
    const w = filled(length(5), [[1, 1], [2, 2], [3, 3]]);
    expect(() => w.time(index)).toThrow(RangeError);
    expect(() => w.value(index)).toThrow(RangeError);
  });

  it('ignores a sample without a finite time', () => {
    const w = filled(length(5), [[1, 1]]);
    expect(w.insert(NaN, 2)).toBe(false);
    expect(w.insert(Infinity, 2)).toBe(false);
    expect(contents(w)).toEqual([[1, 1]]);
  });
});

describe('SeriesWindow: memory', () => {
  it('starts tiny and grows with the samples it holds', () => {
    const one = new SeriesWindow(length(1));
    const many = new SeriesWindow(length(1000));
    expect(one.estimateBytes()).toBeLessThan(many.estimateBytes());
    const empty = many.estimateBytes();
    expect(empty).toBeLessThanOrEqual(2048);
    for (let t = 0; t < 1000; t++) many.insert(t, t);
    expect(many.estimateBytes()).toBeGreaterThanOrEqual(empty + 16 * 998);
    expect(many.estimateBytes()).toBeLessThanOrEqual(2048 + 16 * 1000);
  });

  it('a length(1) window stays within its first buffer however much it sees', () => {
    const w = new SeriesWindow(length(1));
    const before = w.estimateBytes();
    for (let t = 0; t < 100; t++) w.insert(t, t);
    expect(w.estimateBytes()).toBe(before);
  });

  it('clear() empties the window and gives the buffer back', () => {
    const w = new SeriesWindow(time(1e9));
    const before = w.estimateBytes();
    for (let t = 0; t < 100; t++) w.insert(t, t);
    w.clear();
    expect(w.length).toBe(0);
    expect(w.latestTime).toBeNull();
    expect(w.estimateBytes()).toBe(before);
    expect(w.insert(5, 5)).toBe(true);
    expect(contents(w)).toEqual([[5, 5]]);
  });
});

describe('SeriesWindow: snapshots', () => {
  it.each<{ name: string; spec: WindowSpec; inserts: Pair[] }>([
    { name: 'empty', spec: length(3), inserts: [] },
    { name: 'wrapped ring with nulls', spec: length(3), inserts: [[1, 1], [2, null], [3, 3], [4, 4]] },
    { name: 'time window', spec: time(10), inserts: [[1, 1], [5, 5], [12, 12]] },
  ])('round trip through JSON: $name', ({ spec, inserts }) => {
    const w = filled(spec, inserts);
    const snapshot = JSON.parse(JSON.stringify(w.toSnapshot())) as WindowSnapshot;
    const restored = SeriesWindow.fromSnapshot(spec, snapshot);
    expect(contents(restored)).toEqual(contents(w));
    expect(restored.latestTime).toBe(w.latestTime);
  });

  it('is trimmed to a new spec', () => {
    const snapshot = filled(length(5), [[1, 1], [2, 2], [3, 3], [4, 4]]).toSnapshot();
    expect(contents(SeriesWindow.fromSnapshot(length(2), snapshot))).toEqual([[3, 3], [4, 4]]);
    expect(contents(SeriesWindow.fromSnapshot(time(2), snapshot))).toEqual([[3, 3], [4, 4]]);
    expect(contents(SeriesWindow.fromSnapshot(length(5), snapshot, 1))).toEqual([[4, 4]]);
  });

  it('skips malformed entries instead of failing a restart', () => {
    const snapshot = { times: [1, Number.NaN, 3, 4], values: [1, 2, 'x', null] } as unknown as WindowSnapshot;
    expect(contents(SeriesWindow.fromSnapshot(length(5), snapshot))).toEqual([[1, 1], [4, null]]);
  });
});

describe('SeriesWindow: invalid specs are programming errors', () => {
  it.each<{ spec: WindowSpec; max?: number }>([
    { spec: length(0) },
    { spec: length(1.5) },
    { spec: time(0) },
    { spec: time(-5) },
    { spec: length(3), max: 0 },
  ])('rejects $spec with max $max', ({ spec, max }) => {
    expect(() => new SeriesWindow(spec, max)).toThrow(RangeError);
  });
});

describe('undo of a batch (engine atomically, src/engine/undo.ts)', () => {
  const random = seeded;

  const specs: Array<[string, WindowSpec]> = [
    ['length(1)', { kind: 'length', size: 1 }], ['length(7)', { kind: 'length', size: 7 }],
    ['time(50)', { kind: 'time', ms: 50 }], ['time(10000) capped at 16', { kind: 'time', ms: 10_000 }],
  ];

  it.each(specs)('%s: rollback restores every sample (growth, eviction, wrap-around, late and same-time samples)', (_, spec) => {
    for (let seed = 1; seed <= 40; seed++) {
      const next = random(seed);
      const window = new SeriesWindow(spec, 16);
      let time = 1_000;
      const insert = () => {
        // Mostly appends; some late samples, some at the time of a kept one.
        const late = next() < 0.25;
        const at = late ? time - Math.floor(next() * 60) : (time += 1 + Math.floor(next() * 20));
        window.insert(at, next() < 0.1 ? null : Math.round(next() * 1000));
      };
      const warmup = Math.floor(next() * 30);
      for (let i = 0; i < warmup; i++) insert();
      const before = window.toSnapshot();
      const journal = new WindowJournal();
      window.beginUndo(journal);
      const batch = 1 + Math.floor(next() * 40);
      for (let i = 0; i < batch; i++) insert();
      journal.rollback();
      journal.end();
      expect(window.toSnapshot()).toEqual(before);
      // Usable afterwards, and no longer journaling.
      window.insert(time + 1_000, 1);
      expect(window.latestTime).toBe(time + 1_000);
    }
  });

  it('a committed batch keeps its samples and stops journaling', () => {
    const window = new SeriesWindow({ kind: 'length', size: 3 });
    window.insert(1, 1);
    const journal = new WindowJournal();
    window.beginUndo(journal);
    window.insert(2, 2);
    journal.end();
    window.insert(3, 3);
    journal.rollback();
    expect(window.toSnapshot()).toEqual({ times: [1, 2, 3], values: [1, 2, 3] });
  });
});
