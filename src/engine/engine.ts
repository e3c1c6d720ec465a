/**
 * The engine: routes samples to rules, keeps a window and an alert state per (rule, series),
 * evaluates, steps the state machine and returns what happened as data (events, state changes,
 * history). It performs no I/O and reads no clock except the one it is given; the service around
 * it persists the output (state and outbox in one transaction) and runs the timers.
 */
import type { Entity, MetricMetadata, Sample } from '../model/sample.js';
import { EvaluationError } from '../parser/index.js';
import { compileRule, type CompiledRule } from './compiled-rule.js';
import { alertEvent, ruleErrorEvent, type SeriesIdentity } from './events.js';
import { MetricRouter } from './routing.js';
import type { RuleDefinition } from './rule.js';
import { isWithinSchedule } from './schedule.js';
import { TimerQueue, type TimerEntry } from './scheduler.js';
import { identityFromSeriesKey, seriesKeyOf } from './series-key.js';
import { activeSilence, alertLabels, type Silence } from './silences.js';
import {
  hasAlert, initialState, isQuietEvaluation, materiallyChanged, nextDeadline, recordQuietEvaluation, step,
  type AlertState, type Phase, type StepInput, type Transition,
} from './state.js';
import { UndoLog, type SavedFields } from './undo.js';
import { SeriesWindow, type WindowSnapshot } from './window.js';

import { emptyOutput, type EmittedEvent, type EngineOutput, type EngineStats, type HistoryRecord, type MuteReason, type SeriesRecord } from './output.js';

export type { EmittedEvent, EngineOutput, EngineStats, HistoryRecord, MuteReason, SeriesRecord } from './output.js';

/** Live mode: timers follow the wall clock. Data mode (replay, tests): the clock is the newest sample time. */
export type EngineClock = { mode: 'wall'; now: () => number } | { mode: 'data' };

export interface EngineOptions {
  rules: readonly RuleDefinition[];
  clock: EngineClock;
  maxWindowSamples?: number;
  /** Series of all rules together at most (SPEC §4 global cap); each rule also has its `max_series`. */
  maxSeries?: number;
  entities?: Iterable<Entity>;
  metrics?: Iterable<MetricMetadata>;
  silences?: readonly Silence[];
  /** Alert states from the store, restored before the first sample. */
  states?: Iterable<SeriesRecord>;
  /** Window snapshots from the store. */
  windows?: Iterable<{ rule: string; seriesKey: string; snapshot: WindowSnapshot }>;
}

interface Series {
  rule: RuntimeRule;
  key: string;
  identity: SeriesIdentity;
  window: SeriesWindow;
  state: AlertState;
  /** Phase before the last change, for the `before_status` name. */
  beforePhase: Phase;
  /** The state machine's next deadline (pending, keep_firing_for, repeat, no-data). */
  timer: SeriesTimer;
  /** When the series may be forgotten; moved lazily (see `expire`), so a sample costs no heap work. */
  expiry: SeriesTimer;
  /** Engine time of the last sample that reached this series: `series_ttl` counts from here. */
  seenAt: number;
  /** A series made for an `expect`ed entity that has not reported yet: only its no-data timer runs. */
  placeholder: boolean;
  /** Labels of the override that matched the last evaluation, added to the rule's labels. */
  overrideLabels: Record<string, string> | null;
  /** The batch that last saved this series for undo (see `touch`). */
  undoEpoch: number;
}

interface RuntimeRule extends CompiledRule {
  /** The rule's metric selectors, for the router. */
  metrics: readonly string[];
  series: Map<string, Series>;
  lastErrorAt: number;
  /** Entities already matched against `expect` (each is checked once, when first seen). */
  expectChecked: Set<string>;
  /** entity name → its placeholder series, until the entity reports. */
  placeholders: Map<string, Series>;
  /** entity name → the series its last sample went to (default series keys only). */
  lastByEntity: Map<string, Series>;
  /** entity name → how many of this rule's series it has (rules with `expect` only). */
  seriesOfEntity: Map<string, number>;
  /** Engine time of the last rule.error about a refused series. */
  lastRefusalAt: number;
  /** Forgotten series of this rule, kept for reuse (bounded by MAX_SPARE_SERIES over all rules). */
  spare: Series[];
}

type TimerKind = 'alert' | 'expiry';
type SeriesTimer = TimerEntry<Series, TimerKind>;

/** Forgotten series kept for reuse at most, over all rules (see `Engine.spareCount`). */
const MAX_SPARE_SERIES = 4096;

/** The global series cap when none is given (SPEC §4; docs/operations.md "Limits"). */
export const DEFAULT_MAX_SERIES = 1_000_000;

/** How often one rule may emit rule.error events (engine time); further errors are only counted. */
const RULE_ERROR_INTERVAL_MS = 60_000;

