/**
 * `pagerduty`: PagerDuty Events API v2 (POST https://events.pagerduty.com/v2/enqueue). An alert
 * triggers with `dedup_key` = the alert id and its cancel resolves the same key, so one tocsin
 * alert is one PagerDuty incident. The integration key comes from the webhook's
 * `params: { routing_key: … }`. tocsin severities map onto PagerDuty's four.
 */
import type { JsonValue } from '../json-source.js';
import { FIRING_TYPES, OTHER_TYPES, RESOLVED_TYPES, type Preset } from './preset.js';

const SEVERITY =
  '{{#if (eq severity "info")}}info{{else if (eq severity "warning")}}warning{{else if (eq severity "minor")}}warning' +
  '{{else if (eq severity "major")}}error{{else}}critical{{/if}}';

const TRIGGER: JsonValue = {
  routing_key: '#params.routing_key',
  event_action: 'trigger',
  dedup_key: '#alert_id',
  payload: {
    summary: '#summary',
    source: '#entity',
    severity: SEVERITY,
    timestamp: '#timestamp',
    component: '#metric',
    group: '#rule_name',
    class: '#event_type',
    custom_details: {
      value: '#value',
      open_value: '#open_value',
      open_time: '#open_time',
      alert_duration: '#alert_duration',
      repeat_count: '#repeat_count',
      rule_expression: '#rule_expression',
      series_key: '#series_key',
      labels: '#alert_labels',
      message: '#message',
    },
  },
  client: 'tocsin',
};

const RESOLVE: JsonValue = { routing_key: '#params.routing_key', event_action: 'resolve', dedup_key: '#alert_id' };

const OTHER: JsonValue = {
  routing_key: '#params.routing_key',
  event_action: 'trigger',
  dedup_key: '#event_id',
  payload: { summary: '#summary', source: 'tocsin', severity: SEVERITY, timestamp: '#timestamp', class: '#event_type', custom_details: '#data' },
  client: 'tocsin',
};

export const pagerduty: Preset = {
  name: 'pagerduty',
  description: 'PagerDuty Events API v2: trigger on open/repeat/nodata/flapping, resolve on cancel, dedup_key = alert id; routing_key from the webhook params.',
  sources: [
    { eventTypes: FIRING_TYPES, body: TRIGGER },
    { eventTypes: RESOLVED_TYPES, body: RESOLVE },
    { eventTypes: OTHER_TYPES, body: OTHER },
  ],
};
