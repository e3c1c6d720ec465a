/**
 * What `GET /metrics` exposes (SPEC §7): samples in, evaluations, events, deliveries by outcome and
 * their latency, outbox depth, backlogs and budget, and open alerts, plus Node's process metrics.
 * Every `createMetrics()` has its own prom-client `Registry` (never the global one), so tests and
 * several servers in one process do not share counters. Counting happens through the typed methods
 * below; the values that live elsewhere (outbox depth, backlogs, open alerts) are read at scrape time
 * from functions given here.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const DELIVERY_OUTCOMES = ['success', 'failure', 'retry', 'discarded', 'dropped'] as const;
export type DeliveryOutcomeLabel = (typeof DELIVERY_OUTCOMES)[number];

/** The outbox's settlement names (store `DeliveryOutcome['outcome']`) as metric labels. */
export function deliveryOutcomeLabel(outcome: 'delivered' | 'retry' | 'failed' | 'discarded' | 'dropped'): DeliveryOutcomeLabel {
  return outcome === 'delivered' ? 'success' : outcome === 'failed' ? 'failure' : outcome;
}

type MaybePromise<T> = T | Promise<T>;

export interface MetricSources {
  /** Pending + in-flight notifications per webhook, e.g. `() => store.outboxDepths()`. */
  outboxDepths?: () => MaybePromise<ReadonlyArray<{ webhook: string; pending: number; inflight: number }>>;
  /** The outbox budget and each webhook's backlog, e.g. `() => runtime.outboxState()`. */
  outboxState?: () => MaybePromise<{
    budget: { usedBytes: number; budgetBytes: number };
    webhooks: ReadonlyArray<{ webhook: string; backlogged: boolean }>;
  }>;
  /** Open alerts right now; without it, `setOpenAlerts` keeps the gauge. */
  openAlerts?: () => MaybePromise<number>;
  /** Series the engine keeps right now (all rules), e.g. `() => engine.seriesCount()`. */
  liveSeries?: () => MaybePromise<number>;
}

export interface MetricsOptions extends MetricSources {
  /** Node process metrics (CPU, memory, event loop lag, GC); default true. */
  processMetrics?: boolean;
}

/** The cumulative counters an engine keeps (`Engine.stats`); `recordEngineStats` turns them into increments. */
export interface EngineStatsSnapshot {
  evaluations: number;
  /** Events emitted, by type. */
  events: Readonly<Record<string, number>>;
  /** Samples a rule's window refused as too old. */
  droppedSamples?: number;
  /** Evaluation errors by rule name, when the engine keeps them. */
  evaluationErrorsByRule?: Readonly<Record<string, number>>;
  /** New series refused by `max_series` or the global cap, by rule. */
  seriesRefusedByRule?: Readonly<Record<string, number>>;
  /** Series forgotten after `series_ttl`. */
  seriesExpired?: number;
}

