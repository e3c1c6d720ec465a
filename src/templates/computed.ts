/**
 * Variables computed from an event rather than read from one field: a one-line summary for every
 * type (chat titles, PagerDuty summaries), the Prometheus-style label set of an alert, a stable
 * fingerprint (Alertmanager), epoch milliseconds (the IBM test body).
 */
import { createHash } from 'node:crypto';
import type { TocsinEvent } from '../model/event.js';
import { own, toText } from './context.js';

const text = (value: unknown, fallback = '?'): string => {
  const shown = toText(value);
  return shown === '' ? fallback : shown;
};

/** `docker-tcp-check opened on db-test-db2 (value 1)`, `rule disk-growth failed: …`. */
export function summarize(event: TocsinEvent): string {
  const data = event.data;
  const rule = text(own(data, 'rule'));
  const entity = text(own(own(data, 'entity'), 'name'));
  const value = own(data, 'value');
  const valueText = value === null || value === undefined ? 'no value' : `value ${toText(value)}`;
  switch (event.type) {
    case 'alert.open':
      return `${rule} opened on ${entity} (${valueText})`;
    case 'alert.repeat':
      return `${rule} still open on ${entity} (${valueText}, repeat ${text(own(data, 'repeat_count'), '0')})`;
    case 'alert.cancel': {
      const reason = toText(own(data, 'reason'));
      return `${rule} cancelled on ${entity}${reason === '' ? '' : ` (${reason.replace(/_/g, ' ')})`}`;
    }
    case 'alert.nodata':
      return `${rule}: no data from ${entity}`;
    case 'alert.flapping':
      return `${rule} is flapping on ${entity}; notifications are muted until it settles`;
    case 'rule.error':
      return `rule ${rule} failed: ${text(own(data, 'error'))}`;
    case 'config.changed':
      return `${text(own(data, 'actor'))} ${text(own(data, 'action'))} ${text(own(data, 'kind'))} ${text(own(data, 'name'))}`;
    case 'delivery.failed': {
      const status = own(data, 'last_status');
      const error = toText(own(data, 'last_error'));
      const cause = typeof status === 'number' ? ` (HTTP ${status})` : error === '' ? '' : ` (${error})`;
      return `${text(own(data, 'event_type'))} to webhook ${text(own(data, 'webhook'))} ${text(own(data, 'reason'))} after ${text(own(data, 'attempts'), '0')} attempts${cause}`;
    }
    case 'delivery.backlog': {
      const webhook = text(own(data, 'webhook'));
      const depth = text(own(data, 'depth'), '0');
      if (own(data, 'status') === 'drained') return `webhook ${webhook} drained its backlog (${depth} waiting)`;
      return `webhook ${webhook} is backlogged: ${depth} notifications waiting (limit ${text(own(data, 'limit'))})`;
    }
    case 'webhook.test':
      return text(own(data, 'message'), `tocsin webhook test for ${text(own(data, 'webhook'))}`);
  }
}

/**
 * All labels of an alert as one map, the way Alertmanager shows them: the sample tags, entity and
 * metric, the rule's labels over those, then severity and alertname (the rule), which always win.
 */
export function alertLabels(event: TocsinEvent): Record<string, string> {
  const data = event.data;
  const labels: Record<string, string> = {};
  const add = (source: unknown) => {
    if (source === null || typeof source !== 'object') return;
    for (const key of Object.keys(source)) {
      const value = (source as Record<string, unknown>)[key];
      if (typeof value === 'string' && key !== '__proto__') labels[key] = value;
    }
  };
  add(own(data, 'tags'));
  const entity = own(own(data, 'entity'), 'name');
  const metric = own(own(data, 'metric'), 'name');
  if (typeof entity === 'string') labels.entity = entity;
  if (typeof metric === 'string') labels.metric = metric;
  add(own(data, 'labels'));
  labels.severity = toText(own(data, 'severity') ?? event.severity);
  labels.alertname = toText(own(data, 'rule'));
  return labels;
}

/**
 * 16 hex digits that stay the same for the same thing: an alert's rule and series (as Alertmanager
 * fingerprints a label set), otherwise the event itself.
 */
export function fingerprint(event: TocsinEvent): string {
  const data = event.data;
  const identity = event.type.startsWith('alert.')
    ? `alert\u0000${toText(own(data, 'rule'))}\u0000${toText(own(data, 'series_key'))}`
    : `event\u0000${event.id}`;
  return createHash('sha256').update(identity).digest('hex').slice(0, 16);
}

/** The event time in epoch milliseconds, or null when it is not a date. */
export function epochMillis(event: TocsinEvent): number | null {
  const ms = typeof event.time === 'string' ? Date.parse(event.time) : NaN;
  return Number.isFinite(ms) ? ms : null;
}
