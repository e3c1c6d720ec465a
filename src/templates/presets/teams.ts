/**
 * `teams`: a Microsoft Teams message carrying an Adaptive Card (the format Teams workflows and
 * incoming webhooks accept): title, summary, a fact set and the rule's message.
 */
import type { EventType } from '../../model/event.js';
import type { JsonValue } from '../json-source.js';
import { FIRING_TYPES, OTHER_TYPES, RESOLVED_TYPES, type Preset } from './preset.js';

function card(body: JsonValue[]): JsonValue {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          msteams: { width: 'Full' },
          body,
        },
      },
    ],
  };
}

const fact = (title: string, value: string) => ({ title, value });

function alertCard(color: 'Attention' | 'Good'): JsonValue {
  return card([
    { type: 'TextBlock', text: '{{upper status}}: #rule_name', weight: 'Bolder', size: 'Medium', color, wrap: true },
    { type: 'TextBlock', text: '#summary', wrap: true },
    {
      type: 'FactSet',
      facts: [
        fact('Entity', '#entity'),
        fact('Metric', '#metric'),
        fact('Value', '{{default value "none"}}'),
        fact('Severity', '#severity'),
        fact('Open since', '{{default open_time "-"}}'),
        fact('Duration', '{{duration alert_duration}}'),
      ],
    },
    { type: 'TextBlock', text: '#message', wrap: true, isSubtle: true },
  ]);
}

const OTHER = card([
  { type: 'TextBlock', text: '#event_type', weight: 'Bolder', size: 'Medium', wrap: true },
  { type: 'TextBlock', text: '#summary', wrap: true },
  { type: 'FactSet', facts: [fact('Time', '#timestamp'), fact('Event id', '#event_id')] },
]);

const firing: readonly EventType[] = FIRING_TYPES;

export const teams: Preset = {
  name: 'teams',
  description: 'A Microsoft Teams message with an Adaptive Card (title, summary, facts).',
  sources: [
    { eventTypes: firing, body: alertCard('Attention') },
    { eventTypes: RESOLVED_TYPES, body: alertCard('Good') },
    { eventTypes: OTHER_TYPES, body: OTHER },
  ],
};
