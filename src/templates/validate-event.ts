/**
 * Checks an event against its type's JSON Schema (ajv): for `tocsin render --data`, the preview
 * API and tests that the engine emits what the schemas promise.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { EventType } from '../model/event.js';
import { eventSchema, isEventType } from './schemas.js';

let ajv: Ajv | undefined;
const validators = new Map<EventType, ValidateFunction>();

function validatorFor(type: EventType): ValidateFunction {
  let validate = validators.get(type);
  if (validate === undefined) {
    // 'date-time' is checked by each time field's pattern (ISO 8601 UTC, as tocsin writes times).
    ajv ??= new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, formats: { 'date-time': true } });
    validate = ajv.compile(eventSchema(type));
    validators.set(type, validate);
  }
  return validate;
}

/** The event's mistakes as `data.value must be number,null` lines; empty when it is valid. */
export function validateEvent(event: unknown): string[] {
  const type = event !== null && typeof event === 'object' ? (event as { type?: unknown }).type : undefined;
  if (!isEventType(type)) return [`type must be one of the event types, got ${JSON.stringify(type)}`];
  const validate = validatorFor(type);
  if (validate(event)) return [];
  return (validate.errors ?? []).map((error) => {
    const where = error.instancePath === '' ? 'the event' : error.instancePath.slice(1).replace(/\//g, '.');
    const extra = error.keyword === 'additionalProperties' ? ` '${String((error.params as { additionalProperty?: unknown }).additionalProperty)}'` : '';
    return `${where} ${error.message ?? 'is invalid'}${extra}`;
  });
}
