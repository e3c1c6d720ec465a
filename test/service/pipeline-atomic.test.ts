/**
 * SPEC §4 (persistence) and issue 12 item 2: a batch is atomic across engine and store. When the
 * commit of what the engine decided fails (disk full, I/O error), the engine is put back as it was
 * before the batch — windows, alert states, timers, flapping histories, new series and entities —
 * so the same batch sent again decides the same thing and its notifications are queued.
 */
import { describe, expect, it } from 'vitest';
import { parseWebhook, type Webhook } from '../../src/delivery/webhook.js';
import { Engine, type EngineOutput } from '../../src/engine/engine.js';
import type { RuleDefinition } from '../../src/engine/rule.js';
import type { Sample } from '../../src/model/sample.js';
import { Pipeline } from '../../src/service/pipeline.js';
import { StoreUnavailableError } from '../../src/store/errors.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { CommitBatch } from '../../src/store/store.js';
import { makeRule } from '../helpers/rules.js';
import { seeded } from '../helpers/random.js';

const m = 60_000;
const T0 = Date.parse('2026-12-07T10:00:00Z');

function webhook(name: string): Webhook {
  const parsed = parseWebhook({ name, url: 'http://127.0.0.1:9/' });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.webhook;
}

const sample = (entity: string, time: number, value: number | null, tags: Record<string, string> = {}, metric = 'cpu'):
  Sample => ({
  metric, entity, time, value, tags,
});

/** A real store whose next `failures` commits fail as a full disk does. */
class FailingStore extends SqliteStore {
  failures = 0;
  commits = 0;
  override commit(batch: CommitBatch) {
    if (this.failures > 0) {
      this.failures--;
      throw new StoreUnavailableError('disk_full', 'database or disk is full', { cause: new Error('SQLITE_FULL') });
    }
    this.commits++;
    return super.commit(batch);
  }
}

interface Rig {
  engine: Engine;
  store: FailingStore;
  pipeline: Pipeline;
  clock: { now: number };
}

function rig(rules: RuleDefinition[], mode: 'wall' | 'data' = 'wall', maxSeries?: number): Rig {
  const clock = { now: T0 };
  const engine = new Engine({
    rules, clock: mode === 'wall' ? { mode: 'wall', now: () => clock.now } : { mode: 'data' },
    ...(maxSeries === undefined ? {} : { maxSeries }),
  });
  const store = new FailingStore(':memory:');
  const pipeline = new Pipeline({ engine, store, webhooks: () => new Map([['ops', webhook('ops')]]) });
  return { engine, store, pipeline, clock };
}

/** The engine's private bookkeeping that `engineState` reads (white box: see `internals`). */
interface Internals {
  rules: Map<string, {
    series: Map<string, PeekSeries>; placeholders: Map<string, PeekSeries>; lastByEntity: Map<string, PeekSeries>;
    seriesOfEntity: Map<string, number>; expectChecked: Set<string>; lastErrorAt: number; lastRefusalAt: number;
    spare: unknown[];
  }>;
  liveSeries: number;
  spareCount: number;
  implicitEntities: Map<string, number>;
  keepImplicitEntities: boolean;
  dataTime: number;
}
interface PeekSeries {
  key: string; seenAt: number; placeholder: boolean;
  timer: { at: number; index: number }; expiry: { at: number; index: number };
}

/**
 * What the engine keeps beside its series' states and windows, which a retried batch would mostly
 * overwrite and so hide: when each series was last seen and when its two timers are due, the
 * placeholders, the per-entity caches and counters, the throttling of rule.error, the spare list.
 * Compared right after each rollback, a field or counter the undo log misses shows up here.
 */
function internals(engine: Engine) {
  const e = engine as unknown as Internals;
  const due = (entry: { at: number; index: number }) => (entry.index >= 0 ? entry.at : null);
  const sorted = <T>(list: T[]) => list.map((item) => JSON.stringify(item)).sort();
  return {
    rules: [...e.rules].sort(([a], [b]) => a.localeCompare(b)).map(([name, rule]) => ({
      name,
      series: sorted([...rule.series.values()]
        .map((s) => [s.key, s.seenAt, s.placeholder, due(s.timer), due(s.expiry)])),
      placeholders: sorted([...rule.placeholders].map(([entity, s]) => [entity, s.key])),
      lastByEntity: sorted([...rule.lastByEntity].map(([entity, s]) => [entity, s.key])),
      seriesOfEntity: sorted([...rule.seriesOfEntity]),
      expectChecked: sorted([...rule.expectChecked]),
      lastErrorAt: rule.lastErrorAt,
      lastRefusalAt: rule.lastRefusalAt,
      spare: rule.spare.length,
    })),
    liveSeries: e.liveSeries,
    spareCount: e.spareCount,
    implicitEntities: sorted([...e.implicitEntities]),
    keepImplicitEntities: e.keepImplicitEntities,
    dataTime: e.dataTime,
  };
}

