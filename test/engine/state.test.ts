import { describe, expect, it } from 'vitest';
import { initialState, nextDeadline, step, type AlertState, type StepInput, type StepRule } from '../../src/engine/state.js';

const s = 1000;
const m = 60 * s;

function rule(overrides: Partial<StepRule> = {}): StepRule {
  return { name: 'r', forMs: 0, keepFiringForMs: 0, repeat: { kind: 'none' }, noDataMs: null, flapping: null, ...overrides };
}

type Row = [at: number, input: 'T' | 'F' | 'tick' | 'ack' | { clear: boolean; firing: boolean } | 'remove', expected: string];

/**
 * Runs a time-stepped table: each row is (time, input, the event types expected at that step,
 * joined by spaces, '' for none; a muted one marked with `!`) — as Prometheus' TestKeepFiringFor
 * steps through its series.
 */
function run(stepRule: StepRule, rows: Row[], values: number[] = []): AlertState {
  let state = initialState('warning');
  rows.forEach(([at, what, expected], index) => {
    let input: StepInput;
    const value = values[index] ?? index;
    if (what === 'tick') input = { kind: 'tick' };
    else if (what === 'ack') input = { kind: 'acknowledge' };
    else if (what === 'remove') input = { kind: 'remove', reason: 'rule_removed' };
    else if (typeof what === 'object') input = { kind: 'evaluation', ...what, value, sampleTime: at, severity: 'warning' };
    else input = { kind: 'evaluation', firing: what === 'T', clear: what === 'F', value, sampleTime: at, severity: 'warning' };
    const result = step(state, input, at, { rule: stepRule, seriesKey: 'entity=e1' });
    const got = result.transitions.map((t) => `${t.type.replace('alert.', '')}${t.mutedBy ? '!' : ''}`).join(' ');
    expect(got, `row ${index} at ${at}ms (${JSON.stringify(what)})`).toBe(expected);
    state = result.state;
  });
  return state;
}

describe('open and cancel without a pending period', () => {
  it('opens on the first true evaluation and cancels on the first false one', () => {
    const state = run(rule(), [
      [0, 'F', ''],
      [1 * m, 'T', 'open'],
      [2 * m, 'T', ''],
      [3 * m, 'F', 'cancel'],
      [4 * m, 'F', ''],
      [5 * m, 'T', 'open'],
    ]);
    expect(state.phase).toBe('open');
  });

  it('records the open value and time, and resets repeat_count to 0', () => {
    let state = initialState('warning');
    const r = step(state, { kind: 'evaluation', firing: true, clear: false, value: 42, sampleTime: 5, severity: 'major' }, 5, { rule: rule(), seriesKey: 'k' });
    state = r.state;
    expect(r.transitions[0]).toMatchObject({ type: 'alert.open', value: 42, openValue: 42, openTime: 5, repeatCount: 0, severity: 'major' });
    expect(state).toMatchObject({ phase: 'open', openValue: 42, openTime: 5, repeatCount: 0 });
  });
});

describe('for: pending period', () => {
  it('opens only once the condition has held for the whole period', () => {
    run(rule({ forMs: 2 * m }), [
      [0, 'F', ''],
      [1 * m, 'T', ''],
      [2 * m, 'T', ''],
      [3 * m, 'T', 'open'],
      [4 * m, 'F', 'cancel'],
    ]);
  });

  it('goes back to inactive without an event when the condition breaks while pending', () => {
    const state = run(rule({ forMs: 2 * m }), [
      [0, 'T', ''],
      [1 * m, 'F', ''],
      [2 * m, 'T', ''],
      [3 * m, 'T', ''],
      [4 * m, 'T', 'open'],
    ]);
    expect(state.openTime).toBe(4 * m);
  });

  it('opens on a timer tick when no sample arrives', () => {
    const state = run(rule({ forMs: 2 * m }), [
      [0, 'T', ''],
      [1 * m, 'tick', ''],
      [2 * m, 'tick', 'open'],
    ]);
    expect(nextDeadline(initialState('info'), rule())).toBeNull();
    expect(state.phase).toBe('open');
  });
});

describe('keep_firing_for', () => {
  it('holds the alert open after the condition clears and cancels when the time is up (SPEC example)', () => {
    // 0@0s 5@60s 5@120s 5@180s 0@240s with for 2m, keep_firing_for 5m: open at 180s, cancel at 240s+5m.
    run(rule({ forMs: 2 * m, keepFiringForMs: 5 * m }), [
      [0, 'F', ''],
      [60 * s, 'T', ''],
      [120 * s, 'T', ''],
      [180 * s, 'T', 'open'],
      [240 * s, 'F', ''],
      [240 * s + 4 * m, 'tick', ''],
      [240 * s + 5 * m, 'tick', 'cancel'],
    ]);
  });

  it('keeps the alert open when the condition returns during the hold', () => {
    run(rule({ keepFiringForMs: 5 * m }), [
      [0, 'T', 'open'],
      [1 * m, 'F', ''],
      [3 * m, 'T', ''],
      [7 * m, 'tick', ''],
      [8 * m, 'F', ''],
      [13 * m, 'F', 'cancel'],
    ]);
  });
});

