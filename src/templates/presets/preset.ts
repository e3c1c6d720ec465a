/**
 * A built-in template (SPEC §5): one JSON body per group of event types, written as data and
 * compiled like any user template (so presets obey every rule user templates do).
 */
import type { EventType } from '../../model/event.js';
import type { JsonValue } from '../json-source.js';

export interface PresetSource {
  eventTypes: readonly EventType[];
  body: JsonValue;
}

export interface Preset {
  name: string;
  description: string;
  sources: readonly PresetSource[];
}

export const FIRING_TYPES: readonly EventType[] = ['alert.open', 'alert.repeat', 'alert.nodata', 'alert.flapping'];
export const RESOLVED_TYPES: readonly EventType[] = ['alert.cancel'];
export const OTHER_TYPES: readonly EventType[] = [
  'rule.error', 'config.changed', 'delivery.failed', 'delivery.backlog', 'webhook.test',
];