export class Engine {
  private rules = new Map<string, RuntimeRule>();
  private router = new MetricRouter<RuntimeRule>([]);
  private readonly timers = new TimerQueue<Series, TimerKind>();
  private readonly entities = new Map<string, Entity>();
  /**
   * Entities that only samples created (not registered through the API or the store), with the
   * number of series that refer to them: one is forgotten with its last series, so memory follows
   * live series, not every container id ever seen.
   */
  private readonly implicitEntities = new Map<string, number>();
  /** `expect` looks at every known entity, those that only samples made included: keep them then. */
  private keepImplicitEntities = false;
  private readonly maxSeries: number;
  private liveSeries = 0;
  /**
   * How many forgotten series the rules keep for reuse (`RuntimeRule.spare`). Where series churn
   * (a new container id every few minutes), each forgotten series would leave its objects
   * (window, state, timers) as old-generation garbage that V8 collects late, so the process grows
   * far beyond its live data; reusing them keeps the peak close to what the live series need
   * (issue 12: churn replay ≤ 2× steady).
   */
  private spareCount = 0;
  private readonly metrics = new Map<string, MetricMetadata>();
  private readonly metricContexts = new Map<string, Record<string, unknown>>();
  private silences: readonly Silence[];
  private readonly clock: EngineClock;
  private readonly maxWindowSamples: number;
  private dataTime = -Infinity;
  private output: EngineOutput = emptyOutput();
  private readonly changed = new Map<Series, true>();
  /** Set when entities or rules changed: `expect` placeholders need a look before the next step. */
  private expectPending = false;
  /** The undo log while `atomically` runs, else null (nothing is recorded). */
  private undo: UndoLog<Series> | null = null;
  private readonly undoLog = new UndoLog<Series>({ objects: 7, numbers: 6 }, (series, saved) =>
    this.restoreSeries(series, saved));
  /**
   * Series forgotten inside `atomically`: they join their rule's spare list only when the batch
   * commits (see `forget`), so a rollback never finds a series it puts back reused for another key.
   */
  private readonly pendingSpare: Series[] = [];
  readonly stats: EngineStats = {
    samples: 0, evaluations: 0, evaluationErrors: 0, evaluationErrorsByRule: {}, droppedSamples: 0, events: {},
    seriesRefused: 0, seriesRefusedByRule: {}, seriesExpired: 0,
  };
  /** One reusable evaluation context: the compiled expressions read it, nothing keeps it. */
  private readonly context = {
    value: null as number | null, text: null as string | null, time: 0, now: 0,
    metric: null as unknown, entity: null as unknown, tags: null as unknown,
    rule: '', severity: '', status: '', before_status: '', repeat_count: 0,
    open_value: null as number | null, alert_duration: null as number | null, window: null as unknown,
  };

  constructor(options: EngineOptions) {
    this.clock = options.clock;
    this.maxWindowSamples = options.maxWindowSamples ?? 10_000;
    this.maxSeries = options.maxSeries ?? DEFAULT_MAX_SERIES;
    this.silences = options.silences ?? [];
    for (const entity of options.entities ?? []) this.entities.set(entity.name, { ...entity, tags: { ...entity.tags } });
    for (const metric of options.metrics ?? []) this.metrics.set(metric.name, metric);
    this.installRules(options.rules.map((definition) => this.runtimeRule(definition)));
    const snapshots = new Map<string, WindowSnapshot>();
    for (const w of options.windows ?? []) snapshots.set(`${w.rule}\u0000${w.seriesKey}`, w.snapshot);
    for (const record of options.states ?? []) {
      const rule = this.rules.get(record.rule);
      if (!rule) continue;
      const snapshot = snapshots.get(`${record.rule}\u0000${record.seriesKey}`);
      // Keys stored before keys were escaped may read differently now (a name with `,` or `=`):
      // the series moves to its current key and the store drops the old row at the next commit.
      const key = record.state.placeholder === true ? record.seriesKey : this.keyOf(rule, record.identity);
      if (rule.series.has(key)) continue;
      const series = this.newSeries(rule, key, record.identity, snapshot);
      series.state = record.state;
      // Without a snapshot the window still learns the last sample the state saw, so a sample the
      // source sends again after a crash is recognised as old instead of re-deciding the alert.
      if (!snapshot && record.state.lastSampleTime !== null) series.window.insert(record.state.lastSampleTime, record.state.lastValue);
      if (record.state.placeholder === true) this.makePlaceholder(rule, series);
      this.restored(series, record.state.lastSeenAt);
      if (key !== record.seriesKey) {
        this.output.removed.push({ rule: record.rule, seriesKey: record.seriesKey });
        this.changed.set(series, true);
      }
    }
    for (const [key, snapshot] of snapshots) {
      const [ruleName, seriesKey] = key.split('\u0000') as [string, string];
      const rule = this.rules.get(ruleName);
      if (rule && !rule.series.has(seriesKey)) {
        const identity = identityFromSeriesKey(seriesKey);
        const series = this.newSeries(rule, seriesKey, identity, snapshot);
        this.restored(series, snapshot.times.length > 0 ? snapshot.times[snapshot.times.length - 1]! : null);
      }
    }
  }

  /**
   * A series restored from the store: its timers run again, and its idle time counts from the
   * restore on a server (the sources could not report while tocsin was down), from its last
   * sample in data time.
   */
  private restored(series: Series, lastSeenAt: number | null): void {
    const now = this.now();
    series.seenAt = Number.isFinite(now) ? now : (lastSeenAt ?? -Infinity);
    this.schedule(series);
    this.scheduleExpiry(series);
  }

