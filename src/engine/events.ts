/**
 * Transitions of the state machine → the events of SPEC §1. The notifier gets these copies, never
 * the engine's live state.
 */
import type { AlertEventData, AlertStatus, RuleErrorData, TocsinEvent } from '../model/event.js';
import { EVENT_VERSIONS } from '../model/event.js';
import type { Entity, MetricMetadata, Tags } from '../model/sample.js';
import type { RuleDefinition, WindowSpec } from './rule.js';
import type { Transition } from './state.js';
import { formatDuration } from '../model/duration.js';
import { deterministicUuidV7 } from '../model/ids.js';

export interface SeriesIdentity {
  metric: string;
  entity: string;
  tags: Tags;
}

const STATUS: Record<Transition['type'], AlertStatus> = {
  'alert.open': 'open',
  'alert.repeat': 'repeat',
  'alert.cancel': 'cancel',
  'alert.nodata': 'nodata',
  'alert.flapping': 'flapping',
};

export function windowText(window: WindowSpec): string {
  if (window.kind === 'length') return `length(${window.size})`;
  const text = formatDuration(window.ms);
  return `time(${text.replace(/(\d+)([dhms])/g, (_, n: string, u: string) => `${n} ${{ d: 'day', h: 'hour', m: 'minute', s: 'second' }[u]}`)})`;
}

export const iso = (ms: number): string => new Date(ms).toISOString();

export function alertEvent(
  transition: Transition,
  rule: RuleDefinition,
  seriesKey: string,
  identity: SeriesIdentity,
  entity: Entity,
  metric: MetricMetadata | undefined,
): TocsinEvent<AlertEventData> {
  const data: AlertEventData = {
    alert_id: transition.alertId,
    rule: rule.name,
    rule_expression: rule.condition.text,
    rule_filter: rule.filter?.text ?? '',
    severity: transition.severity,
    status: STATUS[transition.type],
    metric: { name: identity.metric, label: metric?.label ?? null, units: metric?.units ?? null, tags: { ...(metric?.tags ?? {}) } },
    entity: { name: entity.name, label: entity.label ?? null, enabled: entity.enabled, tags: { ...entity.tags } },
    tags: { ...identity.tags },
    series_key: seriesKey,
    value: transition.value,
    open_value: transition.openValue,
    open_time: transition.openTime === null ? null : iso(transition.openTime),
    time: iso(transition.time),
    alert_duration: transition.openTime === null ? 0 : Math.max(0, Math.round((transition.time - transition.openTime) / 1000)),
    repeat_count: transition.repeatCount,
    window: windowText(rule.window),
    labels: { ...rule.labels },
    message: rule.message,
  };
  if (transition.reason !== undefined) data.reason = transition.reason;
  return {
    id: transition.eventId,
    type: transition.type,
    version: EVENT_VERSIONS[transition.type],
    time: iso(transition.time),
    severity: transition.severity,
    data,
  };
}

export function ruleErrorEvent(rule: RuleDefinition, seriesKey: string | null, error: string, location: string | null, expression: string, now: number): TocsinEvent<RuleErrorData> {
  return {
    id: deterministicUuidV7(now, `rule.error\u0000${rule.name}\u0000${seriesKey}\u0000${now}\u0000${error}`),
    type: 'rule.error',
    version: EVENT_VERSIONS['rule.error'],
    time: iso(now),
    severity: 'warning',
    data: { rule: rule.name, series_key: seriesKey, error, location, expression },
  };
}
