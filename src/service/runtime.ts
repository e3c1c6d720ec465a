/**
 * The running service: the composition root that wires the store, the engine, the pipeline, the
 * delivery worker and the configuration, and owns the timers. HTTP (src/server) and the CLI call
 * it; nothing in the engine, templates or delivery knows it exists.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { Engine } from '../engine/engine.js';
import type { Silence as EngineSilence, SilenceMatcher } from '../engine/silences.js';
import { DeliveryWorker, EgressGuard, HttpSender, testWebhook, type EgressPolicy, type Webhook } from '../delivery/index.js';
import type { AttemptResult } from '../delivery/attempt.js';
import { DEFAULT_SECRET_POLICY, type SecretPolicy } from '../delivery/secret-policy.js';
import type { Settlement } from '../delivery/ports.js';
import { createRenderer, presetTemplate, type CompiledTemplate, type Renderer } from '../templates/index.js';
import { EVENT_VERSIONS, type ConfigChangedData, type TocsinEvent } from '../model/event.js';
import type { Entity, MetricMetadata, Sample } from '../model/sample.js';
import { deterministicUuidV7 } from '../model/ids.js';
import type { Diagnostic } from '../parser/diagnostics.js';
import { StoreUnavailableError } from '../store/errors.js';
import { SqliteStore } from '../store/sqlite.js';
import type { CommitBatch, Store } from '../store/store.js';
import { planNotifications } from './notify.js';
import { createMetrics, type TocsinMetrics } from '../server/metrics.js';
import { loadConfiguration, type Configuration, type ConfigurationResult } from './config.js';
import { Pipeline } from './pipeline.js';
import { BacklogMonitor, type OutboxState } from './backlog-monitor.js';
import { DEFAULT_LIMITS } from '../server/limits.js';
import { restoreSeries } from './restore.js';
import { DELIVERY_SETTLE_WINDOW_MS, SettleBatcher } from './settle-batcher.js';
import { StoreHealth } from './store-health.js';

export interface RuntimeOptions {
  configDir: string;
  /** SQLite file, or ':memory:'. */
  dataFile: string;
  log: Logger;
  /** Wall clock (injectable for tests). */
  now?: () => number;
  tickIntervalMs?: number;
  snapshotIntervalMs?: number;
  pruneIntervalMs?: number;
  maxWindowSamples?: number;
  /** Series of all rules together at most (TOCSIN_MAX_SERIES); default DEFAULT_MAX_SERIES. */
  maxSeries?: number;
  /** The global outbox budget in bytes (limit `outbox_budget`, default: schemas/limits.schema.json). */
  outboxBudgetBytes?: number;
  egress?: EgressPolicy;
  /** Which `{ file }` / `{ env }` secret sources webhooks created through the API may name. */
  secrets?: Partial<SecretPolicy>;
  /** 'normal' trades power-loss durability for speed (demo, replay). */
  durability?: 'full' | 'normal';
  /** Test hook: a delivery sender other than HTTP. */
  sender?: HttpSender;
}

export class ConfigurationError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    super(`the configuration has ${diagnostics.filter((d) => d.severity === 'error').length} error(s)`);
    this.name = 'ConfigurationError';
    this.diagnostics = diagnostics;
  }
}

const DAY = 86_400_000;

/** The secret sources the API may name, defaults filled in. */
export function secretPolicyOf(options: Pick<RuntimeOptions, 'secrets'>): SecretPolicy {
  return { ...DEFAULT_SECRET_POLICY, ...options.secrets };
}

/** Warnings never stop a start or a reload (issue 14 item 2); they are logged, and the reload answer lists them. */
function logWarnings(log: Logger, diagnostics: readonly Diagnostic[]): void {
  for (const warning of diagnostics) {
    log.warn({ diagnostic: warning }, `${warning.file}:${warning.line}:${warning.column} ${warning.message}`);
  }
}