  /**
   * Runs `body` (ingest, advance, acknowledge or reload, and the commit of their output) as one
   * unit: when it throws, the engine is put back as it was before — windows, alert states, timers,
   * flapping histories, new, expired and forgotten series, entities, placeholders, the counters of
   * series and entities, the data clock, the rule set and the stats — so the same batch sent again
   * decides the same events (SPEC §4). Nested calls join the outer one.
   */
  atomically<T>(body: () => T): T {
    if (this.undo !== null) return body();
    // Scalars and objects replaced wholesale are saved here, once per batch; what changes in place
    // (series, maps, windows) goes through the undo log.
    const saved = {
      dataTime: this.dataTime, expectPending: this.expectPending, rules: this.rules, router: this.router,
      keepImplicitEntities: this.keepImplicitEntities, liveSeries: this.liveSeries, spareCount: this.spareCount,
      stats: {
        ...this.stats,
        evaluationErrorsByRule: { ...this.stats.evaluationErrorsByRule },
        events: { ...this.stats.events },
        seriesRefusedByRule: { ...this.stats.seriesRefusedByRule },
      },
    };
    const undo = this.undoLog;
    this.undo = undo;
    let committed = false;
    try {
      const result = body();
      committed = true;
      return result;
    } catch (error) {
      undo.rollback();
      this.dataTime = saved.dataTime;
      this.expectPending = saved.expectPending;
      this.rules = saved.rules;
      this.router = saved.router;
      this.keepImplicitEntities = saved.keepImplicitEntities;
      this.liveSeries = saved.liveSeries;
      this.spareCount = saved.spareCount;
      Object.assign(this.stats, saved.stats);
      // A throw inside the engine itself may leave a half-built output behind.
      this.output = emptyOutput();
      this.changed.clear();
      throw error;
    } finally {
      undo.end();
      this.undo = null;
      this.settleSpares(committed);
    }
  }

  /**
   * After a batch: the series it forgot become spares when it committed; after a rollback they
   * are live again (the undo log put them back), so they are dropped from the pending list.
   */
  private settleSpares(committed: boolean): void {
    const pending = this.pendingSpare;
    if (pending.length === 0) return;
    if (committed) {
      for (const series of pending) {
        // A series of a rule the batch replaced (reload) is not kept: its rule is gone.
        if (this.spareCount >= MAX_SPARE_SERIES) break;
        if (this.rules.get(series.rule.definition.name) !== series.rule) continue;
        series.rule.spare.push(series);
        this.spareCount++;
      }
    }
    pending.length = 0;
  }

  /** The engine's current time: wall time live, the newest sample time in data mode. */
  now(): number {
    return this.clock.mode === 'wall' ? this.clock.now() : this.dataTime;
  }

  ruleNames(): string[] {
    return [...this.rules.keys()];
  }

  /**
   * Routes, evaluates and steps a batch of samples. In data time the samples with time T are
   * applied before the timers due at T (SPEC §4): a sample moving the clock past T first fires the
   * timers due before its own time, so a `for` completing at T sees the sample at T (Prometheus
   * evaluates the condition at T). Timers due at the newest sample time wait for a later sample or
   * `advance()`, because more samples with that time may come in the next batch. Live mode fires
   * every due timer after the batch.
   */
  ingest(samples: readonly Sample[]): EngineOutput {
    for (const sample of samples) {
      if (this.clock.mode === 'data') {
        if (sample.time > this.dataTime) {
          this.fireTimers(sample.time, false);
          this.dataTime = sample.time;
        }
      }
      if (this.expectPending) this.checkExpectations();
      this.ingestOne(sample);
    }
    if (this.clock.mode === 'wall') this.fireTimers(this.clock.now());
    return this.flush();
  }

  /** Fires every timer due at or before `now` (data mode: also moves the clock). */
  advance(now: number = this.now()): EngineOutput {
    if (this.expectPending) this.checkExpectations();
    this.fireTimers(now);
    if (this.clock.mode === 'data' && now > this.dataTime) this.dataTime = now;
    return this.flush();
  }

  acknowledge(alertId: string): { found: boolean; output: EngineOutput } {
    for (const rule of this.rules.values()) {
      for (const series of rule.series.values()) {
        if (series.state.alertId === alertId && series.state.phase === 'open') {
          this.apply(series, { kind: 'acknowledge' }, this.now());
          return { found: true, output: this.flush() };
        }
      }
    }
    return { found: false, output: this.flush() };
  }

  /** Entries in the timer heap (at most two per series): for tests and benchmarks. */
  timerCount(): number {
    return this.timers.size;
  }

  setSilences(silences: readonly Silence[]): void {
    this.silences = silences;
  }

  upsertEntity(entity: Entity): void {
    this.entities.set(entity.name, { ...entity, tags: { ...entity.tags } });
    // Registered now: it stays when its series go.
    this.implicitEntities.delete(entity.name);
    // A changed entity may now match (or no longer match) an `expect`.
    for (const rule of this.rules.values()) rule.expectChecked.delete(entity.name);
    this.expectPending = true;
  }

  upsertMetric(metric: MetricMetadata): void {
    this.metrics.set(metric.name, metric);
    this.metricContexts.delete(metric.name);
  }

  entity(name: string): Entity | undefined {
    return this.entities.get(name);
  }

  /**
   * Replaces the rule set. Rules whose definition did not change keep their windows and states;
   * changed rules keep their alert states (the state machine continues with the new settings) and
   * keep windows when the window is the same; removed rules cancel their open alerts.
   */
  reload(definitions: readonly RuleDefinition[]): EngineOutput {
    const next: RuntimeRule[] = [];
    const now = this.now();
    const seen = new Set<string>();
    for (const definition of definitions) {
      seen.add(definition.name);
      const old = this.rules.get(definition.name);
      const fresh = this.runtimeRule(definition);
      if (old && old.fingerprint === fresh.fingerprint) {
        next.push(old);
        continue;
      }
      if (old) {
        const sameWindow = JSON.stringify(old.definition.window) === JSON.stringify(definition.window);
        for (const series of old.series.values()) {
          this.unscheduleAll(series);
          // The moved series holds the entity again (newSeries); the old one lets go.
          this.releaseEntity(series.identity.entity);
          const moved = this.newSeries(fresh, series.key, series.identity, sameWindow ? series.window.toSnapshot() : undefined);
          moved.state = series.state;
          moved.beforePhase = series.beforePhase;
          moved.seenAt = series.seenAt;
          if (series.placeholder) this.makePlaceholder(fresh, moved);
          this.schedule(moved);
          this.scheduleExpiry(moved);
        }
      }
      next.push(fresh);
    }
    for (const [name, rule] of this.rules) {
      if (seen.has(name)) continue;
      for (const series of rule.series.values()) {
        this.apply(series, { kind: 'remove', reason: 'rule_removed' }, Number.isFinite(now) ? now : Date.now());
        this.output.removed.push({ rule: name, seriesKey: series.key });
        this.changed.delete(series);
        this.unscheduleAll(series);
        this.releaseEntity(series.identity.entity);
      }
    }
    this.installRules(next);
    this.liveSeries = this.seriesCount();
    this.spareCount = 0;
    for (const rule of next) this.spareCount += rule.spare.length;
    return this.flush();
  }

