/**
 * Watches the outbox for backlogs (delivery/backlog.ts holds the rules): reads the usage the store
 * keeps, steps the backlog state and emits one delivery.backlog event per change, through the same
 * routing as every other event so any webhook can subscribe to it. Run on the runtime's tick (every
 * second), so a backlog that drains is reported without waiting for a commit that touches it.
 *
 * The state survives restarts through the events log: each webhook starts as its last
 * delivery.backlog event left it, so a restart neither repeats `backlogged` nor forgets to say
 * `drained`.
 */
import {
  backlogEvent,
  backlogStep,
  budgetState,
  type Backlog,
  type BacklogChange,
  type BacklogState,
  type BudgetState,
} from '../delivery/backlog.js';
import { DEFAULT_OUTBOX_LIMIT } from '../delivery/webhook.js';
import type { Webhook } from '../delivery/webhook.js';
import type { DeliveryBacklogData, TocsinEvent } from '../model/event.js';
import type { AlertStore, OutboxStore, OutboxUsage } from '../store/store.js';

export interface WebhookOutbox {
  webhook: string;
  /** Notifications waiting or in flight. */
  depth: number;
  /** Bytes counted against the budget. */
  bytes: number;
  limit: number;
  lossy: boolean;
  backlogged: boolean;
  /** Epoch ms the backlog began, or null. */
  backloggedSince: number | null;
}

export interface OutboxState {
  budget: BudgetState;
  /** Every configured webhook, and any other that still has notifications waiting, by name. */
  webhooks: WebhookOutbox[];
}

export interface BacklogMonitorOptions {
  store: Pick<OutboxStore, 'outboxUsage'> & Pick<AlertStore, 'listEvents'>;
  webhooks: () => ReadonlyMap<string, Webhook>;
  budgetBytes: number;
  /** Routes and stores the events (Pipeline.emit). */
  emit: (events: TocsinEvent[]) => void;
  onChange?: (change: BacklogChange, event: TocsinEvent<DeliveryBacklogData>) => void;
}

/** How far back the events log is read for the last delivery.backlog of each webhook. */
const RESTORE_EVENTS = 10_000;

export class BacklogMonitor {
  private readonly options: BacklogMonitorOptions;
  private state: BacklogState;

  constructor(options: BacklogMonitorOptions) {
    this.options = options;
    this.state = restoreBacklogs(options.store);
  }

  get budgetBytes(): number {
    return this.options.budgetBytes;
  }

  /** The outbox as it is now: the budget, and each webhook's depth and backlog. */
  outboxState(usage: readonly OutboxUsage[] = this.options.store.outboxUsage()): OutboxState {
    const byWebhook = new Map(usage.map((entry) => [entry.webhook, entry]));
    const names = new Set([...this.options.webhooks().keys(), ...byWebhook.keys()]);
    const webhooks = [...names].sort().map((name) => {
      const webhook = this.options.webhooks().get(name);
      const entry = byWebhook.get(name);
      const backlog = this.state.get(name);
      return {
        webhook: name,
        depth: entry?.rows ?? 0,
        bytes: entry === undefined ? 0 : budgetState([entry], this.options.budgetBytes).usedBytes,
        limit: webhook?.outbox_limit ?? backlog?.limit ?? DEFAULT_OUTBOX_LIMIT,
        lossy: webhook?.lossy ?? backlog?.lossy ?? false,
        backlogged: backlog !== undefined,
        backloggedSince: backlog?.since ?? null,
      };
    });
    return { budget: budgetState(usage, this.options.budgetBytes), webhooks };
  }

  /** Steps the backlogs to the depths of now; emits (and returns) one event per change. */
  check(now: number): TocsinEvent<DeliveryBacklogData>[] {
    const usage = this.options.store.outboxUsage();
    const configured = this.options.webhooks();
    const depths = new Map(usage.map((entry) => [entry.webhook, entry.rows]));
    const observed = [...configured.values()].map((webhook) => ({
      webhook: webhook.name, depth: depths.get(webhook.name) ?? 0, limit: webhook.outbox_limit, lossy: webhook.lossy,
    }));
    // A deleted webhook that is still backlogged is judged by the rows it left behind.
    for (const [name, backlog] of this.state) {
      if (configured.has(name) || !depths.has(name)) continue;
      observed.push({ webhook: name, depth: depths.get(name) ?? 0, limit: backlog.limit, lossy: backlog.lossy });
    }
    const { state, changes } = backlogStep(this.state, observed, now);
    this.state = state;
    if (changes.length === 0) return [];
    const budget = budgetState(usage, this.options.budgetBytes);
    const events = changes.map((change) => backlogEvent(change, budget, now));
    this.options.emit(events);
    changes.forEach((change, index) => this.options.onChange?.(change, events[index]!));
    return events;
  }
}

/** Each webhook as its last delivery.backlog event (newest first in the log) left it. */
function restoreBacklogs(store: Pick<AlertStore, 'listEvents'>): Map<string, Backlog> {
  const state = new Map<string, Backlog>();
  const decided = new Set<string>();
  for (const entry of store.listEvents({ type: 'delivery.backlog', limit: RESTORE_EVENTS })) {
    const data = entry.event.data as Partial<DeliveryBacklogData>;
    if (typeof data.webhook !== 'string' || decided.has(data.webhook)) continue;
    decided.add(data.webhook);
    const since = typeof data.since === 'string' ? Date.parse(data.since) : NaN;
    if (data.status === 'backlogged' && Number.isFinite(since)) {
      state.set(data.webhook, { since, limit: data.limit ?? DEFAULT_OUTBOX_LIMIT, lossy: data.lossy ?? false });
    }
  }
  return state;
}