export class Runtime {
  readonly store: Store;
  readonly metrics: TocsinMetrics;
  readonly log: Logger;
  readonly options: RuntimeOptions;
  readonly engine: Engine;
  readonly pipeline: Pipeline;
  readonly renderer: Renderer;
  readonly backlogs: BacklogMonitor;
  /** Whether the store takes writes (disk full, I/O errors): shown by /readyz. */
  readonly storeHealth: StoreHealth;
  private config: Configuration;
  private readonly worker: DeliveryWorker;
  private readonly sender: HttpSender;
  private readonly timers: NodeJS.Timeout[] = [];
  private stopped = false;
  readonly startedAt: number;

  /** Opens the store, loads the configuration (throws ConfigurationError) and restores the engine. */
  static open(options: RuntimeOptions): Runtime {
    const store = new SqliteStore(options.dataFile, options.durability ? { durability: options.durability } : {});
    try {
      const loaded = loadConfiguration(options.configDir, store, { secrets: secretPolicyOf(options) });
      if (!loaded.ok) throw new ConfigurationError(loaded.diagnostics);
      logWarnings(options.log, loaded.diagnostics);
      return new Runtime(options, store, loaded.config);
    } catch (error) {
      store.close();
      throw error;
    }
  }

  private constructor(options: RuntimeOptions, store: Store, config: Configuration) {
    this.options = options;
    this.store = store;
    this.log = options.log;
    this.config = config;
    const now = options.now ?? Date.now;
    this.startedAt = now();
    this.storeHealth = new StoreHealth(options.log, now);
    this.metrics = createMetrics({
      outboxDepths: () => store.outboxDepths(),
      outboxState: () => this.outboxState(),
      openAlerts: () => this.engine.alerts().filter((a) => a.state.phase === 'open').length,
      liveSeries: () => this.engine.seriesCount(),
    });
    this.engine = new Engine({
      clock: { mode: 'wall', now },
      rules: config.rules,
      ...(options.maxWindowSamples ? { maxWindowSamples: options.maxWindowSamples } : {}),
      ...(options.maxSeries ? { maxSeries: options.maxSeries } : {}),
      entities: store.listEntities(),
      metrics: store.listMetrics(),
      silences: this.activeSilences(),
      states: restoreSeries(store.loadAlertStates()),
      windows: store.loadWindowSnapshots().map((w) => ({ rule: w.rule, seriesKey: w.seriesKey, snapshot: w.data as { times: number[]; values: (number | null)[] } })),
    });
    this.renderer = createRenderer({ get: (name: string) => this.template(name) });
    this.pipeline = new Pipeline({
      engine: this.engine,
      store,
      webhooks: () => this.config.webhooks,
      serves: (template, type) => this.template(template)?.serves(type) ?? true,
      onQueued: () => this.worker.wake(),
      onStored: () => this.storeHealth.succeeded(),
      onDropped: (webhook, count) => {
        this.metrics.deliveriesDropped(webhook, count);
        this.log.warn({ webhook, count }, 'lossy webhook at its outbox_limit: oldest notifications dropped');
      },
    });
    this.backlogs = new BacklogMonitor({
      store,
      webhooks: () => this.config.webhooks,
      budgetBytes: options.outboxBudgetBytes ?? DEFAULT_LIMITS.outbox_budget,
      emit: (events) => this.pipeline.emit(events.map((event) => ({ event, rule: null, notify: [] }))),
      onChange: (change, event) => {
        this.log.warn({ webhook: change.webhook, status: change.status, depth: change.depth }, event.data.message);
      },
    });
    this.sender = options.sender ?? new HttpSender({ egress: new EgressGuard(options.egress ?? {}) });
    const settleBatcher = new SettleBatcher<Settlement>((outcomes) => {
      // The delivery.failed of a failure is routed and stored in the settlement's own transaction.
      const applied = store.settle(outcomes, (appliedNow) => this.failureBatch(outcomes, appliedNow));
      for (const outcome of outcomes) {
        const label = outcome.outcome === 'delivered' ? 'success' : outcome.outcome === 'failed' ? 'failure' : outcome.outcome;
        this.metrics.delivery(outcome.log?.webhook ?? 'unknown', label, outcome.log?.latencyMs);
      }
      return applied;
    }, { windowMs: DELIVERY_SETTLE_WINDOW_MS });
    this.worker = new DeliveryWorker({
      outbox: {
        claimDue: (at, limit, leaseMs, budgets) => store.claimDue(at, limit, leaseMs, budgets),
        settle: (outcomes) => settleBatcher.settle(outcomes),
        nextDueAt: () => store.nextDueAt(),
        // The SQLite file is this process's own: what is in flight at start was left by a dead one.
        releaseOrphanedClaims: (at) => store.releaseOrphanedClaims(at),
      },
      webhooks: { get: (name) => this.config.webhooks.get(name), names: () => this.config.webhooks.keys() },
      renderer: this.renderer,
      sender: this.sender,
      clock: { now },
      log: this.log,
    });
  }

