/**
 * One NDJSON line to a sample: JSON.parse, the time read by the fixed-format ISO reader when it
 * can (Date.parse otherwise, inside normalizeSample), then the same validation as ingestion.
 */
import { normalizeSample, type Sample } from '../../model/sample.js';
import { parseIsoTime } from './iso-time.js';

/** A sample, or what is wrong with the line (without its place: the caller knows the file and line). */
export function parseSampleLine(text: string): Sample | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return `invalid JSON: ${(error as Error).message}`;
  }
  if (parsed !== null && typeof parsed === 'object') {
    const raw = parsed as { time?: unknown };
    if (typeof raw.time === 'string') {
      const time = parseIsoTime(raw.time);
      if (time !== undefined) raw.time = time;
    }
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
