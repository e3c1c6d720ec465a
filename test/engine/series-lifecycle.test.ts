/**
 * Issue 12 item 3, SPEC §4: series come and go. Idle series are forgotten after `series_ttl`
 * (open alerts cancelled with reason `expired`), caps refuse new series, the timer heap holds one
 * live entry per series and timer kind, and `expect` placeholders survive restart and reload.
 */
import { describe, expect, it } from 'vitest';
import { Engine, type EngineOutput, type SeriesRecord } from '../../src/engine/engine.js';
import type { AlertEventData, RuleErrorData } from '../../src/model/event.js';
import type { Sample } from '../../src/model/sample.js';
import { makeRule } from '../helpers/rules.js';

const m = 60_000;
const h = 60 * m;
const sample = (entity: string, time: number, value: number, tags: Record<string, string> = {}): Sample => ({ metric: 'cpu', entity, time, value, tags });
const types = (output: EngineOutput) => output.events.map((e) => `${e.event.type}@${e.event.time.slice(11, 19)}`);
const reasons = (output: EngineOutput) => output.events.map((e) => (e.event.data as AlertEventData).reason ?? null);
/** A sample no rule watches: it only moves data time. */
const clockOnly = (time: number): Sample => ({ metric: 'unwatched', entity: 'x', time, value: 0, tags: {} });
/** The heap's entry count, live and stale: what it costs in memory. */
const heapSize = (engine: Engine) => (engine as unknown as { timers: { size: number } }).timers.size;

/** Applies an engine output to a map of persisted states, as the pipeline does with the store. */
function persist(store: Map<string, SeriesRecord>, output: EngineOutput, stored: (r: SeriesRecord) => boolean): void {
  for (const change of output.changes) {
    const key = `${change.rule}\u0000${change.seriesKey}`;
    if (stored(change)) store.set(key, change);
    else store.delete(key);
  }
  for (const removed of output.removed) store.delete(`${removed.rule}\u0000${removed.seriesKey}`);
}

describe('the timer heap', () => {
  it('holds one entry per series for a no_data rule, however many samples arrive', () => {
    const engine = new Engine({ clock: { mode: 'data' }, rules: [makeRule({ condition: 'value > 100', noDataMs: 10 * m })] });
    for (let i = 0; i < 500; i++) engine.ingest([sample('a', i * 1000, 1), sample('b', i * 1000, 1)]);
    // At most one no-data timer and one expiry timer per series.
    expect(heapSize(engine)).toBeLessThanOrEqual(4);
    expect(types(engine.advance(500_000 + 10 * m))).toEqual(['alert.nodata@00:18:19', 'alert.nodata@00:18:19']);
  });

  it('holds one entry per series while a pending alert and a repeat move their deadlines', () => {
    let now = 0;
    const engine = new Engine({ clock: { mode: 'wall', now: () => now }, rules: [makeRule({ condition: 'value > 0', forMs: 5 * m, noDataMs: 10 * m })] });
    for (let i = 0; i < 200; i++) {
      now = i * 1000;
      engine.ingest([sample('a', now, i % 2)]);
    }
    expect(heapSize(engine)).toBeLessThanOrEqual(2);
  });
});

