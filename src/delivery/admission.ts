/**
 * The bounded outbox (SPEC §6): each webhook has its own `outbox_limit`. At it, the webhook is
 * backlogged: a lossy webhook drops its oldest pending notifications (counted, and reported as
 * delivery.failed) to stay there; any other webhook keeps queueing, since nothing may be lost,
 * until the store's global outbox budget (budget.ts) is reached. One receiver being down never
 * refuses anything by itself: that is decided from the global budget alone.
 */
import type { TocsinEvent } from '../model/event.js';
import { deliveryFailedEvent } from './failed-event.js';
import type { ClaimedRow, EventSink, OutboxDepthPort, WebhookDirectory } from './ports.js';
import { DEFAULT_OUTBOX_LIMIT } from './webhook.js';

export { DEFAULT_OUTBOX_LIMIT } from './webhook.js';

export interface AdmissionPlan {
  /** Oldest pending rows to drop first. */
  dropPending: number;
  /** Then the oldest of the incoming notifications, when the pending rows were not enough. */
  dropIncoming: number;
  /** The webhook is at or over its limit once these are admitted (a lossy one: at it, after dropping). */
  backlogged: boolean;
}

/** The pure part: what to do with `incoming` new notifications for a webhook holding `depth`. */
export function admissionPlan(depth: number, incoming: number, limit: number, lossy: boolean): AdmissionPlan {
  const backlogged = depth + incoming >= limit;
  const over = depth + incoming - limit;
  if (over <= 0 || !lossy) return { dropPending: 0, dropIncoming: 0, backlogged };
  const dropPending = Math.min(over, depth);
  return { dropPending, dropIncoming: over - dropPending, backlogged };
}

export interface AdmissionDeps {
  outbox: OutboxDepthPort;
  webhooks: WebhookDirectory;
  events?: EventSink;
}

export interface AdmissionResult<T> {
  /** To be written to the outbox (in the caller's transaction), in the given order. */
  accepted: T[];
  /** Rows already in the outbox that were marked dropped. */
  droppedRows: ClaimedRow[];
  /** Incoming notifications not written at all. */
  droppedIncoming: T[];
  /** Webhooks at or over their limit (visibility only: admission of samples is the budget's decision). */
  backlogged: string[];
}

export async function admit<T extends { webhook: string; event: TocsinEvent }>(
  items: readonly T[],
  deps: AdmissionDeps,
  now: number,
  /** Overrides every webhook's own `outbox_limit` (tests). */
  limit?: number,
): Promise<AdmissionResult<T>> {
  const byWebhook = new Map<string, T[]>();
  for (const item of items) {
    const list = byWebhook.get(item.webhook) ?? [];
    list.push(item);
    byWebhook.set(item.webhook, list);
  }
  const result: AdmissionResult<T> = { accepted: [], droppedRows: [], droppedIncoming: [], backlogged: [] };
  const rejected = new Set<T>();
  for (const [name, list] of byWebhook) {
    const webhook = deps.webhooks.get(name);
    const depth = await deps.outbox.outboxDepth(name);
    const ownLimit = limit ?? webhook?.outbox_limit ?? DEFAULT_OUTBOX_LIMIT;
    const plan = admissionPlan(depth, list.length, ownLimit, webhook?.lossy ?? false);
    if (plan.backlogged) result.backlogged.push(name);
    if (plan.dropPending === 0 && plan.dropIncoming === 0) continue;
    const dropped = plan.dropPending > 0 ? await deps.outbox.dropOldestPending(name, plan.dropPending, now) : [];
    result.droppedRows.push(...dropped);
    // In-flight rows cannot be dropped; whatever room is still missing comes out of the incoming ones.
    const stillOver = plan.dropPending + plan.dropIncoming - dropped.length;
    for (const item of list.slice(0, Math.max(0, stillOver))) {
      rejected.add(item);
      result.droppedIncoming.push(item);
    }
  }
  result.accepted = items.filter((item) => !rejected.has(item));
  const lost = [
    ...result.droppedRows.map((row) => ({ webhook: row.webhook, event: row.event, attempts: row.attempts, queuedAt: row.queuedAt })),
    ...result.droppedIncoming.map((item) => ({ webhook: item.webhook, event: item.event, attempts: 0, queuedAt: now })),
  ];
  for (const loss of lost) {
    const event = deliveryFailedEvent({ ...loss, lastStatus: null, lastError: 'dropped: lossy webhook over its outbox limit', reason: 'dropped' }, now);
    if (event !== null) await deps.events?.emit(event);
  }
  return result;
}