  /** Open and pending alerts, nodata alerts included: copies, never live state. */
  alerts(): SeriesRecord[] {
    const result: SeriesRecord[] = [];
    for (const rule of this.rules.values()) {
      for (const series of rule.series.values()) {
        if (hasAlert(series.state)) result.push(this.record(series));
      }
    }
    return result;
  }

  /** Every series' window, for periodic and shutdown snapshots. */
  windowSnapshots(): Array<{ rule: string; seriesKey: string; snapshot: WindowSnapshot }> {
    const result = [];
    for (const rule of this.rules.values()) {
      for (const series of rule.series.values()) {
        if (series.window.length > 0) result.push({ rule: rule.definition.name, seriesKey: series.key, snapshot: series.window.toSnapshot() });
      }
    }
    return result;
  }

  /** Every series' state (idle ones included), for a full persistence snapshot. */
  seriesRecords(): SeriesRecord[] {
    const result: SeriesRecord[] = [];
    for (const rule of this.rules.values()) for (const series of rule.series.values()) result.push(this.record(series));
    return result;
  }

  seriesCount(): number {
    let count = 0;
    for (const rule of this.rules.values()) count += rule.series.size;
    return count;
  }

  private runtimeRule(definition: RuleDefinition): RuntimeRule {
    return Object.assign(compileRule(definition), {
      metrics: definition.metrics, series: new Map<string, Series>(), lastErrorAt: -Infinity,
      expectChecked: new Set<string>(), placeholders: new Map<string, Series>(), lastByEntity: new Map<string, Series>(),
      seriesOfEntity: new Map<string, number>(), lastRefusalAt: -Infinity, spare: [],
    });
  }

  private installRules(rules: RuntimeRule[]): void {
    this.expectPending = true;
    this.keepImplicitEntities = rules.some((rule) => rule.expect !== null);
    this.rules = new Map(rules.map((rule) => [rule.definition.name, rule]));
    this.router = new MetricRouter(rules.filter((rule) => rule.definition.enabled));
  }

  private newSeries(rule: RuntimeRule, key: string, identity: SeriesIdentity, snapshot?: WindowSnapshot): Series {
    const series = snapshot ? undefined : this.reuse(rule, key, identity);
    this.undo?.entry(rule.series, key);
    if (series) {
      rule.series.set(key, series);
    } else {
      const window = snapshot
        ? SeriesWindow.fromSnapshot(rule.definition.window, snapshot, this.maxWindowSamples)
        : new SeriesWindow(rule.definition.window, this.maxWindowSamples);
      const fresh: Series = {
        rule, key, identity, window, state: initialState(rule.definition.severity), beforePhase: 'inactive',
        // Set just below: an entry needs its series.
        timer: null as unknown as SeriesTimer, expiry: null as unknown as SeriesTimer,
        seenAt: -Infinity, placeholder: false, overrideLabels: null, undoEpoch: 0,
      };
      fresh.timer = this.timers.entry(fresh, 'alert');
      fresh.expiry = this.timers.entry(fresh, 'expiry');
      rule.series.set(key, fresh);
      return this.registered(rule, fresh);
    }
    return this.registered(rule, series);
  }

  /** A spare series of the same rule, reset for `key` (its window and state emptied in place). */
  private reuse(rule: RuntimeRule, key: string, identity: SeriesIdentity): Series | undefined {
    const series = rule.spare.pop();
    if (series === undefined) return undefined;
    // A spare was forgotten in a batch that committed (see `forget`): nothing the undo log can put
    // back refers to it, so resetting it in place is safe. A rollback returns it to the spare list
    // (spareCount is restored by `atomically`) and removes it from `rule.series` (newSeries).
    this.undo?.step(() => void rule.spare.push(series));
    this.spareCount--;
    series.key = key;
    series.identity = identity;
    series.window.clear();
    const state = series.state;
    // Optional fields cannot be cleared by assigning the initial state over them: start afresh then.
    const initial = initialState(rule.definition.severity);
    if (state.placeholder !== undefined || state.flappingOwed !== undefined) series.state = initial;
    else Object.assign(state, initial);
    series.beforePhase = 'inactive';
    series.seenAt = -Infinity;
    series.placeholder = false;
    series.overrideLabels = null;
    return series;
  }

  private registered(rule: RuntimeRule, series: Series): Series {
    const identity = series.identity;
    this.liveSeries++;
    if (rule.expect) {
      this.undo?.entry(rule.seriesOfEntity, identity.entity);
      rule.seriesOfEntity.set(identity.entity, (rule.seriesOfEntity.get(identity.entity) ?? 0) + 1);
    }
    this.holdEntity(identity.entity);
    // Saved as new (no timers, initial state): a rollback leaves it unscheduled, out of every map.
    this.touch(series);
    return series;
  }

