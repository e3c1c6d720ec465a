/**
 * `flat`: the Axibase webhook payload (seed 001), key for key: dotted keys such as `entity.label`
 * and `metric.tags` at the top level, statuses in upper case, `alert_duration` as dd:hh:mm:ss.
 * Fields tocsin has no notion of keep their key with a neutral value (null or empty text), so
 * receivers written for Axibase find every key they read. Other event types get the same flat
 * style with their own fields.
 */
import { ALERT_EVENT_TYPES } from '../../model/event.js';
import type { JsonValue } from '../json-source.js';
import type { Preset } from './preset.js';

const ALERT: JsonValue = {
  alert_duration: '{{duration alert_duration "dd:hh:mm:ss"}}',
  alert_duration_interval: '{{#if alert_duration}}{{duration alert_duration}}{{/if}}',
  alert_message: '#message',
  open_time: '#open_time',
  alert_type: '{{upper status}}',
  count: '#window_count',
  entity: '#entity',
  'entity.enabled': '#entity.enabled',
  'entity.id': '#entity.name',
  'entity.label': '#entity.label',
  'entity.name': '#entity.name',
  'entity.tags': '#entity.tags',
  command_time: '#time',
  expression: '#rule_expression',
  message: '#message',
  metric: '#metric',
  // tocsin keeps every value as a double, like an Axibase FLOAT metric.
  'metric.dataType': 'FLOAT',
  'metric.enabled': true,
  'metric.id': '#metric.name',
  'metric.interpolate': null,
  'metric.invalidValueAction': null,
  'metric.name': '#metric.name',
  'metric.persistent': null,
  'metric.seriesRetentionDays': null,
  'metric.tags': '#metric.tags',
  'metric.versioning': null,
  min_interval_expired: '',
  open_value: '#open_value',
  properties: '',
  update_time: '#time',
  repeat_count: '#repeat_count',
  repeat_interval: '',
  rule: '#rule',
  rule_expression: '#rule_expression',
  rule_filter: '#rule_filter',
  rule_name: '#rule_name',
  schedule: '',
  severity: '#severity',
  status: '{{upper status}}',
  tags: '#tags',
  value: '#value',
  window: '#window',
  command_first_time: null,
};

const envelope = { event_type: '#event_type', event_id: '#event_id', timestamp: '#timestamp', severity: '#severity', summary: '#summary' };

export const flat: Preset = {
  name: 'flat',
  description: 'The Axibase webhook payload: every alert field at the top level with dotted keys (entity.label, metric.tags, …).',
  sources: [
    { eventTypes: ALERT_EVENT_TYPES, body: ALERT },
    { eventTypes: ['rule.error'], body: { ...envelope, rule: '#rule', rule_name: '#rule_name', series_key: '#series_key', error: '#error', location: '#location', expression: '#expression' } },
    { eventTypes: ['config.changed'], body: { ...envelope, actor: '#actor', action: '#action', kind: '#kind', name: '#name', change_summary: '#change_summary' } },
    {
      eventTypes: ['delivery.failed'],
      body: { ...envelope, webhook: '#webhook', failed_event_id: '#failed_event_id', failed_event_type: '#failed_event_type', attempts: '#attempts', last_status: '#last_status', last_error: '#last_error', reason: '#reason' },
    },
    {
      eventTypes: ['delivery.backlog'],
      body: {
        ...envelope, webhook: '#webhook', status: '#status', depth: '#depth', limit: '#limit', lossy: '#lossy',
        since: '#since', outbox_bytes: '#outbox_bytes', budget_bytes: '#budget_bytes', message: '#message',
      },
    },
    { eventTypes: ['webhook.test'], body: { ...envelope, webhook: '#webhook', message: '#message' } },
  ],
};
