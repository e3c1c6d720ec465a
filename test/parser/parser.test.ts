import { describe, expect, it } from 'vitest';
import { check } from '../../src/parser/index.js';
import { MAX_DEPTH, MAX_NESTING } from '../../src/parser/parser.js';
import { codes, evaluate, shapeOf } from './helpers.js';

/**
 * SPEC §2, lowest to highest: ?: ; || OR ; && AND ; ! NOT ; comparison ; [NOT] IN/LIKE/BETWEEN ;
 * + - ; * / % ; unary - ; then member, index and call.
 */
describe('precedence, level by level', () => {
  it.each([
    // ?: below ||
    ['a || b ? c : d', '((a || b) ? c : d)'],
    ['a ? b || c : d || e', '(a ? (b || c) : (d || e))'],
    // || below &&
    ['a || b && c', '(a || (b && c))'],
    ['a && b || c', '((a && b) || c)'],
    ['a OR b AND c', '(a || (b && c))'],
    // && below ! / NOT
    ['!a && b', '((!a) && b)'],
    ['NOT a AND NOT b', '((!a) && (!b))'],
    // ! below comparison: NOT applies to the whole comparison
    ['!a == b', '(!(a == b))'],
    ['NOT a > 1', '(!(a > 1))'],
    // comparison below IN / LIKE / BETWEEN
    ['a == b IN (c)', '(a == (b IN [c]))'],
    ['a IN (b) == c', '((a IN [b]) == c)'],
    ["a != b LIKE 'x'", "(a != (b LIKE 'x'))"],
    ['a < b BETWEEN c AND d', '(a < (b BETWEEN c AND d))'],
    // NOT before IN binds to IN; NOT in front negates the predicate
    ['NOT a IN (b)', '(!(a IN [b]))'],
    ['a NOT IN (b)', '(a NOT IN [b])'],
    // IN / LIKE / BETWEEN below + -
    ['a + b IN (c + d)', '((a + b) IN [(c + d)])'],
    ["a + b LIKE c + 'x'", "((a + b) LIKE (c + 'x'))"],
    ['a - 1 BETWEEN b + 1 AND c - 1', '((a - 1) BETWEEN (b + 1) AND (c - 1))'],
    // the AND of BETWEEN is taken before a logical AND
    ['a BETWEEN b AND c AND d', '((a BETWEEN b AND c) && d)'],
    // + - below * / %
    ['a + b * c', '(a + (b * c))'],
    ['a * b + c', '((a * b) + c)'],
    ['a - b % c', '(a - (b % c))'],
    ['a / b - c', '((a / b) - c)'],
    // * / % below unary -
    ['-a * b', '((-a) * b)'],
    ['a * -b', '(a * (-b))'],
    // unary - below member / index / call
    ['-a.b', '(-a.b)'],
    ["-a['b']", "(-a['b'])"],
    ['-abs(a)', '(-abs(a))'],
  ])('%s groups as %s', (source, shape) => {
    expect(shapeOf(source)).toBe(shape);
  });

  it.each([
    ['2 + 3 * 4', 14],
    ['(2 + 3) * 4', 20],
    ['2 * 3 % 4', 2],
    ['2 * (3 % 4)', 6],
    ['-2 * -3', 6],
    ['1 + 2 == 3', true],
    ['true || false && false', true],
    ['(true || false) && false', false],
    ['NOT false AND false', false],
    ['NOT (false AND false)', true],
    ['!1 == 2', true],
    ['1 + 1 IN (2)', true],
    ['5 BETWEEN 1 AND 10 AND false', false],
    ['false ? 1 : 2 + 3', 5],
  ])('%s evaluates to %j', (source, expected) => {
    expect(evaluate(source)).toBe(expected);
  });
});

describe('associativity', () => {
  it.each([
    ['a - b - c', '((a - b) - c)'],
    ['a / b / c', '((a / b) / c)'],
    ['a % b * c', '((a % b) * c)'],
    ['a || b || c', '((a || b) || c)'],
    ['a && b && c', '((a && b) && c)'],
    ['a == b != c', '((a == b) != c)'],
    ['!!a', '(!(!a))'],
    ['- -a', '(-(-a))'],
    ['--a', '(-(-a))'],
    // ?: is right-associative: a chain reads like else-if
    ['a ? b : c ? d : e', '(a ? b : (c ? d : e))'],
    ['a ? b ? c : d : e', '(a ? (b ? c : d) : e)'],
  ])('%s groups as %s', (source, shape) => {
    expect(shapeOf(source)).toBe(shape);
  });

  it.each([
    ['10 - 4 - 3', 3],
    ['8 / 2 / 2', 2],
    ['false ? 1 : true ? 2 : 3', 2],
    ['true ? 1 : true ? 2 : 3', 1],
    ['false ? 1 : false ? 2 : 3', 3],
  ])('%s evaluates to %j', (source, expected) => {
    expect(evaluate(source)).toBe(expected);
  });
});

describe('comparison operators', () => {
  it.each([
    ['a == b', '(a == b)'],
    ['a = b', '(a == b)'],
    ['a != b', '(a != b)'],
    ['a <> b', '(a != b)'],
    ['a < b', '(a < b)'],
    ['a <= b', '(a <= b)'],
    ['a > b', '(a > b)'],
    ['a >= b', '(a >= b)'],
  ])('%s is %s', (source, shape) => {
    expect(shapeOf(source)).toBe(shape);
  });
});