  /** The series key of an identity under a rule. */
  private keyOf(rule: RuntimeRule, identity: SeriesIdentity): string {
    const { groupBy } = rule.definition;
    return seriesKeyOf(groupBy, rule.keyIncludesMetric, identity.metric, identity.entity, identity.tags);
  }

  private makePlaceholder(rule: RuntimeRule, series: Series): void {
    series.placeholder = true;
    if (series.state.placeholder !== true) series.state = { ...series.state, placeholder: true };
    this.undo?.entry(rule.placeholders, series.identity.entity);
    rule.placeholders.set(series.identity.entity, series);
  }

  /** A series refers to the entity: an entity that only samples made stays while this holds. */
  private holdEntity(name: string): void {
    // Without `expect`, an entity only samples made is its name and nothing else: `entityFor`
    // makes it when needed, and nothing is kept per entity.
    if (!this.keepImplicitEntities) return;
    if (this.entities.has(name) && !this.implicitEntities.has(name)) return;
    // A sample for an unknown entity creates it (SPEC §1).
    if (!this.entities.has(name)) {
      this.undo?.entry(this.entities, name);
      this.entities.set(name, { name, enabled: true, tags: {} });
    }
    this.undo?.entry(this.implicitEntities, name);
    this.implicitEntities.set(name, (this.implicitEntities.get(name) ?? 0) + 1);
  }

  private releaseEntity(name: string): void {
    const count = this.implicitEntities.get(name);
    if (count === undefined) return;
    this.undo?.entry(this.implicitEntities, name);
    if (count > 1) {
      this.implicitEntities.set(name, count - 1);
      return;
    }
    this.implicitEntities.delete(name);
    this.undo?.entry(this.entities, name);
    this.entities.delete(name);
    for (const rule of this.rules.values()) {
      if (!rule.expectChecked.has(name)) continue;
      this.undo?.member(rule.expectChecked, name);
      rule.expectChecked.delete(name);
    }
  }

  private entityFor(name: string): Entity {
    return this.entities.get(name) ?? { name, enabled: true, tags: {} };
  }

  private metricContext(name: string): Record<string, unknown> {
    let context = this.metricContexts.get(name);
    if (!context) {
      const meta = this.metrics.get(name);
      context = { name, label: meta?.label ?? null, units: meta?.units ?? null, description: meta?.description ?? null, tags: meta?.tags ?? {} };
      this.metricContexts.set(name, context);
    }
    return context;
  }

  private ingestOne(sample: Sample): void {
    this.stats.samples++;
    const rules = this.router.rulesFor(sample.metric);
    if (rules.length === 0) return;
    const entity = this.entityFor(sample.entity);
    if (!entity.enabled) return;
    const now = this.now();
    const ctx = this.context;
    ctx.value = sample.value;
    ctx.text = sample.text ?? null;
    ctx.time = sample.time;
    ctx.now = now;
    ctx.metric = this.metricContext(sample.metric);
    ctx.entity = entity;
    ctx.tags = sample.tags;
    for (const rule of rules) {
      const definition = rule.definition;
      ctx.rule = definition.name;
      ctx.severity = definition.severity;
      ctx.window = null;
      ctx.status = 'inactive';
      ctx.before_status = 'inactive';
      ctx.repeat_count = 0;
      ctx.open_value = null;
      ctx.alert_duration = null;
      if (rule.filter && !this.test(rule, rule.filter, null, now)) continue;
      const series = this.seriesFor(rule, sample, now);
      if (series === null) continue;
      series.seenAt = now;
      if (!series.window.insert(sample.time, sample.value)) {
        this.stats.droppedSamples++;
        continue;
      }
      const state = series.state;
      ctx.window = series.window;
      ctx.status = state.phase;
      ctx.before_status = series.beforePhase;
      ctx.repeat_count = state.repeatCount;
      ctx.open_value = state.openValue;
      ctx.alert_duration = state.openTime === null ? null : (now - state.openTime) / 1000;
      let severity = definition.severity;
      let disabled = false;
      series.overrideLabels = null;
      for (const override of rule.overrides) {
        if (this.test(rule, override.when, series.key, now)) {
          if (override.severity) severity = override.severity;
          if (override.labels) series.overrideLabels = override.labels;
          disabled = override.disabled === true;
          break;
        }
      }
      if (disabled) continue;
      ctx.severity = severity;
      this.stats.evaluations++;
      const firing = this.test(rule, rule.condition, series.key, now);
      const clear = rule.cancelWhen ? this.test(rule, rule.cancelWhen, series.key, now) : !firing;
      const input: StepInput = { kind: 'evaluation', firing, clear, value: sample.value, sampleTime: sample.time, severity };
      if (isQuietEvaluation(state, input, series.rule.stepRule)) {
        recordQuietEvaluation(state, input, now);
        // Only the no-data timer can move on a quiet evaluation.
        if (series.rule.stepRule.noDataMs !== null) this.schedule(series);
      } else {
        this.apply(series, input, now);
      }
    }
  }

