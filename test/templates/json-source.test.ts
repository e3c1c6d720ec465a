import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonSource, toValue, type JsonNode, type JsonStringNode } from '../../src/templates/json-source.js';

function parsed(text: string): JsonNode {
  const result = parseJsonSource(text);
  if (!result.ok) throw new Error(`expected ${text} to parse: ${result.error.message}`);
  return result.node;
}

function firstString(node: JsonNode): JsonStringNode {
  if (node.kind === 'string') return node;
  if (node.kind === 'object') return firstString(node.members[0]!.value);
  if (node.kind === 'array') return firstString(node.items[0]!);
  throw new Error('no string');
}

describe('strict JSON with positions', () => {
  it('reads what JSON.parse reads', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : 0);
        expect(toValue(parsed(text))).toEqual(JSON.parse(text));
      }),
    );
  });

  it('rejects exactly what JSON.parse rejects, for small texts', () => {
    const alphabet = fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '1', 'a', ' ', '\\', 'n', 'u', 'true', 'null', '-', '.', 'e');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 12 }).map((parts) => parts.join('')), (text) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        expect(parseJsonSource(text).ok).toBe(valid);
      }),
    );
  });

  it('knows where every decoded character of a string came from, escapes included', () => {
    const text = '{"t": "a\\"b\\n\\u00e9#x"}';
    const leaf = firstString(parsed(text));
    expect(leaf.value).toBe('a"b\né#x');
    const hash = leaf.value.indexOf('#');
    expect(text.slice(leaf.offsetOf(hash), leaf.offsetOf(hash) + 2)).toBe('#x');
    expect(text[leaf.offsetOf(1)]).toBe('\\');
    expect(leaf.offsetOf(leaf.value.length)).toBe(text.lastIndexOf('"'));
  });

  it.each([
    ['', 'the template is empty', 0],
    ['{"a": 1,}', 'a trailing comma is not allowed in JSON', 7],
    ['[1, 2,]', 'a trailing comma is not allowed in JSON', 5],
    ["{'a': 1}", 'property names must be double-quoted strings', 1],
    ['{"a": \'x\'}', 'JSON strings need double quotes', 6],
    ['{"a": 1 "b": 2}', "expected ',' or '}' after a property value", 8],
    ['{"a" 1}', "expected ':' after the property name \"a\"", 5],
    ['{"a": tru}', "unexpected word 'tru'", 6],
    ['{"a": "x\\q"}', "invalid escape '\\q'", 8],
    ['{"a": "x\\#y"}', "invalid escape '\\#'", 8],
    ['{"a": "line\nbreak"}', 'this string is not closed before the end of the line', 6],
    ['{"a": 1} // note', 'comments are not allowed in JSON', 9],
    ['{"a": 1} {"b": 2}', 'unexpected text after the JSON value', 9],
    ['{"a": [1, 2}', "expected ',' or ']' after an array item", 11],
    ['{"a": 1', 'this object is not closed', 0],
    ['"abc', 'this string is not closed', 0],
  ])('%j: %s at offset %i', (text, message, offset) => {
    const result = parseJsonSource(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toBe(message);
    expect(result.error.span.start).toBe(offset);
  });
});
