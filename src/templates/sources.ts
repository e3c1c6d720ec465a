/**
 * Where template documents come from: JSON text (`templates/NAME.json`, the API) or a value already
 * parsed from YAML (`templates:` in a config file), with a way back to positions in that file.
 */
import type { EventType } from '../model/event.js';
import type { Problem, SourceOrigin, Span } from '../parser/diagnostics.js';
import { parseJsonSource, type JsonMember, type JsonNode } from './json-source.js';
import * as problems from './problems.js';

/** One document of a template and the event types it serves (a preset has one per group of types). */
export interface TemplateSource {
  /** The parsed document, or its JSON syntax error. */
  parsed: { ok: true; node: JsonNode } | { ok: false; problem: Problem };
  eventTypes: readonly EventType[];
  /** Where diagnostics point. */
  origin: SourceOrigin;
  /** The text spans are offsets into (when `origin.text` is absent, the file text). */
  text: string;
}

export function textSource(text: string, eventTypes: readonly EventType[], origin: SourceOrigin): TemplateSource {
  const result = parseJsonSource(text);
  return {
    parsed: result.ok ? { ok: true, node: result.node } : { ok: false, problem: problems.invalidJson(result.error.message, result.error.span, result.error.hint) },
    eventTypes,
    origin,
    text,
  };
}

/**
 * A document given as a value (YAML `body:`). `spanOf(path)` is the span in `origin.text` of the
 * value at `path` inside the body (the config loader has it). Positions inside a string are exact
 * for plain and simply quoted scalars, approximate when YAML escapes or folds the text.
 */
export function valueSource(value: unknown, eventTypes: readonly EventType[], origin: SourceOrigin & { text: string }, spanOf: (path: ReadonlyArray<string | number>) => Span): TemplateSource {
  const text = origin.text;
  const build = (current: unknown, path: Array<string | number>): JsonNode => {
    const span = spanOf(path);
    if (typeof current === 'string') {
      const quoted = text[span.start] === '"' || text[span.start] === "'";
      const base = span.start + (quoted ? 1 : 0);
      const last = Math.max(base, span.end - (quoted ? 2 : 1));
      return { kind: 'string', span, value: current, offsetOf: (index) => Math.min(base + Math.max(0, index), last) };
    }
    if (Array.isArray(current)) return { kind: 'array', span, items: current.map((item, i) => build(item, [...path, i])) };
    if (current !== null && typeof current === 'object') {
      const members: JsonMember[] = Object.keys(current).map((key) => ({ key, keySpan: spanOf([...path, key]), value: build((current as Record<string, unknown>)[key], [...path, key]) }));
      return { kind: 'object', span, members };
    }
    if (typeof current === 'number' && Number.isFinite(current)) return { kind: 'scalar', span, value: current };
    if (typeof current === 'boolean' || current === null) return { kind: 'scalar', span, value: current };
    // YAML can produce values JSON has no word for (dates, .inf); they become text, as JSON.stringify would write them.
    return { kind: 'string', span, value: current === undefined ? '' : String(current), offsetOf: () => span.start };
  };
  return { parsed: { ok: true, node: build(value, []) }, eventTypes, origin, text };
}
