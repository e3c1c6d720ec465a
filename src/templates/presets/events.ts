/**
 * `events`: the Stalwart envelope `{"events": [{id, createdAt, type, data}]}` (seed 002). Batched
 * webhooks send several events in one such envelope.
 */
import { EVENT_TYPES } from '../../model/event.js';
import type { Preset } from './preset.js';

export const events: Preset = {
  name: 'events',
  description: 'The events envelope {"events": [{id, createdAt, type, data}]}, as Stalwart sends it; also the body of batched webhooks.',
  sources: [{ eventTypes: EVENT_TYPES, body: { events: [{ id: '#event_id', createdAt: '#timestamp', type: '#event_type', data: '#data' }] } }],
};