describe('member and index access', () => {
  it.each([
    ['entity.tags.env', 'entity.tags.env'],
    ["tags['key-with-dash']", "tags['key-with-dash']"],
    ["entity.tags['a b'].x", "entity.tags['a b'].x"],
    ['tags[tags.k]', 'tags[tags.k]'],
    // after a dot any word is a field name, keywords included
    ['tags.in', 'tags.in'],
    ['tags.AND', 'tags.AND'],
    ['tags.null', 'tags.null'],
    ['avg(5).x', 'avg(5).x'],
    ['f(a, b ? c : d, (e))', 'f(a, (b ? c : d), e)'],
    ['f()', 'f()'],
  ])('%s', (source, shape) => {
    expect(shapeOf(source)).toBe(shape);
  });
});

describe('syntax errors', () => {
  it.each([
    ['value > > 3', 'syntax-error'],
    ['value 3', 'syntax-error'],
    ['value > 1 )', 'syntax-error'],
    ['value IN ()', 'syntax-error'],
    ['value IN 1', 'syntax-error'],
    ['value NOT 3', 'syntax-error'],
    ['[1]', 'syntax-error'],
    ["tags.'a'", 'syntax-error'],
    ['avg(1 2)', 'syntax-error'],
    ['f(1,)', 'syntax-error'],
    ['value >', 'unexpected-end'],
    ['(value > 3', 'unexpected-end'],
    ["tags['a'", 'unexpected-end'],
    ['value ? 1', 'unexpected-end'],
    ['value BETWEEN 1', 'unexpected-end'],
    ['tags.', 'unexpected-end'],
    ['value > 3   ', 'none'],
    ['', 'empty-expression'],
    ['  \n\t ', 'empty-expression'],
  ])('%j → %s', (source, code) => {
    expect(codes(source)).toEqual(code === 'none' ? [] : [code]);
  });

  // Regression: a string token was quoted twice (unexpected ''b'').
  it.each([
    ["'a' 'b'", "unexpected 'b' after a complete expression"],
    ['"a" "b"', 'unexpected "b" after a complete expression'],
    ["value IN ()", "expected a value (a number, a string, a name or '(') but found ')'"],
    ['value NOT 3', "expected IN, LIKE or BETWEEN but found '3'"],
    ['tags.', 'expected a field name but found the end of the expression'],
    ['value BETWEEN 1 OR 2', "expected AND but found 'OR'"],
  ])('%s says: %s', (source, message) => {
    expect(check(source).map((d) => d.message)).toEqual([message]);
  });

  it('reports only the first syntax error (the parser does not guess past it)', () => {
    expect(codes('a > > b < < c')).toEqual(['syntax-error']);
  });

  it('a lexical error is reported instead of the syntax error it causes', () => {
    expect(codes('value # 3 )')).toEqual(['unexpected-character']);
  });
});

describe('nesting limits: deep input is a diagnostic, never a stack overflow', () => {
  const nestedParens = (n: number) => `${'('.repeat(n)}1${')'.repeat(n)}`;
  const chain = (n: number) => Array.from({ length: n }, () => 'value').join(' + ');

  it.each([
    ['parentheses', nestedParens(MAX_NESTING - 1), 1],
    ['calls', `${'abs('.repeat(MAX_NESTING - 1)}1${')'.repeat(MAX_NESTING - 1)}`, 1],
    ['prefix minus', `${'-'.repeat(MAX_NESTING - 1)}1`, -1],
    ['NOT', `${'!'.repeat(MAX_NESTING - 2)}true`, true],
    ['a chain of operators', chain(MAX_DEPTH - 1), MAX_DEPTH - 1],
  ])('%s just within the limit evaluate', (_, source, expected) => {
    expect(evaluate(source, { value: 1 })).toBe(expected);
  });

  it.each([
    ['parentheses', nestedParens(MAX_NESTING + 1)],
    ['parentheses far beyond the limit', nestedParens(20_000)],
    ['unclosed parentheses', '('.repeat(10_000)],
    ['calls', `${'abs('.repeat(5_000)}1${')'.repeat(5_000)}`],
    ['prefix minus', `${'-'.repeat(50_000)}1`],
    ['NOT', `${'NOT '.repeat(10_000)}true`],
    ['?: chains', `${'true ? 1 : '.repeat(5_000)}2`],
    ['brackets', `${'tags['.repeat(5_000)}'a'${']'.repeat(5_000)}`],
    ['a chain of operators', chain(MAX_DEPTH + 1)],
    ['a long chain of OR', Array.from({ length: 20_000 }, (_, i) => `value == ${i}`).join(' OR ')],
    ['a long member chain', `tags${'.a'.repeat(20_000)}`],
  ])('%s beyond the limit → too-deep', (_, source) => {
    expect(codes(source)).toEqual(['too-deep']);
  });

  it('flat lists are not nesting: IN with 20 000 items and coalesce with 5 000 arguments compile', () => {
    const items = Array.from({ length: 20_000 }, (_, i) => String(i)).join(', ');
    expect(evaluate(`value IN (${items})`, { value: 19_999 })).toBe(true);
    const names = Array.from({ length: 5_000 }, () => 'value').join(', ');
    expect(evaluate(`coalesce(${names}, 7)`, {})).toBe(7);
    expect(evaluate(`value NOT IN (${Array.from({ length: 5_000 }, () => 'value + 1').join(', ')})`, { value: 1 })).toBe(true);
  });
});
