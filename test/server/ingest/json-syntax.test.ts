import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError } from '../../../src/server/ingest/json-syntax.js';

const isValidJson = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('locating a JSON syntax error', () => {
  it.each([
    ['[1,2,}', 5, "expected a value but found '}'"],
    ['{"a":1,\n "b": x}', 14, "expected a value but found 'x'"],
    ['', 0, 'expected a value but found the end of the input'],
    ['[', 1, 'expected a value but found the end of the input'],
    ['[1 2]', 3, "expected ',' or ']' after an array item but found '2'"],
    ['{"a" 1}', 5, "expected ':' after a property name but found '1'"],
    ["{'a':1}", 1, "expected a property name in double quotes but found '''"],
    ['{"a":1,}', 7, "expected a property name in double quotes but found '}'"],
    ['{"a":1 "b":2}', 7, "expected ',' or '}' after a property value but found '\"'"],
    ['"abc', 4, 'unterminated string'],
    ['"a\tb"', 2, 'control character in a string (write it as \\n, \\t or \\u00XX)'],
    ['"\\x"', 1, "bad escape '\\x' in a string"],
    ['"\\u12G4"', 1, 'bad \\u escape (needs four hex digits)'],
    ['01', 1, "unexpected '1' after the end of the JSON value"],
    ['-', 0, 'malformed number'],
    ['nul', 0, "expected a value but found 'n'"],
    ['[1] x', 4, "unexpected 'x' after the end of the JSON value"],
    ['{"a":[{"b":[1,]}]}', 14, "expected a value but found ']'"],
  ])('%j at offset %i', (text, offset, message) => {
    expect(isValidJson(text)).toBe(false);
    expect(findJsonSyntaxError(text)).toEqual({ offset, message });
  });

  it('finds nothing wrong in valid JSON, however deep', () => {
    fc.assert(fc.property(fc.json(), (text) => {
      expect(findJsonSyntaxError(text)).toBeNull();
    }));
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(findJsonSyntaxError(deep)).toBeNull();
    expect(findJsonSyntaxError('  {"a": [true, false, null, -1.5e+3, "\\u00e9\\n"], "b": {}} \n')).toBeNull();
  });

  it('agrees with JSON.parse on whether any text is valid', () => {
    const jsonish = fc.string({ unit: fc.constantFrom(...'[]{}",:01-.eE+ truefalsn\\u\t'.split('')), maxLength: 30 });
    fc.assert(fc.property(fc.oneof(jsonish, fc.string()), (text) => {
      expect(findJsonSyntaxError(text) === null).toBe(isValidJson(text));
    }), { numRuns: 3000 });
  });
});
