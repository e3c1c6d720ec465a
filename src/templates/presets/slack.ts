/**
 * `slack`: a Slack incoming-webhook message with Block Kit blocks. `text` is the notification
 * fallback; values go into plain_text elements only, so nothing in them is read as Slack markup
 * (no accidental links or mentions).
 */
import { ALERT_EVENT_TYPES } from '../../model/event.js';
import type { JsonValue } from '../json-source.js';
import { OTHER_TYPES, type Preset } from './preset.js';

const plain = (text: string) => ({ type: 'plain_text', text });

const ALERT: JsonValue = {
  text: '#summary',
  blocks: [
    { type: 'header', text: { type: 'plain_text', text: '{{upper status}}: #rule_name', emoji: true } },
    { type: 'section', text: plain('#summary{{#if message}}\n{{message}}{{/if}}') },
    {
      type: 'section',
      fields: [
        plain('Entity: #entity'),
        plain('Metric: #metric'),
        plain('Value: {{default value "none"}}'),
        plain('Severity: #severity'),
        plain('Open since: {{#if open_time}}{{formatDate open_time "yyyy-LL-dd HH:mm:ss \'UTC\'"}}{{else}}-{{/if}}'),
        plain('Duration: {{duration alert_duration}}'),
      ],
    },
    { type: 'context', elements: [plain('tocsin · #event_type · alert #alert_id')] },
  ],
};

const OTHER: JsonValue = {
  text: '#summary',
  blocks: [
    { type: 'header', text: { type: 'plain_text', text: '#event_type', emoji: true } },
    { type: 'section', text: plain('#summary') },
    { type: 'context', elements: [plain('tocsin · #timestamp · event #event_id')] },
  ],
};

export const slack: Preset = {
  name: 'slack',
  description: 'A Slack message with blocks (header, summary, fields) for incoming webhooks.',
  sources: [
    { eventTypes: ALERT_EVENT_TYPES, body: ALERT },
    { eventTypes: OTHER_TYPES, body: OTHER },
  ],
};
