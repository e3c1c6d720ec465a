/**
 * `delivery.failed` (SPEC §6): emitted when a notification is discarded, rejected or dropped, so
 * another webhook can page about a broken one. Its id is derived from what failed, so emitting it
 * again after a crash yields the same id and receivers drop the duplicate.
 */
import { deterministicUuidV7 } from '../model/ids.js';
import { EVENT_VERSIONS, type DeliveryFailedData, type TocsinEvent } from '../model/event.js';
import { severityRank, type Severity } from '../model/severity.js';

export interface FailedDelivery {
  webhook: string;
  event: TocsinEvent;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  reason: DeliveryFailedData['reason'];
  /** Distinguishes a second failure of the same event (after a manual retry re-queued it). */
  queuedAt: number;
}

/** A failure matters at least as a warning, and as much as the event that was lost. */
function failureSeverity(lost: Severity): Severity {
  return severityRank(lost) >= severityRank('warning') ? lost : 'warning';
}

/**
 * Null for a delivery.failed event itself: a webhook that pages about failures and is broken too
 * would otherwise feed on its own failures forever.
 */
export function deliveryFailedEvent(failure: FailedDelivery, now: number): TocsinEvent<DeliveryFailedData> | null {
  if (failure.event.type === 'delivery.failed') return null;
  return {
    id: deterministicUuidV7(failure.queuedAt, `delivery.failed\u0000${failure.webhook}\u0000${failure.event.id}\u0000${failure.queuedAt}`),
    type: 'delivery.failed',
    version: EVENT_VERSIONS['delivery.failed'],
    time: new Date(now).toISOString(),
    severity: failureSeverity(failure.event.severity),
    data: {
      webhook: failure.webhook,
      event_id: failure.event.id,
      event_type: failure.event.type,
      attempts: failure.attempts,
      last_status: failure.lastStatus,
      last_error: failure.lastError,
      reason: failure.reason,
    },
  };
}
