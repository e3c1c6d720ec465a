import { describe, expect, it } from 'vitest';
import { compile, typeName } from '../../src/parser/index.js';
import { codes } from './helpers.js';

describe('the checker knows the type of every name', () => {
  it.each([
    ['value', 'number | null'],
    ['text', 'string | null'],
    ['time', 'number | null'],
    ['now', 'number | null'],
    ['entity', 'string | null'],
    ['entity.enabled', 'boolean | null'],
    ['tags.env', 'string | null'],
    ["entity.tags['a-b']", 'string | null'],
    ['repeat_count', 'number | null'],
    ['count()', 'number'],
    ['avg()', 'number | null'],
    ['value > 1', 'boolean'],
    ['value + 1', 'number | null'],
    ['1 + 2', 'number'],
    ['1 / 2', 'number | null'],
    ["'a' + 'b'", 'string'],
    ["coalesce(tags.env, 'x')", 'string'],
    ['coalesce(value, open_value)', 'number | null'],
    ["value > 1 ? 'a' : null", 'string | null'],
    ['length(text)', 'number | null'],
    ["contains(text, 'a')", 'boolean'],
    ['null', 'null'],
  ])('%s is %s', (source, type) => {
    expect(typeName(compile(source).type)).toBe(type);
  });
});

describe('types are checked when the rule loads', () => {
  it.each([
    'value > 1',
    "tags.env == 'x'",
    'value == null',
    'null == tags.env',
    "tags.x IN ('a', null)",
    'entity.enabled == true',
    "text + 'x'",
    'value BETWEEN 1 AND null',
    "'a' < 'b'",
    'coalesce(value, 0) > 1',
    "text LIKE tags.pattern",
    'toNumber(tags.port) > 1024',
    'null + 1',
    '-null',
  ])('%s is accepted', (source) => {
    expect(codes(source)).toEqual([]);
  });

  it.each([
    ["value == 'x'", 'type-mismatch'],
    ['tags.x == 1', 'type-mismatch'],
    ['tags.x > 1', 'type-mismatch'],
    ["value IN ('a')", 'type-mismatch'],
    ["value IN (1, 'a')", 'type-mismatch'],
    ["value BETWEEN 'a' AND 'b'", 'type-mismatch'],
    ["value + 'x'", 'type-mismatch'],
    ['entity.enabled == 1', 'type-mismatch'],
    ['true < false', 'type-mismatch'],
    ["coalesce(value, 'none')", 'type-mismatch'],
    ["value > 0 ? 1 : 'x'", 'type-mismatch'],
    ["'a' - 'b'", 'operand-type'],
    ["'a' * 2", 'operand-type'],
    ['true + 1', 'operand-type'],
    ['value && true', 'operand-type'],
    ['true || text', 'operand-type'],
    ['!value', 'operand-type'],
    ['NOT text', 'operand-type'],
    ['value ? 1 : 2', 'operand-type'],
    ["value LIKE 'a'", 'operand-type'],
    ['text LIKE 1', 'operand-type'],
    ["-'a'", 'operand-type'],
    ["tags == 'x'", 'map-as-value'],
    ['metric.tags', 'map-as-value'],
  ])('%s → %s', (source, code) => {
    expect(codes(source)).toEqual([code]);
  });

  it('reports both operands of a logical operator', () => {
    expect(codes('value && text')).toEqual(['operand-type', 'operand-type']);
  });
});
