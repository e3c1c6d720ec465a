/** A metric sample as pipelines send it (SPEC §1), and the normalised form the engine uses. */
export type Tags = Record<string, string>;

export interface SampleInput {
  metric: string;
  entity: string;
  tags?: Tags;
  /** ISO 8601 text or epoch milliseconds. */
  time: string | number;
  value: number | null;
  text?: string;
}

/** After validation: time in epoch ms, tags always present. */
export interface Sample {
  metric: string;
  entity: string;
  tags: Tags;
  time: number;
  value: number | null;
  text?: string;
}

export interface Entity {
  name: string;
  label?: string;
  enabled: boolean;
  tags: Tags;
}

export interface MetricMetadata {
  name: string;
  label?: string;
  units?: string;
  description?: string;
  tags?: Tags;
}

export type SampleResult = { ok: true; sample: Sample } | { ok: false; field: string; message: string };

const fail = (field: string, message: string): SampleResult => ({ ok: false, field, message });

/**
 * Validates one sample as clients send it (SPEC §1) and normalises it: time to epoch ms, tags
 * present. Hand-written rather than a JSON Schema so ingestion stays fast; the schema in
 * schemas/sample.schema.json documents the same rules.
 */
export function normalizeSample(input: unknown): SampleResult {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return fail('', 'a sample must be an object {metric, entity, time, value}');
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (key !== 'metric' && key !== 'entity' && key !== 'tags' && key !== 'time' && key !== 'value' && key !== 'text') {
      return fail(key, `unknown field '${key}' (fields are metric, entity, tags, time, value, text)`);
    }
  }
  if (typeof raw.metric !== 'string' || raw.metric === '') return fail('metric', 'metric must be a non-empty string');
  if (typeof raw.entity !== 'string' || raw.entity === '') return fail('entity', 'entity must be a non-empty string');
  let time: number;
  if (typeof raw.time === 'number') {
    // ±8.64e15 ms is the range of a JavaScript Date (±275,000 years): anything beyond is a unit mistake.
    if (!Number.isFinite(raw.time) || Math.abs(raw.time) > 8.64e15) return fail('time', 'time must be epoch milliseconds within the range of a date (did you send seconds or nanoseconds?)');
    time = raw.time;
  } else if (typeof raw.time === 'string') {
    time = Date.parse(raw.time);
    if (!Number.isFinite(time)) return fail('time', `time '${raw.time}' is not an ISO 8601 date-time`);
  } else {
    return fail('time', 'time is required: an ISO 8601 string or epoch milliseconds');
  }
  let value: number | null;
  if (raw.value === null) value = null;
  else if (typeof raw.value === 'number' && Number.isFinite(raw.value)) value = raw.value;
  else return fail('value', 'value must be a finite number or null');
  let tags: Tags = {};
  if (raw.tags !== undefined) {
    if (raw.tags === null || typeof raw.tags !== 'object' || Array.isArray(raw.tags)) return fail('tags', 'tags must be an object of strings');
    tags = {};
    for (const [name, tagValue] of Object.entries(raw.tags as Record<string, unknown>)) {
      if (typeof tagValue !== 'string') return fail(`tags.${name}`, `tag '${name}' must be a string`);
      // defineProperty: a tag named __proto__ is a tag, not the object's prototype.
      Object.defineProperty(tags, name, { value: tagValue, enumerable: true, writable: true, configurable: true });
    }
  }
  const sample: Sample = { metric: raw.metric, entity: raw.entity, tags, time, value };
  if (raw.text !== undefined) {
    if (typeof raw.text !== 'string') return fail('text', 'text must be a string');
    sample.text = raw.text;
  }
  return { ok: true, sample };
}
