/**
 * Events: what the engine emits and webhooks deliver (SPEC §1). Each type has a JSON Schema in
 * schemas/events/<type>.v<version>.json; a breaking change bumps the version and keeps the old one.
 */
import type { Severity } from './severity.js';
import type { Tags } from './sample.js';

export const EVENT_TYPES = [
  'alert.open',
  'alert.repeat',
  'alert.cancel',
  'alert.nodata',
  'alert.flapping',
  'rule.error',
  'config.changed',
  'delivery.failed',
  'delivery.backlog',
  'webhook.test',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const ALERT_EVENT_TYPES = ['alert.open', 'alert.repeat', 'alert.cancel', 'alert.nodata', 'alert.flapping'] as const;
export type AlertEventType = (typeof ALERT_EVENT_TYPES)[number];

/** The current version of each event type's schema. */
export const EVENT_VERSIONS: Record<EventType, number> = {
  'alert.open': 1,
  'alert.repeat': 1,
  'alert.cancel': 1,
  'alert.nodata': 1,
  'alert.flapping': 1,
  'rule.error': 1,
  'config.changed': 1,
  'delivery.failed': 1,
  'delivery.backlog': 1,
  'webhook.test': 1,
};

export interface TocsinEvent<D extends object = object> {
  /** Stable id (UUIDv7 or derived deterministically); the idempotency key receivers dedupe on. */
  id: string;
  type: EventType;
  version: number;
  /** ISO 8601 UTC. */
  time: string;
  severity: Severity;
  data: D;
}

export type AlertStatus = 'open' | 'repeat' | 'cancel' | 'nodata' | 'flapping';

export type CancelReason = 'condition_false' | 'data_resumed' | 'rule_removed' | 'acknowledged' | 'entity_disabled' | 'expired';

/** `data` of the alert.* events. */
export interface AlertEventData {
  alert_id: string;
  rule: string;
  rule_expression: string;
  rule_filter: string;
  severity: Severity;
  status: AlertStatus;
  reason?: CancelReason | string;
  metric: { name: string; label: string | null; units: string | null; tags: Tags };
  entity: { name: string; label: string | null; enabled: boolean; tags: Tags };
  /** Sample tags. */
  tags: Tags;
  series_key: string;
  value: number | null;
  open_value: number | null;
  /** ISO 8601 UTC. */
  open_time: string | null;
  time: string;
  /** Seconds since open. */
  alert_duration: number;
  repeat_count: number;
  /** The rule's window, e.g. 'length(1)' or 'time(5 minute)'. */
  window: string;
  /** Samples in the series' window when the event was emitted (Axibase `count`). */
  window_count?: number;
  labels: Record<string, string>;
  message: string;
}

export interface RuleErrorData {
  rule: string;
  series_key: string | null;
  error: string;
  /** file:line:column of the failing expression, when known. */
  location: string | null;
  expression: string;
}

export interface ConfigChangedData {
  actor: string;
  action: string;
  kind: string;
  name: string;
  summary?: string;
}

export interface DeliveryFailedData {
  webhook: string;
  event_id: string;
  event_type: EventType;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  reason: 'discarded' | 'rejected' | 'dropped';
}

/** `data` of delivery.backlog: a webhook's outbox reached its limit (backlogged) or fell to half of it (drained). */
export interface DeliveryBacklogData {
  webhook: string;
  status: 'backlogged' | 'drained';
  depth: number;
  limit: number;
  lossy: boolean;
  /** ISO 8601 UTC: when the backlog began. */
  since: string;
  backlog_seconds: number;
  outbox_bytes: number;
  budget_bytes: number;
  message: string;
}

export interface WebhookTestData {
  webhook: string;
  message: string;
}
