/**
 * The event schemas (schemas/events/<type>.v<N>.json) as data: the single source of what each
 * event type carries. Template variables, their types and their example values are derived from
 * them, and each schema's `examples[0]` is the sample event that `tocsin render` and the
 * template preview use when no event is given.
 *
 * The files ship with the package (next to src/ and dist/), so they are read relative to this
 * module, once per type, on first use.
 */
import { readFileSync } from 'node:fs';
import { EVENT_TYPES, EVENT_VERSIONS, type EventType, type TocsinEvent } from '../model/event.js';

/** The subset of JSON Schema (draft-07) the event schemas use. */
export interface EventSchemaNode {
  description?: string;
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, EventSchemaNode>;
  required?: string[];
  additionalProperties?: boolean | EventSchemaNode;
  items?: EventSchemaNode;
  format?: string;
  examples?: unknown[];
}

export interface EventSchema extends EventSchemaNode {
  $id: string;
  title: string;
}

const cache = new Map<EventType, EventSchema>();

export function eventSchemaFile(type: EventType, version: number = EVENT_VERSIONS[type]): URL {
  return new URL(`../../schemas/events/${type}.v${version}.json`, import.meta.url);
}

/** The JSON Schema of an event type's current version (the whole envelope with its data). */
export function eventSchema(type: EventType): EventSchema {
  let schema = cache.get(type);
  if (schema === undefined) {
    schema = JSON.parse(readFileSync(eventSchemaFile(type), 'utf8')) as EventSchema;
    cache.set(type, schema);
  }
  return schema;
}

/** A fresh copy of the type's example event (the schema's `examples[0]`). */
export function sampleEvent(type: EventType): TocsinEvent {
  const example = eventSchema(type).examples?.[0];
  if (example === undefined) throw new Error(`schemas/events/${type}.v${EVENT_VERSIONS[type]}.json has no example event`);
  return structuredClone(example) as TocsinEvent;
}

export function isEventType(text: unknown): text is EventType {
  return typeof text === 'string' && (EVENT_TYPES as readonly string[]).includes(text);
}