  /**
   * The series a sample belongs to. With the default key (entity and all tags) the entity's last
   * series is tried first by comparing tag contents: building and hashing a key string for every
   * sample was the engine's hottest cost (bench/engine.js).
   */
  private seriesFor(rule: RuntimeRule, sample: Sample, now: number): Series | null {
    const defaultKey = rule.definition.groupBy === null;
    let series = defaultKey ? rule.lastByEntity.get(sample.entity) : undefined;
    if (series === undefined || series.placeholder || series.identity.metric !== sample.metric || !sameTags(series.identity.tags, sample.tags)) {
      const key = seriesKeyOf(rule.definition.groupBy, rule.keyIncludesMetric, sample.metric, sample.entity, sample.tags);
      series = rule.series.get(key);
      if (!series) {
        if (this.refused(rule, key, now)) return null;
        if (rule.placeholders.size > 0) this.entityReported(rule, sample.entity, now);
        series = this.newSeries(rule, key, { metric: sample.metric, entity: sample.entity, tags: sample.tags }, undefined);
        series.seenAt = now;
        this.scheduleExpiry(series);
      } else if (series.placeholder) {
        // The expected entity reported under the placeholder's own key: it becomes a real series,
        // and the evaluation that follows cancels a nodata alert with reason data_resumed.
        this.touch(series);
        series.placeholder = false;
        const { placeholder: _, ...state } = series.state;
        series.state = state;
        this.changed.set(series, true);
        this.undo?.entry(rule.placeholders, sample.entity);
        rule.placeholders.delete(sample.entity);
        series.seenAt = now;
        this.scheduleExpiry(series);
      }
      if (defaultKey && rule.lastByEntity.get(sample.entity) !== series) {
        this.undo?.entry(rule.lastByEntity, sample.entity);
        rule.lastByEntity.set(sample.entity, series);
      }
    }
    // Before the first change of this series in the batch (identity here, then window, seenAt,
    // state in ingestOne). Without an undo log this is one comparison.
    this.touch(series);
    // With group_by, tags outside the key may change: the identity follows the latest sample.
    if (series.identity.metric !== sample.metric || !sameTags(series.identity.tags, sample.tags)) {
      series.identity = { metric: sample.metric, entity: sample.entity, tags: sample.tags };
    }
    return series;
  }

  /**
   * Caps (SPEC §4): a new series over the rule's `max_series` or the engine's global cap is
   * refused. The sample is not evaluated by this rule; the refusal is counted and reported by a
   * rule.error event at most once a minute per rule (engine time), so a flood of new ids does not
   * become a flood of events.
   */
  private refused(rule: RuntimeRule, key: string, now: number): boolean {
    const perRule = rule.series.size >= rule.definition.maxSeries;
    if (!perRule && this.liveSeries < this.maxSeries) return false;
    const name = rule.definition.name;
    this.stats.seriesRefused++;
    this.stats.seriesRefusedByRule[name] = (this.stats.seriesRefusedByRule[name] ?? 0) + 1;
    if (now - rule.lastRefusalAt >= RULE_ERROR_INTERVAL_MS) {
      this.undo?.property(rule, 'lastRefusalAt');
      rule.lastRefusalAt = now;
      const message = perRule
        ? `series limit reached: rule '${name}' has ${rule.series.size} series `
          + `(max_series ${rule.definition.maxSeries}); `
          + 'samples of new series are not evaluated until idle series expire (series_ttl), or raise max_series'
        : `series limit reached: all rules together have ${this.liveSeries} series (global cap ${this.maxSeries}); `
          + 'samples of new series are not evaluated until idle series expire (series_ttl), or raise TOCSIN_MAX_SERIES';
      const where = `${rule.definition.file}:${rule.definition.line}:1`;
      const event = ruleErrorEvent(rule.definition, key, message, where, '', Number.isFinite(now) ? now : 0);
      this.count(event.type);
      this.output.events.push({ event, rule: name, notify: [] });
    }
    return true;
  }

  /**
   * `expect`: entities that must report. Every known entity matching a rule's expect expression
   * and without a series of that rule gets a placeholder series whose no-data timer starts now,
   * so an entity that never reports still raises alert.nodata.
   */
  private checkExpectations(): void {
    const now = this.now();
    if (!Number.isFinite(now)) return;
    this.expectPending = false;
    const ctx = this.context;
    for (const rule of this.rules.values()) {
      if (!rule.expect || rule.definition.noDataMs === null || !rule.definition.enabled) continue;
      for (const entity of this.entities.values()) {
        if (rule.expectChecked.has(entity.name)) continue;
        this.undo?.member(rule.expectChecked, entity.name);
        rule.expectChecked.add(entity.name);
        ctx.entity = entity;
        ctx.metric = this.metricContext(rule.definition.metrics[0] ?? '');
        ctx.tags = EMPTY_TAGS;
        ctx.value = null;
        ctx.text = null;
        ctx.time = now;
        ctx.now = now;
        ctx.rule = rule.definition.name;
        ctx.window = null;
        const expected = entity.enabled && this.test(rule, rule.expect, null, now);
        const existing = rule.placeholders.get(entity.name);
        if (!expected) {
          if (existing) this.entityReported(rule, entity.name, now);
          continue;
        }
        if (existing || (rule.seriesOfEntity.get(entity.name) ?? 0) > 0) continue;
        const key = seriesKeyOf(rule.definition.groupBy, rule.keyIncludesMetric, rule.definition.metrics[0] ?? '', entity.name, EMPTY_TAGS);
        const series = this.newSeries(rule, key, { metric: rule.definition.metrics[0] ?? '', entity: entity.name, tags: {} }, undefined);
        series.state = { ...series.state, lastSeenAt: now };
        series.seenAt = now;
        this.makePlaceholder(rule, series);
        this.changed.set(series, true);
        this.schedule(series);
      }
    }
  }

  /** The entity reported (or is no longer expected): its placeholder goes, cancelling a nodata alert. */
  private entityReported(rule: RuntimeRule, entity: string, now: number): void {
    const placeholder = rule.placeholders.get(entity);
    if (!placeholder) return;
    this.forget(placeholder, 'data_resumed', now);
  }