describe('cancel_when: hysteresis', () => {
  it('stays open while neither the condition nor cancel_when holds', () => {
    run(rule(), [
      [0, { firing: true, clear: false }, 'open'],
      [1 * m, { firing: false, clear: false }, ''],
      [2 * m, { firing: false, clear: false }, ''],
      [3 * m, { firing: false, clear: true }, 'cancel'],
    ]);
  });
});

describe('repeat', () => {
  it('every N: repeats on every Nth true evaluation with repeat_count counting up', () => {
    let state = initialState('warning');
    const counts: number[] = [];
    for (let i = 0; i < 7; i++) {
      const r = step(state, { kind: 'evaluation', firing: true, clear: false, value: i, sampleTime: i, severity: 'warning' }, i * m, { rule: rule({ repeat: { kind: 'every', count: 3 } }), seriesKey: 'k' });
      for (const t of r.transitions) if (t.type === 'alert.repeat') counts.push(t.repeatCount);
      state = r.state;
    }
    // open at 0; true evaluations 1,2,3 → repeat 1; 4,5,6 → repeat 2
    expect(counts).toEqual([1, 2]);
  });

  it('interval: repeats when the interval has passed, on samples or on ticks', () => {
    run(rule({ repeat: { kind: 'interval', ms: 10 * m } }), [
      [0, 'T', 'open'],
      [5 * m, 'T', ''],
      [10 * m, 'tick', 'repeat'],
      [15 * m, 'T', ''],
      [20 * m, 'T', 'repeat'],
      [21 * m, 'F', 'cancel'],
    ]);
  });

  it('acknowledge stops repeats but not the cancel', () => {
    run(rule({ repeat: { kind: 'interval', ms: 10 * m } }), [
      [0, 'T', 'open'],
      [1 * m, 'ack', ''],
      [10 * m, 'tick', ''],
      [20 * m, 'T', ''],
      [21 * m, 'F', 'cancel'],
    ]);
  });
});

describe('no_data', () => {
  it('emits alert.nodata once after silence, and a cancel with reason data_resumed when data returns', () => {
    let state = initialState('warning');
    const r = rule({ noDataMs: 10 * m });
    const ctx = { rule: r, seriesKey: 'k' };
    state = step(state, { kind: 'evaluation', firing: false, clear: true, value: 1, sampleTime: 0, severity: 'warning' }, 0, ctx).state;
    expect(nextDeadline(state, r)).toBe(10 * m);
    expect(step(state, { kind: 'tick' }, 9 * m, ctx).transitions).toEqual([]);
    const silent = step(state, { kind: 'tick' }, 10 * m, ctx);
    expect(silent.transitions.map((t) => t.type)).toEqual(['alert.nodata']);
    state = silent.state;
    expect(step(state, { kind: 'tick' }, 30 * m, ctx).transitions).toEqual([]);
    expect(nextDeadline(state, r)).toBeNull();
    const back = step(state, { kind: 'evaluation', firing: false, clear: true, value: 1, sampleTime: 31 * m, severity: 'warning' }, 31 * m, ctx);
    expect(back.transitions).toMatchObject([{ type: 'alert.cancel', reason: 'data_resumed', alertId: silent.transitions[0]!.alertId }]);
    expect(back.transitions[0]!.eventId).not.toBe(silent.transitions[0]!.eventId);
  });
});

describe('remove', () => {
  it('cancels an open alert with the given reason', () => {
    let state = initialState('warning');
    const ctx = { rule: rule(), seriesKey: 'k' };
    state = step(state, { kind: 'evaluation', firing: true, clear: false, value: 1, sampleTime: 0, severity: 'warning' }, 0, ctx).state;
    const removed = step(state, { kind: 'remove', reason: 'rule_removed' }, 1, ctx);
    expect(removed.transitions).toMatchObject([{ type: 'alert.cancel', reason: 'rule_removed' }]);
    expect(removed.state.phase).toBe('inactive');
  });
});

