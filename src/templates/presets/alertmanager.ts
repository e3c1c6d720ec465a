/**
 * `alertmanager`: the body of an Alertmanager webhook (version 4), so receivers written for
 * Prometheus Alertmanager (and tools that accept its format) take tocsin alerts unchanged. One
 * tocsin event is one group with one alert; the alert's labels are #alert_labels (tags, entity,
 * metric, rule labels, severity, alertname = rule), its fingerprint stable per rule and series.
 * Firing alerts carry Alertmanager's zero time as endsAt, as Alertmanager itself sends them.
 */
import type { JsonValue } from '../json-source.js';
import { FIRING_TYPES, OTHER_TYPES, RESOLVED_TYPES, type Preset } from './preset.js';

const ZERO_TIME = '0001-01-01T00:00:00Z';

function alertBody(status: 'firing' | 'resolved'): JsonValue {
  const annotations = { summary: '#summary', description: '#message', value: '{{value}}' };
  return {
    version: '4',
    groupKey: '{}:{alertname="#rule_name"}',
    truncatedAlerts: 0,
    status,
    receiver: '{{default receiver "tocsin"}}',
    groupLabels: { alertname: '#rule_name' },
    commonLabels: '#alert_labels',
    commonAnnotations: annotations,
    externalURL: '{{external_url}}',
    alerts: [
      {
        status,
        labels: '#alert_labels',
        annotations,
        startsAt: '{{default open_time timestamp}}',
        endsAt: status === 'resolved' ? '#timestamp' : ZERO_TIME,
        generatorURL: '{{#if external_url}}{{external_url}}/api/v1/alerts/{{alert_id}}{{/if}}',
        fingerprint: '#fingerprint',
      },
    ],
  };
}

const OTHER: JsonValue = {
  version: '4',
  groupKey: '{}:{alertname="#event_type"}',
  truncatedAlerts: 0,
  status: 'firing',
  receiver: '{{default receiver "tocsin"}}',
  groupLabels: { alertname: '#event_type' },
  commonLabels: { alertname: '#event_type', severity: '#severity' },
  commonAnnotations: { summary: '#summary' },
  externalURL: '{{external_url}}',
  alerts: [
    {
      status: 'firing',
      labels: { alertname: '#event_type', severity: '#severity' },
      annotations: { summary: '#summary' },
      startsAt: '#timestamp',
      endsAt: ZERO_TIME,
      generatorURL: '',
      fingerprint: '#fingerprint',
    },
  ],
};

export const alertmanager: Preset = {
  name: 'alertmanager',
  description: 'The Alertmanager webhook body (version 4): one group with one alert per event; cancel is "resolved".',
  sources: [
    { eventTypes: FIRING_TYPES, body: alertBody('firing') },
    { eventTypes: RESOLVED_TYPES, body: alertBody('resolved') },
    { eventTypes: OTHER_TYPES, body: OTHER },
  ],
};
