/**
 * Engine → store: everything one batch of samples (or one timer tick) changes is written in one
 * transaction: alert states, history, the events log and the outbox rows of the notifications.
 * A crash therefore leaves either the transition with its notifications or neither, which is what
 * makes "a restart neither re-fires nor loses a cancel" hold.
 *
 * The engine decides in memory before the store writes, so the two are tied the other way too:
 * a decision and its commit run inside `Engine.atomically`, and a commit that fails (disk full,
 * I/O error: a StoreUnavailableError) undoes the engine's changes. The caller gets the error, the
 * engine is as it was, and the same batch sent again decides and queues the same notifications.
 */
import type { Webhook } from '../delivery/webhook.js';
import type { Engine, EngineOutput } from '../engine/engine.js';
import { isIdle } from '../engine/state.js';
import type { Sample } from '../model/sample.js';
import type { AlertEventData } from '../model/event.js';
import type { AlertStore, CommitBatch, OutboxInput, OutboxStore } from '../store/store.js';
import { admissionPlan, DEFAULT_OUTBOX_LIMIT } from '../delivery/admission.js';
import { deliveryFailedEvent } from '../delivery/failed-event.js';
import type { EmittedEvent } from '../engine/engine.js';
import { planNotifications, type TemplateServes } from './notify.js';

export interface PipelineOptions {
  engine: Engine;
  store: AlertStore & Pick<OutboxStore, 'outboxUsage' | 'dropOldestPending'>;
  /** The webhooks in force; read on every commit so configuration changes apply at once. */
  webhooks: () => ReadonlyMap<string, Webhook>;
  /** Whether a template renders an event type; notifications a template cannot render are not queued. */
  serves?: TemplateServes;
  /** Called after a commit that queued notifications (wakes the delivery worker). */
  onQueued?: (count: number) => void;
  /** Called after every successful store write (the store takes writes again after a failure). */
  onStored?: () => void;
  /** Called when a lossy webhook dropped notifications to stay within its limit. */
  onDropped?: (webhook: string, count: number) => void;
}

export interface CommitReport {
  /**
   * Non-lossy webhooks at or over their outbox_limit after this commit. For visibility only: they
   * keep queueing, and ingestion is refused only at the global outbox budget (Runtime.outboxState).
   */
  backlogged: string[];
}

export class Pipeline {
  private readonly options: PipelineOptions;

  constructor(options: PipelineOptions) {
    this.options = options;
  }

  get engine(): Engine {
    return this.options.engine;
  }

  /** Samples in: the engine decides, the store commits, both or neither. */
  ingest(samples: readonly Sample[]): EngineOutput {
    return this.apply((engine) => engine.ingest(samples));
  }

  /**
   * Fires due timers (no-data, keep_firing_for, repeat intervals, pending periods); after a failed
   * commit they fire again at the next tick.
   */
  tick(now?: number): EngineOutput {
    return this.apply((engine) => engine.advance(now));
  }

  /**
   * Lets the engine decide (`decide` calls one engine method and returns its output) and commits
   * the decision as one unit: if anything throws, the commit wrote nothing and the engine's
   * changes are undone before the error reaches the caller.
   */
  apply(
    decide: (engine: Engine) => EngineOutput,
    together?: { batch: CommitBatch; write: (batch: CommitBatch) => void },
  ): EngineOutput {
    const engine = this.options.engine;
    return engine.atomically(() => {
      const output = decide(engine);
      this.commit(output, together);
      return output;
    });
  }

  /** Engine-wide events (config.changed, delivery.failed) that only need routing and queueing. */
  emit(events: EmittedEvent[]): void {
    this.commit({ events, changes: [], removed: [], history: [] });
  }

