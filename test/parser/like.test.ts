import { describe, expect, it } from 'vitest';
import { compileLike, like } from '../../src/parser/like.js';
import { evaluate } from './helpers.js';

/** Patterns are given as the string value (after the expression's own string escapes). */
describe('LIKE: * is any run of characters, ? is one character', () => {
  it.each([
    ['abc', 'abc', true],
    ['abc', 'ab', false],
    ['abc', 'abcd', false],
    ['', '', true],
    ['', '*', true],
    ['', '?', false],
    ['abc', '*', true],
    ['abc', 'a*', true],
    ['abc', '*c', true],
    ['abc', '*b*', true],
    ['abc', 'a*c', true],
    ['ac', 'a*c', true],
    ['abc', 'b*', false],
    ['abc', '*b', false],
    ['abc', 'a?c', true],
    ['abbc', 'a?c', false],
    ['abc', '???', true],
    ['abc', '??', false],
    ['abc', '????', false],
    ['aXbXc', 'a*?c', true],
    ['ac', 'a*?c', false],
    ['abcabc', '*bc*bc', true],
    ['abab', 'a*b*a*b', true],
    ['aab', 'a*a*b', true],
    ['ab', 'a*a*b', false],
    ['prod-db-7', 'prod-*-?', true],
    ['prod-db-17', 'prod-*-?', false],
    ['docker.cpu.busy', 'docker.*', true],
    ['xdocker.cpu', 'docker.*', false],
    ['a**b', 'a**b', true],
    ['ab', 'a**b', true],
    ['abc', 'a*b*c*', true],
    ['abcd', '*?*?*?*?*', true],
    ['abc', '*?*?*?*?*', false],
  ])('%j LIKE %j is %s', (text, pattern, expected) => {
    expect(compileLike(pattern).test(text)).toBe(expected);
    expect(like(text, pattern)).toBe(expected);
  });
});

describe('LIKE is case-sensitive', () => {
  it.each([
    ['ABC', 'abc', false],
    ['ABC', 'A*', true],
    ['abc', 'A*', false],
    ['Prod', '?rod', true],
    ['prod', '*D', false],
  ])('%j LIKE %j is %s', (text, pattern, expected) => {
    expect(compileLike(pattern).test(text)).toBe(expected);
  });
});

describe('LIKE escapes: \\* \\? \\\\ are literal', () => {
  it.each([
    ['a*c', 'a\\*c', true],
    ['abc', 'a\\*c', false],
    ['a?c', 'a\\?c', true],
    ['abc', 'a\\?c', false],
    ['a\\c', 'a\\\\c', true],
    ['a\\bc', 'a\\\\*', true],
    ['*', '\\*', true],
    ['x', '\\*', false],
    // any other escaped character is that character; a trailing backslash is itself
    ['ab', 'a\\b', true],
    ['a\\', 'a\\', true],
    ['50% off', '*\\% off', true],
  ])('%j LIKE %j is %s', (text, pattern, expected) => {
    expect(compileLike(pattern).test(text)).toBe(expected);
  });

  it('in an expression, an unknown string escape is kept, so \\* reaches the pattern as written', () => {
    expect(evaluate("text LIKE 'a\\*c'", { text: 'a*c' })).toBe(true);
    expect(evaluate("text LIKE 'a\\*c'", { text: 'abc' })).toBe(false);
    expect(evaluate("text LIKE 'a\\\\*c'", { text: 'a*c' })).toBe(true);
    // a literal backslash needs \\\\ in the expression: the string makes it \\, LIKE makes it \
    expect(evaluate("text LIKE 'a\\\\\\\\c'", { text: 'a\\c' })).toBe(true);
  });
});

describe('LIKE counts characters, not UTF-16 code units', () => {
  // Regression: ? matched half of a surrogate pair, so '😀' LIKE '?' was false.
  it.each([
    ['😀', '?', true],
    ['😀', '??', false],
    ['a😀b', 'a?b', true],
    ['a😀b😀c', '*?b?*', true],
    ['😀x', '?x', true],
    ['x😀', '*?', true],
    ['😀😀', '?😀', true],
    ['é', '?', true],
  ])('%j LIKE %j is %s', (text, pattern, expected) => {
    expect(compileLike(pattern).test(text)).toBe(expected);
  });
});

describe('LIKE in expressions', () => {
  it.each([
    ["entity LIKE 'db-*'", { entity: 'db-7' }, true],
    ["entity NOT LIKE 'db-*'", { entity: 'db-7' }, false],
    ["tags.path LIKE '/var/*'", { tags: { path: '/var/log' } }, true],
    // a pattern from the data is compiled on first use
    ['text LIKE tags.pattern', { text: 'disk full', tags: { pattern: 'disk *' } }, true],
    ['text LIKE tags.pattern', { text: 'disk full' }, false],
    ['text NOT LIKE tags.pattern', { text: 'disk full' }, true],
  ])('%s with %j is %s', (source, context, expected) => {
    expect(evaluate(source, context)).toBe(expected);
  });
});

describe('LIKE runs in linear time: no backtracking on pathological patterns', () => {
  it.each([
    ['a'.repeat(5000), 'a*a*a*a*a*a*a*a*b', false],
    [`${'a'.repeat(5000)}b`, 'a*a*a*a*a*a*a*a*b', true],
    ['a'.repeat(5000), '*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*c*', false],
    ['ab'.repeat(3000), '*?b*?b*?b*?b*?b*?b*?c*', false],
    ['a'.repeat(5000), `${'*?'.repeat(200)}*b`, false],
  ])('%# a long text against %s', (text, pattern, expected) => {
    expect(compileLike(pattern).test(text)).toBe(expected);
    expect(evaluate(`text LIKE '${pattern}'`, { text })).toBe(expected);
  });
});
