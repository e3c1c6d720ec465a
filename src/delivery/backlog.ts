/**
 * Backlogs and the global outbox budget (SPEC §6), as pure functions of the outbox usage the store
 * keeps (rows and event bytes per webhook) and the time: no I/O, no clock.
 *
 * - The budget: the unfinished notifications of every webhook together, each counted as its event's
 *   JSON plus ROW_OVERHEAD_BYTES. At the budget, ingestion is refused; below it, accepted. The
 *   decision is taken from the depths as they are when a batch arrives, so it clears the moment
 *   deliveries bring the outbox under the budget, whichever webhook drained.
 * - A backlog: a webhook is backlogged from the moment its depth reaches its `outbox_limit` until it
 *   falls to half of it. The gap keeps a webhook that hovers around its limit from sending a
 *   backlogged/drained pair on every batch; each change is one delivery.backlog event.
 */
import { formatDuration } from '../model/duration.js';
import { EVENT_VERSIONS, type DeliveryBacklogData, type TocsinEvent } from '../model/event.js';
import { deterministicUuidV7 } from '../model/ids.js';
import { formatSize } from '../model/size.js';
import type { OutboxUsage } from '../store/store.js';

/**
 * What a queued notification costs besides its event's JSON: its row's other columns and its entries
 * in the outbox indexes. Measured at 463 bytes a row on 20,000 alert notifications; rounded up.
 */
export const ROW_OVERHEAD_BYTES = 512;

export function countedBytes(usage: Pick<OutboxUsage, 'rows' | 'eventBytes'>): number {
  return usage.eventBytes + usage.rows * ROW_OVERHEAD_BYTES;
}

export interface BudgetState {
  usedBytes: number;
  budgetBytes: number;
  /** Unfinished notifications of every webhook. */
  rows: number;
  /** At or over the budget: ingestion is refused. */
  full: boolean;
}

export function budgetState(usage: readonly OutboxUsage[], budgetBytes: number): BudgetState {
  let usedBytes = 0;
  let rows = 0;
  for (const entry of usage) {
    usedBytes += countedBytes(entry);
    rows += entry.rows;
  }
  return { usedBytes, budgetBytes, rows, full: usedBytes >= budgetBytes };
}

/** A webhook as the backlog check sees it: its depth now, and its options. */
export interface ObservedWebhook {
  webhook: string;
  depth: number;
  limit: number;
  lossy: boolean;
}

export interface Backlog {
  /** Epoch ms the backlog began. */
  since: number;
  limit: number;
  lossy: boolean;
}

export type BacklogState = ReadonlyMap<string, Backlog>;

export interface BacklogChange {
  webhook: string;
  status: DeliveryBacklogData['status'];
  depth: number;
  limit: number;
  lossy: boolean;
  since: number;
}

/** Depth at which a backlog counts as drained: half the limit (see the header). */
export function drainedAt(limit: number): number {
  return Math.floor(limit / 2);
}

/**
 * The next backlog state and what changed. A webhook that is backlogged but no longer observed (it
 * was deleted) is judged by the depth it still has, 0 when none, with the limit it had.
 */
export function backlogStep(
  state: BacklogState,
  observed: readonly ObservedWebhook[],
  now: number,
): { state: BacklogState; changes: BacklogChange[] } {
  const next = new Map(state);
  const changes: BacklogChange[] = [];
  const seen = new Set<string>();
  for (const { webhook, depth, limit, lossy } of observed) {
    seen.add(webhook);
    const backlog = state.get(webhook);
    if (backlog === undefined && depth >= limit) {
      next.set(webhook, { since: now, limit, lossy });
      changes.push({ webhook, status: 'backlogged', depth, limit, lossy, since: now });
    } else if (backlog !== undefined && depth <= drainedAt(limit)) {
      next.delete(webhook);
      changes.push({ webhook, status: 'drained', depth, limit, lossy, since: backlog.since });
    } else if (backlog !== undefined && (backlog.limit !== limit || backlog.lossy !== lossy)) {
      next.set(webhook, { ...backlog, limit, lossy });
    }
  }
  for (const [webhook, backlog] of state) {
    if (seen.has(webhook)) continue;
    next.delete(webhook);
    const { limit, lossy, since } = backlog;
    changes.push({ webhook, status: 'drained', depth: 0, limit, lossy, since });
  }
  return { state: next, changes };
}

function sentence(change: BacklogChange, budget: BudgetState, now: number): string {
  const name = change.webhook;
  if (change.status === 'drained') {
    return `webhook ${name} is no longer backlogged: ${change.depth} notifications waiting ` +
      `(its outbox_limit is ${change.limit}), after ${formatDuration(Math.max(0, now - change.since))}.`;
  }
  const percent = Math.min(100, Math.floor((budget.usedBytes / budget.budgetBytes) * 100));
  const fate = change.lossy
    ? 'as a lossy webhook it now drops its oldest notifications (each reported as delivery.failed)'
    : `they keep being stored until the outbox budget (${formatSize(budget.budgetBytes)}, ${percent}% used) ` +
      'is reached, then ingestion is refused';
  return `webhook ${name} has ${change.depth} notifications waiting (its outbox_limit is ${change.limit}): ` +
    `its receiver is down or slower than the events for it; ${fate}. ` +
    `See GET /api/v1/webhooks/${name}/deliveries for the receiver's answers.`;
}

/**
 * The delivery.backlog event of a change. Its id derives from the webhook, the status and when the
 * backlog began, so a check repeated after a crash yields the same id.
 */
export function backlogEvent(
  change: BacklogChange,
  budget: BudgetState,
  now: number,
): TocsinEvent<DeliveryBacklogData> {
  return {
    id: deterministicUuidV7(now, `delivery.backlog\u0000${change.webhook}\u0000${change.status}\u0000${change.since}`),
    type: 'delivery.backlog',
    version: EVENT_VERSIONS['delivery.backlog'],
    time: new Date(now).toISOString(),
    severity: 'warning',
    data: {
      webhook: change.webhook,
      status: change.status,
      depth: change.depth,
      limit: change.limit,
      lossy: change.lossy,
      since: new Date(change.since).toISOString(),
      backlog_seconds: change.status === 'drained' ? Math.max(0, Math.round((now - change.since) / 1000)) : 0,
      outbox_bytes: budget.usedBytes,
      budget_bytes: budget.budgetBytes,
      message: sentence(change, budget, now),
    },
  };
}
