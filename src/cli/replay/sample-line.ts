/**
 * One NDJSON line to a sample: JSON.parse, the time read by the fixed-format ISO reader when it
 * can, then a fast check of the usual shape that builds the Sample from the parsed object itself.
 * Anything off that path (an unknown field, a bad value, a time in another form) goes through
 * normalizeSample, the validation ingestion uses, which gives the same result and the error text.
 *
 * Why the fast path may keep the parsed `tags` object where normalizeSample copies it: JSON.parse
 * creates own data properties only (a `__proto__` key is a plain own key, never the prototype),
 * which is exactly what the copy guards against for other callers.
 * test/cli/replay/sample-line.test.ts compares both paths on generated lines.
 */
import { normalizeSample, type Sample, type Tags } from '../../model/sample.js';
import { parseIsoTime } from './iso-time.js';

const MAX_EPOCH_MS = 8.64e15;

/** The sample when `raw` has the usual shape and valid values, else null (the slow path decides). */
function fastSample(raw: Record<string, unknown>): Sample | null {
  for (const key in raw) {
    if (key !== 'metric' && key !== 'entity' && key !== 'tags' && key !== 'time' && key !== 'value' && key !== 'text') {
      return null;
    }
  }
  const { metric, entity, tags, value, text } = raw;
  let time = raw.time;
  if (typeof metric !== 'string' || metric === '' || typeof entity !== 'string' || entity === '') return null;
  if (typeof time === 'string') {
    time = parseIsoTime(time);
    if (time === undefined) return null;
  } else if (typeof time !== 'number' || !(Math.abs(time) <= MAX_EPOCH_MS)) {
    return null;
  }
  if (value !== null && (typeof value !== 'number' || !Number.isFinite(value))) return null;
  let sampleTags: Tags;
  if (tags === undefined) {
    sampleTags = {};
  } else {
    if (tags === null || typeof tags !== 'object' || Array.isArray(tags)) return null;
    for (const name in tags) if (typeof (tags as Record<string, unknown>)[name] !== 'string') return null;
    sampleTags = tags as Tags;
  }
  const sample: Sample = { metric, entity, tags: sampleTags, time: time as number, value: value as number | null };
  if (text !== undefined) {
    if (typeof text !== 'string') return null;
    sample.text = text;
  }
  return sample;
}

/** A sample, or what is wrong with the line (without its place: the caller knows the file and line). */
export function parseSampleLine(text: string): Sample | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return `invalid JSON: ${(error as Error).message}`;
  }
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const sample = fastSample(parsed as Record<string, unknown>);
    if (sample !== null) return sample;
  }
  const result = normalizeSample(parsed);
  if (!result.ok) return `${result.field ? `field '${result.field}': ` : ''}${result.message}`;
  return result.sample;
}

/** Whether a line holds nothing but spaces and tabs (skipped, as ingestion skips them). */
export function isBlankLine(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code !== 32 && code !== 9) return false;
  }
  return true;
}