/** Seconds; delivery timeouts default to 30 s, so the top bucket sits there. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class TocsinMetrics {
  readonly registry: Registry;
  readonly #samplesReceived: Counter<'source'>;
  readonly #samplesRejected: Counter<'reason'>;
  readonly #evaluations: Counter;
  readonly #evaluationErrors: Counter<'rule'>;
  readonly #events: Counter<'type'>;
  readonly #deliveries: Counter<'webhook' | 'outcome'>;
  readonly #deliveryLatency: Histogram<'webhook'>;
  readonly #openAlerts: Gauge;
  readonly #seriesRefused: Counter<'rule'>;
  readonly #seriesExpired: Counter;
  /** The last engine snapshot seen, to count only what happened since. */
  #lastEngineStats: EngineStatsSnapshot = { evaluations: 0, events: {}, droppedSamples: 0, evaluationErrorsByRule: {} };

  constructor(options: MetricsOptions = {}) {
    const registry = new Registry();
    this.registry = registry;
    const registers = [registry];
    this.#samplesReceived = new Counter({ name: 'tocsin_samples_received_total', help: 'Samples accepted for evaluation, by ingestion source.', labelNames: ['source'], registers });
    this.#samplesRejected = new Counter({ name: 'tocsin_samples_rejected_total', help: 'Samples refused, by reason.', labelNames: ['reason'], registers });
    this.#evaluations = new Counter({ name: 'tocsin_evaluations_total', help: 'Rule evaluations (one rule on one series for one sample or timer).', registers });
    this.#evaluationErrors = new Counter({ name: 'tocsin_evaluation_errors_total', help: 'Rule evaluations that failed at run time, by rule.', labelNames: ['rule'], registers });
    this.#events = new Counter({ name: 'tocsin_events_total', help: 'Events emitted by the engine, by type.', labelNames: ['type'], registers });
    this.#deliveries = new Counter({ name: 'tocsin_deliveries_total', help: 'Delivery attempts and their ends, by webhook and outcome.', labelNames: ['webhook', 'outcome'], registers });
    this.#deliveryLatency = new Histogram({ name: 'tocsin_delivery_latency_seconds', help: 'Time from request start to response, by webhook.', labelNames: ['webhook'], buckets: LATENCY_BUCKETS, registers });
    const outboxDepths = options.outboxDepths;
    new Gauge({
      name: 'tocsin_outbox_depth',
      help: 'Notifications waiting or in flight, by webhook.',
      labelNames: ['webhook'],
      registers,
      async collect() {
        if (outboxDepths === undefined) return;
        // Reset first, so a webhook whose queue emptied (or that was deleted) does not keep its last value.
        this.reset();
        for (const depth of await outboxDepths()) this.set({ webhook: depth.webhook }, depth.pending + depth.inflight);
      },
    });
    const outboxState = options.outboxState;
    // Each gauge reads the state itself: it is one small table read (the store keeps the usage).
    const state = async () => (outboxState === undefined ? null : await outboxState());
    new Gauge({
      name: 'tocsin_outbox_backlogged',
      help: '1 while a webhook is backlogged (its depth reached its outbox_limit, until half of it), else 0.',
      labelNames: ['webhook'],
      registers,
      async collect() {
        const now = await state();
        if (now === null) return;
        this.reset();
        for (const webhook of now.webhooks) this.set({ webhook: webhook.webhook }, webhook.backlogged ? 1 : 0);
      },
    });
    new Gauge({
      name: 'tocsin_outbox_bytes',
      help: 'Bytes the undelivered notifications of every webhook take, as counted against the outbox budget.',
      registers,
      async collect() {
        const now = await state();
        if (now !== null) this.set(now.budget.usedBytes);
      },
    });
    new Gauge({
      name: 'tocsin_outbox_budget_bytes',
      help: 'The global outbox budget (limit outbox_budget); at it, ingestion answers 503.',
      registers,
      async collect() {
        const now = await state();
        if (now !== null) this.set(now.budget.budgetBytes);
      },
    });
    const openAlerts = options.openAlerts;
    this.#openAlerts = new Gauge({
      name: 'tocsin_open_alerts',
      help: 'Alerts currently open.',
      registers,
      async collect() {
        if (openAlerts !== undefined) this.set(await openAlerts());
      },
    });
    this.#seriesRefused = new Counter({
      name: 'tocsin_series_refused_total',
      help: 'Samples of new series a rule did not evaluate: max_series or the global series cap reached, by rule.',
      labelNames: ['rule'],
      registers,
    });
    this.#seriesExpired = new Counter({
      name: 'tocsin_series_expired_total', help: 'Series forgotten after series_ttl without a sample.', registers,
    });
    const liveSeries = options.liveSeries;
    new Gauge({
      name: 'tocsin_series',
      help: 'Series the engine keeps (all rules).',
      registers,
      async collect() {
        if (liveSeries !== undefined) this.set(await liveSeries());
      },
    });
    if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  }

  samplesReceived(source: string, count = 1): void {
    if (count > 0) this.#samplesReceived.inc({ source }, count);
  }

  /** `reason`: a short stable word (invalid, too_large, too_old, …), never user text: labels must stay few. */
  samplesRejected(reason: string, count = 1): void {
    if (count > 0) this.#samplesRejected.inc({ reason }, count);
  }

  evaluations(count = 1): void {
    if (count > 0) this.#evaluations.inc(count);
  }

  evaluationError(rule: string, count = 1): void {
    if (count > 0) this.#evaluationErrors.inc({ rule }, count);
  }

  eventsEmitted(type: string, count = 1): void {
    if (count > 0) this.#events.inc({ type }, count);
  }

  /** One delivery outcome; `latencyMs` when a request was made (absent for drops and discards). */
  delivery(webhook: string, outcome: DeliveryOutcomeLabel, latencyMs?: number): void {
    this.#deliveries.inc({ webhook, outcome });
    if (latencyMs !== undefined && Number.isFinite(latencyMs)) this.#deliveryLatency.observe({ webhook }, latencyMs / 1000);
  }

  /** Notifications a lossy webhook dropped at its outbox_limit. */
  deliveriesDropped(webhook: string, count: number): void {
    if (count > 0) this.#deliveries.inc({ webhook, outcome: 'dropped' }, count);
  }

  /** For when no `openAlerts` source was given. */
  setOpenAlerts(count: number): void {
    this.#openAlerts.set(count);
  }

  /**
   * Counts what an engine did since the previous call from its cumulative stats. A counter that went
   * down means a new engine (a reload) started from zero: its whole value is new.
   */
  recordEngineStats(stats: EngineStatsSnapshot): void {
    const last = this.#lastEngineStats;
    const delta = (now: number, before: number | undefined) => (now >= (before ?? 0) ? now - (before ?? 0) : now);
    this.evaluations(delta(stats.evaluations, last.evaluations));
    for (const [type, count] of Object.entries(stats.events)) this.eventsEmitted(type, delta(count, last.events[type]));
    if (stats.droppedSamples !== undefined) this.samplesRejected('too_old', delta(stats.droppedSamples, last.droppedSamples));
    for (const [rule, count] of Object.entries(stats.evaluationErrorsByRule ?? {})) this.evaluationError(rule, delta(count, last.evaluationErrorsByRule?.[rule]));
    for (const [rule, count] of Object.entries(stats.seriesRefusedByRule ?? {})) {
      const n = delta(count, last.seriesRefusedByRule?.[rule]);
      if (n > 0) this.#seriesRefused.inc({ rule }, n);
    }
    if (stats.seriesExpired !== undefined) {
      const n = delta(stats.seriesExpired, last.seriesExpired);
      if (n > 0) this.#seriesExpired.inc(n);
    }
    this.#lastEngineStats = {
      evaluations: stats.evaluations,
      events: { ...stats.events },
      droppedSamples: stats.droppedSamples ?? last.droppedSamples ?? 0,
      evaluationErrorsByRule: { ...(stats.evaluationErrorsByRule ?? last.evaluationErrorsByRule) },
      seriesRefusedByRule: { ...(stats.seriesRefusedByRule ?? last.seriesRefusedByRule) },
      seriesExpired: stats.seriesExpired ?? last.seriesExpired ?? 0,
    };
  }

  /** After replacing the engine (a reload), so its counters, starting again from zero, count in full. */
  engineReplaced(): void {
    this.#lastEngineStats = {
      evaluations: 0, events: {}, droppedSamples: 0, evaluationErrorsByRule: {}, seriesRefusedByRule: {}, seriesExpired: 0,
    };
  }

  /** The body and content type of `GET /metrics`. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

export function createMetrics(options: MetricsOptions = {}): TocsinMetrics {
  return new TocsinMetrics(options);
}
