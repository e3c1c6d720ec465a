/**
 * The bounded outbox (SPEC §6 `lossy`): each webhook may have `limit` notifications pending. Over
 * the limit, a lossy webhook drops its oldest pending notifications (counted, and reported as
 * delivery.failed) to make room; any other webhook keeps queueing — nothing is lost — and the
 * caller is told about the backpressure so ingestion can slow its producers down.
 */
import type { TocsinEvent } from '../model/event.js';
import { deliveryFailedEvent } from './failed-event.js';
import type { ClaimedRow, EventSink, OutboxDepthPort, WebhookDirectory } from './ports.js';

export const DEFAULT_OUTBOX_LIMIT = 10_000;

export interface AdmissionPlan {
  /** Oldest pending rows to drop first. */
  dropPending: number;
  /** Then the oldest of the incoming notifications, when the pending rows were not enough. */
  dropIncoming: number;
  backpressure: boolean;
}

/** The pure part: what to do with `incoming` new notifications for a webhook holding `depth`. */
export function admissionPlan(depth: number, incoming: number, limit: number, lossy: boolean): AdmissionPlan {
  const over = depth + incoming - limit;
  if (over <= 0) return { dropPending: 0, dropIncoming: 0, backpressure: false };
  if (!lossy) return { dropPending: 0, dropIncoming: 0, backpressure: true };
  const dropPending = Math.min(over, depth);
  return { dropPending, dropIncoming: over - dropPending, backpressure: false };
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
  /** Webhooks over their limit that keep queueing: slow the producers down. */
  backpressure: string[];
}

export async function admit<T extends { webhook: string; event: TocsinEvent }>(
  items: readonly T[],
  deps: AdmissionDeps,
  now: number,
  limit: number = DEFAULT_OUTBOX_LIMIT,
): Promise<AdmissionResult<T>> {
  const byWebhook = new Map<string, T[]>();
  for (const item of items) {
    const list = byWebhook.get(item.webhook) ?? [];
    list.push(item);
    byWebhook.set(item.webhook, list);
  }
  const result: AdmissionResult<T> = { accepted: [], droppedRows: [], droppedIncoming: [], backpressure: [] };
  const rejected = new Set<T>();
  for (const [name, list] of byWebhook) {
    const lossy = deps.webhooks.get(name)?.lossy ?? false;
    const plan = admissionPlan(await deps.outbox.outboxDepth(name), list.length, limit, lossy);
    if (plan.backpressure) result.backpressure.push(name);
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