  /**
   * Stores what the engine decided, in one transaction. `together`, when given, joins that
   * transaction: its batch is merged in, and its `write` stores the merged batch instead of
   * `store.commit` (an acknowledgement writes its own row with it), so a decision and the record
   * that caused it are stored together or not at all. Call it through `apply` (or inside
   * `Engine.atomically`) when the output comes from an engine call, so a failure undoes it.
   */
  commit(output: EngineOutput, together?: { batch: CommitBatch; write: (batch: CommitBatch) => void }): CommitReport {
    const engineDecidedNothing = output.changes.length === 0 && output.events.length === 0 && output.removed.length === 0 && output.history.length === 0;
    if (engineDecidedNothing && together === undefined) return { backlogged: [] };
    const engineNow = this.options.engine.now();
    const batch: CommitBatch = {
      now: Number.isFinite(engineNow) ? engineNow : Date.now(),
      upsertAlertStates: [],
      deleteAlertStates: [...output.removed],
      history: output.history.map((h) => ({
        rule: h.rule, seriesKey: h.seriesKey, alertId: h.alertId, type: h.type.replace('alert.', ''), time: h.time, value: h.value,
        details: { ...h.details, eventId: h.eventId },
      })),
      events: [],
      outbox: [],
    };
    for (const change of output.changes) {
      if (isIdle(change.state)) {
        batch.deleteAlertStates!.push({ rule: change.rule, seriesKey: change.seriesKey });
      } else {
        batch.upsertAlertStates!.push({
          rule: change.rule,
          seriesKey: change.seriesKey,
          alertId: change.state.alertId ?? change.state.nodata?.alertId ?? null,
          status: change.state.nodata && change.state.phase === 'inactive' ? 'nodata' : change.state.phase,
          state: { identity: change.identity, state: change.state },
        });
      }
    }
    const webhooks = this.options.webhooks();
    for (const emitted of output.events) {
      const plan = planNotifications(emitted, webhooks, this.options.serves);
      const data = emitted.event.data as Partial<AlertEventData>;
      batch.events!.push({
        event: emitted.event,
        alertId: typeof data.alert_id === 'string' ? data.alert_id : null,
        rule: emitted.rule,
        seriesKey: typeof data.series_key === 'string' ? data.series_key : null,
        details: { notifications: plan.decisions, ...(emitted.mutedBy ? { mutedBy: emitted.mutedBy } : {}) },
      });
      batch.outbox!.push(...plan.outbox);
    }
    if (together !== undefined) {
      const extra = together.batch;
      batch.upsertAlertStates!.push(...(extra.upsertAlertStates ?? []));
      batch.deleteAlertStates!.push(...(extra.deleteAlertStates ?? []));
      batch.history!.push(...(extra.history ?? []));
      batch.events!.push(...(extra.events ?? []));
      batch.outbox!.push(...(extra.outbox ?? []));
      batch.audit = [...(extra.audit ?? [])];
    }
    const admitted = this.admit(batch.outbox!, batch.now);
    batch.outbox = admitted.kept;
    if (together !== undefined) together.write(batch);
    else this.options.store.commit(batch);
    this.options.onStored?.();
    if (batch.outbox.length > 0) this.options.onQueued?.(batch.outbox.length);
    return { backlogged: admitted.backlogged };
  }

  /**
   * The bounded outbox: at its outbox_limit, a lossy webhook drops its oldest pending notifications
   * (each reported as delivery.failed); any other webhook keeps queueing (reported as backlogged),
   * so nothing is ever dropped silently. Depths come from the store's usage table: one small read.
   */
  private admit(outbox: OutboxInput[], now: number): { kept: OutboxInput[]; backlogged: string[] } {
    const counts = new Map<string, number>();
    for (const item of outbox) counts.set(item.webhook, (counts.get(item.webhook) ?? 0) + 1);
    const backlogged: string[] = [];
    if (counts.size === 0) return { kept: outbox, backlogged };
    const depths = new Map(this.options.store.outboxUsage().map((usage) => [usage.webhook, usage.rows]));
    const dropIncoming = new Map<string, number>();
    const failures: EmittedEvent[] = [];
    const webhooks = this.options.webhooks();
    for (const [name, incoming] of counts) {
      const store = this.options.store;
      const webhook = webhooks.get(name);
      const lossy = webhook?.lossy ?? false;
      const plan = admissionPlan(depths.get(name) ?? 0, incoming, webhook?.outbox_limit ?? DEFAULT_OUTBOX_LIMIT, lossy);
      if (plan.backlogged && !lossy) backlogged.push(name);
      let missing = plan.dropPending + plan.dropIncoming;
      if (plan.dropPending > 0) {
        const dropped = store.dropOldestPending(name, plan.dropPending, now);
        missing -= dropped.length;
        for (const row of dropped) {
          const event = deliveryFailedEvent({ webhook: name, event: row.event, attempts: row.attempts, lastStatus: null, lastError: row.lastError, reason: 'dropped', queuedAt: row.queuedAt }, now);
          if (event) failures.push({ event, rule: null, notify: [] });
        }
      }
      if (missing > 0) dropIncoming.set(name, missing);
      if (plan.dropPending + plan.dropIncoming > 0) this.options.onDropped?.(name, plan.dropPending + plan.dropIncoming);
    }
    let kept = outbox;
    if (dropIncoming.size > 0) {
      // Stored as dropped rather than left out, so the alert's explanation says what became of them.
      kept = outbox.map((item) => {
        const left = dropIncoming.get(item.webhook) ?? 0;
        if (left <= 0) return item;
        dropIncoming.set(item.webhook, left - 1);
        const event = deliveryFailedEvent({ webhook: item.webhook, event: item.event, attempts: 0, lastStatus: null, lastError: null, reason: 'dropped', queuedAt: now }, now);
        if (event) failures.push({ event, rule: null, notify: [] });
        return { ...item, dropped: 'dropped: lossy webhook over its outbox limit' };
      });
    }
    // delivery.failed for the dropped ones go to the webhooks that subscribe to them (never the lossy one itself).
    for (const failure of failures) kept.push(...planNotifications(failure, webhooks, this.options.serves).outbox);
    return { kept, backlogged };
  }
}
