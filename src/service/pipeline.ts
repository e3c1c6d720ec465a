/**
 * Engine → store: everything one batch of samples (or one timer tick) changes is written in one
 * transaction: alert states, history, the events log and the outbox rows of the notifications.
 * A crash therefore leaves either the transition with its notifications or neither, which is what
 * makes "a restart neither re-fires nor loses a cancel" hold.
 */
import type { Webhook } from '../delivery/webhook.js';
import type { Engine, EngineOutput } from '../engine/engine.js';
import { isIdle } from '../engine/state.js';
import type { Sample } from '../model/sample.js';
import type { AlertEventData } from '../model/event.js';
import type { AlertStore, CommitBatch } from '../store/store.js';
import { planNotifications } from './notify.js';

export interface PipelineOptions {
  engine: Engine;
  store: AlertStore;
  /** The webhooks in force; read on every commit so configuration changes apply at once. */
  webhooks: () => ReadonlyMap<string, Webhook>;
  /** Called after a commit that queued notifications (wakes the delivery worker). */
  onQueued?: (count: number) => void;
}

export class Pipeline {
  private readonly options: PipelineOptions;

  constructor(options: PipelineOptions) {
    this.options = options;
  }

  get engine(): Engine {
    return this.options.engine;
  }

  ingest(samples: readonly Sample[]): EngineOutput {
    const output = this.options.engine.ingest(samples);
    this.commit(output);
    return output;
  }

  /** Fires due timers (no-data, keep_firing_for, repeat intervals, pending periods). */
  tick(now?: number): EngineOutput {
    const output = this.options.engine.advance(now);
    this.commit(output);
    return output;
  }

  commit(output: EngineOutput): void {
    if (output.changes.length === 0 && output.events.length === 0 && output.removed.length === 0 && output.history.length === 0) return;
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
      const plan = planNotifications(emitted, webhooks);
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
    this.options.store.commit(batch);
    if (batch.outbox!.length > 0) this.options.onQueued?.(batch.outbox!.length);
  }
}
