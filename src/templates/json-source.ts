/**
 * A strict JSON parser that keeps positions: every node knows its span in the text, and every
 * string knows where each of its decoded characters came from, so a diagnostic about `#rule_nam`
 * inside `"text": "rule \"#rule_nam\""` points at the token in the file, escapes included.
 *
 * Hand-written because nothing installed gives both: JSON.parse has no positions and the YAML
 * parser accepts more than JSON (comments, single quotes, trailing commas). The grammar is
 * RFC 8259 exactly; the first syntax error stops parsing (later errors would only be echoes).
 */
import type { Span } from '../parser/diagnostics.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type JsonNode = JsonObjectNode | JsonArrayNode | JsonStringNode | JsonScalarNode;

export interface JsonObjectNode {
  kind: 'object';
  span: Span;
  members: JsonMember[];
}

export interface JsonMember {
  key: string;
  keySpan: Span;
  value: JsonNode;
}

export interface JsonArrayNode {
  kind: 'array';
  span: Span;
  items: JsonNode[];
}

export interface JsonStringNode {
  kind: 'string';
  /** The quotes included. */
  span: Span;
  value: string;
  /** Offset in the file of the decoded character at `index` (index === value.length: the closing quote). */
  offsetOf(index: number): number;
}

export interface JsonScalarNode {
  kind: 'scalar';
  span: Span;
  value: null | boolean | number;
}

export interface JsonSyntaxError {
  message: string;
  span: Span;
  hint?: string;
}

export type JsonParseResult = { ok: true; node: JsonNode } | { ok: false; error: JsonSyntaxError };

class Failure {
  readonly error: JsonSyntaxError;
  constructor(error: JsonSyntaxError) {
    this.error = error;
  }
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WORD = /[A-Za-z_$][\w$]*/y;
/** Nesting beyond this is refused instead of overflowing the stack. */
export const MAX_JSON_DEPTH = 200;

export function parseJsonSource(text: string): JsonParseResult {
  const parser = new Parser(text);
  try {
    parser.skipSpace();
    if (parser.atEnd()) parser.fail(0, 1, 'the template is empty', 'write a JSON value, e.g. {"text": "#rule_name is #status"}');
    const node = parser.value(0);
    parser.skipSpace();
    if (!parser.atEnd()) parser.fail(parser.pos, parser.pos + 1, 'unexpected text after the JSON value', 'a template is one JSON value; wrap several in an object or array');
    return { ok: true, node };
  } catch (error) {
    if (error instanceof Failure) return { ok: false, error: error.error };
    throw error;
  }
}

class Parser {
  readonly text: string;
  pos = 0;

  constructor(text: string) {
    this.text = text;
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  fail(start: number, end: number, message: string, hint?: string): never {
    const error: JsonSyntaxError = { message, span: { start, end: Math.max(end, start + 1) } };
    if (hint !== undefined) error.hint = hint;
    throw new Failure(error);
  }

  skipSpace(): void {
    const text = this.text;
    for (;;) {
      const c = text.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else if (c === 0x2f && (text[this.pos + 1] === '/' || text[this.pos + 1] === '*')) {
        this.fail(this.pos, this.pos + 2, 'comments are not allowed in JSON', 'remove the comment; describe the template in docs or in its YAML declaration instead');
      } else return;
    }
  }

  value(depth: number): JsonNode {
    if (depth > MAX_JSON_DEPTH) this.fail(this.pos, this.pos + 1, `the template nests deeper than ${MAX_JSON_DEPTH} levels`);
    const c = this.text[this.pos];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (c === "'") this.fail(this.pos, this.pos + 1, 'JSON strings need double quotes', `write "…" instead of '…'`);
    if (c === undefined) this.fail(this.pos, this.pos + 1, 'unexpected end of the template: a value is missing');
    NUMBER.lastIndex = this.pos;
    const number = NUMBER.exec(this.text);
    if (number) {
      const start = this.pos;
      this.pos += number[0].length;
      return { kind: 'scalar', span: { start, end: this.pos }, value: Number(number[0]) };
    }
    WORD.lastIndex = this.pos;
    const word = WORD.exec(this.text);
    if (word) {
      const start = this.pos;
      const end = start + word[0].length;
      if (word[0] === 'true' || word[0] === 'false' || word[0] === 'null') {
        this.pos = end;
        return { kind: 'scalar', span: { start, end }, value: word[0] === 'null' ? null : word[0] === 'true' };
      }
      this.fail(start, end, `unexpected word '${word[0]}'`, 'text must be quoted: "…"; the literals are true, false and null');
    }
    this.fail(this.pos, this.pos + 1, `unexpected character '${c}'`, 'expected a value: an object, array, "string", number, true, false or null');
  }

  object(depth: number): JsonObjectNode {
    const start = this.pos;
    this.pos++;
    const members: JsonMember[] = [];
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { kind: 'object', span: { start, end: this.pos }, members };
    }
    let comma = -1;
    for (;;) {
      this.skipSpace();
      const c = this.text[this.pos];
      if (c !== '"') {
        if (c === '}' && members.length > 0) this.fail(comma, comma + 1, 'a trailing comma is not allowed in JSON', 'remove the comma after the last property');
        if (c === undefined) this.fail(start, start + 1, 'this object is not closed', "add '}'");
        this.fail(this.pos, this.pos + 1, 'property names must be double-quoted strings', 'write "name": value');
      }
      const key = this.string();
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.fail(this.pos, this.pos + 1, `expected ':' after the property name "${key.value}"`);
      this.pos++;
      this.skipSpace();
      const value = this.value(depth + 1);
      members.push({ key: key.value, keySpan: key.span, value });
      this.skipSpace();
      const next = this.text[this.pos];
      if (next === ',') {
        comma = this.pos++;
        continue;
      }
      if (next === '}') {
        this.pos++;
        return { kind: 'object', span: { start, end: this.pos }, members };
      }
      if (next === undefined) this.fail(start, start + 1, 'this object is not closed', "add '}'");
      this.fail(this.pos, this.pos + 1, "expected ',' or '}' after a property value", next === '"' ? 'a comma is missing between two properties' : undefined);
    }
  }