/** Everything observable about the engine's memory, as plain data. */
function engineState(engine: Engine) {
  const byKey = <T extends { rule: string; seriesKey: string }>(list: T[]) =>
    [...list].sort((a, b) => `${a.rule}\u0000${a.seriesKey}`.localeCompare(`${b.rule}\u0000${b.seriesKey}`));
  return {
    series: byKey(engine.seriesRecords()).map((r) => JSON.parse(JSON.stringify(r)) as unknown),
    windows: byKey(engine.windowSnapshots()),
    count: engine.seriesCount(),
    stats: JSON.parse(JSON.stringify(engine.stats)) as unknown,
    entities: ['a', 'b', 'c', 'd', 'fresh', 'm1', 'm2', 'm3', 'e1', 'e2', 'e3', 'late1', 'late2']
      .concat(['p0', 'p1', 'p2', 'p3'], CHURN)
      .map((name) => engine.entity(name) ?? null),
    rules: engine.ruleNames().sort(),
    // Both timer entries of every series (state machine and expiry) are back in the heap, no more.
    timers: engine.timerCount(),
    internals: internals(engine),
  };
}

/** Entities that come and go (container ids): their series expire, are reused and hit the caps. */
const CHURN = Array.from({ length: 12 }, (_, i) => `n${i}`);

const eventTypes = (output: EngineOutput) => output.events.map((e) => e.event.type);

describe('a failed commit leaves the engine as it was before the batch', () => {
  it('ingest: the open is undone, and the batch sent again opens the alert and queues its notification', () => {
    const hot = makeRule({ name: 'hot', condition: 'value > 90', window: { kind: 'length', size: 5 } });
    const { engine, store, pipeline } = rig([hot]);
    pipeline.ingest([sample('a', T0 - 2_000, 10), sample('b', T0 - 2_000, 10)]);
    const before = engineState(engine);

    store.failures = 1;
    const batch = [sample('a', T0 - 1_000, 95), sample('b', T0 - 1_000, 20), sample('fresh', T0 - 1_000, 99)];
    expect(() => pipeline.ingest(batch)).toThrow(StoreUnavailableError);
    expect(engineState(engine)).toEqual(before);
    expect(engine.alerts()).toEqual([]);
    expect(store.loadAlertStates()).toEqual([]);

    const output = pipeline.ingest(batch);
    expect(eventTypes(output)).toEqual(['alert.open', 'alert.open']);
    expect(store.loadAlertStates().map((s) => s.status)).toEqual(['open', 'open']);
    expect(store.outboxDepth('ops')).toBe(2);
  });

  it('tick: a pending period that completes in a failed commit completes again at the next tick', () => {
    const { engine, store, pipeline, clock } = rig([makeRule({ name: 'slow', condition: 'value > 90', forMs: 2 * m })]);
    pipeline.ingest([sample('a', T0, 95)]);
    expect(engine.alerts().map((a) => a.state.phase)).toEqual(['pending']);
    const before = engineState(engine);

    clock.now = T0 + 3 * m;
    store.failures = 1;
    expect(() => pipeline.tick()).toThrow(StoreUnavailableError);
    expect(engineState(engine)).toEqual(before);

    expect(eventTypes(pipeline.tick())).toEqual(['alert.open']);
    expect(store.loadAlertStates().map((s) => s.status)).toEqual(['open']);
  });

  it('no_data: the timer that fired in a failed commit fires again', () => {
    const quiet = makeRule({ name: 'quiet', condition: 'value > 90', noDataMs: 5 * m });
    const { engine, store, pipeline, clock } = rig([quiet]);
    pipeline.ingest([sample('a', T0, 1)]);
    const before = engineState(engine);
    clock.now = T0 + 6 * m;
    store.failures = 2;
    expect(() => pipeline.tick()).toThrow(StoreUnavailableError);
    expect(() => pipeline.tick()).toThrow(StoreUnavailableError);
    expect(engineState(engine)).toEqual(before);
    expect(eventTypes(pipeline.tick())).toEqual(['alert.nodata']);
    // Once only: the timer is not left armed twice by the failed attempts.
    clock.now = T0 + 20 * m;
    expect(eventTypes(pipeline.tick())).toEqual([]);
  });

  it('reload: a removed rule whose cancels could not be stored is still there', () => {
    const hot = makeRule({ name: 'hot', condition: 'value > 90' });
    const { engine, store, pipeline } = rig([hot, makeRule({ name: 'other', condition: 'value > 50' })]);
    pipeline.ingest([sample('a', T0, 95)]);
    const before = engineState(engine);
    store.failures = 1;
    expect(() => pipeline.apply((e) => e.reload([hot]))).toThrow(StoreUnavailableError);
    expect(engine.ruleNames().sort()).toEqual(['hot', 'other']);
    expect(engineState(engine)).toEqual(before);
    // Samples keep reaching the rule that stayed.
    expect(eventTypes(pipeline.ingest([sample('b', T0 + 1_000, 60)]))).toEqual(['alert.open']);
    // 'other' had opened for a (95) and b (60): both are cancelled now that the commit works.
    expect(eventTypes(pipeline.apply((e) => e.reload([hot])))).toEqual(['alert.cancel', 'alert.cancel']);
  });

  it('an exception inside the engine is no half-applied batch either', () => {
    const { engine, pipeline } = rig([makeRule({ name: 'hot', condition: 'value > 90' })]);
    pipeline.ingest([sample('a', T0, 95)]);
    const before = engineState(engine);
    expect(() => pipeline.apply((e) => {
      e.ingest([sample('a', T0 + 1_000, 1), sample('b', T0 + 1_000, 99)]);
      throw new Error('boom');
    })).toThrow('boom');
    expect(engineState(engine)).toEqual(before);
  });
});

