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
import { TimerQueue } from './scheduler.js';
import { identityFromSeriesKey, seriesKeyOf } from './series-key.js';
import { activeSilence, alertLabels, type Silence } from './silences.js';
import { initialState, isIdle, isQuietEvaluation, materiallyChanged, nextDeadline, recordQuietEvaluation, step, type AlertState, type Phase, type StepInput, type Transition } from './state.js';
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
  deadline: number | null;
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
}

/** How often one rule may emit rule.error events (engine time); further errors are only counted. */
const RULE_ERROR_INTERVAL_MS = 60_000;

export class Engine {
  private rules = new Map<string, RuntimeRule>();
  private router = new MetricRouter<RuntimeRule>([]);
  private readonly timers = new TimerQueue<Series>();
  private readonly entities = new Map<string, Entity>();
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
  private readonly undoLog = new UndoLog<Series>({ objects: 7, numbers: 3 }, (series, saved) =>
    this.restoreSeries(series, saved));
  readonly stats: EngineStats = { samples: 0, evaluations: 0, evaluationErrors: 0, evaluationErrorsByRule: {}, droppedSamples: 0, events: {} };
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
      const series = this.newSeries(rule, record.seriesKey, record.identity, snapshot);
      series.state = record.state;
      // Without a snapshot the window still learns the last sample the state saw, so a sample the
      // source sends again after a crash is recognised as old instead of re-deciding the alert.
      if (!snapshot && record.state.lastSampleTime !== null) series.window.insert(record.state.lastSampleTime, record.state.lastValue);
      this.schedule(series);
    }
    for (const [key, snapshot] of snapshots) {
      const [ruleName, seriesKey] = key.split('\u0000') as [string, string];
      const rule = this.rules.get(ruleName);
      if (rule && !rule.series.has(seriesKey)) {
        const identity = identityFromSeriesKey(seriesKey);
        this.newSeries(rule, seriesKey, identity, snapshot);
      }
    }
  }

  /**
   * Runs `body` (ingest, advance, acknowledge or reload, and the commit of their output) as one
   * unit: when it throws, the engine is put back as it was before — windows, alert states, timers,
   * flapping histories, new series and entities, the data clock, the rule set and the counters —
   * so the same batch sent again decides the same events (SPEC §4). Nested calls join the outer one.
   */
  atomically<T>(body: () => T): T {
    if (this.undo !== null) return body();
    const saved = {
      dataTime: this.dataTime, expectPending: this.expectPending, rules: this.rules, router: this.router,
      stats: {
        ...this.stats,
        evaluationErrorsByRule: { ...this.stats.evaluationErrorsByRule },
        events: { ...this.stats.events },
      },
    };
    const undo = this.undoLog;
    this.undo = undo;
    try {
      return body();
    } catch (error) {
      undo.rollback();
      this.dataTime = saved.dataTime;
      this.expectPending = saved.expectPending;
      this.rules = saved.rules;
      this.router = saved.router;
      Object.assign(this.stats, saved.stats);
      // A throw inside the engine itself may leave a half-built output behind.
      this.output = emptyOutput();
      this.changed.clear();
      throw error;
    } finally {
      undo.end();
      this.undo = null;
    }
  }

  /** The engine's current time: wall time live, the newest sample time in data mode. */
  now(): number {
    return this.clock.mode === 'wall' ? this.clock.now() : this.dataTime;
  }

  ruleNames(): string[] {
    return [...this.rules.keys()];
  }

  /** Routes, evaluates and steps a batch of samples; due timers fire first, in time order. */
  ingest(samples: readonly Sample[]): EngineOutput {
    for (const sample of samples) {
      if (this.clock.mode === 'data') {
        if (sample.time > this.dataTime) {
          this.fireTimers(sample.time);
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

  setSilences(silences: readonly Silence[]): void {
    this.silences = silences;
  }

  upsertEntity(entity: Entity): void {
    this.entities.set(entity.name, { ...entity, tags: { ...entity.tags } });
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
          const moved = this.newSeries(fresh, series.key, series.identity, sameWindow ? series.window.toSnapshot() : undefined);
          moved.state = series.state;
          moved.beforePhase = series.beforePhase;
          this.schedule(moved);
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
      }
    }
    this.installRules(next);
    return this.flush();
  }

  /** Open and pending alerts, nodata alerts included: copies, never live state. */
  alerts(): SeriesRecord[] {
    const result: SeriesRecord[] = [];
    for (const rule of this.rules.values()) {
      for (const series of rule.series.values()) {
        if (!isIdle(series.state)) result.push(this.record(series));
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
      metrics: definition.metrics, series: new Map<string, Series>(), lastErrorAt: -Infinity, expectChecked: new Set<string>(), placeholders: new Map<string, Series>(), lastByEntity: new Map<string, Series>(),
    });
  }

  private installRules(rules: RuntimeRule[]): void {
    this.expectPending = true;
    this.rules = new Map(rules.map((rule) => [rule.definition.name, rule]));
    this.router = new MetricRouter(rules.filter((rule) => rule.definition.enabled));
  }

  private newSeries(rule: RuntimeRule, key: string, identity: SeriesIdentity, snapshot?: WindowSnapshot): Series {
    const window = snapshot
      ? SeriesWindow.fromSnapshot(rule.definition.window, snapshot, this.maxWindowSamples)
      : new SeriesWindow(rule.definition.window, this.maxWindowSamples);
    const series: Series = {
      rule, key, identity, window, state: initialState(rule.definition.severity), beforePhase: 'inactive',
      deadline: null, placeholder: false, overrideLabels: null, undoEpoch: 0,
    };
    this.undo?.entry(rule.series, key);
    rule.series.set(key, series);
    // Recorded as new: a rollback leaves it without a deadline, so a timer pushed for it is stale.
    this.touch(series);
    return series;
  }

  private entityFor(name: string): Entity {
    let entity = this.entities.get(name);
    if (!entity) {
      // A sample for an unknown entity creates it (SPEC §1).
      entity = { name, enabled: true, tags: {} };
      this.undo?.entry(this.entities, name);
      this.entities.set(name, entity);
    }
    return entity;
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
  private seriesFor(rule: RuntimeRule, sample: Sample, now: number): Series {
    const defaultKey = rule.definition.groupBy === null;
    let series = defaultKey ? rule.lastByEntity.get(sample.entity) : undefined;
    if (series === undefined || series.placeholder || series.identity.metric !== sample.metric || !sameTags(series.identity.tags, sample.tags)) {
      const key = seriesKeyOf(rule.definition.groupBy, rule.keyIncludesMetric, sample.metric, sample.entity, sample.tags);
      series = rule.series.get(key);
      if (!series) {
        if (rule.placeholders.size > 0) this.entityReported(rule, sample.entity, now);
        series = this.newSeries(rule, key, { metric: sample.metric, entity: sample.entity, tags: sample.tags }, undefined);
      } else if (series.placeholder) {
        // The expected entity reported under the placeholder's own key: it becomes a real series,
        // and the evaluation that follows cancels a nodata alert with reason data_resumed.
        this.touch(series);
        this.undo?.entry(rule.placeholders, sample.entity);
        series.placeholder = false;
        rule.placeholders.delete(sample.entity);
      }
      if (defaultKey) {
        this.undo?.entry(rule.lastByEntity, sample.entity);
        rule.lastByEntity.set(sample.entity, series);
      }
    }
    this.touch(series);
    // With group_by, tags outside the key may change: the identity follows the latest sample.
    if (series.identity.metric !== sample.metric || !sameTags(series.identity.tags, sample.tags)) {
      series.identity = { metric: sample.metric, entity: sample.entity, tags: sample.tags };
    }
    return series;
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
        if (existing || [...rule.series.values()].some((s) => s.identity.entity === entity.name)) continue;
        const key = seriesKeyOf(rule.definition.groupBy, rule.keyIncludesMetric, rule.definition.metrics[0] ?? '', entity.name, EMPTY_TAGS);
        const series = this.newSeries(rule, key, { metric: rule.definition.metrics[0] ?? '', entity: entity.name, tags: {} }, undefined);
        series.placeholder = true;
        series.state = { ...series.state, lastSeenAt: now };
        this.undo?.entry(rule.placeholders, entity.name);
        rule.placeholders.set(entity.name, series);
        this.changed.set(series, true);
        this.schedule(series);
      }
    }
  }

  /** The entity reported (or is no longer expected): its placeholder goes, cancelling a nodata alert. */
  private entityReported(rule: RuntimeRule, entity: string, now: number): void {
    const placeholder = rule.placeholders.get(entity);
    if (!placeholder) return;
    this.undo?.entry(rule.placeholders, entity);
    rule.placeholders.delete(entity);
    this.apply(placeholder, { kind: 'remove', reason: 'data_resumed' }, now);
    this.undo?.entry(rule.series, placeholder.key);
    rule.series.delete(placeholder.key);
    if (rule.lastByEntity.get(entity) === placeholder) {
      this.undo?.entry(rule.lastByEntity, entity);
      rule.lastByEntity.delete(entity);
    }
    placeholder.deadline = null;
    this.changed.delete(placeholder);
    this.output.removed.push({ rule: rule.definition.name, seriesKey: placeholder.key });
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

  private schedule(series: Series): void {
    const deadline = nextDeadline(series.state, series.rule.stepRule);
    if (deadline !== null && deadline !== series.deadline) this.timers.push(deadline, series);
    series.deadline = deadline;
  }

  private fireTimers(until: number): void {
    for (let entry = this.timers.peek(); entry && entry.at <= until; entry = this.timers.peek()) {
      this.timers.pop();
      const series = entry.target;
      // Stale entries (the deadline moved, or the series' rule was replaced) are skipped.
      if (series.deadline !== entry.at || this.rules.get(series.rule.definition.name) !== series.rule) continue;
      this.touch(series);
      series.deadline = null;
      const at = this.clock.mode === 'data' ? entry.at : until;
      this.apply(series, { kind: 'tick' }, at);
    }
  }

  /**
   * Inside `atomically`, before the first change of a series in the batch: saves what a batch can
   * change in it (7 objects and 3 numbers, in flat arrays reused from batch to batch, so the hot
   * path allocates nothing). `step` replaces the state object, so keeping the reference is enough for
   * it; `recordQuietEvaluation` updates five fields in place, which are saved by value. A field
   * added to Series or an in-place update added to AlertState must be added here and in
   * `restoreSeries` (test/service/pipeline-atomic.test.ts compares runs with and without failures).
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
    series.window.beginUndo(undo.windows);
  }

  /** Puts back what `touch` saved, read in the same order. */
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
    series.state = state;
    // The timer entry of the restored deadline may have fired in the batch: arm it again (an entry
    // still queued becomes a duplicate, which fireTimers skips as stale). A series created in the
    // batch has no deadline in its initial state, so nothing is armed for it.
    series.deadline = null;
    this.schedule(series);
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