describe('series_ttl', () => {
  const base = { seriesTtlMs: 1 * h, window: { kind: 'length' as const, size: 5 } };
  const rule = makeRule({ condition: 'value > 1', ...base });

  it('forgets a series idle longer than series_ttl, with its window', () => {
    const engine = new Engine({ clock: { mode: 'data' }, rules: [makeRule({ ...base, condition: 'count() >= 2' })] });
    engine.ingest([sample('old', 0, 0), sample('live', 0, 0), sample('live', 30 * m, 0)]);
    const later = engine.ingest([sample('live', 1 * h + 1, 0)]);
    expect(later.removed).toEqual([{ rule: 'test-rule', seriesKey: 'entity=old' }]);
    expect(engine.seriesCount()).toBe(1);
    // The window went with it: the first sample of the returning series counts alone.
    expect(types(engine.ingest([sample('old', 1 * h + 2, 0)]))).toEqual([]);
    expect(engine.seriesCount()).toBe(2);
  });

  it('cancels the open alert of a forgotten series with reason expired, at the expiry time', () => {
    const engine = new Engine({ clock: { mode: 'data' }, rules: [rule] });
    expect(types(engine.ingest([sample('c1', 0, 5)]))).toEqual(['alert.open@00:00:00']);
    const out = engine.advance(2 * h);
    expect(types(out)).toEqual(['alert.cancel@01:00:00']);
    expect(reasons(out)).toEqual(['expired']);
    expect(out.removed).toEqual([{ rule: 'test-rule', seriesKey: 'entity=c1' }]);
    expect(out.history.map((x) => x.details.reason)).toEqual(['expired']);
    expect(engine.alerts()).toEqual([]);
  });

  it('keeps a series whose alert.nodata is open until that alert ends', () => {
    const engine = new Engine({ clock: { mode: 'data' }, rules: [makeRule({ ...base, condition: 'value > 1', noDataMs: 10 * m })] });
    engine.ingest([sample('c1', 0, 0)]);
    expect(types(engine.advance(10 * h))).toEqual(['alert.nodata@00:10:00']);
    expect(engine.seriesCount()).toBe(1);
    const back = engine.ingest([sample('c1', 10 * h + 1, 0)]);
    expect(reasons(back)).toEqual(['data_resumed']);
  });

  it('a series that keeps reporting is never forgotten', () => {
    const engine = new Engine({ clock: { mode: 'data' }, rules: [rule] });
    for (let t = 0; t <= 5 * h; t += 30 * m) engine.ingest([sample('c1', t, 0)]);
    expect(engine.advance(5 * h).removed).toEqual([]);
    expect(engine.seriesCount()).toBe(1);
  });

  it('in live mode, expires on the wall clock', () => {
    let now = 0;
    const engine = new Engine({ clock: { mode: 'wall', now: () => now }, rules: [rule] });
    engine.ingest([sample('c1', 0, 5)]);
    now = 1 * h - 1;
    expect(types(engine.advance())).toEqual([]);
    now = 1 * h + 500;
    const out = engine.advance();
    expect(reasons(out)).toEqual(['expired']);
    expect(engine.seriesCount()).toBe(0);
  });

  it('forgets entities that only samples created once none of their series is left', () => {
    // A rule with `expect` makes the engine keep entities that only samples created (it must
    // know them); without one, nothing is kept per such entity at all.
    const watcher = makeRule({ name: 'watcher', metrics: ['mem'], condition: 'value > 1', noDataMs: 10 * m, expect: "entity.tags.role == 'db'" });
    const engine = new Engine({
      clock: { mode: 'data' }, rules: [rule, watcher],
      entities: [{ name: 'registered', enabled: true, tags: { env: 'prod' } }],
    });
    engine.ingest([sample('c1', 0, 0), sample('registered', 0, 0)]);
    expect(engine.entity('c1')).toBeDefined();
    engine.advance(2 * h);
    expect(engine.entity('c1')).toBeUndefined();
    expect(engine.entity('registered')).toEqual({ name: 'registered', enabled: true, tags: { env: 'prod' } });
  });

  it('a sample every rule filters out leaves no entity behind', () => {
    const engine = new Engine({ clock: { mode: 'data' }, rules: [makeRule({ ...base, condition: 'value > 1', filter: "tags.env == 'prod'" })] });
    engine.ingest([sample('dev-1', 0, 0, { env: 'dev' })]);
    expect(engine.entity('dev-1')).toBeUndefined();
  });
});

describe('max_series and the global cap', () => {
  it('refuses new series over max_series with a throttled rule.error and a counter', () => {
    const engine = new Engine({ clock: { mode: 'data' }, rules: [makeRule({ condition: 'value > 1', maxSeries: 2 })] });
    const out = engine.ingest([sample('a', 0, 5), sample('b', 0, 5), sample('c', 0, 5), sample('d', 1000, 5)]);
    expect(out.events.map((e) => e.event.type)).toEqual(['alert.open', 'alert.open', 'rule.error']);
    const error = out.events[2]!.event.data as RuleErrorData;
    expect(error.rule).toBe('test-rule');
    expect(error.series_key).toBe('entity=c');
    expect(error.error).toMatch(/max_series.*2/);
    expect(engine.stats.seriesRefused).toBe(2);
    expect(engine.stats.seriesRefusedByRule).toEqual({ 'test-rule': 2 });
    expect(engine.seriesCount()).toBe(2);
    // A minute later, the next refusal is reported again.
    expect(engine.ingest([sample('e', 61_000, 5)]).events.map((e) => e.event.type)).toEqual(['rule.error']);
    // Existing series go on being evaluated.
    expect(engine.ingest([sample('a', 62_000, 0)]).events.map((e) => e.event.type)).toEqual(['alert.cancel']);
  });

  it('accepts new series again once idle ones expired', () => {
    const engine = new Engine({ clock: { mode: 'data' }, rules: [makeRule({ condition: 'value > 1', maxSeries: 1, seriesTtlMs: h })] });
    engine.ingest([sample('a', 0, 0), sample('b', 0, 0)]);
    expect(engine.stats.seriesRefused).toBe(1);
    engine.ingest([sample('b', 2 * h, 5)]);
    expect(engine.alerts().map((a) => a.identity.entity)).toEqual(['b']);
  });

  it('the global cap counts the series of all rules', () => {
    const engine = new Engine({
      clock: { mode: 'data' }, maxSeries: 3,
      rules: [makeRule({ name: 'r1', condition: 'value > 1' }), makeRule({ name: 'r2', condition: 'value > 1' })],
    });
    const out = engine.ingest([sample('a', 0, 0), sample('b', 0, 0)]);
    expect(engine.seriesCount()).toBe(3);
    expect(engine.stats.seriesRefused).toBe(1);
    expect(out.events.map((e) => (e.event.data as RuleErrorData).error)).toEqual([expect.stringMatching(/all rules.*3/)]);
  });
});