describe('purity and deterministic ids', () => {
  it('never mutates its input and gives the same ids for the same history', () => {
    const ctx = { rule: rule({ noDataMs: m }), seriesKey: 'entity=a' };
    const first = initialState('warning');
    const frozen = JSON.stringify(first);
    const a = step(first, { kind: 'evaluation', firing: true, clear: false, value: 1, sampleTime: 0, severity: 'warning' }, 1000, ctx);
    const b = step(first, { kind: 'evaluation', firing: true, clear: false, value: 1, sampleTime: 0, severity: 'warning' }, 1000, ctx);
    expect(JSON.stringify(first)).toBe(frozen);
    expect(a.transitions[0]!.eventId).toBe(b.transitions[0]!.eventId);
    expect(a.transitions[0]!.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const nodata = step(a.state, { kind: 'tick' }, 1000 + m, ctx);
    const again = step(a.state, { kind: 'tick' }, 1000 + m, ctx);
    expect(nodata.transitions[0]!.eventId).toBe(again.transitions[0]!.eventId);
    expect(JSON.stringify(a.state)).toBe(JSON.stringify(b.state));
  });

  it('gives open and cancel of one alert different event ids but the same alert id', () => {
    const ctx = { rule: rule(), seriesKey: 'k' };
    const opened = step(initialState('warning'), { kind: 'evaluation', firing: true, clear: false, value: 1, sampleTime: 0, severity: 'warning' }, 0, ctx);
    const cancelled = step(opened.state, { kind: 'evaluation', firing: false, clear: true, value: 0, sampleTime: 1, severity: 'warning' }, 1, ctx);
    expect(cancelled.transitions[0]!.alertId).toBe(opened.transitions[0]!.alertId);
    expect(cancelled.transitions[0]!.eventId).not.toBe(opened.transitions[0]!.eventId);
  });
});

describe('quiet evaluations (the engine hot path)', () => {
  it('recordQuietEvaluation leaves exactly the state that step() would produce', async () => {
    const { isQuietEvaluation, recordQuietEvaluation } = await import('../../src/engine/state.js');
    const r = rule({ noDataMs: 5 * m });
    let state = initialState('warning');
    for (let i = 0; i < 20; i++) {
      const input: StepInput = { kind: 'evaluation', firing: i % 7 === 3, clear: i % 7 !== 3, value: i, sampleTime: i * m, severity: i % 2 ? 'major' : 'warning' };
      const stepped = step(state, input, i * m + 1, { rule: r, seriesKey: 'k' });
      if (isQuietEvaluation(state, input, r)) {
        const copy = structuredClone(state);
        recordQuietEvaluation(copy, input as StepInput & { kind: 'evaluation' }, i * m + 1);
        expect(copy).toEqual(stepped.state);
        expect(stepped.transitions).toEqual([]);
      }
      state = stepped.state;
    }
  });
});

describe('alert ids', () => {
  it('differ for alerts that open, cancel and open again in the same millisecond', () => {
    const ctx = { rule: rule(), seriesKey: 'k' };
    const t = 5_000;
    const input = (firing: boolean): StepInput => ({ kind: 'evaluation', firing, clear: !firing, value: 1, sampleTime: t, severity: 'warning' });
    const first = step(initialState('warning'), input(true), t, ctx);
    const cancelled = step(first.state, input(false), t, ctx);
    const second = step(cancelled.state, input(true), t, ctx);
    expect(second.transitions[0]!.type).toBe('alert.open');
    expect(second.transitions[0]!.alertId).not.toBe(first.transitions[0]!.alertId);
    expect(second.transitions[0]!.eventId).not.toBe(first.transitions[0]!.eventId);
  });
});

describe('flapping', () => {
  // 4 evaluations, ratio = changes / 3: two changes (0.67) start it, none in the window (0) ends it.
  const flapping = { window: 4, low: 0.2, high: 0.5 };

  it('starting while the alert is open: alert.flapping at once, then its events are muted except the cancel', () => {
    run(rule({ flapping, keepFiringForMs: 10 * m }), [
      [0, 'T', 'open'],
      [1 * m, 'F', ''],
      [2 * m, 'T', 'flapping'],
      [3 * m, 'F', ''],
      [14 * m, 'tick', 'cancel'],
    ]);
  });

  it('starting while no alert is open: the next open is muted and followed by alert.flapping', () => {
    const state = run(rule({ flapping }), [
      [0, 'T', 'open'],
      [1 * m, 'F', 'cancel'],
      // The change ratio passes `high` on this evaluation, before it opens a new alert.
      [2 * m, 'T', 'open! flapping'],
      [3 * m, 'F', 'cancel'],
      [4 * m, 'T', 'open!'],
    ]);
    expect(state.flap.flapping).toBe(true);
  });

  it('owes nothing once the series calms down before opening again', () => {
    run(rule({ flapping, forMs: 5 * m }), [
      [0, 'T', ''],
      [1 * m, 'F', ''],
      [2 * m, 'T', ''],
      // flapping from here, owed to the next open; then steady outcomes end it
      [3 * m, 'F', ''],
      [4 * m, 'F', ''],
      [5 * m, 'F', ''],
      [6 * m, 'F', ''],
      [7 * m, 'T', ''],
      [13 * m, 'tick', 'open'],
    ]);
  });
});