  /**
   * The delivery.failed events of the settlements that applied, routed to the webhooks that take
   * them, as one batch for the settlement's transaction; undefined when there are none.
   */
  private failureBatch(outcomes: readonly Settlement[], applied: readonly boolean[]): CommitBatch | undefined {
    const failures = outcomes.flatMap((outcome, index) =>
      applied[index] === true && outcome.failure !== undefined ? [outcome.failure] : [],
    );
    if (failures.length === 0) return undefined;
    let routed: CommitBatch | undefined;
    const events = failures.map((event) => ({ event, rule: null, notify: [] }));
    const output = { events, changes: [], removed: [], history: [] };
    // `write` receives the routed batch; the store writes it inside the settlement's transaction.
    const now = (this.options.now ?? Date.now)();
    this.pipeline.commit(output, { batch: { now }, write: (batch) => (routed = batch) });
    return routed;
  }

  /** Starts delivery and the timers. */
  start(): void {
    this.worker.start();
    const every = (ms: number, task: () => void, name: string) => {
      const timer = setInterval(() => {
        try {
          task();
        } catch (error) {
          // A store that takes no writes is logged once by storeHealth, not once per tick.
          if (!(error instanceof StoreUnavailableError)) this.log.error({ err: error }, `${name} failed`);
        }
      }, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(this.options.tickIntervalMs ?? 1_000, () => this.tick(), 'engine timers');
    every(this.options.snapshotIntervalMs ?? 60_000, () => this.snapshotWindows(), 'window snapshot');
    every(this.options.pruneIntervalMs ?? 600_000, () => this.prune(), 'pruning');
  }

  get configuration(): Configuration {
    return this.config;
  }

  get secretPolicy(): SecretPolicy {
    return secretPolicyOf(this.options);
  }

  template(name: string): CompiledTemplate | undefined {
    return this.config.templates.get(name) ?? presetTemplate(name);
  }

  webhook(name: string): Webhook | undefined {
    return this.config.webhooks.get(name);
  }

  /**
   * Samples in: evaluate, persist, queue. When the store cannot take the commit
   * (StoreUnavailableError), nothing of the batch is applied: the engine is as it was, and the same
   * batch sent again decides the same notifications. Backlogged webhooks are not reported here: they
   * keep queueing, and the outbox budget is checked before a batch is taken (outboxState()).
   */
  ingest(samples: readonly Sample[], source: string): void {
    this.storeHealth.watch('ingest', () => this.pipeline.ingest(samples));
    this.metrics.samplesReceived(source, samples.length);
    this.metrics.recordEngineStats(this.engine.stats);
  }

  /** Due timers; a tick whose commit fails is undone and fires again on the next one. */
  tick(): void {
    this.storeHealth.watch('engine timers', () => this.pipeline.tick());
    this.metrics.recordEngineStats(this.engine.stats);
    this.backlogs.check((this.options.now ?? Date.now)());
  }

  /** The outbox budget and each webhook's depth and backlog, as they are now. */
  outboxState(): OutboxState {
    return this.backlogs.outboxState();
  }

  upsertEntity(entity: Entity): void {
    this.store.upsertEntities([entity], (this.options.now ?? Date.now)());
    this.engine.upsertEntity(entity);
  }

  upsertMetric(metric: MetricMetadata): void {
    this.store.upsertMetrics([metric], (this.options.now ?? Date.now)());
    this.engine.upsertMetric(metric);
  }

  /** Reloads the configuration; a bad one changes nothing and comes back as diagnostics. */
  reload(actor: string): ConfigurationResult {
    const loaded = loadConfiguration(this.options.configDir, this.store, { secrets: this.secretPolicy });
    if (!loaded.ok) {
      this.log.warn({ errors: loaded.diagnostics.length }, 'reload refused: the configuration has errors; the running one stays');
      return loaded;
    }
    logWarnings(this.log, loaded.diagnostics);
    const previous = this.config;
    this.config = loaded.config;
    // The engine (and its running totals) survives a reload, so the metrics keep their baseline.
    // The cancels of removed rules, the audit row and config.changed are one commit; if it fails,
    // the engine and the configuration in force stay as they were.
    const summary = `${loaded.config.rules.length} rules`;
    const change = this.changeBatch(actor, 'reload', 'rules', this.options.configDir, { summary });
    try {
      this.storeHealth.watch('reload', () => this.pipeline.apply(
        (engine) => engine.reload(loaded.config.rules),
        { batch: change, write: (batch) => this.store.commit(batch) },
      ));
    } catch (error) {
      this.config = previous;
      throw error;
    }
    this.worker.wake();
    return loaded;
  }

  /** Puts an API-managed webhook in force (or removes it, with null); files are untouched. */
  applyWebhook(name: string, webhook: Webhook | null): void {
    const webhooks = new Map(this.config.webhooks);
    const sources = new Map(this.config.sources.webhooks);
    if (webhook) {
      webhooks.set(name, webhook);
      sources.set(name, 'api');
    } else {
      webhooks.delete(name);
      sources.delete(name);
    }
    this.config = { ...this.config, webhooks, sources: { ...this.config.sources, webhooks: sources } };
  }

  /** Puts an API-managed template in force (or removes it, with null). */
  applyTemplate(name: string, template: CompiledTemplate | null): void {
    const templates = new Map(this.config.templates);
    const sources = new Map(this.config.sources.templates);
    if (template) {
      templates.set(name, template);
      sources.set(name, 'api');
    } else {
      templates.delete(name);
      sources.delete(name);
    }
    this.config = { ...this.config, templates, sources: { ...this.config.sources, templates: sources } };
  }

  /**
   * The audit row and the config.changed event (with its notifications) of an admin change, as a
   * batch to pass as `also` to the store write that makes the change: all three in one transaction.
   */
  changeBatch(actor: string, action: string, kind: string, name: string, details?: Record<string, unknown>): CommitBatch {
    const now = (this.options.now ?? Date.now)();
    const summary = typeof details?.summary === 'string' ? details.summary : undefined;
    const data: ConfigChangedData = { actor, action, kind, name, ...(summary ? { summary } : {}) };
    const event: TocsinEvent<ConfigChangedData> = {
      id: deterministicUuidV7(now, randomUUID()),
      type: 'config.changed',
      version: EVENT_VERSIONS['config.changed'],
      time: new Date(now).toISOString(),
      severity: 'info',
      data,
    };
    const plan = planNotifications({ event, rule: null, notify: [] }, this.config.webhooks, (template, type) => this.template(template)?.serves(type) ?? true);
    return {
      now,
      audit: [{ actor, action, kind, name, at: now, ...(details ? { details } : {}) }],
      events: [{ event, alertId: null, rule: null, seriesKey: null, details: { notifications: plan.decisions } }],
      outbox: plan.outbox,
    };
  }

  /** For changes without a store write of their own (reload): audit + config.changed in one commit. */
  configChanged(actor: string, action: string, kind: string, name: string, summary?: string): void {
    this.store.commit(this.changeBatch(actor, action, kind, name, summary ? { summary } : undefined));
    this.worker.wake();
  }

  /**
   * Acknowledges an open alert in the engine and stores the engine's change, the acknowledgement
   * (`record` writes its row and the batch it is given) and `batch` (audit, history, the
   * config.changed notification) in one transaction. False when the engine has no such alert.
   */
  acknowledge(alertId: string, record: (batch: CommitBatch) => void, batch: CommitBatch): boolean {
    const found = this.storeHealth.watch('acknowledge', () => this.engine.atomically(() => {
      const { found, output } = this.engine.acknowledge(alertId);
      if (found) this.pipeline.commit(output, { batch, write: record });
      return found;
    }));
    if (!found) return false;
    this.worker.wake();
    return true;
  }

  /** Silences from the store in the engine's form; called at start and after every change. */
  activeSilences(): EngineSilence[] {
    const now = (this.options.now ?? Date.now)();
    return this.store.listSilences({ endingAfter: now }).map((s) => ({
      id: s.id, matchers: s.matchers as SilenceMatcher[], startsAt: s.startsAt, endsAt: s.endsAt, createdBy: s.createdBy, comment: s.comment,
    }));
  }

  refreshSilences(): void {
    this.engine.setSilences(this.activeSilences());
  }

  async testWebhook(webhook: Webhook): Promise<AttemptResult> {
    const result = await testWebhook(webhook, { renderer: this.renderer, sender: this.sender, clock: { now: this.options.now ?? Date.now } });
    this.store.recordAttempt({
      outboxId: null, eventId: result.eventIds[0] ?? 'test', webhook: webhook.name, time: result.time, statusCode: result.statusCode,
      latencyMs: result.latencyMs, responseHeaders: result.responseHeaders, responseBody: result.responseBody,
      error: result.error === null ? null : `${result.error.code}: ${result.error.message}`, ok: result.ok,
    });
    return result;
  }

  wakeDelivery(): void {
    this.worker.wake();
  }

  /**
   * Saves every series' window. Each snapshot, periodic or at shutdown, replaces the previous one
   * (one transaction), so the windows of series forgotten since (series_ttl) do not come back at
   * the next start. On a full disk this fails like any write: the previous snapshot stays (the
   * transaction is all or nothing), alert states are unaffected, and the next one retries.
   */
  snapshotWindows(): void {
    const snapshots = this.engine.windowSnapshots().map((w) => ({ rule: w.rule, seriesKey: w.seriesKey, data: w.snapshot }));
    const at = (this.options.now ?? Date.now)();
    this.storeHealth.watch('window snapshot', () =>
      this.store.saveWindowSnapshots(snapshots, at, { replaceAll: true }));
    if (snapshots.length > 0) this.storeHealth.succeeded();
  }

  prune(): void {
    const now = (this.options.now ?? Date.now)();
    this.store.prune({
      deliveryAttemptsBefore: now - 7 * DAY,
      finishedOutboxBefore: now - 7 * DAY,
      historyBefore: now - 30 * DAY,
      eventsBefore: now - 30 * DAY,
      counterMinutesBefore: now - DAY,
      auditBefore: now - 365 * DAY,
    });
  }

  /** Graceful stop: timers off, in-flight deliveries drained, windows snapshotted, store closed. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    await this.worker.stop();
    await this.sender.close();
    try {
      this.snapshotWindows();
    } catch (error) {
      if (error instanceof StoreUnavailableError) {
        this.log.error({ reason: error.reason, hint: error.hint },
          `windows not saved at shutdown: ${error.message}; alert states and notifications are safe, `
            + 'windows restart from the last periodic snapshot');
      }
      throw error;
    } finally {
      this.store.close();
    }
  }
}