describe('expect placeholders', () => {
  const expectRule = makeRule({ name: 'agent', condition: 'value == 0', noDataMs: 10 * m, expect: "entity.tags.role == 'db'" });
  const db = { name: 'db-1', enabled: true, tags: { role: 'db' } };
  const stored = (r: SeriesRecord) => r.state.phase !== 'inactive' || r.state.nodata !== null || r.state.placeholder === true;

  it('survive a restart: the nodata alert of an expected entity is cancelled when it reports under another key', () => {
    const store = new Map<string, SeriesRecord>();
    const first = new Engine({ clock: { mode: 'data' }, rules: [expectRule], entities: [db] });
    persist(store, first.ingest([clockOnly(0)]), stored);
    const nodata = first.advance(15 * m);
    persist(store, nodata, stored);
    expect(types(nodata)).toEqual(['alert.nodata@00:10:00']);

    const second = new Engine({ clock: { mode: 'data' }, rules: [expectRule], entities: [db], states: store.values() });
    const back = second.ingest([sample('db-1', 20 * m, 1, { disk: 'sda' })]);
    expect(back.events.map((e) => [e.event.type, (e.event.data as AlertEventData).reason])).toEqual([['alert.cancel', 'data_resumed']]);
    expect(back.removed).toEqual([{ rule: 'agent', seriesKey: 'entity=db-1' }]);
    expect(second.seriesCount()).toBe(1);
  });

  it('survive a restart before their nodata: the no-data time counts from when the entity was first expected', () => {
    const store = new Map<string, SeriesRecord>();
    const first = new Engine({ clock: { mode: 'data' }, rules: [expectRule], entities: [db] });
    persist(store, first.ingest([clockOnly(0)]), stored);
    persist(store, first.advance(5 * m), stored);
    const second = new Engine({ clock: { mode: 'data' }, rules: [expectRule], entities: [db], states: store.values() });
    expect(types(second.advance(11 * m))).toEqual(['alert.nodata@00:10:00']);
  });

  it('survive a reload that changes the rule', () => {
    const engine = new Engine({ clock: { mode: 'data' }, rules: [expectRule], entities: [db] });
    engine.ingest([clockOnly(0)]);
    expect(types(engine.advance(15 * m))).toEqual(['alert.nodata@00:10:00']);
    engine.reload([{ ...expectRule, severity: 'major' }]);
    const back = engine.ingest([sample('db-1', 20 * m, 1, { disk: 'sda' })]);
    expect(back.events.map((e) => [e.event.type, (e.event.data as AlertEventData).reason])).toEqual([['alert.cancel', 'data_resumed']]);
    expect(engine.seriesCount()).toBe(1);
  });

  it('are never expired while they wait for their entity', () => {
    const engine = new Engine({ clock: { mode: 'data' }, rules: [{ ...expectRule, seriesTtlMs: 10 * m }], entities: [db] });
    engine.ingest([clockOnly(0)]);
    engine.advance(5 * h);
    expect(engine.alerts().map((a) => a.seriesKey)).toEqual(['entity=db-1']);
  });
});

describe('reload and the series lifecycle', () => {
  it('a changed rule keeps its series, their expiry and the entities they hold', () => {
    const watcher = makeRule({ name: 'watcher', metrics: ['mem'], condition: 'value > 1', noDataMs: 10 * m, expect: "entity.tags.role == 'db'" });
    const rule = makeRule({ condition: 'value > 1', seriesTtlMs: h });
    const engine = new Engine({ clock: { mode: 'data' }, rules: [rule, watcher] });
    engine.ingest([sample('c1', 0, 5)]);
    engine.reload([{ ...rule, severity: 'major' }, watcher]);
    expect(engine.seriesCount()).toBe(1);
    const out = engine.advance(2 * h);
    expect(reasons(out)).toEqual(['expired']);
    expect(engine.seriesCount()).toBe(0);
    expect(engine.entity('c1')).toBeUndefined();
    expect(engine.timerCount()).toBe(0);
  });
});
