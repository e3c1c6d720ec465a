import { describe, expect, it } from 'vitest';
import { tokenize } from '../../src/parser/lexer.js';
import { unescapeString } from '../../src/parser/parser.js';
import { codes, evaluate, shapeOf } from './helpers.js';

describe('number literals: 1, 2.5, 1e3', () => {
  it.each([
    ['1', 1],
    ['2.5', 2.5],
    ['1e3', 1000],
    ['1E3', 1000],
    ['1e+3', 1000],
    ['2.5e-3', 0.0025],
    ['.5', 0.5],
    ['2.', 2],
    ['0', 0],
    ['007', 7],
    ['1.7976931348623157e308', 1.7976931348623157e308],
  ])('%s is %d', (source, expected) => {
    expect(evaluate(source)).toBe(expected);
  });

  it.each(['1e999', '2e308'])('%s is rejected as too large (invalid-number)', (source) => {
    expect(codes(source)).toEqual(['invalid-number']);
  });

  it.each(['0x10', '1_000', '1e', '1.2.3'])('%s is not a number', (source) => {
    expect(codes(source)).toEqual(['syntax-error']);
  });
});

describe("string literals: '…' and \"…\" with escapes", () => {
  it.each([
    ["'abc'", 'abc'],
    ['"abc"', 'abc'],
    ["''", ''],
    ["'it\\'s'", "it's"],
    ['"say \\"hi\\""', 'say "hi"'],
    [`"it's"`, "it's"],
    [`'say "hi"'`, 'say "hi"'],
    ["'a\\nb'", 'a\nb'],
    ["'a\\tb'", 'a\tb'],
    ["'a\\rb'", 'a\rb'],
    ["'a\\\\b'", 'a\\b'],
    ["'\\u00e9'", 'é'],
    ["'\\u{1F600}'", '😀'],
    ["'\\x41'", 'A'],
    ["'\\0'", '\0'],
    // Unknown escapes stay as written, so LIKE patterns can escape their wildcards.
    ["'\\*'", '\\*'],
    ["'\\?'", '\\?'],
    ["'\\q'", '\\q'],
    ["'\\u12'", '\\u12'],
  ])('%s is %j', (source, expected) => {
    expect(evaluate(source)).toBe(expected);
  });

  it('a string cannot span lines', () => {
    expect(codes("'a\nb'")).toContain('unterminated-string');
  });

  it.each([
    ['"x"', 'x'],
    ["'\\u{110000}'", '\\u{110000}'],
  ])('unescapeString(%s) is %j', (image, expected) => {
    expect(unescapeString(image)).toBe(expected);
  });
});

describe('true, false and null', () => {
  it.each([
    ['true', true],
    ['false', false],
    ['null', null],
    ['TRUE', true],
    ['False', false],
    ['NULL', null],
  ])('%s is %j', (source, expected) => {
    expect(evaluate(source)).toBe(expected);
  });
});

describe('keywords are case-insensitive', () => {
  it.each([
    ['a and b', '(a && b)'],
    ['a AND b', '(a && b)'],
    ['a AnD b', '(a && b)'],
    ['a or b', '(a || b)'],
    ['a Or b', '(a || b)'],
    ['not a', '(!a)'],
    ['NoT a', '(!a)'],
    ['a in (1)', '(a IN [1])'],
    ['a not in (1)', '(a NOT IN [1])'],
    ["a like 'x'", "(a LIKE 'x')"],
    ["a Not Like 'x'", "(a NOT LIKE 'x')"],
    ['a between 1 and 2', '(a BETWEEN 1 AND 2)'],
    ['a NOT between 1 AnD 2', '(a NOT BETWEEN 1 AND 2)'],
  ])('%s', (source, shape) => {
    expect(shapeOf(source)).toBe(shape);
  });

  it.each(['android', 'order', 'notify', 'index', 'innocent', 'likely', 'betweenness', 'nullable', 'trueish', 'falsey', 'and_x', 'OR2'])(
    '%s is a name, not a keyword followed by more letters',
    (word) => {
      expect(shapeOf(word)).toBe(word);
    },
  );
});

describe('lexical errors', () => {
  it.each([
    ['value # 3', 'unexpected-character'],
    ['value @ 3', 'unexpected-character'],
    ['a & b', 'unexpected-character'],
    ['a | b', 'unexpected-character'],
    ['`x`', 'unexpected-character'],
    ['é', 'unexpected-character'],
    ["tags.x == 'abc", 'unterminated-string'],
    ['tags.x == "abc', 'unterminated-string'],
    ["'abc\\", 'unterminated-string'],
  ])('%s → %s', (source, code) => {
    expect(codes(source)[0]).toBe(code);
  });

  it('reports every bad character, not only the first', () => {
    expect(tokenize('a # b @ c').problems.map((p) => p.span.start)).toEqual([2, 6]);
  });
});
