/**
 * `test`: the IBM Copy Services Manager body (seed 000): `{"eventnumber", "event_type",
 * "createddate", "createdtime"}`, with "webhook test" as the type of the test event as IBM sends
 * it. eventnumber and createddate are epoch milliseconds, createdtime Java's Date#toString form
 * (in UTC).
 */
import type { Preset } from './preset.js';

const createdtime = '{{formatDate timestamp "EEE MMM dd HH:mm:ss ZZZZ yyyy"}}';

export const test: Preset = {
  name: 'test',
  description: 'The IBM test body {"eventnumber", "event_type": "webhook test", "createddate", "createdtime"}; other events use their type.',
  sources: [
    { eventTypes: ['webhook.test'], body: { eventnumber: '#timestamp_ms', event_type: 'webhook test', createddate: '#timestamp_ms', createdtime } },
    {
      eventTypes: [
        'alert.open', 'alert.repeat', 'alert.cancel', 'alert.nodata', 'alert.flapping',
        'rule.error', 'config.changed', 'delivery.failed', 'delivery.backlog',
      ],
      body: { eventnumber: '#timestamp_ms', event_type: '#event_type', createddate: '#timestamp_ms', createdtime },
    },
  ],
};
