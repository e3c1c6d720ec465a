import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkFlappingSpec, flapRatio, initialFlapState, MAX_FLAPPING_WINDOW, recordOutcome, type FlapState, type FlapStep } from '../../src/engine/flapping.js';
import type { FlappingSpec } from '../../src/engine/rule.js';

/** Outcomes as text: 'T' true, 'F' false, oldest first. */
function run(spec: FlappingSpec, outcomes: string, from: FlapState = initialFlapState()): FlapStep[] {
  const steps: FlapStep[] = [];
  let state = from;
  for (const c of outcomes) {
    const step = recordOutcome(spec, state, c === 'T');
    steps.push(step);
    state = step.state;
  }
  return steps;
}

/** Changes between neighbours among the last `window` outcomes, divided by window − 1: SPEC §4 written plainly. */
function referenceRatio(outcomes: boolean[], window: number): number {
  const last = outcomes.slice(-window);
  let changes = 0;
  for (let i = 1; i < last.length; i++) if (last[i] !== last[i - 1]) changes++;
  return changes / (window - 1);
}

const spec = (window: number, low: number, high: number): FlappingSpec => ({ window, low, high });

describe('flapping: change ratio over the last window evaluations', () => {
  it.each<{ outcomes: string; window: number; ratio: number }>([
    { outcomes: 'T', window: 5, ratio: 0 },
    { outcomes: 'TF', window: 5, ratio: 1 / 4 },
    { outcomes: 'TFTF', window: 5, ratio: 3 / 4 },
    { outcomes: 'TFTFT', window: 5, ratio: 4 / 4 },
    { outcomes: 'TTTTT', window: 5, ratio: 0 },
    { outcomes: 'TFTFTTTTT', window: 5, ratio: 0 },
    { outcomes: 'TFTFTTTTF', window: 5, ratio: 1 / 4 },
    { outcomes: 'FFFFFFFFFFT', window: 10, ratio: 1 / 9 },
    { outcomes: 'TF'.repeat(20), window: 32, ratio: 1 },
    { outcomes: 'TTF'.repeat(20), window: 32, ratio: 21 / 31 },
  ])('$outcomes over window $window → $ratio', ({ outcomes, window, ratio }) => {
    const steps = run(spec(window, 0, 1), outcomes);
    expect(steps[steps.length - 1]!.ratio).toBeCloseTo(ratio, 12);
    expect(flapRatio(spec(window, 0, 1), steps[steps.length - 1]!.state)).toBeCloseTo(ratio, 12);
  });

  it('agrees with the plain definition for any outcomes and window', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: MAX_FLAPPING_WINDOW }), fc.array(fc.boolean(), { maxLength: 80 }), (window, outcomes) => {
        let state = initialFlapState();
        outcomes.forEach((outcome, i) => {
          const step = recordOutcome(spec(window, 0, 1), state, outcome);
          expect(step.ratio).toBeCloseTo(referenceRatio(outcomes.slice(0, i + 1), window), 12);
          state = step.state;
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('flapping: starts above high, ends below low', () => {
  // window 5 → ratio steps of 1/4: 0, 0.25, 0.5, 0.75, 1.
  const s = spec(5, 0.25, 0.5);
  it.each<{ name: string; outcomes: string; started: number[]; ended: number[]; flapping: boolean }>([
    { name: 'steady outcomes never flap', outcomes: 'TTTTTTTTTT', started: [], ended: [], flapping: false },
    { name: 'a ratio equal to high does not start', outcomes: 'TFTTT', started: [], ended: [], flapping: false },
    { name: 'a ratio above high starts, once', outcomes: 'TFTFTF', started: [3], ended: [], flapping: true },
    { name: 'a ratio equal to low keeps flapping', outcomes: 'TFTFTTTF', started: [3], ended: [], flapping: true },
    { name: 'a ratio below low ends it', outcomes: 'TFTFTTTTT', started: [3], ended: [8], flapping: false },
    { name: 'it may start again after ending', outcomes: 'TFTFTTTTTFTF', started: [3, 11], ended: [8], flapping: true },
  ])('$name', ({ outcomes, started, ended, flapping }) => {
    const steps = run(s, outcomes);
    expect(steps.flatMap((step, i) => (step.started ? [i] : []))).toEqual(started);
    expect(steps.flatMap((step, i) => (step.ended ? [i] : []))).toEqual(ended);
    expect(steps[steps.length - 1]!.state.flapping).toBe(flapping);
  });
});

describe('flapping: state', () => {
  it('is plain JSON and survives a round trip', () => {
    const s = spec(10, 0.25, 0.5);
    const saved = JSON.parse(JSON.stringify(run(s, 'TFTFTF').at(-1)!.state)) as FlapState;
    const continued = run(s, 'TTTT', saved);
    const straight = run(s, 'TFTFTFTTTT');
    expect(continued.map((step) => step.state)).toEqual(straight.slice(6).map((step) => step.state));
  });

  it('never modifies the state it is given', () => {
    const state = Object.freeze({ history: 5, size: 3, flapping: false });
    expect(() => recordOutcome(spec(5, 0.25, 0.5), state, true)).not.toThrow();
    expect(state).toEqual({ history: 5, size: 3, flapping: false });
  });

  it('keeps only the window in the history, also at 32', () => {
    const steps = run(spec(32, 0, 1), 'T'.repeat(40));
    const last = steps[steps.length - 1]!.state;
    expect(last.size).toBe(32);
    expect(last.history).toBe(0xffffffff);
  });

  it('follows a smaller window after a reload', () => {
    const state = run(spec(10, 0, 1), 'TFTFTFTTTT').at(-1)!.state;
    expect(flapRatio(spec(10, 0, 1), state)).toBeCloseTo(6 / 9, 12);
    expect(flapRatio(spec(4, 0, 1), state)).toBe(0);
    expect(recordOutcome(spec(4, 0, 1), state, false).ratio).toBeCloseTo(1 / 3, 12);
  });
});

describe('checkFlappingSpec', () => {
  it.each<{ spec: FlappingSpec; error: RegExp | null }>([
    { spec: spec(10, 0.25, 0.5), error: null },
    { spec: spec(2, 0, 1), error: null },
    { spec: spec(32, 0.5, 0.5), error: null },
    { spec: spec(1, 0.25, 0.5), error: /from 2 to 32/ },
    { spec: spec(33, 0.25, 0.5), error: /from 2 to 32/ },
    { spec: spec(10.5, 0.25, 0.5), error: /whole number/ },
    { spec: spec(10, -0.1, 0.5), error: /ratios from 0 to 1/ },
    { spec: spec(10, 0.25, 1.5), error: /ratios from 0 to 1/ },
    { spec: spec(10, 0.6, 0.5), error: /low \(0.6\) must not be above high \(0.5\)/ },
  ])('$spec', ({ spec: s, error }) => {
    const message = checkFlappingSpec(s);
    if (error === null) expect(message).toBeNull();
    else expect(message).toMatch(error);
  });
});
