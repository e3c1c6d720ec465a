/**
 * From a template's plan to render functions: one that builds the body as a value (fresh objects)
 * and one that writes it as JSON text. The text emitter flattens the whole document into constant
 * JSON fragments with dynamic holes, so a render is string concatenation plus JSON.stringify of
 * the dynamic values; values only ever enter the body through JSON encoding.
 */
import { toJsonValue, type Getter, type RenderContext } from './context.js';
import { setOwn, type JsonValue } from './json-source.js';

export type Plan =
  | { kind: 'const'; value: JsonValue }
  | { kind: 'object'; keys: string[]; children: Plan[] }
  | { kind: 'array'; children: Plan[] }
  /** A leaf that is exactly one token: the variable's own JSON type. */
  | { kind: 'value'; get: Getter }
  /** Text: tokens interpolated, or a Handlebars template. */
  | { kind: 'text'; get: (ctx: RenderContext) => string };

const UNSAFE = /[<>&\u2028\u2029]/;
const UNSAFE_ALL = /[<>&\u2028\u2029]/g;
const escapeUnsafe = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * JSON text with `<`, `>`, `&`, U+2028 and U+2029 as \u escapes (as Go's encoding/json does): the
 * same JSON for every parser, and safe if a receiver or a console pastes it into HTML or a script.
 * Those characters only occur inside JSON strings, so replacing them never touches structure.
 */
export function htmlSafeJson(json: string): string {
  return UNSAFE.test(json) ? json.replace(UNSAFE_ALL, escapeUnsafe) : json;
}

/** A whole-leaf value as JSON text. No copy is needed here: stringifying reads, never keeps. */
function stringifyValue(value: unknown): string {
  if (typeof value === 'string') return htmlSafeJson(JSON.stringify(value));
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (value === null || value === undefined) return 'null';
  const json = JSON.stringify(value);
  return json === undefined ? 'null' : htmlSafeJson(json);
}

export function valueEmitter(plan: Plan): (ctx: RenderContext) => JsonValue {
  switch (plan.kind) {
    case 'const': {
      const value = plan.value;
      return () => value;
    }
    case 'value': {
      const get = plan.get;
      return (ctx) => toJsonValue(get(ctx)) as JsonValue;
    }
    case 'text':
      return plan.get;
    case 'array': {
      const children = plan.children.map(valueEmitter);
      return (ctx) => children.map((child) => child(ctx));
    }
    case 'object': {
      const keys = plan.keys;
      const children = plan.children.map(valueEmitter);
      return (ctx) => {
        const out: { [key: string]: JsonValue } = {};
        for (let i = 0; i < keys.length; i++) setOwn(out, keys[i]!, children[i]!(ctx));
        return out;
      };
    }
  }
}

/** Constant JSON text, or a hole: a whole-leaf value or a text, written as JSON per render. */
type Segment = string | { kind: 'value'; get: Getter } | { kind: 'text'; get: (ctx: RenderContext) => string };

function flatten(plan: Plan, out: Segment[]): void {
  switch (plan.kind) {
    case 'const':
      out.push(htmlSafeJson(JSON.stringify(plan.value)));
      return;
    case 'value':
      out.push({ kind: 'value', get: plan.get });
      return;
    case 'text':
      out.push({ kind: 'text', get: plan.get });
      return;
    case 'array':
      out.push('[');
      plan.children.forEach((child, i) => {
        if (i > 0) out.push(',');
        flatten(child, out);
      });
      out.push(']');
      return;
    case 'object':
      out.push('{');
      plan.children.forEach((child, i) => {
        out.push(`${i > 0 ? ',' : ''}${htmlSafeJson(JSON.stringify(plan.keys[i]))}:`);
        flatten(child, out);
      });
      out.push('}');
  }
}

function encoder(hole: Exclude<Segment, string>): (ctx: RenderContext) => string {
  if (hole.kind === 'value') {
    const get = hole.get;
    return (ctx) => stringifyValue(get(ctx));
  }
  const get = hole.get;
  return (ctx) => htmlSafeJson(JSON.stringify(get(ctx)));
}

/** Constant fragments merged; rendering alternates `statics[i]` and the JSON of the i-th hole. */
export function textEmitter(plan: Plan): (ctx: RenderContext) => string {
  const segments: Segment[] = [];
  flatten(plan, segments);
  const statics: string[] = [''];
  // Each distinct getter is encoded once per render: a body often writes one value under
  // several keys (the flat preset has #entity three times, #message twice).
  const encoders: Array<(ctx: RenderContext) => string> = [];
  const holes: number[] = [];
  const seen = new Map<Getter, number>();
  for (const segment of segments) {
    if (typeof segment === 'string') {
      statics[statics.length - 1] += segment;
      continue;
    }
    let index = segment.kind === 'value' ? seen.get(segment.get) : undefined;
    if (index === undefined) {
      index = encoders.length;
      encoders.push(encoder(segment));
      if (segment.kind === 'value') seen.set(segment.get, index);
    }
    holes.push(index);
    statics.push('');
  }
  const first = statics[0]!;
  const count = holes.length;
  if (encoders.length === count) {
    return (ctx) => {
      let out = first;
      for (let i = 0; i < count; i++) out += encoders[i]!(ctx) + statics[i + 1]!;
      return out;
    };
  }
  const unique = encoders.length;
  return (ctx) => {
    const encoded: string[] = new Array<string>(unique);
    for (let j = 0; j < unique; j++) encoded[j] = encoders[j]!(ctx);
    let out = first;
    for (let i = 0; i < count; i++) out += encoded[holes[i]!]! + statics[i + 1]!;
    return out;
  };
}