  /**
   * Drops a series with its window and timers; an open alert (or no-data alert) is cancelled with
   * `reason` first. The store is told to delete its state.
   */
  private forget(series: Series, reason: string, now: number): void {
    const rule = series.rule;
    if (hasAlert(series.state)) this.apply(series, { kind: 'remove', reason }, now);
    this.unscheduleAll(series);
    if (rule.series.get(series.key) === series) {
      this.undo?.entry(rule.series, series.key);
      rule.series.delete(series.key);
      this.liveSeries--;
    }
    const entity = series.identity.entity;
    if (rule.placeholders.get(entity) === series) {
      this.undo?.entry(rule.placeholders, entity);
      rule.placeholders.delete(entity);
    }
    if (rule.lastByEntity.get(entity) === series) {
      this.undo?.entry(rule.lastByEntity, entity);
      rule.lastByEntity.delete(entity);
    }
    if (rule.expect) {
      this.undo?.entry(rule.seriesOfEntity, entity);
      const left = (rule.seriesOfEntity.get(entity) ?? 1) - 1;
      if (left > 0) rule.seriesOfEntity.set(entity, left);
      else rule.seriesOfEntity.delete(entity);
    }
    this.changed.delete(series);
    this.output.removed.push({ rule: rule.definition.name, seriesKey: series.key });
    this.releaseEntity(entity);
    if (this.undo !== null) {
      // Inside a batch the series only becomes a spare when the batch commits (settleSpares): a
      // rollback puts it back live with the fields `touch` saved, which must not have been reset
      // by a reuse for another key in the meantime. Deferring is simpler to prove than journaling
      // the reuse: a spare is never referenced by anything a rollback restores.
      this.pendingSpare.push(series);
    } else if (this.spareCount < MAX_SPARE_SERIES) {
      rule.spare.push(series);
      this.spareCount++;
    }
  }

  private unscheduleAll(series: Series): void {
    this.touch(series);
    this.timers.delete(series.timer);
    this.timers.delete(series.expiry);
  }

  /** Evaluates a boolean expression; a runtime failure is a rule.error event, never an exception. */
  private test(rule: RuntimeRule, expression: CompiledRule['condition'], seriesKey: string | null, now: number): boolean {
    try {
      return expression.compiled.evaluate(this.context) === true;
    } catch (error) {
      this.stats.evaluationErrors++;
      const name = rule.definition.name;
      this.stats.evaluationErrorsByRule[name] = (this.stats.evaluationErrorsByRule[name] ?? 0) + 1;
      if (now - rule.lastErrorAt >= RULE_ERROR_INTERVAL_MS) {
        this.undo?.property(rule, 'lastErrorAt');
        rule.lastErrorAt = now;
        const location = error instanceof EvaluationError ? `${error.diagnostic.file}:${error.diagnostic.line}:${error.diagnostic.column}` : null;
        const message = error instanceof Error ? error.message : String(error);
        const event = ruleErrorEvent(rule.definition, seriesKey, message, location, expression.compiled.source, Number.isFinite(now) ? now : 0);
        this.count(event.type);
        this.output.events.push({ event, rule: rule.definition.name, notify: [] });
      }
      return false;
    }
  }

  private apply(series: Series, input: StepInput, now: number): void {
    this.touch(series);
    const before = series.state;
    const { state, transitions } = step(before, input, now, { rule: series.rule.stepRule, seriesKey: series.key });
    series.state = state;
    if (state.phase !== before.phase) series.beforePhase = before.phase;
    if (transitions.length > 0 || materiallyChanged(before, state)) this.changed.set(series, true);
    for (const transition of transitions) this.emit(series, transition);
    this.schedule(series);
  }

  private emit(series: Series, transition: Transition): void {
    const rule = series.rule.definition;
    const entity = this.entityFor(series.identity.entity);
    const event = alertEvent(transition, rule, series.key, series.identity, entity, this.metrics.get(series.identity.metric));
    event.data.window_count = series.window.length;
    if (series.overrideLabels) event.data.labels = { ...event.data.labels, ...series.overrideLabels };
    let mutedBy: MuteReason | undefined = transition.mutedBy;
    let silenceId: string | undefined;
    // Schedules and silences mute opens, repeats and nodata, never a cancel: a receiver that got the
    // open before the silence began must learn that the alert is over.
    const mutable = transition.type !== 'alert.cancel';
    if (mutable && !mutedBy && rule.schedule && !isWithinSchedule(rule.schedule, transition.time)) mutedBy = 'schedule';
    if (mutable && !mutedBy && this.silences.length > 0) {
      const silence = activeSilence(this.silences, alertLabels(event.data as unknown as Record<string, unknown>, rule.labels), transition.time);
      if (silence) {
        mutedBy = 'silence';
        silenceId = silence.id;
      }
    }
    this.count(event.type);
    const emitted: EmittedEvent = { event, rule: rule.name, notify: rule.notify };
    if (mutedBy) emitted.mutedBy = mutedBy;
    if (silenceId) emitted.silenceId = silenceId;
    this.output.events.push(emitted);
    const details: HistoryRecord['details'] = { before: transition.before, severity: transition.severity, repeatCount: transition.repeatCount };
    if (transition.reason) details.reason = transition.reason;
    if (mutedBy) details.mutedBy = mutedBy;
    this.output.history.push({
      alertId: transition.alertId, rule: rule.name, seriesKey: series.key, type: transition.type,
      time: transition.time, value: transition.value, eventId: transition.eventId, details,
    });
  }

  private count(type: string): void {
    this.stats.events[type] = (this.stats.events[type] ?? 0) + 1;
  }

  /** Puts the series' state-machine timer at its next deadline (or unschedules it). */
  private schedule(series: Series): void {
    const deadline = nextDeadline(series.state, series.rule.stepRule);
    if (deadline === null) this.timers.delete(series.timer);
    else this.timers.set(series.timer, deadline);
  }