  array(depth: number): JsonArrayNode {
    const start = this.pos;
    this.pos++;
    const items: JsonNode[] = [];
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { kind: 'array', span: { start, end: this.pos }, items };
    }
    let comma = -1;
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === ']' && items.length > 0) this.fail(comma, comma + 1, 'a trailing comma is not allowed in JSON', 'remove the comma after the last item');
      items.push(this.value(depth + 1));
      this.skipSpace();
      const next = this.text[this.pos];
      if (next === ',') {
        comma = this.pos++;
        continue;
      }
      if (next === ']') {
        this.pos++;
        return { kind: 'array', span: { start, end: this.pos }, items };
      }
      if (next === undefined) this.fail(start, start + 1, 'this array is not closed', "add ']'");
      this.fail(this.pos, this.pos + 1, "expected ',' or ']' after an array item");
    }
  }

  string(): JsonStringNode {
    const text = this.text;
    const start = this.pos;
    const contentStart = start + 1;
    let i = contentStart;
    let decoded = '';
    let chunkStart = i;
    // Offsets of decoded characters, kept only once an escape makes them differ from the raw ones.
    let offsets: number[] | null = null;
    for (;;) {
      if (i >= text.length) this.fail(start, start + 1, 'this string is not closed', 'add the closing double quote');
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) {
        if (c === 0x0a) this.fail(start, start + 1, 'this string is not closed before the end of the line', 'close it with a double quote; write a line break inside text as \\n');
        this.fail(i, i + 1, 'a control character inside a string must be escaped', 'write \\t for a tab, \\n for a line break');
      }
      if (c !== 0x5c) {
        if (offsets !== null) offsets.push(i);
        i++;
        continue;
      }
      // An escape: flush the plain run, then decode.
      if (offsets === null) {
        offsets = [];
        for (let k = contentStart; k < i; k++) offsets.push(k);
      }
      decoded += text.slice(chunkStart, i);
      const kind = text[i + 1];
      if (kind === 'u') {
        const hex = text.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail(i, i + 2, 'invalid \\u escape: four hex digits must follow', 'write \\u00e9 for é');
        decoded += String.fromCharCode(parseInt(hex, 16));
        offsets.push(i);
        i += 6;
      } else if (kind !== undefined && ESCAPES[kind] !== undefined) {
        decoded += ESCAPES[kind];
        offsets.push(i);
        i += 2;
      } else {
        this.fail(i, i + 2, `invalid escape '\\${kind ?? ''}'`, kind === '#' ? 'a literal # is written ## (no backslash)' : 'JSON escapes are \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX');
      }
      chunkStart = i;
    }
    const end = i + 1;
    this.pos = end;
    if (offsets === null) {
      const value = text.slice(contentStart, i);
      return { kind: 'string', span: { start, end }, value, offsetOf: (index) => contentStart + Math.max(0, Math.min(index, value.length)) };
    }
    decoded += text.slice(chunkStart, i);
    const table = offsets;
    const closing = i;
    return { kind: 'string', span: { start, end }, value: decoded, offsetOf: (index) => (index >= 0 && index < table.length ? table[index]! : closing) };
  }
}

/** The plain value of a parsed tree. */
export function toValue(node: JsonNode): JsonValue {
  switch (node.kind) {
    case 'scalar':
    case 'string':
      return node.value;
    case 'array':
      return node.items.map(toValue);
    case 'object': {
      const out: { [key: string]: JsonValue } = {};
      for (const member of node.members) setOwn(out, member.key, toValue(member.value));
      return out;
    }
  }
}

/** `obj[key] = value` that also works for the key `__proto__` (plain assignment would change the prototype). */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}