/**
 * The invariant as a property: a run where some commits fail (and their batch or tick is simply
 * done again) stores exactly what a run without failures stores. The rules cover every kind of
 * engine state: windows of both kinds with late and duplicate samples, pending periods,
 * keep_firing_for, repeats, no_data, expect placeholders, flapping, group_by and new entities.
 */
describe('failures anywhere do not change what is stored', () => {
  /**
   * Series lifecycle under rollback: short series_ttl (no longer than the loader allows: window
   * span, `for`, keep_firing_for and no_data), small max_series and a small global cap, so series
   * expire (cancelling open alerts as `expired`), are forgotten into the spare list and reused, and
   * new ones are refused with a throttled rule.error, in batches and ticks that fail and are retried.
   */
  const GLOBAL_MAX_SERIES = 30;
  const rules = (): RuleDefinition[] => [
    makeRule({
      name: 'avg', condition: 'avg() > 70', window: { kind: 'time', ms: 5 * m }, forMs: 1 * m, keepFiringForMs: 2 * m,
      seriesTtlMs: 5 * m,
    }),
    makeRule({
      name: 'count', condition: 'count() >= 3 && max() > 50', window: { kind: 'length', size: 4 },
      repeat: { kind: 'interval', ms: 3 * m }, seriesTtlMs: 4 * m, maxSeries: 8,
    }),
    makeRule({
      name: 'flap', condition: 'value > 50', flapping: { window: 6, high: 0.5, low: 0.2 },
      seriesTtlMs: 3 * m, maxSeries: 5,
    }),
    // Churn entities (n*) stay out of it: a no-data alert keeps a series forever, and so its entity.
    makeRule({
      name: 'nodata', condition: 'value > 95', noDataMs: 4 * m, seriesTtlMs: 4 * m,
      filter: "!startsWith(entity.name, 'n')", expect: "entity.name != 'fresh' && !startsWith(entity.name, 'n')",
    }),
    // `expect` without no_data: series of churn entities counted per entity, and they expire.
    makeRule({
      name: 'watched', condition: 'value > 60', expect: "startsWith(entity.name, 'n')",
      seriesTtlMs: 2 * m, maxSeries: 6,
    }),
    // p* entities appear through 'mem', get a placeholder here, then report 'load' (with or without
    // tags): placeholders are forgotten or become real series inside batches that may fail.
    makeRule({
      name: 'expected', metrics: ['load'], condition: 'value > 90', noDataMs: 2 * m, seriesTtlMs: 2 * m,
      expect: "startsWith(entity.name, 'p')",
    }),
    makeRule({
      name: 'grouped', condition: 'sum() > 150', groupBy: ['entity'], window: { kind: 'length', size: 3 },
      seriesTtlMs: 2 * m, maxSeries: 4,
    }),
    // Entities first seen through 'mem' are expected by the nodata rule: placeholders come and go.
    makeRule({ name: 'mem', metrics: ['mem'], condition: 'value > 80', seriesTtlMs: 2 * m }),
    // Its metadata throws when read (see brokenMetadata): rule.error events, throttled per rule.
    makeRule({ name: 'bad', metrics: ['disk'], condition: "metric.tags.team == 'x'" }),
  ];

  /** Metric metadata whose tag read throws, as a broken metadata provider might. */
  const brokenMetadata = () => ({
    name: 'disk',
    tags: Object.defineProperty({}, 'team', {
      enumerable: true,
      get: () => {
        throw new Error('metadata unavailable');
      },
    }) as Record<string, string>,
  });

  const random = seeded;

  type Step =
    | { kind: 'ingest'; samples: Sample[]; advanceMs: number }
    | { kind: 'tick'; advanceMs: number }
    /** Rules reloaded: the 'count' rule is dropped or comes back, the 'avg' rule changes its window. */
    | { kind: 'reload'; variant: number; advanceMs: number }
    /** An entity registered through the API (not part of a batch): `expect` looks at it in the next one. */
    | { kind: 'entity'; name: string; enabled: boolean; advanceMs: number };

  function ruleSet(variant: number): RuleDefinition[] {
    const all = rules();
    if (variant === 0) return all;
    if (variant === 1) return all.filter((rule) => rule.name !== 'count');
    // Without any `expect` rule the engine stops keeping entities that only samples made.
    if (variant === 3) return all.filter((rule) => rule.expect === undefined);
    return all.map((rule) => (rule.name === 'avg' ? { ...rule, window: { kind: 'time', ms: 3 * m } } : rule));
  }

  function scenario(seed: number, steps: number): Step[] {
    const next = random(seed);
    const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
    const result: Step[] = [];
    let time = T0;
    for (let i = 0; i < steps; i++) {
      // Sometimes a jump of several minutes: idle series expire in the tick or batch that follows.
      const advanceMs = next() < 0.08 ? 2 * m + Math.floor(next() * 6 * m) : Math.floor(next() * 90_000);
      time += advanceMs;
      if (i < 2) {
        result.push({ kind: 'entity', name: i === 0 ? 'late1' : 'late2', enabled: true, advanceMs });
        continue;
      }
      const roll = next();
      if (roll < 0.2) {
        result.push({ kind: 'tick', advanceMs });
        continue;
      }
      if (roll < 0.25) {
        result.push({ kind: 'reload', variant: Math.floor(next() * 4), advanceMs });
        continue;
      }
      if (roll < 0.33) {
        const name = pick(['e1', 'e2', 'e3', 'a', 'm1', 'p0', 'p1']);
        result.push({ kind: 'entity', name, enabled: next() < 0.8, advanceMs });
        continue;
      }
      const samples: Sample[] = [];
      const size = 1 + Math.floor(next() * 6);
      for (let j = 0; j < size; j++) {
        // Mostly current, sometimes late or duplicate times.
        const at = time - (next() < 0.2 ? Math.floor(next() * 4 * m) : 0);
        const value = next() < 0.05 ? null : Math.round(next() * 100);
        const kind = next();
        const metric = kind < 0.15 ? 'mem' : kind < 0.2 ? 'disk' : kind < 0.27 ? 'load' : 'cpu';
        // Entities registered early (late1, late2) report only later on: their `expect` placeholders
        // are replaced by real series in the middle of the run.
        const cpuEntities = i < steps / 2
          ? ['a', 'b', 'c', 'd', 'fresh', 'm1', 'e1']
          : ['a', 'b', 'fresh', 'late1', 'late2', 'e1', 'e2'];
        const churn = pick(CHURN.slice(Math.floor(i / 20), Math.floor(i / 20) + 6));
        const expected = pick(['p0', 'p1', 'p2', 'p3']);
        const entity = metric === 'mem' ? pick(['m1', 'm2', 'm3', 'a', churn, expected])
          : metric === 'load' ? expected
            : next() < 0.3 ? churn : pick(cpuEntities);
        samples.push(sample(entity, at, value, next() < 0.3 ? { core: pick(['0', '1']) } : {}, metric));
      }
      result.push({ kind: 'ingest', samples, advanceMs });
    }
    return result;
  }

  /**
   * Timers due at the same instant fire in the heap's order, which depends on its history (a
   * rollback re-arms timers): within one step, the order across series is not part of the contract.
   */
  function unordered(output: EngineOutput) {
    const sorted = (list: unknown[]) => list.map((item) => JSON.stringify(item)).sort();
    return {
      events: sorted(output.events), changes: sorted(output.changes),
      removed: sorted(output.removed), history: sorted(output.history),
    };
  }

  /** How many forgotten series wait for reuse (private: the test shows the scenario reaches reuse). */
  const spares = (engine: Engine) => (engine as unknown as Internals).spareCount;

  function run(steps: Step[], failEvery: ((index: number) => number) | null) {
    const r = rig(rules(), 'wall', GLOBAL_MAX_SERIES);
    r.engine.upsertMetric(brokenMetadata());
    r.pipeline.ingest([]);
    const committed: unknown[] = [];
    let reused = 0;
    steps.forEach((step, index) => {
      r.clock.now += step.advanceMs;
      if (step.kind === 'entity') {
        r.engine.upsertEntity({ name: step.name, enabled: step.enabled, tags: {} });
        return;
      }
      const once = () => {
        if (step.kind === 'ingest') return r.pipeline.ingest(step.samples);
        if (step.kind === 'reload') return r.pipeline.apply((engine) => engine.reload(ruleSet(step.variant)));
        return r.pipeline.tick();
      };
      const failures = failEvery ? failEvery(index) : 0;
      let output: EngineOutput | undefined;
      for (let f = 0; f < failures && output === undefined; f++) {
        const before = engineState(r.engine);
        r.store.failures = 1;
        try {
          // A step that decides nothing worth storing commits nothing, so it cannot fail.
          output = once();
          expect(r.store.failures).toBe(1);
        } catch (error) {
          expect(error).toBeInstanceOf(StoreUnavailableError);
          expect(engineState(r.engine)).toEqual(before);
        }
      }
      r.store.failures = 0;
      const sparesBefore = spares(r.engine);
      output ??= once();
      // A committed step that took spares out of the list reused them (the list only shrinks so).
      if (step.kind === 'ingest') reused += Math.max(0, sparesBefore - spares(r.engine));
      committed.push(unordered(output));
    });
    const events = r.store.listEvents({ limit: 100_000 });
    return { committed, final: engineState(r.engine), stored: r.store.loadAlertStates(), events, reused };
  }

  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`seed ${seed}: the same events, states and windows as a run without failures`, () => {
      const steps = scenario(seed, 160);
      const clean = run(steps, null);
      const chooser = random(seed * 7919);
      const faulty = run(steps, () => (chooser() < 0.35 ? 1 + Math.floor(chooser() * 2) : 0));
      expect(faulty.committed).toEqual(clean.committed);
      expect(faulty.final).toEqual(clean.final);
      expect(faulty.stored).toEqual(clean.stored);
      expect(faulty.events.map((e) => e.event.id).sort()).toEqual(clean.events.map((e) => e.event.id).sort());
      // The scenario exercised the engine: alerts opened and were cancelled, series expired (some
      // with an open alert), were reused and refused at the caps, in both runs.
      const types = new Set(clean.events.map((e) => e.event.type));
      expect(types.has('alert.open') && types.has('alert.cancel')).toBe(true);
      expect(types.has('rule.error')).toBe(true);
      expect(clean.events.some((e) => JSON.stringify(e.event.data).includes('"expired"'))).toBe(true);
      const stats = clean.final.stats as { seriesExpired: number; seriesRefused: number };
      expect(stats.seriesExpired).toBeGreaterThan(0);
      expect(stats.seriesRefused).toBeGreaterThan(0);
      expect(clean.reused).toBeGreaterThan(0);
      expect(faulty.reused).toBeGreaterThan(0);
    });
  }
});