  /** Placeholders wait for their entity and never expire; other series expire `series_ttl` after their last sample. */
  private scheduleExpiry(series: Series): void {
    if (series.placeholder) this.timers.delete(series.expiry);
    else this.timers.set(series.expiry, series.seenAt + series.rule.definition.seriesTtlMs);
  }

  /**
   * The expiry timer of a series is due. Samples do not move it (that would cost heap work on
   * every sample); it is checked here instead and moved to `seenAt + series_ttl` when the series
   * reported since. A series whose alert.nodata is open is kept (SPEC §4) and looked at again one
   * `series_ttl` later.
   */
  private expire(series: Series, at: number): void {
    this.touch(series);
    const ttl = series.rule.definition.seriesTtlMs;
    if (series.placeholder) return;
    if (series.seenAt + ttl > at) {
      this.timers.set(series.expiry, series.seenAt + ttl);
      return;
    }
    // A state-machine timer due at the same instant goes first: series_ttl is never shorter than
    // `for`, keep_firing_for and no_data, so what they decide at that time still happens.
    if (this.timers.scheduled(series.timer) && series.timer.at <= at) {
      const due = series.timer.at;
      this.timers.delete(series.timer);
      this.apply(series, { kind: 'tick' }, this.clock.mode === 'data' ? due : at);
    }
    if (series.state.nodata !== null) {
      this.timers.set(series.expiry, at + ttl);
      return;
    }
    this.stats.seriesExpired++;
    this.forget(series, 'expired', at);
  }

  /** Fires the timers due before `until` (and at `until` when `inclusive`), in time order. */
  private fireTimers(until: number, inclusive = true): void {
    const due = (at: number) => at < until || (inclusive && at === until);
    for (let entry = this.timers.peek(); entry && due(entry.at); entry = this.timers.peek()) {
      const series = entry.target;
      // Saved while its entry is still armed: a rollback arms it again.
      this.touch(series);
      this.timers.pop();
      const at = this.clock.mode === 'data' ? entry.at : until;
      if (entry.kind === 'expiry') this.expire(series, at);
      else this.apply(series, { kind: 'tick' }, at);
    }
  }

  /**
   * Inside `atomically`, before the first change of a series in the batch: saves what a batch can
   * change in it (7 objects and 6 numbers, in flat arrays reused from batch to batch, so the hot
   * path allocates nothing). `step` replaces the state object, so keeping the reference is enough for
   * it; `recordQuietEvaluation` updates five fields in place, which are saved by value. The two
   * timer entries are saved as their due time (null when not in the heap). A field added to Series
   * or an in-place update added to AlertState must be added here and in `restoreSeries`
   * (test/service/pipeline-atomic.test.ts compares runs with and without failures).
   * Not saved: `key`, `rule` and `window` never change for a series that is live before the batch
   * (only `reuse` changes the key, and it takes spares, which are not live; see `forget`).
   */
  private touch(series: Series): void {
    const undo = this.undo;
    if (undo === null || !undo.first(series)) return;
    const state = series.state;
    undo.saveObject(state);
    undo.saveObject(state.severity);
    undo.saveObject(state.firing);
    undo.saveObject(series.identity);
    undo.saveObject(series.beforePhase);
    undo.saveObject(series.placeholder);
    undo.saveObject(series.overrideLabels);
    undo.saveNumber(state.lastValue);
    undo.saveNumber(state.lastSampleTime);
    undo.saveNumber(state.lastSeenAt);
    undo.saveNumber(series.seenAt);
    undo.saveNumber(series.timer.index >= 0 ? series.timer.at : null);
    undo.saveNumber(series.expiry.index >= 0 ? series.expiry.at : null);
    series.window.beginUndo(undo.windows);
  }

  /** Puts back what `touch` saved, read in the same order, and re-arms both timer entries as they were. */
  private restoreSeries(series: Series, saved: SavedFields): void {
    const state = saved.object<AlertState>();
    state.severity = saved.object<AlertState['severity']>();
    state.firing = saved.object<boolean>();
    series.identity = saved.object<SeriesIdentity>();
    series.beforePhase = saved.object<Phase>();
    series.placeholder = saved.object<boolean>();
    series.overrideLabels = saved.object<Record<string, string> | null>();
    state.lastValue = saved.number();
    state.lastSampleTime = saved.number();
    state.lastSeenAt = saved.number();
    series.seenAt = saved.number() ?? -Infinity;
    series.state = state;
    this.rearm(series.timer, saved.number());
    this.rearm(series.expiry, saved.number());
  }

  /** A timer entry back at its saved due time, or out of the heap (a series new in the batch). */
  private rearm(entry: SeriesTimer, at: number | null): void {
    if (at === null) this.timers.delete(entry);
    else this.timers.set(entry, at);
  }

  private record(series: Series): SeriesRecord {
    return { rule: series.rule.definition.name, seriesKey: series.key, identity: series.identity, state: { ...series.state } };
  }

  private flush(): EngineOutput {
    for (const series of this.changed.keys()) this.output.changes.push(this.record(series));
    this.changed.clear();
    const output = this.output;
    this.output = emptyOutput();
    return output;
  }
}

const EMPTY_TAGS: Readonly<Record<string, string>> = Object.freeze({});

/** Same tag names and values (the objects themselves usually differ: each sample brings its own). */
function sameTags(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  if (a === b) return true;
  let count = 0;
  for (const name in a) {
    if (a[name] !== b[name]) return false;
    count++;
  }
  for (const _ in b) count--;
  return count === 0;
}

