import { describe, expect, it } from 'vitest';
import { nodeDeeperThan, print, quoteString, walk, type Node } from '../../src/parser/ast.js';
import { parse, shape } from './helpers.js';

const CORPUS = [
  'value > 80',
  'value >= 80 AND value < 90',
  "entity.tags.env == 'prod' && tags['key-with-dash'] != null",
  '!(value > 1) || NOT entity.enabled',
  '!value == 1',
  '(!a) == b',
  'a == (b == c)',
  'a - (b - c)',
  '(a + b) * c',
  'a * (b % c)',
  '-(a + b)',
  '- -a',
  '-(-a)',
  'a - -b',
  '-a.b',
  '(-a).b',
  "a ? 'x' : b ? 'y' : 'z'",
  '(a ? b : c) ? d : e',
  'a ? (b ? c : d) : e',
  '(a ? 1 : 2) + 3',
  'a || (b ? c : d)',
  "x IN (1, 2, 'three', null, true)",
  'x NOT IN (a + 1, b ? 1 : 2)',
  '(x IN (1)) == true',
  "x LIKE 'a*b?c\\\\*'",
  "x NOT LIKE y + 'z'",
  'x BETWEEN 1 AND 10 AND y',
  'x NOT BETWEEN a - 1 AND (b ? 1 : 2)',
  '(a BETWEEN 1 AND 2) BETWEEN c AND d',
  'avg() > avg(5) * 2 || percentile(95, \'10 minute\') > 100',
  "round(value, 2) + coalesce(tags.x, 'n/a')",
  '(a + b)[c]',
  'avg(5).x',
  "tags[a ? 'x' : 'y']",
  'tags.in == tags.AND',
  "'it\\'s' + \"say \\\"hi\\\"\" + 'tab\\tnew\\nline\\rret\\\\'",
  "'\\u00e9\\x41\\0'",
  '1e3 + 2.5 + .5 + 1e21 + 1e-7 + 123456789012345680000',
  'null == null',
  'TRUE and FALSE or NOT true',
  'a = b AND c <> d',
  '1 < 2 == 3 > 4',
  '!!a',
  '--1',
];

describe('printing: print(parse(x)) reads back as the same expression', () => {
  it.each(CORPUS)('%s', (source) => {
    const ast = parse(source)!;
    expect(ast).not.toBeNull();
    const printed = print(ast);
    const reparsed = parse(printed)!;
    expect(reparsed).not.toBeNull();
    // the same structure, and printing is a fixed point
    expect(shape(reparsed)).toBe(shape(ast));
    expect(print(reparsed)).toBe(printed);
  });

  it.each([
    ['(a + b) + c', 'a + b + c'],
    ['((value))', 'value'],
    ['a AND b OR c', 'a && b || c'],
    ['NOT a', '!a'],
    ['a = b', 'a == b'],
    ['a <> b', 'a != b'],
    ['x not in (1)', 'x NOT IN (1)'],
    ['"x"', "'x'"],
    ['.5', '0.5'],
  ])('prints %s as %s (fewest parentheses, canonical operators)', (source, expected) => {
    expect(print(parse(source)!)).toBe(expected);
  });

  it('prints a number too large to be finite so that it reads back as a number', () => {
    expect(print(parse('1e999')!)).toBe('1e999');
    expect(parse(print(parse('1e999')!))!.kind).toBe('literal');
  });

  it.each([
    ['plain', "'plain'"],
    ["it's", "'it\\'s'"],
    ['a\\b', "'a\\\\b'"],
    ['a\nb\tc\rd', "'a\\nb\\tc\\rd'"],
  ])('quoteString(%j) = %s', (value, expected) => {
    expect(quoteString(value)).toBe(expected);
  });
});

describe('walking the tree', () => {
  it('visits parents before children, in source order', () => {
    const visited: string[] = [];
    walk(parse("a + f(b, c) > 1 ? x IN (y) : z BETWEEN 1 AND tags['k']")!, (node: Node) => {
      visited.push(node.kind === 'name' ? node.name : node.kind);
    });
    expect(visited).toEqual([
      'conditional', 'binary', 'binary', 'a', 'call', 'b', 'c', 'literal',
      'in', 'x', 'y', 'between', 'z', 'literal', 'index', 'tags', 'literal',
    ]);
  });

  it('every node carries the span of its text, parentheses included', () => {
    const source = "(value + 1) * avg(5) > tags['k']";
    const spans: string[] = [];
    walk(parse(source)!, (node) => spans.push(source.slice(node.span.start, node.span.end)));
    expect(spans).toEqual([
      source, '(value + 1) * avg(5)', '(value + 1)', 'value', '1', 'avg(5)', '5', "tags['k']", 'tags', "'k'",
    ]);
  });

  it('nodeDeeperThan finds the first node below the limit, without recursion', () => {
    const ast = parse('a + b * (c - -d)')!;
    expect(nodeDeeperThan(ast, 5)).toBeNull();
    expect(nodeDeeperThan(ast, 4)).toMatchObject({ kind: 'name', name: 'd' });
    const span = { start: 0, end: 1 };
    let chain: Node = { kind: 'literal', value: 1, span };
    for (let i = 1; i < 50_000; i++) {
      chain = { kind: 'binary', operator: '+', left: chain, right: { kind: 'literal', value: 1, span }, operatorSpan: span, span };
    }
    expect(nodeDeeperThan(chain, 49_999)).not.toBeNull();
    expect(nodeDeeperThan(chain, 50_000)).toBeNull();
  });
});
