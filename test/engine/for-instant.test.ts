/**
 * Issue 12 item 7: in data time, the samples with time T are applied before the timers due at T
 * (SPEC §4), as Prometheus evaluates the condition at T. Live mode fires timers on time.
 */
import { describe, expect, it } from 'vitest';
import { Engine, type EngineOutput } from '../../src/engine/engine.js';
import { runRuleTest } from '../../src/engine/rule-tests.js';
import type { Sample } from '../../src/model/sample.js';
import type { AlertEventData } from '../../src/model/event.js';
import { makeRule } from '../helpers/rules.js';

const m = 60_000;
const sample = (time: number, value: number, entity = 'c1'): Sample => ({ metric: 'cpu', entity, time, value, tags: {} });
const types = (output: EngineOutput) => output.events.map((e) => `${e.event.type}@${e.event.time.slice(11, 19)}`);
const forRule = makeRule({ condition: 'value > 0', forMs: 2 * m });

describe('the instant a `for` completes, in data time', () => {
  it('does not open when the sample at the completion time is false (one batch)', () => {
    const engine = new Engine({ clock: { mode: 'data' }, rules: [forRule] });
    const out = engine.ingest([sample(0, 0), sample(1 * m, 5), sample(2 * m, 5), sample(3 * m, 0), sample(4 * m, 0)]);
    expect(types(out)).toEqual([]);
    expect(types(engine.advance(10 * m))).toEqual([]);
  });

  it('does not open when the false sample comes in the next batch, nor at the end of the data', () => {
    const engine = new Engine({ clock: { mode: 'data' }, rules: [forRule] });
    expect(types(engine.ingest([sample(1 * m, 5), sample(2 * m, 5)]))).toEqual([]);
    expect(types(engine.ingest([sample(3 * m, 0)]))).toEqual([]);
    expect(types(engine.advance(3 * m))).toEqual([]);
    expect(engine.alerts()).toEqual([]);
  });

  it('opens at T with the value of the sample at T when that sample is true', () => {
    const engine = new Engine({ clock: { mode: 'data' }, rules: [forRule] });
    const out = engine.ingest([sample(1 * m, 5), sample(2 * m, 6), sample(3 * m, 7)]);
    expect(types(out)).toEqual(['alert.open@00:03:00']);
    expect((out.events[0]!.event.data as AlertEventData).value).toBe(7);
  });

  it('still fires the timer at T when no sample of that series arrives at T', () => {
    const engine = new Engine({ clock: { mode: 'data' }, rules: [forRule] });
    engine.ingest([sample(1 * m, 5), sample(2 * m, 5)]);
    // Another series' sample at T does not hold the timer back; one after T lets it fire at T.
    expect(types(engine.ingest([sample(3 * m, 0, 'other')]))).toEqual([]);
    expect(types(engine.ingest([sample(3 * m + 1, 0, 'other')]))).toEqual(['alert.open@00:03:00']);
  });

  it('a keep_firing_for completing at T waits for the sample at T (a true sample keeps it open)', () => {
    const engine = new Engine({ clock: { mode: 'data' }, rules: [makeRule({ condition: 'value > 0', keepFiringForMs: 2 * m })] });
    const out = engine.ingest([sample(0, 5), sample(1 * m, 0), sample(3 * m, 5), sample(4 * m, 5)]);
    expect(types(out)).toEqual(['alert.open@00:00:00']);
  });

  it('live mode fires a due timer on time, even when a sample arrives at the same instant', () => {
    let now = 0;
    const engine = new Engine({ clock: { mode: 'wall', now: () => now }, rules: [forRule] });
    now = 1 * m;
    engine.ingest([sample(1 * m, 5)]);
    now = 2 * m;
    engine.ingest([sample(2 * m, 5)]);
    now = 3 * m;
    expect(types(engine.advance())).toEqual(['alert.open@00:03:00']);
  });
});

describe('the instant a `for` completes, in `tocsin test`', () => {
  it('true at 1m and 2m, false at 3m, for: 2m: nothing fires', () => {
    const outcome = runRuleTest([forRule], {
      name: 'for completes on a false sample',
      input: 'cpu{entity=c1} 0 5 5 0 0',
      expect: [],
      origin: { file: 'test.yaml', line: 1, column: 1 },
    });
    expect(outcome.diff).toEqual([]);
    expect(outcome.passed).toBe(true);
  });
});
